//! XLSX: one unit per non-empty cell of every worksheet; row 1 of each sheet names its
//! columns.
//!
//! A workbook is a zip of XML parts. Before any XML is parsed, the container is checked
//! against the OOXML limits (ratio and total size), measured by inflating every part, so
//! that a bomb is refused whatever its zip headers claim. Cells are then streamed with
//! calamine's cell reader, which parses a worksheet's XML as it inflates it: memory stays
//! bounded by the shared-strings table (which calamine loads whole) and a few buffers,
//! not by the size of a sheet.
//!
//! Row 1 names the columns of the rows below it only if it comes first: calamine yields
//! cells in document order and does not sort them. Excel and the common producers write
//! rows in ascending order; a file that puts row 1 after other rows still reads, its
//! earlier cells just get no column name.
//!
//! A cell longer than [`Limits::max_unit_bytes`] is not judged (nor does it name its
//! column); the other cells of the workbook are, and the reading ends with
//! [`ReadError::UnitTooLarge`], so the object is PARTIAL, as for CSV and JSON Lines.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::{self, Read, Seek, SeekFrom};
use std::panic::{self, AssertUnwindSafe};

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, Xlsx, XlsxError};
use ferret_identifiers::UnitContext;
use zip::result::ZipError;
use zip::ZipArchive;

use super::{column_name_of, ReadError, Sink, TextUnit, UnitPlace};

mod package;
use crate::{Format, Limits};

/// Reads every sheet of a workbook, row by row, and hands each non-empty cell to `sink`.
///
/// Units come in workbook order, then document order within a sheet. Hidden sheets are
/// read too (hiding protects nothing); chart and dialog sheets hold no cells and are
/// skipped. Header cells (row 1) are units too, with no column name: a sensitive column
/// name is a finding.
pub fn read_xlsx<R: Read + Seek>(
    mut input: R,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    let (workbook, relocate) = {
        let mut archive = match ZipArchive::new(&mut input) {
            Ok(archive) => archive,
            Err(e) => return Err(container_error(&mut input, e)),
        };
        let workbook = package::workbook_part(&mut archive)?;
        let relocate = package::needs_relocation(&mut archive, &workbook)?;
        (workbook, relocate)
    };
    check_container(&mut input, limits, &workbook)?;
    input.seek(SeekFrom::Start(0))?;
    if !relocate {
        read_workbook(input, limits, sink)
    } else {
        let relocated =
            package::relocate(&mut ZipArchive::new(input).map_err(zip_error)?, &workbook)?;
        read_workbook(relocated, limits, sink)
    }
}

/// Reads a workbook whose parts are where calamine looks for them.
fn read_workbook<R: Read + Seek>(
    input: R,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    let mut workbook = parse(|| Xlsx::new(input))?;
    let sheets: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .map(|sheet| sheet.name.clone())
        .collect();
    let mut over_limit = false;
    for sheet in &sheets {
        over_limit |= read_sheet(&mut workbook, sheet, limits, sink)?;
    }
    if over_limit {
        return Err(ReadError::UnitTooLarge {
            limit: limits.max_unit_bytes,
        });
    }
    Ok(())
}

/// Streams the cells of one worksheet to `sink`; whether a cell over the limit was
/// skipped.
fn read_sheet<R: Read + Seek>(
    workbook: &mut Xlsx<R>,
    sheet: &str,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<bool, ReadError> {
    let mut cells = parse(|| workbook.worksheet_cells_reader(sheet))?;
    let mut units = SheetUnits::new(sheet, limits);
    while let Some(cell) = parse(|| cells.next_cell())? {
        // calamine positions are 0-based and absolute: a value in C5 is (4, 2) even
        // when the sheet's used range starts there.
        let (row, column) = cell.get_position();
        units.cell(row, column, cell.get_value(), sink);
    }
    Ok(units.over_limit)
}

/// Turns the cells of one sheet, in document order, into units: the text Excel shows,
/// placed at the cell, under the name its row-1 cell gives its column. Shared by every
/// workbook format calamine reads.
pub(super) struct SheetUnits<'s> {
    sheet: &'s str,
    column_names: HashMap<u32, String>,
    /// Scratch space for the text of values not stored as text (numbers, dates).
    text: String,
    max_unit_bytes: usize,
    /// A cell over the unit limit was met (and not judged).
    pub(super) over_limit: bool,
}

impl<'s> SheetUnits<'s> {
    pub(super) fn new(sheet: &'s str, limits: &Limits) -> Self {
        SheetUnits {
            sheet,
            column_names: HashMap::new(),
            text: String::new(),
            max_unit_bytes: limits.max_unit_bytes,
            over_limit: false,
        }
    }

    /// Hands the cell at the 0-based, absolute `row` and `column` to `sink`, unless it
    /// holds nothing to scan.
    pub(super) fn cell(&mut self, row: u32, column: u32, value: &DataRef<'_>, sink: &mut Sink<'_>) {
        let Some(value) = display_text(value, &mut self.text) else {
            return;
        };
        if value.len() > self.max_unit_bytes {
            self.over_limit = true;
            return;
        }
        let column_name = if row == 0 {
            remember_column_name(&mut self.column_names, column, value);
            None
        } else {
            self.column_names.get(&column).map(String::as_str)
        };
        sink.unit(TextUnit::whole(
            value.as_bytes(),
            UnitPlace::Cell {
                row: u64::from(row) + 1,
                column: u64::from(column) + 1,
                column_name,
                sheet: Some(self.sheet),
            },
            column_name.map_or(UnitContext::None, UnitContext::Column),
        ));
    }
}

