//! The batch pipeline (raw -> scan-stage -> manual-review or scanned-data) over S3 or an
//! embedded store. Built on [`ferret_scanner`].

pub mod buckets;
pub mod crash;
pub mod layout;
pub mod moves;
pub mod notify;
pub mod pipeline;
pub mod review;
pub mod settings;
/// The object stores, from `ferret-store` (kept at this path for the pipeline's users).
pub use ferret_store as store;
