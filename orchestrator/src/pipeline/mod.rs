//! One batch, as the seed application's state machine runs it, made safe: stage every
//! raw object under the batch id, scan the staged objects, route each to manual-review
//! or scanned-data, and summarise (docs/pipeline.md).
//!
//! Every step is idempotent, so the same batch run again after a crash at any instant
//! finishes it with nothing lost and nothing duplicated:
//! - staging moves objects with copy-verify-delete, so an object is in raw, in
//!   scan-stage, or (briefly) in both;
//! - the scan writes `results.jsonl.gz` once; a rerun that finds it routes from it and
//!   never stages again, so objects that arrive in raw later wait for the next batch;
//! - routing moves each staged object by its result; an object with no clean result goes
//!   to manual-review (fail closed);
//! - `summary.json`, written last, marks the batch done: a rerun just reports it.

mod parts;
mod redact;
mod route;
mod scan;
mod stage;

use std::sync::Arc;

use ferret_identifiers::IdentifierSet;
use ferret_scanner::ScanOptions;
use serde::{Deserialize, Serialize};

use crate::layout::{BatchId, Buckets};
use crate::moves::MoveError;
use ferret_store::{Store, StoreError};

pub use redact::OnSensitive;
pub use route::Routing;
pub use scan::Heads;

/// The outcome of a batch, as Step Functions' Choice states and people read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchStatus {
    /// Raw was empty: nothing was staged.
    NoKeysFound,
    /// Everything was scanned clean and is in scanned-data.
    NoSensitiveData,
    /// Some objects are in manual-review, waiting for a person.
    ManualReviewRequired,
}

/// Object counts of a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Objects in the batch.
    pub objects: u64,
    /// Objects with sensitive data.
    pub sensitive: u64,
    /// Objects not analysed (SKIPPED), sent to review for that reason.
    pub skipped: u64,
    /// Objects analysed, completely (COMPLETE) or in part (PARTIAL, sent to review).
    pub scanned: u64,
}

/// What `ferret pipeline run` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub batch_id: String,
    pub status: BatchStatus,
    pub counts: Counts,
    /// Highest severity in the batch (`Low`, `Medium`, `High`).
    pub severity: Option<String>,
    /// Original keys of the objects now in manual-review (as `ID/<key>`).
    pub manual_review_keys: Vec<String>,
    /// `bucket/key` of the results, or null when nothing was scanned.
    pub results_location: Option<String>,
}

/// Why a batch did not complete. Whatever happened, no object was lost: rerunning the
/// same batch resumes it.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{failed} of {total} objects could not be moved; first: {first}")]
    Moves {
        failed: usize,
        total: usize,
        first: MoveError,
    },
    #[error("results of batch {batch}: {message}")]
    Results { batch: String, message: String },
    #[error("the scan could not run: {0}")]
    Scan(String),
    #[error("{key} is not an object of batch {batch}")]
    NotInBatch { batch: String, key: String },
}

/// A configured pipeline: where the buckets are, what to look for, how hard to work.
pub struct Pipeline<S: Store + ?Sized = dyn Store> {
    pub store: Arc<S>,
    pub buckets: Buckets,
    pub set: Arc<IdentifierSet>,
    pub scan_options: ScanOptions,
    /// Store requests in flight at once (copies, deletes).
    pub concurrency: usize,
    /// Scanner threads (0: all cores).
    pub threads: usize,
    /// What a sensitive object gets besides review: nothing, or a redacted copy.
    pub on_sensitive: OnSensitive,
}

impl<S: Store + ?Sized> Pipeline<S> {
    /// Runs (or resumes, or reports) one batch.
    pub async fn run(&self, batch: &BatchId) -> Result<Summary, PipelineError> {
        if let Some(done) = self.finished(batch).await? {
            return Ok(done);
        }
        let (routings, heads) = match self.load_results(batch).await? {
            Some(routings) => (routings, Heads::new()),
            None => {
                if self.stage(batch).await? == 0 {
                    return self.finish(batch, Vec::new(), false).await;
                }
                self.scan(batch).await?
            }
        };
        self.route_and_finish(batch, routings, &heads).await
    }

