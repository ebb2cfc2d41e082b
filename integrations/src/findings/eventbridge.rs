//! EventBridge: one `PutEvents` entry per sensitive object, `Source` `ferret`,
//! `DetailType` `Sensitive Data Finding`, the result record as `Detail`.
//!
//! An entry may not exceed 256 KB. A record listing up to 1000 occurrences per detection
//! can, so [`event_detail`] lists fewer (the same number for every detection, as many as
//! fit) and sets `additionalOccurrences`, as the record itself does beyond
//! `--max-occurrences`; counts stay exact.

use std::time::Duration;

use ferret_scanner::result::Occurrences;
use ferret_scanner::ResultRecord;
use serde_json::{json, Value};

use super::{object_name, with_retries, TargetReport, ATTEMPTS, BACKOFF};
use crate::aws_json::{AwsJsonClient, CallError};

/// The events' `Source`.
pub const SOURCE: &str = "ferret";

/// The events' `DetailType`.
pub const DETAIL_TYPE: &str = "Sensitive Data Finding";

/// EventBridge's limit on one entry, and on a whole `PutEvents` request.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// EventBridge's limit on entries per `PutEvents` request.
const MAX_ENTRIES: usize = 10;

/// The `Detail` of the event for `record`, cut to fit one entry with `resources`: the
/// record as it is when it fits, otherwise with fewer occurrences listed per detection
/// and `additionalOccurrences` true. `None` when not even a record with no occurrences
/// listed fits.
pub fn event_detail(record: &ResultRecord, resources: &[String]) -> Option<String> {
    let fixed = SOURCE.len() + DETAIL_TYPE.len() + resources.iter().map(String::len).sum::<usize>();
    let fits = |detail: &str| fixed + detail.len() <= MAX_EVENT_BYTES;
    let whole = serde_json::to_string(record).ok()?;
    if fits(&whole) {
        return Some(whole);
    }
    // The most occurrences per detection that fit, by bisection: the size grows with it.
    let most = most_listed(record);
    let (mut low, mut high) = (0usize, most);
    let mut best = None;
    while low <= high {
        let mid = low + (high - low) / 2;
        let detail = serde_json::to_string(&cut(record, mid)).ok()?;
        if fits(&detail) {
            best = Some(detail);
            low = mid + 1;
        } else if mid == 0 {
            break;
        } else {
            high = mid - 1;
        }
    }
    best
}

/// The most occurrences any detection of `record` lists.
fn most_listed(record: &ResultRecord) -> usize {
    let result = &record.classification_details.result;
    result
        .custom_data_identifiers
        .detections
        .iter()
        .map(|d| d.occurrences.len())
        .chain(
            result
                .sensitive_data
                .iter()
                .flat_map(|c| c.detections.iter().map(|d| d.occurrences.len())),
        )
        .max()
        .unwrap_or(0)
}

/// `record` with at most `listed` occurrences per detection.
fn cut(record: &ResultRecord, listed: usize) -> ResultRecord {
    let mut record = record.clone();
    let result = &mut record.classification_details.result;
    let mut cut_any = false;
    for detection in &mut result.custom_data_identifiers.detections {
        cut_any |= keep_first(&mut detection.occurrences, listed);
    }
    for category in &mut result.sensitive_data {
        for detection in &mut category.detections {
            cut_any |= keep_first(&mut detection.occurrences, listed);
        }
    }
    result.additional_occurrences |= cut_any;
    record
}

/// Keeps the first `n` occurrences (cells, then line ranges, then records); true when
/// some were dropped.
fn keep_first(occurrences: &mut Occurrences, n: usize) -> bool {
    if occurrences.len() <= n {
        return false;
    }
    let cells = occurrences.cells.len().min(n);
    occurrences.cells.truncate(cells);
    let lines = occurrences.line_ranges.len().min(n - cells);
    occurrences.line_ranges.truncate(lines);
    occurrences.records.truncate(n - cells - lines);
    true
}

/// The ARN of the object a record describes, for the event's `Resources`.
fn resources(record: &ResultRecord) -> Vec<String> {
    match &record.resources_affected.s3_bucket {
        Some(_) => vec![format!(
            "arn:aws:s3:::{}",
            record.resources_affected.s3_object.path
        )],
        None => Vec::new(),
    }
}

/// Publishes one event per record to `bus`.
pub(super) async fn publish(
    client: &AwsJsonClient,
    bus: &str,
    records: &[&ResultRecord],
    report: &mut TargetReport,
) {
    let mut entries = Vec::with_capacity(records.len());
    for record in records {
        let resources = resources(record);
        match event_detail(record, &resources) {
            Some(detail) => entries.push((
                object_name(record),
                detail.len() + SOURCE.len() + DETAIL_TYPE.len(),
                json!({
                    "Source": SOURCE,
                    "DetailType": DETAIL_TYPE,
                    "Detail": detail,
                    "Resources": resources,
                    "EventBusName": bus,
                }),
            )),
            None => report.fail(
                1,
                format!(
                    "{}: too many detections for one 256 KB event",
                    object_name(record)
                ),
            ),
        }
    }
    // Requests of at most 10 entries and 256 KB.
    let mut start = 0;
    while start < entries.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < entries.len()
            && end - start < MAX_ENTRIES
            && (end == start || bytes + entries[end].1 <= MAX_EVENT_BYTES)
        {
            bytes += entries[end].1;
            end += 1;
        }
        put_events(client, &entries[start..end], report).await;
        start = end;
    }
}

