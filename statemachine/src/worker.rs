//! The activity worker: long-polls the activity for tasks, runs each through
//! [`Steps`], beats the task's heartbeat while it works, and answers with the step's
//! output or a named error. Any number of workers may serve one activity; a worker
//! that dies stops beating, Step Functions times the task out, and the definition's
//! Retry hands it to another worker. Every step is idempotent, so a task run twice (or
//! half-run, then run again) ends as if run once.

use std::sync::Arc;
use std::time::Duration;

use ferret_store::Store;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{info, warn};

use crate::error::{SfnError, TaskError};
use crate::steps::{Answer, Steps};
use crate::task::TaskInput;

/// Step Functions' limit on a failure's cause, in characters.
const MAX_CAUSE_CHARS: usize = 32_768;

/// Attempts at delivering an answer before the task is left to time out (and be
/// retried by the definition).
const ANSWER_ATTEMPTS: u32 = 4;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub activity_arn: String,
    /// Shown in the execution history for each task this worker takes.
    pub worker_name: String,
    /// Tasks run at once (each has its own long poll).
    pub concurrency: usize,
    /// How often a running task's heartbeat is sent: well under the definition's
    /// `HeartbeatSeconds` (a third of it by default).
    pub heartbeat_interval: Duration,
    /// Once a stop is asked, how long running tasks may take to finish before they are
    /// failed as `ferret.WorkerStopping` (and retried elsewhere).
    pub shutdown_grace: Duration,
}

/// What a worker did, reported when it stops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerReport {
    /// Tasks answered with SendTaskSuccess.
    pub succeeded: u64,
    /// Tasks answered with SendTaskFailure.
    pub failed: u64,
    /// AwaitReview tasks whose token was kept for the reviewers.
    pub deferred: u64,
    /// Tasks given up because Step Functions no longer knew them, or left unanswered
    /// because the answer could not be delivered.
    pub abandoned: u64,
}

impl std::ops::AddAssign for WorkerReport {
    fn add_assign(&mut self, other: WorkerReport) {
        self.succeeded += other.succeeded;
        self.failed += other.failed;
        self.deferred += other.deferred;
        self.abandoned += other.abandoned;
    }
}

/// An activity worker over one pipeline.
pub struct Worker<S: Store + ?Sized = dyn Store> {
    sfn: aws_sdk_sfn::Client,
    steps: Arc<Steps<S>>,
    config: WorkerConfig,
}

impl<S: Store + ?Sized> Worker<S> {
    pub fn new(sfn: aws_sdk_sfn::Client, steps: Steps<S>, config: WorkerConfig) -> Worker<S> {
        Worker {
            sfn,
            steps: Arc::new(steps),
            config,
        }
    }

    /// Polls and runs tasks until `stop` turns true, then lets running tasks finish
    /// (within the grace period) and returns. Fails only when polling cannot work at
    /// all (the activity does not exist, access is denied).
    pub async fn run(self, stop: watch::Receiver<bool>) -> Result<WorkerReport, SfnError> {
        let worker = Arc::new(self);
        let mut pollers = JoinSet::new();
        for _ in 0..worker.config.concurrency.max(1) {
            pollers.spawn(Arc::clone(&worker).poll(stop.clone()));
        }
        let mut report = WorkerReport::default();
        let mut fatal = None;
        while let Some(joined) = pollers.join_next().await {
            match joined {
                Ok(Ok(polled)) => report += polled,
                Ok(Err(error)) => {
                    // Every poller meets the same error; stop them all.
                    pollers.abort_all();
                    fatal.get_or_insert(error);
                }
                Err(panic) if panic.is_panic() => {
                    fatal.get_or_insert(SfnError {
                        operation: "worker",
                        code: None,
                        message: format!("a poller panicked: {panic}"),
                    });
                }
                Err(_) => {}
            }
        }
        match fatal {
            Some(error) => Err(error),
            None => Ok(report),
        }
    }

    /// One long-poll loop.
    async fn poll(
        self: Arc<Self>,
        mut stop: watch::Receiver<bool>,
    ) -> Result<WorkerReport, SfnError> {
        let mut report = WorkerReport::default();
        let mut backoff = Backoff::new();
        loop {
            if *stop.borrow() {
                return Ok(report);
            }
            let request = self
                .sfn
                .get_activity_task()
                .activity_arn(&self.config.activity_arn)
                .worker_name(&self.config.worker_name)
                .send();
            // Dropping the poll on a stop can strand a task Step Functions hands to it
            // at that instant; the task then times out and is retried elsewhere.
            let polled = tokio::select! {
                polled = request => polled,
                () = stopped(&mut stop) => return Ok(report),
            };
            let task = match polled {
                Ok(task) => task,
                Err(error) => {
                    let error = SfnError::new("GetActivityTask", error);
                    if matches!(
                        error.code.as_deref(),
                        Some("ActivityDoesNotExist" | "AccessDeniedException" | "InvalidArn")
                    ) {
                        return Err(error);
                    }
                    warn!(%error, "polling failed; polling again");
                    tokio::select! {
                        () = tokio::time::sleep(backoff.next()) => continue,
                        () = stopped(&mut stop) => return Ok(report),
                    }
                }
            };
            backoff.reset();
            let Some(token) = task.task_token().filter(|t| !t.is_empty()) else {
                continue;
            };
            let outcome = self
                .handle(token, task.input().unwrap_or("{}"), stop.clone())
                .await;
            report += outcome;
        }
    }

