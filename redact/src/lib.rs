//! De-identification: a copy of an object in its own format with every kept match
//! rewritten (replaced, masked or tokenised), and every other byte as it was.
//!
//! # Design
//! The matcher decides, a rewriter per format copies bytes through:
//!
//! - [`plan::Planner`] asks `ferret_identifiers::Matcher` for the kept candidates of a
//!   unit and orders them into disjoint rewrites (leftmost, then longest, wins);
//! - [`policy::Policy`] renders a rewrite by the identifier's operator;
//! - one module per format reads units exactly where the scanner does and writes the
//!   input out as it streams: [`text`] drives the scanner's own text reader and splices
//!   by the windows' byte spans; [`delimited`] and [`json`] tokenize the raw bytes
//!   themselves, because a quoted cell or a JSON string is decoded before it is judged
//!   and its rewrite must be encoded back in place ([`splice`]), and [`delimited`] hands
//!   quote-free lines to the identifiers' raw-block filter first, as the scanner does;
//!   [`parquet`] rewrites string columns chunk by chunk and copies the others encoded;
//!   gzip is recompressed and zip repacked around them ([`container`]).
//!
//! The scanner's readers are not touched: their hot paths serve `scan`, and a rewriter
//! needs the raw bytes around each unit, which they drop.
//!
//! Memory is bounded by one window of text or one unit (cell, string, JSON Lines line)
//! at a time (a Parquet column's batch of records), whatever the object's size. Anything that stops a reader (malformed
//! content, a unit over the limit, nesting too deep) stops the copy: an object that
//! could not be read whole is never written half-redacted.

pub mod container;
pub mod delimited;
mod input;
pub mod json;
pub mod parquet;
pub mod plan;
pub mod policy;
pub mod splice;
pub mod text;

use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use ferret_identifiers::IdentifierSet;
use ferret_scanner::result::Reason;
use ferret_scanner::{Format, Limits, ReadError};

pub use plan::Planner;
pub use policy::{Key, Policy, PolicyError, KEY_VARIABLE};

/// Bytes of an object read to confirm its format before it is rewritten.
const HEAD_BYTES: usize = 8192;

/// Why an object was not redacted.
#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    /// A format ferret cannot rewrite (or read).
    #[error("{0:?} objects cannot be redacted")]
    Unsupported(Format),
    /// The object could not be read whole; as the scanner says it.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The copy could not be written: a runtime failure, not the object's.
    #[error("writing the copy: {0}")]
    Write(io::Error),
}

impl From<io::Error> for RedactError {
    /// Errors surfacing through `?` are the input's; the output's are told apart by
    /// `Output` and turned into [`RedactError::Write`] before they reach a caller.
    fn from(error: io::Error) -> Self {
        RedactError::Read(ReadError::Io(error))
    }
}

impl RedactError {
    /// Macie's reason for reporting the object SKIPPED; `None` for a failure to write,
    /// which is the run's, not the object's.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            RedactError::Unsupported(_) => Some(Reason::UnsupportedFileType),
            RedactError::Read(error) => Some(error.reason()),
            RedactError::Write(_) => None,
        }
    }
}

/// What was rewritten in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The format the object was read as.
    pub format: Format,
    /// Kept matches rewritten per identifier (custom name or managed type), in the
    /// set's order, identifiers with none left out.
    pub counts: Vec<(String, u64)>,
}

/// Whether objects of `format` can be redacted (before the content confirms it).
pub fn can_redact(format: Format) -> bool {
    matches!(
        format,
        Format::Text
            | Format::Csv
            | Format::Tsv
            | Format::Json
            | Format::JsonLines
            | Format::Parquet
            | Format::Gzip
            | Format::Zip
    )
}

/// Redacts objects with one identifier set and policy.
#[derive(Debug)]
pub struct Redactor<'s> {
    set: &'s IdentifierSet,
    policy: &'s Policy,
    limits: Limits,
}

impl<'s> Redactor<'s> {
    pub fn new(set: &'s IdentifierSet, policy: &'s Policy, limits: Limits) -> Self {
        Redactor {
            set,
            policy,
            limits,
        }
    }

    /// Writes to `out` the redacted copy of the object `name` read from `input`. On
    /// an error, what was written to `out` must be discarded.
    pub fn redact(
        &self,
        name: &str,
        input: &mut dyn Read,
        out: &mut dyn Write,
    ) -> Result<Redacted, RedactError> {
        let mut planner = Planner::new(self.set);
        let mut output = Output {
            inner: out,
            failed: None,
        };
        let result = {
            let mut buffered = BufWriter::with_capacity(1 << 16, &mut output);
            let format = self
                .object(name, input, &mut buffered, &mut planner, 0)
                .and_then(|format| buffered.flush().map(|()| format).map_err(RedactError::from));
            drop(buffered);
            format
        };
        match (result, output.failed.take()) {
            (_, Some(error)) => Err(RedactError::Write(error)),
            (Ok(format), None) => Ok(Redacted {
                format,
                counts: splice::named_counts(self.policy, planner.counts()),
            }),
            (Err(error), None) => Err(error),
        }
    }

    /// Rewrites one object or archive member; `depth` counts the archives around it.
    pub(crate) fn object(
        &self,
        name: &str,
        input: &mut dyn Read,
        out: &mut dyn Write,
        planner: &mut Planner<'_>,
        depth: u32,
    ) -> Result<Format, RedactError> {
        let mut head = Vec::with_capacity(HEAD_BYTES);
        input.take(HEAD_BYTES as u64).read_to_end(&mut head)?;
        let announced = Format::from_path(Path::new(name));
        let format = announced
            .confirm(&head)
            .map_err(|_| ReadError::Unparseable(announced))?;
        if format.is_text() && (head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")) {
            // UTF-16 is transcoded before it is scanned; writing it back is not done.
            return Err(RedactError::Unsupported(format));
        }
        let mut input = io::Cursor::new(head).chain(input);
        let policy = self.policy;
        let limits = &self.limits;
        match format {
            Format::Text => text::redact_text(input, out, planner, policy)?,
            Format::Csv | Format::Tsv => {
                let delimiter = if format == Format::Csv { b',' } else { b'\t' };
                let input = io::BufReader::with_capacity(1 << 16, input);
                delimited::redact_delimited(input, delimiter, limits, out, planner, policy)?
            }
            Format::Json => json::redact_json(input, limits, out, planner, policy)?,
            Format::JsonLines => json::redact_json_lines(input, limits, out, planner, policy)?,
            Format::Parquet => parquet::redact_parquet(&mut input, limits, out, planner, policy)?,
            Format::Gzip => container::redact_gzip(self, name, &mut input, out, planner, depth)?,
            Format::Zip => container::redact_zip(self, &mut input, out, planner, depth)?,
            other => return Err(RedactError::Unsupported(other)),
        }
        Ok(format)
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// The copy's writer, remembering its first failure so that it is not mistaken for
/// the input's.
struct Output<'o> {
    inner: &'o mut dyn Write,
    failed: Option<io::Error>,
}

impl Write for Output<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| self.note(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().inspect_err(|e| self.note(e))
    }
}

impl Output<'_> {
    fn note(&mut self, error: &io::Error) {
        if self.failed.is_none() {
            self.failed = Some(io::Error::new(error.kind(), error.to_string()));
        }
    }
}
