//! `ferret pipeline run` and `ferret review` end to end, on the embedded store and on a
//! real S3 API (moto server): routing, tags, metadata, batches kept apart, review, and a
//! batch killed (SIGKILL) at many points then rerun.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};

use crate::common::*;
use ferret_orchestrator::layout::Buckets;
use ferret_store::{DirStore, S3Config, S3Store, Store, Tags};
use ferret_testkit::Moto;
use serde_json::{json, Value};

pub(crate) const PREFIX: &str = "acme";
pub(crate) const CPF_CSV: &[u8] = b"nome,cpf\nAna,529.982.247-25\n";
pub(crate) const CLEAN_TXT: &[u8] = b"quarterly figures, nothing personal\n";
pub(crate) const JSON_DOC: &[u8] = br#"{"funcionario": {"cpf": "111.444.777-35"}}"#;

/// Where a test's buckets live, and how `ferret` reaches them.
pub(crate) struct Backend<S> {
    pub(crate) store: S,
    /// moto enforces bucket policies, and `buckets init` makes buckets TLS-only, which
    /// loopback HTTP is not: on S3 the tests create plain buckets with this client.
    pub(crate) plain_buckets: Option<aws_sdk_s3::Client>,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    pub(crate) runtime: tokio::runtime::Runtime,
    _keep: Box<dyn std::any::Any>,
}

pub(crate) fn dir_backend() -> Backend<DirStore> {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    Backend {
        store: DirStore::new(root.clone()),
        plain_buckets: None,
        args: vec![
            format!("--store=dir:{}", root.display()),
            format!("--prefix={PREFIX}"),
        ],
        env: Vec::new(),
        runtime: tokio::runtime::Runtime::new().expect("runtime"),
        _keep: Box::new(dir),
    }
}

/// The S3 clients this test process builds read credentials from the environment, as
/// in production; set moto's once, before any client exists.
pub(crate) fn test_credentials() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Set before any S3 client of this process reads them; std serialises environment
        // access, and every value is the same for all tests.
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    });
}

pub(crate) fn s3_backend() -> Backend<S3Store> {
    test_credentials();
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let store = runtime.block_on(S3Store::connect(&S3Config {
        endpoint_url: Some(moto.endpoint.clone()),
        region: Some("us-east-1".to_owned()),
        expected_bucket_owner: None,
    }));
    let client = store.client().clone();
    Backend {
        store,
        plain_buckets: Some(client),
        args: vec!["--store=s3".to_owned(), format!("--prefix={PREFIX}")],
        env: moto.env(),
        runtime,
        _keep: Box::new(moto),
    }
}

impl<S: Store> Backend<S> {
    pub(crate) fn ferret(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        let (command, rest) = args.split_at(2.min(args.len()));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferret"));
        cmd.args(command).args(&self.args).args(rest);
        for (key, value) in &self.env {
            cmd.env(key, value);
        }
        for (key, value) in extra_env {
            cmd.env(key, value);
        }
        // S3 credentials must come from the environment even for the embedded store's
        // tests, so a developer's own AWS profile is never touched.
        cmd.env("AWS_EC2_METADATA_DISABLED", "true");
        cmd.output().expect("ferret runs")
    }

