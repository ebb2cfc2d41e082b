//! `ferret pipeline run` and `ferret pipeline demo`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use ferret_orchestrator::layout::{BatchId, Buckets};
use ferret_orchestrator::notify::notify_reviewers;
use ferret_orchestrator::pipeline::{BatchStatus, OnSensitive, Pipeline, Summary};
use ferret_orchestrator::settings::{Settings, StoreSpec};
use ferret_scanner::{Limits, ScanOptions};
use ferret_store::Store;

use crate::buckets_args::{identifier_set, runtime, BucketArgs, ScanArgs};
use crate::on_sensitive::PolicyArgs;
use crate::output::print_json;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run (or resume) one batch: stage raw's objects, scan them, route each to
    /// manual-review or scanned-data; prints a JSON summary.
    Run(Box<RunArgs>),
    /// Run the whole flow on a fresh embedded store filled from samples/.
    Demo {
        /// Where to create the embedded store (must not exist yet).
        #[arg(long, value_name = "PATH")]
        dir: Option<PathBuf>,
        /// The sample files to load into raw.
        #[arg(long, value_name = "DIR", default_value = "samples")]
        samples: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The batch id: keeps this batch's objects apart from every other's.
    #[arg(long, value_name = "ID")]
    batch_id: String,
    #[command(flatten)]
    buckets: BucketArgs,
    #[command(flatten)]
    scan: ScanArgs,
    #[command(flatten)]
    policy: PolicyArgs,
    #[command(flatten)]
    findings: crate::findings::FindingsArgs,
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Run(args) => {
            let batch = BatchId::parse(&args.batch_id)?;
            let settings = args.buckets.settings(Some(&args.scan))?;
            let runtime = runtime()?;
            let summary = runtime.block_on(run_batch(&settings, &batch, &args.policy))?;
            let findings = runtime.block_on(publish_findings(&settings, &args.findings, &batch))?;
            match &findings {
                Some(report) => print_json(&crate::findings::with_report(&summary, report)?)?,
                None => print_json(&summary)?,
            }
            runtime
                .block_on(notify_reviewers(&settings, &summary))
                .context("the batch completed, but reviewers could not be notified")?;
            if findings
                .as_ref()
                .is_some_and(crate::findings::report_failures)
            {
                return Ok(ExitCode::from(crate::EXIT_ERROR));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { dir, samples } => demo(dir, &samples),
    }
}

/// Runs a batch on the store `settings` name, under `policy`.
pub async fn run_batch(
    settings: &Settings,
    batch: &BatchId,
    policy: &PolicyArgs,
) -> anyhow::Result<Summary> {
    let pipeline = policy.apply(
        pipeline(settings.open_store().await, settings).await?,
        settings,
    )?;
    let summary = pipeline.run(batch).await.with_context(|| {
        format!("batch {batch} did not complete; run the same command again to resume it")
    })?;
    Ok(summary)
}

/// Publishes the findings of a completed batch, from its results, when `--findings`
/// asks for it. Running the same batch again publishes them again: Security Hub updates
/// the same findings, and publishing that failed is retried.
async fn publish_findings(
    settings: &Settings,
    args: &crate::findings::FindingsArgs,
    batch: &BatchId,
) -> anyhow::Result<Option<ferret_integrations::findings::FindingsReport>> {
    let Some(mut publisher) = args
        .publisher(settings.endpoint_url.as_deref(), settings.region.as_deref())
        .await?
    else {
        return Ok(None);
    };
    let pipeline = pipeline(settings.open_store().await, settings).await?;
    if let Some(records) = pipeline.sensitive_records(batch).await? {
        // Only S3 locations mean anything to Security Hub's readers.
        let results = (settings.store == StoreSpec::S3).then(|| {
            format!(
                "s3://{}/{}",
                pipeline.buckets.scan_results,
                batch.results_key()
            )
        });
        publisher.publish_from(&records, results.as_deref()).await;
    }
    Ok(Some(publisher.report().clone()))
}

/// A pipeline over `store` configured by `settings`.
pub async fn pipeline(store: Arc<dyn Store>, settings: &Settings) -> anyhow::Result<Pipeline> {
    let set = identifier_set(settings, store.as_ref()).await?;
    Ok(Pipeline {
        store,
        buckets: Buckets::for_prefix(&settings.prefix),
        set: Arc::new(set),
        scan_options: ScanOptions {
            limits: Limits {
                file_size: settings.file_size,
                ..Limits::default()
            },
            ..ScanOptions::default()
        },
        concurrency: settings.concurrency,
        threads: settings.threads,
        on_sensitive: OnSensitive::Review,
    })
}

/// File extensions the demo loads from the samples folder (data, not tooling).
const DEMO_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "json", "jsonl", "xlsx", "gz", "zip"];

