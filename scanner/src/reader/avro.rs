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

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};

use apache_avro::types::Value;
use apache_avro::Reader;

use super::record_path::RecordPath;
use super::{ReadError, Sink};
use crate::{Format, Limits};

/// Reads the Avro object container file `input` and hands each string value to `sink`.
pub fn read_avro<R: Read>(input: R, limits: &Limits, sink: &mut Sink<'_>) -> Result<(), ReadError> {
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
