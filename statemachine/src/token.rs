//! The task token of an execution waiting for review, kept with the batch in
//! scan-results (`ID/review-token.json`), where `ferret review` finds it.
//!
//! A token lets whoever holds it complete a step of the execution, so it stays in the
//! results bucket, which only the pipeline's roles can read.

use std::time::SystemTime;

use ferret_orchestrator::layout::{BatchId, Buckets};
use ferret_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

/// A stored task token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredToken {
    pub task_token: String,
    /// The execution that waits, when the definition passed it.
    pub execution_arn: Option<String>,
    /// RFC 3339, UTC.
    pub stored_at: String,
}

impl StoredToken {
    pub fn new(task_token: String, execution_arn: Option<String>) -> StoredToken {
        StoredToken {
            task_token,
            execution_arn,
            stored_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        }
    }
}

/// Keeps `token` as the one the batch's reviewers answer through (replacing any older
/// one: a retried AwaitReview gets a new token).
pub async fn store<S: Store + ?Sized>(
    store: &S,
    buckets: &Buckets,
    batch: &BatchId,
    token: &StoredToken,
) -> Result<(), StoreError> {
    let body = serde_json::to_vec_pretty(token).map_err(|e| StoreError::Invalid {
        bucket: buckets.scan_results.clone(),
        key: batch.review_token_key(),
        message: e.to_string(),
    })?;
    store
        .put(
            &buckets.scan_results,
            &batch.review_token_key(),
            body,
            "application/json",
        )
        .await
}

/// The token stored for the batch, if an execution waits for its review. An unreadable
/// record counts as none: review then acts directly, which is always safe.
pub async fn load<S: Store + ?Sized>(
    store: &S,
    buckets: &Buckets,
    batch: &BatchId,
) -> Result<Option<StoredToken>, StoreError> {
    let bytes = store
        .get(&buckets.scan_results, &batch.review_token_key())
        .await?;
    Ok(bytes.and_then(|b| serde_json::from_slice(&b).ok()))
}

/// Forgets the batch's token (once used, or once its task is over).
pub async fn remove<S: Store + ?Sized>(
    store: &S,
    buckets: &Buckets,
    batch: &BatchId,
) -> Result<(), StoreError> {
    store
        .delete(&buckets.scan_results, &batch.review_token_key())
        .await
}
