//! UTF-16 text, transcoded to UTF-8 as it streams.
//!
//! Excel's "Unicode Text" export, PowerShell 5's redirections and many Windows tools
//! write UTF-16 with a byte-order mark. Read as bytes, such text is a NUL every other
//! byte: no identifier matches, and the object would be reported clean. Every reader
//! works on UTF-8, so a text object that starts with a UTF-16 mark is transcoded before
//! any reader sees it; lines, character columns, rows and cells are then those of the
//! decoded text. Text without a mark is never taken for UTF-16.
//!
//! The decoder holds two fixed buffers whatever the object's size. std's
//! [`char::decode_utf16`] does the decoding: no dependency is needed for two encodings.

use std::io::{self, Read};

/// Which UTF-16 a byte-order mark announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utf16 {
    /// `FF FE`: little-endian, as Windows writes it.
    Le,
    /// `FE FF`: big-endian.
    Be,
}

impl Utf16 {
    /// The UTF-16 that `head`, an object's first bytes, starts with the mark of.
    pub fn sniff(head: &[u8]) -> Option<Utf16> {
        match head {
            [0xFF, 0xFE, ..] => Some(Utf16::Le),
            [0xFE, 0xFF, ..] => Some(Utf16::Be),
            _ => None,
        }
    }

    fn unit(self, pair: [u8; 2]) -> u16 {
        match self {
            Utf16::Le => u16::from_le_bytes(pair),
            Utf16::Be => u16::from_be_bytes(pair),
        }
    }
}

/// UTF-16 bytes read at a time; an even number.
const RAW: usize = 16 * 1024;
/// Room for the UTF-8 of `RAW` bytes of UTF-16: a code unit takes at most 3 bytes of
/// UTF-8 (a surrogate pair, two units, takes 4).
const OUT: usize = RAW / 2 * 3;

/// Reads UTF-16 from `inner` and serves it as UTF-8. The byte-order mark is dropped;
/// an unpaired surrogate, or a last byte without its pair, becomes U+FFFD, as invalid
/// UTF-8 does elsewhere.
pub struct Utf16Decoder<R> {
    inner: R,
    encoding: Utf16,
    /// UTF-16 bytes read and not decoded yet: at most a high surrogate and an odd byte
    /// between two reads.
    raw: Box<[u8; RAW]>,
    raw_len: usize,
    out: Box<[u8; OUT]>,
    /// The decoded bytes not served yet: `out[served..ready]`.
    served: usize,
    ready: usize,
    /// Whether anything was decoded yet (the mark is only dropped at the start).
    started: bool,
    ended: bool,
}

impl<R: Read> Utf16Decoder<R> {
    /// A decoder of `inner`, which must start with the mark of `encoding` (or with the
    /// text right after it).
    pub fn new(inner: R, encoding: Utf16) -> Self {
        Utf16Decoder {
            inner,
            encoding,
            raw: Box::new([0; RAW]),
            raw_len: 0,
            out: Box::new([0; OUT]),
            served: 0,
            ready: 0,
            started: false,
            ended: false,
        }
    }

    /// Decodes the next read of `inner` into `out`; leaves `out` empty only at the end.
    fn refill(&mut self) -> io::Result<()> {
        self.served = 0;
        self.ready = 0;
        while self.ready == 0 && !self.ended {
            let n = self.inner.read(&mut self.raw[self.raw_len..])?;
            self.raw_len += n;
            self.ended = n == 0;
            let decodable = if self.ended {
                self.raw_len
            } else {
                self.complete_len()
            };
            self.decode(decodable);
            self.raw.copy_within(decodable..self.raw_len, 0);
            self.raw_len -= decodable;
        }
        Ok(())
    }

    /// The length of `raw` without a code unit cut short and without a high surrogate
    /// whose pair may come with the next read.
    fn complete_len(&self) -> usize {
        let even = self.raw_len & !1;
        if even < 2 {
            return even;
        }
        let last = self.encoding.unit([self.raw[even - 2], self.raw[even - 1]]);
        if (0xD800..0xDC00).contains(&last) {
            even - 2
        } else {
            even
        }
    }

