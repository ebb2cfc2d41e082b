//! What a reviewer sees before deciding (`ferret review show`): per object waiting in
//! manual-review, the types found, their counts and locations, from the batch's results;
//! and, when asked (`--reveal N`), the first N occurrences of each type read from the
//! object itself, as Macie's "retrieve sensitive data samples" does.
//!
//! Revealed values go to the person who asked, on their terminal, and nowhere else:
//! they are never logged nor stored. That they were revealed, by whom, when and from
//! which objects is appended to the batch's `review.jsonl`, beside the decisions.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::sync::Arc;
use std::time::SystemTime;

use ferret_identifiers::{IdentifierSet, Matcher};
use ferret_scanner::object::{read_object, Input};
use ferret_scanner::result::Occurrences;
use ferret_scanner::{Limits, ResultRecord, TextUnit};
use ferret_store::{Store, StoreError};
use flate2::read::GzDecoder;
use serde::Serialize;

use crate::layout::{BatchId, Buckets};
use crate::review::{append_audit, ReviewError};

/// The most occurrences of each type a reveal shows, as in Macie.
pub const MAX_REVEAL: u8 = 10;
/// The most characters of one occurrence a reveal shows, as in Macie.
pub const MAX_REVEAL_CHARS: usize = 128;

/// One object as a reviewer sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectView {
    /// The original key (as it was in raw).
    pub key: String,
    /// `COMPLETE`, `PARTIAL` or `SKIPPED`, and why not complete.
    pub status: String,
    pub reason: Option<String>,
    pub severity: Option<String>,
    pub detections: Vec<DetectionView>,
    /// With `--reveal`: the first occurrences of each type, read from the object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<Vec<Samples>>,
}

/// One type found in an object: its count and where (as the result lists them).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetectionView {
    /// The custom identifier's name or the managed type.
    pub name: String,
    /// The managed category, `null` for a custom identifier.
    pub category: Option<String>,
    pub count: u64,
    pub occurrences: Occurrences,
}

/// The first occurrences of one type in an object.
#[derive(Debug, Clone, Serialize)]
pub struct Samples {
    pub name: String,
    pub values: Vec<String>,
}

/// One line of `review.jsonl` for a reveal. It names the objects, never the values.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevealRecord {
    pub batch_id: String,
    /// Always `revealed`, to tell it from `approved` and `denied` decisions.
    pub decision: &'static str,
    pub reviewer: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub keys: Vec<String>,
    /// Occurrences of each type asked for.
    pub occurrences: u8,
}

/// A `review show` request.
#[derive(Debug, Clone)]
pub struct ShowRequest {
    pub batch: BatchId,
    /// Original keys; empty for every object of the batch waiting for review.
    pub keys: Vec<String>,
    /// `Some(n)`: reveal the first `n` (1 to [`MAX_REVEAL`]) occurrences of each type.
    pub reveal: Option<u8>,
    pub reviewer: String,
    pub at: SystemTime,
}

#[derive(Debug, thiserror::Error)]
pub enum ShowError {
    #[error(transparent)]
    Review(#[from] ReviewError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("batch {0}: no results in scan-results (was it scanned?)")]
    NoResults(String),
    #[error("batch {batch}: results unreadable: {message}")]
    Results { batch: String, message: String },
    #[error("batch {batch}: no object {key:?} waits for review")]
    NotPending { batch: String, key: String },
    #[error("--reveal takes 1 to {MAX_REVEAL} occurrences")]
    RevealRange,
    #[error("{0}")]
    Blocking(String),
}

/// Shows the objects `request` names, revealing samples if asked (and recording that).
pub async fn show<S: Store + ?Sized + 'static>(
    store: Arc<S>,
    buckets: &Buckets,
    set: Arc<IdentifierSet>,
    limits: Limits,
    request: &ShowRequest,
) -> Result<Vec<ObjectView>, ShowError> {
    if request.reveal.is_some_and(|n| n == 0 || n > MAX_REVEAL) {
        return Err(ShowError::RevealRange);
    }
    let batch = &request.batch;
    let pending: BTreeSet<String> = store
        .list(&buckets.manual_review, &batch.prefix())
        .await?
        .into_iter()
        .filter_map(|o| batch.original(&o.key).map(str::to_owned))
        .collect();
    for key in &request.keys {
        if !pending.contains(key) {
            return Err(ShowError::NotPending {
                batch: batch.to_string(),
                key: key.clone(),
            });
        }
    }
    let wanted: BTreeSet<String> = if request.keys.is_empty() {
        pending
    } else {
        request.keys.iter().cloned().collect()
    };
    let records = {
        let store = Arc::clone(&store);
        let (bucket, key) = (buckets.scan_results.clone(), batch.results_key());
        let batch = batch.to_string();
        let wanted = wanted.clone();
        blocking(move || read_results(store.as_ref(), &bucket, &key, &batch, &wanted)).await??
    };
    let mut views: Vec<ObjectView> = records.iter().map(view).collect();
    let Some(n) = request.reveal else {
        return Ok(views);
    };
    for view in &mut views {
        let store = Arc::clone(&store);
        let set = Arc::clone(&set);
        let (bucket, key) = (buckets.manual_review.clone(), batch.key(&view.key));
        let name = view.key.clone();
        let limits = limits.clone();
        let samples =
            blocking(move || samples(store.as_ref(), &bucket, &key, &name, &set, &limits, n))
                .await??;
        view.samples = Some(samples);
    }
    let record = RevealRecord {
        batch_id: batch.to_string(),
        decision: "revealed",
        reviewer: request.reviewer.clone(),
        at: humantime::format_rfc3339_seconds(request.at).to_string(),
        keys: views.iter().map(|v| v.key.clone()).collect(),
        occurrences: n,
    };
    append_audit(store.as_ref(), buckets, batch, &record).await?;
    Ok(views)
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ShowError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ShowError::Blocking(e.to_string()))
}

