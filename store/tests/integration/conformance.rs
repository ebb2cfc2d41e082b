//! The store contract, written once as generic functions over [`Fixture`] and run
//! against both backends: the embedded [`DirStore`] in a temporary folder and
//! [`S3Store`] against a moto server. Each backend also has a few tests of its own.

use std::io::{Read, Write};

use crate::common::{default_settings, Fixture, Seed};
use ferret_store::{BucketSettings, Encryption, ObjectHead, Store, StoreError, Tags};

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn aes256() -> Option<Encryption> {
    Some(Encryption {
        algorithm: "AES256".to_owned(),
        kms_key_id: None,
    })
}

/// Bytes that differ from offset to offset, so a misplaced part shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / 251) as u8)
        .collect()
}

async fn head<S: Store>(store: &S, bucket: &str, key: &str) -> ObjectHead {
    store
        .head(bucket, key)
        .await
        .expect("head")
        .unwrap_or_else(|| panic!("{bucket}/{key} exists"))
}

/// Behaviour every backend must show, each a test per backend (see the bottom).
mod behaviour {
    use super::*;

    pub async fn put_get_head_round_trip<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(
                &bucket,
                "results/hello.txt",
                b"hello".to_vec(),
                "text/plain",
            )
            .await
            .expect("put");
        let body = store.get(&bucket, "results/hello.txt").await.expect("get");
        assert_eq!(body.as_deref(), Some(&b"hello"[..]));
        let head = head(store, &bucket, "results/hello.txt").await;
        assert_eq!(head.size, 5);
        assert_eq!(head.content_type.as_deref(), Some("text/plain"));
        assert_eq!(
            head.e_tag.as_deref(),
            Some("\"5d41402abc4b2a76b9719d911017c592\""),
            "ETag is the quoted hex MD5"
        );
        assert!(head.metadata.is_empty());
    }

    pub async fn list_in_key_order_with_prefix<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        let keys = [
            "b.txt",
            "a/2.txt",
            "a/10.txt",
            "a-b.txt",
            "a/deep/er/x.bin",
            "données/é+1 (copy).csv",
            "with space.txt",
            "plus+sign.txt",
        ];
        for (i, key) in keys.iter().enumerate() {
            store
                .put(&bucket, key, vec![b'x'; i + 1], "application/octet-stream")
                .await
                .expect("put");
        }
        let listed = store.list(&bucket, "").await.expect("list");
        let mut expected: Vec<&str> = keys.to_vec();
        expected.sort_unstable(); // byte order of UTF-8 keys, as S3 lists
        let listed_keys: Vec<&str> = listed.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(listed_keys, expected);
        for object in &listed {
            let i = keys
                .iter()
                .position(|k| *k == object.key)
                .expect("known key");
            assert_eq!(object.size, i as u64 + 1, "{}", object.key);
        }
        let under_a: Vec<String> = store
            .list(&bucket, "a/")
            .await
            .expect("list")
            .into_iter()
            .map(|o| o.key)
            .collect();
        assert_eq!(under_a, ["a/10.txt", "a/2.txt", "a/deep/er/x.bin"]);
        let unicode = store.list(&bucket, "donn").await.expect("list");
        assert_eq!(unicode.len(), 1);
        assert_eq!(unicode[0].key, "données/é+1 (copy).csv");
        let partial = store.list(&bucket, "a/de").await.expect("list");
        assert_eq!(partial.len(), 1);
        assert!(store.list(&bucket, "zzz").await.expect("list").is_empty());
    }

    pub async fn copy_preserves_the_object_and_sets_exactly_the_tags<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        let other = f.bucket().await;
        let key = "données/é+1 (copy).csv";
        let seed = Seed {
            body: b"name,card\nA,4111111111111111\n",
            content_type: "text/csv",
            metadata: &[("origin", "upload"), ("batch-hint", "é 1+2")],
            encryption: aes256(),
        };
        f.seed(&bucket, key, &seed).await;
        store
            .set_tags(&bucket, key, &tags(&[("Owner", "alice")]))
            .await
            .expect("source tags");
        let source = head(store, &bucket, key).await;
        assert_eq!(source.encryption, aes256(), "seeded encryption reads back");
        assert_eq!(
            source.metadata.get("batch-hint").map(String::as_str),
            Some("é 1+2")
        );

        let wanted = tags(&[
            ("Owner", "alice"),
            ("WorkflowId", "batch 1+2"),
            ("FindingTypes", "CREDIT_CARD SSN"),
        ]);
        let target = format!("batch-1/{key}");
        let copied = store
            .copy((&bucket, key), (&other, &target), &wanted)
            .await
            .expect("copy");

        assert_eq!(
            copied,
            head(store, &other, &target).await,
            "copy returns the head"
        );
        assert_eq!(copied.size, source.size);
        assert_eq!(copied.content_type, source.content_type);
        assert_eq!(copied.metadata, source.metadata);
        assert_eq!(copied.encryption, source.encryption);
        assert!(source.same_content(&copied));
        let body = store.get(&other, &target).await.expect("get");
        assert_eq!(body.as_deref(), Some(seed.body));
        assert_eq!(store.tags(&other, &target).await.expect("tags"), wanted);
        assert_eq!(
            store.tags(&bucket, key).await.expect("source tags"),
            tags(&[("Owner", "alice")]),
            "the source is untouched"
        );
    }

    pub async fn same_content_tells_copies_from_other_objects<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        for (key, body) in [
            ("a", "same size 1"),
            ("b", "same size 2"),
            ("c", "longer body"),
        ] {
            store
                .put(&bucket, key, body.as_bytes().to_vec(), "text/plain")
                .await
                .expect("put");
        }
        let a = head(store, &bucket, "a").await;
        let copy = store
            .copy((&bucket, "a"), (&bucket, "a-copy"), &Tags::new())
            .await
            .expect("copy");
        assert!(a.same_content(&copy));
        assert!(
            !a.same_content(&head(store, &bucket, "b").await),
            "same size, other bytes"
        );
        let mut shorter = a.clone();
        shorter.size -= 1;
        assert!(!shorter.same_content(&copy), "other size");
    }

    pub async fn copy_replaces_an_existing_destination<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(&bucket, "dest", b"old content".to_vec(), "text/plain")
            .await
            .expect("put");
        store
            .set_tags(&bucket, "dest", &tags(&[("Old", "1")]))
            .await
            .expect("tags");
        store
            .put(&bucket, "src", b"new".to_vec(), "application/json")
            .await
            .expect("put");
        let copied = store
            .copy((&bucket, "src"), (&bucket, "dest"), &tags(&[("New", "1")]))
            .await
            .expect("copy");
        assert_eq!(copied.size, 3);
        assert_eq!(copied.content_type.as_deref(), Some("application/json"));
        let body = store.get(&bucket, "dest").await.expect("get");
        assert_eq!(body.as_deref(), Some(&b"new"[..]));
        assert_eq!(
            store.tags(&bucket, "dest").await.expect("tags"),
            tags(&[("New", "1")])
        );
    }

    pub async fn delete_is_idempotent<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .delete(&bucket, "never/there")
            .await
            .expect("missing is fine");
        store
            .put(&bucket, "dir/object", b"x".to_vec(), "text/plain")
            .await
            .expect("put");
        store.delete(&bucket, "dir/object").await.expect("delete");
        assert_eq!(store.head(&bucket, "dir/object").await.expect("head"), None);
        store.delete(&bucket, "dir/object").await.expect("again");
        store
            .delete(&bucket, "dir")
            .await
            .expect("a folder is no object");
        assert!(store.list(&bucket, "").await.expect("list").is_empty());
    }

    pub async fn missing_objects_are_none_or_named<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        assert_eq!(store.head(&bucket, "nope").await.expect("head"), None);
        assert_eq!(store.get(&bucket, "nope").await.expect("get"), None);
        let no_such_object = |e: &StoreError| matches!(e, StoreError::NoSuchObject { bucket: b, key } if *b == bucket && key == "nope");
        let error = store.tags(&bucket, "nope").await.expect_err("tags");
        assert!(no_such_object(&error), "{error}");
        let error = store
            .set_tags(&bucket, "nope", &tags(&[("T", "1")]))
            .await
            .expect_err("set");
        assert!(no_such_object(&error), "{error}");
        let error = store
            .copy((&bucket, "nope"), (&bucket, "dest"), &Tags::new())
            .await
            .expect_err("copy");
        assert!(no_such_object(&error), "{error}");
        let opened = tokio::task::block_in_place(|| store.open(&bucket, "nope").map(|_| ()));
        let error = opened.expect_err("open");
        assert!(no_such_object(&error), "{error}");
    }

    pub async fn missing_buckets_are_named<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.missing_bucket();
        let no_such_bucket =
            |e: &StoreError| matches!(e, StoreError::NoSuchBucket { bucket: b } if *b == bucket);
        let error = store.list(&bucket, "").await.expect_err("list");
        assert!(no_such_bucket(&error), "{error}");
        let error = store.get(&bucket, "k").await.expect_err("get");
        assert!(no_such_bucket(&error), "{error}");
        let error = store
            .put(&bucket, "k", vec![1], "a/b")
            .await
            .expect_err("put");
        assert!(no_such_bucket(&error), "{error}");
        let error = store.delete(&bucket, "k").await.expect_err("delete");
        assert!(no_such_bucket(&error), "{error}");
        let source = f.bucket().await;
        store.put(&source, "k", vec![1], "a/b").await.expect("put");
        let error = store
            .copy((&source, "k"), (&bucket, "k"), &Tags::new())
            .await
            .expect_err("copy into a missing bucket");
        assert!(no_such_bucket(&error), "{error}");
    }

    pub async fn tags_round_trip<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(&bucket, "o", b"x".to_vec(), "text/plain")
            .await
            .expect("put");
        assert_eq!(store.tags(&bucket, "o").await.expect("tags"), Tags::new());
        let first = tags(&[("SensitiveDataFound", "true"), ("ScanStatus", "PARTIAL")]);
        store.set_tags(&bucket, "o", &first).await.expect("set");
        assert_eq!(store.tags(&bucket, "o").await.expect("tags"), first);
        let second = tags(&[("ReviewDecision", "approved")]);
        store
            .set_tags(&bucket, "o", &second)
            .await
            .expect("replace");
        assert_eq!(store.tags(&bucket, "o").await.expect("tags"), second);
        store
            .set_tags(&bucket, "o", &Tags::new())
            .await
            .expect("clear");
        assert_eq!(store.tags(&bucket, "o").await.expect("tags"), Tags::new());
        let body = store.get(&bucket, "o").await.expect("get");
        assert_eq!(
            body.as_deref(),
            Some(&b"x"[..]),
            "tagging leaves content alone"
        );
    }

    pub async fn tags_beyond_s3_limits_are_refused<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(&bucket, "o", b"x".to_vec(), "text/plain")
            .await
            .expect("put");
        let eleven: Tags = (0..11).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        let long_value = tags(&[("k", &"v".repeat(257))]);
        let comma = tags(&[("FindingTypes", "CREDIT_CARD,SSN")]);
        for bad in [&eleven, &long_value, &comma] {
            let error = store.set_tags(&bucket, "o", bad).await.expect_err("set");
            assert!(matches!(error, StoreError::Invalid { .. }), "{error}");
            let error = store
                .copy((&bucket, "o"), (&bucket, "p"), bad)
                .await
                .expect_err("copy");
            assert!(matches!(error, StoreError::Invalid { .. }), "{error}");
        }
        assert_eq!(store.head(&bucket, "p").await.expect("head"), None);
    }

    pub async fn open_streams_the_content<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        let content = pattern(3 * 1024 * 1024 + 17);
        store
            .put(
                &bucket,
                "big.bin",
                content.clone(),
                "application/octet-stream",
            )
            .await
            .expect("put");
        let read = tokio::task::block_in_place(|| {
            let mut reader = store.open(&bucket, "big.bin").expect("open");
            let mut read = Vec::new();
            let mut chunk = vec![0; 64 * 1024];
            loop {
                let n = reader.read(&mut chunk).expect("read");
                if n == 0 {
                    break read;
                }
                read.extend_from_slice(&chunk[..n]);
            }
        });
        assert!(read == content, "streamed bytes differ");
    }

    /// Twice on a new bucket, and on a bucket that already exists. (That objects
    /// survive is checked per backend: on S3 the TLS-only policy, which moto enforces,
    /// then denies the tests' plain-HTTP requests.)
    pub async fn ensure_bucket_is_idempotent<F: Fixture>(f: &F) {
        let store = f.store();
        let settings = BucketSettings {
            expire_after_days: Some(10),
            ..default_settings()
        };
        let bucket = crate::common::unique_bucket();
        store
            .ensure_bucket(&bucket, &settings)
            .await
            .expect("create");
        store
            .ensure_bucket(&bucket, &settings)
            .await
            .expect("again");
        let existing = f.bucket().await;
        store
            .ensure_bucket(&existing, &settings)
            .await
            .expect("an existing bucket");
    }

    /// Streams `content` through [`Store::create`] in 64 KiB writes; the object is
    /// committed only when `commit` says so.
    fn stream(store: &impl Store, bucket: &str, key: &str, content: &[u8], commit: bool) {
        tokio::task::block_in_place(|| {
            let mut writer = store
                .create(bucket, key, "application/gzip")
                .expect("create");
            for chunk in content.chunks(64 * 1024) {
                writer.write_all(chunk).expect("write");
            }
            if commit {
                writer.commit().expect("commit");
            }
        });
    }

    pub async fn create_streams_an_object_larger_than_a_part<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        let content = pattern(12 * 1024 * 1024 + 3);
        stream(store, &bucket, "b1/results.jsonl.gz", &content, true);
        let head = head(store, &bucket, "b1/results.jsonl.gz").await;
        assert_eq!(head.size, content.len() as u64);
        assert_eq!(head.content_type.as_deref(), Some("application/gzip"));
        let body = store
            .get(&bucket, "b1/results.jsonl.gz")
            .await
            .expect("get");
        assert!(
            body.as_deref() == Some(&content[..]),
            "streamed bytes differ"
        );
    }

    pub async fn create_writes_a_small_object_whole<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        stream(store, &bucket, "small", b"hello", true);
        let head = head(store, &bucket, "small").await;
        assert_eq!(
            head.e_tag.as_deref(),
            Some("\"5d41402abc4b2a76b9719d911017c592\""),
            "one PUT: the ETag is the content's MD5"
        );
        assert_eq!(
            store.get(&bucket, "small").await.expect("get").as_deref(),
            Some(&b"hello"[..])
        );
    }

    pub async fn create_uncommitted_leaves_nothing<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(&bucket, "kept", b"old".to_vec(), "text/plain")
            .await
            .expect("put");
        let content = pattern(9 * 1024 * 1024);
        stream(store, &bucket, "dropped", &content, false);
        stream(store, &bucket, "kept", &content, false);
        assert_eq!(store.get(&bucket, "dropped").await.expect("get"), None);
        assert_eq!(
            store.get(&bucket, "kept").await.expect("get").as_deref(),
            Some(&b"old"[..]),
            "an uncommitted write leaves the old object"
        );
        let keys: Vec<String> = store
            .list(&bucket, "")
            .await
            .expect("list")
            .into_iter()
            .map(|o| o.key)
            .collect();
        assert_eq!(keys, ["kept"]);
    }

    pub async fn create_replaces_an_object_at_commit<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(&bucket, "r", b"old".to_vec(), "text/plain")
            .await
            .expect("put");
        tokio::task::block_in_place(|| {
            let mut writer = store.create(&bucket, "r", "text/plain").expect("create");
            writer.write_all(b"new content").expect("write");
            let before = tokio::runtime::Handle::current()
                .block_on(store.get(&bucket, "r"))
                .expect("get");
            assert_eq!(
                before.as_deref(),
                Some(&b"old"[..]),
                "not visible before commit"
            );
            writer.commit().expect("commit");
        });
        assert_eq!(
            store.get(&bucket, "r").await.expect("get").as_deref(),
            Some(&b"new content"[..])
        );
    }

    pub async fn open_with_head_reads_the_head_with_the_content<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        let seed = Seed {
            body: b"a,b\n1,2\n",
            content_type: "text/csv",
            metadata: &[("origin", "upload")],
            encryption: aes256(),
        };
        f.seed(&bucket, "o.csv", &seed).await;
        let headed = head(store, &bucket, "o.csv").await;
        let (read_head, content) = tokio::task::block_in_place(|| {
            let (head, mut body) = store.open_with_head(&bucket, "o.csv").expect("open");
            let mut content = Vec::new();
            body.read_to_end(&mut content).expect("read");
            (head, content)
        });
        assert_eq!(read_head, headed);
        assert_eq!(content, seed.body);
        let missing = tokio::task::block_in_place(|| store.open_with_head(&bucket, "nope").err());
        assert!(
            matches!(missing, Some(StoreError::NoSuchObject { .. })),
            "{missing:?}"
        );
    }

    pub async fn copy_with_head_copies_what_was_headed<F: Fixture>(f: &F) {
        let store = f.store();
        let bucket = f.bucket().await;
        let seed = Seed {
            body: b"name,card\nA,4111111111111111\n",
            content_type: "text/csv",
            metadata: &[("origin", "upload")],
            encryption: aes256(),
        };
        f.seed(&bucket, "src", &seed).await;
        let source = head(store, &bucket, "src").await;
        let wanted = tags(&[("WorkflowId", "b-1")]);
        let copied = store
            .copy_with_head((&bucket, "src"), &source, (&bucket, "dest"), &wanted)
            .await
            .expect("copy");
        assert!(source.same_content(&copied));
        assert_eq!(copied, head(store, &bucket, "dest").await);
        assert_eq!(copied.content_type, source.content_type);
        assert_eq!(copied.metadata, source.metadata);
        assert_eq!(copied.encryption, source.encryption);
        assert_eq!(store.tags(&bucket, "dest").await.expect("tags"), wanted);
        assert_eq!(
            store.get(&bucket, "dest").await.expect("get").as_deref(),
            Some(seed.body)
        );
    }
}

