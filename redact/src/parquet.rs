//! Apache Parquet: the copy has the original's schema, row groups (with their row
//! counts), compression codecs and key-value metadata; only string values change.
//!
//! # How
//! The original is spooled to a temporary file (a footer is at its end) and first read
//! whole by the scanner's own Parquet reader, with a sink that keeps nothing: an object
//! the scanner would not read COMPLETE (a damaged page, a value over the unit limit,
//! nesting too deep) is refused before anything is written, with the scanner's reason.
//!
//! The copy is then written row group by row group, column chunk by column chunk:
//!
//! - a column that holds no units (numbers, dates, decimals, booleans, map keys) is
//!   copied as its encoded bytes, pages and statistics untouched;
//! - a column of strings is decoded a batch of records at a time with its repetition and
//!   definition levels, each value judged and rewritten, and encoded again with the same
//!   levels and codec (its statistics are recomputed, so they never hold a rewritten
//!   value).
//!
//! Memory is one batch of one column (plus the encoder's current page and dictionary),
//! whatever the size of a row group.
//!
//! # Same judgement as the scan
//! The scanner reads rows and gives each string value the names on its path as keyword
//! context: field names, a list's name (not its synthetic `list`/`element` levels), a
//! map's name and the entry's key. The same names are derived here from the schema,
//! once per column; for a map's value the key is read alongside it from the key column.
//! A map whose values are groups or lists holding strings is not rewritten (its keys
//! would have to be paired with values through nested levels): such a file is refused
//! as unsupported rather than judged differently from the scan.
//!
//! A byte-array value that is not UTF-8 is judged, as scanned, in its lossy decoding;
//! when it holds a match, the copy holds the rewritten lossy decoding. A fixed-length
//! value is only rewritten when the rewrite keeps its length.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use ferret_identifiers::UnitContext;
use ferret_scanner::reader::{read_parquet, TextUnit};
use ferret_scanner::{Format, Limits, ReadError};
use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::reader::{get_typed_column_reader, ColumnReader, ColumnReaderImpl};
use parquet::column::writer::{ColumnCloseResult, ColumnWriterImpl};
use parquet::data_type::{
    AsBytes, ByteArray, ByteArrayType, DataType, FixedLenByteArray, FixedLenByteArrayType,
};
use parquet::errors::ParquetError;
use parquet::file::metadata::{ParquetMetaData, RowGroupMetaData};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::types::{ColumnDescriptor, Type};

use crate::plan::{Planner, Rewrite};
use crate::policy::Policy;
use crate::splice::rewritten;
use crate::RedactError;

/// Records decoded per column at a time: a bound on a batch's memory (each value is
/// bounded by the unit limit the scan already checked) still large enough to encode
/// pages efficiently.
const BATCH_RECORDS: usize = 256;

