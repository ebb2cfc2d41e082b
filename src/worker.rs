//! `ferret worker`: serves the state machine's activity until SIGTERM or Ctrl-C.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use ferret_orchestrator::pipeline::Pipeline;
use ferret_orchestrator::settings::Settings;
use ferret_statemachine::{Steps, Worker, WorkerConfig};
use tokio::sync::watch;
use tracing::info;

use crate::buckets_args::{runtime, BucketArgs, ScanArgs};
use crate::on_sensitive::PolicyArgs;
use crate::pipeline::pipeline;

/// Tasks a worker runs at once unless `--concurrency` says otherwise.
const DEFAULT_TASKS: usize = 4;

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("mode").required(true).args(["activity_arn", "queue_url"]))]
pub struct Args {
    /// The activity to serve (`ferret statemachine create` prints it).
    #[arg(long, env = "FERRET_ACTIVITY_ARN", value_name = "ARN")]
    activity_arn: Option<String>,
    /// Event-driven mode: consume raw's ObjectCreated notifications from this SQS queue
    /// and run a batch per arrival window, with no schedule or state machine.
    #[arg(
        long,
        env = "FERRET_QUEUE_URL",
        value_name = "URL",
        conflicts_with = "activity_arn"
    )]
    queue_url: Option<String>,
    #[command(flatten)]
    queue: crate::worker_queue::QueueArgs,
    /// The name the execution history shows for this worker (default: host and pid).
    #[arg(long, env = "FERRET_WORKER_NAME", value_name = "NAME")]
    worker_name: Option<String>,
    /// Seconds between heartbeats of a running task; keep it well under the
    /// definition's HeartbeatSeconds (60 by default).
    #[arg(
        long,
        env = "FERRET_HEARTBEAT_INTERVAL",
        value_name = "S",
        default_value_t = 20
    )]
    heartbeat_interval: u64,
    /// After SIGTERM, seconds running tasks may take to finish before they are failed
    /// as ferret.WorkerStopping (and retried by another worker).
    #[arg(
        long,
        env = "FERRET_SHUTDOWN_GRACE",
        value_name = "S",
        default_value_t = 25
    )]
    shutdown_grace: u64,
    #[command(flatten)]
    buckets: BucketArgs,
    /// `--concurrency N`: tasks run at once (default 4); each also keeps up to N store
    /// requests in flight.
    #[command(flatten)]
    scan: ScanArgs,
    #[command(flatten)]
    policy: PolicyArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logs();
    let Some(activity_arn) = args.activity_arn.clone() else {
        let queue_url = args.queue_url.clone().unwrap_or_default();
        let settings = args.buckets.settings(Some(&args.scan))?;
        let name = args.worker_name.clone().unwrap_or_else(default_name);
        return crate::worker_queue::run(&args.queue, queue_url, name, settings, &args.policy);
    };
    let mut settings = args.buckets.settings(Some(&args.scan))?;
    let tasks = args.scan.concurrency().unwrap_or(DEFAULT_TASKS).max(1);
    if args.scan.concurrency().is_none() {
        settings.concurrency = settings.concurrency.max(tasks);
    }
    let config = WorkerConfig {
        activity_arn,
        worker_name: args.worker_name.unwrap_or_else(default_name),
        concurrency: tasks,
        heartbeat_interval: Duration::from_secs(args.heartbeat_interval.max(1)),
        shutdown_grace: Duration::from_secs(args.shutdown_grace),
    };
    let runtime = runtime()?;
    let outcome = runtime.block_on(async {
        let (stop, stopping) = watch::channel(false);
        tokio::spawn(async move {
            if let Err(error) = stop_signal().await {
                tracing::warn!(%error, "cannot listen for SIGTERM; stop with SIGKILL");
                return;
            }
            info!("stop asked: finishing running tasks, polling no more");
            let _ = stop.send(true);
        });
        let sfn = ferret_statemachine::client::client(
            settings.endpoint_url.as_deref(),
            settings.region.as_deref(),
        )
        .await;
        info!(
            activity = %config.activity_arn,
            worker = %config.worker_name,
            tasks = config.concurrency,
            "worker started"
        );
        let store = settings.open_store().await;
        let findings = args
            .queue
            .findings
            .publisher(settings.endpoint_url.as_deref(), settings.region.as_deref())
            .await?
            .map(|publisher| Arc::new(tokio::sync::Mutex::new(publisher)));
        let pipeline = args
            .policy
            .apply(pipeline(store, &settings).await?, &settings)?;
        let report = serve(pipeline, &settings, sfn, config, findings.clone(), stopping).await?;
        info!(
            succeeded = report.succeeded,
            failed = report.failed,
            deferred = report.deferred,
            abandoned = report.abandoned,
            "worker stopped"
        );
        if let Some(findings) = findings {
            if crate::findings::report_failures(findings.lock().await.report()) {
                return Ok(ExitCode::from(crate::EXIT_ERROR));
            }
        }
        Ok(ExitCode::SUCCESS)
    });
    // A task abandoned at the end of the grace period may still hold a scanner thread
    // (blocked on a slow stream); exit without waiting for it.
    runtime.shutdown_timeout(Duration::from_secs(1));
    outcome
}

async fn serve(
    pipeline: Pipeline,
    settings: &Settings,
    sfn: aws_sdk_sfn::Client,
    config: WorkerConfig,
    findings: Option<Arc<tokio::sync::Mutex<ferret_integrations::findings::Publisher>>>,
    stopping: watch::Receiver<bool>,
) -> anyhow::Result<ferret_statemachine::worker::WorkerReport> {
    let steps = Steps {
        pipeline,
        settings: settings.clone(),
        findings,
    };
    Worker::new(sfn, steps, config)
        .run(stopping)
        .await
        .context("the worker cannot poll its activity")
}

/// Resolves on SIGTERM (how ECS, systemd and Kubernetes stop a service) or Ctrl-C.
pub async fn stop_signal() -> std::io::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = terminate.recv() => Ok(()),
        interrupted = tokio::signal::ctrl_c() => interrupted,
    }
}

pub fn default_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "ferret".to_owned());
    format!("{host}-{}", std::process::id())
}

/// Worker logs go to stderr (`FERRET_LOG` filters, `info` by default). They name
/// steps, batches and errors, never what a scan found.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FERRET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
