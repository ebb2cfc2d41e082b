//! Scan: every staged object of the batch is streamed through the scanner; one result
//! record each, streamed gzipped to `scan-results/ID/results.jsonl.gz` as the scan goes
//! (a multipart upload on S3), so a batch of any size is never held in memory.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::sync::{Arc, Mutex, PoisonError};

use ferret_scanner::object::Input;
use ferret_scanner::scan::unreadable;
use ferret_scanner::writer::ResultsWriter;
use ferret_scanner::{
    over_size_quota, scan_object, scan_parallel, ObjectMeta, ReadError, ResultRecord, ScanOptions,
};
use flate2::read::GzDecoder;

use super::{Pipeline, PipelineError, Routing};
use crate::layout::BatchId;
use ferret_store::{ObjectHead, ObjectInfo, ObjectWriter, Store, StoreError};

/// The heads of staged objects as the scan read them, by staged key (`ID/<key>`): the
/// route copies from them without reading each head again.
pub type Heads = HashMap<String, ObjectHead>;

/// Objects scanned per parallel round: each round's records are written before the next
/// starts, so memory holds one round of records whatever the size of the batch.
const ROUND: usize = 512;

impl<S: Store + ?Sized> Pipeline<S> {
    /// Scans the batch's staged objects, streams their records to the results and
    /// returns how to route each object, with the heads of the objects read.
    pub async fn scan(&self, batch: &BatchId) -> Result<(Vec<Routing>, Heads), PipelineError> {
        let staged = self
            .store
            .list(&self.buckets.scan_stage, &batch.prefix())
            .await?;
        let scanner = self.scanner(batch);
        let store = Arc::clone(&self.store);
        let (bucket, key) = (self.buckets.scan_results.clone(), batch.results_key());
        let batch = batch.clone();
        let scanned = blocking(move || {
            let mut routings = Vec::with_capacity(staged.len());
            let heads = Mutex::new(Heads::with_capacity(staged.len()));
            let mut results = ResultsWriter::gzip(create(store.as_ref(), &bucket, &key)?);
            for round in staged.chunks(ROUND) {
                for record in scanner.scan(store.as_ref(), round, Some(&heads))? {
                    results
                        .write(&record)
                        .map_err(|e| write_error(&bucket, &key, e))?;
                    routings.push(Routing::of(&batch, &record));
                }
            }
            commit(results, &bucket, &key)?;
            let heads = heads.into_inner().unwrap_or_else(PoisonError::into_inner);
            Ok((routings, heads))
        })
        .await?;
        crate::crash::step();
        Ok(scanned)
    }

    /// Scans `staged` objects of the batch on the scanner's threads, off the async
    /// runtime; one record each, in the order given.
    pub(super) async fn scan_records(
        &self,
        batch: &BatchId,
        staged: Vec<ObjectInfo>,
    ) -> Result<Vec<ResultRecord>, PipelineError> {
        let scanner = self.scanner(batch);
        let store = Arc::clone(&self.store);
        blocking(move || scanner.scan(store.as_ref(), &staged, None)).await
    }

    /// What scanning an object of the batch needs, for the scanner's threads.
    fn scanner(&self, batch: &BatchId) -> Scanner {
        let mut options = self.scan_options.clone();
        options.job_id = Some(batch.to_string());
        Scanner {
            set: Arc::clone(&self.set),
            stage_bucket: self.buckets.scan_stage.clone(),
            batch: batch.clone(),
            options,
            threads: self.threads,
        }
    }

    /// Writes the batch's results, the point after which a rerun never stages again;
    /// gives the records back.
    pub(super) async fn write_results(
        &self,
        batch: &BatchId,
        records: Vec<ResultRecord>,
    ) -> Result<Vec<ResultRecord>, PipelineError> {
        let records = self.write_records(batch.results_key(), records).await?;
        crate::crash::step();
        Ok(records)
    }

    /// Streams `records` to `key` in scan-results as gzipped JSON Lines; gives them back.
    pub(super) async fn write_records(
        &self,
        key: String,
        records: Vec<ResultRecord>,
    ) -> Result<Vec<ResultRecord>, PipelineError> {
        let store = Arc::clone(&self.store);
        let bucket = self.buckets.scan_results.clone();
        blocking(move || {
            let mut results = ResultsWriter::gzip(create(store.as_ref(), &bucket, &key)?);
            for record in &records {
                results
                    .write(record)
                    .map_err(|e| write_error(&bucket, &key, e))?;
            }
            commit(results, &bucket, &key)?;
            Ok(records)
        })
        .await
    }

    /// The routings of a batch whose results were already written, if they were.
    pub async fn load_results(
        &self,
        batch: &BatchId,
    ) -> Result<Option<Vec<Routing>>, PipelineError> {
        let of_batch = batch.clone();
        self.read_records(batch, batch.results_key(), move |record| {
            Routing::of(&of_batch, &record)
        })
        .await
    }

    /// The sensitive records of a batch whose results were written (for publishing
    /// findings), or `None` when there are no results.
    pub async fn sensitive_records(
        &self,
        batch: &BatchId,
    ) -> Result<Option<Vec<ResultRecord>>, PipelineError> {
        let records = self
            .read_records(batch, batch.results_key(), |record| {
                record.is_sensitive().then_some(record)
            })
            .await?;
        Ok(records.map(|all| all.into_iter().flatten().collect()))
    }

