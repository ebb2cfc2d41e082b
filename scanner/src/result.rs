//! Result records in Macie's format (docs/results.md): one JSON object per scanned object,
//! clean and skipped ones included. Matched text never appears here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
    pub code: StatusCode,
    /// Why the object was not analysed entirely; `None` when it was.
    pub reason: Option<Reason>,
}

impl Status {
    /// Analysed entirely.
    pub fn complete() -> Status {
        Status {
            code: StatusCode::Complete,
            reason: None,
        }
    }

    /// Analysed in part, for `reason`.
    pub fn partial(reason: Reason) -> Status {
        Status {
            code: StatusCode::Partial,
            reason: Some(reason),
        }
    }

    /// Not analysed, for `reason`.
    pub fn skipped(reason: Reason) -> Status {
        Status {
            code: StatusCode::Skipped,
            reason: Some(reason),
        }
    }
}

/// A code of Macie's that is not one of a code enum's: what parsing it gives.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {code:?}")]
pub struct UnknownCode {
    kind: &'static str,
    code: String,
}

/// Defines a fieldless enum of Macie codes from one table of variants and spellings:
/// the only place the spellings are written. Each gets `as_str`, `Display` (which pads
/// as `str` does, for tables), `FromStr` and serde as that string.
macro_rules! macie_codes {
    (
        $(#[$meta:meta])*
        $kind:literal $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident => $code:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)*
        }

        impl $name {
            /// Every code, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// Macie's spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;

            fn from_str(code: &str) -> Result<Self, UnknownCode> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|known| known.as_str() == code)
                    .ok_or_else(|| UnknownCode {
                        kind: $kind,
                        code: code.to_owned(),
                    })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = String::deserialize(deserializer)?;
                code.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

macie_codes! {
    /// `status.code`: how much of an object was analysed.
    "status code" StatusCode {
        Complete => "COMPLETE",
        /// Analysed in part; a [`Reason`] says why not entirely.
        Partial => "PARTIAL",
        /// Not analysed; a [`Reason`] says why.
        Skipped => "SKIPPED",
    }
}

macie_codes! {
    /// `status.reason`: why an object was analysed in part or not at all, with
    /// Macie's names.
    "reason" Reason {
        UnsupportedFileType => "UNSUPPORTED_FILE_TYPE_EXCEPTION",
        MalformedFile => "MALFORMED_FILE",
        /// Also a document that needs a password to open.
        UnableToParseFile => "UNABLE_TO_PARSE_FILE",
        FileExceedsSizeLimit => "FILE_EXCEEDS_SIZE_LIMIT",
        ArchiveExceedsSizeLimit => "ARCHIVE_EXCEEDS_SIZE_LIMIT",
        ArchiveNestingLevelOverLimit => "ARCHIVE_NESTING_LEVEL_OVER_LIMIT",
        ArchiveTotalBytesExtractedOverLimit => "ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT",
        ArchiveTotalDocumentsProcessedOverLimit => "ARCHIVE_TOTAL_DOCUMENTS_PROCESSED_OVER_LIMIT",
        ArchiveContainsUnprocessedFiles => "ARCHIVE_CONTAINS_UNPROCESSED_FILES",
        OoxmlUncompressedRatioExceedsLimit => "OOXML_UNCOMPRESSED_RATIO_EXCEEDS_LIMIT",
        OoxmlUncompressedSizeExceedsLimit => "OOXML_UNCOMPRESSED_SIZE_EXCEEDS_LIMIT",
        JsonNestingLevelOverLimit => "JSON_NESTING_LEVEL_OVER_LIMIT",
        PermissionDenied => "PERMISSION_DENIED",
        SourceObjectNoLongerAvailable => "SOURCE_OBJECT_NO_LONGER_AVAILABLE",
        NoSuchBucketAvailable => "NO_SUCH_BUCKET_AVAILABLE",
    }
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
    /// Always empty: Macie reserves it (for binary formats it does not locate).
    #[serde(default)]
    pub offset_ranges: Vec<OffsetRange>,
    /// PDF pages, each with the match's lines within the page.
    #[serde(default)]
    pub pages: Vec<PageOccurrence>,
    pub records: Vec<RecordOccurrence>,
}

impl Occurrences {
    pub fn len(&self) -> usize {
        self.cells.len() + self.line_ranges.len() + self.pages.len() + self.records.len()
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
    /// The archive member the occurrence is in ([`crate::reader::TextUnit::member`]):
    /// a field of ferret's beside Macie's, written only for objects that are archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_member: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineRange {
    pub start: u64,
    pub end: u64,
    pub start_column: u64,
    /// The archive member the occurrence is in ([`crate::reader::TextUnit::member`]):
    /// a field of ferret's beside Macie's, written only for objects that are archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_member: Option<String>,
}

/// Macie's offset range (`start`, `end`, `startColumn`), which it reserves: ferret never
/// lists one, but reads records that do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OffsetRange {
    pub start: u64,
    pub end: u64,
    pub start_column: u64,
}

/// A match on a PDF page. Macie leaves `lineRange` empty; ferret gives the match's
/// lines within the page (1-based, `startColumn` in characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageOccurrence {
    pub page_number: u64,
    pub line_range: Option<LineRange>,
    /// Reserved by Macie; always null.
    pub offset_range: Option<OffsetRange>,
    /// The archive member or e-mail attachment the page is in, as on other
    /// occurrences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_member: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordOccurrence {
    pub record_index: u64,
    /// Macie's JSONPath to the value, truncated to 250 characters; null when a key on
    /// the path holds sensitive data, since writing it would write that data
    /// ([`crate::json_path`]).
    pub json_path: Option<String>,
    /// The archive member the occurrence is in ([`crate::reader::TextUnit::member`]):
    /// a field of ferret's beside Macie's, written only for objects that are archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_member: Option<String>,
}

impl ResultRecord {
    /// True when at least one detection reached a severity.
    pub fn is_sensitive(&self) -> bool {
        self.severity.is_some()
    }

    /// The status code: `COMPLETE`, `PARTIAL` or `SKIPPED`.
    pub fn status(&self) -> StatusCode {
        self.classification_details.result.status.code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes are written as Macie spells them, read back from that spelling, and
    /// nothing else reads as one.
    #[test]
    fn codes_are_written_and_read_as_macie_spells_them() {
        let status = Status::partial(Reason::ArchiveTotalBytesExtractedOverLimit);
        let written = serde_json::to_string(&status).expect("serializes");
        assert_eq!(
            written,
            r#"{"code":"PARTIAL","reason":"ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT"}"#
        );
        let read: Status = serde_json::from_str(&written).expect("deserializes");
        assert_eq!(read, status);
        let complete = serde_json::to_string(&Status::complete()).expect("serializes");
        assert_eq!(complete, r#"{"code":"COMPLETE","reason":null}"#);
        for &reason in Reason::ALL {
            assert_eq!(reason.as_str().parse(), Ok(reason));
            assert_eq!(reason.to_string(), reason.as_str());
        }
        for &code in StatusCode::ALL {
            assert_eq!(code.as_str().parse(), Ok(code));
        }
        assert!("complete".parse::<StatusCode>().is_err());
        assert!(serde_json::from_str::<Reason>(r#""NO_REASON""#).is_err());
        assert_eq!(format!("{:<9}|", StatusCode::Skipped), "SKIPPED  |");
    }
}
