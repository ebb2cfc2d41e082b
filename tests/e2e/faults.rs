//! `ferret pipeline run` as a real process, its S3 requests passing through
//! [`FaultProxy`] in front of moto, with faults scheduled across stage, scan and route.
//! Whatever the faults, the batch either completes or stops with a clear error (exit
//! non-zero) and completes when rerun; afterwards every object is exactly once in
//! scanned-data or manual-review with its own bytes, and an object whose read was cut
//! never reaches scanned-data: it waits in manual-review, PARTIAL or SKIPPED.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, Output};

use crate::common::{path_str, repo};
use ferret_orchestrator::layout::Buckets;
use ferret_testkit::faults::{Fault, Requests, Rule, RuleId, Schedule};
use ferret_testkit::{FaultProxy, Moto};
use serde_json::Value;

const PREFIX: &str = "acme";
const CPF_CSV: &[u8] = b"nome,cpf\nAna,529.982.247-25\n";
const CLEAN_TXT: &[u8] = b"quarterly figures, nothing personal\n";
const JSON_DOC: &[u8] = br#"{"funcionario": {"cpf": "111.444.777-35"}}"#;

fn bucket(name: &str) -> String {
    format!("{PREFIX}-data-pipeline-{name}")
}

/// A clean text of several network chunks, so a cut lands mid-body.
fn long_clean_text() -> Vec<u8> {
    (0..8000)
        .map(|i| format!("line {i}: quarterly figures, nothing personal\n"))
        .collect::<String>()
        .into_bytes()
}

/// The batch: `(key, body, goes to review)`.
fn batch_objects() -> Vec<(&'static str, Vec<u8>, bool)> {
    vec![
        ("fr/société a+b.csv", CPF_CSV.to_vec(), true),
        ("clean/report 1.txt", CLEAN_TXT.to_vec(), false),
        ("clean/long.txt", long_clean_text(), false),
        ("données/é.json", JSON_DOC.to_vec(), true),
        ("clean/notes.txt", b"see you on monday\n".to_vec(), false),
    ]
}

/// A moto server of its own, a proxy in front, plain buckets, and a client that reaches
/// moto directly (to seed and to check, untouched by faults).
struct World {
    proxy: FaultProxy,
    moto: Moto,
    direct: aws_sdk_s3::Client,
    runtime: tokio::runtime::Runtime,
}

impl World {
    fn new() -> World {
        let moto = Moto::start();
        let proxy = FaultProxy::start(&moto.endpoint).expect("the proxy starts");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let direct = moto.s3();
        // moto enforces bucket policies, and `buckets init` makes buckets TLS-only,
        // which loopback HTTP is not: plain buckets.
        for name in Buckets::for_prefix(PREFIX).all() {
            runtime
                .block_on(direct.create_bucket().bucket(name).send())
                .expect("bucket");
        }
        World {
            proxy,
            moto,
            direct,
            runtime,
        }
    }

    fn seed(&self, objects: &[(&str, Vec<u8>, bool)]) {
        for (key, body, _) in objects {
            self.runtime
                .block_on(
                    self.direct
                        .put_object()
                        .bucket(bucket("raw"))
                        .key(*key)
                        .body(body.clone().into())
                        .send(),
                )
                .expect("seeded");
        }
    }

    /// `ferret pipeline run` with every S3 request through the proxy.
    fn run(&self, batch: &str) -> Output {
        let identifiers = repo("samples/identifiers.toml");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferret"));
        cmd.args(["pipeline", "run", "--store=s3"])
            .arg(format!("--prefix={PREFIX}"))
            .arg(format!("--endpoint-url={}", self.proxy.endpoint()))
            .args(["--batch-id", batch, "--identifiers", path_str(&identifiers)]);
        for (key, value) in self.moto.env() {
            cmd.env(key, value);
        }
        cmd.env("AWS_ENDPOINT_URL", self.proxy.endpoint());
        cmd.output().expect("ferret runs")
    }

