//! `ferret review show --batch-id ID [--key K]... [--reveal N]`.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use ferret_orchestrator::layout::{BatchId, Buckets};
use ferret_orchestrator::review_show::{show, ObjectView, ShowRequest};
use ferret_scanner::Limits;

use crate::buckets_args::{identifier_set, BucketArgs, ScanArgs};

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[arg(long, value_name = "ID")]
    batch_id: String,
    /// An object's original key; repeat for several. Without it, every object of the
    /// batch waiting for review.
    #[arg(long = "key", value_name = "K")]
    keys: Vec<String>,
    /// Also show the first N (1-10) occurrences of each type, up to 128 characters
    /// each, read from the object. Each reveal is recorded in the batch's review.jsonl.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=10))]
    reveal: Option<u8>,
    /// Who looks, for the audit trail of reveals (default: $USER).
    #[arg(long, value_name = "NAME")]
    reviewer: Option<String>,
    /// `text` for people, `json` for tools.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    #[command(flatten)]
    buckets: BucketArgs,
    /// The identifiers the batch was scanned with (for --reveal).
    #[command(flatten)]
    scan: ScanArgs,
}

pub fn run(runtime: &tokio::runtime::Runtime, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let settings = args.buckets.settings(Some(&args.scan))?;
    let batch = BatchId::parse(&args.batch_id)?;
    let request = ShowRequest {
        batch,
        keys: args.keys,
        reveal: args.reveal,
        reviewer: args
            .reviewer
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "unknown".to_owned()),
        at: std::time::SystemTime::now(),
    };
    let buckets = Buckets::for_prefix(&settings.prefix);
    let views = runtime.block_on(async {
        let store = settings.open_store().await;
        let set = Arc::new(identifier_set(&settings, store.as_ref()).await?);
        anyhow::Ok(show(store, &buckets, set, Limits::default(), &request).await?)
    })?;
    let mut out = std::io::stdout().lock();
    if args.format == "json" {
        serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "objects": views }))?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &views)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_text(out: &mut dyn Write, views: &[ObjectView]) -> anyhow::Result<()> {
    if views.is_empty() {
        writeln!(out, "Nothing waits for review.")?;
    }
    for view in views {
        write!(out, "{}  {}", view.key, view.status)?;
        if let Some(reason) = &view.reason {
            write!(out, " ({reason})")?;
        }
        writeln!(
            out,
            "  severity {}",
            view.severity.as_deref().unwrap_or("-")
        )?;
        for detection in &view.detections {
            let o = &detection.occurrences;
            let mut places: Vec<String> = Vec::new();
            places.extend(
                o.cells
                    .iter()
                    .map(|c| format!("row {} column {}", c.row, c.column)),
            );
            places.extend(
                o.line_ranges
                    .iter()
                    .map(|l| format!("line {} col {}", l.start, l.start_column)),
            );
            places.extend(o.records.iter().map(|r| {
                format!(
                    "record {} {}",
                    r.record_index,
                    r.json_path.as_deref().unwrap_or("$")
                )
            }));
            writeln!(
                out,
                "  {:<32} {:>6}  {}",
                detection.name,
                detection.count,
                places.join(", ")
            )?;
        }
        for samples in view.samples.iter().flatten() {
            for value in &samples.values {
                writeln!(out, "    {}: {value:?}", samples.name)?;
            }
        }
    }
    Ok(())
}
