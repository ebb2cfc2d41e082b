//! JSON and JSON Lines: every string value is a unit, placed by record and JSON path.
//!
//! # Units
//! Each string *value*, at any depth, is one unit. Object keys are not units: Macie
//! reports values, and a key is the context its keyword rule reads (a value under
//! `{"cpf": ...}` is kept by the keyword "cpf"), so each unit carries the object keys on
//! its path, outermost first, as [`UnitContext::JsonKeys`]. Numbers, booleans and null
//! are not text and yield nothing; neither does an empty string, where nothing can match.
//!
//! A `.json` object is one record (index 0). In JSON Lines each non-blank line is a
//! record whose index is its 0-based line number; blank lines still count.
//!
//! # Paths
//! Each unit carries its path as steps (keys and array indices, [`JsonPath`]), not as
//! text: Macie writes a path only for a listed occurrence, truncated, and not at all when
//! a key on it holds sensitive data ([`crate::json_path`]), so a value costs no writing.
//!
//! # Memory
//! serde_json drives a [`DeserializeSeed`] that walks objects and arrays and keeps only
//! the path to the current value, so no document tree is built and memory does not grow
//! with the document: a gigabyte-long array is read in a few hundred kilobytes. The one
//! thing serde_json holds whole is a string, so a string longer than
//! [`Limits::max_unit_bytes`] (as encoded in the file) never reaches it: in a JSON
//! document it is read as an empty string (its bytes skipped as they are read), and a
//! JSON Lines line longer than that is skipped. Either way the rest of the object is
//! read and it is reported [`ReadError::UnitTooLarge`], as a table with a cell over the
//! limit is.
//!
//! # Errors
//! Units before an error have already reached the sink, so the caller can report the
//! object PARTIAL. A JSON document stops at its first error (a string over the limit is
//! not one; it is reported once the document is read, unless an error stopped it). JSON
//! Lines records are independent: a malformed, too deep or too long line is skipped, the
//! following lines are still read, and the first such error is returned at the end. Text
//! that is not
//! UTF-8 is decoded lossily, as for every text format; an empty or blank document has no
//! units and is not an error.
//!
//! Known limit: serde_json rejects a number beyond the range of `f64` (`1e400`), which
//! makes the document malformed although it is valid JSON.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use ferret_identifiers::UnitContext;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Deserializer;

use super::{ReadError, Sink, TextUnit, UnitPlace};
use crate::json_path::{JsonPath, Step};
use crate::{Format, Limits};

/// Bytes read from the input at a time.
const CHUNK: usize = 64 * 1024;

/// The UTF-8 byte-order mark some Windows tools write before a document.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What an invalid UTF-8 sequence decodes to.
const REPLACEMENT: &str = "\u{FFFD}";

/// A JSON document: every string value, at any depth, is a unit of record 0.
///
/// Stops at the first error: malformed JSON (truncated, trailing data) or nesting
/// deeper than [`Limits::max_json_depth`]. A string longer than
/// [`Limits::max_unit_bytes`] is skipped and the rest is read; the document then ends
/// with [`ReadError::UnitTooLarge`].
pub fn read_json<R: Read>(input: R, limits: &Limits, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut input = DocumentInput::new(input, limits.max_unit_bytes);
    let mut walker = Walker::new(limits.max_json_depth, |unit: TextUnit<'_>| sink.unit(unit));
    match walk_document(&mut walker, &mut input) {
        Ok(()) if input.skipped_strings() => Err(ReadError::UnitTooLarge {
            limit: limits.max_unit_bytes,
        }),
        Ok(()) => Ok(()),
        Err(Failure::TooDeep { limit }) => Err(ReadError::JsonNesting { limit }),
        Err(Failure::Parse(e)) if e.is_eof() && !input.saw_content() => Ok(()),
        Err(Failure::Parse(e)) if e.is_io() => Err(ReadError::Io(e.into())),
        Err(Failure::Parse(e)) => Err(ReadError::Malformed {
            format: Format::Json,
            message: e.to_string(),
        }),
    }
}

/// Walks the document `input` holds as record 0.
fn walk_document<R: Read, S: FnMut(TextUnit<'_>)>(
    walker: &mut Walker<S>,
    input: &mut DocumentInput<R>,
) -> Result<(), Failure> {
    // serde_json reads a byte at a time, which std makes cheap for a `BufReader` only.
    let buffered = BufReader::with_capacity(CHUNK, input);
    walker.walk(0, &mut Deserializer::from_reader(buffered))
}

/// JSON Lines: each non-blank line is a document whose record index is its 0-based line
/// number. Lines end with `\n` or `\r\n`.
///
/// A line that cannot be read (malformed, too deep, longer than
/// [`Limits::max_unit_bytes`]) is skipped and the next lines are still read; the first
/// such error is returned once the input is exhausted. Malformed-line messages name the
/// 1-based line, as an editor does. Only an I/O error stops the reading at once.
pub fn read_json_lines<R: Read>(
    input: R,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    let mut input = BufReader::with_capacity(CHUNK, input);
    let mut walker = Walker::new(limits.max_json_depth, |unit: TextUnit<'_>| sink.unit(unit));
    let mut line = Vec::new();
    let mut first_error = None;
    let mut index: u64 = 0;
    while let Some(read) = next_line(&mut input, &mut line, limits.max_unit_bytes)? {
        let outcome = match read {
            Line::Complete => read_line(&mut walker, index, &line),
            Line::TooLong => Err(ReadError::UnitTooLarge {
                limit: limits.max_unit_bytes,
            }),
        };
        if let Err(error) = outcome {
            first_error.get_or_insert(error);
        }
        index += 1;
    }
    first_error.map_or(Ok(()), Err)
}

/// Hands the units of line `index` (its terminator removed) to the walker's sink.
fn read_line<S: FnMut(TextUnit<'_>)>(
    walker: &mut Walker<S>,
    index: u64,
    line: &[u8],
) -> Result<(), ReadError> {
    let line = if index == 0 {
        line.strip_prefix(BOM).unwrap_or(line)
    } else {
        line
    };
    if line.iter().all(|&b| is_json_whitespace(b)) {
        return Ok(());
    }
    // Validating first lets serde_json parse from a `str`, where it skips its own UTF-8
    // checks; the lossy copy is made only for a line that needs it.
    let text = match std::str::from_utf8(line) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(line),
    };
    match walker.walk(index, &mut Deserializer::from_str(&text)) {
        Ok(()) => Ok(()),
        Err(Failure::TooDeep { limit }) => Err(ReadError::JsonNesting { limit }),
        Err(Failure::Parse(e)) => Err(ReadError::Malformed {
            format: Format::JsonLines,
            message: format!(
                "line {}, column {}: {}",
                index + 1,
                e.column(),
                without_position(&e)
            ),
        }),
    }
}

/// What [`next_line`] read.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// A whole line, in the buffer without its terminator.
    Complete,
    /// A line longer than the limit: it was consumed and the buffer is empty.
    TooLong,
}

