//! `--findings`: events through a real EventBridge rule to an SQS queue, and Security Hub
//! findings read back with GetFindings (moto server on loopback).

use std::process::{Command, Output};

use crate::common::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_sqs::types::QueueAttributeName;
use ferret_integrations::aws_json::AwsJsonClient;
use ferret_scanner::ResultRecord;
use ferret_testkit::Moto;
use serde_json::{json, Value};

const BUCKET: &str = "acme-findings";
const SENSITIVE: &str = "br/empresa brasileira.csv";
const CLEAN: &str = "public/inventario_publico.csv";

/// A bucket with one sensitive and one clean object.
fn bucket(moto: &Moto, runtime: &tokio::runtime::Runtime) {
    let s3 = moto.s3();
    runtime
        .block_on(s3.create_bucket().bucket(BUCKET).send())
        .expect("bucket created");
    for (key, sample) in [
        (SENSITIVE, "samples/empresa_brasileira.csv"),
        (CLEAN, "samples/inventario_publico.csv"),
    ] {
        let body = std::fs::read(repo(sample)).expect("sample");
        runtime
            .block_on(
                s3.put_object()
                    .bucket(BUCKET)
                    .key(key)
                    .body(ByteStream::from(body))
                    .send(),
            )
            .expect("object put");
    }
}

fn scan(moto: &Moto, findings: &[&str]) -> Output {
    let identifiers = repo("samples/identifiers.toml");
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferret"));
    command
        .arg("scan")
        .args(["--identifiers", path_str(&identifiers), "--managed", "none"]);
    for target in findings {
        command.args(["--findings", target]);
    }
    command
        .arg(format!("s3://{BUCKET}"))
        .envs(moto.env())
        .output()
        .expect("ferret runs")
}

/// Calls an EventBridge action (awsJson1.1) with ferret's own signed client.
fn events(
    runtime: &tokio::runtime::Runtime,
    client: &AwsJsonClient,
    action: &str,
    body: Value,
) -> Value {
    let target = format!("AWSEvents.{action}");
    runtime
        .block_on(client.post(
            "events",
            "/",
            &[("x-amz-target", &target)],
            "application/x-amz-json-1.1",
            body.to_string().into_bytes(),
        ))
        .unwrap_or_else(|e| panic!("{action}: {e}"))
}

