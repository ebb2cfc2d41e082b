//! CSV and TSV: one unit per cell; the header row names the columns.

use std::io::Read;

use ferret_identifiers::UnitContext;

use super::{ReadError, Sink, TextUnit, UnitPlace};
use crate::Format;

/// Streams the records of `input` and hands each cell to `sink`. Row 1 is the header:
/// its cells are units too (sensitive column names are findings), and its text becomes
/// the column name of every cell below it. Rows count records, so a quoted field that
/// spans lines still belongs to one row.
pub fn read_delimited<R: Read>(
    input: R,
    delimiter: u8,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    let format = if delimiter == b'\t' {
        Format::Tsv
    } else {
        Format::Csv
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut headers: Vec<String> = Vec::new();
    let mut row: u64 = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => {
                return Err(match e.into_kind() {
                    csv::ErrorKind::Io(io) => ReadError::Io(io),
                    other => ReadError::Malformed {
                        format,
                        message: format!("{other:?}"),
                    },
                })
            }
        }
        row += 1;
        if row == 1 {
            headers = record
                .iter()
                .map(|h| String::from_utf8_lossy(h).trim().to_owned())
                .collect();
            header_units(&record, sink);
            continue;
        }
        for (index, field) in record.iter().enumerate() {
            if field.is_empty() {
                continue;
            }
            let column_name = headers.get(index).map(String::as_str);
            sink(TextUnit::whole(
                field,
                UnitPlace::Cell {
                    row,
                    column: index as u64 + 1,
                    column_name,
                    sheet: None,
                },
                column_name.map_or(UnitContext::None, UnitContext::Column),
            ));
        }
    }
}

/// Header cells are units like any other, but what they hold is reported as a line range
/// (SPEC section 2, rule 6): each is placed on line 1 at the column where it starts,
/// counted as if fields were written unquoted.
fn header_units(record: &csv::ByteRecord, sink: &mut Sink<'_>) {
    let mut column = 1;
    for field in record.iter() {
        if !field.is_empty() {
            sink(TextUnit::whole(
                field,
                UnitPlace::Text {
                    first_line: 1,
                    first_column: column,
                },
                UnitContext::None,
            ));
        }
        column += ferret_identifiers::text::char_count(field) as u64 + 1;
    }
}
