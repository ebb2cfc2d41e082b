//! Reading one object of any supported format, containers included.
//!
//! The format comes from the name and is confirmed by the first bytes. Gzip streams are
//! decompressed on the fly; zip archives and workbooks need random access, so a stream
//! is spooled to a temporary file first (never to memory). Every byte that
//! decompression produces counts against one budget per object, which turns bombs into
//! a clean `ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT`.
//!
//! A stream that fails part-way is read up to the failure, which is reported after
//! (see the `stream` module), so that what was read is still scanned. Text that starts
//! with a UTF-16 byte-order mark is transcoded to UTF-8 before its reader sees it.

use std::cell::Cell;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use crate::limits::Limits;
use crate::member::{InMember, MemberPath};
use crate::reader::utf16::{Utf16, Utf16Decoder};
use crate::reader::{self, ReadError, Sink};
use crate::stream::{Corrupt, Deferred};
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
    /// The member's path, outer archive first (as `fileMember` writes it).
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

/// Reads the object named `name` and hands every unit to `sink`. Readers that can
/// filter raw bytes with the sink's block filter ([`UnitSink::block_filter`]) skip the
/// units it proves clean, and mark the others with the detectors that may match
/// ([`TextUnit::only`]); what the sink concludes is the same as without one.
///
/// [`UnitSink::block_filter`]: crate::reader::UnitSink::block_filter
/// [`TextUnit::only`]: crate::reader::TextUnit
pub fn read_object(
    name: &str,
    input: Input<'_>,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<ReadOutcome, ReadError> {
    let mut reading = Reading {
        limits,
        budget: Rc::new(Budget {
            limit: limits.max_extracted_bytes,
            used: Cell::new(0),
            exceeded: Cell::new(false),
        }),
        member_errors: Vec::new(),
        member: MemberPath::default(),
        files: 0,
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
    budget: Rc<Budget>,
    member_errors: Vec<MemberError>,
    /// The archive member being read, if any: what its units' `fileMember` is.
    member: MemberPath,
    /// Files met in the object's archives so far, nested ones included.
    files: u64,
}

impl Reading<'_> {
    /// Reads one object or member. A stream is read up to where it fails, and the
    /// failure, if any, is the outcome: it outranks whatever the readers made of the
    /// early end.
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
                if format.is_text() {
                    // Text is streamed even from a file, and read up to a failure too.
                    let mut stream = Deferred::new(file);
                    let result = self.decode(
                        name,
                        format,
                        &head,
                        Source::Stream(&mut stream),
                        depth,
                        sink,
                    );
                    return ended(&mut stream, result.map(|()| format));
                }
                self.dispatch(name, format, Source::Seekable(file), depth, sink)?;
                Ok(format)
            }
            Input::Stream(stream) => {
                let mut stream = Deferred::new(stream);
                let result = self.read_stream(name, &mut stream, depth, sink);
                ended(&mut stream, result)
            }
        }
    }

    /// Reads `input`, the member `name` of the container being read, as [`Self::read`]
    /// does, with each unit stamped with the member's full path. A failure comes back
    /// with that path.
    fn read_member(
        &mut self,
        name: &str,
        input: Input<'_>,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<Format, MemberError> {
        let mark = self.member.enter(name);
        let path = self.member.as_str().to_owned();
        let mut in_member = InMember {
            path: &path,
            inner: sink,
        };
        let result = self.read(name, input, depth, &mut in_member);
        self.member.leave(mark);
        result.map_err(|error| MemberError {
            member: path,
            error,
        })
    }

    fn read_stream(
        &mut self,
        name: &str,
        stream: &mut dyn Read,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<Format, ReadError> {
        let head = read_head(stream)?;
        let format = detect(name, &head)?;
        let mut rejoined = io::Cursor::new(&head).chain(stream);
        self.decode(
            name,
            format,
            &head,
            Source::Stream(&mut rejoined),
            depth,
            sink,
        )?;
        Ok(format)
    }

    /// Dispatches the source, transcoded to UTF-8 first when it is text in UTF-16
    /// (which `head`, its first bytes, tells by its byte-order mark).
    fn decode(
        &mut self,
        name: &str,
        format: Format,
        head: &[u8],
        source: Source<'_>,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        match Utf16::sniff(head).filter(|_| format.is_text()) {
            Some(encoding) => {
                let mut decoded = Utf16Decoder::new(source.into_read(), encoding);
                self.dispatch(name, format, Source::Stream(&mut decoded), depth, sink)
            }
            None => self.dispatch(name, format, source, depth, sink),
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
            Format::Tar => self.tar(source.into_read(), depth, sink),
            Format::Xlsx => {
                let limits = self.limits;
                self.with_seekable(source, |_, file| reader::read_xlsx(file, limits, sink))
            }
            Format::Pdf => reader::read_pdf(source.into_read(), sink),
            Format::Docx => self.with_seekable(source, |this, file| this.docx(file, depth, sink)),
            Format::Doc => self.with_seekable(source, |_, file| reader::read_doc(file, sink)),
            Format::Eml => self.eml(source.into_read(), depth, sink),
            Format::Json => reader::read_json(source.into_read(), self.limits, sink),
            Format::JsonLines => reader::read_json_lines(source.into_read(), self.limits, sink),
            Format::Text | Format::Csv | Format::Tsv => {
                reader::read_units(format, source.into_read(), self.limits, sink)
            }
            Format::Parquet => {
                let limits = self.limits;
                self.with_file(source, |file| reader::read_parquet(file, limits, sink))
            }
            Format::Avro => reader::read_avro(source.into_read(), self.limits, sink),
            Format::Xls | Format::Xlsb | Format::Ods => {
                let limits = self.limits;
                self.with_seekable(source, |_, file| {
                    reader::read_workbook(format, file, limits, sink)
                })
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

    /// Gives `f` the source as a file of its own, for readers whose library opens a
    /// file rather than a reader (Parquet's reads its pages at their offsets through
    /// clones of the handle): a copy in a temporary file, streamed, never in memory.
    fn with_file<T>(
        &mut self,
        source: Source<'_>,
        f: impl FnOnce(&std::fs::File) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        let mut spool = tempfile::tempfile()?;
        io::copy(source.into_read(), &mut spool)?;
        spool.seek(SeekFrom::Start(0))?;
        f(&spool)
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
        // The decoder's failures are the data's; the compressed stream's own (a read
        // error, a dropped connection) are told apart and reported as they are.
        let mut compressed = Deferred::new(compressed);
        let mut decoder = Budgeted {
            inner: Corrupt(flate2::read::MultiGzDecoder::new(&mut compressed)),
            budget: Rc::clone(&self.budget),
        };
        let result = self.read(&inner_name, Input::Stream(&mut decoder), inner_depth, sink);
        ended(&mut compressed, result.map(|_| ())).map_err(|e| self.budget.explain(e))
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
            let size = member.size();
            self.archive_member(&member_name, size, &mut member, inner_depth, sink)?;
        }
        Ok(())
    }

    /// Reads a tar archive as it streams: each file by its own format, like a zip's
    /// members. Links, directories and devices hold no data of their own.
    fn tar(
        &mut self,
        stream: &mut dyn Read,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let inner_depth = self.enter(depth)?;
        let malformed = |e: io::Error| ReadError::Malformed {
            format: Format::Tar,
            message: e.to_string(),
        };
        let mut archive = tar::Archive::new(stream);
        for entry in archive.entries().map_err(malformed)? {
            let mut entry = entry.map_err(malformed)?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let member_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let size = entry.size();
            self.archive_member(&member_name, size, &mut entry, inner_depth, sink)?;
        }
        Ok(())
    }

    /// Reads one file of an archive, `size` bytes as the archive declares it, within the
    /// archive limits. A member that fails is noted and the archive read on; a limit
    /// that concerns the whole object stops it.
    fn archive_member(
        &mut self,
        name: &str,
        size: u64,
        member: &mut dyn Read,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        self.files += 1;
        if self.files > self.limits.max_archive_files {
            return Err(ReadError::ArchiveFilesOverLimit {
                limit: self.limits.max_archive_files,
            });
        }
        if size > self.limits.max_member_bytes {
            let mark = self.member.enter(name);
            self.member_errors.push(MemberError {
                member: self.member.as_str().to_owned(),
                error: ReadError::MemberOverLimit {
                    size,
                    limit: self.limits.max_member_bytes,
                },
            });
            self.member.leave(mark);
            return Ok(());
        }
        let mut budgeted = Budgeted {
            inner: member,
            budget: Rc::clone(&self.budget),
        };
        let result = self.read_member(name, Input::Stream(&mut budgeted), depth, sink);
        if let Err(MemberError { member, error }) = result {
            let error = self.budget.explain(error);
            if matches!(
                error,
                ReadError::ExtractedOverLimit { .. } | ReadError::ArchiveFilesOverLimit { .. }
            ) {
                return Err(error);
            }
            self.member_errors.push(MemberError { member, error });
        }
        Ok(())
    }

    /// Reads a Word document's text, then each file embedded in it
    /// ([`reader::docx_embedded`]) by its own format, as an archive's members are read.
    fn docx(
        &mut self,
        file: &mut dyn ReadSeek,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        reader::read_docx(&mut *file, self.limits, sink)?;
        file.seek(SeekFrom::Start(0))?;
        let mut archive = zip::ZipArchive::new(file).map_err(|e| ReadError::Malformed {
            format: Format::Docx,
            message: e.to_string(),
        })?;
        let embedded = reader::docx_embedded(&archive);
        if embedded.is_empty() {
            return Ok(());
        }
        let inner_depth = self.enter(depth)?;
        for (index, name) in embedded {
            let mut member = match archive.by_index(index) {
                Ok(member) => member,
                Err(e) => {
                    self.member_errors.push(MemberError {
                        member: name,
                        error: ReadError::Malformed {
                            format: Format::Docx,
                            message: e.to_string(),
                        },
                    });
                    continue;
                }
            };
            let size = member.size();
            self.archive_member(&name, size, &mut member, inner_depth, sink)?;
        }
        Ok(())
    }

    /// Reads a message's text, then each attachment by its own format, as an archive's
    /// members are read: one level deeper, within the archive limits and against the
    /// object's extraction budget, a failed one making the object PARTIAL.
    fn eml(
        &mut self,
        input: &mut dyn Read,
        depth: u32,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let mut attachments = reader::read_eml(input, self.limits, sink)?;
        if attachments.is_empty() {
            return Ok(());
        }
        let inner_depth = self.enter(depth)?;
        attachments
            .for_each(|name, size, bytes| self.archive_member(name, size, bytes, inner_depth, sink))
    }
}

/// How reading `stream` ended: at its failure, if it failed (whatever the readers made
/// of the early end it looked like to them), else as the readers say.
fn ended<R: Read, T>(
    stream: &mut Deferred<R>,
    result: Result<T, ReadError>,
) -> Result<T, ReadError> {
    match stream.take_error() {
        Some(error) => Err(ReadError::Io(error)),
        None => result,
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
pub fn strip_gzip_suffix(name: &str) -> String {
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
    use std::io::Write;

    use super::*;
    use crate::reader::{TextUnit, UnitPlace};
    use crate::result::Reason;

    /// A unit as the tests see it: the searched text and where it is.
    #[derive(Debug, PartialEq, Eq)]
    enum Seen {
        Text {
            text: String,
            line: u64,
            column: u64,
        },
        Cell {
            text: String,
            row: u64,
            column: u64,
        },
        Record {
            text: String,
            index: u64,
            path: String,
        },
        Page {
            text: String,
            page: u64,
        },
    }

    /// The units of the object `name` holding `bytes`, read as a stream, and how the
    /// reading ended.
    fn read(name: &str, bytes: &[u8]) -> (Vec<Seen>, Result<Format, ReadError>) {
        let (seen, outcome) = read_with(name, bytes, &Limits::default());
        (seen, outcome.map(|outcome| outcome.format))
    }

    /// [`read`] within `limits`, with the whole outcome.
    fn read_with(
        name: &str,
        bytes: &[u8],
        limits: &Limits,
    ) -> (Vec<Seen>, Result<ReadOutcome, ReadError>) {
        let mut seen = Vec::new();
        let mut sink = |unit: TextUnit<'_>| {
            let text = String::from_utf8_lossy(&unit.bytes[unit.search.clone()]).into_owned();
            seen.push(match unit.place {
                UnitPlace::Text {
                    first_line,
                    first_column,
                    ..
                } => Seen::Text {
                    text,
                    line: first_line,
                    column: first_column,
                },
                UnitPlace::Cell { row, column, .. } => Seen::Cell { text, row, column },
                UnitPlace::Page { page } => Seen::Page { text, page },
                UnitPlace::Record { index, path } => Seen::Record {
                    text,
                    index,
                    path: path.to_macie(),
                },
            });
        };
        let mut stream = bytes;
        let outcome = read_object(name, Input::Stream(&mut stream), limits, &mut sink);
        (seen, outcome)
    }

    /// A tar archive of `(name, bytes)` files.
    fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, bytes) in members {
            let mut header = tar::Header::new_ustar();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            builder
                .append_data(&mut header, name, *bytes)
                .expect("in memory");
        }
        builder.into_inner().expect("in memory")
    }

    fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        for (name, bytes) in members {
            let options = zip::write::SimpleFileOptions::default();
            writer.start_file(*name, options).expect("in memory");
            writer.write_all(bytes).expect("in memory");
        }
        writer.finish().expect("in memory").into_inner()
    }

    #[test]
    fn archives_past_the_file_limit_stop_there() {
        let limits = Limits {
            max_archive_files: 2,
            ..Limits::default()
        };
        let members: [(&str, &[u8]); 3] =
            [("a.txt", b"one"), ("b.txt", b"two"), ("c.txt", b"three")];
        // Nested archives count their files too: 1 zip + 2 texts in it.
        let nested = tar(&[("in.zip", &zip(&members[..2])), ("c.txt", b"three")]);
        for (name, bytes) in [
            ("t.tar", tar(&members)),
            ("z.zip", zip(&members)),
            ("n.tar", nested),
        ] {
            let (seen, outcome) = read_with(name, &bytes, &limits);
            let error = outcome.expect_err("over the file limit");
            assert_eq!(
                error.reason(),
                Reason::ArchiveTotalDocumentsProcessedOverLimit,
                "{name}"
            );
            assert!(!seen.contains(&text("three", 1, 1)), "{name}: {seen:?}");
        }
        let (seen, outcome) = read_with("t.tar", &tar(&members[..2]), &limits);
        assert!(outcome.expect("within the limit").member_errors.is_empty());
        assert_eq!(seen, [text("one", 1, 1), text("two", 1, 1)]);
    }

    #[test]
    fn members_over_the_size_limit_are_left_and_the_others_read() {
        let limits = Limits {
            max_member_bytes: 8,
            ..Limits::default()
        };
        let members: [(&str, &[u8]); 2] =
            [("big.txt", b"more than eight"), ("small.txt", b"small")];
        for (name, bytes) in [("t.tar", tar(&members)), ("z.zip", zip(&members))] {
            let (seen, outcome) = read_with(name, &bytes, &limits);
            let outcome = outcome.expect("read");
            assert_eq!(seen, [text("small", 1, 1)], "{name}");
            let [MemberError { member, error }] = outcome.member_errors.as_slice() else {
                panic!("{name}: one member left: {:?}", outcome.member_errors);
            };
            assert_eq!(member, "big.txt");
            assert_eq!(error.reason(), Reason::ArchiveExceedsSizeLimit);
        }
    }

    #[test]
    fn tar_inside_gzip_is_read_by_either_name_and_a_cut_tar_is_malformed() {
        let archive = tar(&[("d/a.txt", b"alpha"), ("b.csv", b"h\nbeta\n")]);
        for name in ["x.tar.gz", "x.tgz"] {
            let (seen, outcome) = read(name, &gzip(&archive));
            assert_eq!(outcome.expect("read"), Format::Gzip);
            assert_eq!(
                seen,
                [text("alpha", 1, 1), text("h", 1, 1), cell("beta", 2, 1)]
            );
        }
        // The first member whole (header and data block), then half a header.
        let (seen, outcome) = read("x.tar", &archive[..1024 + 100]);
        assert_eq!(seen, [text("alpha", 1, 1)]);
        assert_eq!(outcome.expect_err("cut").reason(), Reason::MalformedFile);
    }

    fn utf16le(text: &str) -> Vec<u8> {
        "\u{FEFF}"
            .encode_utf16()
            .chain(text.encode_utf16())
            .flat_map(u16::to_le_bytes)
            .collect()
    }

    fn utf16be(text: &str) -> Vec<u8> {
        "\u{FEFF}"
            .encode_utf16()
            .chain(text.encode_utf16())
            .flat_map(u16::to_be_bytes)
            .collect()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).expect("in memory");
        encoder.finish().expect("in memory")
    }

    fn text(text: &str, line: u64, column: u64) -> Seen {
        Seen::Text {
            text: text.to_owned(),
            line,
            column,
        }
    }

    fn cell(text: &str, row: u64, column: u64) -> Seen {
        Seen::Cell {
            text: text.to_owned(),
            row,
            column,
        }
    }

    #[test]
    fn utf16_text_is_read_as_the_text_it_encodes() {
        let body = "card 4111111111111111\r\nclé é\n";
        for bytes in [utf16le(body), utf16be(body)] {
            let (seen, outcome) = read("u.txt", &bytes);
            assert_eq!(outcome.expect("read"), Format::Text);
            assert_eq!(seen, [text(body, 1, 1)]);
        }
    }

    #[test]
    fn utf16_tables_are_read_by_cells() {
        let tsv = utf16le("name\temail\r\nAna\tana.lima@example.fr\r\n");
        let (seen, outcome) = read("export.tsv", &tsv);
        assert_eq!(outcome.expect("read"), Format::Tsv);
        assert_eq!(
            seen,
            [
                text("name", 1, 1),
                text("email", 1, 6),
                cell("Ana", 2, 1),
                cell("ana.lima@example.fr", 2, 2),
            ]
        );
        let (seen, _) = read("export.csv", &utf16be("id,cpf\n1,529.982.247-25\n"));
        assert_eq!(seen[3], cell("529.982.247-25", 2, 2));
    }

    #[test]
    fn utf16_json_is_read_by_records() {
        let (seen, outcome) = read("a.json", &utf16le("{\"clé\": [\"x\", \"😀\"]}"));
        assert_eq!(outcome.expect("read"), Format::Json);
        assert_eq!(
            seen,
            [
                Seen::Record {
                    text: "x".to_owned(),
                    index: 0,
                    path: "$['clé'][0]".to_owned()
                },
                Seen::Record {
                    text: "😀".to_owned(),
                    index: 0,
                    path: "$['clé'][1]".to_owned()
                },
            ]
        );
        let (seen, _) = read(
            "a.jsonl",
            &utf16be("{\"a\": \"x\"}\r\n\r\n{\"b\": \"y\"}\r\n"),
        );
        assert_eq!(
            seen,
            [
                Seen::Record {
                    text: "x".to_owned(),
                    index: 0,
                    path: "$.a".to_owned()
                },
                Seen::Record {
                    text: "y".to_owned(),
                    index: 2,
                    path: "$.b".to_owned()
                },
            ]
        );
    }

    #[test]
    fn utf16_inside_gzip_is_decoded_too() {
        let body = "card 4111111111111111\r\n";
        let (seen, outcome) = read("u.txt.gz", &gzip(&utf16le(body)));
        assert_eq!(outcome.expect("read"), Format::Gzip);
        assert_eq!(seen, [text(body, 1, 1)]);
    }

    #[test]
    fn a_mark_does_not_make_binary_formats_text() {
        // A zip named .zip starting with FF FE is still no zip.
        let (_, outcome) = read("a.zip", b"\xFF\xFEPK");
        assert!(matches!(outcome, Err(ReadError::Unparseable(Format::Zip))));
    }

    #[test]
    fn a_utf8_mark_is_not_text_in_any_text_format() {
        let (seen, _) = read("b.txt", "\u{FEFF}EMP-50009 x\n".as_bytes());
        assert_eq!(seen, [text("EMP-50009 x\n", 1, 1)]);
        let (seen, _) = read("b.csv", "\u{FEFF}id,v\n1,x\n".as_bytes());
        assert_eq!(seen[0], text("id", 1, 1));
        let (seen, _) = read("b.json", "\u{FEFF}{\"a\": \"x\"}".as_bytes());
        assert_eq!(seen.len(), 1);
        let (seen, _) = read("b.jsonl", "\u{FEFF}{\"a\": \"x\"}\n".as_bytes());
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn a_truncated_gzip_hands_over_what_was_read_then_fails_as_malformed() {
        let mut body = "card 4111 1111 1111 1111\n".to_owned();
        for i in 0..400u32 {
            body.push_str(&format!("line {i} {}\n", i.wrapping_mul(2_654_435_761)));
        }
        let compressed = gzip(body.as_bytes());
        let (seen, outcome) = read("t.txt.gz", &compressed[..compressed.len() / 2]);
        let error = outcome.expect_err("truncated");
        assert_eq!(error.reason(), Reason::MalformedFile);
        let [Seen::Text {
            text,
            line: 1,
            column: 1,
        }] = seen.as_slice()
        else {
            panic!("one window of what was read: {seen:?}");
        };
        assert!(text.starts_with("card 4111 1111 1111 1111"), "{text}");
        assert!(body.starts_with(text.as_str()));
    }

    #[test]
    fn a_gzip_truncated_in_its_header_hands_over_nothing() {
        let compressed = gzip(b"card 4111 1111 1111 1111");
        let (seen, outcome) = read("t.txt.gz", &compressed[..5]);
        assert_eq!(seen, []);
        assert_eq!(
            outcome.expect_err("truncated").reason(),
            Reason::MalformedFile
        );
    }

    #[test]
    fn a_gzip_with_a_bad_checksum_hands_over_its_content_and_is_malformed() {
        let mut compressed = gzip(b"card 4111 1111 1111 1111\n");
        // The trailer is the CRC-32, then the size.
        let crc = compressed.len() - 8;
        compressed[crc] ^= 0xFF;
        let (seen, outcome) = read("c.txt.gz", &compressed);
        assert_eq!(seen, [text("card 4111 1111 1111 1111\n", 1, 1)]);
        assert_eq!(
            outcome.expect_err("bad CRC").reason(),
            Reason::MalformedFile
        );
    }

    #[test]
    fn truncated_tables_and_json_hand_over_what_was_read() {
        let table = gzip(b"id,card\n1,4111 1111 1111 1111\n2,5500 0000 0000 0004\n");
        let (seen, outcome) = read("t.csv.gz", &table[..table.len() - 6]);
        assert_eq!(
            outcome.expect_err("truncated").reason(),
            Reason::MalformedFile
        );
        assert!(
            seen.contains(&cell("4111 1111 1111 1111", 2, 2)),
            "{seen:?}"
        );
        let json = gzip(b"{\"a\": \"x\", \"b\": \"a long value cut somewhere\"}");
        let (seen, outcome) = read("t.json.gz", &json[..json.len() - 6]);
        assert_eq!(
            outcome.expect_err("truncated").reason(),
            Reason::MalformedFile
        );
        assert_eq!(
            seen.first(),
            Some(&Seen::Record {
                text: "x".to_owned(),
                index: 0,
                path: "$.a".to_owned()
            })
        );
    }

    #[test]
    fn gzip_suffixes_reveal_the_inner_name() {
        assert_eq!(strip_gzip_suffix("a/b.csv.gz"), "a/b.csv");
        assert_eq!(strip_gzip_suffix("B.JSONL.GZ"), "B.JSONL");
        assert_eq!(strip_gzip_suffix("x.tgz"), "x.tar");
        assert_eq!(strip_gzip_suffix("plain"), "plain");
    }
}
