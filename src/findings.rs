//! `--findings`: the flag of `scan`, `pipeline run` and `worker`, and publishing from a
//! command (the publishing itself is `ferret_integrations::findings`).

use ferret_integrations::findings::{FindingsReport, Publisher, Target};
use ferret_scanner::ResultRecord;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct FindingsArgs {
    /// Publish each sensitive object's finding: `eventbridge[:BUS_NAME]` (an event on the
    /// default bus or BUS_NAME) or `securityhub`; repeat for both.
    #[arg(
        long = "findings",
        id = "findings",
        env = "FERRET_FINDINGS",
        value_name = "TARGET",
        value_delimiter = ','
    )]
    pub targets: Vec<Target>,
}

impl FindingsArgs {
    /// A publisher reaching AWS through `endpoint_url` and `region` (the store's), or
    /// `None` when no target was asked for.
    pub async fn publisher(
        &self,
        endpoint_url: Option<&str>,
        region: Option<&str>,
    ) -> anyhow::Result<Option<Publisher>> {
        if self.targets.is_empty() {
            return Ok(None);
        }
        let config = ferret_integrations::sdk_config(endpoint_url, region).await;
        Ok(Some(Publisher::new(&config, &self.targets).await?))
    }
}

/// Tells on stderr what could not be published; true when something could not.
pub fn report_failures(report: &FindingsReport) -> bool {
    let failed = report.failed();
    if failed == 0 {
        return false;
    }
    eprintln!("ferret: {failed} findings could not be published (after retries):");
    for target in [&report.eventbridge, &report.securityhub]
        .into_iter()
        .flatten()
    {
        for error in &target.errors {
            eprintln!("  {error}");
        }
    }
    true
}

/// Publishing from a synchronous command (`ferret scan`): the publisher with a runtime
/// of its own.
pub struct BlockingPublisher {
    runtime: tokio::runtime::Runtime,
    publisher: Publisher,
}

impl BlockingPublisher {
    /// `None` when no target was asked for.
    pub fn start(
        args: &FindingsArgs,
        endpoint_url: Option<&str>,
        region: Option<&str>,
    ) -> anyhow::Result<Option<BlockingPublisher>> {
        if args.targets.is_empty() {
            return Ok(None);
        }
        let runtime = crate::buckets_args::runtime()?;
        let publisher = runtime.block_on(args.publisher(endpoint_url, region))?;
        Ok(publisher.map(|publisher| BlockingPublisher { runtime, publisher }))
    }

    pub fn publish(&mut self, records: &[ResultRecord]) {
        self.runtime.block_on(self.publisher.publish(records));
    }

    pub fn report(&self) -> &FindingsReport {
        self.publisher.report()
    }
}

/// A command's JSON summary with the findings report as `findings`.
pub fn with_report<T: serde::Serialize>(
    summary: &T,
    report: &FindingsReport,
) -> anyhow::Result<serde_json::Value> {
    let mut value = serde_json::to_value(summary)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("findings".to_owned(), serde_json::to_value(report)?);
    }
    Ok(value)
}
