//! The S3 store's operations through [`FaultProxy`] in front of moto: every operation
//! meets each fault S3 shows (500 InternalError, 503 SlowDown, an answer lost after the
//! request took effect, a connection cut mid-body by RST or FIN, a slow answer) and
//! succeeds: the SDK's standard retries (which also retry an answer cut short) or the
//! store's resumed read absorb it. Faults that outlast the retries are typed errors naming the
//! operation, and a streamed body never ends short without an error. Every test
//! asserts that its faults really fired.

use std::io::Read;
use std::time::Duration;

use crate::common::{unique_bucket, MOTO_ACCOUNT};
use ferret_store::{MultipartCopy, S3Config, S3Store, Store, StoreError, Tags};
use ferret_testkit::faults::{Fault, Requests, Rule, RuleId, Schedule};
use ferret_testkit::{FaultProxy, Moto};

/// Bytes that differ from offset to offset, so a misplaced or repeated range shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / 251) as u8)
        .collect()
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `S3Store::connect` reads credentials from the environment, as in production; set
/// moto's once, before any client exists.
fn test_credentials() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    });
}

/// A store that reaches moto through a proxy, and a client that reaches it directly
/// (to seed and to check, untouched by faults).
struct Faulty {
    proxy: FaultProxy,
    store: S3Store,
    direct: aws_sdk_s3::Client,
    bucket: String,
}

impl Faulty {
    /// Must be called inside the test's runtime: the store runs on it.
    async fn new() -> Faulty {
        test_credentials();
        let moto = Moto::shared();
        let proxy = FaultProxy::start(&moto.endpoint).expect("the proxy starts");
        let store = S3Store::connect(&S3Config {
            endpoint_url: Some(proxy.endpoint()),
            region: Some("us-east-1".to_owned()),
            expected_bucket_owner: Some(MOTO_ACCOUNT.to_owned()),
        })
        .await;
        let direct = moto.s3();
        let bucket = unique_bucket();
        direct
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("bucket created");
        Faulty {
            proxy,
            store,
            direct,
            bucket,
        }
    }

    /// The path of `key` in this bucket, as a path-style request names it.
    fn path(&self, key: &str) -> String {
        format!("/{}/{key}", self.bucket)
    }

    /// Cuts every GET of `key` after its first KiB of body, for tests of what happens
    /// when retries and resumes cannot get past the fault.
    fn cut_every_read(&self, key: &str) -> RuleId {
        self.proxy.inject(Rule {
            requests: Requests::any().method("GET").path_contains(&self.path(key)),
            schedule: Schedule::Every(1),
            fault: Fault::CloseBody { after: 1024 },
        })
    }

    async fn seed(&self, key: &str, body: &[u8]) {
        self.direct
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(body.to_vec().into())
            .content_type("application/octet-stream")
            .send()
            .await
            .expect("seeded");
    }

    async fn content(&self, key: &str) -> Option<Vec<u8>> {
        match self
            .direct
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => Some(
                output
                    .body
                    .collect()
                    .await
                    .expect("body")
                    .into_bytes()
                    .to_vec(),
            ),
            Err(_) => None,
        }
    }

    async fn direct_tags(&self, key: &str) -> Tags {
        let output = self
            .direct
            .get_object_tagging()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .expect("tags");
        output
            .tag_set()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect()
    }

    /// Opens `key` through the proxy (on a blocking thread, as the scanner does) and
    /// reads it to the end.
    async fn read_through(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let store = self.store.clone();
        let (bucket, key) = (self.bucket.clone(), key.to_owned());
        tokio::task::spawn_blocking(move || {
            let mut body = store.open(&bucket, &key)?;
            let mut read = Vec::new();
            body.read_to_end(&mut read)
                .map_err(|error| StoreError::Io {
                    path: format!("{bucket}/{key}"),
                    error,
                })?;
            Ok(read)
        })
        .await
        .expect("the reading thread finishes")
    }
}

/// A store operation, with the requests that carry it and a check of what it did.
#[derive(Debug, Clone, Copy)]
enum Op {
    List,
    Head,
    Tags,
    Copy,
    SetTags,
    Put,
    Get,
    Open,
    Delete,
}

const OPS: [Op; 9] = [
    Op::List,
    Op::Head,
    Op::Tags,
    Op::Copy,
    Op::SetTags,
    Op::Put,
    Op::Get,
    Op::Open,
    Op::Delete,
];