    pub(crate) fn init(&self) {
        if let Some(client) = &self.plain_buckets {
            for name in Buckets::for_prefix(PREFIX).all() {
                self.runtime
                    .block_on(client.create_bucket().bucket(name).send())
                    .expect("bucket");
            }
            return;
        }
        let out = self.ferret(&["buckets", "init"], &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn run_batch(&self, batch: &str) -> Value {
        let identifiers = repo("samples/identifiers.toml");
        let out = self.ferret(
            &[
                "pipeline",
                "run",
                "--batch-id",
                batch,
                "--identifiers",
                path_str(&identifiers),
            ],
            &[],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("summary JSON")
    }

    pub(crate) fn put(&self, bucket: &str, key: &str, body: &[u8], tags: &[(&str, &str)]) {
        self.runtime.block_on(async {
            self.store
                .put(bucket, key, body.to_vec(), "application/octet-stream")
                .await
                .expect("put");
            if !tags.is_empty() {
                let tags: Tags = tags
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect();
                self.store.set_tags(bucket, key, &tags).await.expect("tags");
            }
        });
    }

    /// Every object of every pipeline bucket: bucket -> key -> bytes.
    pub(crate) fn inventory(&self) -> BTreeMap<String, BTreeMap<String, Vec<u8>>> {
        let buckets = Buckets::for_prefix(PREFIX);
        self.runtime.block_on(async {
            let mut all = BTreeMap::new();
            for bucket in buckets.all() {
                let mut objects = BTreeMap::new();
                for object in self.store.list(bucket, "").await.expect("list") {
                    let body = self
                        .store
                        .get(bucket, &object.key)
                        .await
                        .expect("get")
                        .expect("exists");
                    objects.insert(object.key, body);
                }
                all.insert(bucket.to_owned(), objects);
            }
            all
        })
    }

    pub(crate) fn tags(&self, bucket: &str, key: &str) -> Tags {
        self.runtime
            .block_on(self.store.tags(bucket, key))
            .expect("tags")
    }
}

pub(crate) fn bucket(name: &str) -> String {
    format!("{PREFIX}-data-pipeline-{name}")
}

pub(crate) fn keys(
    inventory: &BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    name: &str,
) -> Vec<String> {
    inventory[&bucket(name)].keys().cloned().collect()
}

/// The mixed batch of the issue: sensitive, clean, corrupt, keys with spaces, `+` and
/// unicode, upstream tags.
fn mixed_batch<S: Store>(backend: Backend<S>) {
    backend.init();
    let raw = bucket("raw");
    backend.put(
        &raw,
        "fr/société a+b.csv",
        CPF_CSV,
        &[("Owner", "data-team"), ("Source", "crm")],
    );
    backend.put(
        &raw,
        "clean/report 1.txt",
        CLEAN_TXT,
        &[("Owner", "finance")],
    );
    backend.put(
        &raw,
        "broken/export.xlsx",
        b"PK\x03\x04 not really a workbook",
        &[],
    );
    backend.put(&raw, "données/é.json", JSON_DOC, &[]);

    let summary = backend.run_batch("b1");
    assert_eq!(summary["batchId"], "b1");
    assert_eq!(summary["status"], "ManualReviewRequired");
    assert_eq!(
        summary["counts"],
        json!({"objects": 4, "sensitive": 2, "skipped": 1, "scanned": 3})
    );
    assert_eq!(
        summary["manualReviewKeys"],
        json!(["broken/export.xlsx", "données/é.json", "fr/société a+b.csv"])
    );
    assert_eq!(
        summary["resultsLocation"],
        format!("{}/b1/results.jsonl.gz", bucket("scan-results"))
    );

    let inventory = backend.inventory();
    assert!(keys(&inventory, "raw").is_empty());
    assert!(keys(&inventory, "scan-stage").is_empty());
    assert_eq!(
        keys(&inventory, "manual-review"),
        [
            "b1/broken/export.xlsx",
            "b1/données/é.json",
            "b1/fr/société a+b.csv"
        ]
    );
    assert_eq!(keys(&inventory, "scanned-data"), ["clean/report 1.txt"]);
    assert_eq!(
        inventory[&bucket("scanned-data")]["clean/report 1.txt"],
        CLEAN_TXT
    );
    assert_eq!(
        inventory[&bucket("manual-review")]["b1/fr/société a+b.csv"],
        CPF_CSV
    );

    let sensitive = backend.tags(&bucket("manual-review"), "b1/fr/société a+b.csv");
    assert_eq!(sensitive["SensitiveDataFound"], "true");
    assert_eq!(sensitive["WorkflowId"], "b1");
    assert_eq!(sensitive["Owner"], "data-team", "upstream tags are kept");
    assert_eq!(sensitive["Source"], "crm");
    // One CPF: Macie scores taxpayer numbers High from the first occurrence.
    assert_eq!(sensitive["FindingSeverity"], "High");
    assert!(
        sensitive["FindingTypes"].contains("BRAZIL_CPF_NUMBER"),
        "{sensitive:?}"
    );
    let skipped = backend.tags(&bucket("manual-review"), "b1/broken/export.xlsx");
    assert_eq!(skipped["SensitiveDataFound"], "false");
    assert_eq!(skipped["ScanStatus"], "SKIPPED");
    let clean = backend.tags(&bucket("scanned-data"), "clean/report 1.txt");
    assert_eq!(clean["SensitiveDataFound"], "false");
    assert_eq!(clean["WorkflowId"], "b1");
    assert_eq!(clean["Owner"], "finance");

    let results = &inventory[&bucket("scan-results")]["b1/results.jsonl.gz"];
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(results.as_slice()),
        &mut text,
    )
    .expect("gzip");
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(records.len(), 4);
    assert!(records
        .iter()
        .all(|r| r["classificationDetails"]["jobId"] == "b1"));
    assert!(
        !text.contains("529.982.247-25"),
        "results never hold matched values"
    );

    // Run again: the batch is done, nothing moves.
    assert_eq!(backend.run_batch("b1"), summary);
    assert_eq!(backend.inventory(), inventory);
}

#[test]
fn mixed_batch_on_the_embedded_store() {
    mixed_batch(dir_backend());
}

#[test]
fn mixed_batch_on_s3() {
    mixed_batch(s3_backend());
}

#[test]
fn a_partial_object_counts_as_scanned_and_still_goes_to_review() {
    let backend = dir_backend();
    backend.init();
    // A clean text beside a member ferret cannot read: analysed, but only in part.
    let archive = zip(&[
        ("notes.txt", CLEAN_TXT),
        ("logo.png", b"\x89PNG\r\n\x1a\n\0"),
    ]);
    backend.put(&bucket("raw"), "in/bundle.zip", &archive, &[]);
    backend.put(
        &bucket("raw"),
        "in/broken.xlsx",
        b"PK\x03\x04 not a workbook",
        &[],
    );

    let summary = backend.run_batch("p1");
    assert_eq!(
        summary["counts"],
        json!({"objects": 2, "sensitive": 0, "skipped": 1, "scanned": 1})
    );
    assert_eq!(summary["status"], "ManualReviewRequired");
    assert_eq!(
        summary["manualReviewKeys"],
        json!(["in/broken.xlsx", "in/bundle.zip"])
    );
    let tags = backend.tags(&bucket("manual-review"), "p1/in/bundle.zip");
    assert_eq!(tags["ScanStatus"], "PARTIAL");
    assert_eq!(tags["SensitiveDataFound"], "false");
}

#[test]
fn s3_moves_keep_content_type_metadata_and_encryption() {
    let backend = s3_backend();
    backend.init();
    let client = backend.plain_buckets.clone().expect("an S3 backend");
    backend
        .runtime
        .block_on(
            client
                .put_object()
                .bucket(bucket("raw"))
                .key("in/data.csv")
                .content_type("text/csv")
                .metadata("origin", "crm-export")
                .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::Aes256)
                .body(aws_sdk_s3::primitives::ByteStream::from(CLEAN_TXT.to_vec()))
                .send(),
        )
        .expect("put");
    let summary = backend.run_batch("b1");
    assert_eq!(summary["status"], "NoSensitiveData");
    let head = backend
        .runtime
        .block_on(
            client
                .head_object()
                .bucket(bucket("scanned-data"))
                .key("in/data.csv")
                .send(),
        )
        .expect("head");
    assert_eq!(head.content_type(), Some("text/csv"));
    assert_eq!(
        head.metadata()
            .and_then(|m| m.get("origin"))
            .map(String::as_str),
        Some("crm-export")
    );
    assert_eq!(
        head.server_side_encryption(),
        Some(&aws_sdk_s3::types::ServerSideEncryption::Aes256)
    );
}

#[test]
fn two_batches_with_the_same_keys_never_overwrite_each_other() {
    let backend = dir_backend();
    backend.init();
    backend.put(&bucket("raw"), "same.csv", CPF_CSV, &[]);
    backend.run_batch("b1");
    let second = b"nome,cpf\nBia,111.444.777-35\n";
    backend.put(&bucket("raw"), "same.csv", second, &[]);
    backend.run_batch("b2");
    let inventory = backend.inventory();
    let review = &inventory[&bucket("manual-review")];
    assert_eq!(review["b1/same.csv"], CPF_CSV);
    assert_eq!(review["b2/same.csv"], second);
}

#[test]
fn an_empty_raw_bucket_is_no_keys_found() {
    let backend = dir_backend();
    backend.init();
    let summary = backend.run_batch("empty");
    assert_eq!(summary["status"], "NoKeysFound");
    assert_eq!(summary["counts"]["objects"], 0);
}

#[test]
fn review_approves_to_scanned_data_and_denies_by_deleting() {
    let backend = dir_backend();
    backend.init();
    backend.put(&bucket("raw"), "a.csv", CPF_CSV, &[("Owner", "hr")]);
    backend.put(&bucket("raw"), "b.json", JSON_DOC, &[]);
    backend.run_batch("b1");

    let out = backend.ferret(&["review", "list", "--format", "json"], &[]);
    let listed: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(listed["batches"][0]["batchId"], "b1");
    assert_eq!(
        listed["batches"][0]["objects"].as_array().map(Vec::len),
        Some(2)
    );

    let out = backend.ferret(
        &[
            "review",
            "approve",
            "--batch-id",
            "b1",
            "--key",
            "a.csv",
            "--reviewer",
            "ana",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inventory = backend.inventory();
    assert_eq!(inventory[&bucket("scanned-data")]["a.csv"], CPF_CSV);
    let tags = backend.tags(&bucket("scanned-data"), "a.csv");
    assert_eq!(tags["ReviewDecision"], "approved");
    assert_eq!(tags["Owner"], "hr");
    assert_eq!(tags["SensitiveDataFound"], "true");

    let unknown = backend.ferret(
        &["review", "deny", "--batch-id", "b1", "--key", "nope"],
        &[],
    );
    assert_eq!(unknown.status.code(), Some(2));
    // A key that waits for no review: said so, without the advice to run it again.
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        said.contains("no object \"nope\" waits for review"),
        "{said}"
    );
    assert!(!said.contains("run the same command again"), "{said}");

    let out = backend.ferret(
        &["review", "deny", "--batch-id", "b1", "--reviewer", "bruno"],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inventory = backend.inventory();
    assert!(keys(&inventory, "manual-review").is_empty());
    assert!(!inventory[&bucket("scanned-data")].contains_key("b.json"));

    let trail = String::from_utf8(inventory[&bucket("scan-results")]["b1/review.jsonl"].clone())
        .expect("utf-8");
    let decisions: Vec<Value> = trail
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0]["decision"], "approved");
    assert_eq!(decisions[0]["reviewer"], "ana");
    assert_eq!(decisions[0]["keys"], json!(["a.csv"]));
    assert_eq!(decisions[1]["decision"], "denied");
    assert_eq!(decisions[1]["keys"], json!(["b.json"]));
    assert!(decisions[1]["at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
}

/// The 300-object batch of the issue: every tenth object sensitive, one corrupt.
pub(crate) fn crash_batch_objects() -> Vec<(String, Vec<u8>)> {
    (0..300)
        .map(|i| {
            let key = format!(
                "batch/{:03} file+{}.csv",
                i,
                if i % 7 == 0 { "é" } else { "x" }
            );
            let body = if i % 10 == 0 {
                format!("n,cpf\n{i},529.982.247-25\n").into_bytes()
            } else if i == 299 {
                b"PK\x03\x04broken".to_vec()
            } else {
                format!("n,v\n{i},{}\n", i * 7).into_bytes()
            };
            let key = if i == 299 {
                key.replace(".csv", ".xlsx")
            } else {
                key
            };
            (key, body)
        })
        .collect()
}

#[test]
fn a_batch_killed_at_any_point_finishes_on_rerun_with_every_object_exactly_once() {
    let objects = crash_batch_objects();
    // A batch of 300 objects makes 1,802 state changes: 3 per move (stage and route),
    // plus the results (901) and the summary (1,802). Points at the start, around the
    // end of staging, in routing and at the very end.
    let crash_points = [
        1, 2, 3, 4, 7, 151, 450, 898, 899, 900, 901, 902, 903, 905, 1200, 1799, 1801, 1802,
    ];
    for crash_after in crash_points {
        let backend = dir_backend();
        backend.init();
        for (key, body) in &objects {
            backend.put(&bucket("raw"), key, body, &[("Owner", "crash-test")]);
        }
        let identifiers = repo("samples/identifiers.toml");
        let run_args = [
            "pipeline",
            "run",
            "--batch-id",
            "b1",
            "--identifiers",
            path_str(&identifiers),
        ];
        let killed = backend.ferret(
            &run_args,
            &[("FERRET_CRASH_AFTER", &crash_after.to_string())],
        );
        // Every point is a step the batch makes (the last is the summary's write), so
        // each run must die there: a run that ends on its own proves nothing.
        assert_eq!(
            killed.status.signal(),
            Some(libc::SIGKILL),
            "crash point {crash_after}: killed by its crash point, not {:?} {}",
            killed.status,
            String::from_utf8_lossy(&killed.stderr)
        );
        let rerun = backend.ferret(&run_args, &[]);
        assert!(
            rerun.status.success(),
            "rerun after {crash_after}: {}",
            String::from_utf8_lossy(&rerun.stderr)
        );
        let summary: Value = serde_json::from_slice(&rerun.stdout).expect("summary");
        assert_eq!(
            summary["counts"]["objects"], 300,
            "crash point {crash_after}"
        );
        assert_eq!(
            summary["counts"]["sensitive"], 30,
            "crash point {crash_after}"
        );

        let inventory = backend.inventory();
        assert!(
            keys(&inventory, "raw").is_empty(),
            "crash point {crash_after}: raw emptied"
        );
        assert!(
            keys(&inventory, "scan-stage").is_empty(),
            "crash point {crash_after}: stage emptied"
        );
        let review = &inventory[&bucket("manual-review")];
        let clean = &inventory[&bucket("scanned-data")];
        assert_eq!(
            review.len() + clean.len(),
            300,
            "crash point {crash_after}: no duplicates"
        );
        for (i, (key, body)) in objects.iter().enumerate() {
            let to_review = i % 10 == 0 || i == 299;
            let found = if to_review {
                review.get(&format!("b1/{key}"))
            } else {
                clean.get(key)
            };
            assert_eq!(
                found,
                Some(body),
                "crash point {crash_after}: {key} exactly once, same bytes"
            );
        }
    }
}

/// Accepts one HTTP request on a loopback port, answers 200 and hands back its body.
fn one_request_receiver() -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback port");
    let url = format!(
        "http://{}/hooks/review",
        listener.local_addr().expect("address")
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream);
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        let _ = reader
            .get_mut()
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        let _ = tx.send(String::from_utf8_lossy(&body).into_owned());
    });
    (url, rx)
}

