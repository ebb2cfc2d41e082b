//! `ferret statemachine render|create`.

use std::process::ExitCode;

use ferret_statemachine::deploy::create_or_update;
use ferret_statemachine::{render, RenderOptions, Variant};

use crate::buckets_args::runtime;
use crate::output::print_json;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the state machine definition (ASL JSON) for an activity.
    Render {
        /// The activity every task runs on (default: the `${ActivityArn}` placeholder,
        /// for CloudFormation's DefinitionSubstitutions).
        #[arg(long, value_name = "ARN")]
        activity_arn: Option<String>,
        #[command(flatten)]
        definition: DefinitionArgs,
    },
    /// Create or update the activity NAME-tasks and the state machine NAME; prints
    /// {"stateMachineArn": .., "activityArn": ..}.
    Create {
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The role Step Functions runs the state machine as.
        #[arg(long, value_name = "ARN")]
        role_arn: String,
        #[command(flatten)]
        definition: DefinitionArgs,
        /// A Step Functions-compatible endpoint; AWS_ENDPOINT_URL also works.
        #[arg(long, env = "FERRET_ENDPOINT_URL", value_name = "URL")]
        endpoint_url: Option<String>,
        #[arg(long, env = "FERRET_REGION", value_name = "REGION")]
        region: Option<String>,
    },
}

/// The settings of a rendered definition.
#[derive(Debug, clap::Args)]
pub struct DefinitionArgs {
    /// Share each batch's scan out to every worker with a Distributed Map.
    #[arg(long)]
    distributed: bool,
    /// A task whose worker sends no heartbeat for this long is retried elsewhere.
    #[arg(long, value_name = "S", default_value_t = RenderOptions::default().heartbeat_seconds)]
    heartbeat_seconds: u32,
    /// The longest one working step may take.
    #[arg(long, value_name = "S", default_value_t = RenderOptions::default().task_timeout_seconds)]
    task_timeout_seconds: u32,
    /// How long a batch waits for review before failing as ReviewTimedOut (5 days).
    #[arg(long, value_name = "S", default_value_t = RenderOptions::default().review_timeout_seconds)]
    review_timeout_seconds: u32,
    /// Objects per share of the Distributed Map.
    #[arg(long, value_name = "N", default_value_t = RenderOptions::default().max_items_per_batch)]
    max_items_per_batch: u32,
    /// Shares scanned at once by the Distributed Map.
    #[arg(long, value_name = "N", default_value_t = RenderOptions::default().max_concurrency)]
    max_concurrency: u32,
}

impl DefinitionArgs {
    fn variant(&self) -> Variant {
        if self.distributed {
            Variant::Distributed
        } else {
            Variant::Batch
        }
    }

    fn options(&self, activity_arn: Option<String>) -> RenderOptions {
        RenderOptions {
            activity_arn,
            heartbeat_seconds: self.heartbeat_seconds,
            task_timeout_seconds: self.task_timeout_seconds,
            review_timeout_seconds: self.review_timeout_seconds,
            max_items_per_batch: self.max_items_per_batch,
            max_concurrency: self.max_concurrency,
        }
    }
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Render {
            activity_arn,
            definition,
        } => {
            let rendered = render(definition.variant(), &definition.options(activity_arn))?;
            print_json(&rendered)?;
        }
        Command::Create {
            name,
            role_arn,
            definition,
            endpoint_url,
            region,
        } => {
            let runtime = runtime()?;
            let deployed = runtime.block_on(async {
                let sfn =
                    ferret_statemachine::client::client(endpoint_url.as_deref(), region.as_deref())
                        .await;
                create_or_update(
                    &sfn,
                    &name,
                    &role_arn,
                    definition.variant(),
                    &definition.options(None),
                )
                .await
            })?;
            print_json(&deployed)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
