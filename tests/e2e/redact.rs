//! `ferret redact` and the pipeline's redact policy end to end: copies in folders and
//! buckets (moto server), statuses and exit codes, the key refused before anything is
//! written, routing and tags of a redact batch, approve and deny, and redact batches
//! killed (SIGKILL) at many points then rerun.

use std::os::unix::process::ExitStatusExt;
use std::process::Output;

use crate::common::*;
use crate::pipeline::{
    bucket, crash_batch_objects, dir_backend, keys, s3_backend, Backend, CLEAN_TXT, CPF_CSV,
    JSON_DOC,
};
use ferret_store::Store;
use ferret_testkit::Moto;
use serde_json::{json, Value};

const IDENTIFIERS: &str = r#"
[[identifier]]
name = "Employee ID"
regex = 'EMP-\d{5}'

[redaction]
default = { with = "replace" }

[[redaction.rule]]
identifiers = ["BRAZIL_CPF_NUMBER"]
with = "mask"
keep_last = 2

[[redaction.rule]]
identifiers = ["EMAIL_ADDRESS"]
with = "hash"
"#;

const KEY: (&str, &str) = ("FERRET_REDACTION_KEY", "a test key\n");

fn redact(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ferret"));
    command
        .arg("redact")
        .args(args)
        .env_remove("FERRET_REDACTION_KEY");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("ferret runs")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn copies_keep_their_format_and_each_object_gets_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ids = write(dir.path(), "ids.toml", IDENTIFIERS.as_bytes());
    let input = dir.path().join("in");
    write(
        &input,
        "people.csv",
        b"name,email,cpf\r\n\"Ana, B\",ana@example.com,529.982.247-25\r\n",
    );
    write(
        &input,
        "deep/events.jsonl",
        b"{\"who\": \"EMP-12345\", \"n\": 1}\n",
    );
    write(&input, "notes.txt.gz", &gzip(b"contact EMP-00001 today\n"));
    write(&input, "logo.png", b"\x89PNG\r\n\x1a\n\0");
    write(&input, "broken.json", b"{\"who\": \"EMP-12345\"");
    let output = dir.path().join("out");
    let out = redact(
        &[
            "--identifiers",
            path_str(&ids),
            "--output",
            path_str(&output),
            path_str(&input),
        ],
        &[KEY],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_key: std::collections::BTreeMap<String, Value> = lines(&out)
        .into_iter()
        .map(|l| (l["key"].as_str().unwrap_or_default().to_owned(), l))
        .collect();
    let line = |name: &str| &by_key[&format!("{}/{name}", input.display())];
    assert_eq!(line("people.csv")["status"], "COMPLETE");
    assert_eq!(
        line("people.csv")["redacted"],
        json!({"BRAZIL_CPF_NUMBER": 1, "EMAIL_ADDRESS": 1})
    );
    assert_eq!(
        line("people.csv")["output"],
        json!(output.join("people.csv").display().to_string())
    );
    assert_eq!(
        line("deep/events.jsonl")["redacted"],
        json!({"Employee ID": 1})
    );
    assert_eq!(line("logo.png")["status"], "SKIPPED");
    assert_eq!(
        line("logo.png")["reason"],
        "UNSUPPORTED_FILE_TYPE_EXCEPTION"
    );
    assert_eq!(line("logo.png")["output"], Value::Null);
    assert_eq!(line("broken.json")["status"], "SKIPPED");
    assert_eq!(line("broken.json")["reason"], "MALFORMED_FILE");

    let csv = std::fs::read_to_string(output.join("people.csv")).expect("copy");
    let token = csv
        .split(',')
        .find(|cell| cell.starts_with("tok_"))
        .expect("a token")
        .to_owned();
    assert_eq!(token.len(), 20);
    assert_eq!(
        csv,
        format!("name,email,cpf\r\n\"Ana, B\",{token},***.***.***-25\r\n"),
        "quoting, line endings and other cells unchanged"
    );
    assert_eq!(
        std::fs::read_to_string(output.join("deep/events.jsonl")).expect("copy"),
        "{\"who\": \"[Employee ID]\", \"n\": 1}\n"
    );
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::MultiGzDecoder::new(
            std::fs::read(output.join("notes.txt.gz"))
                .expect("copy")
                .as_slice(),
        ),
        &mut text,
    )
    .expect("the copy is gzip");
    assert_eq!(text, "contact [Employee ID] today\n");
    assert!(
        !output.join("logo.png").exists(),
        "no copy of a skipped object"
    );
    assert!(
        !output.join("broken.json").exists(),
        "no copy of a skipped object"
    );

    // Scanning the copies finds none of what was rewritten.
    let scanned = ferret(["scan", "--identifiers", path_str(&ids), path_str(&output)]);
    assert_eq!(
        scanned.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&scanned.stdout)
    );
}