fn security_hub_findings(runtime: &tokio::runtime::Runtime, client: &AwsJsonClient) -> Vec<Value> {
    let answer = runtime
        .block_on(client.post(
            "securityhub",
            "/findings",
            &[],
            "application/json",
            b"{}".to_vec(),
        ))
        .expect("GetFindings");
    answer["Findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_sensitive_objects_event_reaches_a_queue_through_a_rule_as_its_result_record() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    bucket(&moto, &runtime);
    let client = AwsJsonClient::new(&moto.sdk_config()).expect("client");
    let sqs = moto.sqs();
    let queue_url = runtime
        .block_on(sqs.create_queue().queue_name("findings").send())
        .expect("queue")
        .queue_url
        .expect("queue url");
    let queue_arn = runtime
        .block_on(
            sqs.get_queue_attributes()
                .queue_url(&queue_url)
                .attribute_names(QueueAttributeName::QueueArn)
                .send(),
        )
        .expect("attributes")
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .expect("queue arn");
    events(
        &runtime,
        &client,
        "PutRule",
        json!({
            "Name": "ferret-findings",
            "EventPattern": json!({"source": ["ferret"], "detail-type": ["Sensitive Data Finding"]}).to_string(),
            "State": "ENABLED",
        }),
    );
    events(
        &runtime,
        &client,
        "PutTargets",
        json!({"Rule": "ferret-findings", "Targets": [{"Id": "queue", "Arn": queue_arn}]}),
    );

    let out = scan(&moto, &["eventbridge"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = records(&out);
    assert_eq!(printed.len(), 2);

    let received = runtime
        .block_on(
            sqs.receive_message()
                .queue_url(&queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(5)
                .send(),
        )
        .expect("receive")
        .messages
        .unwrap_or_default();
    assert_eq!(
        received.len(),
        1,
        "one event per sensitive object, none for clean ones"
    );
    let event: Value = serde_json::from_str(received[0].body().expect("body")).expect("event JSON");
    assert_eq!(event["source"], "ferret");
    assert_eq!(event["detail-type"], "Sensitive Data Finding");
    assert_eq!(
        event["resources"],
        json!([format!("arn:aws:s3:::{BUCKET}/{SENSITIVE}")])
    );
    let record: ResultRecord =
        serde_json::from_value(event["detail"].clone()).expect("the detail is a result record");
    assert_eq!(record.resources_affected.s3_object.key, SENSITIVE);
    assert!(record.is_sensitive());
    let printed_record: ResultRecord = serde_json::from_value(
        printed
            .iter()
            .find(|r| r["resourcesAffected"]["s3Object"]["key"] == SENSITIVE)
            .cloned()
            .expect("printed"),
    )
    .expect("record");
    assert_eq!(
        record, printed_record,
        "the event carries the record as written"
    );
}

#[test]
fn a_rescan_updates_the_one_security_hub_finding_of_an_object() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    bucket(&moto, &runtime);
    let client = AwsJsonClient::new(&moto.sdk_config()).expect("client");

    let first = scan(&moto, &["securityhub"]);
    assert_eq!(
        first.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let record = records(&first)
        .into_iter()
        .find(|r| r["resourcesAffected"]["s3Object"]["key"] == SENSITIVE)
        .expect("the sensitive object's record");
    let findings = security_hub_findings(&runtime, &client);
    assert_eq!(
        findings.len(),
        1,
        "one finding per sensitive object: {findings:#?}"
    );
    let finding = &findings[0];
    assert_eq!(finding["SchemaVersion"], "2018-10-08");
    let severity = record["severity"]["description"]
        .as_str()
        .expect("severity");
    assert_eq!(finding["Severity"]["Label"], severity.to_uppercase());
    let resource = &finding["Resources"][0];
    assert_eq!(resource["Type"], "AwsS3Object");
    assert_eq!(resource["Id"], format!("arn:aws:s3:::{BUCKET}/{SENSITIVE}"));
    let bucket = &finding["Resources"][1];
    assert_eq!(bucket["Type"], "AwsS3Bucket");
    assert_eq!(bucket["Id"], format!("arn:aws:s3:::{BUCKET}"));
    let result = &resource["DataClassification"]["Result"];
    assert_eq!(result["Status"]["Code"], "COMPLETE");
    assert_eq!(result["MimeType"], "text/csv");
    let detections = result["CustomDataIdentifiers"]["Detections"]
        .as_array()
        .expect("detections");
    let cpf = detections
        .iter()
        .find(|d| d["Name"] == "Brazil CPF")
        .expect("the CPF detection");
    assert!(cpf["Count"].as_u64().expect("count") > 0);
    assert!(!cpf["Occurrences"]["Cells"]
        .as_array()
        .expect("cells")
        .is_empty());
    let first_update = finding["UpdatedAt"].as_str().expect("UpdatedAt").to_owned();

    let second = scan(&moto, &["securityhub"]);
    assert_eq!(second.status.code(), Some(1));
    let findings = security_hub_findings(&runtime, &client);
    assert_eq!(
        findings.len(),
        1,
        "the rescan updated the finding, added none"
    );
    assert_eq!(findings[0]["Id"], finding["Id"]);
    let second_update = findings[0]["UpdatedAt"].as_str().expect("UpdatedAt");
    assert!(
        second_update > first_update.as_str(),
        "{second_update} after {first_update}"
    );
}

#[test]
fn findings_that_cannot_be_published_are_reported_and_the_results_kept() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    bucket(&moto, &runtime);
    let out = scan(&moto, &["eventbridge:no-such-bus"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "publishing failed: exit status 2"
    );
    assert_eq!(records(&out).len(), 2, "every result is still written");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 findings could not be published"),
        "{stderr}"
    );
    assert!(stderr.contains(SENSITIVE), "names the object: {stderr}");
}

#[test]
fn a_batch_whose_findings_cannot_be_published_is_routed_all_the_same_and_says_so() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let s3 = moto.s3();
    let bucket = |name: &str| format!("fb-data-pipeline-{name}");
    for name in [
        "raw",
        "scan-stage",
        "manual-review",
        "scanned-data",
        "scan-results",
    ] {
        runtime
            .block_on(s3.create_bucket().bucket(bucket(name)).send())
            .expect("bucket");
    }
    let body = std::fs::read(repo("samples/empresa_brasileira.csv")).expect("sample");
    runtime
        .block_on(
            s3.put_object()
                .bucket(bucket("raw"))
                .key("br/a.csv")
                .body(ByteStream::from(body))
                .send(),
        )
        .expect("put");
    let identifiers = repo("samples/identifiers.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_ferret"))
        .args([
            "pipeline",
            "run",
            "--batch-id",
            "b1",
            "--store",
            "s3",
            "--prefix",
            "fb",
        ])
        .args(["--identifiers", path_str(&identifiers), "--managed", "none"])
        .args(["--findings", "eventbridge:no-such-bus"])
        .envs(moto.env())
        .output()
        .expect("ferret runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("the summary");
    assert_eq!(summary["status"], "ManualReviewRequired");
    assert_eq!(summary["findings"]["eventbridge"]["published"], 0);
    assert_eq!(summary["findings"]["eventbridge"]["failed"], 1);
    let held = runtime
        .block_on(s3.list_objects_v2().bucket(bucket("manual-review")).send())
        .expect("list");
    let keys: Vec<_> = held.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["b1/br/a.csv"], "routed as without --findings");
}

#[test]
fn a_batchs_security_hub_finding_points_at_its_results_and_names_the_bucket() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let s3 = moto.s3();
    let bucket = |name: &str| format!("fr-data-pipeline-{name}");
    for name in [
        "raw",
        "scan-stage",
        "manual-review",
        "scanned-data",
        "scan-results",
    ] {
        runtime
            .block_on(s3.create_bucket().bucket(bucket(name)).send())
            .expect("bucket");
    }
    let body = std::fs::read(repo("samples/empresa_brasileira.csv")).expect("sample");
    runtime
        .block_on(
            s3.put_object()
                .bucket(bucket("raw"))
                .key("br/a.csv")
                .body(ByteStream::from(body))
                .send(),
        )
        .expect("put");
    let identifiers = repo("samples/identifiers.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_ferret"))
        .args(["pipeline", "run", "--batch-id", "b1"])
        .args(["--store", "s3", "--prefix", "fr"])
        .args(["--identifiers", path_str(&identifiers), "--managed", "none"])
        .args(["--findings", "securityhub"])
        .envs(moto.env())
        .output()
        .expect("ferret runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let client = AwsJsonClient::new(&moto.sdk_config()).expect("client");
    let findings = security_hub_findings(&runtime, &client);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let resources = findings[0]["Resources"].as_array().expect("resources");
    assert_eq!(
        resources.len(),
        2,
        "the object and its bucket: {resources:#?}"
    );
    assert_eq!(resources[0]["Type"], "AwsS3Object");
    assert_eq!(
        resources[0]["DataClassification"]["DetailedResultsLocation"],
        format!("s3://{}/b1/results.jsonl.gz", bucket("scan-results"))
    );
    assert_eq!(resources[1]["Type"], "AwsS3Bucket");
    let bucket_arn = resources[1]["Id"].as_str().expect("the bucket's ARN");
    let object_arn = resources[0]["Id"].as_str().expect("the object's ARN");
    assert!(
        object_arn.starts_with(&format!("{bucket_arn}/")),
        "{object_arn} is in {bucket_arn}"
    );
}