/// Reads the next line into `line`, holding at most `max` bytes of it (plus its
/// terminator); `None` at the end of the input.
fn next_line<B: BufRead>(
    input: &mut B,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<Line>> {
    line.clear();
    // Room for the longest acceptable line and its `\r\n`.
    let bound = (max as u64).saturating_add(2);
    let read = input.by_ref().take(bound).read_until(b'\n', line)?;
    if read == 0 {
        return Ok(None);
    }
    let terminated = line.last() == Some(&b'\n');
    if !terminated && read as u64 == bound {
        input.skip_until(b'\n')?;
    }
    if terminated {
        line.pop();
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.len() > max {
        line.clear();
        return Ok(Some(Line::TooLong));
    }
    Ok(Some(Line::Complete))
}

/// serde_json's message without the " at line L column C" it appends, for messages that
/// place the error themselves.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(bare) => bare.to_owned(),
        None => message,
    }
}

/// Whitespace as JSON defines it (no form feed, unlike `u8::is_ascii_whitespace`).
fn is_json_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

// ---------------------------------------------------------------------------------------
// Walking one document

/// Why a document could not be walked to its end.
#[derive(Debug)]
enum Failure {
    /// Objects and arrays nested deeper than `limit`.
    TooDeep { limit: usize },
    /// serde_json's error: malformed JSON, or the input failed.
    Parse(serde_json::Error),
}

/// The error a visitor returns to serde_json when the document nests too deep; the
/// walker also records it, so that the caller gets a typed [`Failure::TooDeep`].
#[derive(Debug)]
struct TooDeep {
    limit: usize,
}

impl fmt::Display for TooDeep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JSON nested more than {} levels deep", self.limit)
    }
}

/// Walks documents as serde_json parses them and hands each string value to the sink,
/// keeping only the path from the root to the current value.
struct Walker<S> {
    sink: S,
    /// The record index of the current document.
    record: u64,
    /// Objects and arrays that may be open at once.
    max_depth: usize,
    /// The step into each open container's current child, outermost first: the path of
    /// the current value, and one entry per object or array open now.
    steps: Vec<Step>,
    /// The current key of each open object, outermost first: the keyword context, and
    /// the names of the path's [`Step::Key`]s.
    keys: Vec<String>,
    /// Key buffers of closed objects, reused so that walking allocates only while a
    /// document is deeper or its keys longer than any before.
    spare_keys: Vec<String>,
    /// Set when a visitor stops the walk because the document nests too deep.
    too_deep: bool,
}

