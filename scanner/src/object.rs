//! Reading one object of any supported format, containers included.
//!
//! The format comes from the name and is confirmed by the first bytes. Gzip streams are
//! decompressed on the fly; zip archives and workbooks need random access, so a stream
//! is spooled to a temporary file first (never to memory). Every byte that
//! decompression produces counts against one budget per object, which turns bombs into
//! a clean `ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT`.

use std::cell::Cell;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use ferret_identifiers::IdentifierSet;

use crate::limits::Limits;
use crate::reader::{self, ReadError, Sink};
use crate::Format;

/// Bytes examined to confirm a format.
const HEAD_BYTES: usize = 8192;

/// Readable and seekable, as zip archives need.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// An object's bytes: seekable when they come from a local file.
pub enum Input<'a> {
    Seekable(&'a mut dyn ReadSeek),
    Stream(&'a mut dyn Read),
}

/// What went wrong inside an archive while the rest of it was read.
#[derive(Debug)]
pub struct MemberError {
    pub member: String,
    pub error: ReadError,
}

/// The outcome of reading an object: its format, and the members of archives that
/// could not be read (the object is then only partly analysed).
#[derive(Debug)]
pub struct ReadOutcome {
    pub format: Format,
    pub member_errors: Vec<MemberError>,
}

/// Reads the object named `name` and hands every unit to `sink`.
pub fn read_object(
    name: &str,
    input: Input<'_>,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<ReadOutcome, ReadError> {
    read_object_with(name, input, limits, None, sink)
}

/// Like [`read_object`], for a sink that judges units with `set`: readers that can
/// prefilter raw bytes with the set's automaton skip the units it proves clean (and
/// mark the others with the detectors that may match, [`TextUnit::only`]). What the
/// sink concludes is the same as with [`read_object`].
///
/// [`TextUnit::only`]: crate::reader::TextUnit
pub fn read_object_filtered(
    name: &str,
    input: Input<'_>,
    limits: &Limits,
    set: &IdentifierSet,
    sink: &mut Sink<'_>,
) -> Result<ReadOutcome, ReadError> {
    read_object_with(name, input, limits, Some(set), sink)
}

fn read_object_with(
    name: &str,
    input: Input<'_>,
    limits: &Limits,
    set: Option<&IdentifierSet>,
    sink: &mut Sink<'_>,
) -> Result<ReadOutcome, ReadError> {
    let mut reading = Reading {
        limits,
        set,
        budget: Rc::new(Budget {
            limit: limits.max_extracted_bytes,
            used: Cell::new(0),
            exceeded: Cell::new(false),
        }),
        member_errors: Vec::new(),
    };
    let format = reading.read(name, input, 0, sink)?;
    Ok(ReadOutcome {
        format,
        member_errors: reading.member_errors,
    })
}

/// The announced format of `name`, confirmed or refused by `head`.
pub fn detect(name: &str, head: &[u8]) -> Result<Format, ReadError> {
    let announced = Format::from_path(Path::new(name));
    announced
        .confirm(head)
        .map_err(|_| ReadError::Unparseable(announced))
}

struct Reading<'l> {
    limits: &'l Limits,
    set: Option<&'l IdentifierSet>,
    budget: Rc<Budget>,
    member_errors: Vec<MemberError>,
}