/// Runs each behaviour against both backends, as `dir::NAME` and `s3::NAME`. The
/// runtime is multi-threaded because `open` blocks (inside `block_in_place`).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod dir {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::behaviour::$name(&crate::common::DirFixture::new()).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::behaviour::$name(&crate::common::S3Fixture::new()).await;
                }
            )*
        }
    };
}

on_both_backends!(
    put_get_head_round_trip,
    list_in_key_order_with_prefix,
    copy_preserves_the_object_and_sets_exactly_the_tags,
    same_content_tells_copies_from_other_objects,
    copy_replaces_an_existing_destination,
    delete_is_idempotent,
    missing_objects_are_none_or_named,
    missing_buckets_are_named,
    tags_round_trip,
    tags_beyond_s3_limits_are_refused,
    open_streams_the_content,
    ensure_bucket_is_idempotent,
    create_streams_an_object_larger_than_a_part,
    create_writes_a_small_object_whole,
    create_uncommitted_leaves_nothing,
    create_replaces_an_object_at_commit,
    open_with_head_reads_the_head_with_the_content,
    copy_with_head_copies_what_was_headed,
);

/// What only the embedded store does.
mod dir_only {
    use std::fs;

    use super::*;
    use crate::common::DirFixture;
    use ferret_store::DirStore;