    /// Runs one task and answers it.
    async fn handle(&self, token: &str, input: &str, stop: watch::Receiver<bool>) -> WorkerReport {
        let input: TaskInput = match serde_json::from_str(input) {
            Ok(input) => input,
            Err(error) => {
                let error = TaskError::BadInput(error.to_string());
                return self.answer(token, "?", Err(error)).await;
            }
        };
        let step = input.step();
        info!(step, batch = input.batch_id(), "task started");
        // The step runs as its own task: a panic in it fails this task, not the worker,
        // and a stop or a vanished task aborts it.
        let mut work = tokio::spawn({
            let steps = Arc::clone(&self.steps);
            let token = token.to_owned();
            async move { steps.run(&input, &token).await }
        });
        let result = tokio::select! {
            joined = &mut work => joined.unwrap_or_else(|e| Err(TaskError::Internal(e.to_string()))),
            gone = self.heartbeats(token) => {
                work.abort();
                warn!(step, error = %gone, "the task is over on Step Functions' side; abandoned it");
                return WorkerReport { abandoned: 1, ..WorkerReport::default() };
            }
            () = grace_after_stop(stop, self.config.shutdown_grace) => {
                work.abort();
                Err(TaskError::WorkerStopping)
            }
        };
        self.answer(token, step, result).await
    }

    /// Beats the task's heartbeat until Step Functions says the task is over; returns
    /// that answer. Other failures are logged and the beat goes on.
    async fn heartbeats(&self, token: &str) -> SfnError {
        let mut ticker = tokio::time::interval(self.config.heartbeat_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            let beat = self
                .sfn
                .send_task_heartbeat()
                .task_token(token)
                .send()
                .await;
            if let Err(error) = beat {
                let error = SfnError::new("SendTaskHeartbeat", error);
                if error.task_is_gone() {
                    return error;
                }
                warn!(%error, "heartbeat failed");
            }
        }
    }

    /// Sends the task's answer, retrying transient failures.
    async fn answer(
        &self,
        token: &str,
        step: &'static str,
        result: Result<Answer, TaskError>,
    ) -> WorkerReport {
        let mut report = WorkerReport::default();
        let mut backoff = Backoff::new();
        let output = match &result {
            Ok(Answer::Deferred) => {
                info!(step, "task token kept for the reviewers");
                report.deferred = 1;
                return report;
            }
            Ok(Answer::Output(value)) => Some(value),
            Err(error) => {
                warn!(step, error = error.name(), cause = %error, "task failed");
                None
            }
        };
        for attempt in 1..=ANSWER_ATTEMPTS {
            let sent = match (output, &result) {
                (Some(value), _) => self.send_success(token, value).await,
                (None, Err(error)) => self.send_failure(token, error).await,
                (None, Ok(_)) => Ok(()),
            };
            match sent {
                Ok(()) => {
                    if output.is_some() {
                        info!(step, "task succeeded");
                        report.succeeded = 1;
                    } else {
                        report.failed = 1;
                    }
                    return report;
                }
                Err(error) if error.task_is_gone() || attempt == ANSWER_ATTEMPTS => {
                    warn!(step, %error, "the answer could not be delivered; the task will time out");
                    report.abandoned = 1;
                    return report;
                }
                Err(error) => {
                    warn!(step, %error, "sending the answer failed; trying again");
                    tokio::time::sleep(backoff.next()).await;
                }
            }
        }
        report
    }

    async fn send_success(&self, token: &str, output: &Value) -> Result<(), SfnError> {
        self.sfn
            .send_task_success()
            .task_token(token)
            .output(output.to_string())
            .send()
            .await
            .map(drop)
            .map_err(|e| SfnError::new("SendTaskSuccess", e))
    }

    async fn send_failure(&self, token: &str, error: &TaskError) -> Result<(), SfnError> {
        let cause: String = error.to_string().chars().take(MAX_CAUSE_CHARS).collect();
        self.sfn
            .send_task_failure()
            .task_token(token)
            .error(error.name())
            .cause(cause)
            .send()
            .await
            .map(drop)
            .map_err(|e| SfnError::new("SendTaskFailure", e))
    }
}

/// Resolves once a stop is asked (never, if nobody can ask any more).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|stopping| *stopping).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Resolves `grace` after a stop is asked.
async fn grace_after_stop(mut stop: watch::Receiver<bool>, grace: Duration) {
    stopped(&mut stop).await;
    tokio::time::sleep(grace).await;
}

/// Exponential backoff between failed requests: 200 ms doubling up to 20 s.
struct Backoff(Duration);

impl Backoff {
    const FIRST: Duration = Duration::from_millis(200);
    const MAX: Duration = Duration::from_secs(20);

    fn new() -> Backoff {
        Backoff(Backoff::FIRST)
    }

    fn next(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (self.0 * 2).min(Backoff::MAX);
        wait
    }

    fn reset(&mut self) {
        self.0 = Backoff::FIRST;
    }
}
