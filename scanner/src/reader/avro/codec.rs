//! The block codecs of Avro object container files, decompressing into a buffer of
//! bounded size.
//!
//! apache-avro's own `Codec::decompress` inflates a block into a vector as large as the
//! data makes it (a 16 MiB block of zeros deflates to gigabytes) and unwraps some
//! decoder errors. Here each codec's crate (the same crates apache-avro uses) is read
//! through a limit: a block that would decompress past it is refused before its bytes
//! are held, and every decoder error is a typed one.

use std::io::{self, Read};

use super::AvroError;

/// A block codec, as the file's `avro.codec` metadata names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Codec {
    Null,
    Deflate,
    Snappy,
    Zstandard,
    Bzip2,
    Xz,
}

impl Codec {
    /// The codec called `name` in a file's header; an absent name is `null`.
    pub(super) fn named(name: Option<&[u8]>) -> Result<Self, AvroError> {
        Ok(match name {
            None | Some(b"null") => Codec::Null,
            Some(b"deflate") => Codec::Deflate,
            Some(b"snappy") => Codec::Snappy,
            Some(b"zstandard") => Codec::Zstandard,
            Some(b"bzip2") => Codec::Bzip2,
            Some(b"xz") => Codec::Xz,
            Some(other) => {
                return Err(AvroError::UnknownCodec(
                    String::from_utf8_lossy(other).into_owned(),
                ))
            }
        })
    }

    /// The codec's name in a file's header.
    pub(super) fn name(self) -> &'static str {
        match self {
            Codec::Null => "null",
            Codec::Deflate => "deflate",
            Codec::Snappy => "snappy",
            Codec::Zstandard => "zstandard",
            Codec::Bzip2 => "bzip2",
            Codec::Xz => "xz",
        }
    }

    /// The records' bytes of the data block `block`: `block` itself for the null codec,
    /// else decompressed into `out` (whose allocation is reused from block to block).
    /// More than `max` decompressed bytes is [`AvroError::BlockTooLarge`].
    pub(super) fn decompress<'a>(
        self,
        block: &'a [u8],
        out: &'a mut Vec<u8>,
        max: usize,
    ) -> Result<&'a [u8], AvroError> {
        out.clear();
        let failed = |error: io::Error| AvroError::Codec {
            codec: self.name(),
            error,
        };
        match self {
            Codec::Null => return Ok(block),
            Codec::Deflate => bounded(flate2::read::DeflateDecoder::new(block), out, max),
            Codec::Snappy => snappy(block, out, max),
            Codec::Zstandard => {
                let decoder = zstd::stream::read::Decoder::with_buffer(block).map_err(failed)?;
                bounded(decoder, out, max)
            }
            Codec::Bzip2 => bounded(bzip2::read::BzDecoder::new(block), out, max),
            Codec::Xz => bounded(liblzma::read::XzDecoder::new(block), out, max),
        }
        .map_err(|error| match error {
            Bounded::TooLarge => AvroError::BlockTooLarge { limit: max },
            Bounded::Failed(error) => failed(error),
        })?;
        Ok(out)
    }
}

/// Why a block was not decompressed.
enum Bounded {
    TooLarge,
    Failed(io::Error),
}

/// Reads `decoder` to its end into `out`, or fails once it gives more than `max` bytes.
/// `out` grows with what the decoder really gives, never by what anything declares.
fn bounded(decoder: impl Read, out: &mut Vec<u8>, max: usize) -> Result<(), Bounded> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    decoder
        .take(limit)
        .read_to_end(out)
        .map_err(Bounded::Failed)?;
    if out.len() > max {
        return Err(Bounded::TooLarge);
    }
    Ok(())
}

/// Avro's snappy blocks: raw snappy followed by the big-endian CRC-32 of the
/// uncompressed bytes. The raw format declares its uncompressed length first, which is
/// checked against `max` before the output is sized.
fn snappy(block: &[u8], out: &mut Vec<u8>, max: usize) -> Result<(), Bounded> {
    let invalid =
        |message: String| Bounded::Failed(io::Error::new(io::ErrorKind::InvalidData, message));
    let Some(split) = block.len().checked_sub(4) else {
        return Err(invalid(
            "a snappy block shorter than its checksum".to_owned(),
        ));
    };
    let (data, crc) = block.split_at(split);
    let len = snap::raw::decompress_len(data).map_err(|e| invalid(e.to_string()))?;
    if len > max {
        return Err(Bounded::TooLarge);
    }
    out.resize(len, 0);
    let written = snap::raw::Decoder::new()
        .decompress(data, out)
        .map_err(|e| invalid(e.to_string()))?;
    out.truncate(written);
    let expected = u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]);
    let actual = crc32fast::hash(out);
    if expected != actual {
        return Err(invalid(format!(
            "the block's checksum is {actual:08x}, the file says {expected:08x}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn deflated(data: &[u8]) -> Vec<u8> {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("in memory");
        encoder.finish().expect("in memory")
    }

    #[test]
    fn a_block_decompresses_up_to_the_limit_and_no_further() {
        let data = vec![b'a'; 10_000];
        let block = deflated(&data);
        let mut out = Vec::new();
        let got = Codec::Deflate
            .decompress(&block, &mut out, 10_000)
            .expect("at the limit");
        assert_eq!(got, data.as_slice());
        let mut out = Vec::new();
        assert!(matches!(
            Codec::Deflate.decompress(&block, &mut out, 9_999),
            Err(AvroError::BlockTooLarge { limit: 9_999 })
        ));
        assert!(out.len() <= 10_000, "held {} bytes", out.len());
    }

    #[test]
    fn a_snappy_block_is_checked_against_its_declared_length_and_checksum() {
        let data = b"snappy snappy snappy snappy".to_vec();
        let mut block = snap::raw::Encoder::new()
            .compress_vec(&data)
            .expect("in memory");
        block.extend(crc32fast::hash(&data).to_be_bytes());
        let mut out = Vec::new();
        let got = Codec::Snappy
            .decompress(&block, &mut out, 100)
            .expect("valid");
        assert_eq!(got, data.as_slice());
        assert!(matches!(
            Codec::Snappy.decompress(&block, &mut Vec::new(), data.len() - 1),
            Err(AvroError::BlockTooLarge { .. })
        ));
        let last = block.len() - 1;
        block[last] ^= 1;
        assert!(matches!(
            Codec::Snappy.decompress(&block, &mut Vec::new(), 100),
            Err(AvroError::Codec { .. })
        ));
        assert!(matches!(
            Codec::Snappy.decompress(&[1, 2], &mut Vec::new(), 100),
            Err(AvroError::Codec { .. })
        ));
    }

    #[test]
    fn codecs_are_known_by_their_header_names() {
        assert_eq!(Codec::named(None).expect("null"), Codec::Null);
        assert_eq!(Codec::named(Some(b"xz")).expect("xz"), Codec::Xz);
        assert!(matches!(
            Codec::named(Some(b"lzo")),
            Err(AvroError::UnknownCodec(name)) if name == "lzo"
        ));
    }
}
