//! Plain text: the whole object is one unit, read in overlapping windows so that memory
//! stays bounded whatever the file's size.

use std::io::{self, Read};

use ferret_identifiers::UnitContext;

use super::{ReadError, Sink, TextUnit, UnitPlace};

/// New bytes searched per window.
pub const WINDOW: usize = 1024 * 1024;
/// How far a match may run past the end of its window's search range. A match longer
/// than this is cut at the window's end.
pub const GUARD: usize = 64 * 1024;
/// Bytes kept before each window's search range, so that keywords before it still count
/// (300 characters of distance plus a 90-character keyword, at up to 4 bytes each) and
/// word boundaries see the byte before.
pub const LOOKBACK: usize = 2048;

/// The UTF-8 byte-order mark some Windows tools write first: not a character of the
/// text (columns on line 1 would count it).
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads `input` as one text unit, handed to `sink` as successive windows whose search
/// ranges tile the text exactly once. A leading byte-order mark is not part of the text.
///
/// Empty text has no window: a unit means that something was read. When `input`
/// fails, what was read before is still handed over (the window up to the failure) and
/// the error is returned after it, so that the object is reported PARTIAL with what it
/// holds, or SKIPPED when nothing could be read.
pub fn read_text<R: Read>(mut input: R, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut buffer: Vec<u8> = Vec::with_capacity(LOOKBACK + WINDOW + GUARD);
    let mut search_start = 0;
    let mut first_line = 1;
    let mut first_column = 1;
    let mut at_start = true;
    // The offset in the input of `buffer[0]`.
    let mut offset: u64 = 0;
    loop {
        let (eof, failure) = match fill(&mut input, &mut buffer, search_start + WINDOW + GUARD) {
            Ok(eof) => (eof, None),
            Err(e) => (true, Some(e)),
        };
        if std::mem::take(&mut at_start) && buffer.starts_with(BOM) {
            buffer.drain(..BOM.len());
            offset = BOM.len() as u64;
        }
        let search_end = if eof {
            buffer.len()
        } else {
            buffer.len() - GUARD
        };
        // Only the end of the text (or a failure) may leave nothing new to search.
        if search_end > search_start {
            sink.unit(TextUnit {
                span: Some(offset..offset + buffer.len() as u64),
                bytes: &buffer,
                search: search_start..search_end,
                place: UnitPlace::Text {
                    first_line,
                    first_column,
                    dropped: &[],
                },
                context: UnitContext::None,
                only: None,
                member: None,
            });
        }
        if let Some(error) = failure {
            return Err(ReadError::Io(error));
        }
        if eof {
            return Ok(());
        }
        let keep_from = char_start_at_or_before(&buffer, search_end.saturating_sub(LOOKBACK));
        let dropped = &buffer[..keep_from];
        match memchr::memrchr(b'\n', dropped) {
            Some(last) => {
                first_line += memchr::memchr_iter(b'\n', dropped).count() as u64;
                first_column =
                    ferret_identifiers::text::char_count(&dropped[last + 1..]) as u64 + 1;
            }
            None => first_column += ferret_identifiers::text::char_count(dropped) as u64,
        }
        buffer.drain(..keep_from);
        offset += keep_from as u64;
        search_start = search_end - keep_from;
    }
}

