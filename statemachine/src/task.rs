//! What tasks carry: the input each Task state's `Parameters` build (see the definition
//! files) and the output each step returns to the execution.

use ferret_orchestrator::pipeline::{BatchStatus, Counts, Summary};
use ferret_orchestrator::review::Decision;
use serde::{Deserialize, Serialize};

/// A task's input, told apart by its `task` field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "task", rename_all = "kebab-case")]
pub enum TaskInput {
    /// Move raw's objects into the batch.
    Stage { id: String },
    /// Scan, route and summarise the whole batch.
    Scan { id: String },
    /// Scan one share of the batch (a Distributed Map's batch of items).
    ScanItems { id: String, items: Vec<Item> },
    /// Merge the shares' results, then route and summarise.
    Merge { id: String },
    /// Keep the task token for the reviewers and answer nothing.
    AwaitReview {
        id: String,
        #[serde(rename = "executionArn", default)]
        execution_arn: Option<String>,
    },
    /// Apply what the reviewer sent through the token.
    ApplyDecision {
        id: String,
        decision: ReviewDecision,
    },
}

impl TaskInput {
    /// The step's name, for logs.
    pub fn step(&self) -> &'static str {
        match self {
            TaskInput::Stage { .. } => "stage",
            TaskInput::Scan { .. } => "scan",
            TaskInput::ScanItems { .. } => "scan-items",
            TaskInput::Merge { .. } => "merge",
            TaskInput::AwaitReview { .. } => "await-review",
            TaskInput::ApplyDecision { .. } => "apply-decision",
        }
    }

    /// The batch the task works on.
    pub fn batch_id(&self) -> &str {
        match self {
            TaskInput::Stage { id }
            | TaskInput::Scan { id }
            | TaskInput::ScanItems { id, .. }
            | TaskInput::Merge { id }
            | TaskInput::AwaitReview { id, .. }
            | TaskInput::ApplyDecision { id, .. } => id,
        }
    }
}

/// One object as the Distributed Map's ItemReader (S3 listObjectsV2) lists it; only
/// the key matters, the rest is read fresh from the store.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Item {
    #[serde(rename = "Key")]
    pub key: String,
}

/// What a reviewer sends through the task token: AwaitReview's output and
/// ApplyDecision's input. `decision: null` means there was nothing left to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDecision {
    pub decision: Option<Decision>,
    /// Original keys; empty for the whole batch.
    #[serde(default)]
    pub keys: Vec<String>,
    #[serde(default)]
    pub reviewer: Option<String>,
}

/// Stage's output: how many objects the batch holds and where, for the Choice state and
/// the Distributed Map's ItemReader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageOutput {
    pub objects: u64,
    /// The scan-stage bucket.
    pub bucket: String,
    /// `ID/`.
    pub prefix: String,
}

/// Scan's and Merge's output: the batch summary, its key list cut short so the
/// execution's state stays far below Step Functions' 256 KiB payload limit (the whole
/// summary is in `scan-results/ID/summary.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryOutput {
    pub batch_id: String,
    pub status: BatchStatus,
    pub counts: Counts,
    pub severity: Option<String>,
    pub manual_review_keys: Vec<String>,
    /// Keys held for review but left out of `manual_review_keys`.
    pub manual_review_keys_omitted: usize,
    pub results_location: Option<String>,
}

/// The most manual-review keys a summary output lists.
pub const MAX_LISTED_KEYS: usize = 100;

impl From<Summary> for SummaryOutput {
    fn from(mut summary: Summary) -> Self {
        let omitted = summary
            .manual_review_keys
            .len()
            .saturating_sub(MAX_LISTED_KEYS);
        summary.manual_review_keys.truncate(MAX_LISTED_KEYS);
        SummaryOutput {
            batch_id: summary.batch_id,
            status: summary.status,
            counts: summary.counts,
            severity: summary.severity,
            manual_review_keys: summary.manual_review_keys,
            manual_review_keys_omitted: omitted,
            results_location: summary.results_location,
        }
    }
}

/// ScanItems' output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanItemsOutput {
    pub scanned: usize,
}

/// ApplyDecision's output: `pending > 0` sends the execution back to AwaitReview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyOutput {
    pub decision: Option<Decision>,
    pub applied: usize,
    pub pending: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_told_apart_by_their_task_field() {
        let input: TaskInput = serde_json::from_str(
            r#"{"task":"scan-items","id":"b1","items":[{"Key":"b1/a.csv","Size":3,"Etag":"\"x\""}]}"#,
        )
        .expect("parses");
        assert_eq!(
            input,
            TaskInput::ScanItems {
                id: "b1".into(),
                items: vec![Item {
                    key: "b1/a.csv".into()
                }]
            }
        );
        let input: TaskInput = serde_json::from_str(
            r#"{"task":"apply-decision","id":"b1","decision":{"decision":"approved","keys":[],"reviewer":"ana"}}"#,
        )
        .expect("parses");
        assert_eq!(input.step(), "apply-decision");
        assert!(serde_json::from_str::<TaskInput>(r#"{"task":"reboot","id":"b1"}"#).is_err());
    }
}
