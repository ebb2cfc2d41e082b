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
        #[command(flatten)]
        buckets: BucketArgs,
    },
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let Command::Init {
        kms_key_id,
        buckets,
    } = command;
    let settings = buckets.settings(None)?;
    let names = Buckets::for_prefix(&settings.prefix);
    let kms = kms_key_id.as_deref();
    runtime()?.block_on(async {
        let store = settings.open_store().await;
        ferret_orchestrator::buckets::init(store.as_ref(), &names, kms).await
    })?;
    println!("{}", serde_json::json!({ "buckets": names.all() }));
    Ok(ExitCode::SUCCESS)
}