impl Reading<'_> {
    fn read(
        &mut self,
        name: &str,
        input: Input<'_>,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<Format, ReadError> {
        match input {
            Input::Seekable(file) => {
                let head = read_head(file)?;
                file.seek(SeekFrom::Start(0))?;
                let format = detect(name, &head)?;
                self.dispatch(name, format, Source::Seekable(file), depth, sink)?;
                Ok(format)
            }
            Input::Stream(stream) => {
                let head = read_head(stream)?;
                let format = detect(name, &head)?;
                let mut rejoined = io::Cursor::new(head).chain(stream);
                self.dispatch(name, format, Source::Stream(&mut rejoined), depth, sink)?;
                Ok(format)
            }
        }
    }

    fn dispatch(
        &mut self,
        name: &str,
        format: Format,
        source: Source<'_>,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        match format {
            Format::Gzip => self.gzip(name, source.into_read(), depth, sink),
            Format::Zip => self.with_seekable(source, |this, file| this.zip(file, depth, sink)),
            Format::Xlsx => {
                let limits = self.limits;
                self.with_seekable(source, |_, file| reader::read_xlsx(file, limits, sink))
            }
            Format::Json => reader::read_json(source.into_read(), self.limits, sink),
            Format::JsonLines => reader::read_json_lines(source.into_read(), self.limits, sink),
            Format::Csv | Format::Tsv if self.set.is_some() => {
                let delimiter = if format == Format::Tsv { b'\t' } else { b',' };
                let limits = self.limits;
                match self.set {
                    Some(set) => reader::read_delimited_filtered(
                        source.into_read(),
                        delimiter,
                        set,
                        limits,
                        sink,
                    ),
                    None => reader::read_units(format, source.into_read(), limits, sink),
                }
            }
            Format::Text | Format::Csv | Format::Tsv => {
                reader::read_units(format, source.into_read(), self.limits, sink)
            }
            Format::Unsupported => Err(ReadError::Unsupported(format)),
        }
    }

    /// Gives `f` random access to the source, spooling a stream to a temporary file.
    fn with_seekable<T>(
        &mut self,
        source: Source<'_>,
        f: impl FnOnce(&mut Self, &mut dyn ReadSeek) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        match source {
            Source::Seekable(file) => f(self, file),
            Source::Stream(stream) => {
                let mut spool = tempfile::tempfile()?;
                io::copy(stream, &mut spool)?;
                spool.seek(SeekFrom::Start(0))?;
                f(self, &mut spool)
            }
        }
    }

    fn enter(&self, depth: u32) -> Result<u32, ReadError> {
        let inner = depth + 1;
        if inner > self.limits.max_nesting {
            return Err(ReadError::NestingOverLimit {
                limit: self.limits.max_nesting,
            });
        }
        Ok(inner)
    }

    fn gzip(
        &mut self,
        name: &str,
        compressed: &mut dyn Read,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let inner_depth = self.enter(depth)?;
        let inner_name = strip_gzip_suffix(name);
        let mut decoder = Budgeted {
            inner: flate2::read::MultiGzDecoder::new(compressed),
            budget: Rc::clone(&self.budget),
        };
        let result = self.read(&inner_name, Input::Stream(&mut decoder), inner_depth, sink);
        result.map(|_| ()).map_err(|e| self.budget.explain(e))
    }

    fn zip(
        &mut self,
        file: &mut dyn ReadSeek,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let inner_depth = self.enter(depth)?;
        let mut archive = zip::ZipArchive::new(file).map_err(|e| ReadError::Malformed {
            format: Format::Zip,
            message: e.to_string(),
        })?;
        for index in 0..archive.len() {
            let mut member = match archive.by_index(index) {
                Ok(member) => member,
                Err(e) => {
                    self.member_errors.push(MemberError {
                        member: format!("#{index}"),
                        error: ReadError::Malformed {
                            format: Format::Zip,
                            message: e.to_string(),
                        },
                    });
                    continue;
                }
            };
            if member.is_dir() {
                continue;
            }
            let member_name = member.name().to_owned();
            let mut budgeted = Budgeted {
                inner: &mut member,
                budget: Rc::clone(&self.budget),
            };
            let result = self.read(
                &member_name,
                Input::Stream(&mut budgeted),
                inner_depth,
                sink,
            );
            if let Err(error) = result {
                let error = self.budget.explain(error);
                if matches!(error, ReadError::ExtractedOverLimit { .. }) {
                    return Err(error);
                }
                self.member_errors.push(MemberError {
                    member: member_name,
                    error,
                });
            }
        }
        Ok(())
    }
}

/// A source as the dispatcher sees it.
enum Source<'a> {
    Seekable(&'a mut dyn ReadSeek),
    Stream(&'a mut dyn Read),
}

impl<'a> Source<'a> {
    fn into_read(self) -> &'a mut dyn Read {
        match self {
            Source::Seekable(file) => file,
            Source::Stream(stream) => stream,
        }
    }
}

/// The first bytes of `input`, which confirm its format.
pub(crate) fn read_head(input: &mut (impl Read + ?Sized)) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    input.take(HEAD_BYTES as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// `a/b.csv.gz` -> `a/b.csv`; `x.tgz` -> `x.tar`; a bare `.gz` name stays as it is
/// without its suffix, so the inner format is confirmed by content.
fn strip_gzip_suffix(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tgz") {
        format!("{}.tar", &name[..name.len() - 4])
    } else if lower.ends_with(".gzip") {
        name[..name.len() - 5].to_owned()
    } else if lower.ends_with(".gz") {
        name[..name.len() - 3].to_owned()
    } else {
        name.to_owned()
    }
}

/// The decompressed bytes one object may produce, shared by every decoder inside it.
#[derive(Debug)]
struct Budget {
    limit: u64,
    used: Cell<u64>,
    /// Set once the limit is passed: whatever error a reader above the decoder turns
    /// the failed read into, the object's reason is the limit.
    exceeded: Cell<bool>,
}

impl Budget {
    fn explain(&self, error: ReadError) -> ReadError {
        if self.exceeded.get() {
            ReadError::ExtractedOverLimit { limit: self.limit }
        } else {
            error
        }
    }
}

/// Counts decompressed bytes against the object's budget.
struct Budgeted<R> {
    inner: R,
    budget: Rc<Budget>,
}

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let used = self.budget.used.get() + n as u64;
        self.budget.used.set(used);
        if used > self.budget.limit {
            self.budget.exceeded.set(true);
            return Err(io::Error::other("decompressed size limit reached"));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_suffixes_reveal_the_inner_name() {
        assert_eq!(strip_gzip_suffix("a/b.csv.gz"), "a/b.csv");
        assert_eq!(strip_gzip_suffix("B.JSONL.GZ"), "B.JSONL");
        assert_eq!(strip_gzip_suffix("x.tgz"), "x.tar");
        assert_eq!(strip_gzip_suffix("plain"), "plain");
    }
}
