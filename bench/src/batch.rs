//! The batch goal: a batch through the whole pipeline (stage, scan, route) on a moto
//! server, against the fewest requests that could move the same objects the same way
//! on the same server in the same run: per object, a copy, a head and a delete into
//! scan-stage, a get, and a copy, a head and a delete out of it, 16 at a time.
//!
//! Every S3 request either side sends is counted (an SDK interceptor, by HTTP method
//! and query), so the figure comes with the requests per object that explain it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::BoxError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};
use ferret_orchestrator::layout::{BatchId, Buckets};
use ferret_orchestrator::pipeline::{OnSensitive, Pipeline};
use ferret_scanner::ScanOptions;
use ferret_store::S3Store;
use ferret_testkit::Moto;
use futures_util::stream::{self, StreamExt, TryStreamExt};

/// Requests in flight, both sides (the pipeline's default concurrency).
const CONCURRENCY: usize = 16;

/// Counts requests by kind (`GET ?tagging`, `PUT copy`, ...).
#[derive(Debug, Default, Clone)]
struct Counter(Arc<Mutex<BTreeMap<&'static str, u64>>>);

impl Counter {
    fn take(&self) -> BTreeMap<&'static str, u64> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Intercept for Counter {
    fn name(&self) -> &'static str {
        "ferret-bench request counter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let query = request.uri().split_once('?').map_or("", |(_, q)| q);
        let kind = match request.method() {
            "HEAD" => "HeadObject",
            "GET" if query.contains("tagging") => "GetObjectTagging",
            "GET" if query.contains("list-type") => "ListObjectsV2",
            "GET" => "GetObject",
            "PUT" if request.headers().contains_key("x-amz-copy-source") => "CopyObject",
            "PUT" if query.contains("tagging") => "PutObjectTagging",
            "PUT" if query.contains("partNumber") => "UploadPart",
            "PUT" => "PutObject",
            "DELETE" => "DeleteObject",
            "POST" => "Create/CompleteMultipartUpload",
            _ => "other",
        };
        *self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(kind)
            .or_default() += 1;
        Ok(())
    }
}

/// One side's best time and the requests that run sent (setup not counted).
struct Side {
    best: Duration,
    requests: BTreeMap<&'static str, u64>,
}

impl Side {
    fn per_object(&self, objects: usize) -> f64 {
        self.requests.values().sum::<u64>() as f64 / objects as f64
    }
}

/// Runs the goal and prints its figures; `runs` of each side, alternated, best kept.
pub fn run(objects: usize, runs: usize) -> anyhow::Result<()> {
    let moto = Moto::start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("runtime")?;
    let counter = Counter::default();
    let client = runtime.block_on(async {
        let base = moto.s3();
        Client::from_conf(
            base.config()
                .to_builder()
                .interceptor(counter.clone())
                .build(),
        )
    });
    let set = Arc::new(IdentifierSet::new(
        &IdentifierFile::default(),
        &ManagedSelection::parse("all")?,
    )?);
    let bodies: Vec<Vec<u8>> = (0..objects).map(body).collect();
    let mut minimal: Option<Side> = None;
    let mut batch: Option<Side> = None;
    for run in 0..runs.max(1) {
        let time = runtime.block_on(minimal_sequence(&client, &counter, run, &bodies))?;
        keep(&mut minimal, time, counter.take());
        let time = runtime.block_on(pipeline_batch(&client, &counter, &set, run, &bodies))?;
        keep(&mut batch, time, counter.take());
    }
    let (minimal, batch) = (
        minimal.context("no minimal run")?,
        batch.context("no batch run")?,
    );
    let ratio = batch.best.as_secs_f64() / minimal.best.as_secs_f64();
    eprintln!("   minimal sequence requests: {:?}", minimal.requests);
    eprintln!("   batch requests:            {:?}", batch.requests);
    println!(
        "batch  {objects} objects on moto, {CONCURRENCY} in flight: pipeline {:.3} s ({:.2} requests/object) vs minimal sequence {:.3} s ({:.2} requests/object) = {ratio:.2}x (goal <= 1.5x) {}",
        batch.best.as_secs_f64(),
        batch.per_object(objects),
        minimal.best.as_secs_f64(),
        minimal.per_object(objects),
        if ratio <= 1.5 { "PASS" } else { "MISS" },
    );
    Ok(())
}

