//! An Excel 97-2003 file made safe for calamine's XLS reader before it opens it.
//!
//! calamine is written for trusted files, and two of its habits let a file of a few
//! kilobytes end the whole process, which no `catch_unwind` can contain:
//!
//! - its own compound-file (OLE2) parser follows sector chains without looking for
//!   cycles, so a directory or DIFAT chain that loops reads on and grows its buffer
//!   until memory runs out;
//! - it parses every sheet when it opens the workbook, into one dense grid per sheet
//!   spanning from the sheet's first used row and column to its last, and reserves
//!   room for as many cells as the sheet's `Dimensions` record declares. Two cells at
//!   `A1` and at the far corner of the 16-bit coordinates ask for 128 GiB at once, and
//!   `A1` with `IV65536` (Excel's own last cell) costs a gigabyte.
//!
//! So [`sanitize`] reads the container with the `cfb` crate (which checks its chains)
//! and copies the workbook stream alone into a fresh compound file that the `cfb` crate
//! writes; calamine only ever opens that copy. On the way it walks the stream's BIFF
//! records as calamine will, without decoding a cell, and refuses declared dimensions
//! outside Excel's grid (`MALFORMED_FILE`) and sheets whose grids together exceed
//! [`MAX_GRID_CELLS`] (SKIPPED `FILE_EXCEEDS_SIZE_LIMIT`, as Macie reports a file too
//! large to analyse). Memory is one record at a time; the copy is on disk.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};

use super::malformed;
use crate::reader::ReadError;
use crate::Format;

/// The most cells the dense grids of one workbook's sheets may span together (cell
/// values and formulas, which calamine keeps as two grids), about 128 MiB of
/// calamine's cells: a sheet of 65,536 rows by 64 columns. Real workbooks whose used
/// area is larger are rare in the 97-2003 format, whose grid ends at 65,536 rows by
/// 256 columns; a small file whose cells lie far apart is a memory bomb.
pub const MAX_GRID_CELLS: u64 = 1 << 22;

/// The rows and columns of an Excel 97-2003 sheet (BIFF8).
const GRID_ROWS: u64 = 1 << 16;
const GRID_COLUMNS: u64 = 1 << 8;

/// The names calamine looks the workbook stream up by, in its order (BIFF5 and later
/// call it `Workbook`, earlier versions `Book`). The `cfb` crate compares names
/// without regard to case, as the format says, so two of these suffice.
const WORKBOOK_STREAMS: [&str; 2] = ["/Workbook", "/Book"];

/// BIFF record types read here ([MS-XLS] 2.3).
mod record {
    pub const EOF: u16 = 0x000A;
    pub const FILE_PASS: u16 = 0x002F;
    pub const BOUND_SHEET: u16 = 0x0085;
    pub const DIMENSIONS: u16 = 0x0200;
    pub const FORMULA: u16 = 0x0006;
    pub const MUL_RK: u16 = 0x00BD;
    /// Records holding one cell, its row and column first: Number, Label, BoolErr,
    /// RK and LabelSst.
    pub const SINGLE_CELLS: [u16; 5] = [0x0203, 0x0204, 0x0205, 0x027E, 0x00FD];
}