    fn run_ok(&self, batch: &str) -> Value {
        let out = self.run(batch);
        assert!(
            out.status.success(),
            "{}\nfaults: {:?}",
            String::from_utf8_lossy(&out.stderr),
            self.proxy.log()
        );
        serde_json::from_slice(&out.stdout).expect("summary JSON")
    }

    /// Every object of every pipeline bucket: bucket -> key -> bytes.
    fn inventory(&self) -> BTreeMap<String, BTreeMap<String, Vec<u8>>> {
        self.runtime.block_on(async {
            let mut all = BTreeMap::new();
            for name in Buckets::for_prefix(PREFIX).all() {
                let listed = self
                    .direct
                    .list_objects_v2()
                    .bucket(name)
                    .send()
                    .await
                    .expect("list");
                let mut objects = BTreeMap::new();
                for object in listed.contents() {
                    let key = object.key().expect("key").to_owned();
                    let body = self
                        .direct
                        .get_object()
                        .bucket(name)
                        .key(&key)
                        .send()
                        .await
                        .expect("get")
                        .body
                        .collect()
                        .await
                        .expect("body")
                        .into_bytes()
                        .to_vec();
                    objects.insert(key, body);
                }
                all.insert(name.to_owned(), objects);
            }
            all
        })
    }

    fn tags(&self, bucket: &str, key: &str) -> BTreeMap<String, String> {
        let output = self
            .runtime
            .block_on(
                self.direct
                    .get_object_tagging()
                    .bucket(bucket)
                    .key(key)
                    .send(),
            )
            .expect("tags");
        output
            .tag_set()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect()
    }

    fn assert_fired(&self, rules: &[(&str, RuleId)]) {
        for (name, rule) in rules {
            assert!(
                self.proxy.fired(*rule) > 0,
                "{name}: the fault never fired; faults: {:?}",
                self.proxy.log()
            );
        }
    }
}

/// The result records of a batch, by original key.
fn records(
    inventory: &BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    batch: &str,
) -> BTreeMap<String, Value> {
    let gzipped = &inventory[&bucket("scan-results")][&format!("{batch}/results.jsonl.gz")];
    let mut text = String::new();
    flate2::read::GzDecoder::new(gzipped.as_slice())
        .read_to_string(&mut text)
        .expect("gzip");
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("record"))
        .map(|r| {
            let key = r["resourcesAffected"]["s3Object"]["key"]
                .as_str()
                .expect("key")
                .to_owned();
            (key, r)
        })
        .collect()
}

