//! Readers: one per format, each turning an object's bytes into text units.
//!
//! A reader never holds a whole object: it streams records, rows or windows and hands
//! each unit to a [`UnitSink`] as soon as it is complete. Units borrow the reader's
//! buffers, so a sink that keeps anything must copy it.
//!
//! A reader never judges text: it says where a unit is ([`UnitPlace`]) and what Macie
//! reads keywords from around it ([`UnitContext`]), and the sink judges. A reader that
//! holds many units side by side in raw blocks (CSV/TSV) may ask the sink for its
//! [`BlockFilter`] and hand over only the units it names, each with the [`Narrowing`]
//! the filter gave; with no filter (a sink that does not judge, or identifiers without
//! a sound filter) it hands over every unit, which concludes the same.

mod avro;
mod delimited;
mod doc;
mod docx;
mod eml;
mod eml_decode;
#[cfg(test)]
mod eml_differential;
#[cfg(test)]
mod eml_legacy;
mod eml_mime;
mod fields;
mod header;
mod json;
pub(crate) mod parquet;
mod pdf;
mod quiet;
mod record_path;
mod spool;
pub(crate) mod text;
pub(crate) mod utf16;
mod workbook;
mod xlsx;

use std::io::{self, Read};
use std::ops::Range;

use ferret_identifiers::{BlockFilter, Narrowing, UnitContext};

pub use avro::read_avro;
pub use delimited::read_delimited;
pub(crate) use delimited::{SliceError, TableReader};
pub use doc::read_doc;
pub use docx::{docx_embedded, read_docx};
pub use eml::{read_eml, Attachments};
pub use json::{read_json, read_json_lines};
pub use parquet::read_parquet;
pub use pdf::read_pdf;
pub use text::read_text;
pub use workbook::read_workbook;
pub use xlsx::read_xlsx;

use crate::json_path::JsonPath;
use crate::result::Reason;
use crate::{Format, Limits};

/// The longest column name kept, in bytes. A column name is kept for every cell below
/// it, copied into each occurrence listed there and into each slice of a table read in
/// parallel, so a header cell of megabytes must not become one. Real column names are
/// far shorter, and keywords are at most 90 characters.
pub const MAX_COLUMN_NAME_BYTES: usize = 256;

