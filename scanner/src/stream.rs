//! Streams that fail part-way: what was read before the failure is still scanned.
//!
//! A truncated gzip, a zip member with a bad checksum or a connection that drops
//! mid-object fail after some (often all) of the content came through. Readers buffer
//! what they read (a text window, a CSV record, a JSON string) and would lose it with an
//! error, so a stream is read as if it ended where it failed ([`Deferred`]), and the
//! failure is reported once the readers are done: the object is then PARTIAL with the
//! findings in what was read, or SKIPPED when nothing was (docs/formats.md).

use std::io::{self, Read};

/// Ends where `inner` fails and keeps the failure for [`Deferred::take_error`].
pub(crate) struct Deferred<R> {
    inner: R,
    error: Option<io::Error>,
}

impl<R: Read> Deferred<R> {
    pub(crate) fn new(inner: R) -> Self {
        Deferred { inner, error: None }
    }

    /// The failure the stream ended at, if it did not end normally.
    pub(crate) fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }
}

impl<R: Read> Read for Deferred<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.error.is_some() {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                self.error = Some(e);
                Ok(0)
            }
            ok => ok,
        }
    }
}

/// A decoder whose every failure is its data's fault: corrupt or truncated data, read
/// as `MALFORMED_FILE`. flate2 reports a bad checksum or corrupt deflate data as
/// `InvalidInput`, which as any other I/O error would read as `UNABLE_TO_PARSE_FILE`,
/// the reason for content that contradicts its extension. The decoder's source must
/// not fail itself (wrap it in [`Deferred`]) or its failures would be blamed on the data.
pub(crate) struct Corrupt<R>(pub(crate) R);

impl<R: Read> Read for Corrupt<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| match e.kind() {
            io::ErrorKind::Interrupted
            | io::ErrorKind::InvalidData
            | io::ErrorKind::UnexpectedEof => e,
            _ => io::Error::new(io::ErrorKind::InvalidData, e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serves `bytes`, then fails with `kind`.
    struct FailsAfter<'a> {
        bytes: &'a [u8],
        kind: io::ErrorKind,
    }

    impl Read for FailsAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.bytes.is_empty() {
                return Err(io::Error::new(self.kind, "failed"));
            }
            let n = self.bytes.len().min(buf.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_deferred_stream_ends_at_the_failure_and_keeps_it() {
        let mut stream = Deferred::new(FailsAfter {
            bytes: b"read before",
            kind: io::ErrorKind::UnexpectedEof,
        });
        let mut read = Vec::new();
        stream.read_to_end(&mut read).expect("no error surfaces");
        assert_eq!(read, b"read before");
        let error = stream.take_error().expect("the failure is kept");
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        assert!(stream.take_error().is_none(), "taken once");
    }

    #[test]
    fn a_stream_that_does_not_fail_has_no_error() {
        let mut stream = Deferred::new(&b"all of it"[..]);
        let mut read = Vec::new();
        stream.read_to_end(&mut read).expect("read");
        assert_eq!(read, b"all of it");
        assert!(stream.take_error().is_none());
    }

    #[test]
    fn a_decoder_failure_is_invalid_data() {
        for kind in [
            io::ErrorKind::InvalidInput,
            io::ErrorKind::Other,
            io::ErrorKind::InvalidData,
        ] {
            let mut decoder = Corrupt(FailsAfter { bytes: b"", kind });
            let error = decoder.read(&mut [0; 4]).expect_err("fails");
            assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{kind:?}");
        }
        let mut truncated = Corrupt(FailsAfter {
            bytes: b"",
            kind: io::ErrorKind::UnexpectedEof,
        });
        let error = truncated.read(&mut [0; 4]).expect_err("fails");
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    }
}
