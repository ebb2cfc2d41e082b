//! The redact policy (`--on-sensitive redact`): a sensitive object scanned COMPLETE, of
//! a format ferret can rewrite, also gets a redacted copy in scanned-data under its
//! original key, tagged `Redacted=true`, while the original goes to manual-review as
//! under the review policy. Approving it later puts the original in place of the copy;
//! denying it deletes the original and keeps the copy.
//!
//! Crash safety: the copy is first written whole to `scan-results/ID/redacted/<key>`
//! (nothing is visible there until the upload commits), then *moved* to scanned-data
//! with its tags set in the same copy, like every other move. So scanned-data never
//! holds an untagged or partial copy. The copy is made while the original is still in
//! scan-stage, before the original's own move: a rerun that finds the original still
//! staged makes (and moves) the copy again, with the same bytes; one that finds it gone
//! knows the copy was moved before it.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use ferret_redact::{can_redact, Policy, RedactError, Redactor};
use ferret_scanner::{Format, Limits};
use ferret_store::{ObjectWriter, Store, StoreError, Tags};

use super::{Pipeline, Routing};
use crate::layout::{tags, BatchId};
use crate::moves::{move_object, MoveError};

/// How a pipeline treats a sensitive object.
#[derive(Debug, Clone, Default)]
pub enum OnSensitive {
    /// It waits in manual-review, and nothing of it reaches scanned-data until
    /// approved: the seed's behaviour.
    #[default]
    Review,
    /// It waits in manual-review, and a copy redacted by this policy goes to
    /// scanned-data at once.
    Redact(Arc<Policy>),
}

impl<S: Store + ?Sized> Pipeline<S> {
    /// Under the redact policy, writes the redacted copy of the staged object `routing`
    /// describes and moves it to scanned-data, if the object qualifies and is still
    /// staged. An object that cannot be redacted after all (its content defeats the
    /// rewriter) is only reviewed: fail closed.
    pub(super) async fn redacted_copy(
        &self,
        batch: &BatchId,
        routing: &Routing,
    ) -> Result<(), MoveError> {
        let OnSensitive::Redact(policy) = &self.on_sensitive else {
            return Ok(());
        };
        let format = Format::from_path(Path::new(&routing.original_key));
        if !routing.sensitive || !routing.complete || !can_redact(format) {
            return Ok(());
        }
        let staged = batch.key(&routing.original_key);
        let Some(head) = self.store.head(&self.buckets.scan_stage, &staged).await? else {
            // Moved to manual-review earlier, after its copy was made.
            return Ok(());
        };
        let temporary = batch.redacted_key(&routing.original_key);
        let content_type = head.content_type.clone().unwrap_or_else(|| {
            format
                .mime_type(Path::new(&routing.original_key))
                .to_owned()
        });
        let copy = CopyJob {
            store: Arc::clone(&self.store),
            set: Arc::clone(&self.set),
            policy: Arc::clone(policy),
            limits: self.scan_options.limits.clone(),
            from: (self.buckets.scan_stage.clone(), staged),
            to: (self.buckets.scan_results.clone(), temporary.clone()),
            name: routing.original_key.clone(),
            content_type,
        };
        let written = tokio::task::spawn_blocking(move || copy.run())
            .await
            .map_err(|e| StoreError::Io {
                path: temporary.clone(),
                error: std::io::Error::other(e.to_string()),
            })?;
        match written {
            Ok(()) => {}
            Err(Failure::Store(error)) => return Err(error.into()),
            Err(Failure::Redact(error)) => {
                tracing::warn!(
                    key = %routing.original_key,
                    reason = ?error.reason(),
                    "not redacted, only reviewed: {error}"
                );
                return Ok(());
            }
        }
        crate::crash::step();
        let added = Tags::from([
            (tags::REDACTED.to_owned(), "true".to_owned()),
            (tags::SENSITIVE_DATA_FOUND.to_owned(), "true".to_owned()),
            (tags::WORKFLOW_ID.to_owned(), batch.to_string()),
        ]);
        move_object(
            self.store.as_ref(),
            (&self.buckets.scan_results, &temporary),
            (&self.buckets.scanned_data, &routing.original_key),
            &added,
        )
        .await?;
        Ok(())
    }
}

/// Why a copy was not written.
enum Failure {
    /// The store failed: the batch stops, and a rerun tries again.
    Store(StoreError),
    /// The object cannot be redacted.
    Redact(RedactError),
}

/// Streams one staged object through the redactor into a new object, on a blocking
/// thread.
struct CopyJob<S: ?Sized> {
    store: Arc<S>,
    set: Arc<ferret_identifiers::IdentifierSet>,
    policy: Arc<Policy>,
    limits: Limits,
    from: (String, String),
    to: (String, String),
    name: String,
    content_type: String,
}

impl<S: Store + ?Sized> CopyJob<S> {
    fn run(self) -> Result<(), Failure> {
        let mut input: Box<dyn Read + Send> = self
            .store
            .open(&self.from.0, &self.from.1)
            .map_err(Failure::Store)?;
        let mut writer: Box<dyn ObjectWriter> = self
            .store
            .create(&self.to.0, &self.to.1, &self.content_type)
            .map_err(Failure::Store)?;
        let redactor = Redactor::new(&self.set, &self.policy, self.limits.clone());
        match redactor.redact(&self.name, &mut input, &mut writer) {
            Ok(_) => writer.commit().map_err(Failure::Store),
            // The upload is dropped uncommitted: nothing is left behind.
            Err(RedactError::Write(error)) => Err(Failure::Store(StoreError::Io {
                path: format!("{}/{}", self.to.0, self.to.1),
                error,
            })),
            Err(error) => Err(Failure::Redact(error)),
        }
    }
}
