//! Security Hub: `BatchImportFindings` in the AWS Security Finding Format (ASFF), one
//! finding per sensitive object, shaped as Macie's own: the object is an `AwsS3Object`
//! resource whose `DataClassification` carries the classification result (status,
//! detections, counts and occurrences), and the severity label is the record's.
//!
//! The finding id is derived from the object's bucket and key only, so scanning the same
//! object again (another `ferret scan`, another batch) imports a finding with the same id,
//! which Security Hub treats as an update of the existing one rather than a new finding.

use md5::{Digest, Md5};
use serde_json::{json, Value};

use super::{object_name, with_retries, TargetReport};
use crate::aws_json::AwsJsonClient;
use ferret_scanner::result::Occurrences;
use ferret_scanner::ResultRecord;

/// ASFF's schema version.
const SCHEMA_VERSION: &str = "2018-10-08";

/// Findings per `BatchImportFindings` request (Security Hub's limit).
const MAX_FINDINGS: usize = 100;

/// Occurrences listed per detection in a finding: Security Hub keeps a finding under
/// 240 KB, and the result records hold the full list.
const MAX_OCCURRENCES: usize = 100;

/// The account and region findings are imported into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingContext {
    pub account: String,
    pub region: String,
    pub partition: &'static str,
}

impl FindingContext {
    pub fn new(account: &str, region: &str) -> FindingContext {
        let partition = if region.starts_with("cn-") {
            "aws-cn"
        } else if region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        FindingContext {
            account: account.to_owned(),
            region: region.to_owned(),
            partition,
        }
    }

    /// The account's default product: where a customer's own findings are imported.
    fn product_arn(&self) -> String {
        format!(
            "arn:{}:securityhub:{}:{}:product/{}/default",
            self.partition, self.region, self.account, self.account
        )
    }
}

/// The stable id of the finding for an object: `ferret/s3/<md5 of bucket/key>` (or of
/// the local path), the same for every scan of that object.
pub fn finding_id(record: &ResultRecord) -> String {
    let digest = Md5::digest(object_name(record).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("ferret/s3/{hex}")
}

/// The ASFF finding for a sensitive record, updated at `now` (RFC 3339). `results` is
/// where the record itself was written (`s3://bucket/key`), when it was written to S3:
/// Macie's findings point there from `DetailedResultsLocation`.
pub fn asff_finding(
    context: &FindingContext,
    record: &ResultRecord,
    now: &str,
    results: Option<&str>,
) -> Value {
    let object = &record.resources_affected.s3_object;
    let severity = record.severity.as_ref();
    let label = severity.map_or("INFORMATIONAL", |s| match s.score {
        3.. => "HIGH",
        2 => "MEDIUM",
        1 => "LOW",
        0 => "INFORMATIONAL",
    });
    let finding_type = record.finding_type.as_deref().unwrap_or("SensitiveData");
    let (resource_type, resource_id) = match &record.resources_affected.s3_bucket {
        Some(_) => (
            "AwsS3Object",
            format!("arn:{}:s3:::{}", context.partition, object.path),
        ),
        None => ("Other", object.path.clone()),
    };
    let mut details = json!({ "ContentType": record.classification_details.result.mime_type });
    if let Some(e_tag) = &object.e_tag {
        details["ETag"] = json!(e_tag);
    }
    let mut classification = data_classification(record);
    if let Some(results) = results {
        classification["DetailedResultsLocation"] = json!(results);
    }
    let mut resources = vec![json!({
        "Type": resource_type,
        "Id": resource_id,
        "Partition": context.partition,
        "Region": context.region,
        "Details": { "AwsS3Object": details },
        "DataClassification": classification,
    })];
    // Macie's findings name the bucket as a resource of its own, beside the object.
    if let Some(bucket) = &record.resources_affected.s3_bucket {
        resources.push(json!({
            "Type": "AwsS3Bucket",
            "Id": format!("arn:{}:s3:::{}", context.partition, bucket.name),
            "Partition": context.partition,
            "Region": context.region,
            "Details": { "AwsS3Bucket": { "Name": bucket.name } },
        }));
    }
    json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(record),
        "ProductArn": context.product_arn(),
        "GeneratorId": "ferret",
        "AwsAccountId": context.account,
        "Types": [asff_type(finding_type)],
        "CreatedAt": now,
        "UpdatedAt": now,
        "Severity": {
            "Label": label,
            "Original": severity.map_or("", |s| s.description.as_str()),
        },
        "Title": title(finding_type),
        "Description": format!(
            "ferret found sensitive data in {}: {}.",
            object_name(record),
            finding_type
        ),
        "ProductFields": product_fields(record),
        "Resources": resources,
        "RecordState": "ACTIVE",
        "Workflow": { "Status": "NEW" },
    })
}

