//! CSV and TSV: one unit per cell; the header row names the columns.
//!
//! Two readers with the same output, behind [`read_delimited`]. For a sink without a
//! block filter, the record-by-record reader parses every field and hands every
//! non-empty cell over. For a sink with one (a scan's), the filtered reader runs the
//! sink's [`BlockFilter`] over raw blocks of the file, once, and hands over only the
//! cells where it saw a possible match (with the [`Narrowing`] it gave for them); every
//! cell it skips provably holds no match of any detector. Record
//! and cell structure is only resolved where it matters: around filter hits (the
//! bytes from the previous cell handed over to the hit's cell, searched once: see
//! [`Place`]), and for records containing a quote, which are parsed by `csv-core`
//! exactly as the `csv` crate would: their quoted cells are judged whole, the others
//! where a walk over the record's bytes saw a possible match. A cell whose judging would
//! only add to counts (see [`super::UnitSink::count_unplaced`]) is not placed: the sink
//! counts the matches in its bytes or, where the walk saw one of each, counts it where
//! the walk saw it, without the cell being cut out.
//!
//! The filtered reader also reads a table in slices, for [`crate::split`]: the header
//! alone ([`TableReader::head`]), then the records that start in a byte range of the
//! data below it ([`TableReader::slice`]), each from its own handle on the input.
//!
//! # Cells over the limit
//! A cell longer than [`Limits::max_unit_bytes`] is not judged: the rules (anchors,
//! word boundaries, keyword distances) are defined on the whole cell, and holding it
//! whole is what the limit forbids. Both readers skip it, read the rest of the table
//! as usual, and end with [`ReadError::UnitTooLarge`], so the object is PARTIAL with
//! `FILE_EXCEEDS_SIZE_LIMIT` (as JSON Lines lines and workbook cells over the limit
//! are). Neither holds more than the limit of one cell: the record-by-record reader
//! drops a long field's bytes as it parses them ([`Fields`]), and the filtered reader,
//! which buffers records, hands a record that outgrows [`MAX_PENDING`] to it.

use std::io::{self, Read};
use std::ops::Range;

use ferret_identifiers::text::char_count;
use ferret_identifiers::{BlockFilter, BlockHits, Narrowing, UnitContext};

mod short;

use short::Separators;

use super::fields::{Field, Fields};
use super::header::{header_layout, FieldLayout};
use super::text::fill;
use super::{column_name, ReadError, Sink, TextUnit, UnitPlace};
use crate::Limits;

/// Bytes read per block by the filtered reader.
const BLOCK: usize = 1 << 20;
/// The smallest block a slice reader reads per call, however short the slice.
const SLICE_BLOCK_MIN: usize = 4096;
/// A record (one with a quoted field spanning many lines, say) that is still incomplete
/// with this many bytes buffered sends the rest of the object to the record-by-record
/// reader, which keeps only one field, of at most the cell limit.
const MAX_PENDING: usize = 16 << 20;
/// The most fields a record parsed in the filtered reader's buffer may have: each
/// costs its end's offset, 8 bytes, so a record of millions of empty fields (a few
/// megabytes of commas) goes to the record-by-record reader instead.
const MAX_FIELDS: usize = 1 << 20;

/// The cell limit of one reading, and whether a cell went over it.
#[derive(Debug, Clone, Copy)]
struct CellLimit {
    max: usize,
    exceeded: bool,
}

impl CellLimit {
    fn new(max: usize) -> Self {
        CellLimit {
            max,
            exceeded: false,
        }
    }

    /// Whether a cell of `len` bytes is judged; notes it when it is not.
    fn admits(&mut self, len: usize) -> bool {
        let admitted = len <= self.max;
        self.exceeded |= !admitted;
        admitted
    }

    /// How a reading that read everything else ends.
    fn outcome(self) -> Result<(), ReadError> {
        if self.exceeded {
            Err(ReadError::UnitTooLarge { limit: self.max })
        } else {
            Ok(())
        }
    }
}

/// Streams the records of `input` and hands each cell to `sink`. Row 1 is the header:
/// its cells are units too (sensitive column names are findings), and its text becomes
/// the column name of every cell below it. Rows count records, so a quoted field that
/// spans lines still belongs to one row. Cells over the limit are skipped (see the
/// module documentation).
///
/// When the sink has a [`BlockFilter`] for `delimiter`, cells in which it cannot match
/// are skipped without being cut out (see the module documentation); what the sink
/// concludes is the same.
pub fn read_delimited<R: Read>(
    input: R,
    delimiter: u8,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    match sink.block_filter(delimiter) {
        Some(filter) => {
            Filtered::new(filter, delimiter, BLOCK, limits.max_unit_bytes).run(input, sink)
        }
        None => read_every_cell(input, delimiter, limits, sink),
    }
}

/// The record-by-record reader of [`read_delimited`], for every cell.
fn read_every_cell<R: Read>(
    input: R,
    delimiter: u8,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    let mut limit = CellLimit::new(limits.max_unit_bytes);
    let mut input = input;
    let head = read_head(&mut input, delimiter);
    let cursor = Cursor {
        layout: head.layout,
        ..Cursor::default()
    };
    let bytes = io::Cursor::new(head.bytes);
    // A failure while the head was read comes right after the bytes read before it.
    match head.error {
        None => read_records(bytes.chain(input), delimiter, cursor, &mut limit, sink)?,
        Some(error) => {
            let failed = Failed(Some(error));
            read_records(bytes.chain(failed), delimiter, cursor, &mut limit, sink)?
        }
    }
    limit.outcome()
}

/// The start of a table, read before its records: see [`read_head`].
struct Head {
    bytes: Vec<u8>,
    layout: Option<Vec<FieldLayout>>,
    /// The error that ended the reading, if one did.
    error: Option<io::Error>,
}

/// A reader that fails with its error, once, then reads as ended.
struct Failed(Option<io::Error>);

impl Read for Failed {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(error) => Err(error),
            None => Ok(0),
        }
    }
}

/// Reads the start of `input` until it holds the header record, or [`MAX_PENDING`]
/// bytes; returns those bytes and the header's layout in them, if they hold it whole.
/// The layout is looked for each time the bytes read double, so reading stays linear
/// however little each read returns.
fn read_head<R: Read>(input: &mut R, delimiter: u8) -> Head {
    let mut bytes = Vec::new();
    let mut chunk = vec![0; SLICE_BLOCK_MIN];
    let mut next_look = SLICE_BLOCK_MIN;
    loop {
        let read = match input.read(&mut chunk) {
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                let layout = header_layout(&bytes, delimiter, false);
                return Head {
                    bytes,
                    layout,
                    error: Some(error),
                };
            }
        };
        bytes.extend_from_slice(&chunk[..read]);
        let eof = read == 0;
        if eof || bytes.len() >= next_look {
            let layout = header_layout(&bytes, delimiter, eof);
            if layout.is_some() || eof || bytes.len() >= MAX_PENDING {
                return Head {
                    bytes,
                    layout,
                    error: None,
                };
            }
            next_look = 2 * bytes.len();
        }
    }
}

/// The record-by-record reader, from where `cursor` is on: field by field, so that it
/// holds one field at a time, of at most the limit.
fn read_records<R: Read>(
    input: R,
    delimiter: u8,
    mut cursor: Cursor,
    limit: &mut CellLimit,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    let mut fields = Fields::new(input, delimiter, limit.max);
    while let Some((field, record_end)) = fields.next()? {
        match field {
            Field::Kept(bytes) => cursor.cell(bytes, sink),
            Field::TooLarge { chars } => {
                limit.exceeded = true;
                cursor.skip(chars);
            }
        }
        if record_end {
            cursor.end_record();
        }
    }
    Ok(())
}

/// Where the record-by-record reader is: the records before, the column names, and the
/// place of the next field in its record.
#[derive(Debug, Default)]
struct Cursor {
    /// Records read (the header included).
    row: u64,
    headers: Vec<String>,
    /// The 0-based index of the next field in its record.
    index: usize,
    /// In the header: the characters before the next field, counted as if fields
    /// were written unquoted (used when `layout` is not known).
    header_column: u64,
    /// Where the header's fields are in the file's text, when it was read whole.
    layout: Option<Vec<FieldLayout>>,
}

impl Cursor {
    /// A cursor after `row` records, below a header that named `headers`.
    fn after(row: u64, headers: Vec<String>) -> Self {
        Cursor {
            row,
            headers,
            ..Cursor::default()
        }
    }

    /// Hands the field over as the unit it is: a header cell or a data cell.
    fn cell(&mut self, field: &[u8], sink: &mut Sink<'_>) {
        if self.row == 0 {
            self.name_column(column_name(field));
            let layout = self.layout.as_deref();
            header_unit(field, self.index, layout, self.header_column + 1, sink);
            self.header_column += char_count(field) as u64 + 1;
        } else {
            cell_unit(field, self.row + 1, self.index, &self.headers, sink);
        }
        self.index += 1;
    }

    /// Steps over a field of `chars` characters that is not judged. In the header it
    /// names no column.
    fn skip(&mut self, chars: u64) {
        if self.row == 0 {
            self.name_column(String::new());
            self.header_column += chars + 1;
        }
        self.index += 1;
    }

    /// Names the next column, among the first [`MAX_FIELDS`]: a header of millions of
    /// empty cells must not become millions of names (the filtered reader parses no
    /// wider record either). The columns after them have no name.
    fn name_column(&mut self, name: String) {
        if self.headers.len() < MAX_FIELDS {
            self.headers.push(name);
        }
    }

    fn end_record(&mut self) {
        self.row += 1;
        self.index = 0;
        self.header_column = 0;
    }
}

/// The name of the column at 0-based `index`: none past the header's end, and none for
/// a blank header cell, as in workbooks.
fn column_name_at(headers: &[String], index: usize) -> Option<&str> {
    headers
        .get(index)
        .map(String::as_str)
        .filter(|name| !name.is_empty())
}

/// The column names of a header record; a cell over the limit names no column.
fn column_names<'a>(fields: impl Iterator<Item = &'a [u8]>, limit: &CellLimit) -> Vec<String> {
    fields
        .map(|h| {
            if h.len() <= limit.max {
                column_name(h)
            } else {
                String::new()
            }
        })
        .collect()
}

