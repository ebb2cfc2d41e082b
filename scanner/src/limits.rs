//! Limits that keep a scan's memory and time bounded whatever the input.
//!
//! Each limit maps to the reason Macie gives when it stops analysing an object, so a
//! bomb or a runaway file becomes a SKIPPED or PARTIAL result, never an out-of-memory.

use crate::quota::FileSizeQuotas;

/// Bounds applied while reading one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes that may be produced by decompressing one object (gzip, zip members,
    /// nested archives), all together.
    pub max_extracted_bytes: u64,
    /// Archive nesting depth (a zip in a zip is depth 2).
    pub max_nesting: u32,
    /// Files read out of the archives of one object, nested ones included; past it the
    /// rest of the object is not read (`ARCHIVE_TOTAL_DOCUMENTS_PROCESSED_OVER_LIMIT`).
    pub max_archive_files: u64,
    /// The size of one archive member, as its archive declares it; a larger member is
    /// not read (`ARCHIVE_EXCEEDS_SIZE_LIMIT`), the others are.
    pub max_member_bytes: u64,
    /// OOXML (XLSX) uncompressed-to-compressed ratio above which a workbook is a bomb.
    pub max_ooxml_ratio: u64,
    /// OOXML total uncompressed size.
    pub max_ooxml_bytes: u64,
    /// Largest single text unit (a cell, a JSON string); larger ones are cut and the
    /// object is PARTIAL.
    pub max_unit_bytes: usize,
    /// JSON nesting depth. Each level costs about 250 bytes of stack in release builds
    /// (1.2 KiB in debug), so very large settings risk the thread's stack.
    pub max_json_depth: usize,
    /// The largest object of each format that is read at all; a larger one is
    /// SKIPPED `FILE_EXCEEDS_SIZE_LIMIT` without being opened.
    pub file_size: FileSizeQuotas,
}

impl Limits {
    /// The default [`Limits::max_unit_bytes`]: 16 MiB.
    pub const DEFAULT_MAX_UNIT_BYTES: usize = 16 * 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_extracted_bytes: 10 * 1024 * 1024 * 1024,
            max_nesting: 10,
            max_archive_files: 1_000_000,
            max_member_bytes: 3 * 1024 * 1024 * 1024,
            max_ooxml_ratio: 100,
            max_ooxml_bytes: 4 * 1024 * 1024 * 1024,
            max_unit_bytes: Self::DEFAULT_MAX_UNIT_BYTES,
            max_json_depth: 256,
            file_size: FileSizeQuotas::default(),
        }
    }
}
