//! Scan: every staged object of the batch is streamed through the scanner; one result
//! record each, all written gzipped to `scan-results/ID/results.jsonl.gz`.

use std::io::{BufRead, BufReader, Write};
use std::sync::Arc;

use ferret_scanner::object::Input;
use ferret_scanner::result::Reason;
use ferret_scanner::scan::unreadable;
use ferret_scanner::{scan_object, scan_parallel, ObjectMeta, ResultRecord};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use super::{Pipeline, PipelineError, Routing};
use crate::layout::BatchId;
use crate::store::{ObjectInfo, Store, StoreError};

impl<S: Store> Pipeline<S> {
    /// Scans the batch's staged objects, writes the results and returns how to route
    /// each object.
    pub async fn scan(&self, batch: &BatchId) -> Result<Vec<Routing>, PipelineError> {
        let staged = self
            .store
            .list(&self.buckets.scan_stage, &batch.prefix())
            .await?;
        let records = self.scan_records(batch, staged).await?;
        self.write_results(batch, &records).await?;
        Ok(records.iter().map(|r| Routing::of(batch, r)).collect())
    }

    /// Scans `staged` objects of the batch on the scanner's threads, off the async
    /// runtime; one record each, in the order given.
    pub(super) async fn scan_records(
        &self,
        batch: &BatchId,
        staged: Vec<ObjectInfo>,
    ) -> Result<Vec<ResultRecord>, PipelineError> {
        let store = Arc::clone(&self.store);
        let set = Arc::clone(&self.set);
        let stage_bucket = self.buckets.scan_stage.clone();
        let mut options = self.scan_options.clone();
        options.job_id = Some(batch.to_string());
        let threads = self.threads;
        let batch = batch.clone();
        tokio::task::spawn_blocking(move || {
            scan_parallel(
                &staged,
                threads,
                &set,
                |set, object| {
                    scan_staged(store.as_ref(), set, &stage_bucket, &batch, object, &options)
                },
                |_| {},
            )
            .map_err(|e| PipelineError::Scan(e.to_string()))
        })
        .await
        .map_err(|e| PipelineError::Scan(e.to_string()))?
    }

    /// Writes the batch's results, the point after which a rerun never stages again.
    pub(super) async fn write_results(
        &self,
        batch: &BatchId,
        records: &[ResultRecord],
    ) -> Result<(), PipelineError> {
        self.store
            .put(
                &self.buckets.scan_results,
                &batch.results_key(),
                encode(records)?,
                "application/gzip",
            )
            .await?;
        crate::crash::step();
        Ok(())
    }

    /// The routings of a batch whose results were already written, if they were.
    pub async fn load_results(
        &self,
        batch: &BatchId,
    ) -> Result<Option<Vec<Routing>>, PipelineError> {
        let Some(gzipped) = self
            .store
            .get(&self.buckets.scan_results, &batch.results_key())
            .await?
        else {
            return Ok(None);
        };
        let records = decode(batch, &gzipped)?;
        Ok(Some(
            records.iter().map(|r| Routing::of(batch, r)).collect(),
        ))
    }
}

/// Result records as gzipped JSON Lines.
pub(super) fn encode(records: &[ResultRecord]) -> Result<Vec<u8>, PipelineError> {
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
    for record in records {
        serde_json::to_writer(&mut encoder, record)
            .map_err(std::io::Error::from)
            .and_then(|()| encoder.write_all(b"\n"))
            .map_err(|e| PipelineError::Scan(e.to_string()))?;
    }
    encoder
        .finish()
        .map_err(|e| PipelineError::Scan(e.to_string()))
}

/// Reads records written by [`encode`].
pub(super) fn decode(batch: &BatchId, gzipped: &[u8]) -> Result<Vec<ResultRecord>, PipelineError> {
    let unreadable = |message: String| PipelineError::Results {
        batch: batch.to_string(),
        message,
    };
    let mut records = Vec::new();
    for line in BufReader::new(GzDecoder::new(gzipped)).lines() {
        let line = line.map_err(|e| unreadable(e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        records.push(serde_json::from_str(&line).map_err(|e| unreadable(e.to_string()))?);
    }
    Ok(records)
}

/// Scans one staged object. The record names the object by its original key in the
/// scan-stage bucket, with the batch as `jobId`; an object that cannot be opened is
/// SKIPPED, which routes it to review.
fn scan_staged<S: Store>(
    store: &S,
    set: &ferret_identifiers::IdentifierSet,
    stage_bucket: &str,
    batch: &BatchId,
    object: &ObjectInfo,
    options: &ferret_scanner::ScanOptions,
) -> ResultRecord {
    let original = batch.original(&object.key).unwrap_or(&object.key);
    let meta = ObjectMeta {
        bucket: Some(stage_bucket.to_owned()),
        key: original.to_owned(),
        size: object.size,
        e_tag: object.e_tag.clone(),
    };
    match store.open(stage_bucket, &object.key) {
        Ok(mut body) => scan_object(set, &meta, Input::Stream(&mut body), options),
        Err(error) => unreadable(&meta, skip_reason(&error), options),
    }
}

/// The typed reason for an object the store could not open. The store names Macie's
/// code as text; this is the one place it becomes a [`Reason`] (a code the scanner does
/// not know, which the store never gives, reads as `UNABLE_TO_PARSE_FILE`).
pub fn skip_reason(error: &StoreError) -> Reason {
    error
        .skip_reason()
        .parse()
        .unwrap_or(Reason::UnableToParseFile)
}