/// A non-empty data cell in `row`, the `index`-th of its record, judged whole.
fn cell_unit(field: &[u8], row: u64, index: usize, headers: &[String], sink: &mut Sink<'_>) {
    if field.is_empty() {
        return;
    }
    let column_name = column_name_at(headers, index);
    sink.unit(TextUnit::whole(
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

/// Every non-empty cell of one data record within the limit, judged whole.
fn record_units<'a>(
    fields: impl Iterator<Item = &'a [u8]>,
    row: u64,
    headers: &[String],
    limit: &mut CellLimit,
    sink: &mut Sink<'_>,
) {
    for (index, field) in fields.enumerate() {
        if limit.admits(field.len()) {
            cell_unit(field, row, index, headers, sink);
        }
    }
}

/// The header cell at 0-based `index`. Header cells are units like any other, but what
/// they hold is reported as a line range (docs/formats.md), at the lines and
/// columns of the file's own text: `layout`, read from the raw header. Without it (a
/// header too long to keep) the cell is placed on line 1 at `unquoted_column`, counted
/// as if the fields before it were written unquoted.
fn header_unit(
    field: &[u8],
    index: usize,
    layout: Option<&[FieldLayout]>,
    unquoted_column: u64,
    sink: &mut Sink<'_>,
) {
    if field.is_empty() {
        return;
    }
    let place = match layout.and_then(|layout| layout.get(index)) {
        Some(at) => UnitPlace::Text {
            first_line: at.line,
            first_column: at.column,
            dropped: &at.dropped,
        },
        None => UnitPlace::Text {
            first_line: 1,
            first_column: unquoted_column,
            dropped: &[],
        },
    };
    sink.unit(TextUnit::whole(field, place, UnitContext::None));
}

/// The cells of the header record within the limit (see [`header_unit`]).
fn header_units<'a>(
    fields: impl Iterator<Item = &'a [u8]>,
    layout: Option<&[FieldLayout]>,
    limit: &mut CellLimit,
    sink: &mut Sink<'_>,
) {
    let mut column = 1;
    for (index, field) in fields.enumerate() {
        if limit.admits(field.len()) {
            header_unit(field, index, layout, column, sink);
        }
        column += char_count(field) as u64 + 1;
    }
}

/// Why a part of a table could not be read on its own.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SliceError {
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A record was still incomplete with more than [`MAX_PENDING`] bytes buffered, or
    /// has more than [`MAX_FIELDS`] fields: only the record-by-record reader takes
    /// those, and it reads to the end of the input.
    #[error("a record is longer than {MAX_PENDING} bytes or {MAX_FIELDS} fields")]
    RecordTooLong,
}

/// The header record of a table, read by [`TableReader::head`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableHead {
    /// The column names of the cells below.
    pub columns: Vec<String>,
    /// The offset where the header reading stopped: a record boundary.
    pub end: u64,
    /// A header cell over the limit was skipped.
    pub over_limit: bool,
}

/// The data records read by [`TableReader::slice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TableSlice {
    /// Where the reading stopped, relative to the input's start: the first record
    /// boundary at or after the stop offset, or the end of the input.
    pub end: u64,
    /// Records read (blank lines are not records).
    pub records: u64,
    /// A cell over the limit was skipped: the table is only partly analysed.
    pub over_limit: bool,
}

/// The filtered reader, for a table read in parts: the header first, then slices of
/// the data below it, each of which may be read on its own thread. A slice's units are
/// the units [`read_delimited`] hands a filtering sink for the same records, rows numbered
/// as if the slice came right after the header.
#[derive(Clone)]
pub(crate) struct TableReader {
    /// The sink's block filter; each reading takes a clone, with scratch space of its own.
    filter: BlockFilter,
    delimiter: u8,
    block: usize,
    /// The cell limit, [`Limits::max_unit_bytes`].
    max_unit: usize,
}

impl TableReader {
    /// The filtered reader of a table with cells separated by `delimiter`, for a sink
    /// whose block filter for it is `filter` ([`UnitSink::block_filter`]).
    ///
    /// [`UnitSink::block_filter`]: super::UnitSink::block_filter
    pub(crate) fn new(filter: BlockFilter, delimiter: u8, limits: &Limits) -> Self {
        TableReader {
            filter,
            delimiter,
            block: BLOCK,
            max_unit: limits.max_unit_bytes,
        }
    }

    /// The same reader with blocks of `block` bytes (small in tests, to cross block
    /// boundaries often).
    #[cfg(test)]
    pub(crate) fn with_block(self, block: usize) -> Self {
        TableReader { block, ..self }
    }

    /// Reads the header record, the first of `input`, and hands its cells to `sink`;
    /// `None` when `input` holds no record at all.
    pub(crate) fn head<R: Read>(
        &self,
        mut input: R,
        sink: &mut Sink<'_>,
    ) -> Result<Option<TableHead>, SliceError> {
        let mut reader = Filtered::new(
            self.filter.clone(),
            self.delimiter,
            self.block,
            self.max_unit,
        );
        // Every data record starts at or after offset 0: only the header is read.
        reader.stop = Some(0);
        let end = reader.read_bounded(&mut input, sink)?;
        Ok((reader.row > 0).then_some(TableHead {
            columns: reader.headers,
            end,
            over_limit: reader.limit.exceeded,
        }))
    }

    /// Reads the data records of `input` that start before `stop` (all of them when
    /// `None`), each whole even when it runs past `stop`, and hands their cells to
    /// `sink`. `input` must start on a record boundary below the header, which named
    /// the `columns`; rows are numbered from 2 on, and units' spans are offsets in
    /// `input`.
    pub(crate) fn slice<R: Read>(
        &self,
        mut input: R,
        columns: &[String],
        stop: Option<u64>,
        sink: &mut Sink<'_>,
    ) -> Result<TableSlice, SliceError> {
        // No block larger than the slice: its reader reads on for its last record.
        let block = stop.map_or(self.block, |stop| {
            let stop = usize::try_from(stop).unwrap_or(usize::MAX);
            self.block.min(stop.max(SLICE_BLOCK_MIN))
        });
        let mut reader = Filtered::new(self.filter.clone(), self.delimiter, block, self.max_unit);
        reader.set_headers(columns.to_vec());
        reader.row = 1;
        reader.stop = stop;
        let end = reader.read_bounded(&mut input, sink)?;
        Ok(TableSlice {
            end,
            records: reader.row - 1,
            over_limit: reader.limit.exceeded,
        })
    }
}

/// A record parsed by csv-core: its fields' bytes and where each ends.
#[derive(Debug, Default)]
struct Record {
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// How many entries of `ends` the last parse wrote.
    len: usize,
}

impl Record {
    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.ends[..self.len].iter().map(move |&end| {
            let field = &self.fields[start..end];
            start = end;
            field
        })
    }
}

/// What happened to a region handed to the filtered reader.
enum Progress {
    /// Everything before this offset is done; the rest needs more input.
    UpTo(usize),
    /// Everything before this offset is done; the record there has more than
    /// [`MAX_FIELDS`] fields, and it and the rest go to the record-by-record reader.
    TooWide(usize),
}

/// What parsing a record in the filtered reader's buffer gave.
enum Parsed {
    /// A record, of this many bytes (blank lines before it included).
    Record(usize),
    /// No whole record: more input may complete it, or at the end none is left.
    Incomplete,
    /// A record of more than [`MAX_FIELDS`] fields, not held.
    TooWide,
}

/// How the filtered reader left its input.
enum Ended {
    /// Every record it was to read is read: it stopped at this offset of the input, the
    /// end of the input or the first record boundary at or after [`Filtered::stop`].
    At(u64),
    /// A record is still incomplete with more than [`MAX_PENDING`] bytes buffered, or
    /// has more than [`MAX_FIELDS`] fields: these bytes, from the record's start, and
    /// the rest of the input are left unread.
    Pending(Vec<u8>),
}

/// The bytes a filtered reading left pending, read before the rest of the input and
/// freed as soon as they are read: the record-by-record reader that takes over holds a
/// field of up to the limit, and should not hold these too for the rest of the object.
struct Leftover {
    bytes: Vec<u8>,
    at: usize,
}

impl Read for Leftover {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = &self.bytes[self.at..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        if self.at == self.bytes.len() {
            self.bytes = Vec::new();
            self.at = 0;
        }
        Ok(n)
    }
}

struct Filtered {
    filter: BlockFilter,
    /// Bytes read per block (small in tests, to cross block boundaries often).
    block: usize,
    /// The cells where the filter saw possible matches in the region at hand.
    ends: BlockHits,
    /// The detectors that may match in the cell being handed over.
    mask: Narrowing,
    /// No detector: the marker unit of skipped cells.
    nothing: Narrowing,
    /// The input offset of the buffer's first byte.
    offset: u64,
    delimiter: u8,
    core: csv_core::Reader,
    record: Record,
    /// Where the fields of the quoted record at hand are written without quotes (see
    /// [`unquoted_fields`]).
    unquoted: Vec<Option<Range<usize>>>,
    headers: Vec<String>,
    /// The 1-based columns whose every cell is handed over (their names hold keywords
    /// of identifiers the filter does not walk), in increasing order.
    named_columns: Vec<usize>,
    /// Records read so far (the header included).
    row: u64,
    /// Whether a data cell was skipped yet (see [`Filtered::note_skipped`]).
    skipped_any: bool,
    limit: CellLimit,
    /// Records (the header aside) that start at or after this offset of the input are
    /// left unread; `None`: read to the end.
    stop: Option<u64>,
}

impl Filtered {
    fn new(filter: BlockFilter, delimiter: u8, block: usize, max_unit: usize) -> Self {
        Filtered {
            mask: filter.narrowing(),
            nothing: Narrowing::nothing(),
            filter,
            block,
            ends: BlockHits::default(),
            offset: 0,
            delimiter,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            record: Record {
                fields: vec![0; 1024],
                ends: vec![0; 64],
                len: 0,
            },
            unquoted: Vec::new(),
            headers: Vec::new(),
            named_columns: Vec::new(),
            row: 0,
            skipped_any: false,
            limit: CellLimit::new(max_unit),
            stop: None,
        }
    }

