//! What the workspace's integration tests share: [`Moto`], a real S3, SNS, SQS and Step
//! Functions API on loopback, and [`FaultProxy`], which fails requests to it on a
//! schedule.

pub mod faults;
mod moto;

pub use faults::FaultProxy;
pub use moto::Moto;

use std::path::{Path, PathBuf};

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}