/// Checks the XLS `input` and returns a compound file holding only its workbook
/// stream, rewound, for calamine to open.
pub fn sanitize<R: Read + Seek>(input: R) -> Result<File, ReadError> {
    let mut source = cfb::CompoundFile::open(input)
        .map_err(|e| malformed(Format::Xls, format!("not an OLE2 compound file: {e}")))?;
    let name = WORKBOOK_STREAMS
        .into_iter()
        .find(|name| source.is_stream(name))
        .ok_or_else(|| malformed(Format::Xls, "no Workbook stream"))?;
    let mut stream = source.open_stream(name)?;
    check_grids(&mut BufReader::new(&mut stream))?;
    stream.seek(SeekFrom::Start(0))?;

    // Version 3 (512-byte sectors), as Excel 97-2003 writes: calamine refuses a version
    // 4 file whose root holds no mini stream, as the copy's does when its one stream is
    // large.
    let mut copy = cfb::CompoundFile::create_with_version(cfb::Version::V3, tempfile::tempfile()?)?;
    {
        let mut workbook = copy.create_stream("/Workbook")?;
        io::copy(&mut stream, &mut workbook)?;
        workbook.flush()?;
    }
    copy.flush()?;
    let mut file = copy.into_inner();
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

/// Walks the workbook stream as calamine does: the globals up to their EOF record,
/// then each sheet from the offset its `BoundSheet` record gives up to the sheet's EOF,
/// and checks what calamine would allocate for it. An encrypted workbook is left to
/// calamine, which reports it as needing a password without reading a sheet.
fn check_grids<R: Read + Seek>(stream: &mut R) -> Result<(), ReadError> {
    let mut records = Records::new(stream);
    let mut sheets = Vec::new();
    while let Some(record) = records.next()? {
        match record.kind {
            record::EOF => break,
            // Type 0 is XOR obfuscation, which calamine reads through.
            record::FILE_PASS if record.data.len() >= 2 && u16_at(record.data, 0) != 0 => {
                return Ok(())
            }
            record::BOUND_SHEET if record.data.len() >= 4 => sheets.push(u32_at(record.data, 0)),
            _ => {}
        }
    }
    let mut cells = 0u64;
    for offset in sheets {
        records.seek(u64::from(offset))?;
        let sheet = Sheet::walk(&mut records)?;
        cells = cells.saturating_add(sheet.values.area().saturating_add(sheet.formulas.area()));
        if cells > MAX_GRID_CELLS {
            return Err(ReadError::SheetsOverLimit {
                limit: MAX_GRID_CELLS,
            });
        }
    }
    Ok(())
}

/// The grids one sheet would take.
#[derive(Default)]
struct Sheet {
    values: Span,
    formulas: Span,
}

impl Sheet {
    fn walk<R: Read + Seek>(records: &mut Records<R>) -> Result<Sheet, ReadError> {
        let mut sheet = Sheet::default();
        while let Some(record) = records.next()? {
            let data = record.data;
            match record.kind {
                record::EOF => break,
                record::DIMENSIONS => check_dimensions(data)?,
                kind if record::SINGLE_CELLS.contains(&kind) && data.len() >= 4 => {
                    sheet.values.add(u16_at(data, 0), u16_at(data, 2));
                }
                record::FORMULA if data.len() >= 4 => {
                    let (row, column) = (u16_at(data, 0), u16_at(data, 2));
                    sheet.values.add(row, column);
                    sheet.formulas.add(row, column);
                }
                // A row of RK numbers: row, first column, the numbers, last column.
                record::MUL_RK if data.len() >= 6 => {
                    let row = u16_at(data, 0);
                    sheet.values.add(row, u16_at(data, 2));
                    sheet.values.add(row, u16_at(data, data.len() - 2));
                }
                _ => {}
            }
        }
        Ok(sheet)
    }
}

/// The smallest rectangle holding the cells met so far.
#[derive(Default)]
struct Span {
    corners: Option<((u16, u16), (u16, u16))>,
}

impl Span {
    fn add(&mut self, row: u16, column: u16) {
        let ((top, left), (bottom, right)) =
            self.corners.get_or_insert(((row, column), (row, column)));
        *top = (*top).min(row);
        *left = (*left).min(column);
        *bottom = (*bottom).max(row);
        *right = (*right).max(column);
    }

    /// The cells of the rectangle.
    fn area(&self) -> u64 {
        self.corners.map_or(0, |((top, left), (bottom, right))| {
            (u64::from(bottom - top) + 1) * (u64::from(right - left) + 1)
        })
    }
}

/// A `Dimensions` record: calamine reserves one cell for each cell of the rectangle it
/// declares, trusting rows and columns a file could set to billions. A genuine one
/// lies within the grid: first row and column before the last-plus-one ones, which
/// are at most 65,536 and 256. An empty sheet declares zeros.
fn check_dimensions(data: &[u8]) -> Result<(), ReadError> {
    // BIFF8 counts rows in 32 bits, earlier versions in 16.
    let (first_row, end_row, first_column, end_column) = match data.len() {
        10 => (
            u64::from(u16_at(data, 0)),
            u64::from(u16_at(data, 2)),
            u64::from(u16_at(data, 4)),
            u64::from(u16_at(data, 6)),
        ),
        14 => (
            u64::from(u32_at(data, 0)),
            u64::from(u32_at(data, 4)),
            u64::from(u16_at(data, 8)),
            u64::from(u16_at(data, 10)),
        ),
        // calamine refuses any other length itself.
        _ => return Ok(()),
    };
    let empty = end_row == 0 || end_column == 0;
    let within = first_row < end_row
        && end_row <= GRID_ROWS
        && first_column < end_column
        && end_column <= GRID_COLUMNS;
    if empty || within {
        Ok(())
    } else {
        Err(malformed(
            Format::Xls,
            "a sheet's declared dimensions lie outside the grid",
        ))
    }
}

/// One BIFF record: its type and data (at most 65,535 bytes, its length's range).
struct Record<'a> {
    kind: u16,
    data: &'a [u8],
}

/// Reads a stream's records one at a time into one buffer.
struct Records<'r, R> {
    input: &'r mut R,
    data: Vec<u8>,
}

