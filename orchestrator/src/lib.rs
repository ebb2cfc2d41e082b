//! The batch pipeline (raw -> scan-stage -> manual-review or scanned-data) over S3 or an
//! embedded store. Built on [`ferret_scanner`] and the stores of [`ferret_store`].

pub mod allow_lists;
pub mod buckets;
pub mod crash;
pub mod layout;
pub mod moves;
pub mod notify;
pub mod pipeline;
pub mod review;
pub mod review_show;
pub mod settings;