/// Reads until `buffer` holds `target` bytes or the input ends; true at the end.
pub(super) fn fill<R: Read>(
    input: &mut R,
    buffer: &mut Vec<u8>,
    target: usize,
) -> io::Result<bool> {
    let mut filled = buffer.len();
    if filled >= target {
        return Ok(false);
    }
    // Exactly: a caller that bounds `target` bounds the buffer's memory. Zeroed once:
    // a stream that returns a little at a time (a decompressor) would otherwise have
    // the rest of the block zeroed again after each read.
    buffer.reserve_exact(target - filled);
    buffer.resize(target, 0);
    let outcome = loop {
        if filled == target {
            break Ok(false);
        }
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break Ok(true),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    buffer.truncate(filled);
    outcome
}

/// Moves `offset` back to the first byte of the character it falls in, so that a window
/// never starts inside a multi-byte character.
fn char_start_at_or_before(bytes: &[u8], mut offset: usize) -> usize {
    while offset > 0 && offset < bytes.len() && (bytes[offset] & 0xC0) == 0x80 {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::Reason;

    type Window = (Vec<u8>, u64, u64);

    /// Reads `input`; collects (search range text, first_line, first_column) of every
    /// window, and how the reading ended.
    fn read_windows<R: Read>(input: R) -> (Vec<Window>, Result<(), ReadError>) {
        let mut out = Vec::new();
        let outcome = read_text(input, &mut |unit: TextUnit<'_>| {
            let UnitPlace::Text {
                first_line,
                first_column,
                ..
            } = unit.place
            else {
                panic!("text units");
            };
            out.push((
                unit.bytes[unit.search.clone()].to_vec(),
                first_line,
                first_column,
            ));
        });
        (out, outcome)
    }

    fn windows(text: &[u8]) -> Vec<Window> {
        let (windows, outcome) = read_windows(text);
        outcome.expect("in-memory input");
        windows
    }

    /// Serves `bytes`, then fails as a truncated gzip stream does.
    struct Truncated<'a>(&'a [u8]);

    impl Read for Truncated<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "truncated"));
            }
            let n = self.0.len().min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// The windows handed over before `input` fails, and its error.
    fn windows_until_failure(bytes: &[u8]) -> (Vec<Window>, ReadError) {
        let (out, outcome) = read_windows(Truncated(bytes));
        let error = outcome.expect_err("the input fails");
        (out, error)
    }

    #[test]
    fn small_text_is_one_window() {
        let w = windows(b"hello\nworld");
        assert_eq!(w, [(b"hello\nworld".to_vec(), 1, 1)]);
    }

    #[test]
    fn empty_text_has_no_window() {
        assert_eq!(windows(b""), []);
    }

    #[test]
    fn a_byte_order_mark_is_not_text() {
        assert_eq!(
            windows("\u{FEFF}EMP-50009 x\n".as_bytes()),
            [(b"EMP-50009 x\n".to_vec(), 1, 1)]
        );
        assert_eq!(windows("\u{FEFF}".as_bytes()), []);
        // Only at the start.
        assert_eq!(
            windows("a\u{FEFF}".as_bytes()),
            [("a\u{FEFF}".as_bytes().to_vec(), 1, 1)]
        );
    }

    #[test]
    fn what_was_read_before_a_failure_is_handed_over() {
        let (w, error) = windows_until_failure(b"card 4111 1111 1111 1111\nmore");
        assert_eq!(w, [(b"card 4111 1111 1111 1111\nmore".to_vec(), 1, 1)]);
        assert_eq!(error.reason(), Reason::MalformedFile);
    }

    #[test]
    fn nothing_is_handed_over_when_nothing_was_read() {
        let (w, error) = windows_until_failure(b"");
        assert_eq!(w, []);
        assert_eq!(error.reason(), Reason::MalformedFile);
    }

    #[test]
    fn a_failure_after_full_windows_hands_over_the_rest() {
        let text = "line\n".repeat(WINDOW / 5 * 2);
        let (w, _) = windows_until_failure(text.as_bytes());
        assert!(w.len() >= 2, "several windows: {}", w.len());
        let joined: Vec<u8> = w.iter().flat_map(|(bytes, _, _)| bytes.clone()).collect();
        assert_eq!(joined, text.as_bytes(), "every byte read is searched once");
    }

    #[test]
    fn search_ranges_tile_a_large_text_exactly_once() {
        let line = "é123 abc\n";
        let text: String = line.repeat(3 * WINDOW / line.len() + 17);
        let w = windows(text.as_bytes());
        assert!(w.len() >= 3, "several windows: {}", w.len());
        let joined: Vec<u8> = w.iter().flat_map(|(bytes, _, _)| bytes.clone()).collect();
        assert_eq!(joined, text.as_bytes());
    }

    #[test]
    fn windows_know_their_line_and_column() {
        let text = "a\n".repeat(WINDOW) + "end";
        let w = windows(text.as_bytes());
        let mut line = 1;
        let mut seen = 0usize;
        for (bytes, first_line, _) in &w {
            // The search range starts where the previous one ended; the window's first
            // byte is LOOKBACK-ish earlier, so its line is at most that many lines back.
            assert!(*first_line <= line, "{first_line} <= {line}");
            line += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            seen += bytes.len();
        }
        assert_eq!(seen, text.len());
    }
}