/// Records a header cell's text as its column's name, trimmed and bounded as the CSV
/// reader does. A blank header names nothing.
fn remember_column_name(names: &mut HashMap<u32, String>, column: u32, header: &str) {
    let name = column_name_of(header);
    if !name.is_empty() {
        names.insert(column, name);
    }
}

// ---------------------------------------------------------------------------------------
// Container checks
// ---------------------------------------------------------------------------------------

/// Refuses a container that is not a zip workbook, or whose expansion breaks the OOXML
/// limits, before calamine parses (and keeps in memory) any of it.
///
/// The sizes the zip's headers declare are checked first, which refuses an honest bomb
/// without inflating anything. They are then measured, because a zip can lie about them
/// and neither the zip crate nor calamine stops inflating at the declared size: the
/// shared-strings table, which calamine loads whole, could otherwise expand far beyond
/// `max_ooxml_bytes`. Measuring costs one extra inflate pass (about 15% of the read
/// time). The compressed size counted is at most the container's length, so entries
/// whose data overlap (the classic non-recursive zip bomb) cannot inflate the
/// denominator of the ratio.
///
/// `main_part` names the part the format's document must have: an archive without it
/// would otherwise read as a document with nothing in it, making any zip a clean, empty
/// result. (For XLSX it is the part the package relationships name; the other zip
/// workbooks, XLSB and ODS, and Word documents are checked here too.)
pub(super) fn check_container<R: Read + Seek>(
    input: &mut R,
    limits: &Limits,
    main_part: &str,
) -> Result<(), ReadError> {
    let container_len = input.seek(SeekFrom::End(0))?;
    let mut archive = match ZipArchive::new(&mut *input) {
        Ok(archive) => archive,
        Err(e) => return Err(container_error(input, e)),
    };
    if !has_part(&archive, main_part) {
        return Err(malformed(format!("no {main_part} part")));
    }
    let mut declared = declared_sizes(&mut archive)?;
    declared.compressed = declared.compressed.min(container_len);
    check_expansion(declared, limits)?;
    let inflated = inflated_size(&mut archive, declared.compressed, limits)?;
    check_expansion(
        Sizes {
            uncompressed: inflated,
            ..declared
        },
        limits,
    )
}

/// Whether the archive holds `part`, matched as calamine matches part names
/// (case-insensitively, with `\` taken for `/`).
fn has_part<R: Read + Seek>(archive: &ZipArchive<R>, part: &str) -> bool {
    archive
        .file_names()
        .any(|name| name.replace('\\', "/").eq_ignore_ascii_case(part))
}

/// Compressed and uncompressed byte counts of a whole archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sizes {
    compressed: u64,
    uncompressed: u64,
}

/// The sizes the archive's headers declare, summed over its entries.
fn declared_sizes<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Result<Sizes, ReadError> {
    let mut sizes = Sizes {
        compressed: 0,
        uncompressed: 0,
    };
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(zip_error)?;
        sizes.compressed = sizes.compressed.saturating_add(entry.compressed_size());
        sizes.uncompressed = sizes.uncompressed.saturating_add(entry.size());
    }
    Ok(sizes)
}

/// Inflates every entry, counting the bytes it really expands to. Stops as soon as the
/// count passes what the limits allow, so a bomb costs at most that much work.
fn inflated_size<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    compressed: u64,
    limits: &Limits,
) -> Result<u64, ReadError> {
    let allowed = limits
        .max_ooxml_bytes
        .min(limits.max_ooxml_ratio.saturating_mul(compressed.max(1)));
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(zip_error)?;
        let budget = allowed.saturating_sub(total).saturating_add(1);
        let inflated = io::copy(&mut entry.take(budget), &mut io::sink()).map_err(io_error)?;
        total = total.saturating_add(inflated);
        if total > allowed {
            break;
        }
    }
    Ok(total)
}