    /// Takes the column names, the context of every data cell, and tells the filter.
    fn set_headers(&mut self, headers: Vec<String>) {
        self.filter.name_columns(headers.iter().map(String::as_str));
        self.named_columns = (0..headers.len())
            .filter(|&index| self.filter.names_identifiers(index))
            .map(|index| index + 1)
            .collect();
        self.headers = headers;
    }

    fn run<R: Read>(mut self, mut input: R, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        if let Ended::Pending(bytes) = self.read(&mut input, sink)? {
            let rest = Leftover { bytes, at: 0 }.chain(input);
            let cursor = Cursor::after(self.row, std::mem::take(&mut self.headers));
            read_records(rest, self.delimiter, cursor, &mut self.limit, sink)?;
        }
        self.limit.outcome()
    }

    /// Like [`Filtered::run`] without the fallback for very long records, which a
    /// bounded read cannot stop: where it stopped.
    fn read_bounded<R: Read>(
        &mut self,
        input: &mut R,
        sink: &mut Sink<'_>,
    ) -> Result<u64, SliceError> {
        match self.read(input, sink)? {
            Ended::At(end) => Ok(end),
            Ended::Pending(_) => Err(SliceError::RecordTooLong),
        }
    }

    fn read<R: Read>(&mut self, input: &mut R, sink: &mut Sink<'_>) -> Result<Ended, ReadError> {
        let mut buffer: Vec<u8> = Vec::with_capacity(2 * self.block);
        self.offset = 0;
        let mut start = 0;
        loop {
            buffer.drain(..start);
            self.offset += start as u64;
            let offset = self.offset;
            // Read at least a block more; twice the pending bytes when one record is
            // longer than that, so re-parsing it stays linear overall. Never more than
            // a block past MAX_PENDING, where a record goes to the record-by-record
            // reader anyway: the buffer then holds at most that much.
            let most = MAX_PENDING.max(self.block) + self.block;
            let target = (buffer.len() + self.block.max(buffer.len())).min(most);
            let (eof, error) = match fill(input, &mut buffer, target) {
                Ok(eof) => (eof, None),
                Err(e) => (false, Some(e)),
            };
            let stop = self.stop.map_or(usize::MAX, |stop| {
                usize::try_from(stop.saturating_sub(offset)).unwrap_or(usize::MAX)
            });
            let (done, too_wide) = match self.region(&buffer, eof, stop, sink) {
                Progress::UpTo(done) => (done, false),
                Progress::TooWide(done) => (done, true),
            };
            start = done;
            if let Some(e) = error {
                return Err(ReadError::Io(e));
            }
            if too_wide {
                buffer.drain(..start);
                return Ok(Ended::Pending(buffer));
            }
            let end = offset + done as u64;
            // Once the header is read, `done` reaching `stop` means every record that
            // starts before it is read.
            if eof || (self.row > 0 && self.stop.is_some_and(|stop| end >= stop)) {
                return Ok(Ended::At(end));
            }
            if buffer.len() - start > MAX_PENDING.max(self.block) {
                buffer.drain(..start);
                return Ok(Ended::Pending(buffer));
            }
        }
    }

    /// Handles every complete record of `buffer` (all of it at `eof`) that starts before
    /// `stop`, each whole, and the header when it is not read yet.
    fn region(&mut self, buffer: &[u8], eof: bool, stop: usize, sink: &mut Sink<'_>) -> Progress {
        let limit = if eof {
            buffer.len()
        } else {
            match memchr::memrchr2(b'\n', b'\r', buffer) {
                Some(last) => last + 1,
                None => return Progress::UpTo(0),
            }
        };
        let mut cursor = 0;
        if self.row == 0 {
            match self.parse_record(&buffer[cursor..], eof) {
                Parsed::Record(used) => {
                    let headers = column_names(self.record.iter(), &self.limit);
                    self.set_headers(headers);
                    let layout = header_layout(buffer, self.delimiter, eof);
                    header_units(self.record.iter(), layout.as_deref(), &mut self.limit, sink);
                    self.row = 1;
                    cursor += used;
                }
                Parsed::Incomplete => return Progress::UpTo(cursor),
                Parsed::TooWide => return Progress::TooWide(cursor),
            }
        }
        while cursor < limit && cursor < stop {
            // Quotes change what cells hold; records without any are cut by bytes alone.
            let quote = memchr::memchr(b'"', &buffer[cursor..limit]).map(|at| cursor + at);
            let plain_end = match quote {
                Some(q) => memchr::memrchr2(b'\n', b'\r', &buffer[cursor..q])
                    .map_or(cursor, |at| cursor + at + 1),
                None => limit,
            };
            // Of these quote-free records, those that start before `stop`.
            let plain_end = if stop < plain_end {
                memchr::memchr2(b'\n', b'\r', &buffer[stop - 1..plain_end])
                    .map_or(plain_end, |at| stop + at)
            } else {
                plain_end
            };
            self.plain(buffer, cursor..plain_end, sink);
            cursor = plain_end;
            if quote.is_none() || cursor >= stop {
                break;
            }
            match self.quoted_record(buffer, cursor, eof, sink) {
                Parsed::Record(used) => cursor += used,
                Parsed::Incomplete => return Progress::UpTo(cursor),
                Parsed::TooWide => return Progress::TooWide(cursor),
            }
        }
        Progress::UpTo(cursor.min(buffer.len()))
    }

    /// Parses the record starting at `bytes[0]` (leading blank lines skipped, as the csv
    /// crate does) into `self.record`.
    fn parse_record(&mut self, bytes: &[u8], eof: bool) -> Parsed {
        use csv_core::ReadRecordResult;
        self.core.reset();
        let (mut used, mut out, mut ends) = (0, 0, 0);
        loop {
            // csv-core reads an empty input as the end of the data.
            let input = &bytes[used..];
            let (result, nin, nout, nend) = self.core.read_record(
                input,
                &mut self.record.fields[out..],
                &mut self.record.ends[ends..],
            );
            used += nin;
            out += nout;
            ends += nend;
            match result {
                ReadRecordResult::InputEmpty if !eof || input.is_empty() => {
                    return Parsed::Incomplete
                }
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    // Fields are never longer than the bytes they are parsed from: no
                    // more room than those (and a byte, to be sure of progress).
                    let len = self.record.fields.len();
                    let most = (bytes.len() + 1).max(len + 1);
                    self.record.fields.resize((len * 2).min(most), 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let len = self.record.ends.len();
                    if len >= MAX_FIELDS {
                        return Parsed::TooWide;
                    }
                    self.record.ends.resize((len * 2).min(MAX_FIELDS), 0);
                }
                ReadRecordResult::Record => {
                    self.record.len = ends;
                    return Parsed::Record(used);
                }
                ReadRecordResult::End => return Parsed::Incomplete,
            }
        }
    }

    /// Parses and judges, cell by cell, the record at `buffer[at..]`, which holds a
    /// quote: the bytes used (at `eof`, all that is left when only blank lines were),
    /// unless it is incomplete or too wide.
    ///
    /// A cell written in quotes is judged whole, as `csv-core` gives it: its bytes in
    /// the buffer are not the cell's, and may hold separators. A cell written without
    /// them is the bytes between its separators, as in quote-free records, so a walk of
    /// the filter over the record's bytes judges those as [`Filtered::plain`] does:
    /// only where the walk saw a possible match, or in a named column. (A table whose
    /// notes column is quoted now and then has most of each such record's cells
    /// judged by the walk, not one by one.)
    fn quoted_record(
        &mut self,
        buffer: &[u8],
        at: usize,
        eof: bool,
        sink: &mut Sink<'_>,
    ) -> Parsed {
        let used = match self.parse_record(&buffer[at..], eof) {
            Parsed::Record(used) => used,
            Parsed::Incomplete if eof => return Parsed::Record(buffer.len() - at),
            other => return other,
        };
        self.row += 1;
        let raw = at..at + used;
        let mut ends = std::mem::take(&mut self.ends);
        let walked = unquoted_fields(
            buffer,
            raw.clone(),
            self.delimiter,
            &self.record,
            &mut self.unquoted,
        ) && self.filter.find(buffer, raw, &mut ends).is_ok();
        if walked {
            self.walked_record(buffer, &ends, sink);
        } else {
            record_units(
                self.record.iter(),
                self.row,
                &self.headers,
                &mut self.limit,
                sink,
            );
        }
        self.ends = ends;
        Parsed::Record(used)
    }

    /// Judges the fields of the record just parsed, laid out in `buffer` as
    /// `self.unquoted` says, those written without quotes where `ends` (the walk over
    /// the record's bytes) saw a possible match or in a named column.
    fn walked_record(&mut self, buffer: &[u8], ends: &BlockHits, sink: &mut Sink<'_>) {
        let mut index = 0;
        let mut skipped = false;
        let unquoted = std::mem::take(&mut self.unquoted);
        let record = std::mem::take(&mut self.record);
        for (column, (field, written)) in record.iter().zip(&unquoted).enumerate() {
            if !self.limit.admits(field.len()) {
                continue;
            }
            let Some(cell) = written else {
                cell_unit(field, self.row, column, &self.headers, sink);
                continue;
            };
            self.mask.clear();
            // The walk's entries of the fields before this one, quoted ones included,
            // are passed over; those that end in this cell (or right after it) are its.
            while index < ends.len() && ends.end(index) <= cell.end {
                if ends.end(index) > cell.start {
                    ends.narrow(index, &mut self.mask);
                }
                index += 1;
            }
            self.filter.add_named(column, &mut self.mask);
            if field.is_empty() {
                continue;
            }
            if self.mask.is_empty() || sink.count_unplaced(&self.mask, Some(field)) {
                skipped = true;
                continue;
            }
            self.hand_over(buffer, cell.clone(), self.row, column + 1, sink);
        }
        self.unquoted = unquoted;
        self.record = record;
        if skipped {
            self.note_skipped(sink);
        }
    }

