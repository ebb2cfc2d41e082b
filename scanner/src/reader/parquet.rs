//! Apache Parquet: one unit per string value, placed by its row and column path.
//!
//! The file is read through the `parquet` crate's record API ([`RowIter`]): it decodes
//! every column chunk page by page, a small batch of values at a time, and assembles one
//! row at a time, nested groups, lists and maps included. Memory is one page per column
//! and one row, whatever the size of a row group; a row group of strings is never held.
//! (The Arrow record-batch API would need the `arrow` crates and buffers of a whole
//! batch of every column; the row walk gives each value its full path, list indices and
//! map keys for free, which column-by-column readers would have to rebuild from
//! repetition levels.)
//!
//! Places: `recordIndex` is the row's 0-based index in the file, across row groups;
//! `jsonPath` is the column path, `$.address.street`, `$.tags[2]`, a map's value under
//! its key (`$.attributes.email`). The names on the path are the value's keyword
//! context, as a table's column name is. Strings (UTF8, ENUM, JSON) and byte arrays
//! without annotation (decoded lossily) are units; numbers, dates, decimals are not.
//!
//! A footer that cannot be read leaves nothing read: `MALFORMED_FILE`. A page that cannot
//! be decoded stops the reading there, after the rows before it were scanned. So does a
//! STRING value that is not UTF-8: the record API refuses it, and the column
//! descriptors it converts by come from the file, not from a projection.

use std::fs::File;
use std::panic::{catch_unwind, AssertUnwindSafe};

use parquet::errors::ParquetError;
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::record::reader::RowIter;
use parquet::record::{Field, Row};

use super::record_path::RecordPath;
use super::{ReadError, Sink};
use crate::{Format, Limits};

/// Values decoded per column at a time: a bound on the memory a column's batch takes
/// (with [`Limits::max_unit_bytes`] bounding each value) that is still large enough to
/// keep decoding fast.
const BATCH_VALUES: usize = 256;

/// Reads the Parquet file `file` and hands each string value to `sink`.
pub fn read_parquet(file: &File, limits: &Limits, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let file = file.try_clone()?;
    let reader = catch_unwind(AssertUnwindSafe(|| SerializedFileReader::new(file)))
        .map_err(|_| decoder_failed())?
        .map_err(malformed)?;
    let rows = RowIter::from_file_into(Box::new(reader)).with_batch_size(BATCH_VALUES);
    let mut walk = Walk {
        path: RecordPath::new(limits.max_json_depth),
        max_unit_bytes: limits.max_unit_bytes,
        too_large: false,
    };
    let mut rows = rows.enumerate();
    loop {
        // The crate panics on some malformed input (an `expect` on a row group it
        // cannot open); a panic is contained to this file's reading, and turned into
        // the malformed file it is.
        let next = catch_unwind(AssertUnwindSafe(|| rows.next()));
        let (index, row) = match next {
            Ok(None) => break,
            Ok(Some((index, Ok(row)))) => (index, row),
            Ok(Some((_, Err(e)))) => return Err(malformed(e)),
            Err(_) => return Err(decoder_failed()),
        };
        walk.row(index as u64, &row, sink)?;
    }
    if walk.too_large {
        return Err(ReadError::UnitTooLarge {
            limit: limits.max_unit_bytes,
        });
    }
    Ok(())
}

/// What a panic of the decoder, contained, is reported as.
fn decoder_failed() -> ReadError {
    ReadError::Malformed {
        format: Format::Parquet,
        message: "the decoder failed on this file".to_owned(),
    }
}

fn malformed(error: ParquetError) -> ReadError {
    ReadError::Malformed {
        format: Format::Parquet,
        message: error.to_string(),
    }
}

/// Walks one row after another, keeping the path of the value at hand.
struct Walk {
    path: RecordPath,
    max_unit_bytes: usize,
    /// A value over the unit limit was met (and left unscanned).
    too_large: bool,
}

impl Walk {
    fn row(&mut self, index: u64, row: &Row, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        for (name, field) in row.get_column_iter() {
            self.path.push_key(name)?;
            self.field(index, field, sink)?;
            self.path.pop();
        }
        Ok(())
    }

