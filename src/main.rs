//! `ferret`: the command line over the ferret crates. Each subcommand parses its flags,
//! calls one library function and prints; no scanning or routing logic lives here.

mod buckets;
mod buckets_args;
mod findings;
mod identifiers;
mod identifiers_interop;
mod identify;
mod on_sensitive;
mod output;
mod pipeline;
mod redact;
mod review;
mod review_show;
mod scan;
mod size_quotas;
mod statemachine;
mod worker;
mod worker_queue;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Find sensitive data before it reaches your data lake.
#[derive(Debug, Parser)]
#[command(name = "ferret", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Test custom data identifiers on a sample: every match and every rejected candidate.
    Identify(identify::Args),
    /// Scan files, directories or buckets and print one Macie-format result per object.
    /// Exit status: 0 nothing sensitive, 1 something sensitive, 2 error.
    Scan(scan::Args),
    /// Write copies with every match rewritten (replace, mask, hash), one JSON line
    /// per object. Exit status: 0 every object written or skipped, 2 error.
    Redact(Box<redact::Args>),
    /// Run batches through the pipeline.
    #[command(subcommand)]
    Pipeline(pipeline::Command),
    /// Approve or deny what waits in manual-review.
    #[command(subcommand)]
    Review(review::Command),
    /// Create the pipeline's buckets.
    #[command(subcommand)]
    Buckets(buckets::Command),
    /// Serve the state machine's activity: run the tasks of Step Functions executions.
    Worker(Box<worker::Args>),
    /// Render or deploy the Step Functions state machine.
    #[command(subcommand)]
    Statemachine(statemachine::Command),
    /// The built-in managed identifiers; Macie import and export of custom ones.
    #[command(subcommand)]
    Identifiers(identifiers::Command),
}

/// Exit status for usage and runtime errors (0 and 1 report what a scan found).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let outcome = match cli.command {
        Command::Identify(args) => identify::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Redact(args) => redact::run(*args),
        Command::Pipeline(command) => pipeline::run(command),
        Command::Review(command) => review::run(command),
        Command::Buckets(command) => buckets::run(command),
        Command::Worker(args) => worker::run(*args),
        Command::Statemachine(command) => statemachine::run(command),
        Command::Identifiers(command) => identifiers::run(command),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ferret: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
