//! `ferret worker --queue-url URL`: the event-driven worker (its loop is
//! `ferret_integrations::queue`).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use ferret_integrations::queue::ledger::Ledger;
use ferret_integrations::queue::{QueueConfig, QueueWorker};
use ferret_orchestrator::settings::{Settings, StoreSpec};
use tokio::sync::watch;
use tracing::info;

use crate::buckets_args::runtime;
use crate::findings::FindingsArgs;
use crate::on_sensitive::PolicyArgs;
use crate::pipeline::pipeline;
use crate::worker::stop_signal;

/// Messages in one batch at most.
const MAX_MESSAGES: usize = 1000;

#[derive(Debug, clap::Args)]
pub struct QueueArgs {
    /// `--queue-url`: arrivals within this many seconds of a batch's first one join it.
    #[arg(
        long,
        env = "FERRET_BATCH_WINDOW",
        value_name = "S",
        default_value_t = 10
    )]
    batch_window: u64,
    /// `--queue-url`: seconds a received message stays hidden from other workers,
    /// extended every third of it while its batch runs.
    #[arg(
        long,
        env = "FERRET_VISIBILITY_TIMEOUT",
        value_name = "S",
        default_value_t = 60
    )]
    visibility_timeout: u64,
    #[command(flatten)]
    pub findings: FindingsArgs,
}

pub fn run(
    args: &QueueArgs,
    queue_url: String,
    worker_name: String,
    settings: Settings,
    policy: &PolicyArgs,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        settings.store == StoreSpec::S3,
        "--queue-url consumes S3 event notifications: use it with --store s3"
    );
    let config = QueueConfig {
        queue_url,
        batch_window: Duration::from_secs(args.batch_window),
        visibility: Duration::from_secs(args.visibility_timeout.max(2)),
        max_messages: MAX_MESSAGES,
        worker_name,
    };
    let runtime = runtime()?;
    let outcome = runtime.block_on(async {
        let (stop, stopping) = watch::channel(false);
        tokio::spawn(async move {
            if let Err(error) = stop_signal().await {
                tracing::warn!(%error, "cannot listen for SIGTERM; stop with SIGKILL");
                return;
            }
            info!("stop asked: finishing the batch under way, receiving no more");
            let _ = stop.send(true);
        });
        let sdk = ferret_integrations::sdk_config(
            settings.endpoint_url.as_deref(),
            settings.region.as_deref(),
        )
        .await;
        let findings = args
            .findings
            .publisher(settings.endpoint_url.as_deref(), settings.region.as_deref())
            .await?;
        let pipeline = policy.apply(
            pipeline(settings.open_store().await, &settings).await?,
            &settings,
        )?;
        let ledger = Ledger::new(
            ferret_integrations::s3_client(&sdk),
            &pipeline.buckets.scan_results,
        );
        info!(queue = %config.queue_url, worker = %config.worker_name, "worker started");
        let mut worker = QueueWorker {
            sqs: ferret_integrations::sqs_client(&sdk),
            ledger,
            pipeline,
            settings: settings.clone(),
            findings,
            config,
        };
        let report = worker
            .run(stopping)
            .await
            .context("the worker cannot consume its queue")?;
        info!(
            batches = report.batches,
            objects = report.objects,
            failed = report.failed,
            findings_failed = report.findings_failed,
            "worker stopped"
        );
        let failed = worker
            .findings
            .as_ref()
            .is_some_and(|f| crate::findings::report_failures(f.report()));
        Ok(if failed || report.failed > 0 {
            ExitCode::from(crate::EXIT_ERROR)
        } else {
            ExitCode::SUCCESS
        })
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    outcome
}
