//! `ferret redact`: copies of files, directories or buckets with every kept match
//! rewritten, one JSON line per object on stdout.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};
use ferret_redact::{can_redact, Key, Policy, RedactError, Redacted, Redactor};
use ferret_scanner::{Format, Limits};
use ferret_store::{S3Config, Store, StoreConfig, StoreSpec};
use rayon::prelude::*;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Custom data identifiers, allow lists and the redaction settings (TOML).
    #[arg(long, value_name = "FILE")]
    identifiers: Option<PathBuf>,
    /// Managed identifiers: none, all, or a comma-separated list of types.
    #[arg(long, value_name = "LIST", default_value = "all")]
    managed: String,
    /// Where the copies go: a folder, or s3://bucket[/prefix].
    #[arg(long, value_name = "DIR|s3://bucket[/prefix]")]
    output: String,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Bytes that decompressing one object may produce before it is skipped.
    #[arg(long, value_name = "BYTES")]
    max_extracted_bytes: Option<u64>,
    /// An S3-compatible endpoint (path-style addressing); AWS_ENDPOINT_URL also works.
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// The AWS region of the buckets (default: from the AWS configuration).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Files, directories (recursive) or s3://bucket[/prefix].
    #[arg(required = true, value_name = "TARGET")]
    targets: Vec<String>,
}

/// One object to redact, and the name of its copy relative to the output.
struct Item {
    source: Source,
    relative: String,
}

enum Source {
    Local(PathBuf),
    S3 { bucket: String, key: String },
}

impl Item {
    /// The key reported for the object: the path as given, or the S3 key.
    fn key(&self) -> String {
        match &self.source {
            Source::Local(path) => path.to_string_lossy().into_owned(),
            Source::S3 { key, .. } => key.clone(),
        }
    }
}

/// Where copies go.
enum Destination {
    Dir(PathBuf),
    S3 { bucket: String, prefix: String },
}

/// One line of output.
#[derive(Serialize)]
struct Line {
    key: String,
    /// `COMPLETE`: the copy was written; `SKIPPED`: no copy.
    status: &'static str,
    reason: Option<&'static str>,
    /// Kept matches rewritten, per identifier.
    redacted: serde_json::Map<String, serde_json::Value>,
    /// Where the copy went.
    output: Option<String>,
}

