//! A compact table of results for people (`--format table`).

use std::fmt::Write;

use crate::result::ResultRecord;

/// The header line of the table.
pub fn header() -> String {
    format!(
        "{:<50} {:<8} {:<8} {}",
        "OBJECT", "STATUS", "SEVERITY", "DETECTIONS"
    )
}

/// One line per object: path, status, severity and `name=count` per detection, then
/// the status's reason, if any. Rows are written as results come, so only the last
/// column may be of any width: the reason goes there, not beside the status.
pub fn row(record: &ResultRecord) -> String {
    let result = &record.classification_details.result;
    let severity = record
        .severity
        .as_ref()
        .map_or("-", |s| s.description.as_str());
    let mut detections: Vec<String> = result
        .custom_data_identifiers
        .detections
        .iter()
        .map(|d| format!("{}={}", d.name, d.count))
        .collect();
    detections.extend(
        result
            .sensitive_data
            .iter()
            .flat_map(|c| c.detections.iter())
            .map(|d| format!("{}={}", d.detection_type, d.count)),
    );
    let mut detections = if detections.is_empty() {
        "-".to_owned()
    } else {
        detections.join(", ")
    };
    if let Some(reason) = &result.status.reason {
        let _ = write!(detections, " ({reason})");
    }
    format!(
        "{:<50} {:<8} {:<8} {}",
        record.resources_affected.s3_object.path, result.status.code, severity, detections
    )
}
