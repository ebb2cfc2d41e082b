//! The batch pipeline (raw -> scan-stage -> manual-review or scanned-data) over S3 or an
//! embedded store. Built on [`ferret_scanner`].

pub mod store;
