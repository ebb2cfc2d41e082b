//! Apache Parquet: one unit per string value, placed by its row and column path.
//!
//! The file is read through the `parquet` crate's record API, one row group after
//! another: it decodes every column chunk page by page, a small batch of values at a
//! time, and assembles one row at a time, nested groups, lists and maps included.
//! Memory is one page per column and one row, whatever the size of a row group; a row
//! group of strings is never held. (The Arrow record-batch API would need the `arrow`
//! crates and buffers of a whole batch of every column; the row walk gives each value
//! its full path, list indices and map keys for free, which column-by-column readers
//! would have to rebuild from repetition levels.) A flat schema, where there are no
//! paths to rebuild, is read column by column instead, to the same units in the same
//! order ([`columns`]), without the record API's allocations. Row groups are read
//! independently ([`ParquetFile::read_row_groups`]), so that a large file's row groups
//! can be shared among threads (`crate::row_groups`).
//!
//! Places: `recordIndex` is the row's 0-based index in the file, across row groups;
//! `jsonPath` is the column path, `$.address.street`, `$.tags[2]`, a map's value under
//! its key (`$.attributes.email`). The names on the path are the value's keyword
//! context, as a table's column name is. Strings (UTF8, ENUM, JSON) and byte arrays
//! without annotation are units; numbers, dates, decimals are not. A value that is not
//! UTF-8 is decoded lossily, as text is everywhere: the record API would refuse a STRING
//! one and fail its row group, so it is given the file's schema with string columns
//! declared plain byte arrays ([`LossySchema`]).
//!
//! A footer that cannot be read leaves nothing read: `MALFORMED_FILE`. A page that cannot
//! be decoded stops the reading there, after the rows before it were scanned.
//!
//! Memory: the crate allocates the sizes the file declares. The footer's column chunks
//! are checked against the file's length before any row is read, and the crate reads
//! the file through [`BoundedFile`], which refuses a range past the file's end before
//! allocating for it: a declared page larger than the file is `MALFORMED_FILE`, and a
//! page's compressed bytes are never more than the file holds. The uncompressed size
//! a page header declares, which the crate reserves whole before decompressing into
//! it, is checked first: the crate reads each page header through
//! [`ChunkReader::get_read`], where [`BoundedFile`] reads the header on its own
//! ([`thrift`]) and refuses one declaring more than
//! [`thrift::MAX_PAGE_BYTES`] (128 MiB): `MALFORMED_FILE`, after the rows before.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use bytes::Bytes;
use parquet::basic::{ConvertedType, LogicalType, Type as PhysicalType};
use parquet::bloom_filter::Sbbf;
use parquet::column::page::PageReader;
use parquet::errors::ParquetError;
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData, RowGroupMetaData};
use parquet::file::reader::{ChunkReader, FileReader, Length, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::record::reader::{RowIter, TreeBuilder};
use parquet::record::{Field, Row};
use parquet::schema::types::{SchemaDescPtr, SchemaDescriptor, Type, TypePtr};

use self::columns::FlatColumns;
use super::record_path::RecordPath;
use super::{ReadError, Sink};
use crate::{Format, Limits};

mod columns;
mod thrift;

/// Values decoded per column at a time: a bound on the memory a column's batch takes
/// (with [`Limits::max_unit_bytes`] bounding each value) that is still large enough to
/// keep decoding fast.
const BATCH_VALUES: usize = 256;

/// Reads the Parquet file `file` and hands each string value to `sink`.
pub fn read_parquet(file: &File, limits: &Limits, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let parquet = ParquetFile::open(file)?;
    parquet.read_row_groups(0..parquet.row_groups(), 0, limits, sink)
}

/// An open Parquet file whose footer was read and checked: its row groups can be read
/// in any order, from any thread (the file is read with positioned reads).
pub(crate) struct ParquetFile {
    reader: SerializedFileReader<BoundedFile>,
    lossy: LossySchema,
    /// A flat schema's columns, read column by column; `None`: rows are walked.
    flat: Option<FlatColumns>,
}

impl ParquetFile {
    /// Reads and checks the footer: `MALFORMED_FILE` if it cannot be read or its column
    /// chunks do not lie within the file.
    pub(crate) fn open(file: &File) -> Result<Self, ReadError> {
        Self::open_bounded(BoundedFile::new(file)?)
    }

    /// [`ParquetFile::open`] of a file whose reads are bounded as `file` says.
    fn open_bounded(file: BoundedFile) -> Result<Self, ReadError> {
        let file_len = file.len;
        let reader = catch_unwind(AssertUnwindSafe(|| SerializedFileReader::new(file)))
            .map_err(|_| decoder_failed())?
            .map_err(malformed)?;
        check_column_chunks(reader.metadata(), file_len)?;
        let lossy = LossySchema::new(reader.metadata()).map_err(malformed)?;
        let flat = FlatColumns::of(reader.metadata().file_metadata().schema_descr());
        Ok(ParquetFile {
            reader,
            lossy,
            flat,
        })
    }

    pub(crate) fn row_groups(&self) -> usize {
        self.reader.num_row_groups()
    }

    /// The rows of row group `group`, as the footer declares them.
    pub(crate) fn rows_in(&self, group: usize) -> u64 {
        let rows = self.reader.metadata().row_group(group).num_rows();
        u64::try_from(rows).unwrap_or(0)
    }

    /// Reads the row groups `groups`, in order, numbering their rows from `first_row`
    /// (the rows of the row groups before them), and hands each string value to `sink`.
    /// A value over the unit limit is left unscanned and the rest read: the read then
    /// ends in [`ReadError::UnitTooLarge`].
    pub(crate) fn read_row_groups(
        &self,
        groups: Range<usize>,
        first_row: u64,
        limits: &Limits,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let mut walk = Walk {
            path: RecordPath::new(limits.max_json_depth),
            max_unit_bytes: limits.max_unit_bytes,
            too_large: false,
        };
        let mut index = first_row;
        for group in groups {
            self.read_row_group(group, &mut index, &mut walk, sink)?;
        }
        if walk.too_large {
            return Err(ReadError::UnitTooLarge {
                limit: limits.max_unit_bytes,
            });
        }
        Ok(())
    }

    fn read_row_group(
        &self,
        group: usize,
        index: &mut u64,
        walk: &mut Walk,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let inner = contained(catch_unwind(AssertUnwindSafe(|| {
            self.reader.get_row_group(group)
        })))?;
        if let Some(flat) = &self.flat {
            return flat.read_row_group(inner.as_ref(), index, walk, sink);
        }
        let lossy = self.lossy.row_group(inner).map_err(malformed)?;
        let mut rows = contained(catch_unwind(AssertUnwindSafe(|| {
            TreeBuilder::new()
                .with_batch_size(BATCH_VALUES)
                .as_iter(lossy.metadata.schema_descr_ptr(), &lossy)
        })))?;
        while let Some(row) = contained(catch_unwind(AssertUnwindSafe(|| rows.next().transpose())))?
        {
            walk.row(*index, &row, sink)?;
            *index += 1;
        }
        Ok(())
    }
}

/// The file's schema with every string column (STRING, ENUM, JSON) declared a byte
/// array without annotation, which is what the row reader is given: it converts a
/// STRING value with `String::from_utf8` and fails its row group on one that is not
/// UTF-8, where a byte array reaches [`Walk::text`] and is decoded lossily, as text
/// that is not UTF-8 is everywhere. Groups (lists, maps) keep their annotations, and
/// with them the row reader's shape of the record.
struct LossySchema {
    schema: SchemaDescPtr,
    /// One column chunk description per leaf, which is all the row reader reads of
    /// them: its descriptor (the pages are read by the file's own row group reader).
    columns: Vec<ColumnChunkMetaData>,
}

impl LossySchema {
    fn new(metadata: &ParquetMetaData) -> parquet::errors::Result<Self> {
        let root = lossy_type(&metadata.file_metadata().schema_descr().root_schema_ptr())?;
        let schema = Arc::new(SchemaDescriptor::new(root));
        let columns = schema
            .columns()
            .iter()
            .map(|column| ColumnChunkMetaData::builder(column.clone()).build())
            .collect::<parquet::errors::Result<_>>()?;
        Ok(LossySchema { schema, columns })
    }

    /// The row group `inner` of the file, seen through this schema.
    fn row_group<'a>(
        &self,
        inner: Box<dyn RowGroupReader + 'a>,
    ) -> parquet::errors::Result<LossyRowGroup<'a>> {
        let metadata = RowGroupMetaData::builder(self.schema.clone())
            .set_num_rows(inner.metadata().num_rows())
            .set_column_metadata(self.columns.clone())
            .build()?;
        if inner.num_columns() != metadata.num_columns() {
            return Err(ParquetError::General(format!(
                "the row group has {} column chunks, the schema {} columns",
                inner.num_columns(),
                metadata.num_columns()
            )));
        }
        Ok(LossyRowGroup { inner, metadata })
    }
}

