//! Result records in Macie's format (SPEC section 5): one JSON object per scanned object,
//! clean and skipped ones included. Matched text never appears here.

use serde::{Deserialize, Serialize};

/// Macie's `schemaVersion` for sensitive data discovery results.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultRecord {
    pub schema_version: String,
    pub resources_affected: ResourcesAffected,
    /// `SensitiveData:S3Object/...`, or null when the object is not sensitive.
    #[serde(rename = "type")]
    pub finding_type: Option<String>,
    pub severity: Option<SeveritySummary>,
    pub classification_details: ClassificationDetails,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcesAffected {
    /// Null for local files.
    pub s3_bucket: Option<S3Bucket>,
    pub s3_object: S3Object,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct S3Bucket {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3Object {
    pub key: String,
    /// `bucket/key` for S3 objects; the path as given for local files.
    pub path: String,
    pub extension: String,
    pub size: u64,
    pub e_tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeveritySummary {
    pub score: u8,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassificationDetails {
    /// The batch id in the pipeline; null for ad-hoc scans.
    pub job_id: Option<String>,
    pub result: ClassificationResult,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassificationResult {
    pub status: Status,
    pub mime_type: String,
    pub size_classified: u64,
    /// True when some detection has more occurrences than were listed.
    pub additional_occurrences: bool,
    pub custom_data_identifiers: CustomDataIdentifiers,
    pub sensitive_data: Vec<SensitiveDataCategory>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// `COMPLETE`, `PARTIAL` or `SKIPPED`.
    pub code: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomDataIdentifiers {
    pub total_count: u64,
    pub detections: Vec<CustomDetection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomDetection {
    pub name: String,
    pub count: u64,
    /// `LOW`, `MEDIUM` or `HIGH`; null when the count is below the lowest threshold.
    pub severity: Option<String>,
    pub occurrences: Occurrences,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SensitiveDataCategory {
    pub category: String,
    pub total_count: u64,
    pub detections: Vec<ManagedDetection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedDetection {
    #[serde(rename = "type")]
    pub detection_type: String,
    pub count: u64,
    pub occurrences: Occurrences,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Occurrences {
    pub cells: Vec<CellOccurrence>,
    pub line_ranges: Vec<LineRange>,
    pub records: Vec<RecordOccurrence>,
}

impl Occurrences {
    pub fn len(&self) -> usize {
        self.cells.len() + self.line_ranges.len() + self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellOccurrence {
    pub row: u64,
    pub column: u64,
    pub column_name: Option<String>,
    /// `Sheet!C5` for workbooks; null for CSV and TSV.
    pub cell_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineRange {
    pub start: u64,
    pub end: u64,
    pub start_column: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordOccurrence {
    pub record_index: u64,
    /// Macie's JSONPath to the value, truncated to 250 characters; null when a key on
    /// the path holds sensitive data, since writing it would write that data
    /// ([`crate::json_path`]).
    pub json_path: Option<String>,
}

impl ResultRecord {
    /// True when at least one detection reached a severity.
    pub fn is_sensitive(&self) -> bool {
        self.severity.is_some()
    }

    /// The status code: `COMPLETE`, `PARTIAL` or `SKIPPED`.
    pub fn status(&self) -> &str {
        &self.classification_details.result.status.code
    }
}
