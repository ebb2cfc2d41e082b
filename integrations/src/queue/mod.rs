//! The event-driven worker (`ferret worker --queue-url URL`): S3 `ObjectCreated`
//! notifications from SQS, grouped by arrival time into batches that run exactly as
//! `ferret pipeline run` runs them, with only the announced objects staged.
//!
//! Exactly once, whatever crashes: a message is deleted only after its batch has routed
//! its object. Each message is claimed by one batch in the [`ledger`] before anything
//! moves, and each batch is held by one worker under a lease that it renews while the
//! batch runs (as it extends its messages' visibility timeout). A worker killed mid-batch
//! stops renewing both: its messages come back, the worker that receives one finds the
//! batch that claimed it, takes the expired lease over (one worker wins), and resumes
//! the batch, which the pipeline's steps make idempotent.

pub mod events;
pub mod ledger;
pub mod objects;
pub mod wiring;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
    MessageSystemAttributeName,
};
use ferret_orchestrator::layout::BatchId;
use ferret_orchestrator::notify::notify_reviewers;
use ferret_orchestrator::pipeline::{Pipeline, PipelineError, Summary};
use ferret_orchestrator::settings::Settings;
use futures_util::future::join_all;
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::findings::Publisher;
use events::Message;
use ledger::{Claim, Entry, Held, Lease, Ledger, LedgerError};
use objects::ObjectVersion;

/// The longest long poll SQS allows.
const MAX_WAIT_SECONDS: u64 = 20;

/// How the worker consumes its queue.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    pub queue_url: String,
    /// Arrivals within this time of a batch's first form the batch.
    pub batch_window: Duration,
    /// How long a received message stays hidden from other workers; extended every
    /// third of it while its batch runs. Also the lease of a batch.
    pub visibility: Duration,
    /// Messages in one batch at most.
    pub max_messages: usize,
    pub worker_name: String,
}

/// Why the worker stopped.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("SQS {operation}: {message}")]
    Sqs {
        operation: &'static str,
        message: String,
    },
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error("batch {0}: another worker took it over (this worker missed renewing its lease)")]
    LeaseLost(String),
}

/// What the worker did before it stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueReport {
    pub batches: u64,
    pub objects: u64,
    /// Batches that did not complete (left to be resumed from their messages).
    pub failed: u64,
    /// Findings that could not be published.
    pub findings_failed: u64,
}

/// A received message, while the worker holds it.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    receipt: String,
    body: String,
}

/// The event-driven worker.
pub struct QueueWorker {
    pub sqs: aws_sdk_sqs::Client,
    pub ledger: Ledger,
    pub pipeline: Pipeline,
    pub settings: Settings,
    pub findings: Option<Publisher>,
    pub config: QueueConfig,
}

impl QueueWorker {
    /// Consumes the queue until `stopping` turns true; a batch under way is finished
    /// first.
    pub async fn run(
        &mut self,
        mut stopping: watch::Receiver<bool>,
    ) -> Result<QueueReport, QueueError> {
        let mut report = QueueReport::default();
        while !*stopping.borrow() {
            let held = Arc::new(Mutex::new(Vec::new()));
            let keepalive = tokio::spawn(keep_hidden(
                self.sqs.clone(),
                self.config.queue_url.clone(),
                Arc::clone(&held),
                self.config.visibility,
            ));
            let outcome = async {
                let received = self.collect(&held, &mut stopping).await?;
                debug!(messages = received.len(), "batch window closed");
                if !received.is_empty() {
                    self.handle(received, &mut report).await?;
                }
                Ok::<_, QueueError>(())
            }
            .await;
            keepalive.abort();
            if let Err(error) = outcome {
                match error {
                    QueueError::Sqs { .. } => return Err(error),
                    other => {
                        // The messages come back after their visibility timeout and
                        // the batch resumes then (here or in another worker).
                        report.failed += 1;
                        warn!(error = %other, "batch did not complete; it resumes when its messages come back");
                    }
                }
            }
        }
        if let Some(findings) = &self.findings {
            report.findings_failed = findings.report().failed();
        }
        Ok(report)
    }

