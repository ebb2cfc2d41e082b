//! Scanning objects for sensitive data.
//!
//! An object's bytes go through [`object::read_object`], which picks a [`reader`] by the
//! object's [`Format`] (containers unpacked on the way) and cuts it into text units, each
//! with its place in the object ([`UnitPlace`]) and the context Macie reads keywords from
//! (column name, JSON keys). The identifier set from `ferret-identifiers` judges every
//! unit; [`aggregate`] folds the verdicts into per-object detections and [`scan`] into a
//! Macie-format [`ResultRecord`]. The analyst's test bench ([`mod@bench`]) shows the same
//! verdicts candidate by candidate.
//!
//! # One boundary between readers and matching
//! Readers never judge text and never see the identifier set. Each hands its units to
//! one interface, [`UnitSink`]: the unit's bytes, where matches may start in them, its
//! [`UnitPlace`], its keyword context and, where it has one, its byte span in the input.
//! A reader that holds many units side by side in raw blocks (CSV/TSV) may also ask the
//! sink for its block filter (an opaque `ferret_identifiers::BlockFilter`), run it over
//! each block and hand over only the units it names, each with the opaque narrowing the
//! filter gave; everything else about the filter stays in `ferret-identifiers`.
//!
//! A scan's sink is the [`aggregate::Aggregator`]: its `ferret_identifiers::Matcher`
//! judges every unit (and the column names and JSON keys that results would write),
//! with the fast paths (whole-unit narrowing, counting without offsets) behind it. The
//! test bench's sink is a closure that asks the set for every candidate. So a new reader
//! is one function from bytes to units, and it gets every identifier, the block filter,
//! the limits and the statuses with no code elsewhere.
//!
//! Readers report what stopped them as a [`ReadError`], whose [`ReadError::reason`] is a
//! typed Macie reason ([`result::Reason`]); the result's status is a
//! [`result::StatusCode`].

pub mod aggregate;
pub mod bench;
#[cfg(test)]
mod documents_tests;
pub mod format;
pub mod json_path;
pub mod limits;
pub mod location;
mod member;
pub mod object;
mod per_thread;
pub mod quota;
pub mod reader;
pub mod result;
mod row_groups;
pub mod scan;
pub mod split;
mod stream;
pub mod table;
#[cfg(test)]
mod testing;
pub mod writer;

pub use format::Format;
pub use limits::Limits;
pub use quota::{FileSizeQuotas, SizeClass};
pub use reader::{ReadError, TextUnit, UnitPlace, UnitSink};
pub use result::ResultRecord;
pub use scan::over_size_quota;
pub use scan::{scan_file, scan_object, scan_parallel, ObjectMeta, ScanOptions};