/// A copy larger than one upload part (8 MiB) goes up to S3 as a multipart upload,
/// streamed as it is written; a Parquet object is read from the bucket and its copy
/// written there too, with nothing left for a scan to find.
#[test]
fn large_copies_go_up_in_parts_and_parquet_objects_are_redacted_in_buckets() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    crate::pipeline::test_credentials();
    let store = runtime.block_on(ferret_store::S3Store::connect(&ferret_store::S3Config {
        endpoint_url: Some(moto.endpoint.clone()),
        region: Some("us-east-1".to_owned()),
        expected_bucket_owner: None,
    }));
    let mut big = b"id,note\n".to_vec();
    let mut row = 0;
    while big.len() < 9 << 20 {
        big.extend_from_slice(format!("P-AB{:04},plain text row {row}\n", row % 10_000).as_bytes());
        row += 1;
    }
    let parquet =
        std::fs::read(repo("tests/fixtures/parquet/customers_gzip.parquet")).expect("fixture");
    runtime.block_on(async {
        for name in ["src", "dst"] {
            store
                .client()
                .create_bucket()
                .bucket(name)
                .send()
                .await
                .expect("bucket");
        }
        store
            .put("src", "big.csv", big, "text/csv")
            .await
            .expect("put");
        store
            .put(
                "src",
                "lake/customers.parquet",
                parquet,
                "application/vnd.apache.parquet",
            )
            .await
            .expect("put");
    });
    let mut env: Vec<(&str, &str)> = vec![KEY];
    let moto_env = moto.env();
    env.extend(moto_env.iter().map(|(k, v)| (*k, v.as_str())));
    let identifiers = repo("samples/identifiers.toml");
    let out = redact(
        &[
            "--identifiers",
            path_str(&identifiers),
            "--managed",
            "none",
            "--output",
            "s3://dst",
            "s3://src",
        ],
        &env,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out);
    assert_eq!(lines[0]["key"], "big.csv");
    assert_eq!(lines[0]["redacted"], json!({"Prototyping Naming": row}));
    assert_eq!(lines[1]["key"], "lake/customers.parquet");
    assert_eq!(lines[1]["status"], "COMPLETE", "{}", lines[1]);
    let head = runtime
        .block_on(store.head("dst", "big.csv"))
        .expect("head")
        .expect("the copy");
    assert!(
        head.e_tag.as_deref().is_some_and(|e| e.ends_with("-2\"")),
        "uploaded in two parts: {:?}",
        head.e_tag
    );
    let copy = runtime
        .block_on(store.get("dst", "lake/customers.parquet"))
        .expect("get")
        .expect("the copy");
    let local = write(dir.path(), "customers.parquet", &copy);
    let (code, records) = crate::scan::scan_custom(&[path_str(&local)]);
    assert_eq!(code, Some(0), "nothing left in the copy: {records:?}");
}

