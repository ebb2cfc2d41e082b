//! `ferret worker --queue-url`: real worker processes consuming raw's S3 notifications
//! from SQS (moto server on loopback), with no `pipeline run`: objects reach
//! scanned-data or manual-review, a worker killed mid-batch and restarted leaves every
//! object exactly once, and two workers on one queue never route an object twice.

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_sqs::types::QueueAttributeName;
use ferret_testkit::Moto;

/// How long a test waits for workers to route everything.
const DEADLINE: Duration = Duration::from_secs(90);

/// Seconds a received message stays hidden: short, so that a killed worker's messages
/// come back quickly.
const VISIBILITY: &str = "3";

struct Setup {
    moto: Moto,
    runtime: tokio::runtime::Runtime,
    prefix: &'static str,
    queue_url: String,
}

impl Setup {
    /// Buckets made by `ferret buckets init`, raw's notifications wired to a new queue.
    fn new(prefix: &'static str) -> Setup {
        let moto = Moto::start();
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let sqs = moto.sqs();
        let queue_url = runtime
            .block_on(sqs.create_queue().queue_name("arrivals").send())
            .expect("queue")
            .queue_url
            .expect("queue url");
        let queue_arn = queue_attribute(&runtime, &sqs, &queue_url, QueueAttributeName::QueueArn);
        let setup = Setup {
            moto,
            runtime,
            prefix,
            queue_url,
        };
        let out = setup.ferret(&["buckets", "init", "--notify-queue-arn", &queue_arn]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // moto enforces the TLS-only bucket policy `buckets init` sets, and serves plain
        // HTTP on loopback: lift the policies so that the tests can reach the buckets.
        let s3 = setup.moto.s3();
        for name in [
            "raw",
            "scan-stage",
            "manual-review",
            "scanned-data",
            "scan-results",
        ] {
            setup
                .runtime
                .block_on(s3.delete_bucket_policy().bucket(setup.bucket(name)).send())
                .expect("policy lifted");
        }
        setup
    }

    fn ferret(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_ferret"))
            .args(args)
            .args(["--store", "s3", "--prefix", self.prefix])
            .envs(self.moto.env())
            .output()
            .expect("ferret runs")
    }

    fn bucket(&self, name: &str) -> String {
        format!("{}-data-pipeline-{name}", self.prefix)
    }

    /// Starts a worker process; `crash_after` kills it at that state-changing step.
    fn worker(&self, name: &str, crash_after: Option<u32>) -> Child {
        self.worker_hiding_for(name, crash_after, VISIBILITY)
    }

    /// [`Setup::worker`] with the messages it receives hidden for `visibility` seconds.
    fn worker_hiding_for(&self, name: &str, crash_after: Option<u32>, visibility: &str) -> Child {
        let identifiers = repo("samples/identifiers.toml");
        let mut command = Command::new(env!("CARGO_BIN_EXE_ferret"));
        command
            .args(["worker", "--queue-url", &self.queue_url])
            .args(["--store", "s3", "--prefix", self.prefix])
            .args(["--identifiers", path_str(&identifiers), "--managed", "none"])
            .args(["--batch-window", "1", "--visibility-timeout", visibility])
            .args(["--worker-name", name])
            .envs(self.moto.env())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(step) = crash_after {
            command.env("FERRET_CRASH_AFTER", step.to_string());
        }
        command.spawn().expect("the worker starts")
    }

    fn put_raw(&self, key: &str, body: &[u8]) {
        let s3 = self.moto.s3();
        self.runtime
            .block_on(
                s3.put_object()
                    .bucket(self.bucket("raw"))
                    .key(key)
                    .body(ByteStream::from(body.to_vec()))
                    .send(),
            )
            .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
    }

    fn keys(&self, bucket: &str) -> Vec<String> {
        let s3 = self.moto.s3();
        let mut keys = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .runtime
                .block_on(
                    s3.list_objects_v2()
                        .bucket(self.bucket(bucket))
                        .set_continuation_token(token)
                        .send(),
                )
                .expect("list");
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
            token = page.next_continuation_token().map(str::to_owned);
            if token.is_none() {
                return keys;
            }
        }
    }

    /// Original keys routed so far, with how many times each is there: scanned-data
    /// under the key itself, manual-review as `ID/<key>`.
    fn routed(&self) -> BTreeMap<String, usize> {
        let mut routed = BTreeMap::new();
        for key in self.keys("scanned-data") {
            *routed.entry(key).or_default() += 1;
        }
        for key in self.keys("manual-review") {
            let original = key
                .split_once('/')
                .map_or(key.clone(), |(_, k)| k.to_owned());
            *routed.entry(original).or_default() += 1;
        }
        routed
    }

