//! CSV and TSV: every cell rewritten where it holds kept matches, everything else
//! (quoting, line endings, blank lines, column order) copied as it is.
//!
//! Records are cut by `csv-core`'s rules, as the scanner reads them: a quote opens a
//! quoted field only at the field's start, `""` inside it is one quote, text after the
//! closing quote belongs to the field, `\r`, `\n` and `\r\n` end a record, blank lines
//! are no record. Row 1 is the header: its cells are judged as text, and name the
//! columns whose keywords the cells below are judged with.
//!
//! A cell is rewritten in its own encoding: in a quoted cell the rewrite is quoted too
//! (its quotes doubled); an unquoted cell whose rewrite needs quotes (it holds the
//! delimiter, a quote or a line break) is quoted whole.

use std::io::{BufRead, Write};

use ferret_identifiers::UnitContext;
use ferret_scanner::reader::column_name;
use ferret_scanner::{Limits, ReadError};

use crate::input::Bytes;
use crate::plan::{Planner, Rewrite};
use crate::policy::Policy;
use crate::splice::{rewritten, splice, Layout};
use crate::RedactError;

/// Copies the table `input` to `out` with every kept match rewritten.
pub fn redact_delimited<R: BufRead>(
    input: R,
    delimiter: u8,
    limits: &Limits,
    out: &mut dyn Write,
    planner: &mut Planner<'_>,
    policy: &Policy,
) -> Result<(), RedactError> {
    let mut table = Table {
        input: Bytes::new(input),
        delimiter,
        max: limits.max_unit_bytes,
        headers: Vec::new(),
        row: 0,
        column: 0,
        raw: Vec::new(),
        value: Vec::new(),
        layout: Layout::default(),
        rewrites: Vec::new(),
        encoded: Vec::new(),
    };
    table.run(out, planner, policy)
}

struct Table<R> {
    input: Bytes<R>,
    delimiter: u8,
    max: usize,
    /// Column names, from row 1.
    headers: Vec<String>,
    /// 0 while reading the header.
    row: u64,
    /// 0-based column of the field being read.
    column: usize,
    /// The field's raw bytes, and for a quoted one its value and layout.
    raw: Vec<u8>,
    value: Vec<u8>,
    layout: Layout,
    rewrites: Vec<Rewrite>,
    encoded: Vec<u8>,
}

/// How a field was written.
enum Quoting {
    None,
    /// Quoted; `body` is the raw range between the quotes, and nothing follows the
    /// closing quote.
    Quoted {
        body: std::ops::Range<usize>,
    },
    /// Quoted, with text after the closing quote (csv-core keeps it in the value):
    /// rewritten fields of this shape are re-quoted whole.
    Irregular,
}

impl<R: BufRead> Table<R> {
    fn run(
        &mut self,
        out: &mut dyn Write,
        planner: &mut Planner<'_>,
        policy: &Policy,
    ) -> Result<(), RedactError> {
        let mut at_record_start = true;
        loop {
            let Some(first) = self.input.peek()? else {
                return Ok(());
            };
            if at_record_start && matches!(first, b'\r' | b'\n') {
                // A blank line, or the `\n` of a `\r\n`: no record.
                self.input.next()?;
                out.write_all(&[first])?;
                continue;
            }
            at_record_start = false;
            let quoting = self.field(first == b'"')?;
            self.write_field(quoting, out, planner, policy)?;
            match self.input.next()? {
                Some(b) if b == self.delimiter => {
                    out.write_all(&[b])?;
                    self.column += 1;
                }
                Some(b) => {
                    // `\r` or `\n`: the record ends.
                    out.write_all(&[b])?;
                    self.end_record();
                    at_record_start = true;
                }
                None => return Ok(()),
            }
        }
    }

    fn end_record(&mut self) {
        self.row += 1;
        self.column = 0;
    }

    fn too_long(&self) -> RedactError {
        RedactError::Read(ReadError::UnitTooLarge { limit: self.max })
    }

