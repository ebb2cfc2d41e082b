//! JSON and JSON Lines: every string value rewritten where it holds kept matches,
//! everything else (whitespace, key order, numbers, escapes outside the matches, line
//! endings) copied as it is.
//!
//! A small streaming tokenizer walks the document and holds one string at a time (at
//! most [`Limits::max_unit_bytes`]), decoding it with the [`Layout`] of its escapes. As
//! in the scanner, string values are units, judged with the object keys on their path;
//! keys are context, never rewritten. A rewrite is written JSON-escaped.

use std::io::{BufRead, BufReader, Read, Write};

use ferret_identifiers::UnitContext;
use ferret_scanner::{Format, Limits, ReadError};

use crate::input::Bytes;
use crate::plan::{Planner, Rewrite};
use crate::policy::Policy;
use crate::splice::{rewritten, splice, Layout};
use crate::RedactError;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Copies the JSON document `input` to `out` with every kept match rewritten.
pub fn redact_json<R: Read>(
    input: R,
    limits: &Limits,
    out: &mut dyn Write,
    planner: &mut Planner<'_>,
    policy: &Policy,
) -> Result<(), RedactError> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    if input.fill_buf()?.starts_with(BOM) {
        input.consume(BOM.len());
        out.write_all(BOM)?;
    }
    let mut walker = Walker::new(Format::Json, limits);
    walker.document(&mut Bytes::new(input), out, planner, policy)
}

/// Copies the JSON Lines `input` to `out`, line by line, with every kept match
/// rewritten. A line longer than the unit limit, or malformed, stops the copy (the
/// scanner skips such a line, so the object is not scanned whole).
pub fn redact_json_lines<R: Read>(
    input: R,
    limits: &Limits,
    out: &mut dyn Write,
    planner: &mut Planner<'_>,
    policy: &Policy,
) -> Result<(), RedactError> {
    let mut input = Bytes::new(BufReader::with_capacity(1 << 16, input));
    let mut walker = Walker::new(Format::JsonLines, limits);
    let mut line = Vec::new();
    let mut index = 0_u64;
    loop {
        line.clear();
        let end = input
            .take_until(&mut line, limits.max_unit_bytes, |buf| {
                memchr::memchr(b'\n', buf)
            })?
            .map_err(|_| {
                RedactError::Read(ReadError::UnitTooLarge {
                    limit: limits.max_unit_bytes,
                })
            })?;
        if end.is_none() && line.is_empty() {
            return Ok(());
        }
        let mut body: &[u8] = &line;
        if index == 0 && body.starts_with(BOM) {
            out.write_all(BOM)?;
            body = &body[BOM.len()..];
        }
        let cr = body.ends_with(b"\r");
        if cr {
            body = &body[..body.len() - 1];
        }
        walker.line = index;
        walker.document(&mut Bytes::new(body), out, planner, policy)?;
        if cr {
            out.write_all(b"\r")?;
        }
        if end.is_some() {
            input.next()?;
            out.write_all(b"\n")?;
        } else {
            return Ok(());
        }
        index += 1;
    }
}

/// What may come next in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A value (at the top, after `:`, after `,` in an array).
    Value,
    /// A value or `]`, right after `[`.
    FirstElement,
    /// A key or `}`, right after `{`.
    FirstKey,
    /// A key, after `,` in an object.
    Key,
    Colon,
    /// `,` or the end of the open container.
    CommaOrEnd,
    /// The document is complete: only whitespace may follow.
    Done,
}

struct Walker {
    format: Format,
    max_unit: usize,
    max_depth: usize,
    /// The 0-based line of a JSON Lines document, for messages.
    line: u64,
    /// Open containers, outermost first: true for an object.
    open: Vec<bool>,
    /// The current key of each open object, outermost first.
    keys: Vec<String>,
    raw: Vec<u8>,
    value: Vec<u8>,
    layout: Layout,
    rewrites: Vec<Rewrite>,
    encoded: Vec<u8>,
}

impl Walker {
    fn new(format: Format, limits: &Limits) -> Walker {
        Walker {
            format,
            max_unit: limits.max_unit_bytes,
            max_depth: limits.max_json_depth,
            line: 0,
            open: Vec::new(),
            keys: Vec::new(),
            raw: Vec::new(),
            value: Vec::new(),
            layout: Layout::default(),
            rewrites: Vec::new(),
            encoded: Vec::new(),
        }
    }

    fn malformed(&self, message: &str) -> RedactError {
        let message = match self.format {
            Format::JsonLines => format!("line {}: {message}", self.line + 1),
            _ => message.to_owned(),
        };
        RedactError::Read(ReadError::Malformed {
            format: self.format,
            message,
        })
    }