    /// Counts that the data cells of quote-free `region` were seen, skipped or not:
    /// the scan of an object that fails later is PARTIAL when any unit was read
    /// before, and a cell the filter proved clean was read. A cell over the limit was
    /// not read, and is noted as such instead.
    fn note_region(&mut self, region: &[u8], sink: &mut Sink<'_>) {
        if region.len() > self.limit.max {
            if self.note_cells_over_limit(region) {
                self.note_skipped(sink);
            }
        } else if !self.skipped_any
            && region
                .iter()
                .any(|&b| b != self.delimiter && !is_terminator(b))
        {
            self.note_skipped(sink);
        }
    }

    /// Notes the cells of quote-free `region` that are over the limit (only a region
    /// longer than the limit can hold one); whether a non-empty cell is within it.
    fn note_cells_over_limit(&mut self, region: &[u8]) -> bool {
        let mut within = false;
        let mut start = 0;
        let ends = memchr::memchr3_iter(self.delimiter, b'\n', b'\r', region);
        for end in ends.chain([region.len()]) {
            let len = end - start;
            within |= len > 0 && self.limit.admits(len);
            start = end + 1;
        }
        within
    }

    /// Counts that a data cell was seen but skipped, once. The marker is an empty unit
    /// that no detector may match.
    fn note_skipped(&mut self, sink: &mut Sink<'_>) {
        if !self.skipped_any {
            self.skipped_any = true;
            sink.unit(TextUnit {
                bytes: b"",
                search: 0..0,
                place: UnitPlace::Cell {
                    row: self.row + 1,
                    column: 1,
                    column_name: None,
                    sheet: None,
                },
                context: UnitContext::None,
                only: Some(&self.nothing),
                span: None,
                member: None,
            });
        }
    }

    /// Complete records without quotes, `range` starting and ending on record
    /// boundaries: one walk of the filter finds the cells where matches end (and of
    /// which detectors); each is cut out around its last match end and handed over
    /// with the detectors of all of them. So is every non-empty cell of the columns
    /// whose names the filter leaves to the reader ([`Filtered::named_columns`]), in
    /// the same pass, in buffer order. The rest is only counted.
    fn plain(&mut self, buffer: &[u8], range: Range<usize>, sink: &mut Sink<'_>) {
        if range.is_empty() {
            return;
        }
        self.note_region(&buffer[range.clone()], sink);
        let haystack = &buffer[..range.end];
        let delimiter = self.delimiter;
        let lines = Lines::of(&haystack[range.clone()]);
        let separators = lines.separators(delimiter);
        let mut ends = std::mem::take(&mut self.ends);
        if self
            .filter
            .find(haystack, range.clone(), &mut ends)
            .is_err()
        {
            // The lazy DFA gave up: judge every cell of the region.
            self.ends = ends;
            self.cells_from(haystack, range.start, lines, sink);
            return;
        }
        // Where the rows and columns of the cells handed over are counted from: the
        // last cell placed.
        let mut place = Place::new(range.start);
        // Where the search for the next cell of a named column goes on from: the last
        // one, placed or only counted.
        let mut seek = place;
        let mut index = 0;
        // The next cell of each kind not handled yet, found when needed: where the walk
        // saw a match, and of a named column. Each stays valid while cells before it
        // are handled.
        let mut hit: Option<Range<usize>> = None;
        let mut named: Option<NamedCell> = None;
        let mut named_left = !self.named_columns.is_empty();
        // Where no cell can be over the limit, a cell the walk saw one match of each
        // detector in, and whose judging would only add to counts, is counted where the
        // walk saw it, not even cut out: once a table's e-mail addresses fill their
        // list of occurrences, the rest of that column costs the walk alone. (The walk
        // reports one entry per cell here.)
        let count_uncut = range.len() <= self.limit.max;
        loop {
            if count_uncut && hit.is_none() {
                while index < ends.len() {
                    self.mask.clear();
                    ends.narrow(index, &mut self.mask);
                    if !sink.count_unplaced(&self.mask, None) {
                        break;
                    }
                    debug_assert!(
                        index + 1 >= ends.len()
                            || haystack[ends.end(index)..ends.end(index + 1) - 1]
                                .iter()
                                .any(|&b| b == delimiter || is_terminator(b)),
                        "one walk entry per cell"
                    );
                    index += 1;
                }
            }
            if hit.is_none() && index < ends.len() {
                // Every cell before either cursor has been handled or proven clean.
                let at = place.scanned.max(seek.scanned);
                let end = ends.end(index);
                // A match is never empty and never holds a separator: the byte before
                // its end is inside the cell it was found in.
                let cell_start = short::last_separator(&haystack[at..end - 1], separators)
                    .map_or(at, |i| at + i + 1);
                let cell_end = short::first_separator(&haystack[end..], separators)
                    .map_or(range.end, |i| end + i);
                hit = Some(cell_start..cell_end);
            }
            if named.is_none() && named_left {
                named =
                    next_named_cell(haystack, &seek, range.end, separators, &self.named_columns);
                named_left = named.is_some();
            }
            self.mask.clear();
            let (cell, in_named) = match (hit.take(), named.take()) {
                (None, None) => break,
                (Some(h), Some(n)) if n.cell.start < h.start => {
                    hit = Some(h);
                    (n.cell.clone(), Some(n))
                }
                (None, Some(n)) => (n.cell.clone(), Some(n)),
                (Some(h), n) => {
                    while index < ends.len() && ends.end(index) <= h.end {
                        ends.narrow(index, &mut self.mask);
                        index += 1;
                    }
                    match n {
                        // The same cell: placed from what the search for it found.
                        Some(n) if n.cell == h => (h, Some(n)),
                        n => {
                            named = n;
                            (h, None)
                        }
                    }
                }
            };
            if let Some(n) = &in_named {
                seek = n.after();
            }
            if !self.limit.admits(cell.len()) {
                continue;
            }
            // Those the column's name names, which the walk left to the reader.
            if let Some(n) = &in_named {
                self.filter.add_named(n.column - 1, &mut self.mask);
            }
            if self.mask.is_empty()
                || sink.count_unplaced(&self.mask, Some(&haystack[cell.clone()]))
            {
                continue;
            }
            self.row += match &in_named {
                Some(n) => place.jump(haystack, n, lines),
                None => place.advance(haystack, cell.clone(), delimiter, lines),
            };
            self.hand_over(haystack, cell, self.row + 1, place.column, sink);
        }
        self.ends = ends;
        self.row += lines.records(&haystack[place.counted()..range.end]);
    }

    /// Hands the cell at `cell`, at 1-based `row` and `column`, to the sink with the
    /// detectors in `self.mask`.
    fn hand_over(
        &mut self,
        haystack: &[u8],
        cell: Range<usize>,
        row: u64,
        column: usize,
        sink: &mut Sink<'_>,
    ) {
        let column_name = column_name_at(&self.headers, column - 1);
        let span = self.offset + cell.start as u64..self.offset + cell.end as u64;
        sink.unit(TextUnit {
            bytes: &haystack[cell.clone()],
            search: 0..cell.len(),
            place: UnitPlace::Cell {
                row,
                column: column as u64,
                column_name,
                sheet: None,
            },
            context: column_name.map_or(UnitContext::None, UnitContext::Column),
            only: Some(&self.mask),
            span: Some(span),
            member: None,
        });
    }

    /// Judges, whole, every non-empty cell of the quote-free complete records of
    /// `haystack` from `from` (a record boundary, where rows are counted up to) to its
    /// end.
    fn cells_from(&mut self, haystack: &[u8], from: usize, lines: Lines, sink: &mut Sink<'_>) {
        let delimiter = self.delimiter;
        let mut record = from;
        let mut column = 1;
        let mut at = from;
        while at < haystack.len() {
            let end = short::first_separator(&haystack[at..], lines.separators(delimiter))
                .map_or(haystack.len(), |i| at + i);
            if end > at && self.limit.admits(end - at) {
                let column_name = column_name_at(&self.headers, column - 1);
                let span = self.offset + at as u64..self.offset + end as u64;
                let unit = TextUnit::whole(
                    &haystack[at..end],
                    UnitPlace::Cell {
                        row: self.row + 1,
                        column: column as u64,
                        column_name,
                        sheet: None,
                    },
                    column_name.map_or(UnitContext::None, UnitContext::Column),
                );
                sink.unit(unit.at(span));
            }
            if haystack.get(end) == Some(&delimiter) {
                column += 1;
                at = end + 1;
                continue;
            }
            // The end of a record: its row is counted, then the next record's first cell.
            let next = haystack[end..]
                .iter()
                .position(|&b| !is_terminator(b))
                .map_or(haystack.len(), |i| end + i);
            self.row += lines.records(&haystack[record..next]);
            record = next;
            column = 1;
            at = next;
        }
    }
}

/// Sets `layout` to where each field of the record at `buffer[raw]` (parsed into
/// `record`) is written without quotes, `None` for a field written in quotes; false
/// when the bytes do not lay out `record`'s fields that way, which only a record
/// `csv-core` reads in some other way than this could (the caller then judges its
/// cells as parsed).
///
/// A field is quoted when its first byte is a quote; it runs to its closing quote (a
/// doubled quote is one inside it) and on to the next separator, as `csv-core` reads
/// it. Any other field is the bytes up to the next delimiter or line break, quotes
/// included, which is checked against what `csv-core` parsed.
fn unquoted_fields(
    buffer: &[u8],
    raw: Range<usize>,
    delimiter: u8,
    record: &Record,
    layout: &mut Vec<Option<Range<usize>>>,
) -> bool {
    layout.clear();
    let bytes = &buffer[..raw.end];
    let next_separator = |from: usize| {
        memchr::memchr3(delimiter, b'\n', b'\r', &bytes[from..]).map_or(bytes.len(), |i| from + i)
    };
    let mut fields = record.iter();
    let mut at = raw.start;
    loop {
        let Some(field) = fields.next() else {
            return false;
        };
        if bytes.get(at) == Some(&b'"') {
            let mut quote = at + 1;
            loop {
                let Some(next) = memchr::memchr(b'"', &bytes[quote..]) else {
                    return false;
                };
                quote += next;
                if bytes.get(quote + 1) != Some(&b'"') {
                    break;
                }
                quote += 2;
            }
            at = next_separator(quote + 1);
            layout.push(None);
        } else {
            let end = next_separator(at);
            if &bytes[at..end] != field {
                return false;
            }
            layout.push(Some(at..end));
            at = end;
        }
        if bytes.get(at) != Some(&delimiter) {
            break;
        }
        at += 1;
    }
    fields.next().is_none() && bytes[at..].iter().all(|&b| is_terminator(b))
}

