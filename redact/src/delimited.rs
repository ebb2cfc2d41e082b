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
//!
//! # The block walk
//! Most cells hold nothing to rewrite, and judging each alone costs far more than
//! scanning does. Below the header, the lines at the head of the input buffer that hold
//! no quote are handed whole to the identifier set's raw-block filter, as the scanner's
//! CSV reader does: lines in which it sees no possible match are copied unjudged, the
//! others cut into cells and judged as above. Without quotes a line's cells are exactly
//! its bytes between delimiters, so this concludes what judging every cell would
//! (a test compares both). A line with a quote, and one across the buffer's end, go the
//! field-by-field way.

use std::io::{BufRead, Write};

use ferret_identifiers::{BlockFilter, BlockHits, UnitContext};
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
    let filter = planner.block_filter(delimiter);
    redact_table(input, delimiter, limits, filter, out, planner, policy)
}

/// [`redact_delimited`] with the block walk's filter given (`None`: every cell judged).
fn redact_table<R: BufRead>(
    input: R,
    delimiter: u8,
    limits: &Limits,
    filter: Option<BlockFilter>,
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
        filter,
        hits: BlockHits::default(),
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
    /// The block walk's filter, and the lines it found.
    filter: Option<BlockFilter>,
    hits: BlockHits,
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
            if at_record_start && self.row > 0 {
                self.plain_lines(out, planner, policy)?;
            }
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

    /// Copies the lines without quotes at the head of the input buffer, judging only
    /// those in which the block filter sees a possible match; returns at the first line
    /// that has a quote or is not whole in the buffer.
    fn plain_lines(
        &mut self,
        out: &mut dyn Write,
        planner: &mut Planner<'_>,
        policy: &Policy,
    ) -> Result<(), RedactError> {
        let Table {
            input,
            delimiter,
            max,
            headers,
            row,
            rewrites,
            encoded,
            filter,
            hits,
            ..
        } = self;
        let Some(block) = filter.as_mut() else {
            return Ok(());
        };
        loop {
            let buffer = input.buffer()?;
            let plain = memchr::memchr(b'"', buffer).unwrap_or(buffer.len());
            let Some(last) = memchr::memrchr(b'\n', &buffer[..plain]) else {
                return Ok(());
            };
            let region = &buffer[..=last];
            if block.find(region, 0..region.len(), hits).is_err() {
                // The filter gave up on this region: every cell is judged from here on.
                *filter = None;
                return Ok(());
            }
            let mut copied = 0;
            for index in 0..hits.len() {
                let end = hits.end(index);
                if end <= copied {
                    continue;
                }
                // `end - 1` is a byte of the unit: the line around it is judged whole.
                let start = memchr::memrchr(b'\n', &region[..end - 1]).map_or(0, |at| at + 1);
                let stop =
                    memchr::memchr(b'\n', &region[end - 1..]).map_or(region.len(), |at| end + at);
                out.write_all(&region[copied..start])?;
                let mut line = Line {
                    delimiter: *delimiter,
                    max: *max,
                    headers,
                    rewrites,
                    encoded,
                };
                line.write(&region[start..stop], out, planner, policy)?;
                copied = stop;
            }
            out.write_all(&region[copied..])?;
            let taken = region.len();
            input.consume(taken);
            *row += 1;
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
            Quoting::None => unquoted(
                &self.raw,
                &self.rewrites,
                policy,
                delimiter,
                &mut self.encoded,
            ),
        }
        out.write_all(&self.encoded)?;
        Ok(())
    }
}

/// One line of a region without quotes, cut into cells and judged as
/// [`Table::write_field`] judges unquoted fields.
struct Line<'t> {
    delimiter: u8,
    max: usize,
    headers: &'t [String],
    rewrites: &'t mut Vec<Rewrite>,
    encoded: &'t mut Vec<u8>,
}

