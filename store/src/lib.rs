//! Object stores: where batches live. One trait, two backends: [`S3Store`] (AWS S3 or
//! any S3-compatible server) and [`DirStore`], the embedded store (a folder per bucket).
//!
//! The pipeline's safety rests on a few promises every backend keeps, which the same
//! behavioural tests check against both: a copy carries the content byte for byte with
//! its content type, user metadata and encryption settings, and sets the destination's
//! tags in the same step; a copy can be verified against its source by size and ETag;
//! deleting a missing object succeeds (so every step can be rerun); small objects are
//! written atomically (readers see the old or the new content, never a part), and so
//! are streamed ones, of any size, at their commit.
//!
//! Commands hold a store as `Arc<dyn Store>`, opened by [`connect`] from the settings
//! (`--store s3|dir:PATH`): no caller chooses the backend itself. Failures are
//! [`StoreError`]s, which say nothing of what a scanner makes of them: as an
//! [`std::io::Error`] they keep their kind, for readers to judge like any failed read.

pub mod config;
pub mod dir;
pub mod s3;

use std::collections::BTreeMap;
use std::io::Read;

use futures_util::future::BoxFuture;

pub use config::{connect, InvalidStoreSpec, StoreConfig, StoreSpec};
pub use dir::DirStore;
pub use s3::{BlockingBody, MultipartCopy, S3Config, S3Store};

/// Object tags, sorted by key (S3 allows at most 10 per object).
pub type Tags = BTreeMap<String, String>;

/// The most tags S3 keeps on one object.
pub const MAX_TAGS: usize = 10;

/// The longest tag key S3 accepts, in characters.
pub const MAX_TAG_KEY_CHARS: usize = 128;

/// The longest tag value S3 accepts, in characters.
pub const MAX_TAG_VALUE_CHARS: usize = 256;

/// Checks `tags` against S3's limits, so that both backends refuse the same tag sets
/// (the embedded store would otherwise accept tags that S3 later rejects) and S3
/// callers get a typed [`StoreError::Invalid`] instead of a service error. S3 allows
/// letters, digits, spaces and `_ . : / = + - @` only: no commas, so a list in a tag
/// value needs another separator.
pub fn check_tags(bucket: &str, key: &str, tags: &Tags) -> Result<(), StoreError> {
    let problem = if tags.len() > MAX_TAGS {
        Some(format!("{} tags, at most {MAX_TAGS} allowed", tags.len()))
    } else {
        tags.iter().find_map(|(k, v)| tag_problem(k, v))
    };
    match problem {
        None => Ok(()),
        Some(message) => Err(StoreError::Invalid {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            message,
        }),
    }
}

fn tag_problem(key: &str, value: &str) -> Option<String> {
    let allowed = |c: char| {
        c.is_alphanumeric() || (c.is_whitespace() && !c.is_control()) || "_.:/=+-@".contains(c)
    };
    let key_chars = key.chars().count();
    if key_chars == 0 || key_chars > MAX_TAG_KEY_CHARS {
        Some(format!(
            "tag key {key:?}: 1 to {MAX_TAG_KEY_CHARS} characters"
        ))
    } else if value.chars().count() > MAX_TAG_VALUE_CHARS {
        Some(format!(
            "tag {key:?}: value longer than {MAX_TAG_VALUE_CHARS} characters"
        ))
    } else if !key.chars().chain(value.chars()).all(allowed) {
        Some(format!(
            "tag {key:?}={value:?}: only letters, digits, spaces and _ . : / = + - @ are allowed"
        ))
    } else {
        None
    }
}

/// An object as a listing describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    pub e_tag: Option<String>,
}

/// Server-side encryption of an object or a bucket's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encryption {
    /// `AES256` or `aws:kms` (or `aws:kms:dsse`).
    pub algorithm: String,
    pub kms_key_id: Option<String>,
}

/// What a move must preserve, and what verifies a copy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectHead {
    pub size: u64,
    pub e_tag: Option<String>,
    pub content_type: Option<String>,
    /// User metadata (`x-amz-meta-*`), keys lower-cased.
    pub metadata: BTreeMap<String, String>,
    pub encryption: Option<Encryption>,
}