/// `schema` with its string leaves made byte arrays without annotation.
fn lossy_type(schema: &TypePtr) -> parquet::errors::Result<TypePtr> {
    let info = schema.get_basic_info();
    let id = info.has_id().then(|| info.id());
    if schema.is_primitive() {
        let text = matches!(
            info.converted_type(),
            ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON
        ) || matches!(
            info.logical_type_ref(),
            Some(LogicalType::String | LogicalType::Enum | LogicalType::Json)
        );
        if !text || schema.get_physical_type() != PhysicalType::BYTE_ARRAY {
            return Ok(schema.clone());
        }
        let mut builder =
            Type::primitive_type_builder(info.name(), PhysicalType::BYTE_ARRAY).with_id(id);
        if info.has_repetition() {
            builder = builder.with_repetition(info.repetition());
        }
        return Ok(Arc::new(builder.build()?));
    }
    let fields = schema
        .get_fields()
        .iter()
        .map(lossy_type)
        .collect::<parquet::errors::Result<_>>()?;
    let mut builder = Type::group_type_builder(info.name())
        .with_fields(fields)
        .with_converted_type(info.converted_type())
        .with_logical_type(info.logical_type_ref().cloned())
        .with_id(id);
    if info.has_repetition() {
        builder = builder.with_repetition(info.repetition());
    }
    Ok(Arc::new(builder.build()?))
}

