//! Scan: every staged object of the batch is streamed through the scanner; one result
//! record each, all written gzipped to `scan-results/ID/results.jsonl.gz`.

use std::io::{BufRead, BufReader, Write};
use std::sync::Arc;

use ferret_scanner::object::Input;
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
        let store = Arc::clone(&self.store);
        let set = Arc::clone(&self.set);
        let stage_bucket = self.buckets.scan_stage.clone();
        let mut options = self.scan_options.clone();
        options.job_id = Some(batch.to_string());
        let threads = self.threads;
        let batch_for_scan = batch.clone();
        let (gzipped, routings) = tokio::task::spawn_blocking(move || {
            let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
            let mut routings = Vec::with_capacity(staged.len());
            let records = scan_parallel(
                &staged,
                threads,
                |object| {
                    scan_staged(
                        store.as_ref(),
                        &set,
                        &stage_bucket,
                        &batch_for_scan,
                        object,
                        &options,
                    )
                },
                |_| {},
            )
            .map_err(|e| PipelineError::Scan(e.to_string()))?;
            for record in &records {
                serde_json::to_writer(&mut encoder, record)
                    .map_err(std::io::Error::from)
                    .and_then(|()| encoder.write_all(b"\n"))
                    .map_err(|e| PipelineError::Scan(e.to_string()))?;
                routings.push(Routing::of(&batch_for_scan, record));
            }
            let gzipped = encoder
                .finish()
                .map_err(|e| PipelineError::Scan(e.to_string()))?;
            Ok::<_, PipelineError>((gzipped, routings))
        })
        .await
        .map_err(|e| PipelineError::Scan(e.to_string()))??;
        self.store
            .put(
                &self.buckets.scan_results,
                &batch.results_key(),
                gzipped,
                "application/gzip",
            )
            .await?;
        crate::crash::step();
        Ok(routings)
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
        let unreadable = |message: String| PipelineError::Results {
            batch: batch.to_string(),
            message,
        };
        let mut routings = Vec::new();
        for line in BufReader::new(GzDecoder::new(gzipped.as_slice())).lines() {
            let line = line.map_err(|e| unreadable(e.to_string()))?;
            if line.trim().is_empty() {
                continue;
            }
            let record: ResultRecord =
                serde_json::from_str(&line).map_err(|e| unreadable(e.to_string()))?;
            routings.push(Routing::of(batch, &record));
        }
        Ok(Some(routings))
    }
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
        Err(error) => unreadable(&meta, reason(&error), options),
    }
}

/// Macie's reason for an object the store would not give.
fn reason(error: &StoreError) -> &'static str {
    match error {
        StoreError::AccessDenied { .. } => "PERMISSION_DENIED",
        StoreError::NoSuchObject { .. } => "SOURCE_OBJECT_NO_LONGER_AVAILABLE",
        StoreError::NoSuchBucket { .. } => "NO_SUCH_BUCKET_AVAILABLE",
        _ => "UNABLE_TO_PARSE_FILE",
    }
}
