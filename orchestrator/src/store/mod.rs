//! Object stores: where batches live. One interface, two backends: S3 (or any
//! S3-compatible server) and an embedded directory store.

pub mod s3;

pub use s3::{BlockingBody, S3Config, S3Store};

/// An object as a listing describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    pub e_tag: Option<String>,
}

/// Failures of a store, named so that callers can tell retryable from final ones.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("bucket {bucket}: no such bucket")]
    NoSuchBucket { bucket: String },
    #[error("{bucket}/{key}: no such object")]
    NoSuchObject { bucket: String, key: String },
    #[error("{bucket}/{key}: access denied")]
    AccessDenied { bucket: String, key: String },
    #[error("{operation} {bucket}/{key}: {message}")]
    Service {
        operation: &'static str,
        bucket: String,
        key: String,
        message: String,
    },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}
