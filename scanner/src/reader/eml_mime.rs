//! A MIME message cut on its boundaries as it streams.
//!
//! [`MimeLines`] reads a message through one fixed buffer and hands out pieces of lines:
//! a line of any length (a base64 attachment written without line breaks is one line of
//! hundreds of megabytes) costs one buffer. At each line start it looks for the
//! delimiter of any multipart still open (`--boundary`, innermost first; `--boundary--`
//! closes one), so a part's body ends where its delimiter line starts, without the line
//! break before it, which RFC 2046 makes part of the delimiter. An outer delimiter met
//! inside an inner multipart ends the inner one too, which keeps a message whose inner
//! multipart is never closed readable.
//!
//! Delimiters are looked for at line starts only, as RFC 2046 defines them (mail-parser,
//! reading a whole message, also takes `--boundary` in the middle of a line; the two
//! agree on every message whose delimiters are where mail programs write them).
//!
//! This module knows lines and delimiters only; what parts mean is [`super::eml`]'s.

use std::io::{self, Read};
use std::ops::Range;

/// The buffer through which the message is read.
const BUFFER: usize = 64 * 1024;

/// The longest boundary looked for. RFC 2046 allows 70 characters; a multipart whose
/// boundary is longer is read as a single part.
pub(crate) const MAX_BOUNDARY: usize = 256;

/// How a body or preamble ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    /// At the end of the message.
    Eof,
    /// At a delimiter line of the multipart open at `level` (0 is the outermost), which
    /// `close` says was its closing one. The line has been read.
    Delimiter { level: usize, close: bool },
}

/// A message as lines and delimiters.
pub(crate) struct MimeLines<R> {
    inner: R,
    buffer: Box<[u8]>,
    /// What is still to be handed out is `buffer[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// Whether `start` is the first byte of a line.
    line_start: bool,
}

impl<R: Read> MimeLines<R> {
    pub(crate) fn new(inner: R) -> Self {
        MimeLines {
            inner,
            buffer: vec![0; BUFFER].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            line_start: true,
        }
    }