impl<S: FnMut(TextUnit<'_>)> Walker<S> {
    fn new(max_depth: usize, sink: S) -> Self {
        Walker {
            sink,
            record: 0,
            max_depth,
            steps: Vec::new(),
            keys: Vec::new(),
            spare_keys: Vec::new(),
            too_deep: false,
        }
    }

    /// Walks the one document `de` holds (trailing data is an error) as record `record`.
    ///
    /// Depth is bounded here rather than by serde_json's fixed limit of 128, so that
    /// [`Limits::max_json_depth`] is the only limit and its error is typed. The walk
    /// recurses once per level, so the stack must hold `max_json_depth` levels: about
    /// 250 bytes each in a release build (1.2 KiB in debug), 64 KiB for the default 256.
    fn walk<'de, R: serde_json::de::Read<'de>>(
        &mut self,
        record: u64,
        de: &mut Deserializer<R>,
    ) -> Result<(), Failure> {
        self.start(record);
        de.disable_recursion_limit();
        let walked = Value(&mut *self)
            .deserialize(&mut *de)
            .and_then(|()| de.end());
        walked.map_err(|e| {
            if self.too_deep {
                Failure::TooDeep {
                    limit: self.max_depth,
                }
            } else {
                Failure::Parse(e)
            }
        })
    }

    /// Resets the state a failed walk may have left.
    fn start(&mut self, record: u64) {
        self.record = record;
        self.steps.clear();
        while let Some(key) = self.keys.pop() {
            self.spare_keys.push(key);
        }
        self.too_deep = false;
    }

    /// Hands the string value at the current path to the sink.
    fn emit(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        (self.sink)(TextUnit::whole(
            text.as_bytes(),
            UnitPlace::Record {
                index: self.record,
                path: JsonPath::new(&self.steps, &self.keys),
            },
            UnitContext::JsonKeys(&self.keys),
        ));
    }

    /// Opens an object or array, whose children are reached by `step`.
    fn enter(&mut self, step: Step) -> Result<(), TooDeep> {
        if self.steps.len() >= self.max_depth {
            self.too_deep = true;
            return Err(TooDeep {
                limit: self.max_depth,
            });
        }
        self.steps.push(step);
        Ok(())
    }

    /// Closes the object or array that [`Walker::enter`] opened last.
    fn leave(&mut self) {
        self.steps.pop();
    }

    fn open_object(&mut self) -> Result<(), TooDeep> {
        self.enter(Step::Key)?;
        let key = self.spare_keys.pop().unwrap_or_default();
        self.keys.push(key);
        Ok(())
    }

    fn close_object(&mut self) {
        if let Some(key) = self.keys.pop() {
            self.spare_keys.push(key);
        }
        self.leave();
    }

    /// Moves to the value of `key` in the innermost open object.
    fn at_key(&mut self, key: &str) {
        if let Some(current) = self.keys.last_mut() {
            current.clear();
            current.push_str(key);
        }
    }

    /// Moves to element `index` of the innermost open array.
    fn at_index(&mut self, index: u64) {
        if let Some(step) = self.steps.last_mut() {
            *step = Step::Index(index);
        }
    }
}

/// Seed and visitor for any JSON value at the walker's current path.
struct Value<'w, S>(&'w mut Walker<S>);

impl<'de, S: FnMut(TextUnit<'_>)> DeserializeSeed<'de> for Value<'_, S> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, S: FnMut(TextUnit<'_>)> Visitor<'de> for Value<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    // Borrowed and owned strings end up here too, through serde's default methods.
    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.0.emit(text);
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let walker = self.0;
        walker.enter(Step::Index(0)).map_err(de::Error::custom)?;
        let mut index = 0;
        loop {
            walker.at_index(index);
            if seq.next_element_seed(Value(&mut *walker))?.is_none() {
                break;
            }
            index += 1;
        }
        walker.leave();
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walker = self.0;
        walker.open_object().map_err(de::Error::custom)?;
        while map.next_key_seed(Key(&mut *walker))?.is_some() {
            map.next_value_seed(Value(&mut *walker))?;
        }
        walker.close_object();
        Ok(())
    }
}

/// Seed and visitor for an object key: moves the walker to that key's value.
struct Key<'w, S>(&'w mut Walker<S>);

