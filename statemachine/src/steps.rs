//! The steps of the state machine, each one call into the orchestrator: the worker
//! parses a task's input, runs its step here and sends back what it returns. Nothing
//! here knows about polling or tokens' transport, so the same steps run under any
//! worker (and in tests, directly).

use std::sync::Arc;

use ferret_integrations::findings::Publisher;
use ferret_orchestrator::layout::BatchId;
use ferret_orchestrator::notify::notify_reviewers;
use ferret_orchestrator::pipeline::{Pipeline, Summary};
use ferret_orchestrator::review::{self, ReviewError};
use ferret_orchestrator::settings::Settings;
use ferret_store::Store;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::error::TaskError;
use crate::task::{
    ApplyOutput, ReviewDecision, ScanItemsOutput, StageOutput, SummaryOutput, TaskInput,
};
use crate::token::{self, StoredToken};

/// What a step answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Send this with SendTaskSuccess.
    Output(Value),
    /// Send nothing: someone else completes the task with its token (AwaitReview).
    Deferred,
}

/// The steps over one pipeline.
pub struct Steps<S: Store + ?Sized = dyn Store> {
    pub pipeline: Pipeline<S>,
    /// Where reviewers are notified, and the store and prefix their commands name.
    pub settings: Settings,
    /// Where a scanned batch's findings are published (`--findings`), if anywhere.
    pub findings: Option<Arc<Mutex<Publisher>>>,
}

impl<S: Store + ?Sized> Steps<S> {
    /// Runs the step `input` names; `task_token` is the task's own token.
    pub async fn run(&self, input: &TaskInput, task_token: &str) -> Result<Answer, TaskError> {
        let batch =
            BatchId::parse(input.batch_id()).map_err(|e| TaskError::BadInput(e.to_string()))?;
        let pipeline = &self.pipeline;
        match input {
            TaskInput::Stage { .. } => {
                let objects = pipeline.stage_step(&batch).await?;
                output(&StageOutput {
                    objects: objects as u64,
                    bucket: pipeline.buckets.scan_stage.clone(),
                    prefix: batch.prefix(),
                })
            }
            TaskInput::Scan { .. } => {
                let done = pipeline.complete(&batch).await?;
                self.publish_findings(&batch).await;
                summary(done)
            }
            TaskInput::ScanItems { items, .. } => {
                let keys: Vec<String> = items.iter().map(|i| i.key.clone()).collect();
                let scanned = pipeline.scan_part(&batch, &keys).await?;
                output(&ScanItemsOutput { scanned })
            }
            TaskInput::Merge { .. } => {
                let done = pipeline.merge(&batch).await?;
                self.publish_findings(&batch).await;
                summary(done)
            }
            TaskInput::AwaitReview { execution_arn, .. } => {
                self.await_review(&batch, task_token, execution_arn.clone())
                    .await
            }
            TaskInput::ApplyDecision { decision, .. } => {
                self.apply_decision(&batch, decision).await
            }
        }
    }

    /// Publishes the findings of a scanned batch, when `--findings` asks for it. Failures
    /// are logged and counted by the publisher; they never fail the task (the batch is
    /// routed). A retried task publishes again: Security Hub updates the same findings.
    async fn publish_findings(&self, batch: &BatchId) {
        let Some(findings) = &self.findings else {
            return;
        };
        match self.pipeline.sensitive_records(batch).await {
            Ok(Some(records)) => {
                let mut publisher = findings.lock().await;
                let before = publisher.report().failed();
                publisher.publish(&records).await;
                let failed = publisher.report().failed() - before;
                if failed > 0 {
                    tracing::warn!(batch = %batch, failed, "findings could not be published");
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(batch = %batch, %error, "cannot read the batch's results for findings")
            }
        }
    }

    /// Keeps the token for the reviewers and tells them the batch waits; answers at once
    /// when nothing waits (a reviewer already acted directly).
    async fn await_review(
        &self,
        batch: &BatchId,
        task_token: &str,
        execution_arn: Option<String>,
    ) -> Result<Answer, TaskError> {
        let pipeline = &self.pipeline;
        if self.pending(batch).await? == 0 {
            return output(&ReviewDecision {
                decision: None,
                keys: Vec::new(),
                reviewer: None,
            });
        }
        let stored = StoredToken::new(task_token.to_owned(), execution_arn);
        token::store(pipeline.store.as_ref(), &pipeline.buckets, batch, &stored).await?;
        if let Some(summary) = self.summary(batch).await? {
            notify_reviewers(&self.settings, &summary).await?;
        }
        Ok(Answer::Deferred)
    }

    /// Applies the reviewer's decision, forgets the used token and says how many objects
    /// still wait (a decision on some keys leaves the others for another round).
    async fn apply_decision(
        &self,
        batch: &BatchId,
        decision: &ReviewDecision,
    ) -> Result<Answer, TaskError> {
        let pipeline = &self.pipeline;
        let store = pipeline.store.as_ref();
        let mut applied = 0;
        if let Some(verdict) = decision.decision {
            let reviewer = decision.reviewer.as_deref().unwrap_or("unknown");
            let verdict =
                review::Verdict::new(batch.clone(), decision.keys.clone(), verdict, reviewer);
            match review::decide(store, &pipeline.buckets, &verdict, pipeline.concurrency).await {
                Ok(record) => applied = record.keys.len(),
                // A retry of this task after the decision was applied: nothing is left
                // to do (the audit record was written by the run that applied it).
                Err(ReviewError::NothingPending { .. } | ReviewError::NotPending { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        token::remove(store, &pipeline.buckets, batch).await?;
        output(&ApplyOutput {
            decision: decision.decision,
            applied,
            pending: self.pending(batch).await?,
        })
    }

    /// Objects of the batch waiting in manual-review.
    async fn pending(&self, batch: &BatchId) -> Result<usize, TaskError> {
        let pipeline = &self.pipeline;
        Ok(pipeline
            .store
            .list(&pipeline.buckets.manual_review, &batch.prefix())
            .await?
            .len())
    }

    /// The batch's summary, as the scan step wrote it.
    async fn summary(&self, batch: &BatchId) -> Result<Option<Summary>, TaskError> {
        let pipeline = &self.pipeline;
        let Some(bytes) = pipeline
            .store
            .get(&pipeline.buckets.scan_results, &batch.summary_key())
            .await?
        else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| TaskError::ResultsUnreadable(format!("{batch}: summary.json: {e}")))
    }
}

fn summary(summary: Summary) -> Result<Answer, TaskError> {
    output(&SummaryOutput::from(summary))
}

fn output<T: Serialize>(value: &T) -> Result<Answer, TaskError> {
    serde_json::to_value(value)
        .map(Answer::Output)
        .map_err(|e| TaskError::Internal(e.to_string()))
}