    /// Reads until `want` bytes are buffered or the input ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        while self.end - self.start < want && !self.eof {
            if self.start > 0 {
                self.buffer.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            match self.inner.read(&mut self.buffer[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The next piece of a line, and whether it ends the line (its line break
    /// included); `None` at the end of the input. A carriage return at the end of the
    /// buffer is kept for the next piece, so that a piece never ends between the two
    /// bytes of a CRLF.
    fn piece(&mut self) -> io::Result<Option<(Range<usize>, bool)>> {
        self.fill(2)?;
        if self.start == self.end {
            return Ok(None);
        }
        let available = &self.buffer[self.start..self.end];
        let (length, ends_line) = match memchr::memchr(b'\n', available) {
            Some(at) => (at + 1, true),
            None if available.len() > 1 && available.ends_with(b"\r") => {
                (available.len() - 1, false)
            }
            None => (available.len(), false),
        };
        let range = self.start..self.start + length;
        self.start += length;
        self.line_start = ends_line;
        Ok(Some((range, ends_line)))
    }

    /// The delimiter that starts the current line, if it starts one of `boundaries`
    /// (checked innermost first). The line is not read.
    fn delimiter(&mut self, boundaries: &[Vec<u8>]) -> io::Result<Option<Ended>> {
        if !self.line_start || boundaries.is_empty() {
            return Ok(None);
        }
        self.fill(MAX_BOUNDARY + 4)?;
        let Some(rest) = self.buffer[self.start..self.end].strip_prefix(b"--") else {
            return Ok(None);
        };
        Ok(boundaries
            .iter()
            .enumerate()
            .rev()
            .find_map(|(level, boundary)| {
                let after = rest.strip_prefix(boundary.as_slice())?;
                Some(Ended::Delimiter {
                    level,
                    close: after.starts_with(b"--"),
                })
            }))
    }

    /// Reads the rest of the current line.
    fn skip_line(&mut self) -> io::Result<()> {
        while let Some((_, ends_line)) = self.piece()? {
            if ends_line {
                break;
            }
        }
        Ok(())
    }

    /// Reads a header block, up to the blank line that ends it (read, not returned),
    /// a delimiter (not read: the part has no body) or the end of the input. At most
    /// `max` bytes of it are kept; the rest is read and dropped.
    pub(crate) fn read_headers(
        &mut self,
        boundaries: &[Vec<u8>],
        max: usize,
    ) -> io::Result<Vec<u8>> {
        let mut block = Vec::new();
        loop {
            if self.delimiter(boundaries)?.is_some() {
                return Ok(block);
            }
            let line_start = block.len();
            let (mut blank, mut ends_line) = (true, false);
            while !ends_line {
                let Some((range, ends)) = self.piece()? else {
                    break;
                };
                ends_line = ends;
                let bytes = &self.buffer[range];
                blank &= bytes.iter().all(u8::is_ascii_whitespace);
                let keep = max.saturating_sub(block.len()).min(bytes.len());
                block.extend_from_slice(&bytes[..keep]);
            }
            if blank {
                // The blank line that ends the block (or nothing, at the end).
                block.truncate(line_start);
                return Ok(block);
            }
            if !ends_line {
                return Ok(block);
            }
        }
    }

    /// Hands the body that starts here to `each`, piece by piece, up to a delimiter of
    /// `boundaries` (read) or the end of the input, and says which.
    pub(crate) fn read_body(
        &mut self,
        boundaries: &[Vec<u8>],
        mut each: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<Ended> {
        // The previous line's break, held until the next line proves not to be a
        // delimiter.
        let mut held: &'static [u8] = b"";
        loop {
            if let Some(ended) = self.delimiter(boundaries)? {
                self.skip_line()?;
                return Ok(ended);
            }
            let Some((range, ends_line)) = self.piece()? else {
                if !held.is_empty() {
                    each(held)?;
                }
                return Ok(Ended::Eof);
            };
            if !held.is_empty() {
                each(std::mem::take(&mut held))?;
            }
            let bytes = &self.buffer[range];
            if ends_line {
                let (content, line_break): (&[u8], &'static [u8]) =
                    match bytes.strip_suffix(b"\r\n") {
                        Some(content) => (content, b"\r\n"),
                        None => (&bytes[..bytes.len() - 1], b"\n"),
                    };
                if !content.is_empty() {
                    each(content)?;
                }
                held = line_break;
            } else {
                each(bytes)?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Trickle;

    fn body(lines: &mut MimeLines<impl Read>, boundaries: &[Vec<u8>]) -> (Vec<u8>, Ended) {
        let mut out = Vec::new();
        let ended = lines
            .read_body(boundaries, |piece| {
                out.extend_from_slice(piece);
                Ok(())
            })
            .expect("in memory");
        (out, ended)
    }

    #[test]
    fn parts_end_before_the_line_break_of_their_delimiter() {
        let message = b"From: a@b.c\r\nX: y\r\n \r\npreamble\r\n--outer\r\nContent-Type: text/plain\r\n\r\none\r\ntwo\r\n\r\n--inner\r\nin\n--outer--\r\nepilogue\r\n";
        for step in [1, 2, 3, 7, 4096] {
            let mut lines = MimeLines::new(Trickle {
                bytes: message,
                step,
            });
            let headers = lines.read_headers(&[], 1024).expect("in memory");
            assert_eq!(headers, b"From: a@b.c\r\nX: y\r\n");
            let outer = vec![b"outer".to_vec()];
            let (preamble, ended) = body(&mut lines, &outer);
            assert_eq!(preamble, b"preamble");
            assert_eq!(
                ended,
                Ended::Delimiter {
                    level: 0,
                    close: false
                }
            );
            let headers = lines.read_headers(&outer, 1024).expect("in memory");
            assert_eq!(headers, b"Content-Type: text/plain\r\n");
            let both = vec![b"outer".to_vec(), b"inner".to_vec()];
            let (text, ended) = body(&mut lines, &both);
            assert_eq!(text, b"one\r\ntwo\r\n", "step {step}");
            assert_eq!(
                ended,
                Ended::Delimiter {
                    level: 1,
                    close: false
                }
            );
            let (text, ended) = body(&mut lines, &both);
            assert_eq!(text, b"in");
            assert_eq!(
                ended,
                Ended::Delimiter {
                    level: 0,
                    close: true
                }
            );
            let (epilogue, ended) = body(&mut lines, &[]);
            assert_eq!(epilogue, b"epilogue\r\n");
            assert_eq!(ended, Ended::Eof);
        }
    }

    #[test]
    fn long_header_blocks_are_cut_at_the_limit() {
        let message = b"Subject: 0123456789\r\nTo: x\r\n\r\nbody";
        let mut lines = MimeLines::new(Trickle {
            bytes: message,
            step: 3,
        });
        let headers = lines.read_headers(&[], 12).expect("in memory");
        assert_eq!(headers, b"Subject: 012");
        let (rest, _) = body(&mut lines, &[]);
        assert_eq!(rest, b"body");
    }

    #[test]
    fn a_message_of_headers_only_has_an_empty_body() {
        let mut lines = MimeLines::new(&b"Subject: x"[..]);
        assert_eq!(
            lines.read_headers(&[], 1024).expect("in memory"),
            b"Subject: x"
        );
        assert_eq!(body(&mut lines, &[]), (Vec::new(), Ended::Eof));
    }
}