    /// Polls until every one of `expected` is routed and every message is deleted (the
    /// batches that route them are done: an object is in its destination before it
    /// leaves scan-stage). Fails, saying so, when the deadline passes first: a run
    /// that slow would otherwise fail later on a batch caught half-way.
    fn wait_routed(&self, expected: &[String]) -> BTreeMap<String, usize> {
        let start = Instant::now();
        loop {
            let routed = self.routed();
            let left = self.messages_left();
            if expected.iter().all(|k| routed.contains_key(k)) && left == 0 {
                return routed;
            }
            assert!(
                start.elapsed() <= DEADLINE,
                "not settled within {DEADLINE:?}: routed {routed:?}, {left} messages left"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// How many results records name each original key, over every batch.
    fn scanned_per_key(&self) -> BTreeMap<String, usize> {
        let s3 = self.moto.s3();
        let mut counts = BTreeMap::new();
        for key in self.keys("scan-results") {
            if !key.ends_with("/results.jsonl.gz") {
                continue;
            }
            let body = self
                .runtime
                .block_on(async {
                    let object = s3
                        .get_object()
                        .bucket(self.bucket("scan-results"))
                        .key(&key)
                        .send()
                        .await?;
                    Ok::<_, Box<dyn std::error::Error>>(object.body.collect().await?.into_bytes())
                })
                .expect("results read");
            let mut text = String::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_string(&mut text)
                .expect("gzip");
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let record: serde_json::Value = serde_json::from_str(line).expect("record");
                let original = record["resourcesAffected"]["s3Object"]["key"]
                    .as_str()
                    .expect("key")
                    .to_owned();
                *counts.entry(original).or_default() += 1;
            }
        }
        counts
    }

    /// Messages still in the queue, visible or not.
    fn messages_left(&self) -> u64 {
        let sqs = self.moto.sqs();
        [
            QueueAttributeName::ApproximateNumberOfMessages,
            QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
        ]
        .into_iter()
        .map(|name| {
            queue_attribute(&self.runtime, &sqs, &self.queue_url, name)
                .parse::<u64>()
                .expect("a count")
        })
        .sum()
    }
}

fn queue_attribute(
    runtime: &tokio::runtime::Runtime,
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    name: QueueAttributeName,
) -> String {
    runtime
        .block_on(
            sqs.get_queue_attributes()
                .queue_url(queue_url)
                .attribute_names(name.clone())
                .send(),
        )
        .expect("attributes")
        .attributes
        .and_then(|a| a.get(&name).cloned())
        .expect("the attribute")
}

/// Stops a worker with SIGTERM and returns its stderr.
fn stop(worker: Child) -> String {
    // SAFETY: kill(2) on a child we started and have not waited for.
    unsafe {
        libc::kill(worker.id() as libc::pid_t, libc::SIGTERM);
    }
    let out = worker.wait_with_output().expect("the worker exits");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "the worker stops cleanly: {stderr}");
    stderr
}

/// Objects to upload: sensitive ones (samples with CPF and SIRET numbers) and clean
/// ones, `n` of each.
fn objects(n: usize) -> Vec<(String, Vec<u8>)> {
    let sensitive = std::fs::read(repo("samples/empresa_brasileira.csv")).expect("sample");
    let clean = std::fs::read(repo("samples/inventario_publico.csv")).expect("sample");
    (0..n)
        .flat_map(|i| {
            [
                (format!("in/sensitive {i}.csv"), sensitive.clone()),
                (format!("in/clean-{i}.csv"), clean.clone()),
            ]
        })
        .collect()
}

fn assert_exactly_once(setup: &Setup, expected: &[String], routed: &BTreeMap<String, usize>) {
    for key in expected {
        assert_eq!(
            routed.get(key),
            Some(&1),
            "{key} routed exactly once: {routed:?}"
        );
    }
    assert_eq!(
        routed.len(),
        expected.len(),
        "nothing else routed: {routed:?}"
    );
    let scanned = setup.scanned_per_key();
    for key in expected {
        assert_eq!(
            scanned.get(key),
            Some(&1),
            "{key} scanned in exactly one batch: {scanned:?}"
        );
    }
    assert!(setup.keys("raw").is_empty(), "raw is empty");
    let staged: Vec<_> = setup.keys("scan-stage");
    assert!(staged.is_empty(), "nothing left in scan-stage: {staged:?}");
    for key in setup.keys("scanned-data") {
        assert!(
            key.starts_with("in/clean-"),
            "only clean objects in scanned-data: {key}"
        );
    }
    for key in setup.keys("manual-review") {
        assert!(
            key.contains("/in/sensitive "),
            "only sensitive objects held: {key}"
        );
    }
}

#[test]
fn uploads_to_raw_are_routed_without_a_pipeline_run() {
    let setup = Setup::new("evq");
    let worker = setup.worker("w1", None);
    let uploads = objects(3);
    for (key, body) in &uploads {
        setup.put_raw(key, body);
    }
    let expected: Vec<String> = uploads.iter().map(|(k, _)| k.clone()).collect();
    let routed = setup.wait_routed(&expected);
    let stderr = stop(worker);
    assert_exactly_once(&setup, &expected, &routed);
    assert!(
        stderr.contains("s3:TestEvent"),
        "S3's test event was ignored: {stderr}"
    );
    assert_eq!(
        setup.messages_left(),
        0,
        "every message deleted once routed"
    );
}

#[test]
fn a_worker_killed_mid_batch_and_restarted_leaves_every_object_exactly_once() {
    // Six objects. Claims of the messages (steps 1-6) and of the objects (7-12), then
    // staging (three steps an object), scanning and routing each make state-changing
    // steps; these kill the first worker while it claims messages, claims objects,
    // stages, and routes.
    for crash_after in [3, 9, 20, 40] {
        let setup = Setup::new("evq-crash");
        let uploads = objects(3);
        for (key, body) in &uploads {
            setup.put_raw(key, body);
        }
        let first = setup.worker("doomed", Some(crash_after));
        let out = first.wait_with_output().expect("the first worker exits");
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGKILL),
            "killed at step {crash_after}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let second = setup.worker("survivor", None);
        let expected: Vec<String> = uploads.iter().map(|(k, _)| k.clone()).collect();
        let routed = setup.wait_routed(&expected);
        let stderr = stop(second);
        assert_exactly_once(&setup, &expected, &routed);
        assert!(
            stderr.contains("resuming a batch"),
            "the second worker resumed the first one's batch (step {crash_after}): {stderr}"
        );
        assert_eq!(setup.messages_left(), 0);
    }
}

