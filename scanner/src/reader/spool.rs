//! The text of a document as its readers extract it, one line at a time, then read as
//! one text unit.
//!
//! Word documents and e-mails are not text as stored: their text is decoded out of XML
//! runs, piece tables or MIME parts. A [`TextSpool`] collects that text, in memory up to
//! [`IN_MEMORY`] bytes and in an anonymous temporary file beyond, so that a document of
//! any size costs bounded memory. The text is then read as a text file is (in windows,
//! located by line and column), except that its units carry no span: their bytes are
//! not the object's.

use std::io::{self, BufReader, Seek, SeekFrom, Write};

use tempfile::SpooledTempFile;

use super::{read_text, ReadError, Sink, TextUnit};

/// Text kept in memory before the spool moves to a temporary file.
const IN_MEMORY: usize = 8 * 1024 * 1024;

/// Extracted text on its way to the text reader.
pub(crate) struct TextSpool {
    out: io::BufWriter<SpooledTempFile>,
    /// Whether anything but line breaks was written: a document with no text at all
    /// is reported as read, with no unit.
    any_text: bool,
    /// Whether the current line has text yet.
    line_has_text: bool,
    /// Whether an empty line is kept as a line (see [`TextSpool::keep_empty_lines`]).
    keep_empty: bool,
}

impl TextSpool {
    pub(crate) fn new() -> TextSpool {
        TextSpool {
            out: io::BufWriter::new(SpooledTempFile::new(IN_MEMORY)),
            any_text: false,
            line_has_text: false,
            keep_empty: true,
        }
    }

    /// Whether empty lines are written from now on. A body's empty paragraphs are
    /// lines (a reader counts them); the padding paragraphs that editors write around
    /// headers, notes and comments are not, and would only push later lines down.
    pub(crate) fn keep_empty_lines(&mut self, keep: bool) {
        self.keep_empty = keep;
    }

    /// Appends text to the current line. Line breaks inside it start new lines.
    pub(crate) fn push_str(&mut self, text: &str) -> io::Result<()> {
        if !text.is_empty() {
            self.any_text = true;
            self.line_has_text = true;
            self.out.write_all(text.as_bytes())?;
        }
        Ok(())
    }

    /// Appends one character to the current line.
    pub(crate) fn push(&mut self, c: char) -> io::Result<()> {
        self.push_str(c.encode_utf8(&mut [0; 4]))
    }

    /// Ends the current line.
    pub(crate) fn end_line(&mut self) -> io::Result<()> {
        if !self.keep_empty && !std::mem::take(&mut self.line_has_text) {
            return Ok(());
        }
        self.line_has_text = false;
        self.out.write_all(b"\n")
    }

    /// Hands the text to `sink` as one text unit (in windows), its lines numbered from 1.
    pub(crate) fn finish(self, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        if !self.any_text {
            return Ok(());
        }
        let mut file = self
            .out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        let mut unplaced = |unit: TextUnit<'_>| sink.unit(TextUnit { span: None, ..unit });
        read_text(BufReader::new(file), &mut unplaced)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::UnitPlace;

    #[test]
    fn lines_are_read_as_one_unit_without_a_span() {
        let mut spool = TextSpool::new();
        spool.push_str("Ana Lima").expect("write");
        spool.end_line().expect("write");
        spool.push('é').expect("write");
        spool.end_line().expect("write");
        let mut seen = Vec::new();
        spool
            .finish(&mut |unit: TextUnit<'_>| {
                assert_eq!(unit.span, None);
                assert!(matches!(unit.place, UnitPlace::Text { first_line: 1, .. }));
                seen.push(String::from_utf8_lossy(unit.bytes).into_owned());
            })
            .expect("read");
        assert_eq!(seen, ["Ana Lima\né\n"]);
    }

    #[test]
    fn empty_lines_are_dropped_where_asked() {
        let mut spool = TextSpool::new();
        spool.end_line().expect("write");
        spool.keep_empty_lines(false);
        spool.end_line().expect("write");
        spool.push_str("a").expect("write");
        spool.end_line().expect("write");
        spool.end_line().expect("write");
        spool.push_str("b").expect("write");
        spool.end_line().expect("write");
        let mut seen = String::new();
        spool
            .finish(&mut |unit: TextUnit<'_>| seen.push_str(&String::from_utf8_lossy(unit.bytes)))
            .expect("read");
        assert_eq!(seen, "\na\nb\n");
    }

    #[test]
    fn blank_documents_have_no_unit() {
        let mut spool = TextSpool::new();
        spool.end_line().expect("write");
        let mut units = 0;
        spool
            .finish(&mut |_: TextUnit<'_>| units += 1)
            .expect("read");
        assert_eq!(units, 0);
    }
}
