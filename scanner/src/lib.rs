//! Scanning objects for sensitive data.
//!
//! An object's bytes go through [`object::read_object`], which picks a [`reader`] by the
//! object's [`Format`] (containers unpacked on the way) and cuts it into text units, each
//! with its place in the object ([`UnitPlace`]) and the context Macie reads keywords from
//! (column name, JSON keys). The identifier set from `ferret-identifiers` judges every
//! unit; [`aggregate`] folds the verdicts into per-object detections and [`scan`] into a
//! Macie-format [`ResultRecord`]. The analyst's test bench ([`mod@bench`]) shows the same
//! verdicts candidate by candidate.

pub mod aggregate;
pub mod bench;
pub mod format;
pub mod json_path;
pub mod limits;
pub mod location;
pub mod object;
mod per_thread;
pub mod reader;
pub mod result;
pub mod scan;
pub mod split;
mod stream;
pub mod table;
#[cfg(test)]
mod testing;
pub mod writer;

pub use format::Format;
pub use limits::Limits;
pub use reader::{ReadError, TextUnit, UnitPlace};
pub use result::ResultRecord;
pub use scan::{scan_file, scan_object, scan_parallel, ObjectMeta, ScanOptions};