    /// Streams the records at `key` in scan-results through `each`, off the async
    /// runtime; `None` when there is no such object. Only what `each` keeps stays in
    /// memory.
    pub(super) async fn read_records<T, F>(
        &self,
        batch: &BatchId,
        key: String,
        mut each: F,
    ) -> Result<Option<Vec<T>>, PipelineError>
    where
        T: Send + 'static,
        F: FnMut(ResultRecord) -> T + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        let bucket = self.buckets.scan_results.clone();
        let batch = batch.clone();
        blocking(move || {
            let body = match store.open(&bucket, &key) {
                Ok(body) => body,
                Err(StoreError::NoSuchObject { .. }) => return Ok(None),
                Err(error) => return Err(error.into()),
            };
            let mut kept = Vec::new();
            for line in BufReader::new(GzDecoder::new(body)).lines() {
                let line = line.map_err(|e| read_error(&batch, &bucket, &key, e))?;
                if line.trim().is_empty() {
                    continue;
                }
                let record = serde_json::from_str(&line).map_err(|e| PipelineError::Results {
                    batch: batch.to_string(),
                    message: e.to_string(),
                })?;
                kept.push(each(record));
            }
            Ok(Some(kept))
        })
        .await
    }
}

/// Runs blocking work (the scanner, streamed reads and writes) off the async runtime's
/// workers.
async fn blocking<T, F>(work: F) -> Result<T, PipelineError>
where
    F: FnOnce() -> Result<T, PipelineError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| PipelineError::Scan(e.to_string()))?
}

/// Everything scanning an object of one batch needs, owned, for the scanner's threads.
struct Scanner {
    set: Arc<ferret_identifiers::IdentifierSet>,
    stage_bucket: String,
    batch: BatchId,
    options: ScanOptions,
    threads: usize,
}

impl Scanner {
    /// Scans `staged` in parallel; one record each, in the order given. The heads of
    /// the objects read go into `heads`, when given.
    fn scan<S: Store + ?Sized>(
        &self,
        store: &S,
        staged: &[ObjectInfo],
        heads: Option<&Mutex<Heads>>,
    ) -> Result<Vec<ResultRecord>, PipelineError> {
        scan_parallel(
            staged,
            self.threads,
            &self.set,
            |set, object| {
                let (record, head) = scan_staged(
                    store,
                    set,
                    &self.stage_bucket,
                    &self.batch,
                    object,
                    &self.options,
                );
                if let (Some(heads), Some(head)) = (heads, head) {
                    heads
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(object.key.clone(), head);
                }
                record
            },
            |_| {},
        )
        .map_err(|e| PipelineError::Scan(e.to_string()))
    }
}

/// A new gzipped results object at `bucket/key`.
fn create<S: Store + ?Sized>(
    store: &S,
    bucket: &str,
    key: &str,
) -> Result<Box<dyn ObjectWriter>, PipelineError> {
    Ok(store.create(bucket, key, "application/gzip")?)
}

/// Ends the stream and makes it the object.
fn commit(
    results: ResultsWriter<Box<dyn ObjectWriter>>,
    bucket: &str,
    key: &str,
) -> Result<(), PipelineError> {
    let object = results.finish().map_err(|e| write_error(bucket, key, e))?;
    Ok(object.commit()?)
}

/// A failed write of results: the store's own error when it is one (the upload's).
fn write_error(bucket: &str, key: &str, error: std::io::Error) -> PipelineError {
    let kind = error.kind();
    let error = match error
        .into_inner()
        .map(|inner| inner.downcast::<StoreError>())
    {
        Some(Ok(store)) => return PipelineError::Store(*store),
        Some(Err(other)) => std::io::Error::new(kind, other),
        None => std::io::Error::from(kind),
    };
    PipelineError::Store(StoreError::Io {
        path: format!("{bucket}/{key}"),
        error,
    })
}

/// A failed read of results: corrupt data is unreadable results; anything else is
/// the store failing mid-stream, which a rerun may get past.
fn read_error(batch: &BatchId, bucket: &str, key: &str, error: std::io::Error) -> PipelineError {
    match error.kind() {
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof => {
            PipelineError::Results {
                batch: batch.to_string(),
                message: error.to_string(),
            }
        }
        _ => PipelineError::Store(StoreError::Service {
            operation: "GetObject",
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            message: error.to_string(),
        }),
    }
}

/// Scans one staged object. The record names the object by its original key in the
/// scan-stage bucket, with the batch as `jobId`; an object that cannot be opened is
/// SKIPPED, which routes it to review. The object's head comes with the read, for the
/// route's copy.
fn scan_staged<S: Store + ?Sized>(
    store: &S,
    set: &ferret_identifiers::IdentifierSet,
    stage_bucket: &str,
    batch: &BatchId,
    object: &ObjectInfo,
    options: &ferret_scanner::ScanOptions,
) -> (ResultRecord, Option<ObjectHead>) {
    let original = batch.original(&object.key).unwrap_or(&object.key);
    let meta = ObjectMeta {
        bucket: Some(stage_bucket.to_owned()),
        key: original.to_owned(),
        size: object.size,
        e_tag: object.e_tag.clone(),
    };
    // The listing's size is enough to refuse an object over its format's quota: it is
    // never downloaded, and goes to review as every SKIPPED object does.
    if let Some(record) = over_size_quota(&meta, options) {
        return (record, None);
    }
    match store.open_with_head(stage_bucket, &object.key) {
        Ok((head, mut body)) => (
            scan_object(set, &meta, Input::Stream(&mut body), options),
            Some(head),
        ),
        Err(error) => (
            unreadable(&meta, ReadError::Io(error.into()).reason(), options),
            None,
        ),
    }
}
