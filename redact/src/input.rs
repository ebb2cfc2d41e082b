//! A byte source for the structured rewriters: peeks and takes bytes from a buffered
//! reader, and copies runs of them to a vector without a call per byte.

use std::io::{self, BufRead};

pub struct Bytes<R> {
    inner: R,
}

impl<R: BufRead> Bytes<R> {
    pub fn new(inner: R) -> Self {
        Bytes { inner }
    }

    /// The bytes buffered (reading more first if none are), not taken; empty at the end.
    pub fn buffer(&mut self) -> io::Result<&[u8]> {
        loop {
            match self.inner.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        self.inner.fill_buf()
    }

    /// Takes the first `n` bytes of [`Bytes::buffer`].
    pub fn consume(&mut self, n: usize) {
        self.inner.consume(n);
    }

    /// The next byte, not taken; `None` at the end.
    pub fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.inner.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Takes the next byte.
    pub fn next(&mut self) -> io::Result<Option<u8>> {
        let byte = self.peek()?;
        if byte.is_some() {
            self.inner.consume(1);
        }
        Ok(byte)
    }

    /// Moves bytes to `to` up to (not including) the first one `stop` finds in a
    /// buffer, and returns that byte (not taken), or `None` at the end; [`TooLong`] as
    /// soon as `to` would grow past `max` bytes.
    pub fn take_until(
        &mut self,
        to: &mut Vec<u8>,
        max: usize,
        stop: impl Fn(&[u8]) -> Option<usize>,
    ) -> io::Result<Result<Option<u8>, TooLong>> {
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(Ok(None));
            }
            let (run, found) = match stop(buf) {
                Some(i) => (i, Some(buf[i])),
                None => (buf.len(), None),
            };
            if to.len() + run > max {
                return Ok(Err(TooLong));
            }
            to.extend_from_slice(&buf[..run]);
            self.inner.consume(run);
            if found.is_some() {
                return Ok(Ok(found));
            }
        }
    }
}

/// A unit longer than the limit: it is not judged, so the object cannot be redacted.
#[derive(Debug, Clone, Copy)]
pub struct TooLong;