/// Applies the OOXML limits to an archive's sizes.
fn check_expansion(sizes: Sizes, limits: &Limits) -> Result<(), ReadError> {
    let Sizes {
        compressed,
        uncompressed,
    } = sizes;
    if u128::from(uncompressed) > u128::from(limits.max_ooxml_ratio) * u128::from(compressed) {
        // Rounded up: a ratio of 100.3 exceeds a limit of 100. (Measuring stops just past
        // the limit, so the ratio of a bomb is a lower bound.)
        return Err(ReadError::OoxmlRatio {
            ratio: uncompressed.div_ceil(compressed.max(1)),
            limit: limits.max_ooxml_ratio,
        });
    }
    if uncompressed > limits.max_ooxml_bytes {
        return Err(ReadError::OoxmlSize {
            limit: limits.max_ooxml_bytes,
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// First bytes of an OLE2 compound file: a legacy `.xls`, or an encrypted OOXML
/// workbook, which Office wraps in one.
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Why the container could not be opened as a zip, naming the OLE case, which is common
/// (password-protected workbooks) and otherwise puzzling.
fn container_error<R: Read + Seek>(input: &mut R, error: ZipError) -> ReadError {
    if let ZipError::Io(e) = error {
        return io_error(e);
    }
    if starts_with_ole_magic(input) {
        return malformed("an OLE compound file (encrypted workbook or legacy .xls), not a zip");
    }
    malformed(format!("not a zip container: {error}"))
}

fn starts_with_ole_magic<R: Read + Seek>(input: &mut R) -> bool {
    let mut magic = [0u8; OLE_MAGIC.len()];
    input.seek(SeekFrom::Start(0)).is_ok()
        && input.read_exact(&mut magic).is_ok()
        && magic == OLE_MAGIC
}

fn zip_error(error: ZipError) -> ReadError {
    match error {
        ZipError::Io(e) => io_error(e),
        other => malformed(other.to_string()),
    }
}

fn workbook_error(error: XlsxError) -> ReadError {
    match error {
        XlsxError::Io(e) => io_error(e),
        XlsxError::Zip(e) => zip_error(e),
        other => malformed(other.to_string()),
    }
}

/// Inflating and parsing report bad content as I/O errors of these kinds; any other kind
/// comes from the input itself (permissions, a failing disk or connection).
fn io_error(error: io::Error) -> ReadError {
    match error.kind() {
        io::ErrorKind::InvalidData
        | io::ErrorKind::InvalidInput
        | io::ErrorKind::UnexpectedEof
        | io::ErrorKind::Other => malformed(error.to_string()),
        _ => ReadError::Io(error),
    }
}

/// Longest message kept from a parser error: some quote the offending content, which
/// may be long and should not be copied whole into results and logs.
const MAX_MESSAGE_CHARS: usize = 200;

/// A `Malformed` error with a short, one-line message.
fn malformed(message: impl Into<String>) -> ReadError {
    let message: String = message.into();
    let one_line = message.lines().collect::<Vec<_>>().join(" ");
    ReadError::Malformed {
        format: Format::Xlsx,
        message: one_line.chars().take(MAX_MESSAGE_CHARS).collect(),
    }
}

/// Runs a calamine call, turning its errors, and any panic inside it, into `ReadError`s.
///
/// calamine is written for trusted files: some crafted input makes it panic (a cell
/// reference such as `AAAAAAAAAAAAAAA1` overflows its column arithmetic in builds with
/// overflow checks). A bad object must never stop a scan. Unwind safety holds because
/// the workbook or cell reader a panic leaves behind is dropped, never used again: the
/// error ends the read.
fn parse<T>(call: impl FnOnce() -> Result<T, XlsxError>) -> Result<T, ReadError> {
    panic::catch_unwind(AssertUnwindSafe(call))
        .map_err(|_| malformed("the XLSX parser failed on this content"))?
        .map_err(workbook_error)
}

// ---------------------------------------------------------------------------------------
// Cell text
// ---------------------------------------------------------------------------------------

/// The text Excel shows for a cell value, or `None` when there is nothing to scan
/// (empty cells, empty strings, error values such as `#N/A`).
///
/// Text is borrowed from the value when it is stored as text, otherwise formatted into
/// `buf`. A formula cell holds its cached value, so it reads like any other.
fn display_text<'v>(value: &'v DataRef<'_>, buf: &'v mut String) -> Option<&'v str> {
    let text = match value {
        DataRef::SharedString(s) => *s,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.as_str(),
        DataRef::Bool(true) => "TRUE",
        DataRef::Bool(false) => "FALSE",
        DataRef::Int(n) => format_into(buf, format_args!("{n}")),
        DataRef::Float(x) => number_text(*x, buf)?,
        DataRef::DateTime(datetime) => datetime_text(datetime, buf)?,
        DataRef::Error(_) | DataRef::Empty => return None,
    };
    Some(text).filter(|text| !text.is_empty())
}

/// A number as its shortest round-trip decimal, without exponent or trailing `.0`:
/// `73282932000074`, `0.3`, `0.00000000015`. Unlike Excel's General format, long numbers
/// keep all their digits (`4111111111111111`, not `4.11111E+15`) so that identifiers
/// stored as numbers are still found. Non-finite values cannot be stored in a cell.
fn number_text(x: f64, buf: &mut String) -> Option<&str> {
    if !x.is_finite() {
        return None;
    }
    // `0.0 == -0.0`: Excel shows no negative zero.
    let x = if x == 0.0 { 0.0 } else { x };
    Some(format_into(buf, format_args!("{x}")))
}

/// Serial number of 10000-01-01, the first day Excel cannot show.
const END_OF_EXCEL_DATES: f64 = 2_958_466.0;

/// A date/time cell as ISO 8601: `2020-04-03`, `2020-04-03 10:20:30`, `10:20:30` for a
/// time of day (serial below 1: Excel's day 0 is no real date), and `36:00:00` for a
/// duration, which counts hours past 24 as Excel's `[h]:mm:ss` does. Milliseconds are
/// shown when there are some. A serial Excel cannot show as a date (negative, or past
/// year 9999) is given as its number; this range check also keeps calamine's date
/// arithmetic within the values it handles.
fn datetime_text<'b>(datetime: &ExcelDateTime, buf: &'b mut String) -> Option<&'b str> {
    let serial = datetime.as_f64();
    if !(0.0..END_OF_EXCEL_DATES).contains(&serial) {
        return number_text(serial, buf);
    }
    if datetime.is_duration() {
        return Some(duration_text(serial, buf));
    }
    let (year, month, day, hour, minute, second, milli) = datetime.to_ymd_hms_milli();
    buf.clear();
    let has_date = serial >= 1.0;
    if has_date {
        push_fmt(buf, format_args!("{year:04}-{month:02}-{day:02}"));
    }
    if !has_date || (hour, minute, second, milli) != (0, 0, 0, 0) {
        if has_date {
            buf.push(' ');
        }
        push_time(
            buf,
            u64::from(hour),
            u64::from(minute),
            u64::from(second),
            u64::from(milli),
        );
    }
    Some(buf)
}

