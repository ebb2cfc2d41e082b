//! Choosing and opening a store: the one place that turns `--store s3|dir:PATH` and the
//! S3 client settings into an `Arc<dyn Store>`, so that no command matches on the
//! backend itself.

use std::path::PathBuf;
use std::sync::Arc;

use crate::{DirStore, S3Config, S3Store, Store};

/// Which store holds the buckets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// AWS S3 or an S3-compatible server.
    S3,
    /// The embedded store: a folder per bucket under this directory.
    Dir(PathBuf),
}

/// A `--store` value that is neither `s3` nor `dir:PATH`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--store {0:?}: expected `s3` or `dir:PATH`")]
pub struct InvalidStoreSpec(pub String);

impl StoreSpec {
    /// Parses `s3` or `dir:PATH`.
    pub fn parse(text: &str) -> Result<StoreSpec, InvalidStoreSpec> {
        match text.split_once(':') {
            _ if text == "s3" => Ok(StoreSpec::S3),
            Some(("dir", path)) if !path.is_empty() => Ok(StoreSpec::Dir(PathBuf::from(path))),
            _ => Err(InvalidStoreSpec(text.to_owned())),
        }
    }
}

/// Everything needed to open a store: the backend, and how to reach S3 when it is S3
/// (ignored by the embedded store).
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub spec: StoreSpec,
    pub s3: S3Config,
}

/// Opens the store `config` names. For S3 this loads the standard AWS configuration
/// chain, so it must be awaited inside the tokio runtime that will drive the requests.
pub async fn connect(config: &StoreConfig) -> Arc<dyn Store> {
    match &config.spec {
        StoreSpec::S3 => Arc::new(S3Store::connect(&config.s3).await),
        StoreSpec::Dir(root) => Arc::new(DirStore::new(root.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_specs_parse() {
        assert_eq!(StoreSpec::parse("s3").expect("s3"), StoreSpec::S3);
        assert_eq!(
            StoreSpec::parse("dir:/tmp/x").expect("dir"),
            StoreSpec::Dir(PathBuf::from("/tmp/x"))
        );
        assert!(StoreSpec::parse("dir:").is_err());
        assert!(StoreSpec::parse("gcs").is_err());
    }
}
