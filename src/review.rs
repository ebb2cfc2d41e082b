//! `ferret review list|approve|deny`.

use std::io::Write;
use std::process::ExitCode;

use ferret_orchestrator::layout::{BatchId, Buckets};
use ferret_orchestrator::review::{self, Decision, PendingBatch, Verdict};
use ferret_orchestrator::settings::Settings;
use ferret_scanner::result::StatusCode;
use ferret_statemachine::review::Delivery;
use ferret_store::Store;

use crate::buckets_args::{runtime, BucketArgs};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show what waits in manual-review.
    List {
        #[arg(long, value_name = "ID")]
        batch_id: Option<String>,
        /// `text` for people, `json` for tools.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
        #[command(flatten)]
        buckets: BucketArgs,
    },
    /// Show what each waiting object holds: types, counts, locations; `--reveal N` also
    /// the first N occurrences of each type, read from the object (recorded in
    /// review.jsonl, never logged).
    Show(Box<crate::review_show::ShowArgs>),
    /// Move objects to scanned-data under their original key (tag ReviewDecision=approved).
    Approve(DecisionArgs),
    /// Delete objects from manual-review.
    Deny(DecisionArgs),
}

#[derive(Debug, clap::Args)]
pub struct DecisionArgs {
    #[arg(long, value_name = "ID")]
    batch_id: String,
    /// An object's original key (as it was in raw); repeat for several. Without it the
    /// decision covers the whole batch.
    #[arg(long = "key", value_name = "K")]
    keys: Vec<String>,
    /// Who decides, for the audit trail (default: $USER).
    #[arg(long, value_name = "NAME")]
    reviewer: Option<String>,
    #[command(flatten)]
    buckets: BucketArgs,
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let runtime = runtime()?;
    match command {
        Command::List {
            batch_id,
            format,
            buckets,
        } => {
            let settings = buckets.settings(None)?;
            let batch = batch_id.as_deref().map(BatchId::parse).transpose()?;
            let pending = runtime.block_on(async {
                let store = settings.open_store().await;
                list(store.as_ref(), &settings, batch.as_ref()).await
            })?;
            let mut out = std::io::stdout().lock();
            if format == "json" {
                serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "batches": pending }))?;
                writeln!(out)?;
            } else {
                write_table(&mut out, &pending)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show(args) => crate::review_show::run(&runtime, *args),
        Command::Approve(args) => decide(&runtime, args, Decision::Approved),
        Command::Deny(args) => decide(&runtime, args, Decision::Denied),
    }
}

/// A batch waiting for review, and the execution waiting with it, if one does.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    #[serde(flatten)]
    batch: PendingBatch,
    /// The state machine execution that waits for the decision (`ferret review
    /// approve|deny` then answers it), when the batch runs under Step Functions.
    waiting_execution: Option<String>,
}

async fn list(
    store: &dyn Store,
    settings: &Settings,
    batch: Option<&BatchId>,
) -> anyhow::Result<Vec<Listed>> {
    let buckets = Buckets::for_prefix(&settings.prefix);
    let mut listed = Vec::new();
    for pending in review::list(store, &buckets, batch).await? {
        let id = BatchId::parse(&pending.batch_id)?;
        let waiting = ferret_statemachine::token::load(store, &buckets, &id).await?;
        listed.push(Listed {
            batch: pending,
            waiting_execution: waiting.map(|t| {
                t.execution_arn
                    .unwrap_or_else(|| "(unknown execution)".to_owned())
            }),
        });
    }
    Ok(listed)
}

fn write_table(out: &mut dyn Write, pending: &[Listed]) -> anyhow::Result<()> {
    if pending.is_empty() {
        writeln!(out, "Nothing waits for review.")?;
    }
    for Listed {
        batch,
        waiting_execution,
    } in pending
    {
        writeln!(
            out,
            "batch {} ({} objects)",
            batch.batch_id,
            batch.objects.len()
        )?;
        if let Some(execution) = waiting_execution {
            writeln!(out, "  waiting in state machine execution {execution}")?;
        }
        for object in &batch.objects {
            let tag = |name: &str| object.tags.get(name).map_or("-", String::as_str);
            writeln!(
                out,
                "  {:<40} severity {:<7} status {:<9} {}",
                object.key,
                tag("FindingSeverity"),
                object
                    .tags
                    .get("ScanStatus")
                    .map_or(StatusCode::Complete.as_str(), String::as_str),
                tag("FindingTypes"),
            )?;
        }
    }
    Ok(())
}

fn decide(
    runtime: &tokio::runtime::Runtime,
    args: DecisionArgs,
    decision: Decision,
) -> anyhow::Result<ExitCode> {
    let settings = args.buckets.settings(None)?;
    let batch = BatchId::parse(&args.batch_id)?;
    let reviewer = args
        .reviewer
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".to_owned());
    let verdict = Verdict::new(batch, args.keys, decision, reviewer);
    let record = runtime.block_on(async {
        let store = settings.open_store().await;
        apply(store.as_ref(), &settings, &verdict).await
    })?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &record)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

async fn apply(
    store: &dyn Store,
    settings: &Settings,
    verdict: &Verdict,
) -> anyhow::Result<Delivery> {
    let buckets = Buckets::for_prefix(&settings.prefix);
    ferret_statemachine::review::decide(store, &buckets, verdict, settings.concurrency, || {
        ferret_statemachine::client::client(
            settings.endpoint_url.as_deref(),
            settings.region.as_deref(),
        )
    })
    .await
    .map_err(|error| {
        let hint = error.is_worth_retrying().then_some(
            "the decision was not fully applied; run the same command again to finish it",
        );
        let error = anyhow::Error::new(error);
        match hint {
            Some(hint) => error.context(hint),
            None => error,
        }
    })
}