fn status(record: &Value) -> &str {
    record["classificationDetails"]["result"]["status"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// The batch finished: raw and scan-stage empty, every object exactly once where its
/// result sends it with its own bytes, and everything in scanned-data scanned COMPLETE
/// and clean. `cut` objects must be in review whatever their content.
fn assert_exactly_once(
    world: &World,
    batch: &str,
    objects: &[(&str, Vec<u8>, bool)],
    cut: &[&str],
) {
    let inventory = world.inventory();
    assert!(inventory[&bucket("raw")].is_empty(), "raw emptied");
    assert!(inventory[&bucket("scan-stage")].is_empty(), "stage emptied");
    let review = &inventory[&bucket("manual-review")];
    let clean = &inventory[&bucket("scanned-data")];
    assert_eq!(
        review.len() + clean.len(),
        objects.len(),
        "no object lost or duplicated: review {:?}, clean {:?}",
        review.keys().collect::<Vec<_>>(),
        clean.keys().collect::<Vec<_>>()
    );
    let records = records(&inventory, batch);
    for (key, body, sensitive) in objects {
        let to_review = *sensitive || cut.contains(key);
        let (found, elsewhere) = if to_review {
            (review.get(&format!("{batch}/{key}")), clean.get(*key))
        } else {
            (clean.get(*key), review.get(&format!("{batch}/{key}")))
        };
        assert_eq!(found, Some(body), "{key}: in its place with its bytes");
        assert_eq!(elsewhere, None, "{key}: only once");
    }
    for key in clean.keys() {
        let record = &records[key];
        assert_eq!(
            status(record),
            "COMPLETE",
            "{key} reached scanned-data scanned"
        );
        assert!(record["severity"].is_null(), "{key} is clean");
    }
}

/// Transient faults in every step, each of a kind the SDK's retries or the store's
/// resumed read absorb: the batch completes as if nothing happened.
#[test]
fn transient_faults_across_stage_scan_and_route_are_absorbed() {
    let world = World::new();
    let objects = batch_objects();
    world.seed(&objects);
    let proxy = &world.proxy;
    let copies_into = |name: &str| {
        Requests::any()
            .method("PUT")
            .path_contains(&format!("/{}/", bucket(name)))
            .with_header("x-amz-copy-source")
    };
    let rules = [
        (
            "stage: a copy fails",
            proxy.nth(2, copies_into("scan-stage"), Fault::InternalError),
        ),
        (
            "stage: a delete's answer is lost",
            proxy.nth(
                1,
                Requests::any()
                    .method("DELETE")
                    .path_contains(&format!("/{}/", bucket("raw"))),
                Fault::LostResponse,
            ),
        ),
        (
            "every step: heads throttled",
            proxy.inject(Rule {
                requests: Requests::any().method("HEAD"),
                schedule: Schedule::Every(4),
                fault: Fault::SlowDown,
            }),
        ),
        (
            "scan: a body reset mid-way",
            proxy.nth(
                1,
                Requests::any()
                    .method("GET")
                    .path_contains(&format!("/{}/b1/clean/long.txt", bucket("scan-stage")))
                    .without_header("range"),
                Fault::ResetBody { after: 100 * 1024 },
            ),
        ),
        (
            "scan: a slow body",
            proxy.nth(
                1,
                Requests::any()
                    .method("GET")
                    .path_contains(&format!("/{}/b1/fr/", bucket("scan-stage"))),
                Fault::Delay {
                    before: std::time::Duration::from_millis(200),
                    during: std::time::Duration::from_millis(200),
                },
            ),
        ),
        (
            "scan: writing the results fails",
            proxy.nth(
                1,
                Requests::any()
                    .method("PUT")
                    .path_contains("/b1/results.jsonl.gz"),
                Fault::InternalError,
            ),
        ),
        (
            "route: a copy's answer is lost",
            proxy.nth(1, copies_into("scanned-data"), Fault::LostResponse),
        ),
        (
            "route: a tag read throttled",
            proxy.nth(
                1,
                Requests::any()
                    .method("GET")
                    .path_contains(&format!("/{}/", bucket("scan-stage")))
                    .query_contains("tagging"),
                Fault::SlowDown,
            ),
        ),
        (
            "route: a delete fails",
            proxy.nth(
                2,
                Requests::any()
                    .method("DELETE")
                    .path_contains(&format!("/{}/", bucket("scan-stage"))),
                Fault::InternalError,
            ),
        ),
    ];
    let resumed = proxy.watch(
        Requests::any()
            .method("GET")
            .path_contains("/b1/clean/long.txt")
            .with_header("range"),
    );

    let summary = world.run_ok("b1");
    world.assert_fired(&rules);
    assert_eq!(proxy.matched(resumed), 1, "the cut read was resumed");
    assert_eq!(summary["status"], "ManualReviewRequired");
    assert_eq!(summary["counts"]["objects"], 5);
    assert_eq!(summary["counts"]["sensitive"], 2);
    assert_eq!(summary["counts"]["skipped"], 0);
    assert_exactly_once(&world, "b1", &objects, &[]);
    let long = world.tags(&bucket("scanned-data"), "clean/long.txt");
    assert_eq!(long["SensitiveDataFound"], "false");
    assert_eq!(long.get("ScanStatus"), None, "scanned whole");
}

/// A body cut on every attempt: the read fails after its resumes, the object is PARTIAL
/// or SKIPPED and waits in manual-review; it never reaches scanned-data.
#[test]
fn an_object_whose_read_is_always_cut_goes_to_review_not_to_scanned_data() {
    for fault in [
        Fault::CloseBody { after: 64 * 1024 },
        Fault::ResetBody { after: 64 * 1024 },
    ] {
        let world = World::new();
        let objects = batch_objects();
        world.seed(&objects);
        let cut = world.proxy.inject(Rule {
            requests: Requests::any()
                .method("GET")
                .path_contains(&format!("/{}/b1/clean/long.txt", bucket("scan-stage")))
                .query_contains("x-id=GetObject"),
            schedule: Schedule::Every(1),
            fault,
        });

        let summary = world.run_ok("b1");
        assert!(
            world.proxy.fired(cut) > 1,
            "{fault:?}: cut, and cut again on resume"
        );
        assert_eq!(summary["status"], "ManualReviewRequired");
        let review_keys = summary["manualReviewKeys"].as_array().expect("keys");
        assert!(
            review_keys.iter().any(|k| k == "clean/long.txt"),
            "{fault:?}: {review_keys:?}"
        );
        assert_exactly_once(&world, "b1", &objects, &["clean/long.txt"]);
        let tags = world.tags(&bucket("manual-review"), "b1/clean/long.txt");
        let status = tags.get("ScanStatus").map(String::as_str);
        assert!(
            matches!(status, Some("PARTIAL" | "SKIPPED")),
            "{fault:?}: {tags:?}"
        );
    }
}

/// Faults that outlast the retries stop the batch with a clear error, first in staging,
/// then in routing; each rerun picks up where the last stopped, and the last, without
/// faults, finishes the batch with every object exactly once.
#[test]
fn a_batch_stopped_by_persistent_faults_finishes_when_rerun() {
    let world = World::new();
    let objects = batch_objects();
    world.seed(&objects);
    let proxy = &world.proxy;

    let staging = proxy.inject(Rule {
        requests: Requests::any()
            .method("PUT")
            .path_contains(&format!("/{}/b1/clean/", bucket("scan-stage")))
            .with_header("x-amz-copy-source"),
        schedule: Schedule::Every(1),
        fault: Fault::SlowDown,
    });
    let stopped = world.run("b1");
    assert!(!stopped.status.success(), "the batch stops");
    let stderr = String::from_utf8_lossy(&stopped.stderr);
    assert!(stderr.contains("CopyObject"), "a clear error: {stderr}");
    assert!(proxy.fired(staging) >= 5, "{:?}", proxy.log());
    let inventory = world.inventory();
    let staged = inventory[&bucket("scan-stage")].len();
    let raw = inventory[&bucket("raw")].len();
    assert_eq!(
        staged + raw,
        objects.len(),
        "nothing lost or doubled while stopped"
    );
    assert!(inventory[&bucket("scanned-data")].is_empty());

    proxy.clear();
    let routing = proxy.inject(Rule {
        requests: Requests::any()
            .method("DELETE")
            .path_contains(&format!("/{}/b1/clean/long.txt", bucket("scan-stage"))),
        schedule: Schedule::Every(1),
        fault: Fault::InternalError,
    });
    let stopped = world.run("b1");
    assert!(!stopped.status.success(), "the batch stops again");
    let stderr = String::from_utf8_lossy(&stopped.stderr);
    assert!(stderr.contains("DeleteObject"), "a clear error: {stderr}");
    assert!(proxy.fired(routing) >= 5, "{:?}", proxy.log());

    proxy.clear();
    let summary = world.run_ok("b1");
    assert_eq!(summary["counts"]["objects"], 5);
    assert_eq!(summary["counts"]["sensitive"], 2);
    assert_exactly_once(&world, "b1", &objects, &[]);
}