fn demo(dir: Option<PathBuf>, samples: &Path) -> anyhow::Result<ExitCode> {
    if !samples.is_dir() {
        bail!(
            "{}: no samples folder here; run the demo from the repository's root or pass --samples",
            samples.display()
        );
    }
    let root = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("ferret-demo-{}", std::process::id()))
    });
    if root.exists() {
        bail!(
            "{}: already exists; the demo needs a fresh store",
            root.display()
        );
    }
    let identifiers = samples.join("identifiers.toml");
    let settings = Settings {
        store: StoreSpec::Dir(root.clone()),
        prefix: "demo".to_owned(),
        identifiers: identifiers.exists().then_some(identifiers),
        managed: "all".to_owned(),
        endpoint_url: None,
        region: None,
        expected_bucket_owner: None,
        notify_sns_topic: None,
        notify_webhook: None,
        concurrency: 8,
        threads: 0,
        file_size: Default::default(),
    };
    let runtime = runtime()?;
    let pipeline = runtime.block_on(async {
        let store = settings.open_store().await;
        pipeline(store, &settings).await
    })?;
    let batch = BatchId::parse("demo-1")?;
    let loaded = runtime.block_on(load_samples(&pipeline, samples))?;
    println!(
        "Embedded store: {}\nLoaded {} sample files into {}\n",
        root.display(),
        loaded,
        pipeline.buckets.raw
    );
    let summary = runtime.block_on(pipeline.run(&batch))?;
    let routings = runtime
        .block_on(pipeline.load_results(&batch))?
        .unwrap_or_default();
    println!("{:<40} {:<15} {:<9} WHY", "OBJECT", "ROUTED TO", "SEVERITY");
    for routing in &routings {
        let destination = if routing.to_review {
            "manual-review"
        } else {
            "scanned-data"
        };
        let severity = routing.severity.as_ref().map_or("-", |(_, d)| d.as_str());
        let why = routing
            .tags
            .get("FindingTypes")
            .or(routing.tags.get("ScanStatus"))
            .map_or("clean", String::as_str);
        println!(
            "{:<40} {destination:<15} {severity:<9} {why}",
            routing.original_key
        );
    }
    println!();
    print_json(&summary)?;
    if summary.status == BatchStatus::ManualReviewRequired {
        print_review_hints(&root, &batch, &summary);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the review commands for the demo's batch, ready to paste: the store's real
/// path and a real held key, shell-quoted where needed, so that a new user can run each
/// line as printed (with `ferret` installed, as the README's set-up does).
fn print_review_hints(root: &Path, batch: &BatchId, summary: &Summary) {
    let store = shell_word(&format!("dir:{}", root.display()));
    let common = format!("--store {store} --prefix demo --batch-id {batch}");
    println!("\nReview it (`cargo install --locked --path .` puts `ferret` on your PATH):");
    println!("  ferret review list {common}");
    if let Some(key) = summary.manual_review_keys.first() {
        println!(
            "  ferret review approve {common} --key {}   # one object",
            shell_word(key)
        );
        println!("  ferret review deny {common}   # the rest of the batch");
    } else {
        println!("  ferret review approve {common}");
        println!("  ferret review deny {common}");
    }
}

/// `word` as one word of a POSIX shell command line: as it is when plain, otherwise in
/// single quotes (a `'` inside written `'\''`).
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:/=+@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Puts the demo's sample files into raw; returns how many.
async fn load_samples(pipeline: &Pipeline, samples: &Path) -> anyhow::Result<usize> {
    ferret_orchestrator::buckets::init(pipeline.store.as_ref(), &pipeline.buckets, None).await?;
    let mut loaded = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(samples)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| DEMO_EXTENSIONS.contains(&e))
        })
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .context("sample names are UTF-8")?;
        let body = std::fs::read(&path)?;
        pipeline
            .store
            .put(
                &pipeline.buckets.raw,
                &format!("incoming/{name}"),
                body,
                "application/octet-stream",
            )
            .await?;
        loaded += 1;
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn plain_words_are_printed_as_they_are() {
        assert_eq!(
            shell_word("dir:/tmp/ferret-demo-42"),
            "dir:/tmp/ferret-demo-42"
        );
        assert_eq!(
            shell_word("incoming/eventos.jsonl"),
            "incoming/eventos.jsonl"
        );
    }

    #[test]
    fn other_words_are_single_quoted_for_a_shell() {
        assert_eq!(
            shell_word("incoming/compagnie_française.csv"),
            "'incoming/compagnie_française.csv'"
        );
        assert_eq!(shell_word("dir:/tmp/my demo"), "'dir:/tmp/my demo'");
        assert_eq!(shell_word("it's.csv"), r"'it'\''s.csv'");
        assert_eq!(shell_word(""), "''");
    }
}
