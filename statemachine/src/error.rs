//! The errors a task reports to Step Functions, named so that the definition's Retry
//! and Catch rules can tell a passing outage from a failure that retrying cannot fix.

use ferret_orchestrator::notify::NotifyError;
use ferret_orchestrator::pipeline::PipelineError;
use ferret_orchestrator::review::ReviewError;
use ferret_store::StoreError;

/// A task that did not succeed. [`TaskError::name`] is the `error` sent with
/// SendTaskFailure; the message is its `cause`. Messages name batches, keys and
/// services, never matched values.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// The task's input is not one this worker understands (a definition from another
    /// version, or a hand-started execution with a bad id).
    #[error("bad task input: {0}")]
    BadInput(String),
    /// The store could not be reached or failed; retrying later may work.
    #[error("store unavailable: {0}")]
    StoreUnavailable(StoreError),
    /// The store refused (missing bucket, access denied, invalid request): retrying
    /// will not help until someone fixes the setup.
    #[error("store refused: {0}")]
    StoreRefused(StoreError),
    /// Some objects could not be moved; they stayed where they were.
    #[error("{0}")]
    MoveFailed(String),
    /// The scanner could not run.
    #[error("{0}")]
    ScanFailed(String),
    /// Results or other records of the batch cannot be read back.
    #[error("{0}")]
    ResultsUnreadable(String),
    /// Reviewers could not be told that the batch waits for them.
    #[error("{0}")]
    NotifyFailed(#[from] NotifyError),
    /// A review decision could not be applied.
    #[error("{0}")]
    ReviewFailed(String),
    /// The worker was asked to stop before the task finished; the task is safe to
    /// retry from the start.
    #[error("the worker stopped before the task finished")]
    WorkerStopping,
    /// The task's code failed unexpectedly.
    #[error("internal error: {0}")]
    Internal(String),
}

impl TaskError {
    /// The error name Step Functions sees (`ferret.StoreUnavailable`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            TaskError::BadInput(_) => "ferret.BadInput",
            TaskError::StoreUnavailable(_) => "ferret.StoreUnavailable",
            TaskError::StoreRefused(_) => "ferret.StoreRefused",
            TaskError::MoveFailed(_) => "ferret.MoveFailed",
            TaskError::ScanFailed(_) => "ferret.ScanFailed",
            TaskError::ResultsUnreadable(_) => "ferret.ResultsUnreadable",
            TaskError::NotifyFailed(_) => "ferret.NotifyFailed",
            TaskError::ReviewFailed(_) => "ferret.ReviewFailed",
            TaskError::WorkerStopping => "ferret.WorkerStopping",
            TaskError::Internal(_) => "ferret.Internal",
        }
    }
}

impl From<StoreError> for TaskError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Service { .. } | StoreError::Io { .. } => {
                TaskError::StoreUnavailable(error)
            }
            StoreError::NoSuchBucket { .. }
            | StoreError::NoSuchObject { .. }
            | StoreError::AccessDenied { .. }
            | StoreError::Invalid { .. } => TaskError::StoreRefused(error),
        }
    }
}

impl From<PipelineError> for TaskError {
    fn from(error: PipelineError) -> Self {
        match error {
            PipelineError::Store(e) => e.into(),
            PipelineError::Moves { .. } => TaskError::MoveFailed(error.to_string()),
            PipelineError::Results { .. } => TaskError::ResultsUnreadable(error.to_string()),
            PipelineError::Scan(_) => TaskError::ScanFailed(error.to_string()),
            PipelineError::NotInBatch { .. } => TaskError::BadInput(error.to_string()),
        }
    }
}

impl From<ReviewError> for TaskError {
    fn from(error: ReviewError) -> Self {
        match error {
            ReviewError::Store(e) => e.into(),
            ReviewError::Moves { .. } => TaskError::MoveFailed(error.to_string()),
            _ => TaskError::ReviewFailed(error.to_string()),
        }
    }
}

/// A Step Functions request that failed.
#[derive(Debug, thiserror::Error)]
#[error("Step Functions {operation}: {message}")]
pub struct SfnError {
    pub operation: &'static str,
    /// The service's error code (`TaskTimedOut`, `InvalidToken`, ...) when it gave one.
    pub code: Option<String>,
    /// The SDK's error with its causes.
    pub message: String,
}

impl SfnError {
    /// Wraps an SDK error, keeping its code.
    pub fn new<E>(operation: &'static str, error: aws_sdk_sfn::error::SdkError<E>) -> SfnError
    where
        E: aws_sdk_sfn::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        use aws_sdk_sfn::error::ProvideErrorMetadata;
        SfnError {
            operation,
            code: error.code().map(str::to_owned),
            message: aws_sdk_sfn::error::DisplayErrorContext(&error).to_string(),
        }
    }

    /// True when the task behind a token is over (answered, timed out, or its
    /// execution stopped): nothing sent with that token can matter any more.
    pub fn task_is_gone(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("TaskTimedOut" | "TaskDoesNotExist" | "InvalidToken")
        )
    }
}
