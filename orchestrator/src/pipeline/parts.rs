//! The scan shared out: when a Step Functions Distributed Map spreads a batch over many
//! workers, each scans one share of the staged objects and writes its records as a part
//! (`scan-results/ID/parts/<digest>.jsonl.gz`); the merge folds the parts into the
//! batch's results before routing, exactly as if one process had scanned everything.
//!
//! Both steps are idempotent: a share scanned twice (a retried task) rewrites the same
//! part, and the merge scans itself any staged object no part covers, so a lost share
//! can delay a batch but never route an object unscanned.

use std::collections::HashMap;

use ferret_scanner::ResultRecord;
use md5::{Digest, Md5};

use super::{Pipeline, PipelineError, Summary};
use crate::layout::BatchId;
use ferret_store::{ObjectInfo, Store};

impl<S: Store + ?Sized> Pipeline<S> {
    /// Scans one share of the batch: `keys` are staged keys (`ID/<key>`) as the
    /// Distributed Map's ItemReader lists them. Keys no longer staged are left out (the
    /// merge accounts for every staged object). Returns how many objects were scanned.
    pub async fn scan_part(
        &self,
        batch: &BatchId,
        keys: &[String],
    ) -> Result<usize, PipelineError> {
        let mut staged = Vec::with_capacity(keys.len());
        for key in keys {
            if batch.original(key).is_none() {
                return Err(PipelineError::NotInBatch {
                    batch: batch.to_string(),
                    key: key.clone(),
                });
            }
            if let Some(head) = self.store.head(&self.buckets.scan_stage, key).await? {
                staged.push(ObjectInfo {
                    key: key.clone(),
                    size: head.size,
                    e_tag: head.e_tag,
                });
            }
        }
        let records = self.scan_records(batch, staged).await?;
        let records = self.write_records(part_key(batch, keys), records).await?;
        crate::crash::step();
        Ok(records.len())
    }

    /// Merges the parts into the batch's results (scanning any staged object no part
    /// covers), then routes and summarises the batch, as [`Pipeline::complete`] does.
    pub async fn merge(&self, batch: &BatchId) -> Result<Summary, PipelineError> {
        if let Some(done) = self.finished(batch).await? {
            return Ok(done);
        }
        let routings = match self.load_results(batch).await? {
            Some(routings) => routings,
            None => {
                let records = self.merged_records(batch).await?;
                let records = self.write_results(batch, records).await?;
                records
                    .iter()
                    .map(|r| super::Routing::of(batch, r))
                    .collect()
            }
        };
        self.route_and_finish(batch, routings, &super::Heads::new())
            .await
    }

    /// One record per staged object, in key order: from the parts where they have it,
    /// from a scan here where they do not.
    async fn merged_records(&self, batch: &BatchId) -> Result<Vec<ResultRecord>, PipelineError> {
        let staged = self
            .store
            .list(&self.buckets.scan_stage, &batch.prefix())
            .await?;
        let mut scanned: HashMap<String, ResultRecord> = HashMap::new();
        for part in self
            .store
            .list(&self.buckets.scan_results, &batch.parts_prefix())
            .await?
        {
            let Some(records) = self.read_records(batch, part.key, |r| r).await? else {
                continue;
            };
            for record in records {
                scanned.insert(record.resources_affected.s3_object.key.clone(), record);
            }
        }
        let missing: Vec<ObjectInfo> = staged
            .iter()
            .filter(|o| {
                !batch
                    .original(&o.key)
                    .is_some_and(|k| scanned.contains_key(k))
            })
            .cloned()
            .collect();
        if !missing.is_empty() {
            for record in self.scan_records(batch, missing).await? {
                scanned.insert(record.resources_affected.s3_object.key.clone(), record);
            }
        }
        Ok(staged
            .iter()
            .filter_map(|o| batch.original(&o.key).and_then(|k| scanned.remove(k)))
            .collect())
    }
}

/// The part a share writes: named by a digest of its keys, so a retried share rewrites
/// its own part and two shares never collide.
fn part_key(batch: &BatchId, keys: &[String]) -> String {
    let mut digest = Md5::new();
    for key in keys {
        digest.update(key.as_bytes());
        digest.update(b"\n");
    }
    let hex: String = digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}{hex}.jsonl.gz", batch.parts_prefix())
}