/// Parquet files made by pyarrow (`tests/fixtures/parquet/make.py`): the copy is
/// Parquet again, holds the same rows, and a scan of it finds nothing; files the scanner
/// does not read COMPLETE (a damaged page; a STRING that is not UTF-8, if the scanner
/// refuses it) are SKIPPED with its reason and get no copy.
#[test]
fn parquet_copies_are_rewritten_and_unreadable_files_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("out");
    let fixtures = [
        "customers_snappy",
        "customers_zstd",
        "damaged",
        "invalid_utf8",
    ]
    .map(|name| repo(&format!("tests/fixtures/parquet/{name}.parquet")));
    let identifiers = repo("samples/identifiers.toml");
    let mut args = vec![
        "--identifiers",
        path_str(&identifiers),
        "--managed",
        "none",
        "--output",
        path_str(&output),
    ];
    args.extend(fixtures.iter().map(|f| path_str(f)));
    let out = redact(&args, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out);
    let by_name = |name: &str| {
        lines
            .iter()
            .find(|l| l["key"].as_str().is_some_and(|k| k.ends_with(name)))
            .unwrap_or_else(|| panic!("a line for {name}: {lines:?}"))
    };
    for name in ["customers_snappy.parquet", "customers_zstd.parquet"] {
        let line = by_name(name);
        assert_eq!(line["status"], "COMPLETE", "{line}");
        assert_eq!(
            line["redacted"],
            json!({"Brazil CPF": 1, "Prototyping Naming": 4, "SIRET-NIC": 1})
        );
        let copy = output.join(name);
        assert!(copy.is_file(), "{line}");
        let (code, records) = crate::scan::scan_custom(&[path_str(&copy)]);
        assert_eq!(code, Some(0), "nothing found in the copy: {records:?}");
        assert_eq!(status(&records[0]), ("COMPLETE".to_owned(), None));
        let size = std::fs::metadata(&copy).expect("copy").len();
        assert!(size > 1000, "the rows are all there: {size} bytes");
        let original = repo(&format!("tests/fixtures/parquet/{name}"));
        let redacted_values: u64 = line["redacted"]
            .as_object()
            .map_or(0, |counts| counts.values().filter_map(Value::as_u64).sum());
        assert_eq!(
            pyarrow_compare(&original, &copy),
            json!({
                "schema_equal": true,
                "metadata_equal": true,
                "rows_equal": true,
                "layout_equal": true,
                "other_columns_equal": true,
                // Each redacted value sits in a row and column of its own.
                "changed_string_rows": redacted_values,
            }),
            "{name}"
        );
    }
    // A file the scanner does not read COMPLETE gets no copy, with the scan's reason.
    let line = by_name("damaged.parquet");
    assert_eq!(line["status"], "SKIPPED", "{line}");
    assert_eq!(line["reason"], "MALFORMED_FILE", "{line}");
    assert!(!output.join("damaged.parquet").exists());
    let (_, scanned) = crate::scan::scan_custom(&[path_str(&fixtures[3])]);
    let (scan_status, scan_reason) = status(&scanned[0]);
    let line = by_name("invalid_utf8.parquet");
    let copied = output.join("invalid_utf8.parquet").exists();
    if scan_status == "COMPLETE" {
        assert_eq!(line["status"], "COMPLETE", "as scanned: {line}");
        assert!(copied);
    } else {
        assert_eq!(line["status"], "SKIPPED", "as scanned: {line}");
        assert_eq!(line["reason"].as_str(), scan_reason.as_deref(), "{line}");
        assert!(!copied);
    }
}

/// pyarrow's view of `copy` against `original` (tests/fixtures/parquet/compare_copy.py):
/// the reference reader opens the copy and finds the same schema, metadata, row groups
/// and codecs, every column without strings unchanged.
fn pyarrow_compare(original: &std::path::Path, copy: &std::path::Path) -> Value {
    let python = repo(".venv/bin/python");
    let out = std::process::Command::new(&python)
        .arg(repo("tests/fixtures/parquet/compare_copy.py"))
        .args([original, copy])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/setup-test-env)", python.display()));
    assert!(
        out.status.success(),
        "pyarrow could not compare {}: {}",
        copy.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("compare_copy.py prints JSON")
}

