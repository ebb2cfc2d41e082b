//! Review decisions for batches that may be waiting in a state machine: when the batch
//! has a stored task token, the decision goes through it (the execution's
//! ApplyDecision step applies it, so the audit trail and the execution history agree);
//! otherwise, or when that execution is over, it is applied directly.

use std::future::Future;

use ferret_orchestrator::layout::Buckets;
use ferret_orchestrator::review::{self, AuditRecord, ReviewError, Verdict};
use ferret_store::{Store, StoreError};
use serde::Serialize;

use crate::error::SfnError;
use crate::task::ReviewDecision;
use crate::token;

/// How a decision was delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "via")]
pub enum Delivery {
    /// Sent through the waiting execution's task token; its ApplyDecision step moves
    /// the objects and writes the audit record.
    #[serde(rename = "stateMachine", rename_all = "camelCase")]
    StateMachine {
        batch_id: String,
        execution_arn: Option<String>,
        #[serde(flatten)]
        decision: ReviewDecision,
    },
    /// Applied here.
    #[serde(rename = "direct")]
    Direct(AuditRecord),
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error(transparent)]
    Review(#[from] ReviewError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{0} (the batch waits in a state machine; nothing was applied, run the same command again)"
    )]
    StateMachine(#[from] SfnError),
}

impl DecideError {
    /// Whether running the same decision again can finish it: not when it names
    /// objects that do not wait for review.
    pub fn is_worth_retrying(&self) -> bool {
        !matches!(
            self,
            DecideError::Review(
                ReviewError::NotPending { .. } | ReviewError::NothingPending { .. }
            )
        )
    }
}

/// Delivers the verdict (on all the batch's pending objects when it names no keys),
/// applying it here with at most `concurrency` moves in flight when no execution waits.
/// `sfn` makes the Step Functions client, only when a token is stored.
pub async fn decide<S, F, Fut>(
    store: &S,
    buckets: &Buckets,
    verdict: &Verdict,
    concurrency: usize,
    sfn: F,
) -> Result<Delivery, DecideError>
where
    S: Store + ?Sized,
    F: FnOnce() -> Fut,
    Fut: Future<Output = aws_sdk_sfn::Client>,
{
    let batch = &verdict.batch;
    if let Some(stored) = token::load(store, buckets, batch).await? {
        // Refuse unknown keys here, as a direct decision would, rather than in the
        // execution where nobody would see the error.
        review::resolve_keys(store, buckets, verdict).await?;
        let sent = ReviewDecision {
            decision: Some(verdict.decision),
            keys: verdict.keys.clone(),
            reviewer: Some(verdict.reviewer.clone()),
        };
        let output = serde_json::to_string(&sent).map_err(|e| StoreError::Invalid {
            bucket: buckets.scan_results.clone(),
            key: batch.review_token_key(),
            message: e.to_string(),
        })?;
        let client = sfn().await;
        let delivered = client
            .send_task_success()
            .task_token(&stored.task_token)
            .output(output)
            .send()
            .await
            .map_err(|e| SfnError::new("SendTaskSuccess", e));
        match delivered {
            Ok(_) => {
                token::remove(store, buckets, batch).await?;
                return Ok(Delivery::StateMachine {
                    batch_id: batch.to_string(),
                    execution_arn: stored.execution_arn,
                    decision: sent,
                });
            }
            // The execution stopped waiting (timed out, stopped, already answered):
            // the objects are still in manual-review, so decide directly.
            Err(error) if error.task_is_gone() => token::remove(store, buckets, batch).await?,
            Err(error) => return Err(error.into()),
        }
    }
    let record = review::decide(store, buckets, verdict, concurrency).await?;
    Ok(Delivery::Direct(record))
}
