//! The one field of a Parquet page header that ferret checks before the `parquet` crate
//! reads the page: its uncompressed size, which the crate reserves whole
//! (`Vec::with_capacity`, up to 2 GiB) before decompressing into it.
//!
//! The crate gives no hook between parsing a page header and that reservation, but it
//! reads every page header through [`ChunkReader::get_read`] at the header's offset,
//! and the file it reads is ferret's ([`super::BoundedFile`]). So that call first reads
//! the header on its own here: a header declaring more than [`MAX_PAGE_BYTES`]
//! uncompressed fails the read, and the page is never reserved. The header is Thrift's
//! compact protocol; this walks its fields, skipping the others (nested structures,
//! lists, statistics) to field 2, `uncompressed_page_size`, wherever the writer put it.
//!
//! [`ChunkReader::get_read`]: parquet::file::reader::ChunkReader::get_read

use std::io::Read;

/// The largest uncompressed page read. Writers cut pages at about 1 MiB (parquet-mr,
/// pyarrow and arrow-rs by default), and a page is larger than that only by the values
/// that overflow it; a page of this size is a hundred times the usual one and eight
/// times the largest unit ferret scans by default. A larger page stops the reading of
/// its column chunk as malformed, before anything is allocated for it.
pub(crate) const MAX_PAGE_BYTES: i64 = 128 * 1024 * 1024;

/// Nested Thrift structures skipped at most; a page header nests two or three.
const MAX_DEPTH: u32 = 16;

/// The uncompressed size the page header at the start of `input` declares, or `None`
/// if the bytes there are not a page header that declares one. Only the crate's own
/// parse decides what is a valid header: this says only what the header declares.
pub(crate) fn uncompressed_size(input: &mut impl Read) -> Option<i64> {
    let mut compact = Compact { input };
    let mut last_id = 0i16;
    loop {
        let header = compact.byte()?;
        let kind = header & 0x0f;
        if kind == STOP {
            return None;
        }
        let delta = header >> 4;
        let id = if delta == 0 {
            i16::try_from(compact.varint_signed()?).ok()?
        } else {
            last_id.checked_add(i16::from(delta))?
        };
        last_id = id;
        if id == 2 && kind == I32 {
            return compact.varint_signed();
        }
        compact.skip(kind, 0)?;
    }
}

// Thrift compact protocol types.
const STOP: u8 = 0;
const BOOLEAN_TRUE: u8 = 1;
const BOOLEAN_FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;

struct Compact<'r, R> {
    input: &'r mut R,
}

impl<R: Read> Compact<'_, R> {
    fn byte(&mut self) -> Option<u8> {
        let mut byte = [0];
        self.input.read_exact(&mut byte).ok()?;
        Some(byte[0])
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn varint_signed(&mut self) -> Option<i64> {
        let n = self.varint()?;
        Some(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    /// Steps over a value of compact type `kind`.
    fn skip(&mut self, kind: u8, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match kind {
            BOOLEAN_TRUE | BOOLEAN_FALSE => {}
            BYTE => {
                self.byte()?;
            }
            I16 | I32 | I64 => {
                self.varint()?;
            }
            DOUBLE => {
                for _ in 0..8 {
                    self.byte()?;
                }
            }
            BINARY => {
                let len = self.varint()?;
                let skipped =
                    std::io::copy(&mut self.input.take(len), &mut std::io::sink()).ok()?;
                (skipped == len).then_some(())?;
            }
            LIST | SET => {
                let header = self.byte()?;
                let count = match header >> 4 {
                    15 => self.varint()?,
                    short => u64::from(short),
                };
                let element = header & 0x0f;
                for _ in 0..count {
                    // A boolean element is one byte of its own in a list.
                    if element == BOOLEAN_TRUE || element == BOOLEAN_FALSE {
                        self.byte()?;
                    } else {
                        self.skip(element, depth + 1)?;
                    }
                }
            }
            MAP => {
                let count = self.varint()?;
                if count > 0 {
                    let types = self.byte()?;
                    for _ in 0..count {
                        self.skip(types >> 4, depth + 1)?;
                        self.skip(types & 0x0f, depth + 1)?;
                    }
                }
            }
            STRUCT => loop {
                let header = self.byte()?;
                let kind = header & 0x0f;
                if kind == STOP {
                    break;
                }
                if header >> 4 == 0 {
                    self.varint()?;
                }
                self.skip(kind, depth + 1)?;
            },
            _ => return None,
        }
        Some(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn varint(mut n: u64, out: &mut Vec<u8>) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    fn zigzag(n: i64) -> u64 {
        ((n << 1) ^ (n >> 63)) as u64
    }

    /// A compact-protocol page header declaring `uncompressed` bytes: type (field 1),
    /// compressed size (3) and a data page header (5) holding statistics with binary
    /// min and max and a list, as writers put them. The uncompressed size (2) is the
    /// second field, as writers write it, or with `size_last` the last, after the
    /// nested structures, in the long field form.
    pub(crate) fn page_header(uncompressed: i64, size_last: bool) -> Vec<u8> {
        let mut out = vec![0x15, 0x00];
        if !size_last {
            out.push(0x15);
            varint(zigzag(uncompressed), &mut out);
        }
        out.push(if size_last { 0x25 } else { 0x15 });
        varint(zigzag(10), &mut out);
        out.push(0x2c);
        out.extend([0x15, 0x04]);
        out.push(0x4c);
        out.extend([0x18, 0x03, b'z', b'z', b'z']);
        out.extend([0x18, 0x01, b'a']);
        out.extend([0x19, 0x25, 0x02, 0x04]);
        out.extend([0x00, 0x00]);
        if size_last {
            out.extend([0x05, 0x04]);
            varint(zigzag(uncompressed), &mut out);
        }
        out.push(0x00);
        out
    }

    #[test]
    fn the_uncompressed_size_is_found_wherever_it_is() {
        for size_last in [false, true] {
            for size in [0, 100, 1 << 30] {
                let header = page_header(size, size_last);
                assert_eq!(
                    uncompressed_size(&mut header.as_slice()),
                    Some(size),
                    "{size_last} {size}"
                );
            }
        }
    }

    #[test]
    fn what_is_not_a_page_header_declares_nothing() {
        assert_eq!(uncompressed_size(&mut &b""[..]), None);
        assert_eq!(uncompressed_size(&mut &b"\x00"[..]), None);
        assert_eq!(
            uncompressed_size(&mut &b"\x18\xff\xff\xff\xff\x0f"[..]),
            None
        );
        assert_eq!(uncompressed_size(&mut &[0x1c; 64][..]), None);
        let mut truncated = page_header(1 << 30, true);
        truncated.truncate(truncated.len() - 4);
        assert_eq!(uncompressed_size(&mut truncated.as_slice()), None);
    }
}
