//! A compact table of results for people (`--format table`).

use std::fmt::Write;

use crate::result::ResultRecord;

/// The header line of the table.
pub fn header() -> String {
    format!(
        "{:<50} {:<9} {:<8} {}",
        "OBJECT", "STATUS", "SEVERITY", "DETECTIONS"
    )
}

/// One line per object: path, status (with its reason), severity and `name=count` per
/// detection.
pub fn row(record: &ResultRecord) -> String {
    let result = &record.classification_details.result;
    let mut status = result.status.code.clone();
    if let Some(reason) = &result.status.reason {
        let _ = write!(status, " ({reason})");
    }
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
    let detections = if detections.is_empty() {
        "-".to_owned()
    } else {
        detections.join(", ")
    };
    format!(
        "{:<50} {:<9} {:<8} {}",
        record.resources_affected.s3_object.path, status, severity, detections
    )
}