/// A duration in days as `h:mm:ss[.mmm]`, rounded to the millisecond as Excel stores it.
fn duration_text(days: f64, buf: &mut String) -> &str {
    const MS_PER_DAY: f64 = 86_400_000.0;
    // In range: `days` is in [0, END_OF_EXCEL_DATES), so this fits a u64 exactly.
    let total_ms = (days * MS_PER_DAY).round() as u64;
    let (hours, rest) = (total_ms / 3_600_000, total_ms % 3_600_000);
    let (minutes, rest) = (rest / 60_000, rest % 60_000);
    let (seconds, milli) = (rest / 1000, rest % 1000);
    buf.clear();
    push_time(buf, hours, minutes, seconds, milli);
    buf
}

fn push_time(buf: &mut String, hours: u64, minutes: u64, seconds: u64, milli: u64) {
    push_fmt(buf, format_args!("{hours:02}:{minutes:02}:{seconds:02}"));
    if milli != 0 {
        push_fmt(buf, format_args!(".{milli:03}"));
    }
}

/// Formats into a cleared `buf` and returns its text.
fn format_into<'b>(buf: &'b mut String, args: fmt::Arguments<'_>) -> &'b str {
    buf.clear();
    push_fmt(buf, args);
    buf
}

fn push_fmt(buf: &mut String, args: fmt::Arguments<'_>) {
    // Writing into a `String` cannot fail.
    let _ = buf.write_fmt(args);
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    use super::*;

    /// A unit copied out of the sink, with everything a result record needs.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Cell {
        sheet: String,
        row: u64,
        column: u64,
        column_name: Option<String>,
        text: String,
    }

    fn cell(sheet: &str, row: u64, column: u64, column_name: Option<&str>, text: &str) -> Cell {
        Cell {
            sheet: sheet.to_owned(),
            row,
            column,
            column_name: column_name.map(str::to_owned),
            text: text.to_owned(),
        }
    }

    /// Reads `bytes` and copies every unit, checking on the way the invariants every
    /// XLSX unit has: a cell place with a sheet, searched whole, keyword context equal
    /// to its column name.
    fn read_bytes(bytes: &[u8], limits: &Limits) -> (Vec<Cell>, Result<(), ReadError>) {
        let mut cells = Vec::new();
        let result = read_xlsx(Cursor::new(bytes), limits, &mut |unit: TextUnit<'_>| {
            let UnitPlace::Cell {
                row,
                column,
                column_name,
                sheet: Some(sheet),
            } = unit.place
            else {
                panic!("not a workbook cell: {:?}", unit.place);
            };
            assert_eq!(unit.search, 0..unit.bytes.len());
            assert_eq!(
                unit.context,
                column_name.map_or(UnitContext::None, UnitContext::Column)
            );
            cells.push(Cell {
                sheet: sheet.to_owned(),
                row,
                column,
                column_name: column_name.map(str::to_owned),
                text: String::from_utf8(unit.bytes.to_vec()).expect("cell text is UTF-8"),
            });
        });
        (cells, result)
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../tests/fixtures/xlsx/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn read_fixture(name: &str) -> Vec<Cell> {
        let (cells, result) = read_bytes(&fixture(name), &Limits::default());
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
        cells
    }

    fn in_sheet<'c>(cells: &'c [Cell], sheet: &str) -> Vec<&'c Cell> {
        cells.iter().filter(|c| c.sheet == sheet).collect()
    }

    // -----------------------------------------------------------------------------------
    // The fixtures
    // -----------------------------------------------------------------------------------

    #[test]
    fn sheets_come_in_workbook_order() {
        let cells = read_fixture("employees_openpyxl.xlsx");
        let mut sheets: Vec<&str> = cells.iter().map(|c| c.sheet.as_str()).collect();
        sheets.dedup();
        assert_eq!(sheets, ["Funcionarios", "Empresas", "Notas"]);
    }

    #[test]
    fn header_cells_name_the_columns_below_them() {
        let cells = read_fixture("employees_openpyxl.xlsx");
        let employees = in_sheet(&cells, "Funcionarios");
        assert_eq!(employees.len(), 11 * 5);
        let header: Vec<&Cell> = employees.iter().copied().filter(|c| c.row == 1).collect();
        let names: Vec<&str> = header.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(names, ["guid", "nome", "email", "cpf", "prototipo"]);
        assert!(header.iter().all(|c| c.column_name.is_none()));
        for c in employees.iter().filter(|c| c.row > 1) {
            let expected = names[usize::try_from(c.column - 1).expect("small column")];
            assert_eq!(c.column_name.as_deref(), Some(expected), "{c:?}");
        }
        let cpf = employees
            .iter()
            .find(|c| c.row == 2 && c.column == 4)
            .expect("D2");
        assert_eq!(cpf.text, "423.493.010-52");
        let prototype = employees
            .iter()
            .find(|c| c.row == 11 && c.column == 5)
            .expect("E11");
        assert!(prototype.text.starts_with("P-"), "{prototype:?}");
    }

    #[test]
    fn companies_sheet_reads_text_numbers_and_dates_as_excel_shows_them() {
        let cells = read_fixture("employees_openpyxl.xlsx");
        let s = "Empresas";
        let siret = Some("siret_nic");
        let name = Some("raison_sociale");
        let date = Some("date");
        let expected = vec![
            cell(s, 1, 1, None, "siret_nic"),
            cell(s, 1, 2, None, "raison_sociale"),
            cell(s, 1, 3, None, "date"),
            cell(s, 2, 1, siret, "732 829 320-00074"),
            cell(s, 2, 2, name, "ACME SARL"),
            cell(s, 2, 3, date, "2020-04-03"),
            cell(s, 3, 1, siret, "73282932000074"),
            cell(s, 3, 2, name, "Boulangerie Martin"),
            cell(s, 3, 3, date, "2021-12-31 10:20:30"),
            cell(s, 4, 1, siret, "552 100 554-00025"),
            cell(s, 4, 2, name, "ACME SARL"),
            cell(s, 4, 3, date, "1999-01-01"),
            // H12: far from the table, in a column with no header.
            cell(s, 12, 8, None, "nota: SIRET 732 829 320 00074 confirmado"),
        ];
        let companies: Vec<Cell> = in_sheet(&cells, s).into_iter().cloned().collect();
        assert_eq!(companies, expected);
    }

    #[test]
    fn positions_are_absolute_when_the_used_range_does_not_start_at_a1() {
        let cells = read_fixture("employees_openpyxl.xlsx");
        let notes: Vec<Cell> = in_sheet(&cells, "Notas").into_iter().cloned().collect();
        assert_eq!(
            notes,
            [
                cell("Notas", 5, 3, None, "ver contrato 2020/17"),
                cell("Notas", 6, 4, None, "P-ZZ0001"),
            ]
        );
    }

    /// Parts under `workbook/`, named only by the relationships; the shared strings
    /// too, by an absolute target.
    #[test]
    fn parts_outside_xl_are_found_through_the_relationships() {
        let cells = read_fixture("relocated_parts.xlsx");
        let s = "Pessoas";
        assert_eq!(
            cells,
            [
                cell(s, 1, 1, None, "email"),
                cell(s, 1, 2, None, "cpf"),
                cell(s, 2, 1, Some("email"), "ana.silva@example.com.br"),
                cell(s, 2, 3, None, "529.982.247-25"),
            ]
        );
    }

    /// Packages that Excel and openpyxl read through their relationships, with the
    /// workbook at its usual name but a part where calamine does not look: a sheet
    /// outside `xl/` (absolute and `..` targets), in a folder not named `worksheets`,
    /// and shared strings under another name (which calamine would read as empty).
    #[test]
    fn every_layout_the_relationships_describe_reads_every_cell() {
        let s = "Pessoas";
        let expected = [
            cell(s, 1, 1, None, "nome"),
            cell(s, 1, 2, None, "cpf"),
            cell(s, 2, 1, Some("nome"), "Ana Silva"),
            cell(s, 2, 2, Some("cpf"), "529.982.247-25"),
        ];
        for name in [
            "layout_absolute_target.xlsx",
            "layout_parent_target.xlsx",
            "layout_sheet_folder.xlsx",
            "layout_shared_strings.xlsx",
        ] {
            assert_eq!(read_fixture(name), expected, "{name}");
        }
    }

    /// Excel 4.0 macro sheets (Apache POI's test workbooks): calamine refuses the whole
    /// workbook for one; repacked, the macro sheet reads as a worksheet, in its place.
    #[test]
    fn workbooks_with_macro_sheets_read_every_sheet() {
        let cells = read_fixture("poi_64420_macro_sheet.xlsm");
        assert_eq!(
            cells,
            [
                cell("Sheet A", 1, 1, None, "Contetn of Sheet A"),
                cell("Sheet B", 1, 1, None, "Content of Sheet B"),
                cell(
                    "Macro Sheet",
                    1,
                    1,
                    None,
                    "Whatever a macro sheet might be..."
                ),
            ]
        );
        // Macro formulas without values, and empty worksheets: nothing to read, no error.
        assert_eq!(read_fixture("poi_xlmmacro.xlsm"), []);
    }

    /// No styles, shared strings, theme or document properties: absent optional parts
    /// read as empty.
    #[test]
    fn a_package_with_only_the_required_parts_reads_every_cell() {
        let cells = read_fixture("minimal.xlsx");
        let s = "Folha1";
        assert_eq!(
            cells,
            [
                cell(s, 1, 1, None, "cpf"),
                cell(s, 3, 1, Some("cpf"), "529.982.247-25"),
                cell(s, 3, 2, None, "bruno.costa@example.com.br"),
            ]
        );
    }

    /// openpyxl writes strings inline, XlsxWriter through the shared-strings table (with
    /// "ACME SARL" stored once for two cells); the units must not depend on it.
    #[test]
    fn both_producers_give_the_same_units() {
        let openpyxl = read_fixture("employees_openpyxl.xlsx");
        let xlsxwriter = read_fixture("employees_xlsxwriter.xlsx");
        assert_eq!(openpyxl.len(), 55 + 13 + 2);
        assert_eq!(openpyxl, xlsxwriter);
    }

    #[test]
    fn value_kinds_read_as_excel_shows_them() {
        let cells = read_fixture("values_xlsxwriter.xlsx");
        let values: Vec<(u64, &str)> = cells
            .iter()
            .filter(|c| c.column == 2 && c.row > 1)
            .map(|c| (c.row, c.text.as_str()))
            .collect();
        assert_eq!(
            values,
            [
                (2, "TRUE"),
                (3, "FALSE"),
                (4, "0.3"),
                (5, "-42"),
                (6, "4111111111111111"),
                (7, "0.00000000015"),
                (8, "10:20:30"),
                (9, "36:00:00"),
                // A 1904-epoch workbook: serial 42462 is 2020-04-03 there.
                (10, "2020-04-03"),
                // Formulas: the cached value.
                (11, "529.982.247-25"),
                (12, "-84"),
                // Row 13 holds #N/A and row 14 a blank styled cell: nothing to scan.
            ]
        );
        assert!(cells.iter().filter(|c| c.row > 1).all(
            |c| c.column_name.as_deref() == Some(if c.column == 1 { "kind" } else { "value" })
        ));
    }

    // -----------------------------------------------------------------------------------
    // Bad containers and limits
    // -----------------------------------------------------------------------------------

    fn assert_malformed(result: Result<(), ReadError>) -> String {
        match result {
            Err(ReadError::Malformed {
                format: Format::Xlsx,
                message,
            }) => {
                assert!(!message.contains('\n'), "{message:?}");
                message
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn truncated_workbook_is_malformed() {
        let (cells, result) = read_bytes(&fixture("truncated.xlsx"), &Limits::default());
        assert!(cells.is_empty());
        assert_malformed(result);
    }

    #[test]
    fn bytes_that_are_not_a_zip_are_malformed() {
        let (_, result) = read_bytes(b"guid,nome\n1,Ana\n", &Limits::default());
        assert_malformed(result);
        let (_, result) = read_bytes(b"", &Limits::default());
        assert_malformed(result);
    }

    #[test]
    fn ole_container_is_named_in_the_message() {
        let mut bytes = OLE_MAGIC.to_vec();
        bytes.resize(4096, 0);
        let (_, result) = read_bytes(&bytes, &Limits::default());
        assert!(assert_malformed(result).contains("OLE"));
    }

    /// Parts of a one-sheet workbook, with this `sheetData` content.
    fn one_sheet_parts(sheet_data: &str) -> Vec<(&'static str, Vec<u8>)> {
        const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        vec![
            (
                "xl/workbook.xml",
                format!(
                    r#"<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                )
                .into_bytes(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
                )
                .into_bytes(),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(r#"<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>"#)
                    .into_bytes(),
            ),
        ]
    }

    fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for (name, content) in parts {
            writer.start_file(*name, options).expect("zip entry");
            writer.write_all(content).expect("zip write");
        }
        writer.finish().expect("zip finish").into_inner()
    }

    #[test]
    fn workbook_built_at_runtime_reads() {
        let bytes = zip_of(&one_sheet_parts(
            r#"<row r="1"><c r="B1" t="inlineStr"><is><t>cpf</t></is></c></row><row r="2"><c r="B2"><v>52998224725</v></c></row>"#,
        ));
        let (cells, result) = read_bytes(&bytes, &Limits::default());
        result.expect("valid workbook");
        assert_eq!(
            cells,
            [
                cell("S", 1, 2, None, "cpf"),
                cell("S", 2, 2, Some("cpf"), "52998224725"),
            ]
        );
    }

    #[test]
    fn zip_without_workbook_part_is_malformed() {
        let bytes = zip_of(&[("word/document.xml", b"<document/>".to_vec())]);
        let (_, result) = read_bytes(&bytes, &Limits::default());
        assert!(assert_malformed(result).contains("xl/workbook.xml"));
    }

    #[test]
    fn missing_worksheet_part_is_malformed() {
        let mut parts = one_sheet_parts("");
        parts.retain(|(name, _)| !name.starts_with("xl/worksheets/"));
        let (_, result) = read_bytes(&zip_of(&parts), &Limits::default());
        assert_malformed(result);
    }

    #[test]
    fn low_ratio_limit_refuses_a_normal_workbook() {
        let limits = Limits {
            max_ooxml_ratio: 1,
            ..Limits::default()
        };
        let (cells, result) = read_bytes(&fixture("employees_xlsxwriter.xlsx"), &limits);
        assert!(cells.is_empty());
        assert!(
            matches!(result, Err(ReadError::OoxmlRatio { ratio, limit: 1 }) if ratio >= 1),
            "{result:?}"
        );
    }

    /// A sheet padded with 4 MiB of blanks: ~1000:1, far past the default 100:1.
    fn padded_workbook() -> Vec<u8> {
        let padding = " ".repeat(4 << 20);
        zip_of(&one_sheet_parts(&padding))
    }

    #[test]
    fn high_ratio_workbook_is_refused_before_parsing() {
        let (cells, result) = read_bytes(&padded_workbook(), &Limits::default());
        assert!(cells.is_empty());
        assert!(
            matches!(result, Err(ReadError::OoxmlRatio { ratio, limit: 100 }) if ratio > 100),
            "{result:?}"
        );
    }

    #[test]
    fn size_limit_refuses_a_large_workbook() {
        let limits = Limits {
            max_ooxml_bytes: 1024,
            ..Limits::default()
        };
        let (_, result) = read_bytes(&fixture("employees_openpyxl.xlsx"), &limits);
        assert!(
            matches!(result, Err(ReadError::OoxmlSize { limit: 1024 })),
            "{result:?}"
        );
    }

    /// Sets the uncompressed size that the local and central headers declare for every
    /// entry, as a bomb that lies about its sizes would.
    fn declare_uncompressed_size(zip: &mut [u8], size: u32) {
        const LOCAL: &[u8] = b"PK\x03\x04";
        const CENTRAL: &[u8] = b"PK\x01\x02";
        for start in 0..zip.len().saturating_sub(4) {
            let offset = match &zip[start..start + 4] {
                sig if sig == LOCAL => 22,
                sig if sig == CENTRAL => 24,
                _ => continue,
            };
            zip[start + offset..start + offset + 4].copy_from_slice(&size.to_le_bytes());
        }
    }

    #[test]
    fn sizes_are_measured_not_taken_from_the_headers() {
        let mut bytes = padded_workbook();
        declare_uncompressed_size(&mut bytes, 100);
        let (cells, result) = read_bytes(&bytes, &Limits::default());
        assert!(cells.is_empty());
        assert!(
            matches!(result, Err(ReadError::OoxmlRatio { ratio, .. }) if ratio > 100),
            "{result:?}"
        );
    }

    fn u16_at(bytes: &[u8], at: usize) -> usize {
        usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]))
    }

    fn u32_at(bytes: &[u8], at: usize) -> usize {
        let le = u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        usize::try_from(le).expect("32-bit offset")
    }

    /// Adds `copies` central-directory records pointing at the data of entry `name`, each
    /// under a new name of the same length: the overlapping-entries zip bomb, where
    /// entries share one compressed stream.
    fn overlap_entry(zip: &mut Vec<u8>, name: &str, copies: u16) {
        let eocd = (0..zip.len() - 4)
            .rev()
            .find(|&at| &zip[at..at + 4] == b"PK\x05\x06")
            .expect("end of central directory");
        let (cd_size, cd_start) = (u32_at(zip, eocd + 12), u32_at(zip, eocd + 16));
        let mut at = cd_start;
        let record = loop {
            let len = 46 + u16_at(zip, at + 28) + u16_at(zip, at + 30) + u16_at(zip, at + 32);
            if &zip[at + 46..at + 46 + name.len()] == name.as_bytes() {
                break zip[at..at + len].to_vec();
            }
            at += len;
        };
        let mut added = Vec::new();
        for copy in 0..copies {
            let mut record = record.clone();
            let new_name = format!("{copy:0width$}", width = name.len());
            record[46..46 + name.len()].copy_from_slice(new_name.as_bytes());
            added.extend_from_slice(&record);
        }
        let entries = u16::try_from(u16_at(zip, eocd + 10)).expect("entry count") + copies;
        let cd_size = u32::try_from(cd_size + added.len()).expect("central directory size");
        zip[eocd + 8..eocd + 10].copy_from_slice(&entries.to_le_bytes());
        zip[eocd + 10..eocd + 12].copy_from_slice(&entries.to_le_bytes());
        zip[eocd + 12..eocd + 16].copy_from_slice(&cd_size.to_le_bytes());
        zip.splice(eocd..eocd, added);
    }

    /// Each entry expands about 1000:1 (deflate's ceiling is 1032:1), under a limit of
    /// 2000:1; only counting the compressed bytes once shows the real expansion.
    #[test]
    fn overlapping_entries_count_their_shared_data_once() {
        let mut parts = one_sheet_parts("");
        parts.push(("xl/media/padding.xml", vec![b' '; 1 << 20]));
        let mut bytes = zip_of(&parts);
        overlap_entry(&mut bytes, "xl/media/padding.xml", 50);
        let limits = Limits {
            max_ooxml_ratio: 2000,
            ..Limits::default()
        };
        let (_, result) = read_bytes(&bytes, &limits);
        assert!(
            matches!(result, Err(ReadError::OoxmlRatio { ratio, limit: 2000 }) if ratio > 2000),
            "{result:?}"
        );
    }

    #[test]
    fn cells_over_the_unit_limit_are_skipped_and_the_rest_is_read() {
        let bytes = fixture("employees_openpyxl.xlsx");
        let (all, result) = read_bytes(&bytes, &Limits::default());
        result.expect("within the default limit");
        let limits = Limits {
            max_unit_bytes: 16,
            ..Limits::default()
        };
        let (cells, result) = read_bytes(&bytes, &limits);
        assert!(
            matches!(result, Err(ReadError::UnitTooLarge { limit: 16 })),
            "{result:?}"
        );
        // Every cell of at most 16 bytes is read, those after the long ones included.
        let short: Vec<_> = all.iter().filter(|c| c.text.len() <= 16).collect();
        assert!(
            short.len() > 5 && short.len() < all.len(),
            "{}",
            short.len()
        );
        assert_eq!(cells.iter().collect::<Vec<_>>(), short);
    }

    #[test]
    fn cell_reference_past_any_column_does_not_panic() {
        let bytes = zip_of(&one_sheet_parts(
            r#"<row r="1"><c r="AAAAAAAAAAAAAAAAAAAA1" t="inlineStr"><is><t>x</t></is></c></row>"#,
        ));
        // Debug builds catch calamine's overflow; release builds wrap it. Neither may
        // panic out of the reader.
        let (_, result) = read_bytes(&bytes, &Limits::default());
        if let Err(e) = result {
            assert_malformed(Err(e));
        }
    }

    /// A small deterministic generator: the fuzz tests must fail the same way twice.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift(0x5eed);
        for len in [0, 1, 4, 22, 30, 100, 1000, 10_000] {
            for _ in 0..20 {
                let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                let (_, result) = read_bytes(&bytes, &Limits::default());
                assert!(result.is_err());
            }
        }
    }

    #[test]
    fn corrupted_workbooks_never_panic() {
        let mut rng = XorShift(0xc0ffee);
        for name in ["employees_openpyxl.xlsx", "employees_xlsxwriter.xlsx"] {
            let original = fixture(name);
            for _ in 0..200 {
                let mut bytes = original.clone();
                for _ in 0..1 + rng.next() % 8 {
                    let at = usize::try_from(rng.next() % bytes.len() as u64).expect("index");
                    bytes[at] = rng.next() as u8;
                }
                // Any result is fine, as long as it is a result.
                let _ = read_bytes(&bytes, &Limits::default());
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Cell text
    // -----------------------------------------------------------------------------------

    fn text_of(value: DataRef<'_>) -> Option<String> {
        let mut buf = String::new();
        display_text(&value, &mut buf).map(str::to_owned)
    }

    fn date(serial: f64) -> DataRef<'static> {
        DataRef::DateTime(ExcelDateTime::new(
            serial,
            calamine::ExcelDateTimeType::DateTime,
            false,
        ))
    }

    #[test]
    fn numbers_print_every_digit_and_no_exponent() {
        assert_eq!(
            text_of(DataRef::Float(73282932000074.0)).as_deref(),
            Some("73282932000074")
        );
        assert_eq!(
            text_of(DataRef::Float(1e15)).as_deref(),
            Some("1000000000000000")
        );
        assert_eq!(text_of(DataRef::Float(-0.0)).as_deref(), Some("0"));
        assert_eq!(text_of(DataRef::Float(2.5)).as_deref(), Some("2.5"));
        assert_eq!(
            text_of(DataRef::Float(0.1 + 0.2)).as_deref(),
            Some("0.30000000000000004")
        );
        assert_eq!(text_of(DataRef::Float(f64::NAN)), None);
        assert_eq!(text_of(DataRef::Int(-7)).as_deref(), Some("-7"));
    }

    #[test]
    fn dates_print_as_iso_8601() {
        assert_eq!(text_of(date(43924.0)).as_deref(), Some("2020-04-03"));
        assert_eq!(
            text_of(date(43924.5)).as_deref(),
            Some("2020-04-03 12:00:00")
        );
        assert_eq!(text_of(date(0.25)).as_deref(), Some("06:00:00"));
        assert_eq!(
            text_of(date(43924.0 + 0.5 / 86_400.0)).as_deref(),
            Some("2020-04-03 00:00:00.500")
        );
        // Excel's own 1900-02-29.
        assert_eq!(text_of(date(60.0)).as_deref(), Some("1900-02-29"));
        // Out of Excel's range: the serial number.
        assert_eq!(text_of(date(-1.0)).as_deref(), Some("-1"));
        assert_eq!(
            text_of(date(1e300)).as_deref(),
            Some(&*format!("{}", 1e300))
        );
        assert_eq!(
            text_of(date(END_OF_EXCEL_DATES - 1.0)).as_deref(),
            Some("9999-12-31")
        );
    }

    #[test]
    fn durations_count_hours_past_a_day() {
        let duration = |days| {
            DataRef::DateTime(ExcelDateTime::new(
                days,
                calamine::ExcelDateTimeType::TimeDelta,
                false,
            ))
        };
        assert_eq!(text_of(duration(1.5)).as_deref(), Some("36:00:00"));
        assert_eq!(text_of(duration(0.0)).as_deref(), Some("00:00:00"));
        assert_eq!(
            text_of(duration(1.0 / 86_400.0)).as_deref(),
            Some("00:00:01")
        );
    }

    #[test]
    fn empty_and_error_values_have_no_text() {
        assert_eq!(text_of(DataRef::Empty), None);
        assert_eq!(text_of(DataRef::String(String::new())), None);
        assert_eq!(text_of(DataRef::Error(calamine::CellErrorType::NA)), None);
        assert_eq!(text_of(DataRef::Bool(true)).as_deref(), Some("TRUE"));
        assert_eq!(
            text_of(DataRef::DateTimeIso("2020-04-03T10:20:30".to_owned())).as_deref(),
            Some("2020-04-03T10:20:30")
        );
    }
}