impl Line<'_> {
    /// Writes `line` (its line ending included) with its cells rewritten.
    fn write(
        &mut self,
        line: &[u8],
        out: &mut dyn Write,
        planner: &mut Planner<'_>,
        policy: &Policy,
    ) -> Result<(), RedactError> {
        let mut column = 0;
        let mut start = 0;
        loop {
            let end = memchr::memchr3(self.delimiter, b'\r', b'\n', &line[start..])
                .map_or(line.len(), |at| start + at);
            self.cell(&line[start..end], column, out, planner, policy)?;
            let Some(&separator) = line.get(end) else {
                return Ok(());
            };
            out.write_all(&[separator])?;
            column = if separator == self.delimiter {
                column + 1
            } else {
                0
            };
            start = end + 1;
        }
    }

    fn cell(
        &mut self,
        cell: &[u8],
        column: usize,
        out: &mut dyn Write,
        planner: &mut Planner<'_>,
        policy: &Policy,
    ) -> Result<(), RedactError> {
        if cell.len() > self.max {
            return Err(RedactError::Read(ReadError::UnitTooLarge {
                limit: self.max,
            }));
        }
        self.rewrites.clear();
        if !cell.is_empty() {
            let context = match self.headers.get(column) {
                Some(name) if !name.is_empty() => UnitContext::Column(name),
                _ => UnitContext::None,
            };
            planner.plan(cell, 0..cell.len(), context, self.rewrites);
        }
        if self.rewrites.is_empty() {
            out.write_all(cell)?;
            return Ok(());
        }
        self.encoded.clear();
        unquoted(cell, self.rewrites, policy, self.delimiter, self.encoded);
        out.write_all(self.encoded)?;
        Ok(())
    }
}

/// An unquoted cell `raw` with its rewrites applied, quoted whole if it now needs it.
fn unquoted(raw: &[u8], rewrites: &[Rewrite], policy: &Policy, delimiter: u8, out: &mut Vec<u8>) {
    rewritten(raw, rewrites, policy, out);
    if needs_quotes(out, delimiter) {
        let plain = std::mem::take(out);
        out.push(b'"');
        quote_inner(&plain, out);
        out.push(b'"');
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};

    use super::*;
    use crate::policy::Key;

    /// Identifiers of every kind the filter must keep: a keyword from the column name,
    /// and the managed e-mail and CPF detectors (checksums, separators).
    const IDENTIFIERS: &str = r#"
[[identifier]]
name = "EMP"
regex = 'EMP-\d{5}'

[[identifier]]
name = "Badge"
regex = 'B\d{4}'
keywords = ["badge"]
maximum_match_distance = 20
"#;

    const PIECES: &[&str] = &[
        "EMP-12345",
        "B1234",
        "badge B1234",
        "jean.dupont@example.com",
        "529.982.247-25",
        "x",
        " ",
        ",",
        "\t",
        "\"",
        "\n",
        "\r\n",
        "\r",
        "é",
        "EMP-",
    ];

    /// The block walk changes nothing: every table, redacted with the filter and with
    /// every cell judged, gives the same copy and the same counts.
    #[test]
    fn the_block_walk_concludes_what_judging_every_cell_does() {
        let file = IdentifierFile::parse(Path::new("ids.toml"), IDENTIFIERS).expect("ids");
        let managed = ManagedSelection::parse("EMAIL_ADDRESS,BRAZIL_CPF_NUMBER").expect("managed");
        let set = IdentifierSet::new(&file, &managed).expect("set");
        let policy = Policy::new(&set, &file.redaction, Key::new(b"k".to_vec())).expect("policy");
        let mut rng = fastrand::Rng::with_seed(7);
        for delimiter in [b',', b'\t'] {
            let Some(filter) = Planner::new(&set).block_filter(delimiter) else {
                panic!("these identifiers have a block filter");
            };
            let mut walked = 0;
            for _ in 0..300 {
                let mut table = String::from("id,badge,mail\n");
                if delimiter == b'\t' {
                    table = table.replace(',', "\t");
                }
                // Mostly lines without quotes, so that the walk takes most of them.
                for _ in 0..rng.usize(1..40) {
                    for _ in 0..rng.usize(1..6) {
                        let piece = PIECES[rng.usize(..PIECES.len())];
                        if piece == "\"" && rng.u8(..4) != 0 {
                            continue;
                        }
                        table.push_str(piece);
                        table.push(if rng.bool() { delimiter as char } else { ' ' });
                    }
                    table.push_str(if rng.bool() { "\n" } else { "\r\n" });
                }
                // Small buffers put many lines across their end.
                let capacity = rng.usize(64..2048);
                let run = |filter: Option<BlockFilter>| {
                    let mut planner = Planner::new(&set);
                    let mut out = Vec::new();
                    let input = std::io::BufReader::with_capacity(capacity, table.as_bytes());
                    redact_table(
                        input,
                        delimiter,
                        &Limits::default(),
                        filter,
                        &mut out,
                        &mut planner,
                        &policy,
                    )
                    .expect("redacted");
                    (out, planner.counts().to_vec())
                };
                let fast = run(Some(filter.clone()));
                let full = run(None);
                assert_eq!(
                    String::from_utf8_lossy(&fast.0),
                    String::from_utf8_lossy(&full.0),
                    "{table:?}"
                );
                assert_eq!(fast.1, full.1, "counts of {table:?}");
                walked += usize::from(fast.0 != table.as_bytes());
            }
            assert!(walked > 100, "tables with rewrites: {walked}");
        }
    }
}