#[test]
fn two_workers_on_one_queue_never_route_an_object_twice() {
    let setup = Setup::new("evq-two");
    let workers = [setup.worker("a", None), setup.worker("b", None)];
    let uploads = objects(10);
    for (key, body) in &uploads {
        setup.put_raw(key, body);
    }
    let expected: Vec<String> = uploads.iter().map(|(k, _)| k.clone()).collect();
    let routed = setup.wait_routed(&expected);
    for worker in workers {
        stop(worker);
    }
    assert_exactly_once(&setup, &expected, &routed);
    assert_eq!(setup.messages_left(), 0);
}

/// An EventBridge `Object Created` event for `key` in raw, as EventBridge sends it to a
/// queue: the second announcement of an upload that S3's notification also announced.
fn eventbridge_arrival(setup: &Setup, key: &str) -> String {
    serde_json::json!({
        "version": "0",
        "id": format!("dup-{key}"),
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "region": "us-east-1",
        "resources": [format!("arn:aws:s3:::{}", setup.bucket("raw"))],
        "detail": {
            "version": "0",
            "bucket": {"name": setup.bucket("raw")},
            "object": {"key": key},
            "reason": "PutObject"
        }
    })
    .to_string()
}

#[test]
fn a_second_announcement_of_an_object_held_by_another_batch_stages_nothing() {
    // The race, made to happen every time: a first worker takes S3's notifications,
    // claims their objects for its batch and dies before it moves any (step 8: the last
    // of four message claims then four object claims), its messages hidden for 15 s.
    // Every object is then announced again (EventBridge's shape) to two live workers.
    // They must leave the objects to the dead worker's batch, which one of them resumes
    // when its messages come back: every object lands exactly once.
    let setup = Setup::new("evq-dup");
    let uploads = objects(2);
    for (key, body) in &uploads {
        setup.put_raw(key, body);
    }
    let expected: Vec<String> = uploads.iter().map(|(k, _)| k.clone()).collect();
    let doomed = setup.worker_hiding_for("doomed", Some(8), "15");
    let out = doomed.wait_with_output().expect("the first worker exits");
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGKILL),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sqs = setup.moto.sqs();
    for key in &expected {
        setup
            .runtime
            .block_on(
                sqs.send_message()
                    .queue_url(&setup.queue_url)
                    .message_body(eventbridge_arrival(&setup, key))
                    .send(),
            )
            .expect("duplicate sent");
    }
    let workers = [setup.worker("a", None), setup.worker("b", None)];

    // The duplicates are handled (deleted) while the first worker's messages are still
    // hidden: at that moment nothing may have been staged or routed.
    let start = Instant::now();
    while setup.messages_left() > expected.len() as u64 {
        assert!(
            start.elapsed() < DEADLINE,
            "the duplicates were never handled"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        setup.routed().is_empty(),
        "routed from a duplicate: {:?}",
        setup.routed()
    );
    let mut in_raw = setup.keys("raw");
    in_raw.sort();
    let mut all = expected.clone();
    all.sort();
    assert_eq!(in_raw, all, "the duplicates staged nothing");

    let routed = setup.wait_routed(&expected);
    let stderrs: Vec<String> = workers.into_iter().map(stop).collect();
    assert_exactly_once(&setup, &expected, &routed);
    assert!(
        stderrs.iter().any(|e| e.contains("resuming a batch")),
        "a live worker resumed the first one's batch: {stderrs:?}"
    );
    assert!(
        stderrs.iter().any(|e| e.contains("announced twice")),
        "the duplicates were recognised: {stderrs:?}"
    );
    assert_eq!(setup.messages_left(), 0);
}
