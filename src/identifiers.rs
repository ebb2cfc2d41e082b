//! `ferret identifiers list`: the built-in managed identifiers, as an analyst checks
//! what a scan can report (ID, category, countries, keyword rule and keywords, check,
//! severity scoring, recommended or not, Macie's or ferret's own).

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;
use ferret_identifiers::managed::{ManagedIdentifier, MANAGED_IDENTIFIERS};
use serde_json::{json, Value};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the managed identifiers ferret has built in.
    List(ListArgs),
    /// Macie definitions (API JSON, --cli-input-json files, CloudFormation) to an
    /// identifier file.
    Import(crate::identifiers_interop::ImportArgs),
    /// An identifier file to Macie JSON or a CloudFormation template.
    Export(crate::identifiers_interop::ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::List(args) => list(&args),
        Command::Import(args) => crate::identifiers_interop::import(args),
        Command::Export(args) => crate::identifiers_interop::export(args),
    }
}

fn list(args: &ListArgs) -> anyhow::Result<ExitCode> {
    match args.format {
        ListFormat::Json => {
            let rows: Vec<Value> = MANAGED_IDENTIFIERS.iter().map(row_json).collect();
            crate::output::print_json(&json!({ "managedDataIdentifiers": rows }))?;
        }
        ListFormat::Text => {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{:<48} {:<27} {:<10} {:<14} {:<23} {:<22} ORIGIN",
                "ID", "CATEGORY", "COUNTRIES", "KEYWORDS", "CHECK", "SEVERITY"
            )?;
            for row in MANAGED_IDENTIFIERS {
                let keywords = match (row.keywords.words().len(), row.domestic()) {
                    (_, Some(form)) => format!("bban req ({})", form.keywords.len()),
                    (0, None) => "none".to_owned(),
                    (n, None) => format!("{} ({n})", row.keywords.rule()),
                };
                writeln!(
                    out,
                    "{:<48} {:<27} {:<10} {:<14} {:<23} {:<22} {}{}",
                    row.type_name,
                    row.category_text(),
                    row.countries_text(),
                    keywords,
                    match row.domestic_check_text() {
                        Some(domestic) => format!("{}+{domestic}", row.check_text()),
                        None => row.check_text().to_owned(),
                    },
                    row.scoring_text(),
                    row.origin.as_str(),
                    if row.recommended { ", recommended" } else { "" },
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn row_json(row: &ManagedIdentifier) -> Value {
    let [one, some, many] = row.severity_scoring().map(|s| s.as_str());
    json!({
        "id": row.type_name,
        "category": row.category.as_str(),
        "subcategory": match row.page.subcategory() { "" => Value::Null, sub => json!(sub) },
        "countries": row.countries,
        "keywordRule": row.keywords.rule(),
        "keywords": row.keywords.words(),
        "validator": row.check.map(|check| check.name()),
        // The domestic account number (BBAN) some bank account types also report, with
        // its own keyword rule and check; null for every other type.
        "domestic": row.domestic().map(|form| json!({
            "form": "BBAN",
            "keywordRule": "required",
            "keywords": form.keywords,
            "validator": form.check.map(|check| check.name()),
        })),
        "severityScoring": { "1": one, "2-99": some, "100+": many },
        "recommended": row.recommended,
        "origin": row.origin.as_str(),
    })
}
