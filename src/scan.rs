//! `ferret scan`: files, directories and buckets to Macie-format results.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::ValueEnum;
use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};
use ferret_scanner::object::Input;
use ferret_scanner::result::Reason;
use ferret_scanner::scan::unreadable;
use ferret_scanner::writer::ResultsWriter;
use ferret_scanner::{
    scan_file, scan_object, scan_parallel, table, ObjectMeta, ReadError, ResultRecord, ScanOptions,
};
use ferret_store::{S3Config, Store, StoreConfig, StoreSpec};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Custom data identifiers and allow lists (TOML).
    #[arg(long, value_name = "FILE")]
    identifiers: Option<PathBuf>,
    /// Managed identifiers: recommended (Macie's recommended set), all, none, or a
    /// comma-separated list of IDs, category:X, country:XX and exclude:ID.
    #[arg(long, value_name = "LIST", default_value = "recommended")]
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
    /// Files the archives of one object may hold (nested ones included) before it is
    /// reported ARCHIVE_TOTAL_DOCUMENTS_PROCESSED_OVER_LIMIT.
    #[arg(long, value_name = "N")]
    max_archive_files: Option<u64>,
    /// The largest archive member read; larger ones are left, and the archive reported
    /// PARTIAL ARCHIVE_EXCEEDS_SIZE_LIMIT.
    #[arg(long, value_name = "BYTES")]
    max_member_bytes: Option<u64>,
    #[command(flatten)]
    size_quotas: crate::size_quotas::SizeQuotaArgs,
    /// An S3-compatible endpoint (path-style addressing); AWS_ENDPOINT_URL also works.
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// The AWS region of the buckets (default: from the AWS configuration).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    #[command(flatten)]
    findings: crate::findings::FindingsArgs,
    /// Files, directories (recursive) or s3://bucket[/prefix].
    #[arg(required = true, value_name = "TARGET")]
    targets: Vec<String>,
}

/// One object to scan.
enum Item {
    Local(PathBuf, u64),
    S3(ObjectMeta),
}

impl Item {
    /// The path results are sorted by (`bucket/key` for S3).
    fn path(&self) -> String {
        match self {
            Item::Local(path, _) => path.to_string_lossy().into_owned(),
            Item::S3(meta) => meta.path(),
        }
    }

    fn size(&self) -> u64 {
        match self {
            Item::Local(_, size) => *size,
            Item::S3(meta) => meta.size,
        }
    }
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
    let mut file = match &args.identifiers {
        Some(path) => IdentifierFile::load(path)?,
        None => IdentifierFile::default(),
    };
    if !file.s3_allow_lists().is_empty() {
        // Allow lists kept in S3 are read now, before anything is scanned.
        crate::buckets_args::runtime()?.block_on(async {
            let store = ferret_store::connect(&s3_config(&args)).await;
            ferret_orchestrator::allow_lists::resolve_allow_lists(store.as_ref(), &mut file).await
        })?;
    }
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
    if let Some(files) = args.max_archive_files {
        options.limits.max_archive_files = files;
    }
    if let Some(bytes) = args.max_member_bytes {
        options.limits.max_member_bytes = bytes;
    }
    options.limits.file_size = args.size_quotas.quotas();

    let s3 = S3Targets::connect_if_needed(&args)?;
    let mut findings = crate::findings::BlockingPublisher::start(
        &args.findings,
        args.endpoint_url.as_deref(),
        args.region.as_deref(),
    )?;
    let mut items = Vec::new();
    for target in &args.targets {
        match target.strip_prefix("s3://") {
            Some(location) => {
                let s3 = s3.as_ref().context("S3 client")?;
                items.extend(s3.list(location)?.into_iter().map(Item::S3));
            }
            None => {
                let found = ferret_scanner::scan::local_files(target.as_ref())
                    .with_context(|| format!("{target}: cannot list"))?;
                items.extend(
                    found
                        .into_iter()
                        .map(|(path, size)| Item::Local(path, size)),
                );
            }
        }
    }
    items.sort_by_cached_key(Item::path);
    items.dedup_by(|a, b| a.path() == b.path());