    /// Runs (or resumes, or reports) a batch of the given raw `keys` only: as
    /// [`Pipeline::run`], with [`Pipeline::stage_keys`] in place of staging all of raw.
    pub async fn run_keys(
        &self,
        batch: &BatchId,
        keys: &[String],
    ) -> Result<Summary, PipelineError> {
        if let Some(done) = self.finished(batch).await? {
            return Ok(done);
        }
        let (routings, heads) = match self.load_results(batch).await? {
            Some(routings) => (routings, Heads::new()),
            None => {
                if self.stage_keys(batch, keys).await? == 0 {
                    return self.finish(batch, Vec::new(), false).await;
                }
                self.scan(batch).await?
            }
        };
        self.route_and_finish(batch, routings, &heads).await
    }

    /// The Stage step on its own (Step Functions runs the steps as separate tasks):
    /// stages raw's objects unless the batch is already past staging, and returns how
    /// many objects the batch holds. A batch that has results never stages again, so
    /// objects that arrive in raw later wait for the next batch.
    pub async fn stage_step(&self, batch: &BatchId) -> Result<usize, PipelineError> {
        if let Some(done) = self.finished(batch).await? {
            return Ok(usize::try_from(done.counts.objects).unwrap_or(usize::MAX));
        }
        match self.load_results(batch).await? {
            Some(routings) => Ok(routings.len()),
            None => self.stage(batch).await,
        }
    }

    /// Everything after staging: scans the staged batch (or picks up its results),
    /// routes it and summarises it; reports a batch that already finished.
    pub async fn complete(&self, batch: &BatchId) -> Result<Summary, PipelineError> {
        if let Some(done) = self.finished(batch).await? {
            return Ok(done);
        }
        let (routings, heads) = match self.load_results(batch).await? {
            Some(routings) => (routings, Heads::new()),
            None => self.scan(batch).await?,
        };
        self.route_and_finish(batch, routings, &heads).await
    }

    async fn route_and_finish(
        &self,
        batch: &BatchId,
        routings: Vec<Routing>,
        heads: &Heads,
    ) -> Result<Summary, PipelineError> {
        self.route(batch, &routings, heads).await?;
        self.finish(batch, routings, true).await
    }

    /// The summary of a batch that already finished.
    async fn finished(&self, batch: &BatchId) -> Result<Option<Summary>, PipelineError> {
        let Some(bytes) = self
            .store
            .get(&self.buckets.scan_results, &batch.summary_key())
            .await?
        else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| PipelineError::Results {
                batch: batch.to_string(),
                message: format!("summary.json is unreadable: {e}"),
            })
    }

    /// Writes the summary that marks the batch done and returns it.
    async fn finish(
        &self,
        batch: &BatchId,
        routings: Vec<Routing>,
        scanned: bool,
    ) -> Result<Summary, PipelineError> {
        let summary = summarise(
            batch,
            &routings,
            scanned.then(|| self.results_location(batch)),
        );
        if scanned {
            let body = serde_json::to_vec_pretty(&summary).map_err(|e| PipelineError::Results {
                batch: batch.to_string(),
                message: e.to_string(),
            })?;
            self.store
                .put(
                    &self.buckets.scan_results,
                    &batch.summary_key(),
                    body,
                    "application/json",
                )
                .await?;
            crate::crash::step();
        }
        Ok(summary)
    }

    fn results_location(&self, batch: &BatchId) -> String {
        format!("{}/{}", self.buckets.scan_results, batch.results_key())
    }
}

/// Folds the routings of a batch into its summary.
pub fn summarise(batch: &BatchId, routings: &[Routing], results: Option<String>) -> Summary {
    let mut counts = Counts::default();
    let mut severity: Option<(u8, String)> = None;
    let mut manual_review_keys = Vec::new();
    for routing in routings {
        counts.objects += 1;
        if routing.sensitive {
            counts.sensitive += 1;
        }
        if routing.skipped {
            counts.skipped += 1;
        } else {
            counts.scanned += 1;
        }
        if let Some((score, description)) = &routing.severity {
            if severity.as_ref().is_none_or(|(s, _)| score > s) {
                severity = Some((*score, description.clone()));
            }
        }
        if routing.to_review {
            manual_review_keys.push(routing.original_key.clone());
        }
    }
    let status = if routings.is_empty() {
        BatchStatus::NoKeysFound
    } else if manual_review_keys.is_empty() {
        BatchStatus::NoSensitiveData
    } else {
        BatchStatus::ManualReviewRequired
    };
    Summary {
        batch_id: batch.to_string(),
        status,
        counts,
        severity: severity.map(|(_, d)| d),
        manual_review_keys,
        results_location: results,
    }
}