/// Macie's finding types map to ASFF's type taxonomy as Macie maps them.
fn asff_type(finding_type: &str) -> &'static str {
    match finding_type.rsplit('/').next() {
        Some("Personal") => "Sensitive Data Identifications/PII",
        Some("Financial") => "Sensitive Data Identifications/Financial",
        Some("Credentials") => "Sensitive Data Identifications/Passwords",
        _ => "Sensitive Data Identifications",
    }
}

fn title(finding_type: &str) -> &'static str {
    match finding_type.rsplit('/').next() {
        Some("Personal") => "The S3 object contains personal information.",
        Some("Financial") => "The S3 object contains financial information.",
        Some("Credentials") => "The S3 object contains credentials data.",
        Some("CustomIdentifier") => {
            "The S3 object contains text that matches a custom data identifier."
        }
        _ => "The S3 object contains multiple types of sensitive information.",
    }
}

/// Strings only, as ASFF requires.
fn product_fields(record: &ResultRecord) -> Value {
    let mut fields = json!({
        "ferret/findingType": record.finding_type.clone().unwrap_or_default(),
    });
    if let Some(job) = &record.classification_details.job_id {
        fields["ferret/jobId"] = json!(job);
    }
    fields
}

/// The classification result as ASFF's `DataClassificationDetails` spell it.
fn data_classification(record: &ResultRecord) -> Value {
    let result = &record.classification_details.result;
    let mut additional = result.additional_occurrences;
    let mut occurrences = |o: &Occurrences| {
        additional |= o.len() > MAX_OCCURRENCES;
        asff_occurrences(o)
    };
    let custom: Vec<Value> = result
        .custom_data_identifiers
        .detections
        .iter()
        .map(|d| {
            json!({
                "Name": d.name,
                "Count": d.count,
                "Occurrences": occurrences(&d.occurrences),
            })
        })
        .collect();
    let sensitive: Vec<Value> = result
        .sensitive_data
        .iter()
        .map(|category| {
            json!({
                "Category": category.category,
                "TotalCount": category.total_count,
                "Detections": category.detections.iter().map(|d| json!({
                    "Type": d.detection_type,
                    "Count": d.count,
                    "Occurrences": occurrences(&d.occurrences),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut status = json!({ "Code": result.status.code.as_str() });
    if let Some(reason) = &result.status.reason {
        status["Reason"] = json!(reason.as_str());
    }
    json!({
        "Result": {
            "MimeType": result.mime_type,
            "SizeClassified": result.size_classified,
            "AdditionalOccurrences": additional,
            "Status": status,
            "CustomDataIdentifiers": {
                "TotalCount": result.custom_data_identifiers.total_count,
                "Detections": custom,
            },
            "SensitiveData": sensitive,
        }
    })
}

/// ASFF's `Occurrences`: the first [`MAX_OCCURRENCES`] of the record's, in its order.
fn asff_occurrences(occurrences: &Occurrences) -> Value {
    let cells: Vec<Value> = occurrences
        .cells
        .iter()
        .take(MAX_OCCURRENCES)
        .map(|c| {
            let mut cell = json!({ "Row": c.row, "Column": c.column });
            if let Some(name) = &c.column_name {
                cell["ColumnName"] = json!(name);
            }
            if let Some(reference) = &c.cell_reference {
                cell["CellReference"] = json!(reference);
            }
            cell
        })
        .collect();
    let room = MAX_OCCURRENCES - cells.len();
    let lines: Vec<Value> = occurrences
        .line_ranges
        .iter()
        .take(room)
        .map(|l| json!({ "Start": l.start, "End": l.end, "StartColumn": l.start_column }))
        .collect();
    let room = room - lines.len();
    let records: Vec<Value> = occurrences
        .records
        .iter()
        .take(room)
        .map(|r| {
            let mut record = json!({ "RecordIndex": r.record_index });
            if let Some(path) = &r.json_path {
                record["JsonPath"] = json!(path);
            }
            record
        })
        .collect();
    json!({
        "Cells": cells,
        "LineRanges": lines,
        "OffsetRanges": [],
        "Pages": [],
        "Records": records,
    })
}

/// Imports one finding per record, 100 per request; failed findings are retried.
pub(super) async fn publish(
    client: &AwsJsonClient,
    context: &FindingContext,
    records: &[&ResultRecord],
    results: Option<&str>,
    report: &mut TargetReport,
) {
    let now = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
    for chunk in records.chunks(MAX_FINDINGS) {
        let mut pending: Vec<(String, Value)> = chunk
            .iter()
            .map(|r| (object_name(r), asff_finding(context, r, &now, results)))
            .collect();
        for attempt in 1..=super::ATTEMPTS {
            let body = json!({ "Findings": pending.iter().map(|p| &p.1).collect::<Vec<_>>() });
            let answer = with_retries(|| {
                client.post(
                    "securityhub",
                    "/findings/import",
                    &[],
                    "application/json",
                    body.to_string().into_bytes(),
                )
            })
            .await;
            let answer = match answer {
                Ok(answer) => answer,
                Err(error) => {
                    for (name, _) in &pending {
                        report.fail(1, format!("{name}: {error}"));
                    }
                    break;
                }
            };
            let failed: Vec<(String, String)> = answer
                .get("FailedFindings")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .map(|f| {
                            let field = |n| f.get(n).and_then(Value::as_str).unwrap_or("");
                            (
                                field("Id").to_owned(),
                                format!("{} {}", field("ErrorCode"), field("ErrorMessage")),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let before = pending.len();
            let mut retry = Vec::new();
            for (name, finding) in pending {
                let id = finding["Id"].as_str().unwrap_or_default();
                match failed.iter().find(|(failed_id, _)| failed_id == id) {
                    Some((_, error)) if attempt == super::ATTEMPTS => {
                        report.fail(1, format!("{name}: Security Hub: {}", error.trim()));
                    }
                    Some(_) => retry.push((name, finding)),
                    None => report.published += 1,
                }
            }
            if retry.is_empty() {
                break;
            }
            tracing::warn!(
                failed = retry.len(),
                of = before,
                attempt,
                "Security Hub: retrying failed findings"
            );
            tokio::time::sleep(super::BACKOFF * attempt).await;
            pending = retry;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::eventbridge::tests::record;

    #[test]
    fn the_object_and_its_bucket_are_resources_as_in_macies_findings() {
        let context = FindingContext::new("123456789012", "eu-west-3");
        let results = "s3://p-data-pipeline-scan-results/b1/results.jsonl.gz";
        let finding = asff_finding(&context, &record(2), "2026-01-01T00:00:00Z", Some(results));
        let resources = finding["Resources"].as_array().expect("resources");
        assert_eq!(resources.len(), 2);
        assert_eq!(resources[0]["Type"], "AwsS3Object");
        assert_eq!(resources[0]["Id"], "arn:aws:s3:::b/k.txt");
        assert_eq!(
            resources[0]["DataClassification"]["DetailedResultsLocation"],
            results
        );
        assert_eq!(resources[1]["Type"], "AwsS3Bucket");
        assert_eq!(resources[1]["Id"], "arn:aws:s3:::b");
        assert_eq!(resources[1]["Details"]["AwsS3Bucket"]["Name"], "b");
        assert_eq!(resources[1]["Region"], "eu-west-3");
    }

    #[test]
    fn a_record_not_written_to_s3_names_no_results_location() {
        let context = FindingContext::new("123456789012", "us-east-1");
        let finding = asff_finding(&context, &record(1), "2026-01-01T00:00:00Z", None);
        let classification = &finding["Resources"][0]["DataClassification"];
        assert!(classification.get("DetailedResultsLocation").is_none());
        assert_eq!(
            classification["Result"]["CustomDataIdentifiers"]["TotalCount"],
            4
        );
    }
}