/// Copies the Parquet file `input` with its string values redacted.
pub fn redact_parquet(
    input: &mut dyn Read,
    limits: &Limits,
    out: &mut dyn Write,
    planner: &mut Planner<'_>,
    policy: &Policy,
) -> Result<(), RedactError> {
    let mut spooled = tempfile::tempfile()?;
    io::copy(input, &mut spooled)?;
    spooled.flush()?;
    // The scanner's verdict first: what it would not read whole is not rewritten.
    read_parquet(&spooled, limits, &mut |_: TextUnit<'_>| {})?;
    // The crate panics on some malformed input; the scanner has read this file whole
    // with it, but a panic is still contained here and reported as the file's.
    let mut copy = catch_unwind(AssertUnwindSafe(|| copy_file(&spooled, planner, policy)))
        .map_err(|_| {
            RedactError::Read(ReadError::Malformed {
                format: Format::Parquet,
                message: "the decoder failed on this file".to_owned(),
            })
        })??;
    copy.seek(SeekFrom::Start(0))?;
    io::copy(&mut copy, out)?;
    Ok(())
}

/// Writes the redacted copy of the Parquet file `spooled` to a temporary file.
fn copy_file(
    spooled: &File,
    planner: &mut Planner<'_>,
    policy: &Policy,
) -> Result<File, RedactError> {
    let reader = SerializedFileReader::new(spooled.try_clone()?).map_err(malformed)?;
    let metadata = reader.metadata();
    let plans = plan_columns(metadata)?;
    let mut copy = SerializedFileWriter::new(
        tempfile::tempfile()?,
        metadata.file_metadata().schema_descr().root_schema_ptr(),
        writer_properties(metadata).into(),
    )
    .map_err(write_error)?;
    let mut rewriter = Rewriter {
        planner,
        policy,
        keys: Vec::new(),
        rewrites: Vec::new(),
        scratch: Vec::new(),
    };
    for index in 0..reader.num_row_groups() {
        let group = reader.get_row_group(index).map_err(malformed)?;
        let mut group_writer = copy.next_row_group().map_err(write_error)?;
        for (column, plan) in plans.iter().enumerate() {
            match plan {
                Plan::Copy => {
                    let close = copied_chunk(group.metadata(), column);
                    group_writer
                        .append_column(spooled, close)
                        .map_err(write_error)?;
                }
                Plan::Judge { keys, map_key } => {
                    let mut column_writer = group_writer
                        .next_column()
                        .map_err(write_error)?
                        .ok_or_else(|| write_error(ParquetError::General("no column".into())))?;
                    rewriter.keys.clone_from(keys);
                    rewriter.column(&*group, column, *map_key, &mut column_writer)?;
                    column_writer.close().map_err(write_error)?;
                }
            }
        }
        group_writer.close().map_err(write_error)?;
    }
    copy.into_inner().map_err(write_error)
}

/// What is done with one leaf column.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    /// No units: its encoded bytes are copied.
    Copy,
    /// Units judged with `keys` as context; for a map's value, the key read from leaf
    /// column `map_key` comes last.
    Judge {
        keys: Vec<String>,
        map_key: Option<usize>,
    },
}

/// Where a field lies relative to the maps around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InMap {
    /// In no map's value.
    No,
    /// It is the value of a map whose key is leaf column `key`.
    Value { key: usize },
    /// Inside a map's value, nested in groups or lists.
    Nested,
}

/// One plan per leaf column, in the schema's column order.
fn plan_columns(metadata: &ParquetMetaData) -> Result<Vec<Plan>, RedactError> {
    let schema = metadata.file_metadata().schema_descr();
    let mut plans = Vec::with_capacity(schema.num_columns());
    let mut keys = Vec::new();
    for field in schema.root_schema().get_fields() {
        visit(field, &mut keys, true, InMap::No, &mut plans)?;
    }
    if plans.len() != schema.num_columns() {
        // A schema the walk above reads otherwise than the crate does.
        return Err(unsupported());
    }
    Ok(plans)
}

/// Plans the leaves under `field`, the names the scanner puts on their paths in `keys`
/// (`named`: whether this field's own name is one, as a list's element's is not).
/// Follows the rules by which the `parquet` crate's row reader, which the scanner
/// uses, assembles lists and maps.
fn visit(
    field: &Type,
    keys: &mut Vec<String>,
    named: bool,
    in_map: InMap,
    plans: &mut Vec<Plan>,
) -> Result<(), RedactError> {
    if named {
        keys.push(field.name().to_owned());
    }
    let nested = match in_map {
        InMap::No => InMap::No,
        _ => InMap::Nested,
    };
    if field.is_primitive() {
        let plan = match (holds_units(field), in_map) {
            (false, _) => Plan::Copy,
            (true, InMap::No) => Plan::Judge {
                keys: keys.clone(),
                map_key: None,
            },
            (true, InMap::Value { key }) => Plan::Judge {
                keys: keys.clone(),
                map_key: Some(key),
            },
            (true, InMap::Nested) => {
                // Strings in a map's nested values: their key is not read in step.
                return Err(unsupported());
            }
        };
        plans.push(plan);
    } else {
        let fields = field.get_fields();
        match field.get_basic_info().converted_type() {
            ConvertedType::LIST if fields.len() == 1 => {
                let repeated = &fields[0];
                if is_element_type(repeated) {
                    visit(repeated, keys, false, nested, plans)?;
                } else {
                    for child in repeated.get_fields() {
                        visit(child, keys, false, nested, plans)?;
                    }
                }
            }
            ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE if fields.len() == 1 => {
                let entry = fields[0].get_fields();
                match entry {
                    // Keys only: a list of them, each a unit.
                    [key] => visit(key, keys, false, nested, plans)?,
                    [key, value] if key.is_primitive() => {
                        // Keys are not units; they are context for their values.
                        let key_column = plans.len();
                        plans.push(Plan::Copy);
                        let value_in_map = match (value.is_primitive(), in_map) {
                            (true, InMap::No) => InMap::Value { key: key_column },
                            _ => InMap::Nested,
                        };
                        if value_in_map != InMap::Nested && !supported_key(key) {
                            if holds_units(value) {
                                // Strings keyed by numbers or dates, which the scanner
                                // formats as it names them: not read here.
                                return Err(unsupported());
                            }
                            plans.push(Plan::Copy);
                        } else {
                            visit(value, keys, false, value_in_map, plans)?;
                        }
                    }
                    // Neither keys nor keys and values: the crate's reader refuses it too.
                    _ => return Err(unsupported()),
                }
            }
            // Groups, and repeated groups (lists of groups): their fields' names count.
            _ => {
                for child in fields {
                    visit(child, keys, true, in_map_of_group(in_map), plans)?;
                }
            }
        }
    }
    if named {
        keys.pop();
    }
    Ok(())
}