/// An object of several network chunks, for the operations that read one.
const OBJECT_LEN: usize = 300 * 1024;

impl Op {
    /// The S3 operation's name, as a [`StoreError::Service`] gives it.
    fn operation(self) -> &'static str {
        match self {
            Op::List => "ListObjectsV2",
            Op::Head => "HeadObject",
            Op::Tags => "GetObjectTagging",
            Op::Copy => "CopyObject",
            Op::SetTags => "PutObjectTagging",
            Op::Put => "PutObject",
            Op::Get | Op::Open => "GetObject",
            Op::Delete => "DeleteObject",
        }
    }

    fn key(self) -> String {
        format!("{self:?}").to_lowercase() + ".bin"
    }

    /// The requests this operation's fault is scheduled on.
    fn requests(self, f: &Faulty) -> Requests {
        let path = f.path(&self.key());
        match self {
            Op::List => Requests::any().method("GET").query_contains("list-type=2"),
            Op::Head => Requests::any().method("HEAD").path_contains(&path),
            Op::Tags => Requests::any()
                .method("GET")
                .path_contains(&path)
                .query_contains("tagging"),
            Op::Copy => Requests::any()
                .method("PUT")
                .with_header("x-amz-copy-source"),
            Op::SetTags => Requests::any()
                .method("PUT")
                .path_contains(&path)
                .query_contains("tagging"),
            Op::Put => Requests::any().method("PUT").path_contains(&path),
            Op::Get | Op::Open => Requests::any()
                .method("GET")
                .path_contains(&path)
                .without_header("range"),
            Op::Delete => Requests::any().method("DELETE").path_contains(&path),
        }
    }

    async fn prepare(self, f: &Faulty) {
        if !matches!(self, Op::Put) {
            f.seed(&self.key(), &pattern(OBJECT_LEN)).await;
        }
        if matches!(self, Op::Tags) {
            f.direct
                .put_object_tagging()
                .bucket(&f.bucket)
                .key(self.key())
                .tagging(
                    aws_sdk_s3::types::Tagging::builder()
                        .tag_set(
                            aws_sdk_s3::types::Tag::builder()
                                .key("Owner")
                                .value("ana")
                                .build()
                                .expect("tag"),
                        )
                        .build()
                        .expect("tagging"),
                )
                .send()
                .await
                .expect("tagged");
        }
    }

    /// Runs the operation through the proxy; on success, checks it did exactly its job
    /// (a wrong answer panics, a failure is returned).
    async fn run(self, f: &Faulty) -> Result<(), StoreError> {
        let (store, bucket, key) = (&f.store, f.bucket.as_str(), self.key());
        let object = pattern(OBJECT_LEN);
        match self {
            Op::List => {
                let listed = store.list(bucket, "list").await?;
                assert_eq!(listed.len(), 1, "{listed:?}");
                assert_eq!(listed[0].key, key);
                assert_eq!(listed[0].size, OBJECT_LEN as u64);
            }
            Op::Head => {
                let head = store
                    .head(bucket, &key)
                    .await?
                    .expect("the object is there");
                assert_eq!(head.size, OBJECT_LEN as u64);
            }
            Op::Tags => assert_eq!(store.tags(bucket, &key).await?, tags(&[("Owner", "ana")])),
            Op::Copy => {
                let wanted = tags(&[("WorkflowId", "b1")]);
                let copy = store
                    .copy((bucket, &key), (bucket, "copied.bin"), &wanted)
                    .await?;
                assert_eq!(copy.size, OBJECT_LEN as u64);
                assert_eq!(f.content("copied.bin").await, Some(object));
                assert_eq!(f.direct_tags("copied.bin").await, wanted);
            }
            Op::SetTags => {
                let wanted = tags(&[("SensitiveDataFound", "false")]);
                store.set_tags(bucket, &key, &wanted).await?;
                assert_eq!(f.direct_tags(&key).await, wanted);
            }
            Op::Put => {
                store
                    .put(bucket, &key, object.clone(), "application/octet-stream")
                    .await?;
                assert_eq!(f.content(&key).await, Some(object));
            }
            Op::Get => {
                let got = store.get(bucket, &key).await?.expect("the object is there");
                assert!(
                    got == object,
                    "get returned {} bytes, not the object",
                    got.len()
                );
            }
            Op::Open => {
                let read = f.read_through(&key).await?;
                assert!(
                    read == object,
                    "open read {} bytes of {OBJECT_LEN}, not the object",
                    read.len()
                );
            }
            Op::Delete => {
                store.delete(bucket, &key).await?;
                assert_eq!(f.content(&key).await, None, "deleted");
            }
        }
        Ok(())
    }
}

