//! Findings out: each sensitive object's result record, published where a team that runs
//! Macie already looks: EventBridge (one event per object, for rules) and Security Hub
//! (one ASFF finding per object, updated in place when the object is scanned again).
//!
//! Publishing happens after the records are written and the objects routed, and its
//! failures never change either: they are retried, then counted in a
//! [`FindingsReport`] that the command line prints and turns into its exit status. A
//! record carries no matched text, so neither does anything published from it.

mod eventbridge;
mod securityhub;

use std::time::Duration;

use ferret_scanner::ResultRecord;
use serde::Serialize;

use crate::aws_json::{AwsJsonClient, CallError};

pub use eventbridge::{event_detail, DETAIL_TYPE, MAX_EVENT_BYTES, SOURCE};
pub use securityhub::{asff_finding, finding_id, FindingContext};

/// Attempts per request in all: the first and up to three retries.
const ATTEMPTS: u32 = 4;

/// The wait before the first retry; doubled before each further one.
const BACKOFF: Duration = Duration::from_millis(250);

/// Errors kept in a report (the rest are counted).
const MAX_ERRORS: usize = 10;

/// Where findings go: `--findings eventbridge[:BUS]` or `--findings securityhub`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An event bus, by name or ARN (`default` when none is given).
    EventBridge {
        bus: String,
    },
    SecurityHub,
}

/// A `--findings` value that names no target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--findings {0:?}: use eventbridge, eventbridge:BUS_NAME or securityhub")]
pub struct InvalidTarget(pub String);

impl std::str::FromStr for Target {
    type Err = InvalidTarget;

    fn from_str(text: &str) -> Result<Target, InvalidTarget> {
        match text.split_once(':') {
            None if text == "eventbridge" => Ok(Target::EventBridge {
                bus: "default".to_owned(),
            }),
            None if text == "securityhub" => Ok(Target::SecurityHub),
            Some(("eventbridge", bus)) if !bus.is_empty() => Ok(Target::EventBridge {
                bus: bus.to_owned(),
            }),
            _ => Err(InvalidTarget(text.to_owned())),
        }
    }
}

/// What publishing did, per target: printed with the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingsReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eventbridge: Option<TargetReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub securityhub: Option<TargetReport>,
}

/// Findings published to one target, and those that could not be after every retry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetReport {
    pub published: u64,
    pub failed: u64,
    /// The first errors, naming the object (never what was found in it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl TargetReport {
    fn fail(&mut self, count: u64, error: String) {
        self.failed += count;
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(error);
        }
    }
}

impl FindingsReport {
    /// Findings that could not be published, over every target.
    pub fn failed(&self) -> u64 {
        [&self.eventbridge, &self.securityhub]
            .into_iter()
            .flatten()
            .map(|t| t.failed)
            .sum()
    }
}

/// Publishes sensitive records to the chosen targets.
#[derive(Debug)]
pub struct Publisher {
    client: AwsJsonClient,
    bus: Option<String>,
    security_hub: Option<FindingContext>,
    report: FindingsReport,
}

/// Why publishing could not start at all.
#[derive(Debug, thiserror::Error)]
pub enum PublisherError {
    #[error(transparent)]
    Client(#[from] CallError),
    #[error("Security Hub needs the account id, and STS GetCallerIdentity failed: {0}")]
    Account(String),
}

impl Publisher {
    /// A publisher to `targets`, reaching AWS as `config` says (the store's endpoint URL,
    /// region and credential chain).
    pub async fn new(
        config: &aws_config::SdkConfig,
        targets: &[Target],
    ) -> Result<Publisher, PublisherError> {
        let client = AwsJsonClient::new(config)?;
        let bus = targets.iter().find_map(|t| match t {
            Target::EventBridge { bus } => Some(bus.clone()),
            Target::SecurityHub => None,
        });
        let security_hub = if targets.contains(&Target::SecurityHub) {
            let identity = aws_sdk_sts::Client::new(config)
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| {
                    PublisherError::Account(aws_sdk_sts::error::DisplayErrorContext(&e).to_string())
                })?;
            let account = identity
                .account()
                .ok_or_else(|| PublisherError::Account("no account in the answer".to_owned()))?;
            Some(FindingContext::new(account, client.region()))
        } else {
            None
        };
        let report = FindingsReport {
            eventbridge: bus.as_ref().map(|_| TargetReport::default()),
            securityhub: security_hub.as_ref().map(|_| TargetReport::default()),
        };
        Ok(Publisher {
            client,
            bus,
            security_hub,
            report,
        })
    }

    /// Publishes the sensitive ones of `records`; others are passed over.
    pub async fn publish(&mut self, records: &[ResultRecord]) {
        self.publish_from(records, None).await;
    }

    /// [`Publisher::publish`] for records written to `results` (`s3://bucket/key`, a
    /// batch's results), which Security Hub findings then name as Macie's do.
    pub async fn publish_from(&mut self, records: &[ResultRecord], results: Option<&str>) {
        let sensitive: Vec<&ResultRecord> = records.iter().filter(|r| r.is_sensitive()).collect();
        if sensitive.is_empty() {
            return;
        }
        if let Some(bus) = self.bus.clone() {
            let report = self.report.eventbridge.get_or_insert_with(Default::default);
            eventbridge::publish(&self.client, &bus, &sensitive, report).await;
        }
        if let Some(context) = &self.security_hub {
            let report = self.report.securityhub.get_or_insert_with(Default::default);
            securityhub::publish(&self.client, context, &sensitive, results, report).await;
        }
    }

    /// What was published so far.
    pub fn report(&self) -> &FindingsReport {
        &self.report
    }
}

/// Runs `call` until it succeeds, fails for good, or [`ATTEMPTS`] are spent.
async fn with_retries<T, F, Fut>(mut call: F) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, CallError>>,
{
    let mut wait = BACKOFF;
    let mut attempt = 1;
    loop {
        match call().await {
            Err(error) if error.is_transient() && attempt < ATTEMPTS => {
                tracing::warn!(%error, attempt, "findings: retrying");
                tokio::time::sleep(wait).await;
                wait *= 2;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// `s3://bucket/key`, or the path of a local file: how errors name an object.
fn object_name(record: &ResultRecord) -> String {
    match &record.resources_affected.s3_bucket {
        Some(_) => format!("s3://{}", record.resources_affected.s3_object.path),
        None => record.resources_affected.s3_object.path.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_as_documented() {
        assert_eq!(
            "eventbridge".parse::<Target>(),
            Ok(Target::EventBridge {
                bus: "default".to_owned()
            })
        );
        assert_eq!(
            "eventbridge:security-events".parse::<Target>(),
            Ok(Target::EventBridge {
                bus: "security-events".to_owned()
            })
        );
        assert_eq!("securityhub".parse::<Target>(), Ok(Target::SecurityHub));
        for bad in ["", "eventbridge:", "sns", "securityhub:x"] {
            assert!(bad.parse::<Target>().is_err(), "{bad:?} accepted");
        }
    }
}