impl ObjectHead {
    /// True when `copy` holds the same bytes as `self`, judged by size and, where both
    /// ETags are plain content digests, by ETag. Multipart ETags depend on part sizes,
    /// and the ETags of SSE-KMS objects are not digests of the content at all (S3 gives
    /// each object its own), so only sizes are compared for them.
    pub fn same_content(&self, copy: &ObjectHead) -> bool {
        if self.size != copy.size {
            return false;
        }
        match (self.digest_e_tag(), copy.digest_e_tag()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }

    /// The ETag when it is a digest of the content: not multipart, not SSE-KMS.
    fn digest_e_tag(&self) -> Option<&str> {
        let kms = self
            .encryption
            .as_ref()
            .is_some_and(|e| e.algorithm.starts_with("aws:kms"));
        self.e_tag
            .as_deref()
            .filter(|e_tag| !kms && !e_tag.contains('-'))
    }
}

/// Failures of a store, named so that callers can tell what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("bucket {bucket}: no such bucket")]
    NoSuchBucket { bucket: String },
    #[error("{bucket}/{key}: no such object")]
    NoSuchObject { bucket: String, key: String },
    #[error("{bucket}/{key}: access denied")]
    AccessDenied { bucket: String, key: String },
    #[error("{bucket}/{key}: {message}")]
    Invalid {
        bucket: String,
        key: String,
        message: String,
    },
    #[error("{operation} {bucket}/{key}: {message}")]
    Service {
        operation: &'static str,
        bucket: String,
        key: String,
        message: String,
    },
    #[error("I/O error on {path}: {error}")]
    Io { path: String, error: std::io::Error },
}

/// A store failure as an I/O error of the matching kind, so that readers of objects
/// (the scanner) judge it like any other failed read: a missing object or bucket is
/// [`std::io::ErrorKind::NotFound`], a refusal [`std::io::ErrorKind::PermissionDenied`].
impl From<StoreError> for std::io::Error {
    fn from(error: StoreError) -> std::io::Error {
        let kind = match &error {
            StoreError::NoSuchObject { .. } | StoreError::NoSuchBucket { .. } => {
                std::io::ErrorKind::NotFound
            }
            StoreError::AccessDenied { .. } => std::io::ErrorKind::PermissionDenied,
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, error)
    }
}

/// Settings applied by `ferret buckets init` to each pipeline bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSettings {
    /// Default encryption (SSE-S3 unless a KMS key is given).
    pub encryption: Encryption,
    /// Objects expire this many days after creation (manual-review: 10).
    pub expire_after_days: Option<u32>,
}

/// An object being written by [`Store::create`]. Write errors carry the
/// [`StoreError`] inside the [`std::io::Error`].
pub trait ObjectWriter: std::io::Write + Send {
    /// Makes the written bytes the object, atomically: readers see the old object (or
    /// none) until this returns, then the whole new one.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// A future a store returns: boxed and `Send`, so that the trait can be used as
/// `Arc<dyn Store>` (one pipeline type whatever the backend) and its requests can run
/// on a multi-threaded runtime with bounded concurrency.
pub type StoreFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// An object store, used as `Arc<dyn Store>`.
pub trait Store: Send + Sync + 'static {
    /// How the store is named in messages (`s3`, `dir:/path`).
    fn describe(&self) -> String;

