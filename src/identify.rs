//! `ferret identify`: the analyst's test bench.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};
use ferret_scanner::{bench, Limits};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The identifier file (TOML) to test.
    #[arg(long, value_name = "FILE")]
    identifiers: PathBuf,
    /// The sample to test on, read by its format (text, CSV, TSV, XLSX, JSON, PDF,
    /// Word, e-mail, ...).
    #[arg(long, value_name = "FILE")]
    sample: PathBuf,
    /// Show only the identifier with this name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Managed identifiers to test alongside the file's: none, recommended, all, or a
    /// list of IDs, category:X, country:XX and exclude:ID.
    #[arg(long, value_name = "LIST", default_value = "none")]
    managed: String,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    #[command(flatten)]
    size_quotas: crate::size_quotas::SizeQuotaArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file = IdentifierFile::load(&args.identifiers)?;
    let managed = ManagedSelection::parse(&args.managed)?;
    let set = IdentifierSet::new(&file, &managed)?;
    let limits = Limits {
        file_size: args.size_quotas.quotas(),
        ..Limits::default()
    };
    let report = bench::run_with_limits(&set, &args.sample, args.name.as_deref(), &limits)?;
    let rendered = match args.format {
        OutputFormat::Text => report.render_text(),
        OutputFormat::Json => {
            let mut json = serde_json::to_string_pretty(&report).context("rendering JSON")?;
            json.push('\n');
            json
        }
    };
    std::io::stdout()
        .lock()
        .write_all(rendered.as_bytes())
        .context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}