/// The records of the batch's results for `wanted` keys, in the results' order.
fn read_results<S: Store + ?Sized>(
    store: &S,
    bucket: &str,
    key: &str,
    batch: &str,
    wanted: &BTreeSet<String>,
) -> Result<Vec<ResultRecord>, ShowError> {
    let body = match store.open(bucket, key) {
        Ok(body) => body,
        Err(StoreError::NoSuchObject { .. }) => return Err(ShowError::NoResults(batch.to_owned())),
        Err(error) => return Err(error.into()),
    };
    let unreadable = |message: String| ShowError::Results {
        batch: batch.to_owned(),
        message,
    };
    let mut records = Vec::new();
    for line in BufReader::new(GzDecoder::new(body)).lines() {
        let line = line.map_err(|e| unreadable(e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: ResultRecord =
            serde_json::from_str(&line).map_err(|e| unreadable(e.to_string()))?;
        if wanted.contains(&record.resources_affected.s3_object.key) {
            records.push(record);
        }
    }
    Ok(records)
}

fn view(record: &ResultRecord) -> ObjectView {
    let result = &record.classification_details.result;
    let custom = result
        .custom_data_identifiers
        .detections
        .iter()
        .map(|d| DetectionView {
            name: d.name.clone(),
            category: None,
            count: d.count,
            occurrences: d.occurrences.clone(),
        });
    let managed = result.sensitive_data.iter().flat_map(|category| {
        category.detections.iter().map(|d| DetectionView {
            name: d.detection_type.clone(),
            category: Some(category.category.clone()),
            count: d.count,
            occurrences: d.occurrences.clone(),
        })
    });
    ObjectView {
        key: record.resources_affected.s3_object.key.clone(),
        status: result.status.code.as_str().to_owned(),
        reason: result.status.reason.map(|r| r.as_str().to_owned()),
        severity: record.severity.as_ref().map(|s| s.description.clone()),
        detections: custom.chain(managed).collect(),
        samples: None,
    }
}

/// The first `n` kept matches of each detector in the object, in document order, each
/// cut to [`MAX_REVEAL_CHARS`] characters. What cannot be read yields what was read.
fn samples<S: Store + ?Sized>(
    store: &S,
    bucket: &str,
    key: &str,
    name: &str,
    set: &IdentifierSet,
    limits: &Limits,
    n: u8,
) -> Result<Vec<Samples>, ShowError> {
    let mut body = store.open(bucket, key)?;
    let mut matcher = Matcher::new(set);
    let mut found: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut sink = |unit: TextUnit<'_>| {
        matcher.kept_candidates(
            unit.bytes,
            unit.search.clone(),
            unit.context,
            unit.only,
            |c| {
                if !c.is_kept() {
                    return;
                }
                let values = found.entry(c.detector.0).or_default();
                if values.len() < usize::from(n) {
                    let text = String::from_utf8_lossy(&unit.bytes[c.span.clone()]);
                    values.push(text.chars().take(MAX_REVEAL_CHARS).collect());
                }
            },
        );
    };
    // A read that fails part-way still shows what it found: the reviewer sees the
    // status from the results.
    let _ = read_object(name, Input::Stream(&mut body), limits, &mut sink);
    Ok(found
        .into_iter()
        .map(|(detector, values)| Samples {
            name: set.detectors()[detector].name().to_owned(),
            values,
        })
        .collect())
}