    /// Appends the UTF-8 of `raw[..len]` to `out`; an odd last byte (at the end of the
    /// input only) is a U+FFFD.
    fn decode(&mut self, len: usize) {
        let encoding = self.encoding;
        let units = self.raw[..len & !1]
            .chunks_exact(2)
            .map(|pair| encoding.unit([pair[0], pair[1]]));
        let mut chars = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .peekable();
        if !self.started && chars.peek().is_some() {
            self.started = true;
            chars.next_if_eq(&'\u{FEFF}');
        }
        let mut ready = self.ready;
        let mut push = |c: char| ready += c.encode_utf8(&mut self.out[ready..]).len();
        chars.for_each(&mut push);
        if len % 2 == 1 {
            push(char::REPLACEMENT_CHARACTER);
        }
        self.ready = ready;
    }
}

impl<R: Read> Read for Utf16Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.served == self.ready {
            self.refill()?;
        }
        let ready = &self.out[self.served..self.ready];
        let n = ready.len().min(buf.len());
        buf[..n].copy_from_slice(&ready[..n]);
        self.served += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Trickle;

    fn decode(bytes: &[u8], step: usize) -> String {
        let encoding = Utf16::sniff(bytes).unwrap_or(Utf16::Le);
        let mut out = String::new();
        Utf16Decoder::new(Trickle { bytes, step }, encoding)
            .read_to_string(&mut out)
            .expect("valid UTF-8 out");
        out
    }

    fn le(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn be(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    #[test]
    fn marks_announce_the_byte_order() {
        assert_eq!(Utf16::sniff(b"\xFF\xFEa\0"), Some(Utf16::Le));
        assert_eq!(Utf16::sniff(b"\xFE\xFF\0a"), Some(Utf16::Be));
        assert_eq!(Utf16::sniff(b"\xEF\xBB\xBFa"), None);
        assert_eq!(Utf16::sniff(b"a\0b\0"), None);
        assert_eq!(Utf16::sniff(b"\xFF"), None);
    }

    #[test]
    fn both_byte_orders_decode_without_their_mark() {
        let text = "\u{FEFF}card 4111 1111 1111 1111\r\nclé 😀 end";
        for step in [1, 2, 3, 5, 4096] {
            assert_eq!(decode(&le(text), step), &text[3..], "LE, step {step}");
            assert_eq!(decode(&be(text), step), &text[3..], "BE, step {step}");
        }
    }

    #[test]
    fn only_the_first_mark_is_dropped() {
        let text = "\u{FEFF}a\u{FEFF}b";
        assert_eq!(decode(&le(text), 1), "a\u{FEFF}b");
    }

    #[test]
    fn unpaired_surrogates_and_a_lone_last_byte_become_replacement_characters() {
        let mut bytes = le("\u{FEFF}a");
        bytes.extend_from_slice(&0xD83Du16.to_le_bytes()); // high, then no low
        bytes.extend_from_slice(&le("b"));
        bytes.extend_from_slice(&0xDE00u16.to_le_bytes()); // low alone
        bytes.extend_from_slice(&0xD83Du16.to_le_bytes()); // high at the very end
        bytes.push(b'x'); // half a unit
        for step in [1, 2, 3, 4096] {
            assert_eq!(decode(&bytes, step), "a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFD}");
        }
    }

    #[test]
    fn text_longer_than_the_buffers_streams_through() {
        let line = "é😀 abc 4111 1111 1111 1111\n";
        let text = format!("\u{FEFF}{}", line.repeat(3 * RAW / line.len() + 7));
        assert_eq!(decode(&le(&text), 7919), &text[3..]);
        assert_eq!(decode(&be(&text), RAW + 1), &text[3..]);
    }

    #[test]
    fn a_failing_source_fails_the_decoder_after_what_was_decoded() {
        struct Failing(bool);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if std::mem::replace(&mut self.0, true) {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt"));
                }
                let bytes = le("\u{FEFF}ok");
                buf[..bytes.len()].copy_from_slice(&bytes);
                Ok(bytes.len())
            }
        }
        let mut decoder = Utf16Decoder::new(Failing(false), Utf16::Le);
        let mut buf = [0; 16];
        assert_eq!(decoder.read(&mut buf).expect("first read"), 2);
        assert_eq!(&buf[..2], b"ok");
        let error = decoder.read(&mut buf).expect_err("the source's failure");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }
}
