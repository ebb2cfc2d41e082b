//! CSV and TSV fields, one at a time, each held up to a limit.
//!
//! [`Fields`] parses with csv-core configured as the csv crate configures it (any of
//! `\r`, `\n`, `\r\n` ends a record, `""` escapes a quote, blank lines are not
//! records, a leading byte-order mark is dropped), so it reads the records the csv
//! crate reads, field by field. Unlike a record reader it never holds a record: a
//! field is handed over as soon as it ends, and a field longer than the limit is not
//! kept at all. Its bytes are parsed and dropped up to its end, so that the fields
//! after it are read as usual. Memory is one read block plus one field of at most
//! the limit, whatever the table holds.

use std::io::{self, Read};

use csv_core::ReadFieldResult;

/// Bytes read from the input at a time, and the scratch space that receives the
/// bytes of a field past the limit.
const CHUNK: usize = 64 * 1024;
/// The field buffer's first size; it doubles as fields need, up to the limit.
const FIRST_FIELD: usize = 1024;

/// One field, as [`Fields::next`] hands it over.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Field<'a> {
    /// The field's bytes, unescaped.
    Kept(&'a [u8]),
    /// A field longer than the limit, of which only the length in characters is
    /// known (a header cell's width places the header cells after it).
    TooLarge { chars: u64 },
}

/// Reads the fields of a table, holding at most `max` bytes of any field.
pub(super) struct Fields<R> {
    input: R,
    core: csv_core::Reader,
    /// `read[at..len]` are bytes read and not parsed yet.
    read: Box<[u8]>,
    at: usize,
    len: usize,
    /// The input has ended: csv-core is then given empty input until it says `End`.
    eof: bool,
    /// The current field's kept bytes are `field[..kept]`; `field` grows up to `max`.
    field: Vec<u8>,
    scratch: Box<[u8]>,
    max: usize,
}

/// Where the bytes of the field being parsed go.
#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    /// Bytes kept in the field buffer.
    kept: usize,
    /// Bytes and characters past the limit, parsed into scratch space and dropped.
    past: u64,
    past_chars: u64,
    /// The field buffer is full at the limit: the rest of the field goes to scratch.
    overflowing: bool,
}

impl<R: Read> Fields<R> {
    pub(super) fn new(input: R, delimiter: u8, max: usize) -> Self {
        Fields {
            input,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            read: vec![0; CHUNK].into_boxed_slice(),
            at: 0,
            len: 0,
            eof: false,
            field: vec![0; FIRST_FIELD.min(max)],
            scratch: vec![0; CHUNK].into_boxed_slice(),
            max,
        }
    }

    /// The next field and whether it ends its record; `None` once the input is read.
    pub(super) fn next(&mut self) -> io::Result<Option<(Field<'_>, bool)>> {
        let mut progress = Progress::default();
        loop {
            if self.at == self.len && !self.eof {
                self.refill()?;
            }
            let input = &self.read[self.at..self.len];
            let output = if progress.overflowing {
                &mut self.scratch[..]
            } else {
                &mut self.field[progress.kept..]
            };
            let (result, used, written) = self.core.read_field(input, output);
            let exhausted = input.is_empty();
            self.at += used;
            if progress.overflowing {
                progress.past += written as u64;
                progress.past_chars +=
                    ferret_identifiers::text::char_count(&self.scratch[..written]) as u64;
            } else {
                progress.kept += written;
            }
            match result {
                // csv-core takes empty input for the end of the data and never asks for
                // more after it; stop rather than loop should it ever do so.
                ReadFieldResult::InputEmpty if exhausted && self.eof => return Ok(None),
                ReadFieldResult::InputEmpty => {}
                ReadFieldResult::OutputFull => self.make_room(&mut progress),
                ReadFieldResult::Field { record_end } => {
                    return Ok(Some((self.finish(progress), record_end)))
                }
                ReadFieldResult::End => return Ok(None),
            }
        }
    }

