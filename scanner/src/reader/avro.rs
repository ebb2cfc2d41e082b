//! Apache Avro object container files: one unit per string value of a record.
//!
//! The `apache-avro` crate reads the header (schema, codec) and then one data block at a
//! time, decompressing it (null, deflate, snappy, zstandard, bzip2, xz) and decoding its
//! records one by one: memory is one block, whatever the file's size.
//!
//! Places: `recordIndex` is the record's 0-based index in the file; `jsonPath` the field
//! path (`$.customer.emails[1]`, a map's value under its key, a union as the branch it
//! holds). The field names on the path are the value's keyword context. Strings, enum
//! symbols, and bytes or fixed values that are UTF-8 text are units; numbers, dates and
//! other binary values are not.
//!
//! A header that cannot be read leaves nothing read (`MALFORMED_FILE`); a block that
//! cannot be decoded stops the reading there, after the records before it.
//!
//! Memory: the crate trusts the sizes a file declares (a block's byte size, a string's
//! length, an array's or map's item count) up to one process-wide allocation limit,
//! [`DECODER_ALLOCATION_LIMIT`]; a larger declared size is refused as malformed before
//! anything is allocated for it. What that limit does not bound: a block's decompressed
//! size (the crate's codecs decompress a whole block into memory), and the decoded
//! values of one record (about 48 bytes per value, so an array of a few million nulls,
//! which encode in no bytes at all, costs hundreds of megabytes).

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};

use apache_avro::types::Value;
use apache_avro::Reader;

use super::record_path::RecordPath;
use super::{ReadError, Sink};
use crate::{Format, Limits};

/// The largest size the Avro crate may allocate for one declared length: a block, a
/// string or bytes value, or an array's or map's item count (which it reserves at once).
///
/// The crate's default, 512 MB, lets a file of a few bytes that declares a huge array
/// reserve tens of gigabytes (512 M items of about 48 bytes each). Ferret never scans a
/// value longer than its largest unit, and real writers cut blocks far smaller (64 KB
/// in Java's and Python's libraries), so nothing worth reading is larger than the
/// default unit limit. The crate holds one limit for the whole process, fixed by its
/// first use, so it cannot follow a scan's own [`Limits`]: it is the default's.
/// Worst cases left at this limit: a declared map of 16 Mi entries reserves about
/// 2.4 GiB of address space (of which only the 32 MiB of hash-table control bytes are
/// written), an array 768 MiB (none written) — reservations the decoding fails before
/// filling, unless the block really holds the items.
pub const DECODER_ALLOCATION_LIMIT: usize = Limits::DEFAULT_MAX_UNIT_BYTES;

/// Reads the Avro object container file `input` and hands each string value to `sink`.
pub fn read_avro<R: Read>(input: R, limits: &Limits, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    // Fixed on the first call, before the crate's first decoding could fix its default;
    // later calls only read it.
    apache_avro::util::max_allocation_bytes(DECODER_ALLOCATION_LIMIT);
    // The crate panics on some corrupt blocks (an `unwrap` in its codecs); a panic is
    // contained to this file's reading and reported as the malformed file it is. The
    // reader it leaves behind is dropped, never used again.
    let reader = contained(|| Reader::new(input))?;
    let mut walk = Walk {
        path: RecordPath::new(limits.max_json_depth),
        max_unit_bytes: limits.max_unit_bytes,
        too_large: false,
    };
    let mut records = reader.enumerate();
    while let Some((index, record)) = contained(|| Ok(records.next()))? {
        let record = record.map_err(malformed)?;
        walk.value(index as u64, &record, sink)?;
    }
    if walk.too_large {
        return Err(ReadError::UnitTooLarge {
            limit: limits.max_unit_bytes,
        });
    }
    Ok(())
}

/// Runs a call into the crate, turning its errors and panics into `MALFORMED_FILE`.
fn contained<T>(call: impl FnOnce() -> Result<T, apache_avro::Error>) -> Result<T, ReadError> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result.map_err(malformed),
        Err(_) => Err(ReadError::Malformed {
            format: Format::Avro,
            message: "the decoder failed on this file".to_owned(),
        }),
    }
}

fn malformed(error: apache_avro::Error) -> ReadError {
    ReadError::Malformed {
        format: Format::Avro,
        message: error.to_string(),
    }
}

/// Walks one record after another, keeping the path of the value at hand.
struct Walk {
    path: RecordPath,
    max_unit_bytes: usize,
    /// A value over the unit limit was met (and left unscanned).
    too_large: bool,
}

impl Walk {
    fn value(&mut self, index: u64, value: &Value, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        match value {
            Value::String(text) | Value::Enum(_, text) => self.text(index, text.as_bytes(), sink),
            // Binary values are text only when they are UTF-8.
            Value::Bytes(bytes) | Value::Fixed(_, bytes) if std::str::from_utf8(bytes).is_ok() => {
                self.text(index, bytes, sink)
            }
            Value::Union(_, inner) => self.value(index, inner, sink)?,
            Value::Record(fields) => {
                for (name, field) in fields {
                    self.path.push_key(name)?;
                    self.value(index, field, sink)?;
                    self.path.pop();
                }
            }
            Value::Array(items) => {
                for (at, item) in items.iter().enumerate() {
                    self.path.push_index(at as u64)?;
                    self.value(index, item, sink)?;
                    self.path.pop();
                }
            }
            Value::Map(entries) => {
                // Maps are decoded into a hash map: sorted, the keys come out the same
                // on every run.
                let mut keys: Vec<&String> = entries.keys().collect();
                keys.sort_unstable();
                for key in keys {
                    self.path.push_key(key)?;
                    self.value(index, &entries[key], sink)?;
                    self.path.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn text(&mut self, index: u64, bytes: &[u8], sink: &mut Sink<'_>) {
        if bytes.len() > self.max_unit_bytes {
            self.too_large = true;
            return;
        }
        self.path.emit(index, bytes, sink);
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
                    (2, "$.attrs.a", "x"),
                    (2, "$.attrs.ref", "P-EF9012"),
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
        file.extend(long(block.len() as i64));
        file.extend(block);
        file.extend(marker);
        file
    }

    /// A few bytes declaring an array of 100 million strings: the crate would reserve
    /// gigabytes for it under its own default limit; under ferret's it refuses the
    /// count before allocating, and the file is malformed.
    #[test]
    fn a_declared_huge_array_is_refused_before_it_is_allocated() {
        let schema = r#"{"type": "record", "name": "r", "fields": [
            {"name": "tags", "type": {"type": "array", "items": "string"}}]}"#;
        let file = container(schema, 1, &long(100_000_000));
        let mut seen = Vec::new();
        let result = read_avro(file.as_slice(), &Limits::default(), &mut collect(&mut seen));
        match result {
            Err(ReadError::Malformed { message, .. }) => assert!(
                message.contains(&DECODER_ALLOCATION_LIMIT.to_string()),
                "{message}"
            ),
            other => panic!("{other:?}"),
        }
        assert!(seen.is_empty());
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