    /// Copies one document. An empty (blank) input is no document and no error, as in
    /// the scanner.
    fn document<R: BufRead>(
        &mut self,
        input: &mut Bytes<R>,
        out: &mut dyn Write,
        planner: &mut Planner<'_>,
        policy: &Policy,
    ) -> Result<(), RedactError> {
        self.open.clear();
        self.keys.clear();
        let mut expect = Expect::Value;
        let mut started = false;
        while let Some(byte) = input.next()? {
            if matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                out.write_all(&[byte])?;
                continue;
            }
            started = true;
            expect = match (expect, byte) {
                (Expect::Done, _) => return Err(self.malformed("trailing characters")),
                (Expect::Value | Expect::FirstElement, b'{') => {
                    self.enter(true)?;
                    out.write_all(b"{")?;
                    Expect::FirstKey
                }
                (Expect::Value | Expect::FirstElement, b'[') => {
                    self.enter(false)?;
                    out.write_all(b"[")?;
                    Expect::FirstElement
                }
                (Expect::FirstElement, b']') | (Expect::FirstKey, b'}') => {
                    out.write_all(&[byte])?;
                    self.leave()
                }
                (Expect::CommaOrEnd, b']' | b'}') => {
                    if self.open.last() != Some(&(byte == b'}')) {
                        return Err(self.malformed("mismatched close"));
                    }
                    out.write_all(&[byte])?;
                    self.leave()
                }
                (Expect::CommaOrEnd, b',') => {
                    out.write_all(b",")?;
                    match self.open.last() {
                        Some(true) => Expect::Key,
                        _ => Expect::Value,
                    }
                }
                (Expect::Colon, b':') => {
                    out.write_all(b":")?;
                    Expect::Value
                }
                (Expect::FirstKey | Expect::Key, b'"') => {
                    self.string(input)?;
                    out.write_all(&self.raw)?;
                    let key = String::from_utf8_lossy(&self.value).into_owned();
                    if let Some(current) = self.keys.last_mut() {
                        *current = key;
                    }
                    Expect::Colon
                }
                (Expect::Value | Expect::FirstElement, b'"') => {
                    self.string(input)?;
                    self.write_value(out, planner, policy)?;
                    self.after_value()
                }
                (Expect::Value | Expect::FirstElement, b'-' | b'0'..=b'9' | b'a'..=b'z') => {
                    self.scalar(byte, input, out)?;
                    self.after_value()
                }
                _ => return Err(self.malformed("unexpected character")),
            };
        }
        match expect {
            Expect::Done => Ok(()),
            Expect::Value if !started => Ok(()),
            _ => Err(self.malformed("EOF while parsing")),
        }
    }

    fn enter(&mut self, object: bool) -> Result<(), RedactError> {
        if self.open.len() >= self.max_depth {
            return Err(RedactError::Read(ReadError::JsonNesting {
                limit: self.max_depth,
            }));
        }
        self.open.push(object);
        if object {
            self.keys.push(String::new());
        }
        Ok(())
    }

    fn leave(&mut self) -> Expect {
        if self.open.pop() == Some(true) {
            self.keys.pop();
        }
        self.after_value()
    }

    fn after_value(&self) -> Expect {
        if self.open.is_empty() {
            Expect::Done
        } else {
            Expect::CommaOrEnd
        }
    }

    /// Copies a number or literal starting with `first`, checked.
    fn scalar<R: BufRead>(
        &mut self,
        first: u8,
        input: &mut Bytes<R>,
        out: &mut dyn Write,
    ) -> Result<(), RedactError> {
        self.raw.clear();
        self.raw.push(first);
        input
            .take_until(&mut self.raw, 4096, |buf| {
                buf.iter().position(
                    |b| !matches!(b, b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'+' | b'-' | b'.'),
                )
            })?
            .map_err(|_| self.malformed("number too long"))?;
        if !(matches!(self.raw.as_slice(), b"true" | b"false" | b"null") || is_number(&self.raw)) {
            return Err(self.malformed("invalid literal"));
        }
        out.write_all(&self.raw)?;
        Ok(())
    }

    /// Reads a string whose opening quote was taken: `raw` gets it quotes included,
    /// `value` its decoded bytes, `layout` its escapes.
    fn string<R: BufRead>(&mut self, input: &mut Bytes<R>) -> Result<(), RedactError> {
        self.raw.clear();
        self.value.clear();
        self.layout.clear();
        self.raw.push(b'"');
        // Escapes make the raw form up to six times the value.
        let max = self.max_unit.saturating_mul(6).saturating_add(2);
        loop {
            let before = self.raw.len();
            let found = input
                .take_until(&mut self.raw, max, |buf| {
                    buf.iter()
                        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                })?
                .map_err(|_| self.too_long())?;
            self.value.extend_from_slice(&self.raw[before..]);
            if self.value.len() > self.max_unit {
                return Err(self.too_long());
            }
            match found {
                None => return Err(self.malformed("EOF while parsing a string")),
                Some(b'"') => {
                    input.next()?;
                    self.raw.push(b'"');
                    return Ok(());
                }
                Some(b'\\') => {
                    input.next()?;
                    self.escape(input)?;
                }
                Some(_) => return Err(self.malformed("control character in a string")),
            }
        }
    }

    fn too_long(&self) -> RedactError {
        RedactError::Read(ReadError::UnitTooLarge {
            limit: self.max_unit,
        })
    }

    /// Decodes the escape after a backslash (taken).
    fn escape<R: BufRead>(&mut self, input: &mut Bytes<R>) -> Result<(), RedactError> {
        let at = self.value.len();
        let Some(kind) = input.next()? else {
            return Err(self.malformed("EOF in an escape"));
        };
        self.raw.extend_from_slice(&[b'\\', kind]);
        let simple = match kind {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'u' => None,
            _ => return Err(self.malformed("invalid escape")),
        };
        if let Some(byte) = simple {
            self.value.push(byte);
            self.layout.escape(at, 1, 2);
            return Ok(());
        }
        let high = self.hex4(input)?;
        let (code, raw_len) = match high {
            0xD800..=0xDBFF => {
                if input.next()? != Some(b'\\') || input.next()? != Some(b'u') {
                    return Err(self.malformed("lone leading surrogate"));
                }
                self.raw.extend_from_slice(b"\\u");
                let low = self.hex4(input)?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.malformed("lone leading surrogate"));
                }
                (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00), 12)
            }
            0xDC00..=0xDFFF => return Err(self.malformed("lone trailing surrogate")),
            code => (code, 6),
        };
        let Some(c) = char::from_u32(code) else {
            return Err(self.malformed("invalid unicode escape"));
        };
        let mut buffer = [0; 4];
        let encoded = c.encode_utf8(&mut buffer);
        self.value.extend_from_slice(encoded.as_bytes());
        self.layout.escape(at, encoded.len(), raw_len);
        Ok(())
    }

    fn hex4<R: BufRead>(&mut self, input: &mut Bytes<R>) -> Result<u32, RedactError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = input
                .next()?
                .and_then(|b| (b as char).to_digit(16).map(|d| (b, d)));
            let Some((byte, digit)) = digit else {
                return Err(self.malformed("invalid \\u escape"));
            };
            self.raw.push(byte);
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// Writes the string value just read, rewritten where it holds kept matches.
    fn write_value(
        &mut self,
        out: &mut dyn Write,
        planner: &mut Planner<'_>,
        policy: &Policy,
    ) -> Result<(), RedactError> {
        self.rewrites.clear();
        if !self.value.is_empty() {
            let context = UnitContext::JsonKeys(&self.keys);
            planner.plan(
                &self.value,
                0..self.value.len(),
                context,
                &mut self.rewrites,
            );
        }
        if self.rewrites.is_empty() {
            out.write_all(&self.raw)?;
            return Ok(());
        }
        self.encoded.clear();
        self.encoded.push(b'"');
        let body = &self.raw[1..self.raw.len() - 1];
        let spliced = splice(
            body,
            &self.value,
            &self.layout,
            &self.rewrites,
            policy,
            &escape_into,
            &mut self.encoded,
        );
        if !spliced {
            let mut plain = Vec::with_capacity(self.value.len());
            rewritten(&self.value, &self.rewrites, policy, &mut plain);
            escape_into(&plain, &mut self.encoded);
        }
        self.encoded.push(b'"');
        out.write_all(&self.encoded)?;
        Ok(())
    }
}

/// `text` as it is written inside a JSON string: quotes, backslashes and control
/// characters escaped; bytes that are not UTF-8 written as U+FFFD, which is what a
/// reader would make of them.
fn escape_into(text: &[u8], out: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(text);
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buffer = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
}

/// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn is_number(text: &[u8]) -> bool {
    let digits = |at: &mut usize| {
        let start = *at;
        while *at < text.len() && text[*at].is_ascii_digit() {
            *at += 1;
        }
        *at > start
    };
    let mut at = 0;
    if text.first() == Some(&b'-') {
        at += 1;
    }
    match text.get(at) {
        Some(b'0') => at += 1,
        Some(b'1'..=b'9') => {
            digits(&mut at);
        }
        _ => return false,
    }
    if text.get(at) == Some(&b'.') {
        at += 1;
        if !digits(&mut at) {
            return false;
        }
    }
    if matches!(text.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(text.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if !digits(&mut at) {
            return false;
        }
    }
    at == text.len()
}