    #[tokio::test]
    async fn keys_that_would_leave_the_root_are_refused() {
        let f = DirFixture::new();
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(&bucket, "ok", b"x".to_vec(), "text/plain")
            .await
            .expect("put");
        for key in [
            "../escape",
            "a/../../escape",
            "/etc/passwd",
            "a//b",
            "a/",
            "",
            "./a",
        ] {
            let invalid = |r: Result<(), StoreError>| matches!(r, Err(StoreError::Invalid { .. }));
            assert!(
                invalid(store.put(&bucket, key, vec![1], "a/b").await),
                "put {key:?}"
            );
            assert!(
                invalid(store.get(&bucket, key).await.map(drop)),
                "get {key:?}"
            );
            assert!(
                invalid(store.head(&bucket, key).await.map(drop)),
                "head {key:?}"
            );
            assert!(invalid(store.delete(&bucket, key).await), "delete {key:?}");
            assert!(
                invalid(store.tags(&bucket, key).await.map(drop)),
                "tags {key:?}"
            );
            let copy = store
                .copy((&bucket, "ok"), (&bucket, key), &Tags::new())
                .await;
            assert!(invalid(copy.map(drop)), "copy to {key:?}");
            assert!(invalid(store.open(&bucket, key).map(drop)), "open {key:?}");
        }
        for bucket in ["..", ".ferret", "a/b"] {
            let error = store.list(bucket, "").await.expect_err("bad bucket");
            assert!(
                matches!(error, StoreError::Invalid { .. }),
                "{bucket}: {error}"
            );
        }
        let root_entries: Vec<_> = fs::read_dir(f.dir.path().parent().expect("parent"))
            .expect("read")
            .filter_map(Result::ok)
            .filter(|e| e.file_name() == "escape")
            .collect();
        assert!(root_entries.is_empty(), "nothing written outside the root");
    }

