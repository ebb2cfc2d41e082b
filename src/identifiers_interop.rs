//! `ferret identifiers import` and `ferret identifiers export`: Macie's definitions of
//! custom data identifiers to and from identifier files (the conversions are
//! `ferret_integrations::macie`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use ferret_identifiers::IdentifierFile;
use ferret_integrations::macie;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Macie definitions: get-custom-data-identifier output, a
    /// create-custom-data-identifier --cli-input-json file, a list of them, or a
    /// CloudFormation template (JSON or YAML).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write the identifier file here instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// A JSON list of create-custom-data-identifier inputs.
    MacieJson,
    /// A CloudFormation template of AWS::Macie::CustomDataIdentifier resources.
    Cloudformation,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The identifier file to export.
    #[arg(long, value_name = "FILE")]
    identifiers: PathBuf,
    #[arg(long, value_enum, default_value_t = ExportFormat::MacieJson)]
    format: ExportFormat,
    /// Write here instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let mut texts = Vec::new();
    for path in &args.files {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        texts.push((path.as_path(), text));
    }
    let files: Vec<_> = texts.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let import = macie::import(&files)?;
    for warning in &import.warnings {
        eprintln!("ferret: warning: {warning}");
    }
    for refused in &import.refused {
        eprintln!("ferret: refused: {refused}");
    }
    if import.definitions.is_empty() {
        anyhow::bail!("no definition could be imported");
    }
    let toml = macie::to_toml(&import.definitions).map_err(anyhow::Error::msg)?;
    write(args.output.as_ref(), &toml)?;
    Ok(if import.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "ferret: {} definitions refused; the others were imported",
            import.refused.len()
        );
        ExitCode::from(crate::EXIT_ERROR)
    })
}

pub fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let file = IdentifierFile::load(&args.identifiers)?;
    let (definitions, warnings) = macie::export_definitions(&file);
    for warning in &warnings {
        eprintln!("ferret: warning: {warning}");
    }
    let value = match args.format {
        ExportFormat::MacieJson => serde_json::Value::Array(definitions),
        ExportFormat::Cloudformation => macie::cloudformation(&definitions),
    };
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    write(args.output.as_ref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

fn write(output: Option<&PathBuf>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
        }
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(())
        }
    }
}
