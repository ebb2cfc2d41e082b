//! Flags shared by the commands that touch buckets (the store they name is opened by
//! [`Settings::open_store`]).

use std::path::PathBuf;

use anyhow::Context;
use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};
use ferret_orchestrator::allow_lists::resolve_allow_lists;
use ferret_orchestrator::settings::{FileSettings, Settings};
use ferret_store::Store;

#[derive(Debug, Clone, clap::Args)]
pub struct BucketArgs {
    /// Where the buckets are: `s3` or `dir:PATH` (the embedded store).
    #[arg(long, env = "FERRET_STORE", value_name = "s3|dir:PATH")]
    store: Option<String>,
    /// Bucket name prefix: buckets are PREFIX-data-pipeline-{raw,scan-stage,...}.
    #[arg(long, env = "FERRET_PREFIX", value_name = "P")]
    prefix: Option<String>,
    /// An S3-compatible endpoint (path-style addressing); AWS_ENDPOINT_URL also works.
    #[arg(long, env = "FERRET_ENDPOINT_URL", value_name = "URL")]
    endpoint_url: Option<String>,
    #[arg(long, env = "FERRET_REGION", value_name = "REGION")]
    region: Option<String>,
    /// Refuse buckets not owned by this account (ExpectedBucketOwner).
    #[arg(long, env = "FERRET_EXPECTED_BUCKET_OWNER", value_name = "ACCOUNT")]
    expected_bucket_owner: Option<String>,
    /// Settings file (default: ./ferret.toml when it exists).
    #[arg(long, env = "FERRET_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ScanArgs {
    /// Custom data identifiers and allow lists (TOML).
    #[arg(long, env = "FERRET_IDENTIFIERS", value_name = "FILE")]
    identifiers: Option<PathBuf>,
    /// Managed identifiers: recommended (default), all, none, or a comma-separated list
    /// of IDs, category:X, country:XX and exclude:ID.
    #[arg(long, env = "FERRET_MANAGED", value_name = "LIST")]
    managed: Option<String>,
    /// Store requests in flight at once (`ferret worker`: tasks run at once).
    #[arg(long, env = "FERRET_CONCURRENCY", value_name = "N")]
    concurrency: Option<usize>,
    /// Scanner threads (default: all cores).
    #[arg(long, env = "FERRET_THREADS", value_name = "N")]
    threads: Option<usize>,
    /// Publish a notice to this SNS topic when a batch needs review.
    #[arg(long, env = "FERRET_NOTIFY_SNS_TOPIC", value_name = "ARN")]
    notify_sns_topic: Option<String>,
    /// POST the notice (JSON) to this URL when a batch needs review.
    #[arg(long, env = "FERRET_NOTIFY_WEBHOOK", value_name = "URL")]
    notify_webhook: Option<String>,
    #[command(flatten)]
    size_quotas: crate::size_quotas::SizeQuotaArgs,
}

impl ScanArgs {
    /// `--concurrency`, when given.
    pub fn concurrency(&self) -> Option<usize> {
        self.concurrency
    }
}

impl BucketArgs {
    /// Resolves flags and environment, then `ferret.toml`, then defaults.
    pub fn settings(&self, scan: Option<&ScanArgs>) -> anyhow::Result<Settings> {
        let (path, explicit) = match &self.config {
            Some(path) => (path.clone(), true),
            None => (PathBuf::from("ferret.toml"), false),
        };
        let file = FileSettings::load(&path, explicit)?;
        let given = FileSettings {
            store: self.store.clone(),
            prefix: self.prefix.clone(),
            endpoint_url: self.endpoint_url.clone(),
            region: self.region.clone(),
            expected_bucket_owner: self.expected_bucket_owner.clone(),
            identifiers: scan.and_then(|s| s.identifiers.clone()),
            managed: scan.and_then(|s| s.managed.clone()),
            concurrency: scan.and_then(|s| s.concurrency),
            threads: scan.and_then(|s| s.threads),
            notify_sns_topic: scan.and_then(|s| s.notify_sns_topic.clone()),
            notify_webhook: scan.and_then(|s| s.notify_webhook.clone()),
            max_pdf_bytes: scan.and_then(|s| s.size_quotas.max_pdf_bytes),
            max_office_bytes: scan.and_then(|s| s.size_quotas.max_office_bytes),
            max_compressed_bytes: scan.and_then(|s| s.size_quotas.max_compressed_bytes),
            max_uncompressed_bytes: scan.and_then(|s| s.size_quotas.max_uncompressed_bytes),
        };
        Ok(file.resolve(given)?)
    }
}

/// The identifier set `settings` ask for, with allow lists kept in S3 read through
/// `store` (before anything is scanned).
pub async fn identifier_set(
    settings: &Settings,
    store: &dyn Store,
) -> anyhow::Result<IdentifierSet> {
    let mut file = match &settings.identifiers {
        Some(path) => IdentifierFile::load(path)?,
        None => IdentifierFile::default(),
    };
    resolve_allow_lists(store, &mut file).await?;
    let managed = ManagedSelection::parse(&settings.managed)?;
    let set = IdentifierSet::new(&file, &managed)?;
    anyhow::ensure!(
        !set.is_empty(),
        "nothing to look for: give --identifiers or select managed identifiers"
    );
    Ok(set)
}

/// A multi-threaded runtime for store requests.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}