/// A group's fields are nested in a map's value as the group is.
fn in_map_of_group(in_map: InMap) -> InMap {
    match in_map {
        InMap::No => InMap::No,
        _ => InMap::Nested,
    }
}

/// Whether the repeated field of a LIST is its element itself (a legacy two-level
/// list), by the rules of the `parquet` crate's row reader.
fn is_element_type(repeated: &Type) -> bool {
    let info = repeated.get_basic_info();
    let is_list = repeated.is_group()
        && match info.logical_type_ref() {
            Some(logical) => logical == &LogicalType::List,
            None => info.converted_type() == ConvertedType::LIST,
        };
    let single_repeated_child = repeated.is_group()
        && matches!(repeated.get_fields(), [child]
            if child.get_basic_info().has_repetition()
                && child.get_basic_info().repetition() == Repetition::REPEATED);
    if is_list || single_repeated_child {
        return false;
    }
    repeated.is_primitive()
        || repeated.get_fields().len() > 1
        || repeated.name() == "array"
        || repeated.name().ends_with("_tuple")
}

/// Whether the scanner reads values of this primitive field as text: strings, enums,
/// JSON and byte arrays without annotation.
fn holds_units(field: &Type) -> bool {
    if !field.is_primitive() {
        return false;
    }
    let info = field.get_basic_info();
    match field.get_physical_type() {
        PhysicalType::BYTE_ARRAY => matches!(
            info.converted_type(),
            ConvertedType::UTF8
                | ConvertedType::ENUM
                | ConvertedType::JSON
                | ConvertedType::BSON
                | ConvertedType::NONE
        ),
        PhysicalType::FIXED_LEN_BYTE_ARRAY => {
            info.converted_type() == ConvertedType::NONE
                && info.logical_type_ref() != Some(&LogicalType::Float16)
        }
        _ => false,
    }
}

/// Map keys read as text here (the scanner also formats numbers and dates as keys;
/// maps of strings keyed by those are refused rather than judged differently).
fn supported_key(key: &Type) -> bool {
    key.is_primitive() && key.get_physical_type() == PhysicalType::BYTE_ARRAY
}

/// The writer's settings that keep what the original says: its format version,
/// key-value metadata and each column's codec. (Not its `created_by`: readers trust or
/// distrust statistics by the writer named there, and this copy's are the crate's.)
fn writer_properties(metadata: &ParquetMetaData) -> WriterProperties {
    let file = metadata.file_metadata();
    let version = if file.version() >= 2 {
        WriterVersion::PARQUET_2_0
    } else {
        WriterVersion::PARQUET_1_0
    };
    // No page indexes: the crate writes them for all columns or none, and the chunks
    // copied as they are bring none (an index is optional to every reader).
    let mut builder = WriterProperties::builder()
        .set_writer_version(version)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_offset_index_disabled(true)
        .set_key_value_metadata(file.key_value_metadata().cloned());
    if let Some(group) = metadata.row_groups().first() {
        for column in group.columns() {
            builder =
                builder.set_column_compression(column.column_path().clone(), column.compression());
        }
        // Row groups are written whole as they were: never split by the writer.
        let largest = metadata
            .row_groups()
            .iter()
            .map(|g| usize::try_from(g.num_rows()).unwrap_or(usize::MAX))
            .max()
            .unwrap_or(1);
        builder = builder.set_max_row_group_size(largest.max(1));
    }
    builder.build()
}