    fn field(&mut self, index: u64, field: &Field, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        match field {
            Field::Str(text) => self.text(index, text.as_bytes(), sink),
            Field::Bytes(bytes) => self.text(index, bytes.data(), sink),
            Field::Group(row) => self.row(index, row, sink)?,
            Field::ListInternal(list) => {
                for (at, element) in list.elements().iter().enumerate() {
                    self.path.push_index(at as u64)?;
                    self.field(index, element, sink)?;
                    self.path.pop();
                }
            }
            Field::MapInternal(map) => {
                for (key, value) in map.entries() {
                    let name = match key {
                        Field::Str(text) => text.clone(),
                        Field::Bytes(bytes) => String::from_utf8_lossy(bytes.data()).into_owned(),
                        other => other.to_string(),
                    };
                    self.path.push_key(&name)?;
                    self.field(index, value, sink)?;
                    self.path.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A string value; byte arrays that are not UTF-8 are decoded lossily, as text is.
    fn text(&mut self, index: u64, bytes: &[u8], sink: &mut Sink<'_>) {
        if bytes.len() > self.max_unit_bytes {
            self.too_large = true;
            return;
        }
        match std::str::from_utf8(bytes) {
            Ok(_) => self.path.emit(index, bytes, sink),
            Err(_) => {
                let text = String::from_utf8_lossy(bytes);
                self.path.emit(index, text.as_bytes(), sink);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::reader::record_path::seen::{collect, fixture, Seen};

    fn read(name: &str) -> (Vec<Seen>, Result<(), ReadError>) {
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(&fixture(&format!("parquet/{name}")))
            .expect("written");
        let mut seen = Vec::new();
        let result = read_parquet(&file, &Limits::default(), &mut collect(&mut seen));
        (seen, result)
    }

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    /// Every string value, in row order, at its path, with the names on the path as
    /// context; numbers, nulls and empty strings are no units.
    #[test]
    fn rows_give_their_string_values_at_their_paths() {
        for codec in ["none", "snappy", "gzip", "brotli", "zstd", "lz4"] {
            let (seen, result) = read(&format!("customers_{codec}.parquet"));
            result.expect("read");
            let at = |index: u64, path: &str| {
                seen.iter()
                    .find(|s| s.0 == index && s.1 == path)
                    .map(|s| (s.2.clone(), s.3.clone()))
            };
            assert_eq!(
                at(0, "$.cpf"),
                Some(("529.982.247-25".to_owned(), keys(&["cpf"])))
            );
            assert_eq!(
                at(1, "$.tags[2]"),
                Some(("P-AB1234".to_owned(), keys(&["tags"])))
            );
            assert_eq!(
                at(2, "$.address.street"),
                Some(("P-CD5678".to_owned(), keys(&["address", "street"])))
            );
            assert_eq!(
                at(3, "$.attrs.ref"),
                Some(("P-EF9012".to_owned(), keys(&["attrs", "ref"])))
            );
            assert_eq!(
                at(3, "$.note"),
                Some(("\u{FFFD}\u{FFFD}".to_owned(), keys(&["note"])))
            );
            assert_eq!(
                at(4, "$.note"),
                Some(("P-GH3456".to_owned(), keys(&["note"])))
            );
            assert_eq!(at(2, "$.cpf"), None, "empty strings are no units");
            assert!(seen
                .iter()
                .all(|s| !s.1.contains("score") && !s.1.contains("id")));
            let indices: Vec<u64> = seen.iter().map(|s| s.0).collect();
            assert!(
                indices.windows(2).all(|w| w[0] <= w[1]),
                "row order: {indices:?}"
            );
            assert_eq!(seen.len(), 25, "{codec}: {seen:?}");
        }
    }

    /// A STRING value that is not UTF-8 fails its row: the crate's row reader refuses
    /// it (a known limit: byte arrays without annotation are decoded lossily).
    #[test]
    fn a_string_that_is_not_utf8_stops_the_reading_as_malformed() {
        let (seen, result) = read("invalid_utf8.parquet");
        assert!(
            matches!(result, Err(ReadError::Malformed { .. })),
            "{result:?}"
        );
        assert!(seen.is_empty());
    }

    #[test]
    fn bad_files_are_malformed_after_what_could_be_read() {
        let (seen, result) = read("empty.parquet");
        assert!(result.is_ok() && seen.is_empty());
        let (seen, result) = read("damaged.parquet");
        assert!(
            matches!(result, Err(ReadError::Malformed { .. })),
            "{result:?}"
        );
        assert!(
            seen.iter().any(|s| s.0 == 3),
            "rows before the damage: {seen:?}"
        );
        assert!(seen.iter().all(|s| s.0 < 4));
        let (seen, result) = read("bad_footer.parquet");
        assert!(matches!(result, Err(ReadError::Malformed { .. })));
        assert!(seen.is_empty());
    }
}
