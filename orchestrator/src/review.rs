//! The human decision: list what waits in manual-review, approve (to scanned-data under
//! the original key, tags kept plus `ReviewDecision=approved`) or deny (delete), and
//! record every decision in `scan-results/ID/review.jsonl`.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::layout::{tags, BatchId, Buckets};
use crate::moves::{bounded, move_object, MoveError, Moved};
use ferret_store::{Store, StoreError, Tags};

/// An object waiting for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingObject {
    /// The key it had in raw, and will have in scanned-data.
    pub key: String,
    pub size: u64,
    /// Its tags (`SensitiveDataFound`, `FindingSeverity`, `ScanStatus`, ...).
    pub tags: Tags,
}

/// The objects of one batch waiting for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingBatch {
    pub batch_id: String,
    pub objects: Vec<PendingObject>,
}

/// approve or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approved,
    Denied,
}

/// One review decision: who decided what, when, on which objects of which batch. It
/// travels whole from the command line (or the state machine's ApplyDecision step) to
/// where it is applied and recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub batch: BatchId,
    /// Original keys (as they were in raw); empty for every pending object of the batch.
    pub keys: Vec<String>,
    pub decision: Decision,
    pub reviewer: String,
    /// When it was decided; the audit record's time.
    pub at: SystemTime,
}

impl Verdict {
    /// A decision made now.
    pub fn new(
        batch: BatchId,
        keys: Vec<String>,
        decision: Decision,
        reviewer: impl Into<String>,
    ) -> Verdict {
        Verdict {
            batch,
            keys,
            decision,
            reviewer: reviewer.into(),
            at: SystemTime::now(),
        }
    }
}

/// One line of `review.jsonl`: who decided what, when, for which keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub batch_id: String,
    pub decision: Decision,
    pub reviewer: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub keys: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("batch {batch}: no object {key:?} waits for review")]
    NotPending { batch: String, key: String },
    #[error("batch {batch}: nothing waits for review")]
    NothingPending { batch: String },
    #[error("{failed} of {total} objects could not be moved; first: {first}")]
    Moves {
        failed: usize,
        total: usize,
        first: MoveError,
    },
    #[error("review.jsonl: {0}")]
    Audit(String),
}

/// Lists manual-review, for one batch or all.
pub async fn list<S: Store + ?Sized>(
    store: &S,
    buckets: &Buckets,
    batch: Option<&BatchId>,
) -> Result<Vec<PendingBatch>, ReviewError> {
    let prefix = batch.map(BatchId::prefix).unwrap_or_default();
    let objects = store.list(&buckets.manual_review, &prefix).await?;
    let mut batches: BTreeMap<String, Vec<PendingObject>> = BTreeMap::new();
    for object in objects {
        let Some((batch_id, key)) = object.key.split_once('/') else {
            continue;
        };
        let tags = store.tags(&buckets.manual_review, &object.key).await?;
        batches
            .entry(batch_id.to_owned())
            .or_default()
            .push(PendingObject {
                key: key.to_owned(),
                size: object.size,
                tags,
            });
    }
    Ok(batches
        .into_iter()
        .map(|(batch_id, objects)| PendingBatch { batch_id, objects })
        .collect())
}

/// Applies the verdict to its keys (all the batch's pending objects when it names none)
/// with at most `concurrency` moves in flight, and appends the audit record.
/// Idempotent: a key already moved by an interrupted run of the same decision counts
/// as done.
pub async fn decide<S: Store + ?Sized>(
    store: &S,
    buckets: &Buckets,
    verdict: &Verdict,
    concurrency: usize,
) -> Result<AuditRecord, ReviewError> {
    let (batch, decision) = (&verdict.batch, verdict.decision);
    let keys = resolve_keys(store, buckets, verdict).await?;
    let applies: Vec<_> = keys
        .iter()
        .map(|key| apply(store, buckets, batch, key, decision))
        .collect();
    let outcomes = bounded(applies, concurrency).await;
    let total = outcomes.len();
    let mut failures = outcomes.into_iter().filter_map(Result::err);
    if let Some(first) = failures.next() {
        return Err(ReviewError::Moves {
            failed: 1 + failures.count(),
            total,
            first,
        });
    }
    let record = AuditRecord {
        batch_id: batch.to_string(),
        decision,
        reviewer: verdict.reviewer.clone(),
        at: humantime::format_rfc3339_seconds(verdict.at).to_string(),
        keys,
    };
    append_audit(store, buckets, batch, &record).await?;
    Ok(record)
}

/// The keys a verdict covers: those it names (each must be pending, or already handled
/// the same way by an interrupted run), or every pending key of the batch.
pub async fn resolve_keys<S: Store + ?Sized>(
    store: &S,
    buckets: &Buckets,
    verdict: &Verdict,
) -> Result<Vec<String>, ReviewError> {
    let (batch, keys, decision) = (&verdict.batch, &verdict.keys, verdict.decision);
    if keys.is_empty() {
        let pending: Vec<String> = store
            .list(&buckets.manual_review, &batch.prefix())
            .await?
            .iter()
            .filter_map(|o| batch.original(&o.key).map(str::to_owned))
            .collect();
        if pending.is_empty() {
            return Err(ReviewError::NothingPending {
                batch: batch.to_string(),
            });
        }
        return Ok(pending);
    }
    for key in keys {
        let pending = store
            .head(&buckets.manual_review, &batch.key(key))
            .await?
            .is_some();
        let done_before = decision == Decision::Approved
            && store.tags(&buckets.scanned_data, key).await.is_ok_and(|t| {
                t.get(tags::WORKFLOW_ID).map(String::as_str) == Some(batch.as_str())
            });
        if !pending && !done_before {
            return Err(ReviewError::NotPending {
                batch: batch.to_string(),
                key: key.clone(),
            });
        }
    }
    Ok(keys.to_vec())
}

async fn apply<S: Store + ?Sized>(
    store: &S,
    buckets: &Buckets,
    batch: &BatchId,
    key: &str,
    decision: Decision,
) -> Result<(), MoveError> {
    let pending = batch.key(key);
    match decision {
        Decision::Approved => {
            let extra = Tags::from([(tags::REVIEW_DECISION.to_owned(), "approved".to_owned())]);
            let moved = move_object(
                store,
                (&buckets.manual_review, &pending),
                (&buckets.scanned_data, key),
                &extra,
            )
            .await;
            match moved {
                Ok(Moved::Now | Moved::Earlier) => Ok(()),
                Err(e) => Err(e),
            }
        }
        Decision::Denied => {
            store.delete(&buckets.manual_review, &pending).await?;
            crate::crash::step();
            Ok(())
        }
    }
}

/// Appends one line to the batch's audit trail (read, append, write back whole: S3 has
/// no append, and the trail is small).
pub(crate) async fn append_audit<S: Store + ?Sized>(
    store: &S,
    buckets: &Buckets,
    batch: &BatchId,
    record: &impl Serialize,
) -> Result<(), ReviewError> {
    let key = batch.review_key();
    let mut trail = store
        .get(&buckets.scan_results, &key)
        .await?
        .unwrap_or_default();
    if !trail.is_empty() && !trail.ends_with(b"\n") {
        trail.push(b'\n');
    }
    serde_json::to_writer(&mut trail, record).map_err(|e| ReviewError::Audit(e.to_string()))?;
    trail.push(b'\n');
    store
        .put(&buckets.scan_results, &key, trail, "application/x-ndjson")
        .await?;
    crate::crash::step();
    Ok(())
}