/// A cell of a named column, as [`next_named_cell`] found it: where it is, its 1-based
/// column and where its record starts (after the last line break before it), which
/// is all [`Place::jump`] needs to place it without searching the bytes again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NamedCell {
    cell: Range<usize>,
    column: usize,
    record: usize,
}

impl NamedCell {
    /// Where the search for the next named cell goes on from: this one, as if placed.
    fn after(&self) -> Place {
        Place {
            record: self.record,
            scanned: self.cell.end,
            column: self.column,
        }
    }
}

/// The first non-empty cell after the cell `place` was moved on to (from the region's
/// start when none) of one of `columns` (1-based, increasing), in the quote-free
/// records of `haystack` up to `end`.
fn next_named_cell(
    haystack: &[u8],
    place: &Place,
    end: usize,
    separators: Separators,
    columns: &[usize],
) -> Option<NamedCell> {
    // The start of the cell after the last placed one, its column and its record's
    // start.
    let mut record = place.record;
    let (mut at, mut column) = if place.scanned == place.record {
        (place.record, 1)
    } else {
        // A placed cell is never empty: the byte after it is its separator.
        let after = *haystack.get(place.scanned)?;
        if after == separators.delimiter {
            (place.scanned + 1, place.column + 1)
        } else {
            record = place.scanned + 1;
            (record, 1)
        }
    };
    loop {
        let Some(&target) = columns.iter().find(|&&c| c >= column) else {
            // None in this record: the next one.
            let at_break = memchr::memchr2(b'\n', b'\r', &haystack[at..end])?;
            at += at_break + 1;
            (record, column) = (at, 1);
            continue;
        };
        if target > column {
            match short::nth_delimiter(&haystack[at..end], target - column, separators) {
                Ok(i) => {
                    at += i + 1;
                    column = target;
                }
                // The record ends before that column.
                Err(Some(i)) => {
                    at += i + 1;
                    (record, column) = (at, 1);
                    continue;
                }
                Err(None) => return None,
            }
        }
        let cell_end =
            short::first_separator(&haystack[at..end], separators).map_or(end, |i| at + i);
        if cell_end > at {
            return Some(NamedCell {
                cell: at..cell_end,
                column,
                record,
            });
        }
        // An empty cell, not a unit: on past its separator.
        let &after = haystack.get(cell_end).filter(|_| cell_end < end)?;
        at = cell_end + 1;
        if after == separators.delimiter {
            column += 1;
        } else {
            (record, column) = (at, 1);
        }
    }
}

/// How records are counted in a quote-free stretch of records.
#[derive(Debug, Clone, Copy)]
enum Lines {
    /// No CR and no blank line: every record ends with one LF.
    Plain,
    /// Anything else: runs of non-terminator bytes.
    Mixed,
}

impl Lines {
    fn of(region: &[u8]) -> Lines {
        let plain = region.first() != Some(&b'\n')
            && memchr::memchr(b'\r', region).is_none()
            && memchr::memmem::find(region, b"\n\n").is_none();
        if plain {
            Lines::Plain
        } else {
            Lines::Mixed
        }
    }

    /// What ends a cell in the region: a CR only in a mixed one.
    fn separators(self, delimiter: u8) -> Separators {
        Separators {
            delimiter,
            carriage_returns: matches!(self, Lines::Mixed),
        }
    }

    /// The records in `bytes`, which start on a record boundary of the region or
    /// inside a record (which is then counted, as if `bytes` started with it).
    fn records(self, bytes: &[u8]) -> u64 {
        let Some(&last) = bytes.last() else {
            return 0;
        };
        match self {
            Lines::Plain => short::count(b'\n', bytes) as u64 + u64::from(last != b'\n'),
            Lines::Mixed => count_records(bytes),
        }
    }
}

/// Where the filtered reader's walk through quote-free records stands: the record and
/// column of the last cell it handed over. Each cell is placed from the one before, by
/// looking at the bytes between them only: cells of one record share their record's
/// start and count their columns on from the previous cell's, so a record that hands
/// over several cells is not searched from its start for each.
#[derive(Debug, Clone, Copy)]
struct Place {
    /// The start of the last placed cell's record (at first, of the region).
    record: usize,
    /// The end of the last placed cell (at first, the region's start). No line break
    /// is in `record..scanned`.
    scanned: usize,
    /// The 1-based column of the last placed cell: one more than the delimiters in
    /// `record..scanned`.
    column: usize,
}

impl Place {
    /// Before the first cell of the records that start at `start`.
    fn new(start: usize) -> Self {
        Place {
            record: start,
            scanned: start,
            column: 1,
        }
    }

    /// Where records are to be counted from ([`Lines::records`]) so that `record`'s
    /// counts once: the last byte of the last placed cell, which is inside it, rather
    /// than its start, so that the bytes before it are not gone over again. A placed
    /// cell is never empty and holds no line break.
    fn counted(&self) -> usize {
        if self.scanned > self.record {
            self.scanned - 1
        } else {
            self.record
        }
    }

    /// Moves on to the cell at `cell`, at or after `scanned`, in quote-free records
    /// counted as `lines` says; `column` becomes the cell's. Returns the records ended
    /// on the way: the cell's row is that many rows below the last placed cell's.
    fn advance(&mut self, haystack: &[u8], cell: Range<usize>, delimiter: u8, lines: Lines) -> u64 {
        let separators = lines.separators(delimiter);
        let (last_break, delimiters) =
            short::last_break(&haystack[self.scanned..cell.start], separators);
        let ended = match last_break {
            // In the same record: columns count on.
            None => {
                self.column += delimiters;
                0
            }
            Some(at) => {
                let last_break = self.scanned + at;
                let ended = lines.records(&haystack[self.counted()..=last_break]);
                self.record = last_break + 1;
                self.column = 1 + delimiters;
                ended
            }
        };
        self.scanned = cell.end;
        ended
    }

    /// Moves on to `named`, a cell at or after `scanned` whose search said where its
    /// record starts: what [`Place::advance`] does, without searching the bytes between
    /// the two cells again.
    fn jump(&mut self, haystack: &[u8], named: &NamedCell, lines: Lines) -> u64 {
        let ended = if named.record == self.record {
            0
        } else {
            lines.records(&haystack[self.counted()..named.record])
        };
        self.record = named.record;
        self.column = named.column;
        self.scanned = named.cell.end;
        ended
    }
}

fn is_terminator(byte: u8) -> bool {
    byte == b'\n' || byte == b'\r'
}