    #[tokio::test]
    async fn temporary_files_and_sidecars_are_not_listed() {
        let f = DirFixture::new();
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(&bucket, "a/b.txt", b"x".to_vec(), "text/plain")
            .await
            .expect("put");
        store
            .set_tags(&bucket, "a/b.txt", &tags(&[("T", "1")]))
            .await
            .expect("tags");
        let folder = f.dir.path().join(&bucket);
        fs::write(folder.join(".ferret-tmp-crashed"), b"partial").expect("leftover");
        fs::write(folder.join("a/.ferret-tmp-1234"), b"partial").expect("leftover");
        assert!(
            f.sidecar(&bucket, "a/b.txt").is_file(),
            "the sidecar exists"
        );
        let keys: Vec<String> = store
            .list(&bucket, "")
            .await
            .expect("list")
            .into_iter()
            .map(|o| o.key)
            .collect();
        assert_eq!(keys, ["a/b.txt"]);
    }

    #[tokio::test]
    async fn files_put_there_by_hand_are_objects() {
        let f = DirFixture::new();
        let store = f.store();
        let bucket = f.bucket().await;
        let folder = f.dir.path().join(&bucket).join("dropped");
        fs::create_dir_all(&folder).expect("folder");
        fs::write(folder.join("report.csv"), b"hello").expect("file");
        let head = head(store, &bucket, "dropped/report.csv").await;
        assert_eq!(
            head.e_tag.as_deref(),
            Some("\"5d41402abc4b2a76b9719d911017c592\"")
        );
        assert_eq!(
            (
                head.size,
                head.content_type.clone(),
                head.encryption.clone()
            ),
            (5, None, None)
        );
        assert_eq!(
            store
                .tags(&bucket, "dropped/report.csv")
                .await
                .expect("tags"),
            Tags::new()
        );
        let copied = store
            .copy(
                (&bucket, "dropped/report.csv"),
                (&bucket, "b/report.csv"),
                &Tags::new(),
            )
            .await
            .expect("copy");
        assert!(head.same_content(&copied));
        assert_eq!(
            copied.encryption,
            aes256(),
            "the copy gets the bucket's default"
        );
    }

