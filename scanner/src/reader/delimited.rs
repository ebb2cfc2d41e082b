//! CSV and TSV: one unit per cell; the header row names the columns.

use std::io::Read;

use ferret_identifiers::UnitContext;

use super::{ReadError, Sink, TextUnit, UnitPlace};
use crate::Format;

/// Streams the records of `input` and hands each cell to `sink`. Row 1 is the header:
/// its cells are units too (sensitive column names are findings), and its text becomes
/// the column name of every cell below it.
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
        }
        for (index, field) in record.iter().enumerate() {
            if field.is_empty() {
                continue;
            }
            let column_name = if row == 1 {
                None
            } else {
                headers.get(index).map(String::as_str)
            };
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