#[test]
fn hash_without_a_key_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ids = write(dir.path(), "ids.toml", IDENTIFIERS.as_bytes());
    let input = write(dir.path(), "in/a.txt", b"ana@example.com\n");
    let output = dir.path().join("out");
    let out = redact(
        &[
            "--identifiers",
            path_str(&ids),
            "--output",
            path_str(&output),
            path_str(&input),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FERRET_REDACTION_KEY"));
    assert!(out.stdout.is_empty());
    assert!(!output.exists(), "nothing written");

    // A key file beside the identifier file works as the variable does.
    let with_file = IDENTIFIERS.replace(
        "[redaction]\n",
        "[redaction]\nkey_file = \"redaction.key\"\n",
    );
    write(dir.path(), "ids.toml", with_file.as_bytes());
    write(dir.path(), "redaction.key", b"a test key\n");
    let from_file = redact(
        &[
            "--identifiers",
            path_str(&ids),
            "--output",
            path_str(&output),
            path_str(&input),
        ],
        &[],
    );
    assert_eq!(
        from_file.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&from_file.stderr)
    );
    let by_file = std::fs::read(output.join("a.txt")).expect("copy");
    let by_variable_dir = dir.path().join("out2");
    let by_variable = redact(
        &[
            "--identifiers",
            path_str(&ids),
            "--output",
            path_str(&by_variable_dir),
            path_str(&input),
        ],
        &[KEY],
    );
    assert_eq!(by_variable.status.code(), Some(0));
    assert_eq!(
        std::fs::read(by_variable_dir.join("a.txt")).expect("copy"),
        by_file
    );
}

#[test]
fn buckets_are_read_and_written_through_s3() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let ids = write(dir.path(), "ids.toml", IDENTIFIERS.as_bytes());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    crate::pipeline::test_credentials();
    let store = runtime.block_on(ferret_store::S3Store::connect(&ferret_store::S3Config {
        endpoint_url: Some(moto.endpoint.clone()),
        region: Some("us-east-1".to_owned()),
        expected_bucket_owner: None,
    }));
    runtime.block_on(async {
        for name in ["src", "dst"] {
            store
                .client()
                .create_bucket()
                .bucket(name)
                .send()
                .await
                .expect("bucket");
        }
        store
            .put("src", "in/a.csv", b"id\nEMP-12345\n".to_vec(), "text/csv")
            .await
            .expect("put");
        store
            .put("src", "in/b.pdf", b"%PDF-1.4".to_vec(), "application/pdf")
            .await
            .expect("put");
    });
    let mut env: Vec<(&str, &str)> = vec![KEY];
    let moto_env = moto.env();
    env.extend(moto_env.iter().map(|(k, v)| (*k, v.as_str())));
    let out = redact(
        &[
            "--identifiers",
            path_str(&ids),
            "--output",
            "s3://dst/copies/",
            "s3://src/in/",
        ],
        &env,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["key"], "in/a.csv");
    assert_eq!(lines[0]["output"], "s3://dst/copies/in/a.csv");
    assert_eq!(lines[1]["status"], "SKIPPED");
    let listed = runtime.block_on(store.list("dst", "")).expect("list");
    assert_eq!(
        listed.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(),
        ["copies/in/a.csv"]
    );
    let copy = runtime
        .block_on(store.get("dst", "copies/in/a.csv"))
        .expect("get");
    assert_eq!(copy.as_deref(), Some(&b"id\n[Employee ID]\n"[..]));
}

// ---- the pipeline's redact policy -----------------------------------------------------

fn run_redact_batch<S: Store>(backend: &Backend<S>, batch: &str, env: &[(&str, &str)]) -> Output {
    let identifiers = repo("samples/identifiers.toml");
    backend.ferret(
        &[
            "pipeline",
            "run",
            "--batch-id",
            batch,
            "--identifiers",
            path_str(&identifiers),
            "--on-sensitive",
            "redact",
        ],
        env,
    )
}

const CPF_CSV_REDACTED: &[u8] = b"nome,cpf\nAna,[Brazil CPF]\n";
const JSON_DOC_REDACTED: &[u8] = br#"{"funcionario": {"cpf": "[Brazil CPF]"}}"#;