    /// Every object whose key starts with `prefix`, in key order.
    fn list<'a>(&'a self, bucket: &'a str, prefix: &'a str) -> StoreFuture<'a, Vec<ObjectInfo>>;

    /// The object's head, or `None` when it does not exist. (On S3 a missing bucket
    /// also reads as `None`: a HEAD response has no body to tell them apart.)
    fn head<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, Option<ObjectHead>>;

    /// The object's tags; [`StoreError::NoSuchObject`] when it does not exist.
    fn tags<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, Tags>;

    /// Copies `from` to `to` with content, content type, user metadata and encryption
    /// settings preserved, and the destination's tags set to `tags` in the same step.
    /// Returns the destination's head, for verification. Objects larger than a single
    /// copy allows (5 GiB on S3) are copied in parts. A missing source is
    /// [`StoreError::NoSuchObject`] naming the source; tags beyond S3's limits are
    /// [`StoreError::Invalid`] (see [`check_tags`]) and nothing is written.
    fn copy<'a>(
        &'a self,
        from: (&'a str, &'a str),
        to: (&'a str, &'a str),
        tags: &'a Tags,
    ) -> StoreFuture<'a, ObjectHead>;

    /// [`Store::copy`] from a source whose head the caller already has (from
    /// [`Store::head`] or [`Store::open_with_head`]), so the backend need not read it
    /// again: on S3 this saves a HeadObject per copy, and the copy is made only from
    /// the version `head` describes. The caller still verifies the copy against `head`.
    fn copy_with_head<'a>(
        &'a self,
        from: (&'a str, &'a str),
        head: &'a ObjectHead,
        to: (&'a str, &'a str),
        tags: &'a Tags,
    ) -> StoreFuture<'a, ObjectHead>;

    /// Replaces the object's tags (an empty set clears them); [`StoreError::NoSuchObject`]
    /// when it does not exist.
    fn set_tags<'a>(&'a self, bucket: &'a str, key: &'a str, tags: &'a Tags)
        -> StoreFuture<'a, ()>;

    /// Deletes the object; deleting a missing object succeeds (a missing bucket does
    /// not: [`StoreError::NoSuchBucket`]).
    fn delete<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, ()>;

    /// Writes a small object whole and atomically.
    fn put<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        body: Vec<u8>,
        content_type: &'a str,
    ) -> StoreFuture<'a, ()>;

    /// Reads a small object whole, or `None` when it does not exist.
    fn get<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>>;

    /// Opens an object as a blocking stream, for the scanner's threads. Must not be
    /// called from an async task (the S3 backend blocks on its runtime). A missing
    /// object is [`StoreError::NoSuchObject`].
    fn open(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, StoreError>;

    /// [`Store::open`], with the head of the object being read (on S3 from the same
    /// GetObject response), for a later [`Store::copy_with_head`].
    fn open_with_head(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<(ObjectHead, Box<dyn Read + Send>), StoreError>;

    /// Starts a new object of any size, written as a blocking stream (for writers on
    /// the scanner's threads; like [`Store::open`], not to be called from an async
    /// task). Memory holds at most one part, never the object: S3 uploads it in parts
    /// (one PUT when it turns out small), the embedded store fills a temporary file.
    /// Nothing is visible at the key until [`ObjectWriter::commit`] succeeds; a writer
    /// dropped uncommitted leaves nothing behind (S3 aborts the upload).
    fn create(
        &self,
        bucket: &str,
        key: &str,
        content_type: &str,
    ) -> Result<Box<dyn ObjectWriter>, StoreError>;

    /// Creates the bucket if needed and applies `settings` (idempotent).
    fn ensure_bucket<'a>(
        &'a self,
        bucket: &'a str,
        settings: &'a BucketSettings,
    ) -> StoreFuture<'a, ()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_become_io_errors_of_the_matching_kind() {
        let (bucket, key) = ("b".to_owned(), "k".to_owned());
        let kind = |error: StoreError| std::io::Error::from(error).kind();
        assert_eq!(
            kind(StoreError::NoSuchObject {
                bucket: bucket.clone(),
                key: key.clone()
            }),
            std::io::ErrorKind::NotFound
        );
        assert_eq!(
            kind(StoreError::NoSuchBucket {
                bucket: bucket.clone()
            }),
            std::io::ErrorKind::NotFound
        );
        assert_eq!(
            kind(StoreError::AccessDenied {
                bucket: bucket.clone(),
                key: key.clone()
            }),
            std::io::ErrorKind::PermissionDenied
        );
        assert_eq!(
            kind(StoreError::Service {
                operation: "GetObject",
                bucket,
                key,
                message: "slow down".to_owned()
            }),
            std::io::ErrorKind::Other
        );
    }
}