/// A row group of the file, described by the [`LossySchema`]: the row reader takes
/// the column descriptors it converts values by from here, and its pages from the
/// file's own reader.
struct LossyRowGroup<'a> {
    inner: Box<dyn RowGroupReader + 'a>,
    metadata: RowGroupMetaData,
}

impl RowGroupReader for LossyRowGroup<'_> {
    fn metadata(&self) -> &RowGroupMetaData {
        &self.metadata
    }

    fn num_columns(&self) -> usize {
        self.metadata.num_columns()
    }

    fn get_column_page_reader(&self, i: usize) -> parquet::errors::Result<Box<dyn PageReader>> {
        self.inner.get_column_page_reader(i)
    }

    fn get_column_bloom_filter(&self, _: usize) -> Option<&Sbbf> {
        None
    }

    fn get_row_iter(&self, projection: Option<Type>) -> parquet::errors::Result<RowIter<'_>> {
        RowIter::from_row_group(projection, self)
    }
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
/// file reserved 2 GiB.) Reads are positioned, never moving a shared cursor, so that
/// threads can read row groups of one file side by side.
struct BoundedFile {
    file: Arc<File>,
    len: u64,
    /// The largest uncompressed page read: [`thrift::MAX_PAGE_BYTES`] but in
    /// tests.
    max_page: i64,
}

impl BoundedFile {
    fn new(file: &File) -> io::Result<Self> {
        let file = file.try_clone()?;
        let len = file.metadata()?.len();
        Ok(BoundedFile {
            file: Arc::new(file),
            len,
            max_page: thrift::MAX_PAGE_BYTES,
        })
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
}

impl Length for BoundedFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for BoundedFile {
    type T = BufReader<ReadAt>;