impl<'r, R: Read + Seek> Records<'r, R> {
    fn new(input: &'r mut R) -> Self {
        Records {
            input,
            data: Vec::new(),
        }
    }

    fn seek(&mut self, offset: u64) -> io::Result<()> {
        self.input.seek(SeekFrom::Start(offset)).map(drop)
    }

    /// The next record, or `None` at the end of the stream or at a record cut short
    /// (calamine refuses the file there, with its own message).
    fn next(&mut self) -> io::Result<Option<Record<'_>>> {
        let mut header = [0u8; 4];
        if !fill(self.input, &mut header)? {
            return Ok(None);
        }
        let length = usize::from(u16_at(&header, 2));
        self.data.resize(length, 0);
        if !fill(self.input, &mut self.data)? {
            return Ok(None);
        }
        Ok(Some(Record {
            kind: u16_at(&header, 0),
            data: &self.data,
        }))
    }
}

/// Fills `buf` from `input`; `false` if the input ends first.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> io::Result<bool> {
    match input.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

fn u16_at(data: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([data[at], data[at + 1]])
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::reader::{read_workbook, TextUnit, UnitPlace};
    use crate::result::Reason;
    use crate::Limits;

    /// A cell read: row, column, text.
    type Cell = (u64, u64, String);

    /// Reads `tests/fixtures/sheets/<name>` as XLS; the cells read and the outcome.
    fn read(name: &str) -> (Vec<Cell>, Result<(), ReadError>) {
        let path = format!(
            "{}/../tests/fixtures/sheets/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let file = File::open(path).expect("fixture");
        let mut cells = Vec::new();
        let outcome = read_workbook(
            Format::Xls,
            file,
            &Limits::default(),
            &mut |unit: TextUnit<'_>| {
                if let UnitPlace::Cell { row, column, .. } = unit.place {
                    let text = String::from_utf8_lossy(unit.bytes).into_owned();
                    cells.push((row, column, text));
                }
            },
        );
        (cells, outcome)
    }

    #[test]
    fn genuine_workbooks_read_as_before_through_the_copy() {
        for name in ["clientes_xlwt.xls", "clientes_libreoffice.xls"] {
            let (cells, outcome) = read(name);
            assert!(outcome.is_ok(), "{name}: {outcome:?}");
            assert!(
                cells.contains(&(2, 2, "529.982.247-25".to_owned())),
                "{name}: {cells:?}"
            );
        }
    }

    #[test]
    fn cells_at_opposite_corners_of_the_grid_skip_the_workbook_unread() {
        // Genuine (xlwt wrote it), but its used area is the whole grid.
        let (cells, outcome) = read("far_corner_xlwt.xls");
        assert!(cells.is_empty(), "{cells:?}");
        let error = outcome.expect_err("over the limit");
        assert!(
            matches!(
                error,
                ReadError::SheetsOverLimit {
                    limit: MAX_GRID_CELLS
                }
            ),
            "{error:?}"
        );
        assert_eq!(error.reason(), Reason::FileExceedsSizeLimit);
    }

    #[test]
    fn a_cell_far_outside_the_grid_is_refused_before_calamine_allocates_for_it() {
        let (cells, outcome) = read("wide_xlwt.xls");
        assert!(cells.is_empty(), "{cells:?}");
        assert!(
            matches!(outcome, Err(ReadError::SheetsOverLimit { .. })),
            "{outcome:?}"
        );
    }

    #[test]
    fn declared_dimensions_outside_the_grid_are_malformed() {
        let (cells, outcome) = read("dimensions_xlwt.xls");
        assert!(cells.is_empty(), "{cells:?}");
        let error = outcome.expect_err("malformed");
        assert_eq!(error.reason(), Reason::MalformedFile, "{error:?}");
    }

    #[test]
    fn a_looping_sector_chain_is_malformed() {
        let (cells, outcome) = read("dir_cycle_xlwt.xls");
        assert!(cells.is_empty(), "{cells:?}");
        let error = outcome.expect_err("malformed");
        assert_eq!(error.reason(), Reason::MalformedFile, "{error:?}");
    }

    /// A workbook stream of `globals` then `sheets`, each a list of records; every
    /// sheet gets a `BoundSheet` record pointing at it, `copies` times.
    fn stream(
        globals: &[(u16, Vec<u8>)],
        sheets: &[Vec<(u16, Vec<u8>)>],
        copies: usize,
    ) -> Vec<u8> {
        fn encode(records: &[(u16, Vec<u8>)]) -> Vec<u8> {
            let mut out = Vec::new();
            for (kind, data) in records {
                out.extend_from_slice(&kind.to_le_bytes());
                out.extend_from_slice(&(data.len() as u16).to_le_bytes());
                out.extend_from_slice(data);
            }
            out
        }
        let eof = (record::EOF, Vec::new());
        let bound_sheets = sheets.len() * copies;
        // BoundSheet: the sheet's offset, then its visibility, type and name (unread
        // here, left out).
        let globals_len = encode(globals).len() + bound_sheets * (4 + 8) + 4;
        let mut offsets = Vec::new();
        let mut body = Vec::new();
        for sheet in sheets {
            offsets.push((globals_len + body.len()) as u32);
            let mut records = sheet.clone();
            records.push(eof.clone());
            body.extend(encode(&records));
        }
        let mut head = globals.to_vec();
        for _ in 0..copies {
            for offset in &offsets {
                let data = [offset.to_le_bytes(), [0; 4]].concat();
                head.push((record::BOUND_SHEET, data));
            }
        }
        head.push(eof);
        let mut out = encode(&head);
        assert_eq!(out.len(), globals_len);
        out.extend(body);
        out
    }

    fn number(row: u16, column: u16) -> (u16, Vec<u8>) {
        let mut data = [row.to_le_bytes(), column.to_le_bytes()].concat();
        data.extend_from_slice(&[0; 10]);
        (0x0203, data)
    }

    fn check(bytes: Vec<u8>) -> Result<(), ReadError> {
        check_grids(&mut Cursor::new(bytes))
    }

    #[test]
    fn the_limit_counts_every_sheet_and_every_sheet_calamine_would_parse() {
        // 2,048 rows by 1,024 columns: half the limit.
        let half = vec![number(0, 0), number(2047, 1023)];
        assert!(check(stream(&[], std::slice::from_ref(&half), 1)).is_ok());
        assert!(check(stream(&[], &[half.clone(), vec![number(5, 5)]], 1)).is_ok());
        // Two such sheets, or one sheet listed twice, fill it; a third cell goes over.
        assert!(check(stream(&[], &[half.clone(), half.clone()], 1)).is_ok());
        assert!(matches!(
            check(stream(&[], std::slice::from_ref(&half), 3)),
            Err(ReadError::SheetsOverLimit { .. })
        ));
        // A formula's cell is both a value and a formula: two grids.
        let formula = |row: u16, column: u16| {
            let mut data = [row.to_le_bytes(), column.to_le_bytes()].concat();
            data.extend_from_slice(&[0; 18]);
            (record::FORMULA, data)
        };
        let formulas = vec![formula(0, 0), formula(2047, 1023)];
        assert!(matches!(
            check(stream(&[], &[formulas, half], 1)),
            Err(ReadError::SheetsOverLimit { .. })
        ));
    }

    #[test]
    fn a_row_of_numbers_spans_from_its_first_to_its_last_column() {
        // MulRk: row, first column, six bytes per number, last column.
        let mut data = [0u16.to_le_bytes(), 0u16.to_le_bytes()].concat();
        data.extend_from_slice(&[0; 12]);
        data.extend_from_slice(&65_535u16.to_le_bytes());
        let row = vec![(record::MUL_RK, data), number(64, 0)];
        assert!(matches!(
            check(stream(&[], &[row], 1)),
            Err(ReadError::SheetsOverLimit { .. })
        ));
    }

    #[test]
    fn an_encrypted_workbook_is_left_to_calamine_which_reports_its_password() {
        let far = vec![number(0, 0), number(65_535, 65_535)];
        let file_pass = (record::FILE_PASS, vec![1, 0, 0, 0]);
        assert!(check(stream(&[file_pass], std::slice::from_ref(&far), 1)).is_ok());
        assert!(check(stream(&[], &[far], 1)).is_err());
    }

    #[test]
    fn dimensions_are_checked_against_the_grid() {
        let dimensions = |rows: (u32, u32), columns: (u16, u16)| {
            let mut data = [rows.0.to_le_bytes(), rows.1.to_le_bytes()].concat();
            data.extend_from_slice(&columns.0.to_le_bytes());
            data.extend_from_slice(&columns.1.to_le_bytes());
            data.extend_from_slice(&[0, 0]);
            check_dimensions(&data)
        };
        assert!(dimensions((0, 0), (0, 0)).is_ok(), "an empty sheet");
        assert!(dimensions((0, 65_536), (0, 256)).is_ok(), "the whole grid");
        assert!(dimensions((0, 65_537), (0, 1)).is_err());
        assert!(dimensions((0, 1), (0, 257)).is_err());
        assert!(
            dimensions((7, 3), (0, 1)).is_err(),
            "first row after the last"
        );
        assert!(dimensions((0, 1), (2, 2)).is_err(), "no column");
    }
}