fn keep(side: &mut Option<Side>, time: Duration, requests: BTreeMap<&'static str, u64>) {
    if side.as_ref().is_none_or(|s| time < s.best) {
        *side = Some(Side {
            best: time,
            requests,
        });
    }
}

/// A small CSV; one object in ten holds a card number, so the batch routes both ways.
fn body(n: usize) -> Vec<u8> {
    let mut csv = String::from("id,name,note\n");
    for row in 0..40 {
        csv.push_str(&format!("{n}-{row},Employee {row},nothing to see here\n"));
    }
    if n.is_multiple_of(10) {
        csv.push_str("card,Visa,4111 1111 1111 1111\n");
    }
    csv.into_bytes()
}

async fn create_buckets(client: &Client, names: &[&str]) -> anyhow::Result<()> {
    for name in names {
        client
            .create_bucket()
            .bucket(*name)
            .send()
            .await
            .with_context(|| format!("creating {name}"))?;
    }
    Ok(())
}

async fn fill(client: &Client, bucket: &str, bodies: &[Vec<u8>]) -> anyhow::Result<()> {
    stream::iter(bodies.iter().enumerate())
        .map(|(n, body)| async move {
            client
                .put_object()
                .bucket(bucket)
                .key(format!("incoming/obj-{n:05}.csv"))
                .body(ByteStream::from(body.clone()))
                .content_type("text/csv")
                .send()
                .await
                .map(drop)
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect::<()>()
        .await
        .context("filling raw")
}

/// The floor: each object copied to a stage bucket, headed, deleted, read, copied on,
/// headed and deleted again, with no listing, tags or checks of any kind.
async fn minimal_sequence(
    client: &Client,
    counter: &Counter,
    run: usize,
    bodies: &[Vec<u8>],
) -> anyhow::Result<Duration> {
    let (raw, stage, done) = (
        format!("minimal-{run}-raw"),
        format!("minimal-{run}-stage"),
        format!("minimal-{run}-done"),
    );
    create_buckets(client, &[&raw, &stage, &done]).await?;
    fill(client, &raw, bodies).await?;
    counter.take();
    let started = Instant::now();
    stream::iter(0..bodies.len())
        .map(|n| {
            let (raw, stage, done) = (&raw, &stage, &done);
            async move {
                let key = format!("incoming/obj-{n:05}.csv");
                let staged = format!("b/{key}");
                client
                    .copy_object()
                    .copy_source(format!("{raw}/{key}"))
                    .bucket(stage)
                    .key(&staged)
                    .send()
                    .await?;
                client
                    .head_object()
                    .bucket(stage)
                    .key(&staged)
                    .send()
                    .await?;
                client.delete_object().bucket(raw).key(&key).send().await?;
                let object = client
                    .get_object()
                    .bucket(stage)
                    .key(&staged)
                    .send()
                    .await?;
                object.body.collect().await?;
                client
                    .copy_object()
                    .copy_source(format!("{stage}/{staged}"))
                    .bucket(done)
                    .key(&key)
                    .send()
                    .await?;
                client.head_object().bucket(done).key(&key).send().await?;
                client
                    .delete_object()
                    .bucket(stage)
                    .key(&staged)
                    .send()
                    .await?;
                Ok::<(), anyhow::Error>(())
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect::<()>()
        .await?;
    Ok(started.elapsed())
}

/// `ferret pipeline run` on the same objects: stage, scan, route, summary.
async fn pipeline_batch(
    client: &Client,
    counter: &Counter,
    set: &Arc<IdentifierSet>,
    run: usize,
    bodies: &[Vec<u8>],
) -> anyhow::Result<Duration> {
    let buckets = Buckets::for_prefix(&format!("bench{run}"));
    create_buckets(client, &buckets.all()).await?;
    fill(client, &buckets.raw, bodies).await?;
    let pipeline = Pipeline {
        store: Arc::new(S3Store::from_client(client.clone())),
        buckets,
        set: Arc::clone(set),
        scan_options: ScanOptions::default(),
        concurrency: CONCURRENCY,
        threads: 0,
        on_sensitive: OnSensitive::Review,
    };
    let batch = BatchId::parse("bench-1")?;
    counter.take();
    let started = Instant::now();
    let summary = pipeline.run(&batch).await?;
    let elapsed = started.elapsed();
    anyhow::ensure!(
        summary.counts.objects == bodies.len() as u64,
        "the batch held {} objects, not {}",
        summary.counts.objects,
        bodies.len()
    );
    Ok(elapsed)
}
