//! Stage: every raw object moves to scan-stage as `ID/<key>`, its tags kept and
//! `WorkflowId=ID` added in the same copy.

use super::{Pipeline, PipelineError};
use crate::layout::{tags, BatchId};
use crate::moves::{bounded, move_object, MoveError, Moved};
use ferret_store::{Store, Tags};

impl<S: Store + ?Sized> Pipeline<S> {
    /// Moves raw's objects into the batch and returns how many objects the batch holds in
    /// scan-stage (those staged by an interrupted run included).
    pub async fn stage(&self, batch: &BatchId) -> Result<usize, PipelineError> {
        let raw = self.store.list(&self.buckets.raw, "").await?;
        let extra = Tags::from([(tags::WORKFLOW_ID.to_owned(), batch.to_string())]);
        let moves: Vec<_> = raw
            .iter()
            .map(|object| {
                let to = batch.key(&object.key);
                let extra = &extra;
                async move {
                    move_object(
                        self.store.as_ref(),
                        (&self.buckets.raw, &object.key),
                        (&self.buckets.scan_stage, &to),
                        extra,
                    )
                    .await
                }
            })
            .collect();
        check_moves(bounded(moves, self.concurrency).await)?;
        Ok(self
            .store
            .list(&self.buckets.scan_stage, &batch.prefix())
            .await?
            .len())
    }
}

impl<S: Store + ?Sized> Pipeline<S> {
    /// Moves only `keys` from raw into the batch (the event-driven worker's batches are
    /// the objects whose arrival it was told of, not everything in raw) and returns how
    /// many objects the batch holds in scan-stage. A key neither in raw nor already in
    /// the batch is passed over: it was deleted, or staged by another batch.
    pub async fn stage_keys(
        &self,
        batch: &BatchId,
        keys: &[String],
    ) -> Result<usize, PipelineError> {
        let extra = Tags::from([(tags::WORKFLOW_ID.to_owned(), batch.to_string())]);
        let moves: Vec<_> = keys
            .iter()
            .map(|key| {
                let to = batch.key(key);
                let extra = &extra;
                async move {
                    match move_object(
                        self.store.as_ref(),
                        (&self.buckets.raw, key),
                        (&self.buckets.scan_stage, &to),
                        extra,
                    )
                    .await
                    {
                        Err(MoveError::Missing { .. }) => Ok(Moved::Earlier),
                        outcome => outcome,
                    }
                }
            })
            .collect();
        check_moves(bounded(moves, self.concurrency).await)?;
        Ok(self
            .store
            .list(&self.buckets.scan_stage, &batch.prefix())
            .await?
            .len())
    }
}

/// Turns per-object outcomes into the batch's: every move must have succeeded. Objects
/// whose move failed were left where they were, so a rerun retries exactly them.
pub(super) fn check_moves<T>(outcomes: Vec<Result<T, MoveError>>) -> Result<(), PipelineError> {
    let total = outcomes.len();
    let mut failures = outcomes.into_iter().filter_map(Result::err);
    match failures.next() {
        None => Ok(()),
        Some(first) => Err(PipelineError::Moves {
            failed: 1 + failures.count(),
            total,
            first,
        }),
    }
}