/// Sends `entries`, then again those EventBridge failed, up to [`ATTEMPTS`] in all.
async fn put_events(
    client: &AwsJsonClient,
    entries: &[(String, usize, Value)],
    report: &mut TargetReport,
) {
    let mut pending: Vec<&(String, usize, Value)> = entries.iter().collect();
    let mut wait = BACKOFF;
    for attempt in 1..=ATTEMPTS {
        let body = json!({ "Entries": pending.iter().map(|e| &e.2).collect::<Vec<_>>() });
        let answer = with_retries(|| {
            client.post(
                "events",
                "/",
                &[("x-amz-target", "AWSEvents.PutEvents")],
                "application/x-amz-json-1.1",
                body.to_string().into_bytes(),
            )
        })
        .await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                fail_all(report, &pending, &error);
                return;
            }
        };
        let results = answer
            .get("Entries")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut failed = Vec::new();
        for (i, entry) in pending.iter().enumerate() {
            match results.get(i) {
                Some(result) if result.get("EventId").is_some_and(|id| !id.is_null()) => {
                    report.published += 1;
                }
                Some(result) => failed.push((*entry, entry_error(result))),
                None => failed.push((*entry, "no result for this entry".to_owned())),
            }
        }
        if failed.is_empty() {
            return;
        }
        if attempt == ATTEMPTS {
            for (entry, error) in failed {
                report.fail(1, format!("{}: EventBridge: {error}", entry.0));
            }
            return;
        }
        tracing::warn!(
            failed = failed.len(),
            attempt,
            "EventBridge: retrying failed entries"
        );
        pending = failed.into_iter().map(|(entry, _)| entry).collect();
        tokio::time::sleep(wait).await;
        wait = wait.saturating_mul(2).min(Duration::from_secs(5));
    }
}

fn entry_error(result: &Value) -> String {
    let field = |name| result.get(name).and_then(Value::as_str).unwrap_or("");
    format!("{} {}", field("ErrorCode"), field("ErrorMessage"))
        .trim()
        .to_owned()
}

fn fail_all(report: &mut TargetReport, entries: &[&(String, usize, Value)], error: &CallError) {
    for entry in entries {
        report.fail(1, format!("{}: {error}", entry.0));
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use ferret_scanner::result::{
        ClassificationDetails, ClassificationResult, CustomDataIdentifiers, CustomDetection,
        LineRange, ResourcesAffected, S3Bucket, S3Object, SeveritySummary, Status,
    };

    /// A sensitive record of `b/k.txt`: four custom detections of `lines` lines each.
    pub(in crate::findings) fn record(lines: usize) -> ResultRecord {
        let occurrences = Occurrences {
            line_ranges: (0..lines as u64)
                .map(|i| LineRange {
                    start: i + 1,
                    end: i + 1,
                    start_column: 1,
                    file_member: None,
                })
                .collect(),
            ..Occurrences::default()
        };
        ResultRecord {
            schema_version: "1.0".to_owned(),
            resources_affected: ResourcesAffected {
                s3_bucket: Some(S3Bucket {
                    name: "b".to_owned(),
                }),
                s3_object: S3Object {
                    key: "k.txt".to_owned(),
                    path: "b/k.txt".to_owned(),
                    extension: "txt".to_owned(),
                    size: 10,
                    e_tag: None,
                },
            },
            finding_type: Some("SensitiveData:S3Object/CustomIdentifier".to_owned()),
            severity: Some(SeveritySummary {
                score: 2,
                description: "Medium".to_owned(),
            }),
            classification_details: ClassificationDetails {
                job_id: None,
                result: ClassificationResult {
                    status: Status::complete(),
                    mime_type: "text/plain".to_owned(),
                    size_classified: 10,
                    additional_occurrences: false,
                    custom_data_identifiers: CustomDataIdentifiers {
                        total_count: lines as u64 * 4,
                        detections: (0..4)
                            .map(|i| CustomDetection {
                                name: format!("ID-{i}"),
                                count: lines as u64,
                                severity: Some("MEDIUM".to_owned()),
                                occurrences: occurrences.clone(),
                            })
                            .collect(),
                    },
                    sensitive_data: Vec::new(),
                },
            },
        }
    }

    #[test]
    fn a_record_that_fits_is_sent_as_it_is() {
        let small = record(3);
        let detail = event_detail(&small, &[]).expect("fits");
        let back: ResultRecord = serde_json::from_str(&detail).expect("a record");
        assert_eq!(back, small);
    }

    #[test]
    fn a_large_record_is_cut_to_the_limit_with_counts_kept() {
        let large = record(5000);
        assert!(serde_json::to_string(&large).expect("json").len() > MAX_EVENT_BYTES);
        let resources = vec!["arn:aws:s3:::b/k.txt".to_owned()];
        let detail = event_detail(&large, &resources).expect("fits once cut");
        assert!(detail.len() + SOURCE.len() + DETAIL_TYPE.len() + 20 <= MAX_EVENT_BYTES);
        let back: ResultRecord = serde_json::from_str(&detail).expect("a record");
        let result = &back.classification_details.result;
        assert!(result.additional_occurrences);
        for detection in &result.custom_data_identifiers.detections {
            assert_eq!(detection.count, 5000);
            assert!(detection.occurrences.len() < 5000);
            assert!(!detection.occurrences.is_empty());
        }
        // As many as fit: one more per detection would not.
        let listed = result.custom_data_identifiers.detections[0]
            .occurrences
            .len();
        let more = serde_json::to_string(&cut(&large, listed + 1)).expect("json");
        assert!(
            more.len() + SOURCE.len() + DETAIL_TYPE.len() + resources[0].len() > MAX_EVENT_BYTES
        );
    }
}