/// A header cell's text as the name of its column: decoded lossily, trimmed, and cut
/// to [`MAX_COLUMN_NAME_BYTES`] at a character boundary.
pub fn column_name(header: &[u8]) -> String {
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
    /// The text of page `page` (1-based) of a PDF; its first byte is on line 1 of the
    /// page, column 1.
    Page { page: u64 },
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
    pub search: Range<usize>,
    pub place: UnitPlace<'a>,
    pub context: UnitContext<'a>,
    /// When set, only the detectors it names can match in the unit: the sink's
    /// [`BlockFilter`] proved the others cannot, so only these need to run. `None`: all
    /// of them.
    pub only: Option<&'a Narrowing>,
    /// Where `bytes` are in the input the reader was given (the object, or the
    /// decoded stream of a compressed, archived or transcoded one), when they are its
    /// bytes as they are (a text window, a CSV/TSV cell written without quotes): what
    /// rewriting the unit in place takes. `None` when the unit was decoded from its
    /// bytes (quotes, escapes, workbook cells).
    pub span: Option<Range<u64>>,
    /// The path of the archive member (or e-mail attachment) the unit was read from,
    /// outer archive first, joined by `/`; `None` for an object that is not an
    /// archive. Readers leave it `None`: whoever unpacks a container sets it on the
    /// way to the sink ([`crate::object`]), so a reader never knows where it is.
    pub member: Option<&'a str>,
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
            span: None,
            member: None,
        }
    }

    /// The same unit, found at `span` in the object.
    pub fn at(self, span: Range<u64>) -> Self {
        TextUnit {
            span: Some(span),
            ..self
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
    /// A document that cannot be opened without a password (an empty one was tried).
    #[error("the {0:?} document needs a password to open")]
    PasswordProtected(Format),
    #[error("more than {limit} bytes would be extracted")]
    ExtractedOverLimit { limit: u64 },
    #[error("archives nested more than {limit} levels deep")]
    NestingOverLimit { limit: u32 },
    #[error("more than {limit} files in archives")]
    ArchiveFilesOverLimit { limit: u64 },
    #[error("an archive member of {size} bytes is larger than {limit} bytes")]
    MemberOverLimit { size: u64, limit: u64 },
    #[error("OOXML uncompressed ratio {ratio} exceeds {limit}")]
    OoxmlRatio { ratio: u64, limit: u64 },
    #[error("OOXML uncompressed size exceeds {limit} bytes")]
    OoxmlSize { limit: u64 },
    #[error("JSON nested more than {limit} levels deep")]
    JsonNesting { limit: usize },
    #[error("a single value is larger than {limit} bytes")]
    UnitTooLarge { limit: usize },
    /// A workbook whose sheets would be held as grids of more than `limit` cells.
    #[error("the workbook's sheets span more than {limit} cells")]
    SheetsOverLimit { limit: u64 },
}

impl ReadError {
    /// Macie's reason code for this error.
    pub fn reason(&self) -> Reason {
        match self {
            ReadError::Io(e) => match e.kind() {
                io::ErrorKind::PermissionDenied => Reason::PermissionDenied,
                io::ErrorKind::NotFound => Reason::SourceObjectNoLongerAvailable,
                // Decoders report corrupt or truncated data as I/O errors of these kinds.
                io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => Reason::MalformedFile,
                _ => Reason::UnableToParseFile,
            },
            ReadError::Malformed { .. } => Reason::MalformedFile,
            ReadError::Unparseable(_) => Reason::UnableToParseFile,
            ReadError::Unsupported(_) => Reason::UnsupportedFileType,
            ReadError::PasswordProtected(_) => Reason::UnableToParseFile,
            ReadError::ExtractedOverLimit { .. } => Reason::ArchiveTotalBytesExtractedOverLimit,
            ReadError::NestingOverLimit { .. } => Reason::ArchiveNestingLevelOverLimit,
            ReadError::ArchiveFilesOverLimit { .. } => {
                Reason::ArchiveTotalDocumentsProcessedOverLimit
            }
            ReadError::MemberOverLimit { .. } => Reason::ArchiveExceedsSizeLimit,
            ReadError::OoxmlRatio { .. } => Reason::OoxmlUncompressedRatioExceedsLimit,
            ReadError::OoxmlSize { .. } => Reason::OoxmlUncompressedSizeExceedsLimit,
            ReadError::JsonNesting { .. } => Reason::JsonNestingLevelOverLimit,
            ReadError::UnitTooLarge { .. } => Reason::FileExceedsSizeLimit,
            ReadError::SheetsOverLimit { .. } => Reason::FileExceedsSizeLimit,
        }
    }
}

/// What readers hand units to: the one interface between a reader and whatever judges
/// or collects what it reads.
///
/// A new reader is one function from bytes to [`UnitSink::unit`] calls; the sink brings
/// every identifier, the limits' effects on results and the statuses. A closure taking
/// a [`TextUnit`] is a sink without a block filter.
pub trait UnitSink {
    /// Takes the next unit of the object, in document order.
    fn unit(&mut self, unit: TextUnit<'_>);

    /// The raw-block filter that judges this sink's units, for tables whose cells are
    /// separated by `delimiter` (and line breaks and quotes), if there is one: a reader
    /// may then skip the cells it proves clean (see [`BlockFilter`]). `None`, the
    /// default: every unit must be handed over.
    fn block_filter(&self, delimiter: u8) -> Option<BlockFilter> {
        let _ = delimiter;
        None
    }

    /// Counts a cell the block filter's walk reported (or a cell of a column it leaves
    /// to the reader) with `only`, without it being placed or handed over, when that
    /// is all judging it would do: when
    /// [`Matcher::count_every_match`](ferret_identifiers::Matcher::count_every_match)
    /// can count it and the sink would record nothing of the cell but the counts.
    /// `cell` is its bytes, `None` when the reader has not cut it out. `false`, the
    /// default: the reader must hand the cell over.
    fn count_unplaced(&mut self, only: &Narrowing, cell: Option<&[u8]>) -> bool {
        let _ = (only, cell);
        false
    }
}

impl<F: FnMut(TextUnit<'_>)> UnitSink for F {
    fn unit(&mut self, unit: TextUnit<'_>) {
        self(unit)
    }
}

/// A reader's sink, as readers take it: one dynamic call per unit.
pub type Sink<'s> = dyn UnitSink + 's;

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