    #[tokio::test]
    async fn a_file_changed_behind_the_store_loses_its_stale_sidecar() {
        let f = DirFixture::new();
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(&bucket, "o", b"hello".to_vec(), "text/plain")
            .await
            .expect("put");
        store
            .set_tags(&bucket, "o", &tags(&[("T", "1")]))
            .await
            .expect("tags");
        let before = head(store, &bucket, "o").await;
        // Same size, other bytes: only the stamp (modification time) tells. The time is
        // set, a second later, rather than left to a clock that may not have ticked.
        let file = f.dir.path().join(&bucket).join("o");
        let modified = fs::metadata(&file)
            .and_then(|m| m.modified())
            .expect("mtime");
        fs::write(&file, b"HELLO").expect("rewrite");
        fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|out| out.set_modified(modified + std::time::Duration::from_secs(1)))
            .expect("mtime set");
        let after = head(store, &bucket, "o").await;
        assert_ne!(after.e_tag, before.e_tag, "the ETag is recomputed");
        assert_eq!(after.content_type, None);
        assert!(!before.same_content(&after));
        assert_eq!(store.tags(&bucket, "o").await.expect("tags"), Tags::new());
    }

    #[tokio::test]
    async fn an_orphan_sidecar_makes_no_object() {
        let f = DirFixture::new();
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(&bucket, "o", b"hello".to_vec(), "text/plain")
            .await
            .expect("put");
        // As if a write had been killed between its sidecar and its rename.
        fs::copy(f.sidecar(&bucket, "o"), f.sidecar(&bucket, "ghost")).expect("orphan");
        assert_eq!(store.head(&bucket, "ghost").await.expect("head"), None);
        let keys: Vec<String> = store
            .list(&bucket, "")
            .await
            .expect("list")
            .into_iter()
            .map(|o| o.key)
            .collect();
        assert_eq!(keys, ["o"]);
    }

    #[tokio::test]
    async fn new_objects_get_the_bucket_default_encryption() {
        let f = DirFixture::new();
        let store = f.store();
        let kms = Encryption {
            algorithm: "aws:kms".to_owned(),
            kms_key_id: Some("alias/ferret".to_owned()),
        };
        let settings = BucketSettings {
            encryption: kms.clone(),
            expire_after_days: Some(10),
        };
        store
            .ensure_bucket("review", &settings)
            .await
            .expect("bucket");
        let recorded = fs::read_to_string(f.dir.path().join(".ferret/review.bucket.json"))
            .expect("settings recorded");
        let recorded: serde_json::Value = serde_json::from_str(&recorded).expect("JSON");
        assert_eq!(recorded["expire_after_days"], 10);
        store
            .put("review", "o", b"x".to_vec(), "text/plain")
            .await
            .expect("put");
        assert_eq!(head(store, "review", "o").await.encryption, Some(kms));
    }

    #[tokio::test]
    async fn ensure_bucket_keeps_the_objects() {
        let f = DirFixture::new();
        let store = f.store();
        let bucket = f.bucket().await;
        store
            .put(&bucket, "kept", b"x".to_vec(), "text/plain")
            .await
            .expect("put");
        store
            .ensure_bucket(&bucket, &default_settings())
            .await
            .expect("again");
        let body = store.get(&bucket, "kept").await.expect("get");
        assert_eq!(body.as_deref(), Some(&b"x"[..]));
    }

    #[tokio::test]
    async fn describe_names_the_folder() {
        let store = DirStore::new("/var/lib/ferret");
        assert_eq!(store.describe(), "dir:/var/lib/ferret");
    }
}

