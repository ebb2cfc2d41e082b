//! Readers: one per format, each turning an object's bytes into text units.
//!
//! A reader never holds a whole object: it streams records, rows or windows and hands
//! each unit to a sink as soon as it is complete. Units borrow the reader's buffers, so a
//! sink that keeps anything must copy it.

mod delimited;
mod fields;
mod header;
mod json;
pub(crate) mod text;
pub(crate) mod utf16;
mod xlsx;

use std::io::{self, Read};

use ferret_identifiers::{DetectorMask, UnitContext};

pub use delimited::{read_delimited, read_delimited_filtered};
pub(crate) use delimited::{SliceError, TableReader};
pub use json::{read_json, read_json_lines};
pub use text::read_text;
pub use xlsx::read_xlsx;

use crate::json_path::JsonPath;
use crate::{Format, Limits};

/// The longest column name kept, in bytes. A column name is kept for every cell below
/// it, copied into each occurrence listed there and into each slice of a table read in
/// parallel, so a header cell of megabytes must not become one. Real column names are
/// far shorter, and keywords are at most 90 characters.
pub const MAX_COLUMN_NAME_BYTES: usize = 256;

/// A header cell's text as the name of its column: decoded lossily, trimmed, and cut
/// to [`MAX_COLUMN_NAME_BYTES`] at a character boundary.
pub(crate) fn column_name(header: &[u8]) -> String {
    column_name_of(&String::from_utf8_lossy(header))
}

/// [`column_name`] of text already decoded.
pub(crate) fn column_name_of(header: &str) -> String {
    let name = header.trim();
    let mut cut = name.len().min(MAX_COLUMN_NAME_BYTES);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    name[..cut].trim_end().to_owned()
}

/// Where a text unit sits in its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitPlace<'a> {
    /// Text whose first byte is on line `first_line` (1-based) at character column
    /// `first_column` (1-based): a window of a text file starts mid-line. A CSV/TSV
    /// header cell is placed as text too (its matches are reported as line ranges); the
    /// file has one more character than the cell before each offset in `dropped` (a
    /// quote of a `""` pair), so that columns count the file's characters.
    Text {
        first_line: u64,
        first_column: u64,
        dropped: &'a [usize],
    },
    /// A table cell; `row` and `column` are 1-based and the header is row 1. `sheet` is
    /// set for workbooks.
    Cell {
        row: u64,
        column: u64,
        column_name: Option<&'a str>,
        sheet: Option<&'a str>,
    },
    /// A JSON string value in record `index` (0 for a JSON document, the 0-based line
    /// for JSON Lines), at `path` (`$.a.b[2].c`).
    Record { index: u64, path: JsonPath<'a> },
}

/// One unit of text to scan: matches never span two units.
///
/// `search` is the part of `bytes` where matches may start; the rest is context that a
/// windowed reader keeps so that keywords and word boundaries before the window count.
/// For cells and JSON values it is the whole unit.
#[derive(Debug, Clone)]
pub struct TextUnit<'a> {
    pub bytes: &'a [u8],
    pub search: std::ops::Range<usize>,
    pub place: UnitPlace<'a>,
    pub context: UnitContext<'a>,
    /// When set, only these detectors can match in the unit: a reader's prefilter
    /// proved the others cannot, so only these need to run. `None`: all of them.
    pub only: Option<&'a DetectorMask>,
}

impl<'a> TextUnit<'a> {
    /// A unit searched whole.
    pub fn whole(bytes: &'a [u8], place: UnitPlace<'a>, context: UnitContext<'a>) -> Self {
        TextUnit {
            bytes,
            search: 0..bytes.len(),
            place,
            context,
            only: None,
        }
    }
}

/// Why an object could not be read, or not entirely. Each maps to Macie's reason code.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The content is not what its format says (corrupt, truncated, not parseable).
    #[error("malformed {format:?}: {message}")]
    Malformed { format: Format, message: String },
    /// The content contradicts the extension (binary data named .csv, no gzip magic).
    #[error("the content is not {0:?}")]
    Unparseable(Format),
    #[error("{0:?} files are not supported")]
    Unsupported(Format),
    #[error("more than {limit} bytes would be extracted")]
    ExtractedOverLimit { limit: u64 },
    #[error("archives nested more than {limit} levels deep")]
    NestingOverLimit { limit: u32 },
    #[error("OOXML uncompressed ratio {ratio} exceeds {limit}")]
    OoxmlRatio { ratio: u64, limit: u64 },
    #[error("OOXML uncompressed size exceeds {limit} bytes")]
    OoxmlSize { limit: u64 },
    #[error("JSON nested more than {limit} levels deep")]
    JsonNesting { limit: usize },
    #[error("a single value is larger than {limit} bytes")]
    UnitTooLarge { limit: usize },
}

impl ReadError {
    /// Macie's reason code for this error.
    pub fn reason(&self) -> &'static str {
        match self {
            ReadError::Io(e) => match e.kind() {
                io::ErrorKind::PermissionDenied => "PERMISSION_DENIED",
                io::ErrorKind::NotFound => "SOURCE_OBJECT_NO_LONGER_AVAILABLE",
                // Decoders report corrupt or truncated data as I/O errors of these kinds.
                io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => "MALFORMED_FILE",
                _ => "UNABLE_TO_PARSE_FILE",
            },
            ReadError::Malformed { .. } => "MALFORMED_FILE",
            ReadError::Unparseable(_) => "UNABLE_TO_PARSE_FILE",
            ReadError::Unsupported(_) => "UNSUPPORTED_FILE_TYPE_EXCEPTION",
            ReadError::ExtractedOverLimit { .. } => "ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT",
            ReadError::NestingOverLimit { .. } => "ARCHIVE_NESTING_LEVEL_OVER_LIMIT",
            ReadError::OoxmlRatio { .. } => "OOXML_UNCOMPRESSED_RATIO_EXCEEDS_LIMIT",
            ReadError::OoxmlSize { .. } => "OOXML_UNCOMPRESSED_SIZE_EXCEEDS_LIMIT",
            ReadError::JsonNesting { .. } => "JSON_NESTING_LEVEL_OVER_LIMIT",
            ReadError::UnitTooLarge { .. } => "FILE_EXCEEDS_SIZE_LIMIT",
        }
    }
}

/// Receives the units of an object, in document order.
pub type Sink<'s> = dyn FnMut(TextUnit<'_>) + 's;

/// Reads `input` as `format` and hands each text unit to `sink`.
pub fn read_units<R: Read>(
    format: Format,
    input: R,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    match format {
        Format::Text => read_text(input, sink),
        Format::Csv => read_delimited(input, b',', limits, sink),
        Format::Tsv => read_delimited(input, b'\t', limits, sink),
        other => Err(ReadError::Unsupported(other)),
    }
}
