//! Macie's per-format file-size quotas, lowered by flags to the size of small fixtures:
//! an object one byte over its format's quota is SKIPPED `FILE_EXCEEDS_SIZE_LIMIT`
//! unread, one at its quota is scanned, locally, on S3 and in the pipeline.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::common::*;
use crate::pipeline::{bucket, keys, s3_backend, CLEAN_TXT};
use crate::scan::scan_custom;

/// A fixture of each size class, with the flag that sets that class's quota.
const CASES: &[(&str, &str)] = &[
    (
        "tests/fixtures/pdf/letter_libreoffice.pdf",
        "--max-pdf-bytes",
    ),
    ("tests/fixtures/docx/letter.docx", "--max-office-bytes"),
    (
        "tests/fixtures/sheets/clientes_libreoffice.ods",
        "--max-office-bytes",
    ),
    (
        "tests/fixtures/parquet/customers_snappy.parquet",
        "--max-compressed-bytes",
    ),
    ("tests/fixtures/tar/records.tgz", "--max-compressed-bytes"),
    (
        "samples/relatorio_prototipos.txt",
        "--max-uncompressed-bytes",
    ),
    ("samples/empresa_brasileira.csv", "--max-uncompressed-bytes"),
    (
        "tests/fixtures/eml/contract.eml",
        "--max-uncompressed-bytes",
    ),
];

fn size(fixture: &str) -> u64 {
    std::fs::metadata(repo(fixture)).expect("fixture").len()
}

/// Scans `fixture` alone with `flag` set to `quota`.
fn scan_with_quota(fixture: &str, flag: &str, quota: u64) -> Value {
    let path = repo(fixture);
    let quota = quota.to_string();
    let (_, records) = scan_custom(&[path_str(&path), flag, &quota]);
    assert_eq!(records.len(), 1, "{fixture}");
    records.into_iter().next().expect("one record")
}

#[test]
fn a_file_one_byte_over_its_formats_quota_is_skipped_unread() {
    for &(fixture, flag) in CASES {
        let record = scan_with_quota(fixture, flag, size(fixture) - 1);
        assert_eq!(
            status(&record),
            (
                "SKIPPED".to_owned(),
                Some("FILE_EXCEEDS_SIZE_LIMIT".to_owned())
            ),
            "{fixture}"
        );
        assert_eq!(result(&record)["sizeClassified"], 0, "{fixture}");
        assert_eq!(
            record["resourcesAffected"]["s3Object"]["size"],
            size(fixture),
            "{fixture}"
        );
        assert_eq!(record["severity"], Value::Null, "{fixture}");
    }
}

#[test]
fn a_file_at_its_formats_quota_is_scanned() {
    for &(fixture, flag) in CASES {
        let record = scan_with_quota(fixture, flag, size(fixture));
        assert_eq!(status(&record).0, "COMPLETE", "{fixture}");
        assert_eq!(
            result(&record)["sizeClassified"],
            size(fixture),
            "{fixture}"
        );
    }
}

#[test]
fn a_quota_binds_only_its_own_formats() {
    // A PDF quota of one byte leaves the text sample alone.
    let record = scan_with_quota("samples/relatorio_prototipos.txt", "--max-pdf-bytes", 1);
    assert_eq!(status(&record).0, "COMPLETE");
    assert!(custom(&record, "SIRET-NIC").is_some());
}

#[test]
fn an_s3_object_over_its_quota_is_skipped_unread_and_routed_to_review() {
    let backend = s3_backend();
    backend.init();
    let raw = bucket("raw");
    let pdf = "tests/fixtures/pdf/letter_libreoffice.pdf";
    let body = std::fs::read(repo(pdf)).expect("fixture");
    backend.put(&raw, "in/letter.pdf", &body, &[]);
    backend.put(&raw, "in/notes.txt", CLEAN_TXT, &[]);
    let identifiers = repo("samples/identifiers.toml");
    // The quota comes from the environment, as a deployment sets it.
    let quota = (body.len() - 1).to_string();
    let out = backend.ferret(
        &[
            "pipeline",
            "run",
            "--batch-id",
            "q1",
            "--identifiers",
            path_str(&identifiers),
        ],
        &[("FERRET_MAX_PDF_BYTES", &quota)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("summary JSON");
    assert_eq!(
        summary["counts"],
        json!({"objects": 2, "sensitive": 0, "skipped": 1, "scanned": 1})
    );
    assert_eq!(summary["status"], "ManualReviewRequired");
    assert_eq!(summary["manualReviewKeys"], json!(["in/letter.pdf"]));
    let inventory = backend.inventory();
    assert_eq!(keys(&inventory, "manual-review"), ["q1/in/letter.pdf"]);
    assert_eq!(keys(&inventory, "scanned-data"), ["in/notes.txt"]);
    let tags = backend.tags(&bucket("manual-review"), "q1/in/letter.pdf");
    assert_eq!(tags["ScanStatus"], "SKIPPED");

    let results = &inventory[&bucket("scan-results")]["q1/results.jsonl.gz"];
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(results.as_slice()),
        &mut text,
    )
    .expect("gzip");
    let records: BTreeMap<String, Value> = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("json"))
        .map(|r| {
            (
                r["resourcesAffected"]["s3Object"]["key"]
                    .as_str()
                    .expect("key")
                    .to_owned(),
                r,
            )
        })
        .collect();
    assert_eq!(
        status(&records["in/letter.pdf"]),
        (
            "SKIPPED".to_owned(),
            Some("FILE_EXCEEDS_SIZE_LIMIT".to_owned())
        )
    );
    assert_eq!(status(&records["in/notes.txt"]).0, "COMPLETE");
}

#[test]
fn a_bucket_object_over_its_quota_is_skipped_before_it_is_fetched() {
    let moto = ferret_testkit::Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let s3 = moto.s3();
    runtime
        .block_on(s3.create_bucket().bucket("acme-data").send())
        .expect("bucket created");
    // Not a PDF at all: read, it would be UNABLE_TO_PARSE_FILE.
    let put = |key: &str, body: &[u8]| {
        runtime
            .block_on(
                s3.put_object()
                    .bucket("acme-data")
                    .key(key)
                    .body(aws_sdk_s3::primitives::ByteStream::from(body.to_vec()))
                    .send(),
            )
            .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
    };
    put("big.pdf", &[b'x'; 64]);
    put("small.pdf", &[b'x'; 63]);
    let identifiers = repo("samples/identifiers.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferret"))
        .args([
            "scan",
            "--identifiers",
            path_str(&identifiers),
            "--managed",
            "none",
        ])
        .args(["--max-pdf-bytes", "63", "s3://acme-data"])
        .envs(moto.env())
        .output()
        .expect("ferret runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out);
    let by_key = |key: &str| {
        records
            .iter()
            .find(|r| r["resourcesAffected"]["s3Object"]["key"] == key)
            .map(status)
            .unwrap_or_else(|| panic!("{key} has a record"))
    };
    assert_eq!(
        by_key("big.pdf"),
        (
            "SKIPPED".to_owned(),
            Some("FILE_EXCEEDS_SIZE_LIMIT".to_owned())
        )
    );
    assert_eq!(
        by_key("small.pdf"),
        (
            "SKIPPED".to_owned(),
            Some("UNABLE_TO_PARSE_FILE".to_owned())
        )
    );
}