    /// The crate reads the footer's last 8 bytes and every page header through this
    /// call. A page header is read here first, on its own, and one that declares more
    /// than [`thrift::MAX_PAGE_BYTES`] uncompressed is refused: the crate would
    /// reserve that much before decompressing the page. (Were a new version of the
    /// crate to read headers otherwise, `pages_are_checked_as_the_crate_reads_them`
    /// fails.)
    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        let left = self.remaining(start, 0)?;
        let at = || ReadAt {
            file: self.file.clone(),
            offset: start,
            left,
        };
        if left > FOOTER_TAIL {
            let mut header = BufReader::with_capacity(PAGE_HEADER_READ, at());
            if let Some(size) = thrift::uncompressed_size(&mut header) {
                if size > self.max_page {
                    return Err(ParquetError::General(format!(
                        "a page at offset {start} declares {size} bytes uncompressed, more \
                         than the {} a page may hold",
                        self.max_page
                    )));
                }
            }
        }
        Ok(BufReader::new(at()))
    }

    /// The crate reads the footer's metadata, and the pages of column chunks, through
    /// this call. The footer (the bytes just before its 8-byte tail) is walked first
    /// ([`thrift::check_footer`]): a list in it declaring more items than bytes left is
    /// refused, as the crate would reserve them all at once, and so is a schema nesting
    /// deeper than the crate's recursion can take.
    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.remaining(start, length as u64)?;
        let mut buffer = vec![0; length];
        let mut at = ReadAt {
            file: self.file.clone(),
            offset: start,
            left: length as u64,
        };
        at.read_exact(&mut buffer)?;
        let footer = start + length as u64 + FOOTER_TAIL == self.len;
        if footer {
            if let Err(refusal) = thrift::check_footer(&buffer) {
                return Err(ParquetError::General(refusal.to_string()));
            }
        }
        Ok(buffer.into())
    }
}

/// The footer's length and magic, the last bytes of the file: no page header.
const FOOTER_TAIL: u64 = 8;
/// Bytes read at a time while checking a page header; most headers are shorter.
const PAGE_HEADER_READ: usize = 256;

/// A reader of `left` bytes of the file from `offset`, by positioned reads.
struct ReadAt {
    file: Arc<File>,
    offset: u64,
    left: u64,
}

