//! `ferret buckets init`.

use std::process::ExitCode;

use ferret_orchestrator::layout::Buckets;

use crate::buckets_args::{runtime, BucketArgs};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the five pipeline buckets: default encryption, public access blocked,
    /// TLS-only policy, 10-day expiry on manual-review. Safe to run again.
    Init {
        /// Encrypt with this KMS key instead of SSE-S3.
        #[arg(long, value_name = "KEY")]
        kms_key_id: Option<String>,
        /// Also send raw's ObjectCreated notifications to this SQS queue, for
        /// `ferret worker --queue-url` (S3 stores only).
        #[arg(long, value_name = "ARN")]
        notify_queue_arn: Option<String>,
        #[command(flatten)]
        buckets: BucketArgs,
    },
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let Command::Init {
        kms_key_id,
        notify_queue_arn,
        buckets,
    } = command;
    let settings = buckets.settings(None)?;
    let names = Buckets::for_prefix(&settings.prefix);
    let kms = kms_key_id.as_deref();
    runtime()?.block_on(async {
        let store = settings.open_store().await;
        ferret_orchestrator::buckets::init(store.as_ref(), &names, kms).await?;
        if let Some(queue_arn) = &notify_queue_arn {
            anyhow::ensure!(
                settings.store == ferret_orchestrator::settings::StoreSpec::S3,
                "--notify-queue-arn wires S3 event notifications: use it with --store s3"
            );
            let sdk = ferret_integrations::sdk_config(
                settings.endpoint_url.as_deref(),
                settings.region.as_deref(),
            )
            .await;
            let s3 = ferret_integrations::s3_client(&sdk);
            ferret_integrations::queue::wiring::wire_notifications(&s3, &names.raw, queue_arn)
                .await?;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    println!("{}", serde_json::json!({ "buckets": names.all() }));
    Ok(ExitCode::SUCCESS)
}
