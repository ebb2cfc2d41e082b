//! Where a batch's objects live: bucket names and keys (docs/pipeline.md).

use std::fmt;

/// The five pipeline buckets of one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buckets {
    pub raw: String,
    pub scan_stage: String,
    pub manual_review: String,
    pub scanned_data: String,
    pub scan_results: String,
}

impl Buckets {
    /// `<prefix>-data-pipeline-{raw,scan-stage,manual-review,scanned-data,scan-results}`.
    pub fn for_prefix(prefix: &str) -> Buckets {
        let name = |suffix: &str| format!("{prefix}-data-pipeline-{suffix}");
        Buckets {
            raw: name("raw"),
            scan_stage: name("scan-stage"),
            manual_review: name("manual-review"),
            scanned_data: name("scanned-data"),
            scan_results: name("scan-results"),
        }
    }

    /// All five, in the order data flows through them.
    pub fn all(&self) -> [&str; 5] {
        [
            &self.raw,
            &self.scan_stage,
            &self.manual_review,
            &self.scanned_data,
            &self.scan_results,
        ]
    }
}

/// A batch id: the key prefix that keeps batches apart. Restricted to characters that
/// are safe in keys, tags and command lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BatchId(String);

/// A batch id that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid batch id {0:?}: use 1-128 characters among letters, digits, '-', '_', '.' and ':'"
)]
pub struct InvalidBatchId(pub String);

impl BatchId {
    pub fn parse(text: &str) -> Result<BatchId, InvalidBatchId> {
        let valid = !text.is_empty()
            && text.len() <= 128
            && text != "."
            && text != ".."
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if valid {
            Ok(BatchId(text.to_owned()))
        } else {
            Err(InvalidBatchId(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `ID/`: the prefix of the batch's objects in scan-stage and manual-review.
    pub fn prefix(&self) -> String {
        format!("{}/", self.0)
    }

    /// `ID/<key>`.
    pub fn key(&self, original: &str) -> String {
        format!("{}/{original}", self.0)
    }

    /// The original key of `ID/<key>`, if `batch_key` belongs to this batch.
    pub fn original<'k>(&self, batch_key: &'k str) -> Option<&'k str> {
        batch_key
            .strip_prefix(self.0.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
    }

    /// `ID/results.jsonl.gz` in scan-results.
    pub fn results_key(&self) -> String {
        format!("{}/results.jsonl.gz", self.0)
    }

    /// `ID/summary.json` in scan-results: written last, it marks the batch as done.
    pub fn summary_key(&self) -> String {
        format!("{}/summary.json", self.0)
    }

    /// `ID/parts/` in scan-results: the results of a batch's shares when a Distributed
    /// Map scans it, merged into `results.jsonl.gz` before routing.
    pub fn parts_prefix(&self) -> String {
        format!("{}/parts/", self.0)
    }

    /// `ID/review-token.json` in scan-results: the task token of the state machine
    /// execution waiting for this batch's review, while one waits.
    pub fn review_token_key(&self) -> String {
        format!("{}/review-token.json", self.0)
    }

    /// `ID/redacted/<key>` in scan-results: where the redact policy writes an object's
    /// redacted copy before moving it to scanned-data.
    pub fn redacted_key(&self, original: &str) -> String {
        format!("{}/redacted/{original}", self.0)
    }

    /// `ID/review.jsonl` in scan-results: the audit trail of review decisions.
    pub fn review_key(&self) -> String {
        format!("{}/review.jsonl", self.0)
    }
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Tag names the pipeline writes.
pub mod tags {
    pub const WORKFLOW_ID: &str = "WorkflowId";
    pub const SENSITIVE_DATA_FOUND: &str = "SensitiveDataFound";
    pub const SCAN_STATUS: &str = "ScanStatus";
    pub const FINDING_SEVERITY: &str = "FindingSeverity";
    pub const FINDING_TYPES: &str = "FindingTypes";
    pub const REVIEW_DECISION: &str = "ReviewDecision";
    /// On a copy the redact policy wrote to scanned-data.
    pub const REDACTED: &str = "Redacted";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_the_seed() {
        let b = Buckets::for_prefix("acme");
        assert_eq!(b.raw, "acme-data-pipeline-raw");
        assert_eq!(b.scan_stage, "acme-data-pipeline-scan-stage");
        assert_eq!(b.manual_review, "acme-data-pipeline-manual-review");
        assert_eq!(b.scanned_data, "acme-data-pipeline-scanned-data");
        assert_eq!(b.scan_results, "acme-data-pipeline-scan-results");
    }

    #[test]
    fn batch_ids_are_safe_key_prefixes() {
        let id = BatchId::parse("2026-11-28T12:00:00Z_a.b").expect("valid");
        assert_eq!(id.key("fr/a b.csv"), "2026-11-28T12:00:00Z_a.b/fr/a b.csv");
        assert_eq!(
            id.original("2026-11-28T12:00:00Z_a.b/fr/a b.csv"),
            Some("fr/a b.csv")
        );
        assert_eq!(id.original("other/fr/a.csv"), None);
        for bad in ["", "a/b", "..", "a b", "é", &"x".repeat(129)] {
            assert!(BatchId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_batch_never_claims_another_batch_with_a_longer_id() {
        let id = BatchId::parse("b1").expect("valid");
        assert_eq!(id.original("b10/x.csv"), None);
    }
}
