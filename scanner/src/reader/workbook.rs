//! The other spreadsheets calamine reads: Excel 97-2003 (`.xls`), Excel binary
//! (`.xlsb`) and OpenDocument (`.ods`). Cells are units exactly as in XLSX
//! ([`super::xlsx`]): the text the application shows, `cellReference` `Sheet!C5`, row 1
//! naming the columns below it, every worksheet in workbook order.
//!
//! XLSB sheets are streamed cell by cell. calamine reads XLS and ODS sheets whole (it
//! has no cell reader for them), so memory follows the largest sheet; the file-size
//! limit bounds it. The zip-based formats are checked against the OOXML expansion
//! limits first, as XLSX is, so a bomb is refused before calamine inflates it.
//!
//! An XLS file is checked and its workbook stream copied into a clean container before
//! calamine opens it ([`xls`]): a hostile one could otherwise exhaust memory there.
//!
//! A workbook that needs a password is `UNABLE_TO_PARSE_FILE`, as Macie reports it;
//! other damage is `MALFORMED_FILE`.

use std::fmt::Display;
use std::io::{Read, Seek, SeekFrom};

use calamine::{Data, DataRef, Ods, OdsError, Reader, SheetType, Xls, XlsError, Xlsb, XlsbError};

use super::quiet::catch_quietly;
use super::xlsx::{check_container, SheetUnits};
use super::{ReadError, Sink};
use crate::{Format, Limits};

mod xls;

/// Reads every worksheet of the `format` workbook `input` and hands each non-empty cell
/// to `sink`.
pub fn read_workbook<R: Read + Seek>(
    format: Format,
    mut input: R,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    let over_limit = match format {
        Format::Xls => {
            let clean = xls::sanitize(input)?;
            let mut workbook = open(format, || Xls::new(clean), is_xls_password)?;
            read_ranges(format, &mut workbook, limits, sink)?
        }
        Format::Ods => {
            check_container(&mut input, limits, "content.xml")?;
            input.seek(SeekFrom::Start(0))?;
            let mut workbook = open(format, || Ods::new(input), is_ods_password)?;
            read_ranges(format, &mut workbook, limits, sink)?
        }
        Format::Xlsb => {
            check_container(&mut input, limits, "xl/workbook.bin")?;
            input.seek(SeekFrom::Start(0))?;
            let mut workbook = open(format, || Xlsb::new(input), is_xlsb_password)?;
            read_xlsb(&mut workbook, limits, sink)?
        }
        other => return Err(ReadError::Unsupported(other)),
    };
    if over_limit {
        return Err(ReadError::UnitTooLarge {
            limit: limits.max_unit_bytes,
        });
    }
    Ok(())
}

/// Reads each worksheet as a whole range; whether a cell over the limit was skipped.
fn read_ranges<R: Reader<RS>, RS: Read + Seek>(
    format: Format,
    workbook: &mut R,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<bool, ReadError>
where
    R::Error: Display,
{
    let mut over_limit = false;
    for sheet in worksheets(workbook) {
        let range = guard(format, || workbook.worksheet_range(&sheet))?;
        let Some((first_row, first_column)) = range.start() else {
            continue;
        };
        let mut units = SheetUnits::new(&sheet, limits);
        for (row, column, value) in range.used_cells() {
            // Range positions are relative to its start; cells are placed absolutely.
            let (row, column) = (first_row + row as u32, first_column + column as u32);
            units.cell(row, column, &data_ref(value), sink);
        }
        over_limit |= units.over_limit;
    }
    Ok(over_limit)
}

/// Streams each XLSB worksheet cell by cell.
fn read_xlsb<RS: Read + Seek>(
    workbook: &mut Xlsb<RS>,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<bool, ReadError> {
    let mut over_limit = false;
    for sheet in worksheets(workbook) {
        let mut cells = guard(Format::Xlsb, || workbook.worksheet_cells_reader(&sheet))?;
        let mut units = SheetUnits::new(&sheet, limits);
        while let Some(cell) = guard(Format::Xlsb, || cells.next_cell())? {
            let (row, column) = cell.get_position();
            units.cell(row, column, cell.get_value(), sink);
        }
        over_limit |= units.over_limit;
    }
    Ok(over_limit)
}

/// The names of the workbook's worksheets (chart and dialog sheets hold no cells),
/// hidden ones included.
fn worksheets<R: Reader<RS>, RS: Read + Seek>(workbook: &R) -> Vec<String> {
    workbook
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .map(|sheet| sheet.name.clone())
        .collect()
}

/// A cell value as the cell readers give it, to be shown the same way.
fn data_ref(value: &Data) -> DataRef<'_> {
    match value {
        Data::Int(n) => DataRef::Int(*n),
        Data::Float(x) => DataRef::Float(*x),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(d) => DataRef::DateTime(*d),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

/// Opens a workbook; one that needs a password cannot be parsed (Macie's reason).
fn open<T, E: Display>(
    format: Format,
    call: impl FnOnce() -> Result<T, E>,
    is_password: fn(&E) -> bool,
) -> Result<T, ReadError> {
    match catch_quietly(call) {
        Ok(Ok(workbook)) => Ok(workbook),
        Ok(Err(e)) if is_password(&e) => Err(ReadError::Unparseable(format)),
        Ok(Err(e)) => Err(malformed(format, e)),
        Err(_) => Err(malformed(format, "the parser failed on this content")),
    }
}

fn is_xls_password(error: &XlsError) -> bool {
    matches!(error, XlsError::Password)
}

fn is_ods_password(error: &OdsError) -> bool {
    matches!(error, OdsError::Password)
}

fn is_xlsb_password(error: &XlsbError) -> bool {
    matches!(error, XlsbError::Password)
}

/// Runs a calamine call, turning its errors, and any panic inside it (calamine is
/// written for trusted files), into `MALFORMED_FILE`. The panic is caught quietly: its
/// message may quote the cell it failed on. The workbook a panic leaves behind is
/// never used again: the error ends the read.
fn guard<T, E: Display>(
    format: Format,
    call: impl FnOnce() -> Result<T, E>,
) -> Result<T, ReadError> {
    match catch_quietly(call) {
        Ok(result) => result.map_err(|e| malformed(format, e)),
        Err(_) => Err(malformed(format, "the parser failed on this content")),
    }
}

/// Longest message kept from a parser error, which may quote content.
const MAX_MESSAGE_CHARS: usize = 200;

fn malformed(format: Format, message: impl Display) -> ReadError {
    let message = message.to_string();
    let one_line = message.lines().collect::<Vec<_>>().join(" ");
    ReadError::Malformed {
        format,
        message: one_line.chars().take(MAX_MESSAGE_CHARS).collect(),
    }
}