/// What only S3 does: bucket settings read back with the raw API, multipart copies.
mod s3_only {
    use super::*;
    use crate::common::{S3Fixture, MOTO_ACCOUNT};
    use aws_sdk_s3::primitives::ByteStream;
    use aws_sdk_s3::types::ServerSideEncryption;
    use ferret_store::{MultipartCopy, S3Store};

    const MIB: usize = 1024 * 1024;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ensure_bucket_applies_the_settings() {
        let f = S3Fixture::new();
        let bucket = crate::common::unique_bucket();
        let settings = BucketSettings {
            encryption: Encryption {
                algorithm: "aws:kms".to_owned(),
                kms_key_id: Some("alias/ferret".to_owned()),
            },
            expire_after_days: Some(10),
        };
        f.store()
            .ensure_bucket(&bucket, &settings)
            .await
            .expect("bucket");
        f.store()
            .ensure_bucket(&bucket, &settings)
            .await
            .expect("idempotent");

        let encryption = f
            .client
            .get_bucket_encryption()
            .bucket(&bucket)
            .send()
            .await
            .expect("encryption");
        let rules = encryption
            .server_side_encryption_configuration()
            .expect("configuration")
            .rules();
        let default = rules[0]
            .apply_server_side_encryption_by_default()
            .expect("default");
        assert_eq!(default.sse_algorithm(), &ServerSideEncryption::AwsKms);
        assert_eq!(default.kms_master_key_id(), Some("alias/ferret"));

        let block = f
            .client
            .get_public_access_block()
            .bucket(&bucket)
            .send()
            .await
            .expect("public access block");
        let block = block.public_access_block_configuration().expect("block");
        assert_eq!(
            (
                block.block_public_acls(),
                block.ignore_public_acls(),
                block.block_public_policy(),
                block.restrict_public_buckets()
            ),
            (Some(true), Some(true), Some(true), Some(true))
        );

        let policy = f
            .client
            .get_bucket_policy()
            .bucket(&bucket)
            .send()
            .await
            .expect("policy");
        let policy: serde_json::Value =
            serde_json::from_str(policy.policy().expect("policy text")).expect("JSON");
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Effect"], "Deny");
        assert_eq!(statement["Action"], "s3:*");
        assert_eq!(
            statement["Condition"]["Bool"]["aws:SecureTransport"],
            "false"
        );

        let lifecycle = f
            .client
            .get_bucket_lifecycle_configuration()
            .bucket(&bucket)
            .send()
            .await
            .expect("lifecycle");
        let rule = &lifecycle.rules()[0];
        assert_eq!(rule.expiration().and_then(|e| e.days()), Some(10));
        assert_eq!(rule.filter().and_then(|f| f.prefix()), Some(""));
    }