    /// Reads one field up to (not including) its delimiter or terminator.
    fn field(&mut self, quoted: bool) -> Result<Quoting, RedactError> {
        self.raw.clear();
        let delimiter = self.delimiter;
        let unquoted_end = |buf: &[u8]| memchr::memchr3(delimiter, b'\n', b'\r', buf);
        // The raw form of a quoted field is longer than its value by its quotes; allow
        // for them so that the limit applies to the value, as in the scanner.
        let max = self.max.saturating_mul(2).saturating_add(2);
        if !quoted {
            self.input
                .take_until(&mut self.raw, self.max, unquoted_end)?
                .map_err(|_| self.too_long())?;
            return Ok(Quoting::None);
        }
        self.value.clear();
        self.layout.clear();
        self.input.next()?;
        self.raw.push(b'"');
        loop {
            let before = self.raw.len();
            let found = self
                .input
                .take_until(&mut self.raw, max, |buf| memchr::memchr(b'"', buf))?
                .map_err(|_| self.too_long())?;
            self.value.extend_from_slice(&self.raw[before..]);
            if found.is_none() {
                // The input ends inside the quotes: csv-core ends the field there.
                return Ok(Quoting::Irregular);
            }
            self.input.next()?;
            self.raw.push(b'"');
            if self.input.peek()? == Some(b'"') {
                self.input.next()?;
                self.raw.push(b'"');
                self.layout.escape(self.value.len(), 1, 2);
                self.value.push(b'"');
                continue;
            }
            let body = 1..self.raw.len() - 1;
            let before = self.raw.len();
            self.input
                .take_until(&mut self.raw, max, unquoted_end)?
                .map_err(|_| self.too_long())?;
            if self.raw.len() == before {
                return Ok(Quoting::Quoted { body });
            }
            self.value.extend_from_slice(&self.raw[before..]);
            return Ok(Quoting::Irregular);
        }
    }

    fn write_field(
        &mut self,
        quoting: Quoting,
        out: &mut dyn Write,
        planner: &mut Planner<'_>,
        policy: &Policy,
    ) -> Result<(), RedactError> {
        let value: &[u8] = match quoting {
            Quoting::None => &self.raw,
            _ => &self.value,
        };
        if value.len() > self.max {
            return Err(self.too_long());
        }
        let column = self.column;
        if self.row == 0 {
            self.headers.push(if value.is_empty() {
                String::new()
            } else {
                column_name(value)
            });
        }
        self.rewrites.clear();
        if !value.is_empty() {
            let context = match self.headers.get(column) {
                Some(name) if self.row > 0 && !name.is_empty() => UnitContext::Column(name),
                _ => UnitContext::None,
            };
            planner.plan(value, 0..value.len(), context, &mut self.rewrites);
        }
        if self.rewrites.is_empty() {
            out.write_all(&self.raw)?;
            return Ok(());
        }
        self.encoded.clear();
        let delimiter = self.delimiter;
        match quoting {
            Quoting::Quoted { body } => {
                self.encoded.push(b'"');
                let spliced = splice(
                    &self.raw[body],
                    &self.value,
                    &self.layout,
                    &self.rewrites,
                    policy,
                    &|text, out| quote_inner(text, out),
                    &mut self.encoded,
                );
                if spliced {
                    self.encoded.push(b'"');
                } else {
                    self.encoded.clear();
                    requote(&self.value, &self.rewrites, policy, &mut self.encoded);
                }
            }
            Quoting::Irregular => requote(&self.value, &self.rewrites, policy, &mut self.encoded),
            Quoting::None => {
                rewritten(&self.raw, &self.rewrites, policy, &mut self.encoded);
                if needs_quotes(&self.encoded, delimiter) {
                    let plain = std::mem::take(&mut self.encoded);
                    self.encoded.push(b'"');
                    quote_inner(&plain, &mut self.encoded);
                    self.encoded.push(b'"');
                }
            }
        }
        out.write_all(&self.encoded)?;
        Ok(())
    }
}

/// A quoted cell holding the rewritten value.
fn requote(value: &[u8], rewrites: &[Rewrite], policy: &Policy, out: &mut Vec<u8>) {
    let mut plain = Vec::with_capacity(value.len());
    rewritten(value, rewrites, policy, &mut plain);
    out.push(b'"');
    quote_inner(&plain, out);
    out.push(b'"');
}

/// `text` as it is written between quotes: each quote doubled.
fn quote_inner(text: &[u8], out: &mut Vec<u8>) {
    for &byte in text {
        if byte == b'"' {
            out.push(b'"');
        }
        out.push(byte);
    }
}

/// Whether an unquoted cell holding `text` would be read back as something else.
fn needs_quotes(text: &[u8], delimiter: u8) -> bool {
    text.iter()
        .any(|&b| b == delimiter || matches!(b, b'"' | b'\r' | b'\n'))
}
