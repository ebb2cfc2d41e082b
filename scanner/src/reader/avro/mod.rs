//! Apache Avro object container files: one unit per string value of a record.
//!
//! apache-avro parses the file's schema (its named types, logical types and defaults as
//! the Apache project reads them); everything else is read here, block by block: the
//! header ([`header`]), each data block's bytes, decompressed by its codec through a
//! limit ([`codec`]: null, deflate, snappy, zstandard, bzip2, xz), and the block's
//! records decoded straight from those bytes against the compiled schema ([`plan`],
//! [`decode`]). Each string value reaches the sink as a slice of the block: no value
//! tree is built, which was most of the time a scan of an Avro file took when the
//! crate decoded every record into one. Memory is one block, compressed and
//! decompressed, whatever the file's size.
//!
//! Places: `recordIndex` is the record's 0-based index in the file; `jsonPath` the field
//! path (`$.customer.emails[1]`, a map's value under its key, a union as the branch it
//! holds). The field names on the path are the value's keyword context. Strings, enum
//! symbols, and bytes or fixed values that are UTF-8 text are units; numbers, dates and
//! other binary values are not. A string that is not UTF-8 (which the crate refuses)
//! is decoded lossily and scanned, as text is everywhere. Map entries come in the
//! file's order.
//!
//! A header that cannot be read leaves nothing read (`MALFORMED_FILE`); a block that
//! cannot be decoded stops the reading there, after the records before it.
//!
//! Bounds: a length the file declares is never trusted with memory. Header values and
//! blocks are read into buffers that grow with the bytes really there, and refused past
//! [`header::MAX_HEADER_VALUE`] and [`MAX_BLOCK_BYTES`]; a block is decompressed through
//! the same limit; inside a block, a string's length and an array's or map's item count
//! are checked against the bytes left before they are used, and nothing is allocated
//! for them. Nesting, recursive types included, stops at [`Limits::max_json_depth`].