    /// The field buffer is full: doubles it up to the limit, or once there sends the
    /// rest of the field to scratch space.
    fn make_room(&mut self, progress: &mut Progress) {
        if progress.overflowing {
            // Scratch space was handed over whole; csv-core filled it and gets it again.
            return;
        }
        if self.field.len() < self.max {
            let grown = (self.field.len() * 2).max(FIRST_FIELD).min(self.max);
            self.field.resize(grown, 0);
        } else {
            progress.overflowing = true;
        }
    }

    /// The field that just ended: kept unless bytes went past the limit (a field of
    /// exactly the limit may fill the buffer before its end is seen).
    fn finish(&self, progress: Progress) -> Field<'_> {
        let kept = &self.field[..progress.kept];
        if progress.past == 0 {
            Field::Kept(kept)
        } else {
            let chars = ferret_identifiers::text::char_count(kept) as u64 + progress.past_chars;
            Field::TooLarge { chars }
        }
    }

    /// Reads the next block; notes the end of the input.
    fn refill(&mut self) -> io::Result<()> {
        self.at = 0;
        self.len = 0;
        loop {
            match self.input.read(&mut self.read) {
                Ok(read) => {
                    self.len = read;
                    self.eof = read == 0;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of `data` read with a limit of `max`: (text or `None` when too
    /// large, its characters, whether it ends its record).
    fn fields(data: &[u8], max: usize) -> Vec<(Option<String>, u64, bool)> {
        let mut reader = Fields::new(data, b',', max);
        let mut out = Vec::new();
        while let Some((field, end)) = reader.next().expect("in memory") {
            out.push(match field {
                Field::Kept(bytes) => {
                    let text = String::from_utf8_lossy(bytes).into_owned();
                    let chars = text.chars().count() as u64;
                    (Some(text), chars, end)
                }
                Field::TooLarge { chars } => (None, chars, end),
            });
        }
        out
    }

    fn kept(text: &str, end: bool) -> (Option<String>, u64, bool) {
        (Some(text.to_owned()), text.chars().count() as u64, end)
    }

    #[test]
    fn fields_longer_than_the_limit_are_dropped_and_the_rest_is_read() {
        let data = "a,0123456789,b\n\"01234\"\"6789\",éééééé\n\nlast".as_bytes();
        assert_eq!(
            fields(data, 5),
            [
                kept("a", false),
                (None, 10, false),
                kept("b", true),
                (None, 10, false),
                (None, 6, true),
                kept("last", true),
            ]
        );
    }

    #[test]
    fn a_field_of_exactly_the_limit_is_kept() {
        for max in [4, 5] {
            let got = fields(b"abcd,\"abcd\"\nabcd", max);
            assert_eq!(
                got,
                [kept("abcd", false), kept("abcd", true), kept("abcd", true)]
            );
        }
        assert_eq!(fields(b"abcd", 3), [(None, 4, true)]);
        assert_eq!(fields(b",x", 0), [kept("", false), (None, 1, true)]);
    }

    /// Records and fields are the csv crate's, whatever the block and field sizes.
    #[test]
    fn fields_are_the_csv_crates() {
        let data = b"\xef\xbb\xbfh1,h2\r\n\r\na,\"b\nc\"\"\"\n\"unclosed,x\nmore";
        let expected: Vec<Vec<Vec<u8>>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&data[..])
            .byte_records()
            .map(|r| r.expect("in memory").iter().map(<[u8]>::to_vec).collect())
            .collect();
        let mut reader = Fields::new(&data[..], b',', usize::MAX >> 1);
        let mut got: Vec<Vec<Vec<u8>>> = vec![Vec::new()];
        while let Some((field, end)) = reader.next().expect("in memory") {
            let Field::Kept(bytes) = field else {
                panic!("no limit")
            };
            got.last_mut().expect("a record").push(bytes.to_vec());
            if end {
                got.push(Vec::new());
            }
        }
        got.pop();
        assert_eq!(got, expected);
    }
}