    /// Receives messages: waits for a first one, then gathers those that arrive within
    /// the batch window.
    ///
    /// The window is timed from when the batch's first message was *sent*, not from
    /// when this worker got to it: messages that queued up while the previous batch ran
    /// have waited their window already, so they form a batch at once with everything
    /// else already waiting, instead of waiting a second window.
    async fn collect(
        &self,
        held: &Mutex<Vec<String>>,
        stopping: &mut watch::Receiver<bool>,
    ) -> Result<Vec<Received>, QueueError> {
        let mut received = Vec::new();
        let mut window_end: Option<Instant> = None;
        loop {
            let wait = match window_end {
                None => Duration::from_secs(MAX_WAIT_SECONDS),
                Some(_) if received.len() >= self.config.max_messages => return Ok(received),
                Some(end) => end.saturating_duration_since(Instant::now()),
            };
            // Long polls wait in whole seconds; the last fraction of a window is slept
            // here, then what is waiting is taken without waiting, rather than cutting a
            // long poll short at the window's end (messages it had received would stay
            // hidden with nobody holding them).
            if window_end.is_some() && wait < Duration::from_secs(1) {
                tokio::time::sleep(wait).await;
            }
            let wait_seconds = wait.as_secs().min(MAX_WAIT_SECONDS) as i32;
            let request = self
                .sqs
                .receive_message()
                .queue_url(&self.config.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(wait_seconds)
                .visibility_timeout(self.config.visibility.as_secs() as i32)
                .message_system_attribute_names(MessageSystemAttributeName::SentTimestamp)
                .send();
            let answer = tokio::select! {
                answer = request => answer,
                Ok(()) = stopping.changed(), if window_end.is_none() => return Ok(received),
            };
            let answer = answer.map_err(|e| QueueError::Sqs {
                operation: "ReceiveMessage",
                message: DisplayErrorContext(&e).to_string(),
            })?;
            let messages = answer.messages.unwrap_or_default();
            if messages.is_empty() && window_end.is_some_and(|end| Instant::now() >= end) {
                return Ok(received);
            }
            for message in messages {
                let sent = sent_at(&message);
                let (Some(id), Some(receipt)) = (message.message_id, message.receipt_handle) else {
                    continue;
                };
                lock(held).push(receipt.clone());
                received.push(Received {
                    id,
                    receipt,
                    body: message.body.unwrap_or_default(),
                });
                if window_end.is_none() {
                    let now = Instant::now();
                    let waited = sent.map_or(Duration::ZERO, |sent| {
                        SystemTime::now().duration_since(sent).unwrap_or_default()
                    });
                    let end = now + self.config.batch_window.saturating_sub(waited);
                    debug!(waited_ms = waited.as_millis() as u64, "batch window opened");
                    window_end = Some(end);
                }
            }
            if window_end.is_none() && *stopping.borrow() {
                return Ok(received);
            }
        }
    }

    /// Sorts received messages into new arrivals, messages of batches already begun,
    /// and messages with nothing to do; runs the batches.
    async fn handle(
        &mut self,
        received: Vec<Received>,
        report: &mut QueueReport,
    ) -> Result<(), QueueError> {
        let mut fresh: Vec<(Received, Vec<String>)> = Vec::new();
        let mut begun: BTreeMap<String, Vec<Received>> = BTreeMap::new();
        let mut nothing = Vec::new();
        let mut created = Vec::new();
        for message in received {
            let keys = match events::parse(&message.body) {
                Message::Ignored(reason) => {
                    info!(message = %message.id, %reason, "message ignored");
                    nothing.push(message);
                    continue;
                }
                Message::Created(arrivals) => {
                    let raw = &self.pipeline.buckets.raw;
                    let (ours, others): (Vec<_>, Vec<_>) =
                        arrivals.into_iter().partition(|a| &a.bucket == raw);
                    for other in others {
                        info!(bucket = %other.bucket, "object outside the raw bucket ignored");
                    }
                    ours.into_iter().map(|a| a.key).collect::<Vec<_>>()
                }
            };
            if keys.is_empty() {
                nothing.push(message);
            } else {
                created.push((message, keys));
            }
        }
        // Which messages a batch already claimed (delivered again): one lookup each, in
        // parallel.
        let claims = join_all(created.iter().map(|(m, _)| self.ledger.claim_of(&m.id))).await;
        for ((message, keys), claim) in created.into_iter().zip(claims) {
            match claim? {
                Some(claim) => begun.entry(claim.batch_id).or_default().push(message),
                None => fresh.push((message, keys)),
            }
        }
        self.delete(&nothing).await?;
        for (batch, messages) in begun {
            self.resume(&batch, messages, report).await?;
        }
        if !fresh.is_empty() {
            self.start(fresh, report).await?;
        }
        Ok(())
    }

    /// A new batch of `fresh` arrivals.
    async fn start(
        &mut self,
        fresh: Vec<(Received, Vec<String>)>,
        report: &mut QueueReport,
    ) -> Result<(), QueueError> {
        let batch = new_batch_id();
        let lease = Lease::new(&self.config.worker_name, self.config.visibility);
        let Some(held) = self.ledger.acquire(batch.as_str(), &lease).await? else {
            return Err(QueueError::LeaseLost(batch.to_string()));
        };
        let entries: Vec<Entry> = fresh
            .iter()
            .flat_map(|(message, keys)| {
                keys.iter().map(|key| Entry {
                    message_id: message.id.clone(),
                    key: key.clone(),
                })
            })
            .collect();
        self.ledger.write_journal(batch.as_str(), &entries).await?;
        let mut mine = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        let mut elsewhere: BTreeMap<String, Vec<Received>> = BTreeMap::new();
        let claim = Claim {
            batch_id: batch.to_string(),
        };
        let owners = join_all(fresh.iter().map(|(message, _)| async {
            let owner = self.ledger.claim(&message.id, &claim).await;
            ferret_orchestrator::crash::step();
            owner
        }))
        .await;
        for ((message, message_keys), owner) in fresh.into_iter().zip(owners) {
            let owner = owner?;
            if owner == claim {
                for key in message_keys {
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
                mine.push(message);
            } else {
                // Delivered twice and claimed by another batch meanwhile.
                elsewhere.entry(owner.batch_id).or_default().push(message);
            }
        }
        let (keys, versions) = self.own_objects(&batch, keys).await?;
        self.run_batch(&batch, &keys, &versions, held, &mine, report)
            .await?;
        for (other, messages) in elsewhere {
            self.resume(&other, messages, report).await?;
        }
        Ok(())
    }

    /// Messages of a batch begun earlier: done (delete them), held by a live worker
    /// (leave them), or abandoned by a stopped one (take it over and finish it).
    async fn resume(
        &mut self,
        batch: &str,
        messages: Vec<Received>,
        report: &mut QueueReport,
    ) -> Result<(), QueueError> {
        let id = BatchId::parse(batch).map_err(|e| {
            QueueError::Pipeline(PipelineError::Scan(format!(
                "claimed by a bad batch id: {e}"
            )))
        })?;
        let store = &self.pipeline.store;
        let summary = store
            .head(&self.pipeline.buckets.scan_results, &id.summary_key())
            .await
            .map_err(PipelineError::from)?;
        if summary.is_some() {
            return self.delete(&messages).await;
        }
        let lease = Lease::new(&self.config.worker_name, self.config.visibility);
        let Some(held) = self.ledger.acquire(batch, &lease).await? else {
            info!(%batch, "batch held by another worker; its messages wait");
            return Ok(());
        };
        info!(%batch, "resuming a batch its worker left unfinished");
        let entries = self.ledger.journal(batch).await?;
        let keys = self.keys_of(&id, &entries).await?;
        let (keys, versions) = self.own_objects(&id, keys).await?;
        self.run_batch(&id, &keys, &versions, held, &messages, report)
            .await
    }

    /// Of `keys`, those this batch stages, with the raw versions it claimed for them:
    /// an object still in raw is staged by the one batch that claims its version (this
    /// one, perhaps before a crash); an object no longer in raw is left to staging, which
    /// finds it in this batch already or passes over it.
    async fn own_objects(
        &self,
        batch: &BatchId,
        keys: Vec<String>,
    ) -> Result<(Vec<String>, Vec<ObjectVersion>), QueueError> {
        let claim = Claim {
            batch_id: batch.to_string(),
        };
        let raw = &self.pipeline.buckets.raw;
        let lookups = keys
            .iter()
            .map(|key| {
                let claim = &claim;
                async move {
                    let Some(version) =
                        objects::current_version(self.ledger.s3(), raw, key).await?
                    else {
                        return Ok(None);
                    };
                    let owner = self.ledger.claim_object(&version, claim).await?;
                    ferret_orchestrator::crash::step();
                    Ok::<_, LedgerError>(Some((owner == *claim, version)))
                }
            })
            .collect();
        let outcomes = bounded_in_order(lookups, self.pipeline.concurrency).await;
        let mut mine = Vec::with_capacity(keys.len());
        let mut versions = Vec::new();
        for (key, outcome) in keys.into_iter().zip(outcomes) {
            match outcome? {
                None => mine.push(key),
                Some((true, version)) => {
                    mine.push(key);
                    versions.push(version);
                }
                Some((false, _)) => {
                    info!(%batch, %key, "object staged by another batch (announced twice)");
                }
            }
        }
        Ok((mine, versions))
    }

    /// The keys of `entries` whose messages the batch claimed.
    async fn keys_of(&self, batch: &BatchId, entries: &[Entry]) -> Result<Vec<String>, QueueError> {
        let mut owners: BTreeMap<&str, bool> = BTreeMap::new();
        let mut keys = Vec::new();
        for entry in entries {
            let owned = match owners.get(entry.message_id.as_str()) {
                Some(owned) => *owned,
                None => {
                    let owned = self
                        .ledger
                        .claim_of(&entry.message_id)
                        .await?
                        .is_some_and(|c| c.batch_id == batch.as_str());
                    owners.insert(&entry.message_id, owned);
                    owned
                }
            };
            if owned && !keys.contains(&entry.key) {
                keys.push(entry.key.clone());
            }
        }
        Ok(keys)
    }

    /// Runs the batch while renewing its lease, then tells reviewers, publishes
    /// findings, and deletes the messages.
    async fn run_batch(
        &mut self,
        batch: &BatchId,
        keys: &[String],
        versions: &[ObjectVersion],
        mut held: Held,
        messages: &[Received],
        report: &mut QueueReport,
    ) -> Result<(), QueueError> {
        let renew_every = (self.config.visibility / 3).max(Duration::from_millis(500));
        let ledger = self.ledger.clone();
        let worker = self.config.worker_name.clone();
        let ttl = self.config.visibility;
        let renewing = async move {
            loop {
                tokio::time::sleep(renew_every).await;
                match ledger.renew(&mut held, &Lease::new(&worker, ttl)).await {
                    Ok(true) => {}
                    Ok(false) => return QueueError::LeaseLost(held.batch_id.clone()),
                    Err(error) => warn!(%error, "cannot renew the batch's lease; trying again"),
                }
            }
        };
        info!(batch = %batch, objects = keys.len(), "batch started");
        let started = Instant::now();
        let summary = tokio::select! {
            summary = self.pipeline.run_keys(batch, keys) => summary?,
            lost = renewing => return Err(lost),
        };
        info!(
            batch = %batch,
            status = ?summary.status,
            objects = summary.counts.objects,
            sensitive = summary.counts.sensitive,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "batch routed"
        );
        report.batches += 1;
        report.objects += summary.counts.objects;
        for version in versions {
            if let Err(error) = self.ledger.release_object(version).await {
                warn!(batch = %batch, %error, "cannot release an object's claim; it stays, harmless");
            }
        }
        let routed = Instant::now();
        self.after(batch, &summary).await;
        self.delete(messages).await?;
        debug!(
            batch = %batch,
            after_ms = routed.elapsed().as_millis() as u64,
            "notices, findings and message deletes done"
        );
        Ok(())
    }

    /// What follows a routed batch and must not hold it up: reviewers' notice and
    /// findings. Failures are logged and counted; the batch stays done.
    async fn after(&mut self, batch: &BatchId, summary: &Summary) {
        if let Err(error) = notify_reviewers(&self.settings, summary).await {
            warn!(batch = %batch, %error, "reviewers could not be notified");
        }
        let Some(findings) = &mut self.findings else {
            return;
        };
        match self.pipeline.sensitive_records(batch).await {
            Ok(Some(records)) => {
                let before = findings.report().failed();
                let results = format!(
                    "s3://{}/{}",
                    self.pipeline.buckets.scan_results,
                    batch.results_key()
                );
                findings.publish_from(&records, Some(&results)).await;
                let failed = findings.report().failed() - before;
                if failed > 0 {
                    warn!(batch = %batch, failed, "findings could not be published");
                }
            }
            Ok(None) => {}
            Err(error) => {
                warn!(batch = %batch, %error, "cannot read the batch's results for findings")
            }
        }
    }

    async fn delete(&self, messages: &[Received]) -> Result<(), QueueError> {
        for chunk in messages.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(&m.receipt)
                        .build()
                        .ok()
                })
                .collect();
            let answer = self
                .sqs
                .delete_message_batch()
                .queue_url(&self.config.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| QueueError::Sqs {
                    operation: "DeleteMessageBatch",
                    message: DisplayErrorContext(&e).to_string(),
                })?;
            if let Some(failed) = answer.failed.first() {
                // The message comes back and is deleted then, its batch being done.
                warn!(code = %failed.code, "a message could not be deleted");
            }
        }
        Ok(())
    }
}