#[test]
fn a_batch_that_needs_review_notifies_the_webhook() {
    let backend = dir_backend();
    backend.init();
    backend.put(&bucket("raw"), "hr/people.csv", CPF_CSV, &[]);
    let (url, received) = one_request_receiver();
    let identifiers = repo("samples/identifiers.toml");
    let out = backend.ferret(
        &[
            "pipeline",
            "run",
            "--batch-id",
            "b1",
            "--identifiers",
            path_str(&identifiers),
            "--notify-webhook",
            &url,
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body = received
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the webhook was called");
    let notice: Value = serde_json::from_str(&body).expect("JSON notice");
    assert_eq!(notice["batchId"], "b1");
    assert_eq!(notice["manualReviewKeys"], json!(["hr/people.csv"]));
    assert!(notice["commands"]["approve"]
        .as_str()
        .is_some_and(|c| c.starts_with("ferret review approve --batch-id b1 --store dir:")));
    assert!(!body.contains("529.982.247-25"), "never the matched values");
}

/// One S3 batch holding one object of each data-lake format (made by the tools that
/// make them): each is read by what it holds, found sensitive or clean, and routed so.
#[test]
fn data_lake_formats_are_routed_by_what_they_hold_on_s3() {
    let backend = s3_backend();
    backend.init();
    let raw = bucket("raw");
    let objects = [
        (
            "lake/customers.parquet",
            "tests/fixtures/parquet/customers_snappy.parquet",
        ),
        ("lake/empty.parquet", "tests/fixtures/parquet/empty.parquet"),
        (
            "lake/damaged.parquet",
            "tests/fixtures/parquet/damaged.parquet",
        ),
        (
            "lake/customers.avro",
            "tests/fixtures/avro/customers_zstandard.avro",
        ),
        ("lake/bundle.tar.gz", "tests/fixtures/tar/nested.tar.gz"),
        ("lake/plain.tar", "tests/fixtures/tar/plain.tar"),
        (
            "lake/clientes.xls",
            "tests/fixtures/sheets/clientes_xlwt.xls",
        ),
        (
            "lake/clientes.ods",
            "tests/fixtures/sheets/clientes_libreoffice.ods",
        ),
    ];
    for (key, fixture) in objects {
        let body = std::fs::read(repo(fixture)).expect("fixture");
        backend.put(&raw, key, &body, &[]);
    }

    let summary = backend.run_batch("lake");
    assert_eq!(summary["status"], "ManualReviewRequired");
    let inventory = backend.inventory();
    assert_eq!(keys(&inventory, "scanned-data"), ["lake/empty.parquet"]);
    assert_eq!(
        keys(&inventory, "manual-review"),
        [
            "lake/lake/bundle.tar.gz",
            "lake/lake/clientes.ods",
            "lake/lake/clientes.xls",
            "lake/lake/customers.avro",
            "lake/lake/customers.parquet",
            "lake/lake/damaged.parquet",
            "lake/lake/plain.tar",
        ]
    );

    let results = &inventory[&bucket("scan-results")]["lake/results.jsonl.gz"];
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(results.as_slice()),
        &mut text,
    )
    .expect("gzip");
    let records: BTreeMap<String, Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        .map(|r| {
            let key = r["resourcesAffected"]["s3Object"]["key"]
                .as_str()
                .expect("key")
                .to_owned();
            (key, r)
        })
        .collect();
    assert_eq!(records.len(), objects.len());
    for (key, record) in &records {
        let expected = if key.ends_with("damaged.parquet") {
            ("PARTIAL".to_owned(), Some("MALFORMED_FILE".to_owned()))
        } else {
            ("COMPLETE".to_owned(), None)
        };
        assert_eq!(status(record), expected, "{key}");
        let sensitive = !record["severity"].is_null();
        assert_eq!(sensitive, !key.ends_with("empty.parquet"), "{key}");
    }
    let bundle = records
        .iter()
        .find(|(key, _)| key.ends_with("bundle.tar.gz"))
        .map(|(_, record)| record)
        .expect("the tar.gz's record");
    assert_eq!(
        custom(bundle, "Brazil CPF").expect("cpf")["occurrences"]["cells"][0]["fileMember"],
        "exports/bundle.zip/inner.tar/deep/clients.csv"
    );
}
