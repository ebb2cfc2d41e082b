//! Route: sensitive, SKIPPED and PARTIAL objects go to manual-review as `ID/<key>`;
//! clean ones go to scanned-data under their original key.

use ferret_scanner::result::StatusCode;
use ferret_scanner::ResultRecord;

use super::scan::Heads;
use super::stage::check_moves;
use super::{Pipeline, PipelineError};
use crate::layout::{tags, BatchId};
use crate::moves::{bounded, move_with_head};
use ferret_store::{Store, Tags};

/// S3's limit on a tag value.
const MAX_TAG_VALUE: usize = 256;

/// Where one object goes, decided from its result record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    pub original_key: String,
    pub sensitive: bool,
    /// Not analysed at all (status SKIPPED). A PARTIAL object was analysed in part:
    /// it counts as scanned, and goes to review all the same.
    pub skipped: bool,
    /// Analysed completely (status COMPLETE): what the redact policy requires.
    pub complete: bool,
    /// (score, description) when sensitive.
    pub severity: Option<(u8, String)>,
    /// Fail closed: anything sensitive or not fully analysed waits for a person.
    pub to_review: bool,
    /// Tags added to the object's own.
    pub tags: Tags,
}

impl Routing {
    /// Decides from a record whose key is the object's original key.
    pub fn of(batch: &BatchId, record: &ResultRecord) -> Routing {
        let original_key = record.resources_affected.s3_object.key.clone();
        let sensitive = record.is_sensitive();
        let status = record.status();
        let complete = status == StatusCode::Complete;
        let skipped = status == StatusCode::Skipped;
        let to_review = sensitive || !complete;
        let mut added = Tags::from([
            (tags::WORKFLOW_ID.to_owned(), batch.to_string()),
            (tags::SENSITIVE_DATA_FOUND.to_owned(), sensitive.to_string()),
        ]);
        if !complete {
            added.insert(tags::SCAN_STATUS.to_owned(), status.as_str().to_owned());
        }
        if let Some(severity) = &record.severity {
            added.insert(
                tags::FINDING_SEVERITY.to_owned(),
                severity.description.clone(),
            );
            added.insert(tags::FINDING_TYPES.to_owned(), finding_types(record));
        }
        Routing {
            original_key,
            sensitive,
            skipped,
            complete,
            severity: record
                .severity
                .as_ref()
                .map(|s| (s.score, s.description.clone())),
            to_review,
            tags: added,
        }
    }
}

/// The detections of a record as one tag value: names joined by `+`, characters S3
/// refuses in tag values replaced by `_`, cut to S3's 256-character limit.
fn finding_types(record: &ResultRecord) -> String {
    let result = &record.classification_details.result;
    let names = result
        .custom_data_identifiers
        .detections
        .iter()
        .map(|d| d.name.as_str())
        .chain(
            result
                .sensitive_data
                .iter()
                .flat_map(|c| c.detections.iter().map(|d| d.detection_type.as_str())),
        );
    let joined: String = names
        .map(|name| {
            name.chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == ' ' || "_.:/=-@".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("+");
    joined.chars().take(MAX_TAG_VALUE).collect()
}

impl<S: Store + ?Sized> Pipeline<S> {
    /// Moves every staged object of the batch to its destination; `heads` are those the
    /// scan read in this run (none when the results were loaded), which spare a request
    /// per object.
    pub async fn route(
        &self,
        batch: &BatchId,
        routings: &[Routing],
        heads: &Heads,
    ) -> Result<(), PipelineError> {
        let moves: Vec<_> = routings
            .iter()
            .map(|routing| async move {
                let from = batch.key(&routing.original_key);
                let (bucket, key) = if routing.to_review {
                    (
                        &self.buckets.manual_review,
                        batch.key(&routing.original_key),
                    )
                } else {
                    (&self.buckets.scanned_data, routing.original_key.clone())
                };
                self.redacted_copy(batch, routing).await?;
                move_with_head(
                    self.store.as_ref(),
                    (&self.buckets.scan_stage, &from),
                    heads.get(&from),
                    (bucket, &key),
                    &routing.tags,
                )
                .await
            })
            .collect();
        check_moves(bounded(moves, self.concurrency).await)
    }
}