/// The metadata that appends column `column` of `group` as its encoded bytes.
fn copied_chunk(group: &RowGroupMetaData, column: usize) -> ColumnCloseResult {
    let metadata = group.column(column).clone();
    ColumnCloseResult {
        bytes_written: metadata.compressed_size() as u64,
        rows_written: group.num_rows() as u64,
        metadata,
        bloom_filter: None,
        column_index: None,
        offset_index: None,
    }
}

/// Rewrites string columns, with scratch space reused from value to value.
struct Rewriter<'p, 's> {
    planner: &'p mut Planner<'s>,
    policy: &'p Policy,
    /// The context of the column at hand (and, while a map's value is judged, its key).
    keys: Vec<String>,
    rewrites: Vec<Rewrite>,
    scratch: Vec<u8>,
}

impl Rewriter<'_, '_> {
    /// Copies column `column` of `group` to `writer` with its values rewritten.
    fn column(
        &mut self,
        group: &dyn RowGroupReader,
        column: usize,
        map_key: Option<usize>,
        writer: &mut SerializedColumnWriter<'_>,
    ) -> Result<(), RedactError> {
        let descriptor = group.metadata().column(column).column_descr_ptr();
        let mut keys = map_key.map(|key| MapKeys::new(group, key)).transpose()?;
        match group.get_column_reader(column).map_err(malformed)? {
            reader @ ColumnReader::ByteArrayColumnReader(_) => {
                let reader = get_typed_column_reader::<ByteArrayType>(reader);
                let writer = writer.typed::<ByteArrayType>();
                self.copy(&descriptor, reader, writer, keys.as_mut(), |bytes, _| {
                    Ok(ByteArray::from(bytes))
                })
            }
            reader @ ColumnReader::FixedLenByteArrayColumnReader(_) => {
                let reader = get_typed_column_reader::<FixedLenByteArrayType>(reader);
                let writer = writer.typed::<FixedLenByteArrayType>();
                self.copy(&descriptor, reader, writer, keys.as_mut(), |bytes, old| {
                    if bytes.len() == old.len() {
                        Ok(FixedLenByteArray::from(bytes))
                    } else {
                        // A fixed-length value cannot take a rewrite of another length.
                        Err(unsupported())
                    }
                })
            }
            _ => Err(unsupported()),
        }
    }

    /// Reads batches of records from `reader`, rewrites their values (`make` builds a
    /// value from its rewritten bytes and the original's) and writes them with the same
    /// levels to `writer`.
    fn copy<T>(
        &mut self,
        descriptor: &ColumnDescriptor,
        mut reader: ColumnReaderImpl<T>,
        writer: &mut ColumnWriterImpl<'_, T>,
        mut keys: Option<&mut MapKeys>,
        make: impl Fn(Vec<u8>, &[u8]) -> Result<T::T, RedactError>,
    ) -> Result<(), RedactError>
    where
        T: DataType,
        T::T: AsBytes,
    {
        let mut batch = Batch::<T::T>::default();
        let max_definition = descriptor.max_def_level();
        loop {
            batch.clear();
            let (records, _, _) = reader
                .read_records(
                    BATCH_RECORDS,
                    Some(&mut batch.definitions),
                    Some(&mut batch.repetitions),
                    &mut batch.values,
                )
                .map_err(malformed)?;
            if records == 0 {
                return Ok(());
            }
            let levels = if max_definition > 0 {
                batch.definitions.len()
            } else {
                batch.values.len()
            };
            let entry_keys = match keys.as_mut() {
                Some(keys) => Some(keys.read(records, levels)?),
                None => None,
            };
            let mut value_at = 0;
            for level in 0..levels {
                if max_definition > 0 && batch.definitions[level] != max_definition {
                    continue;
                }
                let Some(value) = batch.values.get(value_at) else {
                    break;
                };
                let key = entry_keys.as_ref().and_then(|keys| keys.get(level));
                if let Some(key) = key {
                    self.keys.push(key.clone().unwrap_or_default());
                }
                let replacement = self.value(value.as_bytes());
                if key.is_some() {
                    self.keys.pop();
                }
                if let Some(bytes) = replacement {
                    batch.values[value_at] = make(bytes, value.as_bytes())?;
                }
                value_at += 1;
            }
            let definitions = (max_definition > 0).then_some(&batch.definitions[..]);
            let repetitions = (descriptor.max_rep_level() > 0).then_some(&batch.repetitions[..]);
            writer
                .write_batch(&batch.values, definitions, repetitions)
                .map_err(write_error)?;
        }
    }

