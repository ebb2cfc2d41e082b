//! Readers: one per format, each turning an object's bytes into text units.

mod delimited;
mod text;

use std::io::{self, Read};

use ferret_identifiers::UnitContext;

pub use delimited::read_delimited;
pub use text::read_text;

use crate::Format;

/// Where a text unit sits in its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitPlace<'a> {
    /// Text whose first byte is at the start of line `first_line` (1-based).
    Text { first_line: u64 },
    /// A table cell; `row` and `column` are 1-based and the header is row 1.
    Cell {
        row: u64,
        column: u64,
        column_name: Option<&'a str>,
        sheet: Option<&'a str>,
    },
    /// A JSON string value in record `index` (0-based), at `json_path`.
    Record { index: u64, json_path: &'a str },
}

/// One unit of text to scan: matches never span two units.
#[derive(Debug, Clone, Copy)]
pub struct TextUnit<'a> {
    pub bytes: &'a [u8],
    pub place: UnitPlace<'a>,
    pub context: UnitContext<'a>,
}

/// Why an object could not be read (fully).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    #[error("malformed {format:?}: {message}")]
    Malformed { format: Format, message: String },
    #[error("{0:?} files are not supported")]
    Unsupported(Format),
    #[error("the object is larger than the {limit}-byte limit")]
    TooLarge { limit: u64 },
}

/// Reads `input` as `format` and hands each text unit to `sink`.
pub fn read_units<R: Read>(
    format: Format,
    input: R,
    sink: &mut dyn FnMut(TextUnit<'_>),
) -> Result<(), ReadError> {
    match format {
        Format::Text => read_text(input, sink),
        Format::Csv => read_delimited(input, b',', sink),
        Format::Tsv => read_delimited(input, b'\t', sink),
        other => Err(ReadError::Unsupported(other)),
    }
}