use std::io::{self, BufReader, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

use self::decode::Walker;
use self::header::{read_exact, read_header, read_long};
use self::plan::Plan;
use super::{ReadError, Sink};
use crate::{Format, Limits};

mod codec;
mod decode;
#[cfg(test)]
mod differential;
mod header;
mod plan;

/// The largest data block read, compressed or decompressed: a larger one stops the
/// reading as malformed. Writers cut blocks far smaller (Java's and Python's libraries
/// at 16 to 64 KB by default, about a thousandth of this), and a block is held whole
/// while its records are decoded, twice when it is compressed.
pub const MAX_BLOCK_BYTES: usize = 64 * 1024 * 1024;

/// Bytes read from the input at a time.
const READ_BUFFER: usize = 64 * 1024;

/// Reads the Avro object container file `input` and hands each string value to `sink`.
pub fn read_avro<R: Read>(input: R, limits: &Limits, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut input = BufReader::with_capacity(READ_BUFFER, input);
    // The crate's schema parser is not known to panic, but it is not ferret's code: a
    // panic is contained to this file's reading and reported as the malformed file it is.
    let header = catch_unwind(AssertUnwindSafe(|| read_header(&mut input))).map_err(|_| {
        ReadError::Malformed {
            format: Format::Avro,
            message: "the schema parser failed on this file".to_owned(),
        }
    })??;
    let plan = Plan::compile(&header.schema)?;
    let mut walker = Walker::new(&plan, limits);
    let mut compressed = Vec::new();
    let mut decompressed = Vec::new();
    let mut first = 0u64;
    while let Some(count) = read_long(&mut input)? {
        let count = u64::try_from(count).map_err(|_| AvroError::BadLength {
            what: "a block's record count",
            length: count,
        })?;
        read_block(&mut input, header.marker, &mut compressed)?;
        let records = header
            .codec
            .decompress(&compressed, &mut decompressed, MAX_BLOCK_BYTES)?;
        walker.block(records, count, first, sink)?;
        first = first.saturating_add(count);
    }
    if walker.too_large {
        return Err(ReadError::UnitTooLarge {
            limit: limits.max_unit_bytes,
        });
    }
    Ok(())
}

/// Reads a data block's bytes, after its record count, into `block`, and checks the
/// sync marker after them.
fn read_block(
    input: &mut impl Read,
    marker: [u8; 16],
    block: &mut Vec<u8>,
) -> Result<(), AvroError> {
    let what = "a data block's size";
    let size = read_long(input)?.ok_or(AvroError::Truncated(what))?;
    let size = usize::try_from(size).map_err(|_| AvroError::BadLength { what, length: size })?;
    if size > MAX_BLOCK_BYTES {
        return Err(AvroError::BlockTooLarge {
            limit: MAX_BLOCK_BYTES,
        });
    }
    block.clear();
    input
        .take(size as u64)
        .read_to_end(block)
        .map_err(AvroError::Io)?;
    if block.len() < size {
        return Err(AvroError::Truncated("a data block"));
    }
    let mut end = [0; 16];
    read_exact(input, &mut end, "a data block's sync marker")?;
    if end != marker {
        return Err(AvroError::Marker);
    }
    Ok(())
}

/// What is wrong with an Avro file.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AvroError {
    #[error("not an Avro object container file (no Obj\\x01 magic)")]
    NotAvro,
    #[error("the file ends inside {0}")]
    Truncated(&'static str),
    #[error("a variable-length integer longer than 10 bytes")]
    LongTooLong,
    #[error("{what} of {length}")]
    BadLength { what: &'static str, length: i64 },
    #[error("a header value is larger than {limit} bytes")]
    HeaderTooLarge { limit: usize },
    #[error("the header has no avro.schema")]
    NoSchema,
    #[error("the schema cannot be read: {0}")]
    Schema(String),
    #[error("unknown codec {0:?}")]
    UnknownCodec(String),
    #[error("a data block does not end with the file's sync marker")]
    Marker,
    #[error("a data block is larger than {limit} bytes, the most a block may hold")]
    BlockTooLarge { limit: usize },
    #[error("{codec} block: {error}")]
    Codec {
        codec: &'static str,
        error: io::Error,
    },
    #[error("a block declares {count} records in {bytes} bytes")]
    Records { count: u64, bytes: usize },
    #[error("{what} of {length} bytes runs past its block ({left} bytes left)")]
    Overrun {
        what: &'static str,
        length: u64,
        left: usize,
    },
    #[error("{what} {index} where there are {len}")]
    BadIndex {
        what: &'static str,
        index: i64,
        len: usize,
    },
    #[error("an array or map declares {count} items where {left} bytes are left")]
    Items { count: u64, left: usize },
    #[error("I/O error: {0}")]
    Io(io::Error),
}

impl From<AvroError> for ReadError {
    fn from(error: AvroError) -> Self {
        match error {
            AvroError::Io(error) => ReadError::Io(error),
            other => ReadError::Malformed {
                format: Format::Avro,
                message: other.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::record_path::seen::{collect, fixture, Seen};

    fn read(name: &str) -> (Vec<Seen>, Result<(), ReadError>) {
        let bytes = fixture(&format!("avro/{name}"));
        let mut seen = Vec::new();
        let result = read_avro(
            bytes.as_slice(),
            &Limits::default(),
            &mut collect(&mut seen),
        );
        (seen, result)
    }

    #[test]
    fn records_give_their_string_values_at_their_paths() {
        for codec in ["null", "deflate", "snappy", "zstandard", "bzip2", "xz"] {
            let (seen, result) = read(&format!("customers_{codec}.avro"));
            result.expect("read");
            let places: Vec<(u64, &str, &str)> = seen
                .iter()
                .map(|s| (s.0, s.1.as_str(), s.2.as_str()))
                .collect();
            assert_eq!(
                places,
                [
                    (0, "$.name", "Ana Lima"),
                    (0, "$.cpf", "529.982.247-25"),
                    (0, "$.emails[0]", "ana@example.org"),
                    (0, "$.kind", "PERSON"),
                    (0, "$.code", "AAAAAAAA"),
                    (1, "$.name", "Bruno"),
                    (1, "$.address.street", "Rua B"),
                    (1, "$.emails[0]", "b@example.org"),
                    (1, "$.emails[1]", "P-AB1234"),
                    (1, "$.attrs.k", "v"),
                    (1, "$.kind", "COMPANY"),
                    (1, "$.code", "BBBBBBBB"),
                    (2, "$.name", "Carla"),
                    (2, "$.address.street", "P-CD5678"),
                    (2, "$.attrs.ref", "P-EF9012"),
                    (2, "$.attrs.a", "x"),
                    (2, "$.kind", "PERSON"),
                    (3, "$.name", "732 829 320-00074"),
                    (3, "$.cpf", "n/a"),
                    (3, "$.address.street", "Rua D"),
                    (3, "$.address.siret", "732 829 320-00074"),
                    (3, "$.kind", "COMPANY"),
                    (3, "$.code", "P-GH3456"),
                ],
                "{codec}"
            );
            let siret = seen
                .iter()
                .find(|s| s.1 == "$.address.siret")
                .expect("siret");
            assert_eq!(siret.3, ["address", "siret"]);
        }
    }

    /// Strings that are not UTF-8 (written by fastavro, see the fixture's script) are
    /// decoded lossily and scanned, in a field, an array and a map, and the file is
    /// read to its end.
    #[test]
    fn strings_that_are_not_utf8_are_decoded_lossily() {
        let (seen, result) = read("invalid_utf8.avro");
        result.expect("read");
        let seen: Vec<(u64, &str, &str)> = seen
            .iter()
            .map(|s| (s.0, s.1.as_str(), s.2.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (0, "$.code", "\u{FFFD} P-AB1234"),
                (0, "$.tags[0]", "P-EF9012"),
                (1, "$.code", "P-CD5678"),
                (1, "$.tags[0]", "first"),
                (1, "$.tags[1]", "P-GH3456 \u{FFFD}"),
                (1, "$.attrs.ref", "\u{FFFD} 529.982.247-25"),
            ]
        );
    }

    /// Avro's zigzag variable-length encoding of a long.
    fn long(value: i64) -> Vec<u8> {
        let mut n = ((value << 1) ^ (value >> 63)) as u64;
        let mut out = Vec::new();
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out
    }

    /// An object container file, codec null, holding one block of `count` records.
    fn container(schema: &str, count: i64, block: &[u8]) -> Vec<u8> {
        container_declaring(schema, count, block.len() as i64, block)
    }

    /// [`container`] whose block declares `declared` bytes.
    fn container_declaring(schema: &str, count: i64, declared: i64, block: &[u8]) -> Vec<u8> {
        let marker = [7u8; 16];
        let mut file = b"Obj\x01".to_vec();
        file.extend(long(1));
        file.extend(long(11));
        file.extend(b"avro.schema");
        file.extend(long(schema.len() as i64));
        file.extend(schema.as_bytes());
        file.extend(long(0));
        file.extend(marker);
        file.extend(long(count));
        file.extend(long(declared));
        file.extend(block);
        file.extend(marker);
        file
    }

    /// A few bytes declaring an array of 100 million strings: more items than bytes
    /// left in the block, refused before anything is looped over or allocated.
    #[test]
    fn a_declared_huge_array_is_refused_before_it_is_allocated() {
        let schema = r#"{"type": "record", "name": "r", "fields": [
            {"name": "tags", "type": {"type": "array", "items": "string"}}]}"#;
        let file = container(schema, 1, &long(100_000_000));
        let mut seen = Vec::new();
        let result = read_avro(file.as_slice(), &Limits::default(), &mut collect(&mut seen));
        match result {
            Err(ReadError::Malformed { message, .. }) => {
                assert!(message.contains("100000000 items"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert!(seen.is_empty());
    }

    /// A unit's record, path and text.
    type Place = (u64, String, String);

    /// `file` read with the default limits: its units' places, and the end.
    fn read_bytes(file: &[u8]) -> (Vec<Place>, Result<(), ReadError>) {
        let mut seen = Vec::new();
        let result = read_avro(file, &Limits::default(), &mut collect(&mut seen));
        let seen = seen.into_iter().map(|s| (s.0, s.1, s.2)).collect();
        (seen, result)
    }

    fn malformed_saying(result: Result<(), ReadError>, words: &str) {
        match result {
            Err(ReadError::Malformed { message, .. }) => {
                assert!(message.contains(words), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    const TAGS: &str = r#"{"type": "record", "name": "r", "fields": [
        {"name": "tags", "type": {"type": "array", "items": "string"}}]}"#;

    /// Sizes a block declares: more bytes than the file holds is a truncated file
    /// (read into a buffer that grows with the bytes there, not reserved), more than
    /// a block may hold is refused before reading, more records than bytes too.
    #[test]
    fn a_block_that_declares_more_than_it_holds_is_malformed() {
        let file = container_declaring(TAGS, 1, 1 << 40, &[0]);
        malformed_saying(read_bytes(&file).1, "the most a block may hold");
        let file = container_declaring(TAGS, 1, MAX_BLOCK_BYTES as i64, &[0]);
        malformed_saying(read_bytes(&file).1, "ends inside a data block");
        let file = container(TAGS, 1_000_000, &[0, 0, 0]);
        malformed_saying(read_bytes(&file).1, "1000000 records in 3 bytes");
        let file = container(TAGS, 1, &[]);
        malformed_saying(read_bytes(&file).1, "1 records in 0 bytes");
        let file = container(TAGS, -1, &[0]);
        malformed_saying(read_bytes(&file).1, "record count of -1");
    }

    /// A string longer than the bytes left in its block ends the reading after the
    /// records before it; the record that holds it gives nothing.
    #[test]
    fn a_string_longer_than_its_block_is_malformed_after_the_records_before_it() {
        let mut block = long(1);
        block.extend(long(3));
        block.extend(b"abc");
        block.extend(long(0));
        block.extend(long(1));
        block.extend(long(1_000_000));
        block.extend(b"def");
        let (seen, result) = read_bytes(&container(TAGS, 2, &block));
        malformed_saying(
            result,
            "a string of 1000000 bytes runs past its block (3 bytes left)",
        );
        assert_eq!(seen, [(0, "$.tags[0]".to_owned(), "abc".to_owned())]);
    }

    /// A recursive record with no text nests as deep as its bytes say: the nesting
    /// limit stops it (no stack overflow). Arrays of nulls encode in no bytes, so a
    /// count of 2^62 of them is read at once, not looped over.
    #[test]
    fn nesting_and_counts_of_empty_values_stay_bounded() {
        let schema = r#"{"type": "record", "name": "Node", "fields": [
            {"name": "label", "type": "string"},
            {"name": "next", "type": ["null", {"type": "record", "name": "Link", "fields": [
                {"name": "n", "type": ["null", "Link"]}]}]}]}"#;
        let mut block = long(1);
        block.extend(b"x");
        block.extend(std::iter::repeat_n(2u8, 100_000));
        block.push(0);
        let (_, result) = read_bytes(&container(schema, 1, &block));
        assert!(
            matches!(result, Err(ReadError::JsonNesting { limit: 256 })),
            "{result:?}"
        );
        let schema = r#"{"type": "record", "name": "r", "fields": [
            {"name": "nulls", "type": {"type": "array", "items": "null"}},
            {"name": "label", "type": "string"}]}"#;
        let mut block = long(1 << 62);
        block.extend(long(0));
        block.extend(long(2));
        block.extend(b"ok");
        let (seen, result) = read_bytes(&container(schema, 1, &block));
        result.expect("read");
        assert_eq!(seen, [(0, "$.label".to_owned(), "ok".to_owned())]);
    }

    /// The same file with a small array is read: the crafted bytes are a valid file.
    #[test]
    fn a_declared_small_array_is_read() {
        let schema = r#"{"type": "record", "name": "r", "fields": [
            {"name": "tags", "type": {"type": "array", "items": "string"}}]}"#;
        let mut block = long(1);
        block.extend(long(3));
        block.extend(b"abc");
        block.extend(long(0));
        let file = container(schema, 1, &block);
        let mut seen = Vec::new();
        read_avro(file.as_slice(), &Limits::default(), &mut collect(&mut seen)).expect("read");
        assert_eq!(seen.len(), 1);
        assert_eq!(
            (seen[0].1.as_str(), seen[0].2.as_str()),
            ("$.tags[0]", "abc")
        );
    }

    #[test]
    fn a_damaged_block_ends_the_reading_after_the_records_before_it() {
        let (seen, result) = read("damaged.avro");
        assert!(
            matches!(result, Err(ReadError::Malformed { .. })),
            "{result:?}"
        );
        assert!(seen.iter().any(|s| s.0 == 0));
        let (seen, result) = read("../tar/plain.tar");
        assert!(matches!(result, Err(ReadError::Malformed { .. })));
        assert!(seen.is_empty());
    }
}