/// Objects redacted per parallel round; lines are printed in order after each.
const ROUND: usize = 256;

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
    let variable = crate::on_sensitive::key_variable();
    let key = Key::find(variable, &file.redaction)?;
    // Refused here, before any object is read or written.
    let policy = Policy::new(&set, &file.redaction, key)?;
    let mut limits = Limits::default();
    if let Some(bytes) = args.max_extracted_bytes {
        limits.max_extracted_bytes = bytes;
    }
    let redactor = Redactor::new(&set, &policy, limits);

    let needs_s3 =
        args.output.starts_with("s3://") || args.targets.iter().any(|t| t.starts_with("s3://"));
    let s3 = needs_s3.then(|| S3::connect(&args)).transpose()?;
    let destination = match args.output.strip_prefix("s3://") {
        Some(location) => {
            let (bucket, prefix) = split_location(location)?;
            Destination::S3 { bucket, prefix }
        }
        None => Destination::Dir(PathBuf::from(&args.output)),
    };
    let items = list(&args.targets, s3.as_ref(), &destination)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .context("starting worker threads")?;
    let mut out = BufWriter::new(io::stdout().lock());
    let mut failed = false;
    for round in items.chunks(ROUND) {
        let lines: Vec<anyhow::Result<Line>> = pool.install(|| {
            round
                .par_iter()
                .map(|item| redact_one(&redactor, item, s3.as_ref(), &destination))
                .collect()
        });
        for line in lines {
            match line {
                Ok(line) => {
                    serde_json::to_writer(&mut out, &line)?;
                    writeln!(out)?;
                }
                Err(error) => {
                    out.flush()?;
                    eprintln!("ferret: {error:#}");
                    failed = true;
                }
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(crate::EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    })
}

fn split_location(location: &str) -> anyhow::Result<(String, String)> {
    let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
    if bucket.is_empty() {
        bail!("s3://{location}: no bucket named");
    }
    Ok((bucket.to_owned(), prefix.trim_end_matches('/').to_owned()))
}

/// Every object of the targets, with the name of its copy: a file's name, a path
/// below a directory given, an S3 key.
fn list(
    targets: &[String],
    s3: Option<&S3>,
    destination: &Destination,
) -> anyhow::Result<Vec<Item>> {
    let output_dir = match destination {
        Destination::Dir(dir) => dir.canonicalize().ok(),
        Destination::S3 { .. } => None,
    };
    let mut items = Vec::new();
    for target in targets {
        if let Some(location) = target.strip_prefix("s3://") {
            let s3 = s3.context("S3 client")?;
            let (bucket, prefix) = split_location(location)?;
            let objects = s3
                .runtime
                .block_on(s3.store.list(&bucket, &prefix))
                .with_context(|| format!("listing {target}"))?;
            items.extend(objects.into_iter().map(|object| Item {
                relative: object.key.clone(),
                source: Source::S3 {
                    bucket: bucket.clone(),
                    key: object.key,
                },
            }));
            continue;
        }
        let root = Path::new(target);
        let found = ferret_scanner::scan::local_files(root)
            .with_context(|| format!("{target}: cannot list"))?;
        for (path, _) in found {
            let canonical = path.canonicalize().ok();
            if let (Some(out), Some(path)) = (&output_dir, &canonical) {
                if path.starts_with(out) {
                    // A copy written by an earlier run, or about to be written by this one.
                    continue;
                }
            }
            let relative = match path.strip_prefix(root) {
                Ok(rest) if !rest.as_os_str().is_empty() => rest.to_string_lossy().into_owned(),
                _ => path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            };
            items.push(Item {
                source: Source::Local(path),
                relative,
            });
        }
    }
    items.sort_by_key(Item::key);
    items.dedup_by(|a, b| a.key() == b.key());
    Ok(items)
}

/// Redacts one object. `Err` only for a failure of the run (the copy could not be
/// written); what is wrong with the object itself is a SKIPPED line.
fn redact_one(
    redactor: &Redactor<'_>,
    item: &Item,
    s3: Option<&S3>,
    destination: &Destination,
) -> anyhow::Result<Line> {
    let key = item.key();
    let skipped = |reason: Option<ferret_scanner::result::Reason>| Line {
        key: key.clone(),
        status: "SKIPPED",
        reason: reason.map(|r| r.as_str()),
        redacted: serde_json::Map::new(),
        output: None,
    };
    if !can_redact(Format::from_path(Path::new(&item.relative))) {
        return Ok(skipped(
            RedactError::Unsupported(Format::Unsupported).reason(),
        ));
    }
    let mut input: Box<dyn Read + Send> = match &item.source {
        Source::Local(path) => match File::open(path) {
            Ok(file) => Box::new(file),
            Err(error) => return Ok(skipped(Some(ferret_scanner::ReadError::Io(error).reason()))),
        },
        Source::S3 { bucket, key } => match s3.context("S3 client")?.store.open(bucket, key) {
            Ok(body) => body,
            Err(error) => {
                return Ok(skipped(Some(
                    ferret_scanner::ReadError::Io(error.into()).reason(),
                )))
            }
        },
    };
    let name = item.relative.as_str();
    let outcome = match destination {
        Destination::Dir(dir) => {
            let path = dir.join(&item.relative);
            let parent = path.parent().unwrap_or(dir);
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
            // Written beside its final name and renamed: a copy is whole or absent.
            let mut temporary = tempfile::NamedTempFile::new_in(parent)
                .with_context(|| format!("creating a file in {}", parent.display()))?;
            let result = redact_into(redactor, name, &mut input, temporary.as_file_mut());
            match result {
                Ok(redacted) => {
                    temporary
                        .persist(&path)
                        .with_context(|| format!("writing {}", path.display()))?;
                    Ok((redacted, path.to_string_lossy().into_owned()))
                }
                Err(error) => Err(error),
            }
        }
        Destination::S3 { bucket, prefix } => {
            let s3 = s3.context("S3 client")?;
            let key = if prefix.is_empty() {
                item.relative.clone()
            } else {
                format!("{prefix}/{}", item.relative)
            };
            let format = Format::from_path(Path::new(name));
            let mut writer = s3
                .store
                .create(bucket, &key, format.mime_type(Path::new(name)))
                .with_context(|| format!("writing s3://{bucket}/{key}"))?;
            match redact_into(redactor, name, &mut input, &mut writer) {
                Ok(redacted) => {
                    writer
                        .commit()
                        .with_context(|| format!("writing s3://{bucket}/{key}"))?;
                    Ok((redacted, format!("s3://{bucket}/{key}")))
                }
                // Dropped uncommitted: the upload is aborted, nothing is left.
                Err(error) => Err(error),
            }
        }
    };
    match outcome {
        Ok((redacted, output)) => Ok(Line {
            key,
            status: "COMPLETE",
            reason: None,
            redacted: redacted
                .counts
                .into_iter()
                .map(|(name, count)| (name, count.into()))
                .collect(),
            output: Some(output),
        }),
        Err(RedactError::Write(error)) => {
            Err(anyhow::Error::new(error).context(format!("{key}: writing the copy")))
        }
        Err(error) => Ok(skipped(error.reason())),
    }
}

fn redact_into(
    redactor: &Redactor<'_>,
    name: &str,
    input: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<Redacted, RedactError> {
    redactor.redact(name, input, out)
}

/// The S3 side: a runtime for the SDK and the store, made only when a target or the
/// output is a bucket.
struct S3 {
    runtime: tokio::runtime::Runtime,
    store: Arc<dyn Store>,
}

impl S3 {
    fn connect(args: &Args) -> anyhow::Result<S3> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the S3 runtime")?;
        let config = StoreConfig {
            spec: StoreSpec::S3,
            s3: S3Config {
                endpoint_url: args.endpoint_url.clone(),
                region: args.region.clone(),
                expected_bucket_owner: None,
            },
        };
        let store = runtime.block_on(ferret_store::connect(&config));
        Ok(S3 { runtime, store })
    }
}
