//! The event-driven worker's bookkeeping, kept in scan-results under `_ferret-queue/`
//! with S3's conditional writes, so that any number of workers (and a worker restarted
//! after a crash) agree on which batch each message belongs to:
//!
//! - `batches/<ID>/lease.json`: who runs the batch, until when. Created with
//!   `If-None-Match: *`; renewed and taken over with `If-Match` on its ETag, so exactly
//!   one worker holds a batch at a time, and a batch whose worker stopped renewing it (a
//!   crash) is taken over by exactly one other.
//! - `batches/<ID>/keys.json`: the batch's messages and keys, written before any claim,
//!   so a worker that takes the batch over knows all of it.
//! - `messages/<MessageId>.json`: the claim of one SQS message by a batch. Created with
//!   `If-None-Match: *`: a message delivered twice (SQS delivers at least once; a crashed
//!   worker's messages come back) always finds the batch that owns it.
//! - `objects/<digest>.json`: the claim of one version of a raw object by the batch that
//!   stages it, also with `If-None-Match: *`, for the messages that announce one upload
//!   more than once (see [`objects`](super::objects)).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::operation::put_object::PutObjectError;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use serde::{Deserialize, Serialize};

use super::objects::ObjectVersion;

/// The prefix of the ledger in scan-results.
pub const PREFIX: &str = "_ferret-queue";

/// A ledger request that failed.
#[derive(Debug, thiserror::Error)]
#[error("{operation} s3://{bucket}/{key}: {message}")]
pub struct LedgerError {
    operation: &'static str,
    bucket: String,
    key: String,
    message: String,
}

impl LedgerError {
    pub(crate) fn new(operation: &'static str, bucket: &str, key: &str, message: String) -> Self {
        LedgerError {
            operation,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            message,
        }
    }
}

/// A message claimed by a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    pub batch_id: String,
}

/// One message of a batch, as its journal lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub message_id: String,
    pub key: String,
}

/// Who holds a batch, until when (seconds since the epoch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lease {
    pub worker: String,
    pub expires: u64,
}

impl Lease {
    pub fn new(worker: &str, ttl: Duration) -> Lease {
        Lease {
            worker: worker.to_owned(),
            expires: now_secs() + ttl.as_secs(),
        }
    }