    /// The rewritten value, or `None` when nothing in it is rewritten. Judged as the
    /// scanner reads it: empty values are no units, bytes that are not UTF-8 are read
    /// in their lossy decoding.
    fn value(&mut self, bytes: &[u8]) -> Option<Vec<u8>> {
        if bytes.is_empty() {
            return None;
        }
        let text = String::from_utf8_lossy(bytes);
        let text = text.as_bytes();
        self.rewrites.clear();
        self.planner.plan(
            text,
            0..text.len(),
            UnitContext::JsonKeys(&self.keys),
            &mut self.rewrites,
        );
        if self.rewrites.is_empty() {
            return None;
        }
        self.scratch.clear();
        rewritten(text, &self.rewrites, self.policy, &mut self.scratch);
        Some(self.scratch.clone())
    }
}

/// One batch of a column: its levels and values.
struct Batch<V> {
    definitions: Vec<i16>,
    repetitions: Vec<i16>,
    values: Vec<V>,
}

impl<V> Default for Batch<V> {
    fn default() -> Self {
        Batch {
            definitions: Vec::new(),
            repetitions: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<V> Batch<V> {
    fn clear(&mut self) {
        self.definitions.clear();
        self.repetitions.clear();
        self.values.clear();
    }
}

/// The key column of a map, read in step with its value column: both hold one level
/// per entry (or per empty or null map), so level `i` of one is level `i` of the other.
struct MapKeys {
    reader: ColumnReaderImpl<ByteArrayType>,
    max_definition: i16,
    batch: Batch<ByteArray>,
}

impl MapKeys {
    fn new(group: &dyn RowGroupReader, column: usize) -> Result<Self, RedactError> {
        let max_definition = group
            .metadata()
            .column(column)
            .column_descr()
            .max_def_level();
        let reader = match group.get_column_reader(column).map_err(malformed)? {
            reader @ ColumnReader::ByteArrayColumnReader(_) => {
                get_typed_column_reader::<ByteArrayType>(reader)
            }
            _ => return Err(unsupported()),
        };
        Ok(MapKeys {
            reader,
            max_definition,
            batch: Batch::default(),
        })
    }

    /// The keys of the next `records` records, one per level (`None` where a level is
    /// no entry), as the scanner names them; the value column read `levels` levels.
    fn read(&mut self, records: usize, levels: usize) -> Result<Vec<Option<String>>, RedactError> {
        self.batch.clear();
        let mut read = 0;
        while read < records {
            let (more, _, _) = self
                .reader
                .read_records(
                    records - read,
                    Some(&mut self.batch.definitions),
                    Some(&mut self.batch.repetitions),
                    &mut self.batch.values,
                )
                .map_err(malformed)?;
            if more == 0 {
                break;
            }
            read += more;
        }
        if read != records || self.batch.definitions.len() != levels {
            return Err(ReadError::Malformed {
                format: Format::Parquet,
                message: "a map's keys and values do not line up".to_owned(),
            }
            .into());
        }
        let mut values = self.batch.values.iter();
        Ok(self
            .batch
            .definitions
            .iter()
            .map(|&definition| {
                (definition == self.max_definition)
                    .then(|| values.next())
                    .flatten()
                    .map(|key| String::from_utf8_lossy(key.data()).into_owned())
            })
            .collect())
    }
}

/// A Parquet file this module cannot rewrite as the scanner judged it (each call site
/// says which): reported unsupported, no copy written.
fn unsupported() -> RedactError {
    RedactError::Unsupported(Format::Parquet)
}

fn malformed(error: ParquetError) -> RedactError {
    RedactError::Read(ReadError::Malformed {
        format: Format::Parquet,
        message: error.to_string(),
    })
}

/// A failure of the Parquet writer, which writes to a local temporary file: the run's.
fn write_error(error: ParquetError) -> RedactError {
    RedactError::Write(io::Error::other(error))
}