impl Read for ReadAt {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = usize::try_from(self.left).map_or(buf.len(), |left| left.min(buf.len()));
        let read = read_at(&self.file, &mut buf[..want], self.offset)?;
        self.offset += read as u64;
        self.left -= read as u64;
        Ok(read)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// The outcome of a call into the crate made under `catch_unwind`. The crate panics on
/// some malformed input (an `expect` on a column chunk it cannot open); a panic is
/// contained to this file's reading, and turned into the malformed file it is.
fn contained<T>(result: std::thread::Result<parquet::errors::Result<T>>) -> Result<T, ReadError> {
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(malformed(e)),
        Err(_) => Err(decoder_failed()),
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

    /// A STRING value that is not UTF-8 is decoded lossily and scanned, in a column of
    /// its own and in a list, and the rest of the file is read.
    #[test]
    fn strings_that_are_not_utf8_are_decoded_lossily() {
        let (seen, result) = read("invalid_utf8.parquet");
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
            ]
        );
    }

    /// Reads `name` with its flat columns read column by column (`true`) or its rows
    /// walked.
    fn read_by(name: &str, by_columns: bool) -> (Vec<Seen>, Result<(), ReadError>) {
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(&fixture(&format!("parquet/{name}")))
            .expect("written");
        let mut parquet = ParquetFile::open(&file).expect("footer");
        assert!(parquet.flat.is_some(), "{name} is flat");
        if !by_columns {
            parquet.flat = None;
        }
        let mut seen = Vec::new();
        let limits = Limits {
            max_unit_bytes: 22,
            ..Limits::default()
        };
        let result =
            parquet.read_row_groups(0..parquet.row_groups(), 0, &limits, &mut collect(&mut seen));
        (seen, result)
    }

    /// A flat table read column by column gives the row walk's units, in its order, at
    /// its places, and ends as it does: across batches, pages and row groups, with
    /// nulls, skipped columns, values over the unit limit and a damaged page.
    #[test]
    fn flat_columns_give_what_the_row_walk_gives() {
        for name in ["flat.parquet", "flat_plain.parquet", "flat_damaged.parquet"] {
            let (by_columns, columns_end) = read_by(name, true);
            let (by_rows, rows_end) = read_by(name, false);
            assert_eq!(by_columns, by_rows, "{name}");
            assert_eq!(
                format!("{columns_end:?}"),
                format!("{rows_end:?}"),
                "{name}"
            );
            assert!(by_columns.iter().any(|s| s.0 > 256), "{name}: past a batch");
        }
        let (seen, end) = read_by("flat.parquet", true);
        assert!(
            matches!(end, Err(ReadError::UnitTooLarge { .. })),
            "{end:?}"
        );
        assert!(seen.contains(&(
            13,
            "$.note".to_owned(),
            "\u{FFFD} P-CD0013".to_owned(),
            keys(&["note"])
        )));
        assert!(!seen.iter().any(|s| s.0 == 0 && s.1 == "$.name"), "a null");
        let (seen, end) = read_by("flat_damaged.parquet", true);
        assert!(matches!(end, Err(ReadError::Malformed { .. })), "{end:?}");
        assert!(seen.iter().any(|s| s.0 == 599) && seen.iter().all(|s| s.0 < 600));
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

    /// A page header declaring more than a page may hold is refused when the crate
    /// asks to read it; one within the bound is read as it is.
    #[test]
    fn a_page_declaring_a_huge_uncompressed_size_is_refused_before_it_is_read() {
        for (size, refused) in [(1 << 30, true), (thrift::MAX_PAGE_BYTES, false)] {
            let mut file = tempfile::tempfile().expect("temp file");
            let header = thrift::tests::page_header(size, false);
            file.write_all(&header).expect("written");
            file.write_all(&[0; 32]).expect("written");
            let bounded = BoundedFile::new(&file).expect("length");
            match bounded.get_read(0) {
                Err(ParquetError::General(message)) => {
                    assert!(refused, "{message}");
                    assert!(message.contains("1073741824 bytes"), "{message}");
                }
                Err(other) => panic!("{other}"),
                Ok(mut read) => {
                    assert!(!refused);
                    let mut start = vec![0; header.len()];
                    read.read_exact(&mut start).expect("read");
                    assert_eq!(start, header);
                }
            }
        }
    }

    /// The crate reads every page header through [`BoundedFile::get_read`]: with a
    /// bound below a fixture's pages, its first page is refused, and reading stops as
    /// malformed before any row.
    #[test]
    fn pages_are_checked_as_the_crate_reads_them() {
        for name in ["flat.parquet", "customers_snappy.parquet"] {
            let mut file = tempfile::tempfile().expect("temp file");
            file.write_all(&fixture(&format!("parquet/{name}")))
                .expect("written");
            let mut bounded = BoundedFile::new(&file).expect("length");
            bounded.max_page = 8;
            let parquet = ParquetFile::open_bounded(bounded).expect("footer");
            let mut seen = Vec::new();
            let result = parquet.read_row_groups(
                0..parquet.row_groups(),
                0,
                &Limits::default(),
                &mut collect(&mut seen),
            );
            match result {
                Err(ReadError::Malformed { message, .. }) => {
                    assert!(message.contains("bytes uncompressed"), "{name}: {message}")
                }
                other => panic!("{name}: {other:?}"),
            }
            assert!(seen.is_empty(), "{name}");
        }
    }

    /// A footer whose list declares 140 million items in a few bytes (found by
    /// fuzzing: the crate reserved 6.7 GB for them) is refused before the crate parses
    /// it.
    #[test]
    fn a_footer_declaring_more_items_than_it_holds_is_malformed() {
        let footer = [
            0x15, 0x02, 0x39, 0xfc, 0x80, 0xf6, 0xe0, 0x42, 0x18, 0x01, b'k', 0x00, 0x00,
        ];
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(b"PAR1").expect("written");
        file.write_all(&footer).expect("written");
        file.write_all(&(footer.len() as u32).to_le_bytes())
            .expect("written");
        file.write_all(b"PAR1").expect("written");
        match ParquetFile::open(&file) {
            Err(ReadError::Malformed { message, .. }) => assert!(
                message.contains("a list of 140000000 items where 5 bytes are left"),
                "{message}"
            ),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("opened"),
        }
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