    let scan_one = |set: &IdentifierSet, item: &Item| match item {
        Item::Local(path, _) => scan_file(set, path, &options),
        // Checked before the object is requested: one over its quota is never fetched.
        Item::S3(meta) if options.limits.file_size.exceeded_by(&meta.key, meta.size) => {
            unreadable(meta, Reason::FileExceedsSizeLimit, &options)
        }
        Item::S3(meta) => match s3.as_ref().map(|s3| s3.open(meta)) {
            Some(Ok(mut body)) => scan_object(set, meta, Input::Stream(&mut body), &options),
            Some(Err(reason)) => unreadable(meta, reason, &options),
            None => unreadable(meta, Reason::UnableToParseFile, &options),
        },
    };
    let progress = progress_bar(items.iter().map(Item::size).sum());
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    let mut out = Output::new(out, args.format)?;
    let mut sensitive = false;
    for round in items.chunks(ROUND) {
        let records = scan_parallel(
            round,
            args.threads,
            &set,
            scan_one,
            |record: &ResultRecord| progress.inc(record.resources_affected.s3_object.size),
        )?;
        for record in &records {
            sensitive |= record.is_sensitive();
            out.write(record)?;
        }
        if let Some(findings) = &mut findings {
            findings.publish(&records);
        }
    }
    out.finish().context("writing results")?;
    progress.finish_and_clear();
    if findings
        .as_ref()
        .is_some_and(|f| crate::findings::report_failures(f.report()))
    {
        return Ok(ExitCode::from(crate::EXIT_ERROR));
    }
    Ok(if sensitive {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Where records go: JSON Lines through the results writer the pipeline uses too, or
/// a table for people.
enum Output {
    Jsonl(ResultsWriter<Box<dyn Write>>),
    Table(Box<dyn Write>),
}

impl Output {
    fn new(mut out: Box<dyn Write>, format: OutputFormat) -> anyhow::Result<Output> {
        Ok(match format {
            OutputFormat::Jsonl => Output::Jsonl(ResultsWriter::plain(out)),
            OutputFormat::Table => {
                writeln!(out, "{}", table::header())?;
                Output::Table(out)
            }
        })
    }

    fn write(&mut self, record: &ResultRecord) -> io::Result<()> {
        match self {
            Output::Jsonl(out) => out.write(record),
            Output::Table(out) => writeln!(out, "{}", table::row(record)),
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Output::Jsonl(out) => out.finish().map(drop),
            Output::Table(mut out) => out.flush(),
        }
    }
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

/// How a scan reaches S3: `--endpoint-url`, `--region` and the credential chain.
fn s3_config(args: &Args) -> StoreConfig {
    StoreConfig {
        spec: StoreSpec::S3,
        s3: S3Config {
            endpoint_url: args.endpoint_url.clone(),
            region: args.region.clone(),
            expected_bucket_owner: None,
        },
    }
}

/// The S3 side of a scan: a runtime for the SDK and the store, made only when a target
/// is a bucket.
struct S3Targets {
    runtime: tokio::runtime::Runtime,
    store: Arc<dyn Store>,
}

impl S3Targets {
    fn connect_if_needed(args: &Args) -> anyhow::Result<Option<S3Targets>> {
        if !args.targets.iter().any(|t| t.starts_with("s3://")) {
            return Ok(None);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the S3 runtime")?;
        let store = runtime.block_on(ferret_store::connect(&s3_config(args)));
        Ok(Some(S3Targets { runtime, store }))
    }

    /// Every object under `bucket[/prefix]`.
    fn list(&self, location: &str) -> anyhow::Result<Vec<ObjectMeta>> {
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        if bucket.is_empty() {
            bail!("s3://{location}: no bucket named");
        }
        let objects = self
            .runtime
            .block_on(self.store.list(bucket, prefix))
            .with_context(|| format!("listing s3://{location}"))?;
        Ok(objects
            .into_iter()
            .map(|object| ObjectMeta {
                bucket: Some(bucket.to_owned()),
                key: object.key,
                size: object.size,
                e_tag: object.e_tag,
            })
            .collect())
    }

    /// Opens an object for streaming, or names Macie's reason it cannot be read (the
    /// scanner's, for the I/O error the store's failure is).
    fn open(&self, meta: &ObjectMeta) -> Result<Box<dyn Read + Send>, Reason> {
        let bucket = meta.bucket.as_deref().unwrap_or_default();
        self.store
            .open(bucket, &meta.key)
            .map_err(|error| ReadError::Io(error.into()).reason())
    }
}