/// The pipeline's redact policy covers Parquet: on moto, the copy in scanned-data is
/// the redacted Parquet file (a scan finds nothing in it), the original waits for
/// review.
#[test]
fn a_redact_batch_puts_a_redacted_parquet_copy_in_the_lake() {
    let backend = s3_backend();
    backend.init();
    let original =
        std::fs::read(repo("tests/fixtures/parquet/customers_snappy.parquet")).expect("fixture");
    backend.put(&bucket("raw"), "lake/customers.parquet", &original, &[]);
    let out = run_redact_batch(&backend, "p1", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inventory = backend.inventory();
    assert_eq!(
        inventory[&bucket("manual-review")]["p1/lake/customers.parquet"],
        original,
        "the original waits for review"
    );
    let copy = &inventory[&bucket("scanned-data")]["lake/customers.parquet"];
    assert!(
        copy.starts_with(b"PAR1") && copy != &original,
        "a redacted copy"
    );
    let tags = backend.tags(&bucket("scanned-data"), "lake/customers.parquet");
    assert_eq!(tags["Redacted"], "true");
    let dir = tempfile::tempdir().expect("tempdir");
    let local = write(dir.path(), "customers.parquet", copy);
    let (code, records) = crate::scan::scan_custom(&[path_str(&local)]);
    assert_eq!(code, Some(0), "nothing left in the copy: {records:?}");
}

#[test]
fn a_redact_batch_routes_copies_and_originals_then_approve_and_deny_decide() {
    let backend = s3_backend();
    backend.init();
    let raw = bucket("raw");
    backend.put(&raw, "fr/a.csv", CPF_CSV, &[("Owner", "hr")]);
    backend.put(&raw, "b.json", JSON_DOC, &[]);
    backend.put(&raw, "clean.txt", CLEAN_TXT, &[]);
    backend.put(&raw, "broken.xlsx", b"PK\x03\x04 not a workbook", &[]);
    let out = run_redact_batch(&backend, "b1", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("summary");
    assert_eq!(summary["status"], "ManualReviewRequired");
    assert_eq!(
        summary["manualReviewKeys"],
        json!(["b.json", "broken.xlsx", "fr/a.csv"])
    );

    let inventory = backend.inventory();
    let review = &inventory[&bucket("manual-review")];
    let data = &inventory[&bucket("scanned-data")];
    assert_eq!(
        review["b1/fr/a.csv"], CPF_CSV,
        "the original waits for review"
    );
    assert_eq!(review["b1/b.json"], JSON_DOC);
    assert!(review.contains_key("b1/broken.xlsx"));
    assert_eq!(
        data["fr/a.csv"], CPF_CSV_REDACTED,
        "the redacted copy is in the lake"
    );
    assert_eq!(data["b.json"], JSON_DOC_REDACTED);
    assert_eq!(data["clean.txt"], CLEAN_TXT);
    assert!(
        !data.contains_key("broken.xlsx"),
        "SKIPPED objects are only reviewed"
    );
    assert_eq!(keys(&inventory, "scan-stage"), Vec::<String>::new());
    assert!(
        keys(&inventory, "scan-results")
            .iter()
            .all(|k| !k.contains("/redacted/")),
        "no copy left half-way: {:?}",
        keys(&inventory, "scan-results")
    );
    let tags = backend.tags(&bucket("scanned-data"), "fr/a.csv");
    assert_eq!(tags["Redacted"], "true");
    assert_eq!(tags["SensitiveDataFound"], "true");
    assert_eq!(tags["WorkflowId"], "b1");
    let original_tags = backend.tags(&bucket("manual-review"), "b1/fr/a.csv");
    assert_eq!(original_tags["Owner"], "hr");
    assert!(!original_tags.contains_key("Redacted"));

    // Run again: done, nothing moves.
    let again = run_redact_batch(&backend, "b1", &[]);
    assert!(again.status.success());
    assert_eq!(backend.inventory(), inventory);

    // Reviewers see types, counts and locations; a reveal shows the values to them
    // and records that it happened, without the values.
    let show = backend.ferret(
        &["review", "show", "--batch-id", "b1", "--format", "json"],
        &[],
    );
    assert!(
        show.status.success(),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    let shown: Value = serde_json::from_slice(&show.stdout).expect("json");
    let objects = shown["objects"].as_array().expect("objects");
    assert_eq!(objects.len(), 3);
    let csv = objects
        .iter()
        .find(|o| o["key"] == "fr/a.csv")
        .expect("fr/a.csv");
    assert_eq!(csv["status"], "COMPLETE");
    let cpf = csv["detections"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["name"] == "BRAZIL_CPF_NUMBER"))
        .expect("the managed CPF");
    assert_eq!(cpf["count"], 1);
    assert_eq!(cpf["occurrences"]["cells"][0]["row"], 2);
    assert!(csv.get("samples").is_none());
    assert!(!String::from_utf8_lossy(&show.stdout).contains("529.982.247-25"));
    let identifiers = repo("samples/identifiers.toml");
    let reveal = backend.ferret(
        &[
            "review",
            "show",
            "--batch-id",
            "b1",
            "--key",
            "fr/a.csv",
            "--reveal",
            "1",
            "--reviewer",
            "ana",
            "--format",
            "json",
            "--identifiers",
            path_str(&identifiers),
        ],
        &[],
    );
    assert!(
        reveal.status.success(),
        "{}",
        String::from_utf8_lossy(&reveal.stderr)
    );
    let revealed: Value = serde_json::from_slice(&reveal.stdout).expect("json");
    let samples = &revealed["objects"][0]["samples"];
    assert!(
        samples.as_array().is_some_and(|s| s
            .iter()
            .any(|s| s["name"] == "BRAZIL_CPF_NUMBER" && s["values"] == json!(["529.982.247-25"]))),
        "{samples}"
    );
    let too_many = backend.ferret(
        &["review", "show", "--batch-id", "b1", "--reveal", "11"],
        &[],
    );
    assert_eq!(too_many.status.code(), Some(2));
    let trail =
        String::from_utf8(backend.inventory()[&bucket("scan-results")]["b1/review.jsonl"].clone())
            .expect("utf-8");
    let record: Value = serde_json::from_str(trail.trim()).expect("one line");
    assert_eq!(record["decision"], "revealed");
    assert_eq!(record["reviewer"], "ana");
    assert_eq!(record["keys"], json!(["fr/a.csv"]));
    assert_eq!(record["occurrences"], 1);
    assert!(!trail.contains("529.982.247-25"), "values are never stored");

    // Approve puts the original in place of the copy; deny keeps the copy.
    let approve = backend.ferret(
        &[
            "review",
            "approve",
            "--batch-id",
            "b1",
            "--key",
            "fr/a.csv",
            "--reviewer",
            "ana",
        ],
        &[],
    );
    assert!(
        approve.status.success(),
        "{}",
        String::from_utf8_lossy(&approve.stderr)
    );
    let deny = backend.ferret(
        &[
            "review",
            "deny",
            "--batch-id",
            "b1",
            "--key",
            "b.json",
            "--reviewer",
            "bruno",
        ],
        &[],
    );
    assert!(
        deny.status.success(),
        "{}",
        String::from_utf8_lossy(&deny.stderr)
    );
    let inventory = backend.inventory();
    let data = &inventory[&bucket("scanned-data")];
    assert_eq!(data["fr/a.csv"], CPF_CSV);
    assert_eq!(data["b.json"], JSON_DOC_REDACTED);
    assert_eq!(keys(&inventory, "manual-review"), ["b1/broken.xlsx"]);
    let approved = backend.tags(&bucket("scanned-data"), "fr/a.csv");
    assert_eq!(approved["ReviewDecision"], "approved");
    assert!(!approved.contains_key("Redacted"), "{approved:?}");
}

/// Checks a finished redact batch of `objects`, where `sensitive(i)` says which hold a
/// CPF and the one whose key ends in `.xlsx` is corrupt: every original exactly once
/// (review or lake), a redacted copy of each sensitive one in the lake, nothing left
/// in scan-stage or half-way.
fn check_redact_batch<S: Store>(
    backend: &Backend<S>,
    objects: &[(String, Vec<u8>)],
    sensitive: impl Fn(usize) -> bool,
    at: &str,
) {
    let inventory = backend.inventory();
    assert!(keys(&inventory, "raw").is_empty(), "{at}: raw emptied");
    assert!(
        keys(&inventory, "scan-stage").is_empty(),
        "{at}: stage emptied"
    );
    assert!(
        keys(&inventory, "scan-results")
            .iter()
            .all(|k| !k.contains("/redacted/")),
        "{at}: no copy left half-way"
    );
    let review = &inventory[&bucket("manual-review")];
    let data = &inventory[&bucket("scanned-data")];
    let mut expected_review = 0;
    for (i, (key, body)) in objects.iter().enumerate() {
        let corrupt = key.ends_with(".xlsx");
        if sensitive(i) || corrupt {
            expected_review += 1;
            assert_eq!(
                review.get(&format!("b1/{key}")),
                Some(body),
                "{at}: {key} in review"
            );
        }
        if corrupt {
            assert!(!data.contains_key(key), "{at}: {key} only reviewed");
        } else if sensitive(i) {
            let copy = data
                .get(key)
                .unwrap_or_else(|| panic!("{at}: {key} has a copy"));
            let expected = String::from_utf8_lossy(body)
                .replace("529.982.247-25", "[Brazil CPF]")
                .replace("111.444.777-35", "[Brazil CPF]");
            assert_eq!(
                String::from_utf8_lossy(copy),
                expected,
                "{at}: {key} redacted"
            );
            assert_eq!(
                backend.tags(&bucket("scanned-data"), key)["Redacted"],
                "true",
                "{at}"
            );
        } else {
            assert_eq!(data.get(key), Some(body), "{at}: {key} clean in the lake");
        }
    }
    assert_eq!(
        review.len(),
        expected_review,
        "{at}: no duplicates in review"
    );
    assert_eq!(
        data.len(),
        objects.len() - 1,
        "{at}: no duplicates in the lake"
    );
}

fn kill_and_rerun<S: Store>(backend: &Backend<S>, crash_after: usize) {
    let killed = run_redact_batch(
        backend,
        "b1",
        &[("FERRET_CRASH_AFTER", &crash_after.to_string())],
    );
    assert_eq!(
        killed.status.signal(),
        Some(libc::SIGKILL),
        "crash point {crash_after}: killed by its crash point, not {:?} {}",
        killed.status,
        String::from_utf8_lossy(&killed.stderr)
    );
    let rerun = run_redact_batch(backend, "b1", &[]);
    assert!(
        rerun.status.success(),
        "rerun after {crash_after}: {}",
        String::from_utf8_lossy(&rerun.stderr)
    );
}

#[test]
fn a_redact_batch_killed_at_any_point_finishes_on_rerun_with_every_object_exactly_once() {
    let objects = crash_batch_objects();
    // 300 objects, 30 sensitive: staging 900 steps, results 901, routing 3 per move
    // plus, for each sensitive object, its copy's upload and move (4), summary 1922.
    let crash_points = [
        1, 450, 901, 902, 903, 904, 905, 906, 907, 908, 1500, 1920, 1921, 1922,
    ];
    for crash_after in crash_points {
        let backend = dir_backend();
        backend.init();
        for (key, body) in &objects {
            backend.put(&bucket("raw"), key, body, &[("Owner", "crash-test")]);
        }
        kill_and_rerun(&backend, crash_after);
        check_redact_batch(
            &backend,
            &objects,
            |i| i % 10 == 0,
            &format!("crash point {crash_after}"),
        );
    }
}

#[test]
fn a_redact_batch_on_s3_killed_at_every_step_finishes_on_rerun() {
    let objects: Vec<(String, Vec<u8>)> = vec![
        ("a/1.csv".to_owned(), CPF_CSV.to_vec()),
        ("a/2.txt".to_owned(), CLEAN_TXT.to_vec()),
        ("b/3.json".to_owned(), JSON_DOC.to_vec()),
        ("b/4.xlsx".to_owned(), b"PK\x03\x04 broken".to_vec()),
    ];
    // Staging 12 steps, results 13, routing 12 + 4 for each of the 2 copies, summary 34.
    for crash_after in 1..=34 {
        let backend = s3_backend();
        backend.init();
        for (key, body) in &objects {
            backend.put(&bucket("raw"), key, body, &[]);
        }
        kill_and_rerun(&backend, crash_after);
        check_redact_batch(
            &backend,
            &objects,
            |i| i == 0 || i == 2,
            &format!("S3 crash point {crash_after}"),
        );
    }
}