    /// moto enforces bucket policies, so the TLS-only policy shows: the tests' plain
    /// HTTP requests are refused, and the refusal maps to `AccessDenied`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn plain_http_is_denied_once_the_bucket_is_ensured() {
        let f = S3Fixture::new();
        let bucket = f.bucket().await;
        f.store()
            .put(&bucket, "before", b"x".to_vec(), "text/plain")
            .await
            .expect("put");
        f.store()
            .ensure_bucket(&bucket, &default_settings())
            .await
            .expect("ensure");
        let error = f
            .store()
            .put(&bucket, "after", b"x".to_vec(), "text/plain")
            .await
            .expect_err("plain HTTP");
        assert!(matches!(error, StoreError::AccessDenied { .. }), "{error}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_large_copy_goes_in_parts_and_keeps_everything() {
        let f = S3Fixture::new();
        let store = S3Store::from_client(f.client.clone())
            .with_expected_bucket_owner(MOTO_ACCOUNT)
            .with_multipart_copy(MultipartCopy {
                threshold: 5 * MIB as u64,
                part_size: 5 * MIB as u64,
            });
        let bucket = f.bucket().await;
        let content = pattern(12 * MIB + 3);
        let key = "raw/données +1.bin";
        f.client
            .put_object()
            .bucket(&bucket)
            .key(key)
            .body(ByteStream::from(content.clone()))
            .content_type("application/x-ferret")
            .content_encoding("identity")
            .metadata("origin", "upload")
            .server_side_encryption(ServerSideEncryption::Aes256)
            .send()
            .await
            .expect("seed");
        let source = head(&store, &bucket, key).await;
        let wanted = tags(&[("WorkflowId", "b-1"), ("SensitiveDataFound", "false")]);
        let copied = store
            .copy((&bucket, key), (&bucket, "stage/b-1/large.bin"), &wanted)
            .await
            .expect("multipart copy");

        assert!(
            copied.e_tag.as_deref().is_some_and(|e| e.ends_with("-3\"")),
            "three parts: {:?}",
            copied.e_tag
        );
        assert_eq!(copied.size, content.len() as u64);
        assert_eq!(copied.content_type, source.content_type);
        assert_eq!(copied.metadata, source.metadata);
        assert_eq!(copied.encryption, source.encryption);
        assert!(source.same_content(&copied));
        let raw = f
            .client
            .head_object()
            .bucket(&bucket)
            .key("stage/b-1/large.bin")
            .send()
            .await
            .expect("head");
        assert_eq!(raw.content_encoding(), Some("identity"));
        let body = store
            .get(&bucket, "stage/b-1/large.bin")
            .await
            .expect("get");
        assert!(body.as_deref() == Some(&content[..]), "copied bytes differ");
        assert_eq!(
            store
                .tags(&bucket, "stage/b-1/large.bin")
                .await
                .expect("tags"),
            wanted
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_large_stream_goes_up_in_parts_and_an_abandoned_one_is_aborted() {
        let f = S3Fixture::new();
        let store = f.store();
        let bucket = f.bucket().await;
        let content = pattern(12 * MIB + 3);
        tokio::task::block_in_place(|| {
            let mut writer = store
                .create(&bucket, "big", "application/gzip")
                .expect("create");
            writer.write_all(&content).expect("write");
            writer.commit().expect("commit");
            let mut abandoned = store
                .create(&bucket, "abandoned", "application/gzip")
                .expect("create");
            abandoned.write_all(&content).expect("first part uploaded");
        });
        let big = head(store, &bucket, "big").await;
        assert!(
            big.e_tag.as_deref().is_some_and(|e| e.ends_with("-2\"")),
            "two parts: {:?}",
            big.e_tag
        );
        let uploads = f
            .client
            .list_multipart_uploads()
            .bucket(&bucket)
            .send()
            .await
            .expect("list uploads");
        assert!(
            uploads.uploads().is_empty(),
            "no upload left: {:?}",
            uploads.uploads()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_copy_keeps_kms_encryption() {
        let f = S3Fixture::new();
        let bucket = f.bucket().await;
        let kms = Encryption {
            algorithm: "aws:kms".to_owned(),
            kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/ferret-test".to_owned()),
        };
        let seed = Seed {
            body: b"secret",
            content_type: "text/plain",
            metadata: &[],
            encryption: Some(kms.clone()),
        };
        f.seed(&bucket, "k", &seed).await;
        let copied = f
            .store()
            .copy((&bucket, "k"), (&bucket, "k2"), &Tags::new())
            .await
            .expect("copy");
        assert_eq!(copied.encryption, Some(kms));
    }
}
