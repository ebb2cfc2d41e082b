//! Flat Parquet schemas read column by column.
//!
//! Most data-lake tables are flat: top-level columns, none repeated. For them the
//! record API's work, a `Row` of `Field`s allocated for every row and each value's
//! bytes reference-counted twice on the way, costs more than matching the values
//! (about half the scan's time on a table of eight string columns). Here every column
//! of a row group is read by its typed column reader, a batch of rows at a time, and
//! the batch is then handed over row by row, each row's values in column order: the
//! units, their order and their places are the row walk's, which a differential test
//! checks.
//!
//! Columns that hold no text (numbers, booleans, decimals) are skipped through, not
//! decoded into values, but their pages are still read, so that a damaged one stops
//! the reading as it does in the row walk. Anything else (nested groups, repeated or
//! fixed-length columns, annotations the row walk would refuse) is left to the row walk.

use std::panic::{catch_unwind, AssertUnwindSafe};

use parquet::basic::{ConvertedType, Repetition, Type as PhysicalType};
use parquet::column::reader::{get_typed_column_reader, ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, ByteArrayType};
use parquet::file::reader::RowGroupReader;
use parquet::schema::types::SchemaDescriptor;

use super::{contained, Walk, BATCH_VALUES};
use crate::reader::{ReadError, Sink};
use crate::Format;

/// How a flat schema's columns are read.
pub(super) struct FlatColumns {
    columns: Vec<FlatColumn>,
}

struct FlatColumn {
    name: String,
    /// Whether its values are units (text or plain bytes) or only skipped through.
    text: bool,
    /// 1 for an optional column (a definition level below it is a null), 0 for a
    /// required one.
    max_def_level: i16,
}

/// A column's reader, for the length of a row group.
enum Reader {
    Text {
        reader: Box<ColumnReaderImpl<ByteArrayType>>,
        values: Vec<ByteArray>,
        levels: Vec<i16>,
    },
    Other(Box<ColumnReader>),
}

impl FlatColumns {
    /// The plan for `schema`, if it is flat and every column's values are either text
    /// or never units; `None` leaves the file to the row walk.
    pub(super) fn of(schema: &SchemaDescriptor) -> Option<Self> {
        let fields = schema.root_schema().get_fields();
        if fields.len() != schema.num_columns() {
            return None;
        }
        let mut columns = Vec::with_capacity(fields.len());
        for (field, column) in fields.iter().zip(schema.columns()) {
            let info = field.get_basic_info();
            if !field.is_primitive()
                || column.max_rep_level() != 0
                || column.max_def_level() > 1
                || (info.has_repetition() && info.repetition() == Repetition::REPEATED)
            {
                return None;
            }
            let text = match column.physical_type() {
                PhysicalType::BYTE_ARRAY => match column.converted_type() {
                    ConvertedType::UTF8
                    | ConvertedType::ENUM
                    | ConvertedType::JSON
                    | ConvertedType::BSON
                    | ConvertedType::NONE => true,
                    ConvertedType::DECIMAL => false,
                    _ => return None,
                },
                PhysicalType::BOOLEAN
                | PhysicalType::INT32
                | PhysicalType::INT64
                | PhysicalType::INT96
                | PhysicalType::FLOAT
                | PhysicalType::DOUBLE => false,
                PhysicalType::FIXED_LEN_BYTE_ARRAY => return None,
            };
            columns.push(FlatColumn {
                name: field.name().to_owned(),
                text,
                max_def_level: column.max_def_level(),
            });
        }
        Some(FlatColumns { columns })
    }

    /// Reads row group `group`, numbering its rows from `*index` on.
    pub(super) fn read_row_group(
        &self,
        group: &dyn RowGroupReader,
        index: &mut u64,
        walk: &mut Walk,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let rows = usize::try_from(group.metadata().num_rows()).map_err(|_| {
            malformed(format!(
                "a row group declares {} rows",
                group.metadata().num_rows()
            ))
        })?;
        let mut readers = Vec::with_capacity(self.columns.len());
        for (i, column) in self.columns.iter().enumerate() {
            let reader = contained(catch_unwind(AssertUnwindSafe(|| {
                group.get_column_reader(i)
            })))?;
            readers.push(if column.text {
                Reader::Text {
                    reader: Box::new(contained(catch_unwind(AssertUnwindSafe(|| {
                        Ok(get_typed_column_reader::<ByteArrayType>(reader))
                    })))?),
                    values: Vec::with_capacity(BATCH_VALUES),
                    levels: Vec::with_capacity(BATCH_VALUES),
                }
            } else {
                Reader::Other(Box::new(reader))
            });
        }
        let mut done = 0;
        while done < rows {
            let batch = BATCH_VALUES.min(rows - done);
            for (column, reader) in self.columns.iter().zip(&mut readers) {
                let read = reader.next_batch(batch, column.max_def_level)?;
                if read != batch {
                    return Err(malformed(format!(
                        "column `{}` ends after {} of its row group's {rows} rows",
                        column.name,
                        done + read
                    )));
                }
            }
            self.hand_over(&readers, batch, index, walk, sink)?;
            done += batch;
        }
        Ok(())
    }

    /// Hands over the `batch` rows the readers hold, one row after another.
    fn hand_over(
        &self,
        readers: &[Reader],
        batch: usize,
        index: &mut u64,
        walk: &mut Walk,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        // Where each column's next value is: values are only stored for rows that
        // are not null.
        let mut next = vec![0usize; readers.len()];
        for row in 0..batch {
            for ((column, reader), next) in self.columns.iter().zip(readers).zip(&mut next) {
                let Reader::Text { values, levels, .. } = reader else {
                    continue;
                };
                if column.max_def_level > 0 && levels.get(row) != Some(&column.max_def_level) {
                    continue;
                }
                let Some(value) = values.get(*next) else {
                    return Err(malformed(format!(
                        "column `{}` holds fewer values than its levels declare",
                        column.name
                    )));
                };
                *next += 1;
                walk.path.push_key(&column.name)?;
                walk.text(*index, value.data(), sink);
                walk.path.pop();
            }
            *index += 1;
        }
        Ok(())
    }
}

impl Reader {
    /// Reads (or skips) the next `rows` rows of the column; returns how many there were.
    fn next_batch(&mut self, rows: usize, max_def_level: i16) -> Result<usize, ReadError> {
        match self {
            Reader::Text {
                reader,
                values,
                levels,
            } => {
                values.clear();
                levels.clear();
                let levels = (max_def_level > 0).then_some(levels);
                let (records, _, _) = contained(catch_unwind(AssertUnwindSafe(|| {
                    reader.read_records(rows, levels, None, values)
                })))?;
                Ok(records)
            }
            Reader::Other(reader) => {
                contained(catch_unwind(AssertUnwindSafe(|| match reader.as_mut() {
                    ColumnReader::BoolColumnReader(r) => r.skip_records(rows),
                    ColumnReader::Int32ColumnReader(r) => r.skip_records(rows),
                    ColumnReader::Int64ColumnReader(r) => r.skip_records(rows),
                    ColumnReader::Int96ColumnReader(r) => r.skip_records(rows),
                    ColumnReader::FloatColumnReader(r) => r.skip_records(rows),
                    ColumnReader::DoubleColumnReader(r) => r.skip_records(rows),
                    ColumnReader::ByteArrayColumnReader(r) => r.skip_records(rows),
                    ColumnReader::FixedLenByteArrayColumnReader(r) => r.skip_records(rows),
                })))
            }
        }
    }
}

fn malformed(message: String) -> ReadError {
    ReadError::Malformed {
        format: Format::Parquet,
        message,
    }
}