/// Each operation meets `fault` on its first request, and succeeds all the same.
async fn every_operation_absorbs(fault: Fault) {
    let f = Faulty::new().await;
    for op in OPS {
        op.prepare(&f).await;
        let rule = f.proxy.inject(Rule {
            requests: op.requests(&f),
            schedule: Schedule::Nth(1),
            fault,
        });
        let outcome = op.run(&f).await;
        assert_eq!(
            f.proxy.fired(rule),
            1,
            "{op:?}: the fault did not fire; faults so far: {:?}",
            f.proxy.log()
        );
        if let Err(error) = outcome {
            panic!("{op:?} ({}) under {fault:?}: {error}", op.operation());
        }
    }
    assert_eq!(f.proxy.faults(), OPS.len() as u64);
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_errors_are_retried() {
    every_operation_absorbs(Fault::InternalError).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_is_retried() {
    every_operation_absorbs(Fault::SlowDown).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_lost_after_the_request_took_effect_is_retried() {
    every_operation_absorbs(Fault::LostResponse).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_answers_are_waited_for() {
    let pause = Duration::from_millis(200);
    every_operation_absorbs(Fault::Delay {
        before: pause,
        during: pause,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_reset_mid_answer_is_retried() {
    every_operation_absorbs(Fault::ResetBody { after: 100 * 1024 }).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_closed_mid_answer_is_retried() {
    every_operation_absorbs(Fault::CloseBody { after: 100 * 1024 }).await;
}

/// The resumed read asks for the rest of the same version, and the reader gets the
/// object's bytes once each.
#[tokio::test(flavor = "multi_thread")]
async fn a_streamed_body_cut_mid_way_is_resumed_from_where_it_stopped() {
    for fault in [
        Fault::ResetBody { after: 100 * 1024 },
        Fault::CloseBody { after: 100 * 1024 },
    ] {
        let f = Faulty::new().await;
        let key = "resumed.bin";
        f.seed(key, &pattern(OBJECT_LEN)).await;
        let cut = f.proxy.nth(
            1,
            Requests::any().method("GET").path_contains(&f.path(key)),
            fault,
        );
        let resumed = f.proxy.watch(
            Requests::any()
                .method("GET")
                .path_contains(&f.path(key))
                .with_header("range")
                .with_header("if-match"),
        );
        let read = f.read_through(key).await.expect("resumed");
        assert!(
            read == pattern(OBJECT_LEN),
            "{} bytes, not the object",
            read.len()
        );
        assert_eq!(f.proxy.fired(cut), 1);
        assert_eq!(f.proxy.matched(resumed), 1, "one ranged, pinned re-read");
    }
}

/// The object replaced between the cut and the resumed read: the new version's bytes
/// are never spliced onto the old one's.
#[tokio::test(flavor = "multi_thread")]
async fn a_body_whose_object_changed_before_the_resume_is_an_error() {
    let f = Faulty::new().await;
    let key = "changed.bin";
    f.seed(key, &pattern(OBJECT_LEN)).await;
    let cut = f.proxy.nth(
        1,
        Requests::any().method("GET").path_contains(&f.path(key)),
        Fault::ResetBody { after: 100 * 1024 },
    );
    let store = f.store.clone();
    let bucket = f.bucket.clone();
    let mut body = tokio::task::spawn_blocking(move || store.open(&bucket, key))
        .await
        .expect("thread")
        .expect("opened");
    let first = tokio::task::spawn_blocking(move || {
        let mut first = [0u8; 10];
        let n = body.read(&mut first);
        (body, n)
    })
    .await
    .expect("thread");
    let (mut body, _) = first;
    f.seed(key, b"a new version, another length").await;
    let rest = tokio::task::spawn_blocking(move || {
        let mut rest = Vec::new();
        body.read_to_end(&mut rest)
    })
    .await
    .expect("thread");
    let error = rest.expect_err("the read fails rather than mixing versions");
    assert!(error.to_string().contains("resuming failed"), "{error}");
    assert_eq!(f.proxy.fired(cut), 1);
}

/// A body cut on every attempt: the read gives up after a bounded number of resumes, with
/// an error.
#[tokio::test(flavor = "multi_thread")]
async fn a_body_cut_every_time_ends_in_an_error_not_a_short_read() {
    let f = Faulty::new().await;
    let key = "always-cut.bin";
    f.seed(key, &pattern(OBJECT_LEN)).await;
    let cuts = f.cut_every_read(key);
    let error = f
        .read_through(key)
        .await
        .expect_err("never a silently short object");
    assert!(matches!(error, StoreError::Io { .. }), "{error}");
    assert!(error.to_string().contains("broke off"), "{error}");
    assert_eq!(f.proxy.fired(cuts), 4, "the first read and three resumes");
}

/// A fault that outlasts the SDK's retries is a typed error naming the operation, and
/// the operation works again once the fault is gone.
#[tokio::test(flavor = "multi_thread")]
async fn a_fault_that_outlasts_the_retries_is_a_named_error() {
    let f = Faulty::new().await;
    let key = "persistent.bin";
    f.seed(key, b"x").await;
    let always = f.proxy.inject(Rule {
        requests: Requests::any().method("DELETE"),
        schedule: Schedule::Every(1),
        fault: Fault::SlowDown,
    });
    let error = f
        .store
        .delete(&f.bucket, key)
        .await
        .expect_err("every attempt throttled");
    assert!(
        matches!(
            error,
            StoreError::Service {
                operation: "DeleteObject",
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(f.proxy.fired(always), 5, "the store's five attempts");
    assert_eq!(f.content(key).await.as_deref(), Some(&b"x"[..]), "kept");
    f.proxy.clear();
    f.store.delete(&f.bucket, key).await.expect("deleted");
    assert_eq!(f.content(key).await, None);
}

/// A small object whose every read is cut: read again whole a bounded number of times,
/// then a typed error naming GetObject; never a part of the object.
#[tokio::test(flavor = "multi_thread")]
async fn a_small_object_cut_every_time_is_a_named_error() {
    let f = Faulty::new().await;
    let key = "summary.json";
    f.seed(key, &pattern(OBJECT_LEN)).await;
    let cuts = f.cut_every_read(key);
    let error = f
        .store
        .get(&f.bucket, key)
        .await
        .expect_err("never a part of the object");
    assert!(
        matches!(
            error,
            StoreError::Service {
                operation: "GetObject",
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(f.proxy.fired(cuts), 4, "the first read and three more");
}

/// A copy in parts meets a failed part copy and a lost answer to its completion: the
/// part is retried, and the completion, repeated after it took effect, still leaves
/// one whole copy with the source's bytes and the tags asked for.
#[tokio::test(flavor = "multi_thread")]
async fn a_copy_in_parts_survives_a_failed_part_and_a_lost_completion() {
    const MIB: u64 = 1024 * 1024;
    let f = Faulty::new().await;
    let store = f.store.clone().with_multipart_copy(MultipartCopy {
        threshold: 5 * MIB,
        part_size: 5 * MIB,
    });
    let big = pattern(12 * MIB as usize);
    f.seed("big.bin", &big).await;
    let part = f.proxy.nth(
        2,
        Requests::any()
            .method("PUT")
            .with_header("x-amz-copy-source-range"),
        Fault::InternalError,
    );
    let completion = f.proxy.nth(
        1,
        Requests::any().method("POST").query_contains("uploadId"),
        Fault::LostResponse,
    );
    let wanted = tags(&[("WorkflowId", "b1")]);
    let copied = store
        .copy((&f.bucket, "big.bin"), (&f.bucket, "big-copy.bin"), &wanted)
        .await
        .unwrap_or_else(|e| panic!("{e}; faults: {:?}", f.proxy.log()));
    assert_eq!(copied.size, big.len() as u64);
    assert!(
        f.content("big-copy.bin").await == Some(big),
        "the copy's bytes"
    );
    assert_eq!(f.direct_tags("big-copy.bin").await, wanted);
    assert_eq!(f.proxy.fired(part), 1);
    assert_eq!(f.proxy.fired(completion), 1);
}