/// Keeps the received messages hidden from other workers while this one holds them.
async fn keep_hidden(
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    held: Arc<Mutex<Vec<String>>>,
    visibility: Duration,
) {
    let every = (visibility / 3).max(Duration::from_millis(500));
    loop {
        tokio::time::sleep(every).await;
        let receipts = lock(&held).clone();
        for chunk in receipts.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, receipt)| {
                    ChangeMessageVisibilityBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(receipt)
                        .visibility_timeout(visibility.as_secs() as i32)
                        .build()
                        .ok()
                })
                .collect();
            if let Err(error) = sqs
                .change_message_visibility_batch()
                .queue_url(&queue_url)
                .set_entries(Some(entries))
                .send()
                .await
            {
                warn!(error = %DisplayErrorContext(&error), "cannot extend the messages' visibility");
            }
        }
    }
}

/// When SQS says the message was sent (`SentTimestamp`, milliseconds since the epoch).
fn sent_at(message: &aws_sdk_sqs::types::Message) -> Option<SystemTime> {
    let millis: u64 = message
        .attributes
        .as_ref()?
        .get(&MessageSystemAttributeName::SentTimestamp)?
        .parse()
        .ok()?;
    UNIX_EPOCH.checked_add(Duration::from_millis(millis))
}

/// Runs `futures` with at most `limit` in flight; outcomes in the futures' order.
async fn bounded_in_order<F: std::future::Future>(futures: Vec<F>, limit: usize) -> Vec<F::Output> {
    use futures_util::stream::{self, StreamExt};
    stream::iter(futures).buffered(limit.max(1)).collect().await
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `q-YYYYMMDDTHHMMSSZ-xxxxxxxx`: sortable by start time, unique by its random part.
fn new_batch_id() -> BatchId {
    let time = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        .to_string()
        .replace(['-', ':'], "");
    let id = format!("q-{time}-{:08x}", fastrand::u32(..));
    BatchId::parse(&id).expect("letters, digits and '-' make a valid batch id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_batch_ids_are_valid_and_distinct() {
        let a = new_batch_id();
        let b = new_batch_id();
        assert!(a.as_str().starts_with("q-"));
        assert_ne!(a, b);
    }
}
