//! `ferret scan`: files, directories and buckets to Macie-format results.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::ValueEnum;
use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};
use ferret_scanner::{scan_file, scan_parallel, table, ResultRecord, ScanOptions};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Custom data identifiers and allow lists (TOML).
    #[arg(long, value_name = "FILE")]
    identifiers: Option<PathBuf>,
    /// Managed identifiers: none, all, or a comma-separated list of types.
    #[arg(long, value_name = "LIST", default_value = "all")]
    managed: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    format: OutputFormat,
    /// Write results here instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Occurrences listed per detection; counts stay exact.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    max_occurrences: usize,
    /// Bytes that decompressing one object (gzip, zip, nested archives) may produce
    /// before it is reported ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT.
    #[arg(long, value_name = "BYTES")]
    max_extracted_bytes: Option<u64>,
    /// Files, directories (recursive) or s3://bucket[/prefix].
    #[arg(required = true, value_name = "TARGET")]
    targets: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Jsonl,
    Table,
}

/// Objects scanned per parallel round: results are written in order after each round,
/// so memory holds one round of records whatever the number of objects.
const ROUND: usize = 512;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file = match &args.identifiers {
        Some(path) => IdentifierFile::load(path)?,
        None => IdentifierFile::default(),
    };
    let managed = ManagedSelection::parse(&args.managed)?;
    let set = IdentifierSet::new(&file, &managed)?;
    if set.is_empty() {
        bail!("nothing to look for: give --identifiers or select managed identifiers");
    }
    let mut options = ScanOptions {
        max_occurrences: args.max_occurrences,
        ..ScanOptions::default()
    };
    if let Some(bytes) = args.max_extracted_bytes {
        options.limits.max_extracted_bytes = bytes;
    }

    let mut files = Vec::new();
    for target in &args.targets {
        if target.starts_with("s3://") {
            bail!("{target}: S3 targets are not supported yet");
        }
        let found = ferret_scanner::scan::local_files(target.as_ref())
            .with_context(|| format!("{target}: cannot list"))?;
        files.extend(found);
    }
    files.sort();
    files.dedup();

    let progress = progress_bar(files.iter().map(|(_, size)| size).sum());
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    if args.format == OutputFormat::Table {
        writeln!(out, "{}", table::header())?;
    }
    let mut sensitive = false;
    for round in files.chunks(ROUND) {
        let records = scan_parallel(
            round,
            args.threads,
            |(path, _)| scan_file(&set, path, &options),
            |record: &ResultRecord| progress.inc(record.resources_affected.s3_object.size),
        )?;
        for record in &records {
            sensitive |= record.is_sensitive();
            write_record(&mut out, args.format, record)?;
        }
    }
    out.flush().context("writing results")?;
    progress.finish_and_clear();
    Ok(if sensitive {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_record(
    out: &mut dyn Write,
    format: OutputFormat,
    record: &ResultRecord,
) -> anyhow::Result<()> {
    match format {
        OutputFormat::Jsonl => {
            serde_json::to_writer(&mut *out, record)?;
            writeln!(out)?;
        }
        OutputFormat::Table => writeln!(out, "{}", table::row(record))?,
    }
    Ok(())
}

/// A bar of bytes scanned on stderr when it is a terminal; hidden otherwise so logs and
/// pipes stay clean.
fn progress_bar(total_bytes: u64) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total_bytes);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}