impl<'de, S: FnMut(TextUnit<'_>)> DeserializeSeed<'de> for Key<'_, S> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, S: FnMut(TextUnit<'_>)> Visitor<'de> for Key<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<(), E> {
        self.0.at_key(key);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The input of a JSON document

/// A JSON document's bytes on their way to serde_json, which reads them one at a time.
///
/// Besides buffering, it does what serde_json cannot:
/// - serde_json holds a string whole before handing it over, so one huge string would
///   hold the object in memory. This input follows where strings start and end, holds
///   each string back until it ends, and serves a string that grows past the limit as
///   `""` instead, skipping its bytes as they are read (see
///   [`DocumentInput::skipped_strings`]).
/// - serde_json rejects text that is not UTF-8, which ferret decodes lossily everywhere
///   else. Invalid sequences become U+FFFD here, so a stray Latin-1 byte in a string
///   costs one character instead of the object (outside a string it is still an error).
/// - A leading byte-order mark, which serde_json rejects, is dropped.
struct DocumentInput<R> {
    input: R,
    /// The read buffer, allocated once; `raw[..raw_len]` are bytes read and not yet
    /// prepared: at most a character cut short by the end of the last read.
    raw: Vec<u8>,
    raw_len: usize,
    /// The last read, decoded: bytes on their way to `ready` or `held`.
    decoded: Vec<u8>,
    /// Bytes ready for serde_json, served from `served` on.
    ready: Vec<u8>,
    served: usize,
    /// The string being read, from its opening quote: served once it ends.
    held: Vec<u8>,
    strings: StringLengths,
    state: InputState,
    /// Whether anything but whitespace has come (for a byte-order mark, and to tell an
    /// empty document from a truncated one).
    saw_content: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InputState {
    Reading,
    Ended,
}

impl<R: Read> DocumentInput<R> {
    fn new(input: R, max_string: usize) -> Self {
        DocumentInput {
            input,
            raw: vec![0; CHUNK],
            raw_len: 0,
            decoded: Vec::with_capacity(CHUNK),
            ready: Vec::with_capacity(CHUNK),
            served: 0,
            held: Vec::new(),
            strings: StringLengths::new(max_string),
            state: InputState::Reading,
            saw_content: false,
        }
    }

    /// Whether a string longer than the limit was skipped.
    fn skipped_strings(&self) -> bool {
        self.strings.skipped > 0
    }

    /// Whether anything but whitespace has been read.
    fn saw_content(&self) -> bool {
        self.saw_content
    }

    /// Replaces the served bytes with the next ready ones; leaves none at the end.
    fn refill(&mut self) -> io::Result<()> {
        self.ready.clear();
        self.served = 0;
        while self.ready.is_empty() && self.state == InputState::Reading {
            let at_end = self.read_more()?;
            let read = &self.raw[..self.raw_len];
            let complete = if at_end {
                read.len()
            } else {
                complete_len(read)
            };
            self.decoded.clear();
            push_lossy(&read[..complete], &mut self.decoded);
            self.raw.copy_within(complete..self.raw_len, 0);
            self.raw_len -= complete;
            self.note_content();
            self.strings
                .route(&self.decoded, &mut self.held, &mut self.ready);
            if at_end {
                // A string left open: serde_json finds the document truncated.
                self.ready.append(&mut self.held);
                self.state = InputState::Ended;
            }
        }
        Ok(())
    }

    /// Reads more bytes after those held back; true at the end of the input.
    fn read_more(&mut self) -> io::Result<bool> {
        loop {
            // Held-back bytes are at most 3, so there is always room to read into.
            match self.input.read(&mut self.raw[self.raw_len..]) {
                Ok(n) => {
                    self.raw_len += n;
                    return Ok(n == 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Drops a byte-order mark before the document and notes its first other content.
    /// Held-back partial characters guarantee a mark arrives whole.
    fn note_content(&mut self) {
        if self.saw_content {
            return;
        }
        let Some(first) = self.decoded.iter().position(|&b| !is_json_whitespace(b)) else {
            return;
        };
        if self.decoded[first..].starts_with(BOM) {
            self.decoded.drain(first..first + BOM.len());
        }
        self.saw_content = self.decoded[first..]
            .iter()
            .any(|&b| !is_json_whitespace(b));
    }
}

impl<R: Read> Read for DocumentInput<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.served == self.ready.len() {
            self.refill()?;
        }
        let ready = &self.ready[self.served..];
        let n = ready.len().min(buf.len());
        buf[..n].copy_from_slice(&ready[..n]);
        self.served += n;
        Ok(n)
    }
}

/// The length of `bytes` without a multi-byte character cut short at its end, which
/// must wait for the next read to be judged.
fn complete_len(bytes: &[u8]) -> usize {
    // A character is at most 4 bytes long: only the last 3 bytes can start a cut one.
    for back in 1..=bytes.len().min(3) {
        let at = bytes.len() - back;
        let width = match bytes[at] {
            0x80..=0xBF => continue,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if width > back { at } else { bytes.len() };
    }
    bytes.len()
}

/// Appends `bytes` to `out` with each invalid UTF-8 sequence replaced by U+FFFD.
fn push_lossy(bytes: &[u8], out: &mut Vec<u8>) {
    // `from_utf8` is much faster than walking chunks, and invalid input is rare.
    if std::str::from_utf8(bytes).is_ok() {
        out.extend_from_slice(bytes);
        return;
    }
    for chunk in bytes.utf8_chunks() {
        out.extend_from_slice(chunk.valid().as_bytes());
        if !chunk.invalid().is_empty() {
            out.extend_from_slice(REPLACEMENT.as_bytes());
        }
    }
}

/// Follows a JSON text chunk by chunk and measures each string (key or value) as
/// encoded, escapes included, routing its bytes: a string is held back from its
/// opening quote until it ends, then made ready; one that grows past `limit` bytes is
/// dropped and made ready as `""`, and its remaining bytes are skipped up to its
/// closing quote.
///
/// Outside strings only `"` matters: no other JSON token contains one. Inside, `\`
/// escapes the next byte, and `"` ends the string.
#[derive(Debug)]
struct StringLengths {
    limit: usize,
    lexeme: Lexeme,
    /// Bytes of the current string so far.
    length: usize,
    /// Strings dropped for their length.
    skipped: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lexeme {
    Outside,
    InString,
    /// At a backslash in a string.
    Backslash,
    /// At the byte a backslash escapes.
    Escaped,
    /// In a string past the limit, whose bytes are skipped.
    Skipping,
    /// At the byte a backslash escapes in a string being skipped.
    SkippingEscaped,
}

impl StringLengths {
    fn new(limit: usize) -> Self {
        StringLengths {
            limit,
            lexeme: Lexeme::Outside,
            length: 0,
            skipped: 0,
        }
    }

    /// Routes the next chunk: to `ready` what serde_json may read now, to `held` the
    /// string still being read.
    fn route(&mut self, chunk: &[u8], held: &mut Vec<u8>, ready: &mut Vec<u8>) {
        let mut at = 0;
        while at < chunk.len() {
            let rest = &chunk[at..];
            at += match self.lexeme {
                Lexeme::Outside => Self::outside(rest, held, ready, &mut self.lexeme),
                Lexeme::InString => self.in_string(rest, held, ready),
                Lexeme::Backslash | Lexeme::Escaped => self.escape(rest[0], held, ready),
                Lexeme::Skipping => self.skipping(rest),
                Lexeme::SkippingEscaped => {
                    self.lexeme = Lexeme::Skipping;
                    1
                }
            };
        }
    }

    /// Outside a string: ready up to the next opening quote, which starts a held
    /// string. The bytes used.
    fn outside(rest: &[u8], held: &mut Vec<u8>, ready: &mut Vec<u8>, lexeme: &mut Lexeme) -> usize {
        match memchr::memchr(b'"', rest) {
            None => {
                ready.extend_from_slice(rest);
                rest.len()
            }
            Some(quote) => {
                ready.extend_from_slice(&rest[..quote]);
                held.push(b'"');
                *lexeme = Lexeme::InString;
                quote + 1
            }
        }
    }

    /// In a string: held up to a quote (which ends it) or a backslash (left for
    /// [`StringLengths::escape`]), unless that goes past the limit. The bytes used.
    fn in_string(&mut self, rest: &[u8], held: &mut Vec<u8>, ready: &mut Vec<u8>) -> usize {
        let stop = memchr::memchr2(b'"', b'\\', rest);
        let body = stop.unwrap_or(rest.len());
        if body > self.limit.saturating_sub(self.length) {
            self.drop_string(held, ready);
            return 0;
        }
        held.extend_from_slice(&rest[..body]);
        self.length += body;
        match stop.map(|i| rest[i]) {
            Some(b'"') => {
                held.push(b'"');
                ready.append(held);
                self.lexeme = Lexeme::Outside;
                self.length = 0;
                body + 1
            }
            Some(_) => {
                self.lexeme = Lexeme::Backslash;
                body
            }
            None => body,
        }
    }

    /// An escape's two bytes count as the string's, like any other. The bytes used.
    fn escape(&mut self, byte: u8, held: &mut Vec<u8>, ready: &mut Vec<u8>) -> usize {
        if self.length >= self.limit {
            let escaped = self.lexeme == Lexeme::Escaped;
            self.drop_string(held, ready);
            if escaped {
                self.lexeme = Lexeme::SkippingEscaped;
            }
            return 0;
        }
        held.push(byte);
        self.length += 1;
        self.lexeme = match self.lexeme {
            Lexeme::Backslash => Lexeme::Escaped,
            _ => Lexeme::InString,
        };
        1
    }

    /// In a string being skipped: up to its closing quote. The bytes used.
    fn skipping(&mut self, rest: &[u8]) -> usize {
        match memchr::memchr2(b'"', b'\\', rest) {
            None => rest.len(),
            Some(i) => {
                self.lexeme = if rest[i] == b'"' {
                    Lexeme::Outside
                } else {
                    Lexeme::SkippingEscaped
                };
                i + 1
            }
        }
    }

    /// Replaces the held string, past the limit, with `""`; its bytes from here on
    /// are skipped.
    fn drop_string(&mut self, held: &mut Vec<u8>, ready: &mut Vec<u8>) {
        held.clear();
        ready.extend_from_slice(b"\"\"");
        self.lexeme = Lexeme::Skipping;
        self.length = 0;
        self.skipped += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Trickle;

    /// A unit as the tests compare it: (record index, JSON path, keys, text).
    type Seen = (u64, String, Vec<String>, String);

    fn seen(index: u64, path: &str, keys: &[&str], text: &str) -> Seen {
        (
            index,
            path.to_owned(),
            keys.iter().map(|k| k.to_string()).collect(),
            text.to_owned(),
        )
    }

    fn record(unit: TextUnit<'_>, out: &mut Vec<Seen>) {
        let UnitPlace::Record { index, path } = unit.place else {
            panic!("JSON units are records: {:?}", unit.place);
        };
        let UnitContext::JsonKeys(keys) = unit.context else {
            panic!("JSON units carry their keys: {:?}", unit.context);
        };
        assert_eq!(unit.search, 0..unit.bytes.len(), "units are searched whole");
        assert_eq!(path.keys(), keys, "the path's keys are the keyword context");
        let text = String::from_utf8(unit.bytes.to_vec()).expect("units are UTF-8");
        out.push((index, path.to_macie(), keys.to_vec(), text));
    }

    /// The units `read` hands to its sink, and its outcome.
    fn read_with(
        read: impl FnOnce(&mut Sink<'_>) -> Result<(), ReadError>,
    ) -> (Vec<Seen>, Result<(), ReadError>) {
        let mut out = Vec::new();
        let outcome = read(&mut |unit: TextUnit<'_>| record(unit, &mut out));
        (out, outcome)
    }

    fn json_with(input: &[u8], limits: &Limits) -> (Vec<Seen>, Result<(), ReadError>) {
        read_with(|sink| read_json(input, limits, sink))
    }

    fn lines_with(input: &[u8], limits: &Limits) -> (Vec<Seen>, Result<(), ReadError>) {
        read_with(|sink| read_json_lines(input, limits, sink))
    }

    fn json(input: &str) -> Vec<Seen> {
        let (units, outcome) = json_with(input.as_bytes(), &Limits::default());
        outcome.expect("valid JSON");
        units
    }

    fn limits(max_json_depth: usize, max_unit_bytes: usize) -> Limits {
        Limits {
            max_json_depth,
            max_unit_bytes,
            ..Limits::default()
        }
    }

    #[test]
    fn nested_objects_and_arrays() {
        let units = json(r#"{"a": {"b": ["x", {"c": "y"}, [["z"]]]}, "d": "w"}"#);
        assert_eq!(
            units,
            [
                seen(0, "$.a.b[0]", &["a", "b"], "x"),
                seen(0, "$.a.b[1].c", &["a", "b", "c"], "y"),
                seen(0, "$.a.b[2][0][0]", &["a", "b"], "z"),
                seen(0, "$.d", &["d"], "w"),
            ]
        );
    }

    #[test]
    fn keys_that_are_not_identifiers_are_bracketed_and_escaped() {
        let units = json(
            r#"{"first name": "a", "it's": "b", "back\\slash": "c", "1st": "d", "": "e",
                "_ok9": "f", "a-b": {"x.y": "g"}}"#,
        );
        assert_eq!(
            units,
            [
                seen(0, "$['first name']", &["first name"], "a"),
                seen(0, r"$['it\'s']", &["it's"], "b"),
                seen(0, r"$['back\\slash']", &[r"back\slash"], "c"),
                seen(0, "$['1st']", &["1st"], "d"),
                seen(0, "$['']", &[""], "e"),
                seen(0, "$._ok9", &["_ok9"], "f"),
                seen(0, "$['a-b']['x.y']", &["a-b", "x.y"], "g"),
            ]
        );
    }

    #[test]
    fn unicode_keys_and_values_including_escapes() {
        let units = json(r#"{"número": "José", "caf\u00e9": ["cr\u00e8me \ud83d\ude00", "東京"]}"#);
        assert_eq!(
            units,
            [
                seen(0, "$['número']", &["número"], "José"),
                seen(0, "$['café'][0]", &["café"], "crème 😀"),
                seen(0, "$['café'][1]", &["café"], "東京"),
            ]
        );
    }

    #[test]
    fn top_level_array_of_records() {
        let units = json(r#"[{"cpf": "111"}, {"cpf": "222", "name": "Ana"}]"#);
        assert_eq!(
            units,
            [
                seen(0, "$[0].cpf", &["cpf"], "111"),
                seen(0, "$[1].cpf", &["cpf"], "222"),
                seen(0, "$[1].name", &["name"], "Ana"),
            ]
        );
    }

    #[test]
    fn a_top_level_string_is_one_unit_at_the_root() {
        assert_eq!(json(r#" "abc" "#), [seen(0, "$", &[], "abc")]);
    }

    #[test]
    fn numbers_booleans_nulls_and_empty_strings_are_not_units() {
        let units = json(
            r#"{"n": 1, "f": -2.5e3, "t": true, "no": false, "z": null, "e": "",
                "big": 123456789012345678901234567890, "a": [1, null, {}, []]}"#,
        );
        assert_eq!(units, []);
        assert_eq!(json("42"), []);
    }

    #[test]
    fn empty_and_blank_documents_have_no_units() {
        assert_eq!(json(""), []);
        assert_eq!(json(" \r\n\t"), []);
        assert_eq!(json("\u{FEFF}\n"), []);
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(
            json("\u{FEFF}{\"a\": \"x\"}"),
            [seen(0, "$.a", &["a"], "x")]
        );
        let (units, outcome) =
            lines_with("\u{FEFF}{\"a\": \"x\"}\n".as_bytes(), &Limits::default());
        outcome.expect("valid JSON Lines");
        assert_eq!(units, [seen(0, "$.a", &["a"], "x")]);
    }

    #[test]
    fn invalid_utf8_in_strings_is_decoded_lossily() {
        let input = b"{\"nom\": \"Fran\xe7ois\", \"b\": \"\xf0\x9f\x98\"}";
        let expected = [
            seen(0, "$.nom", &["nom"], "Fran\u{FFFD}ois"),
            seen(0, "$.b", &["b"], "\u{FFFD}"),
        ];
        let (units, outcome) = json_with(input, &Limits::default());
        outcome.expect("lossy JSON");
        assert_eq!(units, expected);
        let (units, outcome) = lines_with(input, &Limits::default());
        outcome.expect("lossy JSON Lines");
        assert_eq!(units, expected);
    }

    #[test]
    fn characters_cut_across_reads_are_reassembled() {
        let input = "\u{FEFF}{\"clé\": [\"😀 é\", \"\\\"q\\\"\"]}";
        for step in 1..=5 {
            let mut out = Vec::new();
            let reader = Trickle {
                bytes: input.as_bytes(),
                step,
            };
            read_json(reader, &Limits::default(), &mut |unit: TextUnit<'_>| {
                record(unit, &mut out)
            })
            .expect("valid JSON");
            assert_eq!(
                out,
                [
                    seen(0, "$['clé'][0]", &["clé"], "😀 é"),
                    seen(0, "$['clé'][1]", &["clé"], "\"q\""),
                ],
                "{step} bytes per read"
            );
        }
    }

    #[test]
    fn json_lines_skip_blank_lines_and_strip_crlf() {
        let input = b"{\"a\": \"x\"}\r\n\r\n   \n{\"a\": \"y\"}\r\n[\"z\", {\"k\": \"v\"}]";
        let (units, outcome) = lines_with(input, &Limits::default());
        outcome.expect("valid JSON Lines");
        assert_eq!(
            units,
            [
                seen(0, "$.a", &["a"], "x"),
                seen(3, "$.a", &["a"], "y"),
                seen(4, "$[0]", &[], "z"),
                seen(4, "$[1].k", &["k"], "v"),
            ]
        );
    }

    #[test]
    fn a_truncated_document_delivers_its_first_units_then_fails() {
        let input = b"[{\"a\": \"x\"},\n {\"b\": \"y\"},\n {\"c\": \"z";
        let (units, outcome) = json_with(input, &Limits::default());
        assert_eq!(
            units,
            [
                seen(0, "$[0].a", &["a"], "x"),
                seen(0, "$[1].b", &["b"], "y")
            ]
        );
        match outcome {
            Err(ReadError::Malformed {
                format: Format::Json,
                message,
            }) => assert_eq!(message, "EOF while parsing a string at line 3 column 9"),
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn trailing_data_after_the_document_is_malformed() {
        let (units, outcome) = json_with(b"{\"a\": \"x\"} {\"b\": \"y\"}", &Limits::default());
        assert_eq!(units, [seen(0, "$.a", &["a"], "x")]);
        assert!(
            matches!(
                outcome,
                Err(ReadError::Malformed {
                    format: Format::Json,
                    ..
                })
            ),
            "{outcome:?}"
        );
    }

    #[test]
    fn a_malformed_line_is_reported_after_the_other_lines_are_read() {
        let input =
            b"{\"a\": \"1\"}\n{\"a\": oops}\n{\"a\": \"3\"}\n{\"a\": \"4\"\n{\"a\": \"5\"}\n";
        let (units, outcome) = lines_with(input, &Limits::default());
        assert_eq!(
            units,
            [
                seen(0, "$.a", &["a"], "1"),
                seen(2, "$.a", &["a"], "3"),
                seen(3, "$.a", &["a"], "4"),
                seen(4, "$.a", &["a"], "5"),
            ]
        );
        match outcome {
            Err(ReadError::Malformed {
                format: Format::JsonLines,
                message,
            }) => assert_eq!(message, "line 2, column 7: expected value"),
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn nesting_deeper_than_the_limit_stops_the_document() {
        let (units, outcome) = json_with(br#"{"a": [{"b": "ok"}]}"#, &limits(3, 1024));
        outcome.expect("depth 3 is within the limit");
        assert_eq!(units, [seen(0, "$.a[0].b", &["a", "b"], "ok")]);

        let (units, outcome) = json_with(br#"[["x"], [["y"]], "z"]"#, &limits(2, 1024));
        assert_eq!(units, [seen(0, "$[0][0]", &[], "x")]);
        assert!(
            matches!(outcome, Err(ReadError::JsonNesting { limit: 2 })),
            "{outcome:?}"
        );
    }

    #[test]
    fn a_too_deep_line_does_not_stop_the_next_ones() {
        let input = b"[[\"deep\"]]\n[\"ok\"]\n";
        let (units, outcome) = lines_with(input, &limits(1, 1024));
        assert_eq!(units, [seen(1, "$[0]", &[], "ok")]);
        assert!(
            matches!(outcome, Err(ReadError::JsonNesting { limit: 1 })),
            "{outcome:?}"
        );
    }

    #[test]
    fn the_default_depth_limit_is_reached_without_exhausting_the_stack() {
        let depth = Limits::default().max_json_depth;
        let nested = |levels: usize| {
            format!(
                "{}\"deep\"{}",
                "{\"k\": [".repeat(levels / 2),
                "]}".repeat(levels / 2)
            )
        };
        let (units, outcome) = json_with(nested(depth).as_bytes(), &Limits::default());
        outcome.expect("the limit itself is allowed");
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].2.len(), depth / 2);
        let (units, outcome) = json_with(nested(depth + 2).as_bytes(), &Limits::default());
        assert_eq!(units, []);
        assert!(
            matches!(outcome, Err(ReadError::JsonNesting { limit }) if limit == depth),
            "{outcome:?}"
        );
    }

    #[test]
    fn a_string_longer_than_the_unit_limit_is_skipped_and_the_rest_read() {
        let input = br#"["short", "0123456789abcdefXYZ", {"k": "after"}]"#;
        let (units, outcome) = json_with(input, &limits(8, 16));
        assert_eq!(
            units,
            [
                seen(0, "$[0]", &[], "short"),
                seen(0, "$[2].k", &["k"], "after")
            ]
        );
        assert!(
            matches!(outcome, Err(ReadError::UnitTooLarge { limit: 16 })),
            "{outcome:?}"
        );
        // A key over the limit names nothing; its value is still read.
        let (units, outcome) = json_with(br#"{"0123456789abcdefXYZ": "v"}"#, &limits(8, 16));
        assert_eq!(units, [seen(0, "$['']", &[""], "v")]);
        assert!(matches!(outcome, Err(ReadError::UnitTooLarge { .. })));
        // An error after a skipped string is the one that stopped the reading.
        let (_, outcome) = json_with(br#"["0123456789abcdefXYZ", "#, &limits(8, 16));
        assert!(
            matches!(outcome, Err(ReadError::Malformed { .. })),
            "{outcome:?}"
        );
        // Escapes count as written: 16 bytes in the file, fewer once decoded.
        let (units, outcome) = json_with(br#"["\"\"\"\"\"\"\"\""]"#, &limits(8, 16));
        outcome.expect("16 encoded bytes fit");
        assert_eq!(units, [seen(0, "$[0]", &[], r#""""""""""#)]);
    }

    #[test]
    fn a_line_longer_than_the_unit_limit_is_skipped() {
        let input = b"[\"a\"]\n[\"0123456789abcdef\"]\n[\"b\"]\r\n";
        let (units, outcome) = lines_with(input, &limits(8, 8));
        assert_eq!(
            units,
            [seen(0, "$[0]", &[], "a"), seen(2, "$[0]", &[], "b")]
        );
        assert!(
            matches!(outcome, Err(ReadError::UnitTooLarge { limit: 8 })),
            "{outcome:?}"
        );
    }

    #[test]
    fn next_line_bounds_each_line() {
        let mut input = io::Cursor::new(b"1234\r\n12345\n123\n".to_vec());
        let mut line = Vec::new();
        let mut lines = Vec::new();
        while let Some(read) = next_line(&mut input, &mut line, 4).expect("in memory") {
            lines.push((read, String::from_utf8_lossy(&line).into_owned()));
        }
        assert_eq!(
            lines,
            [
                (Line::Complete, "1234".to_owned()),
                (Line::TooLong, String::new()),
                (Line::Complete, "123".to_owned()),
            ]
        );
    }

    #[test]
    fn input_errors_are_io_errors() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::new(io::ErrorKind::PermissionDenied, "denied"));
                }
                self.0 -= 1;
                let part = b"[\"x\", ";
                buf[..part.len()].copy_from_slice(part);
                Ok(part.len())
            }
        }
        let mut count = 0;
        let outcome = read_json(Failing(1), &Limits::default(), &mut |_: TextUnit<'_>| {
            count += 1
        });
        assert_eq!(count, 1);
        match outcome {
            Err(ReadError::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::PermissionDenied),
            other => panic!("expected an I/O error, got {other:?}"),
        }
        let outcome = read_json_lines(Failing(1), &Limits::default(), &mut |_: TextUnit<'_>| {});
        assert!(matches!(outcome, Err(ReadError::Io(_))), "{outcome:?}");
    }

    #[test]
    fn string_lengths_are_followed_across_chunks() {
        let mut strings = StringLengths::new(5);
        let (mut held, mut ready) = (Vec::new(), Vec::new());
        let mut route = |chunk: &[u8]| {
            strings.route(chunk, &mut held, &mut ready);
            (
                String::from_utf8_lossy(&held).into_owned(),
                String::from_utf8_lossy(&ready).into_owned(),
            )
        };
        let owned = |held: &str, ready: &str| (held.to_owned(), ready.to_owned());
        assert_eq!(route(br#"{"ab"#), owned(r#""ab"#, "{"));
        assert_eq!(route(br#"c": "x\"#), owned(r#""x\"#, r#"{"abc": "#));
        assert_eq!(
            route(br#""y", "123"#),
            owned(r#""123"#, r#"{"abc": "x\"y", "#)
        );
        // Past 5 bytes: "123456..." is dropped, its escaped quote skipped with it.
        assert_eq!(
            route(br#"456\"7", "z"}"#),
            owned("", r#"{"abc": "x\"y", "", "z"}"#)
        );
        // Exactly 5 bytes, an escape's two included, fit.
        assert_eq!(
            route(br#"["a\"cd"]"#),
            owned("", r#"{"abc": "x\"y", "", "z"}["a\"cd"]"#)
        );
    }

    #[test]
    fn complete_len_holds_back_a_cut_character() {
        let text = "aé😀".as_bytes();
        assert_eq!(complete_len(text), text.len());
        assert_eq!(complete_len(&text[..2]), 1);
        assert_eq!(complete_len(&text[..4]), 3);
        assert_eq!(complete_len(&text[..6]), 3);
        assert_eq!(complete_len(b"a\x80\x80\x80"), 4);
        assert_eq!(complete_len(b""), 0);
    }

    /// Writes a top-level array of `records` small records, never holding more than one.
    struct Records {
        next: usize,
        records: usize,
        pending: Vec<u8>,
        offset: usize,
    }

    impl Records {
        fn new(records: usize) -> Self {
            Records {
                next: 0,
                records,
                pending: b"[".to_vec(),
                offset: 0,
            }
        }
    }

    impl Read for Records {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.offset == self.pending.len() {
                self.pending.clear();
                self.offset = 0;
                match self.next {
                    n if n < self.records => {
                        let comma = if n == 0 { "" } else { "," };
                        let record = format!(
                            "{comma}\n{{\"id\": {n}, \"cpf\": \"{n:011}\", \"tags\": [\"t{n}\"]}}"
                        );
                        self.pending.extend_from_slice(record.as_bytes());
                    }
                    n if n == self.records => self.pending.extend_from_slice(b"\n]"),
                    _ => return Ok(0),
                }
                self.next += 1;
            }
            let n = buf.len().min(self.pending.len() - self.offset);
            buf[..n].copy_from_slice(&self.pending[self.offset..self.offset + n]);
            self.offset += n;
            Ok(n)
        }
    }

    #[test]
    fn a_large_array_streams_in_bounded_memory() {
        const RECORDS: usize = 200_000;
        let mut input = DocumentInput::new(Records::new(RECORDS), Limits::default().max_unit_bytes);
        let mut units = 0;
        let mut last_path = String::new();
        let mut walker = Walker::new(Limits::default().max_json_depth, |unit: TextUnit<'_>| {
            units += 1;
            if let UnitPlace::Record { path, .. } = unit.place {
                last_path = path.to_macie();
            }
        });
        walk_document(&mut walker, &mut input).expect("generated JSON is valid");
        // What the walk kept: the path and key buffers of one record, and one chunk.
        assert!(walker.steps.capacity() <= 4, "{}", walker.steps.capacity());
        assert!(walker.keys.is_empty());
        assert!(walker.spare_keys.len() <= 2);
        assert!(input.ready.capacity() <= 2 * CHUNK);
        assert_eq!(input.raw.capacity(), CHUNK);
        drop(walker);
        assert_eq!(units, 2 * RECORDS);
        assert_eq!(last_path, format!("$[{}].tags[0]", RECORDS - 1));
    }
}
