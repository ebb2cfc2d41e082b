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
//!
//! Memory: the crate allocates the sizes the file declares. The footer's column chunks
//! are checked against the file's length before any row is read, and the crate reads
//! the file through [`BoundedFile`], which refuses a range past the file's end before
//! allocating for it: a declared page larger than the file is `MALFORMED_FILE`, and a
//! page's compressed bytes are never more than the file holds. Not bounded without
//! patching the crate: the uncompressed size a page header declares, which the crate
//! reserves whole (`Vec::with_capacity`, up to 2 GiB) before decompressing into it, and
//! which a real decompression bomb fills.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Take};
use std::panic::{catch_unwind, AssertUnwindSafe};

use bytes::Bytes;
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::{ChunkReader, FileReader, Length};
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
    let file = BoundedFile::new(file)?;
    let file_len = file.len;
    let reader = catch_unwind(AssertUnwindSafe(|| SerializedFileReader::new(file)))
        .map_err(|_| decoder_failed())?
        .map_err(malformed)?;
    check_column_chunks(reader.metadata(), file_len)?;
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

/// Refuses a footer whose column chunks do not lie within the file: the crate would
/// trust their sizes when it reads their pages (and panics on a negative one).
fn check_column_chunks(metadata: &ParquetMetaData, file_len: u64) -> Result<(), ReadError> {
    for (group, row_group) in metadata.row_groups().iter().enumerate() {
        for (column, chunk) in row_group.columns().iter().enumerate() {
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or_else(|| chunk.data_page_offset());
            let within = u64::try_from(start)
                .ok()
                .zip(u64::try_from(chunk.compressed_size()).ok())
                .and_then(|(start, len)| start.checked_add(len))
                .is_some_and(|end| end <= file_len);
            if !within {
                return Err(ReadError::Malformed {
                    format: Format::Parquet,
                    message: format!(
                        "column chunk {column} of row group {group} lies outside the file \
                         (offset {start}, {} bytes, file {file_len} bytes)",
                        chunk.compressed_size()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The file as the crate reads it: a range past the file's end is refused before
/// anything is allocated for it. (The crate's own `ChunkReader` for `File` reserves
/// the whole length it is asked for first, so a page header declaring 2 GiB in a small
/// file reserved 2 GiB.)
struct BoundedFile {
    file: File,
    len: u64,
}

impl BoundedFile {
    fn new(file: &File) -> std::io::Result<Self> {
        let file = file.try_clone()?;
        let len = file.metadata()?.len();
        Ok(BoundedFile { file, len })
    }

    /// The bytes from `start` to the file's end, if `length` of them are there.
    fn remaining(&self, start: u64, length: u64) -> parquet::errors::Result<u64> {
        match self.len.checked_sub(start) {
            Some(rest) if rest >= length => Ok(rest),
            _ => Err(ParquetError::EOF(format!(
                "{length} bytes at offset {start} run past the end of the file ({} bytes)",
                self.len
            ))),
        }
    }

    fn at(&self, start: u64) -> parquet::errors::Result<File> {
        let mut file = self.file.try_clone()?;
        file.seek(SeekFrom::Start(start))?;
        Ok(file)
    }
}

impl Length for BoundedFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for BoundedFile {
    type T = BufReader<Take<File>>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        let rest = self.remaining(start, 0)?;
        Ok(BufReader::new(self.at(start)?.take(rest)))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.remaining(start, length as u64)?;
        let mut buffer = vec![0; length];
        self.at(start)?.read_exact(&mut buffer)?;
        Ok(buffer.into())
    }
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

    /// The crate's reads go through [`BoundedFile`]: a range past the end is an error
    /// (before a buffer for it exists), a range within the file is its bytes.
    #[test]
    fn the_file_refuses_ranges_past_its_end() {
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(b"PAR1 data PAR1").expect("written");
        let bounded = BoundedFile::new(&file).expect("length");
        assert_eq!(bounded.get_bytes(10, 4).expect("within").as_ref(), b"PAR1");
        assert!(matches!(
            bounded.get_bytes(10, 5),
            Err(ParquetError::EOF(_))
        ));
        assert!(matches!(
            bounded.get_bytes(1, i32::MAX as usize),
            Err(ParquetError::EOF(_))
        ));
        assert!(bounded.get_read(15).is_err());
        let mut rest = Vec::new();
        bounded
            .get_read(10)
            .expect("within")
            .read_to_end(&mut rest)
            .expect("read");
        assert_eq!(rest, b"PAR1");
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