/// The number of records in quote-free `bytes` that start on a record boundary or
/// inside a record (counted then): runs of bytes between line breaks, blank lines not
/// counted (the csv crate skips them).
fn count_records(bytes: &[u8]) -> u64 {
    let Some(&last) = bytes.last() else {
        return 0;
    };
    if bytes.len() <= short::SHORT {
        // A record starts at each byte that is no line break and follows one.
        let mut records = 0;
        let mut in_record = false;
        for &byte in bytes {
            let terminator = is_terminator(byte);
            records += u64::from(!terminator && !in_record);
            in_record = !terminator;
        }
        return records;
    }
    let simple = bytes[0] != b'\n'
        && memchr::memchr(b'\r', bytes).is_none()
        && memchr::memmem::find(bytes, b"\n\n").is_none();
    if simple {
        let lines = memchr::memchr_iter(b'\n', bytes).count() as u64;
        return lines + u64::from(last != b'\n');
    }
    let mut records = 0;
    let mut run_start = 0;
    for terminator in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if terminator > run_start {
            records += 1;
        }
        run_start = terminator + 1;
    }
    records + u64::from(bytes.len() > run_start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Aggregator;
    use crate::reader::UnitSink;
    use crate::testing::{conclude, identifier_set, Rng};
    use ferret_identifiers::{IdentifierSet, Matcher};

    /// The default cell limit.
    const MAX_UNIT: usize = 16 << 20;

    /// Identifiers that stress the filter (see the file), run with every managed one;
    /// shared with the identifiers crate's differential tests.
    const IDENTIFIERS: &str = include_str!("../../../identifiers/testdata/filter-stress.toml");

    const PIECES: &[&str] = include!("../../../identifiers/testdata/filter-pieces.rs");

    /// A table of random cells made of the pieces above, some quoted.
    fn table(rng: &mut Rng, delimiter: u8, rows: usize) -> Vec<u8> {
        let mut out = Vec::new();
        if rng.below(4) == 0 {
            out.extend_from_slice(b"\n\n");
        }
        for row in 0..rows {
            let cells = 1 + rng.below(6);
            for cell in 0..cells {
                if cell > 0 {
                    out.push(delimiter);
                }
                let pieces = rng.below(4);
                let quoted = rng.below(5) == 0;
                if quoted {
                    out.push(b'"');
                }
                for _ in 0..pieces {
                    let piece = PIECES[rng.below(PIECES.len())].as_bytes();
                    if quoted && piece == b"\"" {
                        out.extend_from_slice(b"\"\"");
                    } else {
                        out.extend_from_slice(piece);
                    }
                }
                if rng.below(50) == 0 {
                    out.push(0xff);
                }
                if quoted && rng.below(10) != 0 {
                    out.push(b'"');
                }
            }
            let ending: &[u8] = match rng.below(10) {
                0 => b"\r\n",
                1 => b"\n\n",
                2 if row + 1 == rows => b"",
                _ => b"\n",
            };
            out.extend_from_slice(ending);
        }
        out
    }

    #[test]
    fn the_filtered_reader_concludes_exactly_what_the_record_reader_does() {
        let set = identifier_set(IDENTIFIERS);
        let mut rng = Rng::new(20200403);
        for case in 0..400 {
            let delimiter = if case % 3 == 0 { b'\t' } else { b',' };
            let rows = 1 + rng.below(60);
            let data = table(&mut rng, delimiter, rows);
            let filter = set
                .block_filter(delimiter)
                .expect("a filter for these identifiers");
            let expected = conclude(&set, |sink| {
                read_delimited(&data[..], delimiter, &Limits::default(), sink)
            });
            let reference = conclude(&set, |sink| {
                csv_crate_units(&data, delimiter, MAX_UNIT, sink)
            });
            assert_eq!(expected, reference, "case {case}");
            for block in [7, 64, 1 << 20] {
                let got = conclude(&set, |sink| {
                    Filtered::new(filter.clone(), delimiter, block, MAX_UNIT).run(&data[..], sink)
                });
                assert_eq!(
                    got,
                    expected,
                    "case {case}, block {block}: {:?}",
                    String::from_utf8_lossy(&data)
                );
            }
        }
    }

    const GATE_PIECES: &[&str] = include!("../../../identifiers/testdata/gate-pieces.rs");
    /// How many of [`GATE_PIECES`] come first and are formats alone, with no keyword.
    const GATE_FORMATS: usize = 8;

    /// Column names that hold keywords of identifiers that require one (managed and
    /// custom), and names that hold none.
    const COLUMN_NAMES: &[&str] = &[
        "birth_date",
        "hire date",
        "Passport No",
        "notes",
        "siret code",
        "customerSSN",
        "dl#",
        "hotel",
        "",
    ];

    /// Keyword-bound identifiers are walked only where one of their keywords is in the
    /// block, the cells of a column whose name holds one are all handed over, and a
    /// cell is handed over for them only when one is in its column's name or its
    /// block: the filtered reader still concludes what the record reader does, over
    /// tables whose cells hold those identifiers' loose formats with and without their
    /// keywords, under column names with and without them.
    #[test]
    fn keyword_gated_walks_conclude_what_the_record_reader_does() {
        let stress = identifier_set(IDENTIFIERS);
        // The managed identifiers alone for tables without keywords: no custom one
        // matching their formats has the walk report their cells anyway.
        let managed = identifier_set("");
        let mut rng = Rng::new(14);
        for case in 0..300 {
            let delimiter = if case % 3 == 0 { b'\t' } else { b',' };
            let columns = 1 + rng.below(5);
            let mut data = Vec::new();
            for column in 0..columns {
                if column > 0 {
                    data.push(delimiter);
                }
                data.extend_from_slice(COLUMN_NAMES[rng.below(COLUMN_NAMES.len())].as_bytes());
            }
            data.push(b'\n');
            // Every other table holds no keyword in its text: only the column names
            // can make its values count, cell by cell.
            let keyword_free = case % 2 == 1;
            let set = if keyword_free { &managed } else { &stress };
            for _ in 0..1 + rng.below(40) {
                // Rows mostly as wide as the header when the names alone count.
                let cells = if keyword_free && rng.below(4) != 0 {
                    columns
                } else {
                    1 + rng.below(6)
                };
                for cell in 0..cells {
                    if cell > 0 {
                        data.push(delimiter);
                    }
                    // Mostly one format a cell when there is no keyword, so that
                    // cells hold matches.
                    let pieces = if keyword_free {
                        usize::from(rng.below(6) != 0)
                    } else {
                        rng.below(4)
                    };
                    for _ in 0..pieces {
                        let pieces = if keyword_free {
                            &GATE_PIECES[..GATE_FORMATS]
                        } else if rng.below(3) == 0 {
                            PIECES
                        } else {
                            GATE_PIECES
                        };
                        let piece = pieces[rng.below(pieces.len())].as_bytes();
                        data.extend(piece.iter().filter(|&&b| b != b'\n' || rng.below(4) == 0));
                    }
                }
                data.extend_from_slice(if rng.below(8) == 0 { b"\r\n" } else { b"\n" });
            }
            let filter = set.block_filter(delimiter).expect("a filter");
            let expected = conclude(set, |sink| {
                csv_crate_units(&data, delimiter, MAX_UNIT, sink)
            });
            for block in [16, 256, 1 << 20] {
                let got = conclude(set, |sink| {
                    Filtered::new(filter.clone(), delimiter, block, MAX_UNIT).run(&data[..], sink)
                });
                assert_eq!(
                    got,
                    expected,
                    "case {case}, block {block}: {:?}",
                    String::from_utf8_lossy(&data)
                );
            }
        }
    }

    /// A column whose name holds a keyword has every cell judged, whatever the walk
    /// skips: its dates of birth count, wherever the column is and however short the
    /// rows, and the same dates elsewhere do not.
    #[test]
    fn every_cell_of_a_keyword_named_column_is_judged() {
        let set = identifier_set("");
        let data = b"hire_date,notes,birth_date,x\n\
            1990-01-02,a,1985-03-14,b\n\
            1990-01-02,,1985-03-15\n\
            1990-01-02\n\
            ,,14/03/1985,,\r\n\
            1990-01-02,a,,1985-03-16\n";
        let filter = set.block_filter(b',').expect("a filter");
        let expected = conclude(&set, |sink| csv_crate_units(data, b',', MAX_UNIT, sink));
        let got = conclude(&set, |sink| {
            Filtered::new(filter, b',', 1 << 20, MAX_UNIT).run(&data[..], sink)
        });
        assert_eq!(got, expected);
        let cells: Vec<(u64, u64)> = got
            .0
            .sensitive_data
            .iter()
            .flat_map(|category| &category.detections)
            .filter(|detection| detection.detection_type == "DATE_OF_BIRTH")
            .flat_map(|detection| &detection.occurrences.cells)
            .map(|cell| (cell.row, cell.column))
            .collect();
        assert_eq!(cells, [(2, 3), (3, 3), (5, 3)]);
    }

    /// Values the seed and managed identifiers match, near misses, and plain words.
    const VALUES: &[&str] = &[
        "529.982.247-25",
        "732 829 320-00074",
        "P-AB1234",
        "ana@example.com",
        "rafael.mouraoval@example.fr",
        "1983-06-13",
        "4111 1111 1111 1111",
        "siret 732829320-00074",
        "111.111.111-11",
        "P-AB12345",
        "Marketing",
        "Curitiba",
        "remote",
        "6eca1f4b-5ad1-4242-a805-01a44a2f043e",
        "é",
    ];

    /// A table to place cells in: a header of names with and without keywords, then
    /// records of random cells (empty, short, long with a value at either end,
    /// quoted, holding a quote or a line break), records of filler only (so that
    /// the cells handed over are far apart), and LF or CRLF endings, or a mix of
    /// those, CR and blank lines.
    fn placed_table(rng: &mut Rng, delimiter: u8) -> Vec<u8> {
        let mut out = Vec::new();
        let columns = 1 + rng.below(9);
        for column in 0..columns {
            if column > 0 {
                out.push(delimiter);
            }
            out.extend_from_slice(COLUMN_NAMES[rng.below(COLUMN_NAMES.len())].as_bytes());
        }
        out.push(b'\n');
        let filler = "filler text ".repeat(1 + rng.below(20));
        // LF alone (which the reader counts and searches as such), CRLF, or a mix with
        // CR alone and blank lines.
        let endings = rng.below(3);
        for _ in 0..1 + rng.below(80) {
            let cells = if rng.below(8) == 0 {
                columns + 1 + rng.below(3)
            } else {
                1 + rng.below(columns)
            };
            let clean = rng.below(4) == 0;
            for cell in 0..cells {
                if cell > 0 {
                    out.push(delimiter);
                }
                let value = VALUES[rng.below(VALUES.len())];
                let text = match rng.below(8) {
                    _ if clean => filler.clone(),
                    0 => String::new(),
                    1 => format!("{filler}{value}"),
                    2 => format!("{value} {filler}"),
                    3 => format!("{value}\n{value}"),
                    4 => format!("{value}\"q"),
                    _ => value.to_owned(),
                };
                if text.contains(['"', '\n']) || rng.below(10) == 0 {
                    out.push(b'"');
                    out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
                    out.push(b'"');
                } else {
                    out.extend_from_slice(text.as_bytes());
                }
            }
            let ending: &[u8] = match (endings, rng.below(6)) {
                (0, _) => b"\n",
                (1, _) => b"\r\n",
                (_, 0) => b"\n\n",
                (_, 1) => b"\r\n\r\n",
                (_, 2) => b"\r",
                (_, 3) => b"\r\n",
                _ => b"\n",
            };
            out.extend_from_slice(ending);
        }
        if rng.below(3) == 0 {
            out.pop();
        }
        out
    }

    /// A cell handed over in which a scan keeps matches: where it is, what it holds,
    /// and how many matches of which detectors.
    #[derive(Debug, PartialEq, Eq)]
    struct MatchedCell {
        row: u64,
        column: u64,
        column_name: Option<String>,
        bytes: Vec<u8>,
        kept: Vec<(usize, u64)>,
    }

    /// The cells that `read` hands over with matches kept in them, in order, and
    /// whether it read everything. A unit's span, when it has one, must hold its bytes
    /// in `data`.
    fn matched_cells(
        set: &IdentifierSet,
        data: &[u8],
        read: impl FnOnce(&mut Sink<'_>) -> Result<(), ReadError>,
    ) -> (Vec<MatchedCell>, bool) {
        let mut matcher = Matcher::new(set);
        let mut cells = Vec::new();
        let ok = read(&mut |unit: TextUnit<'_>| {
            let UnitPlace::Cell {
                row,
                column,
                column_name,
                ..
            } = unit.place
            else {
                return;
            };
            if let Some(span) = &unit.span {
                let at = usize::try_from(span.start).expect("in memory")
                    ..usize::try_from(span.end).expect("in memory");
                assert_eq!(
                    &data[at], unit.bytes,
                    "the span of row {row}, column {column}"
                );
            }
            let mut kept = Vec::new();
            matcher.count_kept(
                unit.bytes,
                unit.search.clone(),
                unit.context,
                unit.only,
                |detector, count| kept.push((detector.0, count)),
            );
            if !kept.is_empty() {
                kept.sort_unstable();
                cells.push(MatchedCell {
                    row,
                    column,
                    column_name: column_name.map(str::to_owned),
                    bytes: unit.bytes.to_vec(),
                    kept,
                });
            }
        })
        .is_ok();
        (cells, ok)
    }

    /// Cell by cell, the filtered reader places each cell with matches where the
    /// record-by-record reader does (row, column, column name) and hands over the
    /// same bytes, with the same matches kept: over tables of quoted and unquoted
    /// cells, CRLF and CR endings, blank lines, empty and long cells, records wider
    /// than the header, cells over the limit, and blocks of several sizes.
    #[test]
    fn the_filtered_reader_places_every_matched_cell_as_the_record_reader_does() {
        let set = identifier_set(IDENTIFIERS);
        let mut rng = Rng::new(0x14);
        let mut matched = 0;
        for case in 0..300 {
            let delimiter = if case % 3 == 0 { b'\t' } else { b',' };
            let data = placed_table(&mut rng, delimiter);
            let max = if case % 4 == 0 { 40 } else { MAX_UNIT };
            let limits = Limits {
                max_unit_bytes: max,
                ..Limits::default()
            };
            let filter = set.block_filter(delimiter).expect("a filter");
            let expected = matched_cells(&set, &data, |sink| {
                read_delimited(&data[..], delimiter, &limits, sink)
            });
            matched += expected.0.len();
            for block in [32, 1000, 1 << 20] {
                let got = matched_cells(&set, &data, |sink| {
                    Filtered::new(filter.clone(), delimiter, block, max).run(&data[..], sink)
                });
                assert_eq!(
                    got,
                    expected,
                    "case {case}, block {block}, limit {max}: {:?}",
                    String::from_utf8_lossy(&data)
                );
            }
        }
        assert!(matched > 5000, "{matched} matched cells only");
    }

    /// Where the block filter cannot walk a region (its lazy DFA gave up), every cell
    /// of the region is judged: each placed and cut as the record-by-record reader
    /// does, over quote-free tables of every kind of line ending.
    #[test]
    fn cells_judged_without_the_walk_are_placed_as_the_record_reader_does() {
        fn cells(sink_of: impl FnOnce(&mut Sink<'_>)) -> Vec<(u64, u64, Option<String>, Vec<u8>)> {
            let mut cells = Vec::new();
            sink_of(&mut |unit: TextUnit<'_>| {
                if let UnitPlace::Cell {
                    row,
                    column,
                    column_name,
                    ..
                } = unit.place
                {
                    let name = column_name.map(str::to_owned);
                    cells.push((row, column, name, unit.bytes.to_vec()));
                }
            });
            cells
        }
        let set = identifier_set(IDENTIFIERS);
        let mut rng = Rng::new(898);
        for case in 0..300 {
            let delimiter = if case % 3 == 0 { b'\t' } else { b',' };
            let mut data = placed_table(&mut rng, delimiter);
            data.retain(|&b| b != b'"');
            // The header is the first line (its names hold no quote or line break),
            // unless it is blank: the next line is then.
            if data.first() == Some(&b'\n') {
                continue;
            }
            let body = data.iter().position(|&b| b == b'\n').expect("a header") + 1;
            let limit = CellLimit::new(MAX_UNIT);
            let names = column_names(data[..body - 1].split(|&b| b == delimiter), &limit);
            let expected = cells(|sink| {
                read_delimited(&data[..], delimiter, &Limits::default(), sink).expect("read");
            });
            let filter = set.block_filter(delimiter).expect("a filter");
            let got = cells(|sink| {
                let mut reader = Filtered::new(filter, delimiter, BLOCK, MAX_UNIT);
                reader.set_headers(names);
                reader.row = 1;
                reader.cells_from(&data, body, Lines::of(&data[body..]), sink);
            });
            assert_eq!(
                got,
                expected,
                "case {case}: {:?}",
                String::from_utf8_lossy(&data)
            );
        }
    }

    #[test]
    fn a_read_error_keeps_what_was_read_before_it() {
        struct Failing<'a>(&'a [u8]);
        impl Read for Failing<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut"));
                }
                let n = buf.len().min(self.0.len()).min(5);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let set = identifier_set(IDENTIFIERS);
        let filter = set.block_filter(b',').expect("filter");
        for data in [
            &b""[..],
            b"a,b",
            b"a,b\n",
            b"a,b\nx,529.982.247-25\nhello",
            b"a,b\n\"x\n529.982.247-25",
            b"a,b\n,,\n",
        ] {
            let records = conclude(&set, |sink| {
                read_delimited(Failing(data), b',', &Limits::default(), sink)
            });
            let filtered = conclude(&set, |sink| {
                Filtered::new(filter.clone(), b',', 4, MAX_UNIT).run(Failing(data), sink)
            });
            let text = String::from_utf8_lossy(data);
            assert_eq!(
                (&filtered.0, filtered.2),
                (&records.0, records.2),
                "{text:?}"
            );
            // The record-by-record reader hands over each field as it ends, so of a
            // record cut by the error it has judged the fields before the cut (which
            // makes the object PARTIAL rather than SKIPPED); the filtered reader judges
            // whole records only.
            assert!(!filtered.1 || records.1, "{text:?}");
        }
    }
    /// Hands units to an aggregator, counting the cells it took without their being
    /// handed over: those the reader did not even cut out, and of those it did, the
    /// dates (a named column's cells) and the cells of several e-mail matches.
    struct Unplaced<'a, 's> {
        aggregator: &'a mut Aggregator<'s>,
        counted: Counted,
    }

    #[derive(Debug, Default, Clone, Copy)]
    struct Counted {
        uncut: usize,
        dates: usize,
        several_addresses: usize,
    }

    impl UnitSink for Unplaced<'_, '_> {
        fn unit(&mut self, unit: TextUnit<'_>) {
            self.aggregator.judge(&unit);
        }

        fn block_filter(&self, delimiter: u8) -> Option<BlockFilter> {
            self.aggregator.block_filter(delimiter)
        }

        fn count_unplaced(&mut self, only: &Narrowing, cell: Option<&[u8]>) -> bool {
            let counted = self.aggregator.count_unplaced(only, cell);
            if counted {
                let text = cell.map(String::from_utf8_lossy);
                let count = &mut self.counted;
                match text.as_deref() {
                    None => count.uncut += 1,
                    Some(date) if date.contains("1983") => count.dates += 1,
                    Some(text) if text.matches('@').count() > 1 || text.ends_with(".com.br") => {
                        count.several_addresses += 1
                    }
                    Some(_) => {}
                }
            }
            counted
        }
    }

    /// A custom identifier that keeps every match, and one that needs a keyword.
    const KEPT_ANYWHERE: &str = r#"