    pub fn expired(&self) -> bool {
        self.expires < now_secs()
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A lease held: its ETag is what the next renewal must match.
#[derive(Debug, Clone)]
pub struct Held {
    pub batch_id: String,
    e_tag: String,
}

/// The ledger in one bucket.
#[derive(Debug, Clone)]
pub struct Ledger {
    s3: aws_sdk_s3::Client,
    bucket: String,
}

impl Ledger {
    pub fn new(s3: aws_sdk_s3::Client, bucket: &str) -> Ledger {
        Ledger {
            s3,
            bucket: bucket.to_owned(),
        }
    }

    /// The S3 client the ledger writes with (it reaches the other buckets too).
    pub fn s3(&self) -> &aws_sdk_s3::Client {
        &self.s3
    }

    fn object_key(version: &ObjectVersion) -> String {
        format!("{PREFIX}/objects/{}.json", version.claim_name())
    }

    fn claim_key(message_id: &str) -> String {
        format!("{PREFIX}/messages/{message_id}.json")
    }

    fn lease_key(batch: &str) -> String {
        format!("{PREFIX}/batches/{batch}/lease.json")
    }

    fn journal_key(batch: &str) -> String {
        format!("{PREFIX}/batches/{batch}/keys.json")
    }

    /// Claims `message_id` for `claim.batch_id`; the claim already made when another
    /// batch (or this one, earlier) has it.
    pub async fn claim(&self, message_id: &str, claim: &Claim) -> Result<Claim, LedgerError> {
        let key = Ledger::claim_key(message_id);
        if self.put(&key, claim, Condition::Absent).await?.is_some() {
            return Ok(claim.clone());
        }
        match self.read::<Claim>(&key).await? {
            Some((existing, _)) => Ok(existing),
            None => Err(self.error("GetObject", &key, "claim vanished".to_owned())),
        }
    }

    /// Claims one version of a raw object for `claim.batch_id`; the claim already made
    /// when another batch (or this one, earlier) has it.
    pub async fn claim_object(
        &self,
        version: &ObjectVersion,
        claim: &Claim,
    ) -> Result<Claim, LedgerError> {
        let key = Ledger::object_key(version);
        if self.put(&key, claim, Condition::Absent).await?.is_some() {
            return Ok(claim.clone());
        }
        match self.read::<Claim>(&key).await? {
            Some((existing, _)) => Ok(existing),
            // Released between the write and the read: its batch routed the object, so
            // this version is no longer in raw for anyone to stage.
            None => Ok(Claim {
                batch_id: String::new(),
            }),
        }
    }

    /// Drops the claim of an object version whose batch has routed it.
    pub async fn release_object(&self, version: &ObjectVersion) -> Result<(), LedgerError> {
        let key = Ledger::object_key(version);
        self.s3
            .delete_object()
            .bucket(&self.bucket)
            .key(&key)
            .send()
            .await
            .map(drop)
            .map_err(|e| self.error("DeleteObject", &key, DisplayErrorContext(&e).to_string()))
    }

    /// The batch that claimed `message_id`, if one did.
    pub async fn claim_of(&self, message_id: &str) -> Result<Option<Claim>, LedgerError> {
        Ok(self
            .read(&Ledger::claim_key(message_id))
            .await?
            .map(|(c, _)| c))
    }

    pub async fn write_journal(&self, batch: &str, entries: &[Entry]) -> Result<(), LedgerError> {
        self.put(&Ledger::journal_key(batch), &entries, Condition::None)
            .await
            .map(drop)
    }

    pub async fn journal(&self, batch: &str) -> Result<Vec<Entry>, LedgerError> {
        Ok(self
            .read(&Ledger::journal_key(batch))
            .await?
            .map(|(entries, _)| entries)
            .unwrap_or_default())
    }

    /// Takes the lease of `batch` when it is free (never held, or expired); `None` when
    /// another worker holds it.
    pub async fn acquire(&self, batch: &str, lease: &Lease) -> Result<Option<Held>, LedgerError> {
        let key = Ledger::lease_key(batch);
        let condition = match self.read::<Lease>(&key).await? {
            None => Condition::Absent,
            Some((current, _)) if !current.expired() => return Ok(None),
            Some((_, e_tag)) => Condition::Matches(e_tag),
        };
        Ok(self.put(&key, lease, condition).await?.map(|e_tag| Held {
            batch_id: batch.to_owned(),
            e_tag,
        }))
    }

    /// Extends a held lease; `false` when it was taken over meanwhile.
    pub async fn renew(&self, held: &mut Held, lease: &Lease) -> Result<bool, LedgerError> {
        let key = Ledger::lease_key(&held.batch_id);
        match self
            .put(&key, lease, Condition::Matches(held.e_tag.clone()))
            .await?
        {
            Some(e_tag) => {
                held.e_tag = e_tag;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Writes `value` as JSON under `condition`; the new ETag, or `None` when the
    /// condition did not hold.
    async fn put<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        condition: Condition,
    ) -> Result<Option<String>, LedgerError> {
        let body =
            serde_json::to_vec(value).map_err(|e| self.error("PutObject", key, e.to_string()))?;
        let mut request = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(body));
        request = match condition {
            Condition::None => request,
            Condition::Absent => request.if_none_match("*"),
            Condition::Matches(e_tag) => request.if_match(e_tag),
        };
        match request.send().await {
            Ok(output) => Ok(Some(output.e_tag().unwrap_or_default().to_owned())),
            Err(error) if lost_race(&error) => Ok(None),
            Err(error) => {
                Err(self.error("PutObject", key, DisplayErrorContext(&error).to_string()))
            }
        }
    }

    /// Reads a JSON object with its ETag; `None` when it does not exist.
    async fn read<T: for<'de> Deserialize<'de>>(
        &self,
        key: &str,
    ) -> Result<Option<(T, String)>, LedgerError> {
        let output = match self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => output,
            Err(error) if error.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(None)
            }
            Err(error) => {
                return Err(self.error("GetObject", key, DisplayErrorContext(&error).to_string()))
            }
        };
        let e_tag = output.e_tag().unwrap_or_default().to_owned();
        let bytes = output
            .body
            .collect()
            .await
            .map_err(|e| self.error("GetObject", key, e.to_string()))?
            .into_bytes();
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| self.error("GetObject", key, e.to_string()))?;
        Ok(Some((value, e_tag)))
    }

    fn error(&self, operation: &'static str, key: &str, message: String) -> LedgerError {
        LedgerError::new(operation, &self.bucket, key, message)
    }
}

/// The condition of a conditional write.
enum Condition {
    None,
    Absent,
    Matches(String),
}

/// A conditional write that another writer won: 412 Precondition Failed, or 409
/// ConditionalRequestConflict (two conditional writes of one key at once).
fn lost_race(error: &SdkError<PutObjectError, HttpResponse>) -> bool {
    error
        .raw_response()
        .is_some_and(|response| matches!(response.status().as_u16(), 409 | 412))
}
