//! The header of an object container file (magic, metadata, sync marker) and the
//! variable-length integers it and the block headers are written in, read from a
//! stream.
//!
//! Every length the header declares is read through a limit and into a buffer that
//! grows with the bytes really there, so a lying length costs no more memory than the
//! file holds, and never more than [`MAX_HEADER_VALUE`].

use std::io::{self, Read};

use apache_avro::Schema;

use super::codec::Codec;
use super::AvroError;

/// The magic bytes an object container file starts with.
const MAGIC: &[u8; 4] = b"Obj\x01";

/// The longest metadata key or value kept. A schema is the only long one: real schemas
/// are kilobytes, the largest a few hundred (thousands of fields).
pub(super) const MAX_HEADER_VALUE: usize = 16 * 1024 * 1024;

/// What the blocks are read with.
pub(super) struct Header {
    pub(super) schema: Schema,
    pub(super) codec: Codec,
    /// The 16 bytes that end the header and every data block.
    pub(super) marker: [u8; 16],
}

/// Reads the header of the object container file `input` up to its first data block.
pub(super) fn read_header(input: &mut impl Read) -> Result<Header, AvroError> {
    let mut magic = [0; 4];
    read_exact(input, &mut magic, "the magic bytes")?;
    if &magic != MAGIC {
        return Err(AvroError::NotAvro);
    }
    let mut schema = None;
    let mut codec = None;
    // The metadata map: blocks of entries, each a string key and a bytes value, ending
    // with an empty block.
    loop {
        let count = block_count(input, "the header's metadata")?;
        if count == 0 {
            break;
        }
        for _ in 0..count {
            let key = read_value(input, "a metadata key")?;
            let value = read_value(input, "a metadata value")?;
            match key.as_slice() {
                b"avro.schema" => schema = Some(value),
                b"avro.codec" => codec = Some(value),
                _ => {}
            }
        }
    }
    let mut marker = [0; 16];
    read_exact(input, &mut marker, "the header's sync marker")?;
    let json = schema.ok_or(AvroError::NoSchema)?;
    let schema = serde_json::from_slice(&json)
        .map_err(|e| AvroError::Schema(e.to_string()))
        .and_then(|json| Schema::parse(&json).map_err(|e| AvroError::Schema(e.to_string())))?;
    Ok(Header {
        schema,
        codec: Codec::named(codec.as_deref())?,
        marker,
    })
}

/// A block count as maps, arrays and the header write it: a negative count is
/// followed by the block's size in bytes, which a reader may ignore.
fn block_count(input: &mut impl Read, what: &'static str) -> Result<u64, AvroError> {
    let count = read_long(input)?.ok_or(AvroError::Truncated(what))?;
    if count < 0 {
        read_long(input)?.ok_or(AvroError::Truncated(what))?;
    }
    Ok(count.unsigned_abs())
}

/// A length-prefixed value of at most [`MAX_HEADER_VALUE`] bytes.
fn read_value(input: &mut impl Read, what: &'static str) -> Result<Vec<u8>, AvroError> {
    let length = read_long(input)?.ok_or(AvroError::Truncated(what))?;
    let length = usize::try_from(length).map_err(|_| AvroError::BadLength { what, length })?;
    if length > MAX_HEADER_VALUE {
        return Err(AvroError::HeaderTooLarge {
            limit: MAX_HEADER_VALUE,
        });
    }
    let mut value = Vec::new();
    input
        .take(length as u64)
        .read_to_end(&mut value)
        .map_err(AvroError::Io)?;
    if value.len() < length {
        return Err(AvroError::Truncated(what));
    }
    Ok(value)
}

/// Fills `buf`, or fails as [`AvroError::Truncated`] when the input ends first.
pub(super) fn read_exact(
    input: &mut impl Read,
    buf: &mut [u8],
    what: &'static str,
) -> Result<(), AvroError> {
    input.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => AvroError::Truncated(what),
        _ => AvroError::Io(e),
    })
}

/// The next zigzag-encoded long, or `None` if the input ends before its first byte.
pub(super) fn read_long(input: &mut impl Read) -> Result<Option<i64>, AvroError> {
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        let Some(byte) = read_byte(input)? else {
            return match shift {
                0 => Ok(None),
                _ => Err(AvroError::Truncated("a variable-length integer")),
            };
        };
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(Some(zigzag(value)));
        }
    }
    Err(AvroError::LongTooLong)
}

/// The next byte, or `None` at the end of the input.
fn read_byte(input: &mut impl Read) -> Result<Option<u8>, AvroError> {
    let mut byte = [0];
    loop {
        match input.read(&mut byte) {
            Ok(0) => return Ok(None),
            Ok(_) => return Ok(Some(byte[0])),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(AvroError::Io(e)),
        }
    }
}

/// The long that zigzag encoding wrote as `n`.
pub(super) fn zigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longs_are_zigzag_varints() {
        for (bytes, value) in [
            (&[0x00][..], 0),
            (&[0x01], -1),
            (&[0x02], 1),
            (&[0x80, 0x01], 64),
            (
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
                i64::MIN,
            ),
        ] {
            assert_eq!(read_long(&mut &bytes[..]).expect("valid"), Some(value));
        }
        assert_eq!(read_long(&mut &[][..]).expect("clean end"), None);
        assert!(matches!(
            read_long(&mut &[0x80][..]),
            Err(AvroError::Truncated(_))
        ));
        assert!(matches!(
            read_long(&mut &[0x80; 11][..]),
            Err(AvroError::LongTooLong)
        ));
    }

    /// A header whose schema declares 2^40 bytes in a file of a few bytes is refused
    /// before anything of that size is held.
    #[test]
    fn a_declared_huge_metadata_value_is_refused() {
        let mut file = MAGIC.to_vec();
        file.extend([0x02, 0x16]);
        file.extend(b"avro.schema");
        file.extend([0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
        assert!(matches!(
            read_header(&mut file.as_slice()),
            Err(AvroError::HeaderTooLarge { .. })
        ));
        assert!(matches!(
            read_header(&mut &b"Obj\x02"[..]),
            Err(AvroError::NotAvro)
        ));
    }
}