[[identifier]]
name = "order"
regex = '\bORD-\d{4}\b'

[[identifier]]
name = "ticket"
regex = '\bT\d{3}\b'
keywords = ["ticket"]
"#;

    /// What the notes of [`address_table`] hold besides the stress pieces.
    const NOTES: &[&str] = &[
        "ORD-1234",
        " ORD-98765 ",
        "ticket T123",
        "T456",
        "ORD-12 ORD-3456",
    ];

    /// Cells an e-mail address fills, a `birth_date` column whose every cell is handed
    /// over, and notes of the stress pieces (quotes among them) and of [`NOTES`].
    fn address_table(rng: &mut Rng, delimiter: u8, rows: usize) -> Vec<u8> {
        const ADDRESSES: &[&str] = &[
            "ana@example.com",
            "ana.tavarinho@example.com.br",
            "x@y.fr",
            "not an address",
            "bob@example.org and eve@example.org",
            "",
        ];
        const DATES: &[&str] = &["1983-06-13", "13/06/1983", "", "June 1983"];
        let d = char::from(delimiter);
        let mut out = format!("email{d}notes{d}birth_date{d}id\n").into_bytes();
        for _ in 0..rows {
            let mut row = vec![
                ADDRESSES[rng.below(ADDRESSES.len())].to_owned(),
                (0..rng.below(3))
                    .map(|_| match rng.below(3) {
                        0 => NOTES[rng.below(NOTES.len())],
                        _ => PIECES[rng.below(PIECES.len())],
                    })
                    .collect(),
                DATES[rng.below(DATES.len())].to_owned(),
                rng.below(1000).to_string(),
            ];
            row.truncate(1 + rng.below(4));
            for (index, cell) in row.iter().enumerate() {
                if index > 0 {
                    out.push(delimiter);
                }
                if cell.contains('"') {
                    out.push(b'"');
                    out.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
                    out.push(b'"');
                } else {
                    out.extend_from_slice(cell.as_bytes());
                }
            }
            out.extend_from_slice(if rng.below(8) == 0 { b"\r\n" } else { b"\n" });
        }
        out
    }

    /// Once an identifier that keeps every match (or a date of birth in a
    /// `birth_date` column) lists as many occurrences as it may, the filtered reader
    /// has the aggregator count its further cells without placing them, and those the
    /// walk saw one match in without even cutting them out: the findings (counts and
    /// the occurrences listed) are still those the record reader's cells give, at every
    /// block size.
    #[test]
    fn cells_counted_unplaced_conclude_what_the_record_reader_does() {
        // The stress set has an allow list, which could drop any match: it never lets
        // a cell go unplaced, and a set without one does.
        let kept = identifier_set(KEPT_ANYWHERE);
        let stress = identifier_set(IDENTIFIERS);
        let mut rng = Rng::new(20261207);
        let mut counted = [Counted::default(); 2];
        for case in 0..150 {
            let (which, set) = if case % 2 == 0 {
                (0, &kept)
            } else {
                (1, &stress)
            };
            let delimiter = if case % 3 == 0 { b'\t' } else { b',' };
            let rows = 1 + rng.below(80);
            let data = address_table(&mut rng, delimiter, rows);
            let listed = 1 + rng.below(4);
            let mut reference = Aggregator::new(set, listed);
            let read = csv_crate_units(&data, delimiter, MAX_UNIT, &mut |unit: TextUnit<'_>| {
                reference.judge(&unit)
            });
            assert!(read.is_ok());
            let expected = reference.finish();
            let filter = set.block_filter(delimiter).expect("a filter");
            for block in [7, 64, 1 << 20] {
                let mut aggregator = Aggregator::new(set, listed);
                let mut sink = Unplaced {
                    aggregator: &mut aggregator,
                    counted: Counted::default(),
                };
                let reader = Filtered::new(filter.clone(), delimiter, block, MAX_UNIT);
                assert!(reader.run(&data[..], &mut sink).is_ok());
                let total = &mut counted[which];
                total.uncut += sink.counted.uncut;
                total.dates += sink.counted.dates;
                total.several_addresses += sink.counted.several_addresses;
                assert_eq!(
                    aggregator.finish(),
                    expected,
                    "case {case}, block {block}: {:?}",
                    String::from_utf8_lossy(&data)
                );
            }
        }
        let [kept, stress] = counted;
        assert!(
            kept.uncut > 1000 && kept.dates > 500 && kept.several_addresses > 500,
            "only {kept:?} cells were counted unplaced"
        );
        assert_eq!(
            stress.uncut + stress.dates + stress.several_addresses,
            0,
            "with an allow list"
        );
    }

    /// Where a quoted record's fields are written without quotes: exactly the fields
    /// the csv crate reads there, byte for byte, and quoted where the record's bytes
    /// start the field with a quote, whatever follows the closing quote.
    #[test]
    fn a_quoted_records_fields_are_laid_out_as_the_csv_crate_reads_them() {
        const FIELDS: &[&str] = &[
            "",
            "a",
            "x y",
            "a\"b",
            "\"q\"",
            "\"a,b\"",
            "\"a\"\"b\"",
            "\"a\"b",
            "\"\"",
            "\"l1\nl2\"",
            "\"\"\"\"",
            "ana@example.com",
        ];
        let mut rng = Rng::new(7);
        let mut layout = Vec::new();
        for _ in 0..2000 {
            let fields: Vec<&str> = (0..1 + rng.below(5))
                .map(|_| FIELDS[rng.below(FIELDS.len())])
                .collect();
            let ending = ["\n", "\r\n", "\r", ""][rng.below(4)];
            let raw = format!("{}{ending}", fields.join(","));
            let read = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(raw.as_bytes())
                .byte_records()
                .next();
            // An empty record is a blank line, which is no record.
            let Some(Ok(record)) = read else {
                assert!(fields.iter().all(|f| f.is_empty()) && fields.len() == 1);
                continue;
            };
            let mut parsed = Record::default();
            for field in record.iter() {
                parsed.fields.extend_from_slice(field);
                parsed.ends.push(parsed.fields.len());
            }
            parsed.len = parsed.ends.len();
            let bytes = raw.as_bytes();
            assert!(
                unquoted_fields(bytes, 0..bytes.len(), b',', &parsed, &mut layout),
                "{raw:?}"
            );
            assert_eq!(layout.len(), fields.len(), "{raw:?}");
            for ((written, field), parsed) in layout.iter().zip(&fields).zip(parsed.iter()) {
                match written {
                    Some(range) => assert_eq!(&bytes[range.clone()], parsed, "{raw:?}"),
                    None => assert!(field.starts_with('"'), "{raw:?}"),
                }
            }
            // Bytes that are not the parsed record's are never laid out as it (but a
            // quoted field is taken as parsed).
            let mut other = Record::default();
            other.fields.extend_from_slice(b"zz");
            other.ends.push(2);
            other.len = 1;
            if fields.len() > 1 || !fields[0].starts_with('"') {
                assert!(
                    !unquoted_fields(bytes, 0..bytes.len(), b',', &other, &mut layout),
                    "{raw:?}"
                );
            }
        }
    }

    /// A record with a quote has its quoted cells judged whole and the others only
    /// where the walk saw a possible match, or in a named column, as quote-free
    /// records do; the findings are the record reader's.
    #[test]
    fn a_quoted_record_hands_over_its_quoted_cells_and_its_hits_only() {
        struct Handed<'s> {
            filter: BlockFilter,
            aggregator: Aggregator<'s>,
            cells: Vec<(u64, u64, bool)>,
        }
        impl UnitSink for Handed<'_> {
            fn unit(&mut self, unit: TextUnit<'_>) {
                // (Not the empty marker of cells skipped.)
                if let (UnitPlace::Cell { row, column, .. }, false) =
                    (unit.place, unit.bytes.is_empty())
                {
                    self.cells.push((row, column, unit.only.is_some()));
                }
                self.aggregator.judge(&unit);
            }
            fn block_filter(&self, _: u8) -> Option<BlockFilter> {
                Some(self.filter.clone())
            }
        }
        let set = identifier_set(IDENTIFIERS);
        let data =
            b"note,other,email,birth_date\nclean,\"x, \"\"y\"\"\",ana@example.com,1983-06-13\n";
        let mut sink = Handed {
            filter: set.block_filter(b',').expect("a filter"),
            aggregator: Aggregator::new(&set, 15),
            cells: Vec::new(),
        };
        let filter = sink.filter.clone();
        let reader = Filtered::new(filter, b',', 1 << 20, MAX_UNIT);
        assert!(reader.run(&data[..], &mut sink).is_ok());
        // The clean unquoted cell is not handed over; the quoted one is, unnarrowed.
        assert_eq!(sink.cells, [(2, 2, false), (2, 3, true), (2, 4, true)]);
        let mut reference = Aggregator::new(&set, 15);
        let read = csv_crate_units(data, b',', MAX_UNIT, &mut |unit: TextUnit<'_>| {
            reference.judge(&unit)
        });
        assert!(read.is_ok());
        assert_eq!(sink.aggregator.finish(), reference.finish());
    }

    /// The two readers with the csv crate's records as reference: the units it parses,
    /// each judged whole when within `max` bytes.
    fn csv_crate_units(
        data: &[u8],
        delimiter: u8,
        max: usize,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let mut limit = CellLimit::new(max);
        let mut headers = Vec::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(data);
        for (index, record) in reader.byte_records().enumerate() {
            let record = record.expect("in memory");
            if index == 0 {
                headers = column_names(record.iter(), &limit);
                let layout = header_layout(data, delimiter, true);
                header_units(record.iter(), layout.as_deref(), &mut limit, sink);
            } else {
                record_units(record.iter(), index as u64 + 1, &headers, &mut limit, sink);
            }
        }
        limit.outcome()
    }

    /// With a limit that many cells exceed, both readers skip exactly the cells over
    /// it, judge the others as the csv crate's records give them, and end the same way.
    #[test]
    fn cells_over_the_limit_are_skipped_alike_by_both_readers() {
        let set = identifier_set(IDENTIFIERS);
        let mut rng = Rng::new(16 << 20);
        let mut over = 0;
        for case in 0..300 {
            let delimiter = if case % 3 == 0 { b'\t' } else { b',' };
            let rows = 1 + rng.below(40);
            let data = table(&mut rng, delimiter, rows);
            let max = rng.below(40);
            let limits = Limits {
                max_unit_bytes: max,
                ..Limits::default()
            };
            let filter = set.block_filter(delimiter).expect("filter");
            let text = String::from_utf8_lossy(&data);
            let expected = conclude(&set, |sink| csv_crate_units(&data, delimiter, max, sink));
            over += usize::from(!expected.2);
            let records = conclude(&set, |sink| {
                read_delimited(&data[..], delimiter, &limits, sink)
            });
            assert_eq!(records, expected, "case {case}, limit {max}: {text:?}");
            for block in [7, 64, 1 << 20] {
                let got = conclude(&set, |sink| {
                    Filtered::new(filter.clone(), delimiter, block, max).run(&data[..], sink)
                });
                assert_eq!(
                    got, expected,
                    "case {case}, limit {max}, block {block}: {text:?}"
                );
            }
        }
        assert!(over > 100, "cells over the limit in {over} cases only");
    }

    /// A record too wide to parse in memory, and one too long to buffer, go to the
    /// record-by-record reader with the rest of the table, which is read the same.
    #[test]
    fn records_too_wide_or_too_long_for_the_buffer_are_read_field_by_field() {
        let set = identifier_set(IDENTIFIERS);
        let filter = set.block_filter(b',').expect("filter");
        let wide = format!("\"q\"{}529.982.247-25\n", ",".repeat(MAX_FIELDS + 5));
        // Two cells within the cell limit, longer than MAX_PENDING together.
        let half = "q\n".repeat(MAX_PENDING / 4 + 5);
        let long = format!("\"{half}\",\"{half}\",529.982.247-25\n");
        for record in [wide, long] {
            let data = format!("a,b\nx,529.982.247-25\n{record}y,529.982.247-25\n");
            let expected = conclude(&set, |sink| {
                read_delimited(data.as_bytes(), b',', &Limits::default(), sink)
            });
            let got = conclude(&set, |sink| {
                Filtered::new(filter.clone(), b',', BLOCK, MAX_UNIT).run(data.as_bytes(), sink)
            });
            assert_eq!(got, expected);
            assert!(got.2, "read whole");
            assert_eq!(got.0.custom.total_count, 3);
        }
    }

    #[test]
    fn columns_past_the_widest_record_held_have_no_name() {
        let mut data = "h,".repeat(MAX_FIELDS + 1);
        data.push_str("siret\n");
        data.push_str(&",".repeat(MAX_FIELDS + 1));
        data.push_str("732 829 320-00074\n");
        let mut names = Vec::new();
        read_delimited(
            data.as_bytes(),
            b',',
            &Limits::default(),
            &mut |unit: TextUnit<'_>| {
                if let UnitPlace::Cell { column_name, .. } = unit.place {
                    names.push(column_name.map(str::to_owned));
                }
            },
        )
        .expect("read");
        // The SIRET's column, past the first MAX_FIELDS, is not named "siret".
        assert_eq!(names, [None]);
    }

    #[test]
    fn records_are_counted_as_the_csv_crate_reads_them() {
        for text in [
            &b"a,b\nc,d\n"[..],
            b"a,b\nc,d",
            b"a\n\n\nb\n",
            b"a\r\nb\r\n",
            b"a\rb\r\rc",
            b"\n\na\n",
            b"",
            b"\n",
        ] {
            let expected = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text)
                .byte_records()
                .count() as u64;
            assert_eq!(
                count_records(text),
                expected,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }
}
