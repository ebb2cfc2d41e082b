//! What ferret checks of the Thrift structures of a Parquet file before the `parquet`
//! crate reads them: the sizes and counts they declare, which the crate reserves whole.
//!
//! Two reservations are checked, both through ferret's [`super::BoundedFile`], which
//! the crate reads the file through:
//!
//! - a page's uncompressed size, which the crate reserves (`Vec::with_capacity`, up to
//!   2 GiB) right after parsing the page header, with no hook between the two. The
//!   crate reads every page header through [`ChunkReader::get_read`] at the header's
//!   offset, so that call first reads the header on its own here
//!   ([`uncompressed_size`]): a header declaring more than [`MAX_PAGE_BYTES`] fails the
//!   read, and the page is never reserved;
//! - the item counts of the footer's lists, which the crate reserves at once (a footer
//!   of a few kilobytes declaring 140 million key-value pairs reserved 6.7 GB). The
//!   crate reads the footer with [`ChunkReader::get_bytes`], where it is walked first
//!   ([`check_footer`]): every item takes at least one byte, so a list declaring more
//!   items than bytes left is a lie, refused.
//!
//! The same walk refuses a schema whose groups nest deeper than [`MAX_SCHEMA_DEPTH`]:
//! the crate builds its schema tree recursively, and a 32 KB file nesting 4,000 groups
//! (found by libFuzzer) overflowed the stack, which aborts the process.
//!
//! Both walk Thrift's compact protocol, skipping what they do not need (nested
//! structures, lists, binary statistics) wherever the writer put it. Only the crate's
//! own parse decides what is a valid structure.
//!
//! [`ChunkReader::get_read`]: parquet::file::reader::ChunkReader::get_read
//! [`ChunkReader::get_bytes`]: parquet::file::reader::ChunkReader::get_bytes

use std::io::Read;

/// The largest uncompressed page read. Writers cut pages at about 1 MiB (parquet-mr,
/// pyarrow and arrow-rs by default), and a page is larger than that only by the values
/// that overflow it; a page of this size is a hundred times the usual one and eight
/// times the largest unit ferret scans by default. A larger page stops the reading of
/// its column chunk as malformed, before anything is allocated for it.
pub(crate) const MAX_PAGE_BYTES: i64 = 128 * 1024 * 1024;

/// Nested Thrift structures walked at most; a footer nests five or six.
const MAX_DEPTH: u32 = 32;

/// How deeply a schema's groups may nest, the root included: Macie's nesting limit for
/// JSON, far beyond what a real table nests (a struct of lists of structs is four).
pub(crate) const MAX_SCHEMA_DEPTH: usize = 256;

/// The uncompressed size the page header at the start of `input` declares, or `None`
/// if the bytes there are not a page header that declares one.
pub(crate) fn uncompressed_size(input: &mut impl Read) -> Option<i64> {
    let mut compact = Compact::new(input, u64::MAX);
    let mut last_id = 0i16;
    loop {
        let header = compact.byte().ok()?;
        let kind = header & 0x0f;
        if kind == STOP {
            return None;
        }
        last_id = compact.field_id(header, last_id).ok()?;
        if last_id == 2 && kind == I32 {
            return compact.varint_signed().ok();
        }
        compact.skip(kind, 0).ok()?;
    }
}

/// Why a footer is refused before the crate reads it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Count(CountLie),
    /// The schema's groups nest deeper than [`MAX_SCHEMA_DEPTH`].
    SchemaDepth,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Count(CountLie { count, left }) => write!(
                f,
                "the footer declares a list of {count} items where {left} bytes are left"
            ),
            Refusal::SchemaDepth => write!(
                f,
                "the schema nests groups more than {MAX_SCHEMA_DEPTH} deep"
            ),
        }
    }
}

/// A list, set or map in a Thrift structure declaring more items than bytes left.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct CountLie {
    pub(crate) count: u64,
    pub(crate) left: u64,
}

/// Walks the structure that `bytes` start with (a footer's `FileMetaData`) and refuses
/// it if a list, set or map in it declares more items than bytes are left after it, or
/// if its schema nests too deep. Bytes that are not a valid structure otherwise pass:
/// the crate's parse refuses them.
pub(crate) fn check_footer(bytes: &[u8]) -> Result<(), Refusal> {
    let mut input = bytes;
    match Compact::new(&mut input, bytes.len() as u64).file_metadata() {
        Err(Stop::Refused(refusal)) => Err(refusal),
        Ok(()) | Err(Stop::Invalid) => Ok(()),
    }
}

/// The fields of `FileMetaData` that the crate reads as lists of structures by their
/// field id, whatever type the bytes declare for them: schema, row groups, key-value
/// metadata, column orders.
const FOOTER_LISTS: [i16; 4] = [SCHEMA, 4, 5, 7];

/// `FileMetaData`'s schema field, and `SchemaElement`'s count of children.
const SCHEMA: i16 = 2;
const NUM_CHILDREN: i16 = 5;

/// Why a walk stopped.
enum Stop {
    /// A count larger than the bytes left, or a schema too deep.
    Refused(Refusal),
    /// Anything else: the bytes end, a type is unknown, nesting is too deep.
    Invalid,
}

// Thrift compact protocol types.
const STOP: u8 = 0;
const BOOLEAN_TRUE: u8 = 1;
const BOOLEAN_FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;

/// A compact-protocol reader that knows how many bytes are left: `total` less those
/// read (`u64::MAX` when unknown).
struct Compact<'r, R> {
    input: &'r mut R,
    read: u64,
    total: u64,
}

impl<'r, R: Read> Compact<'r, R> {
    fn new(input: &'r mut R, total: u64) -> Self {
        Compact {
            input,
            read: 0,
            total,
        }
    }

    fn byte(&mut self) -> Result<u8, Stop> {
        let mut byte = [0];
        self.input
            .read_exact(&mut byte)
            .map_err(|_| Stop::Invalid)?;
        self.read += 1;
        Ok(byte[0])
    }

    /// A varint as the crate reads one: of any length, bits past 64 dropped.
    fn varint(&mut self) -> Result<u64, Stop> {
        let mut value = 0u64;
        let mut shift = 0u32;
        loop {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f).wrapping_shl(shift);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift = shift.saturating_add(7);
        }
    }

    /// The id of the field whose header byte is `header`, after the field `last`.
    fn field_id(&mut self, header: u8, last: i16) -> Result<i16, Stop> {
        match header >> 4 {
            0 => Ok(self.varint_signed()? as i16),
            delta => Ok(last.wrapping_add(i16::from(delta))),
        }
    }

    /// A footer's `FileMetaData`, whose list fields are read as the crate reads them.
    fn file_metadata(&mut self) -> Result<(), Stop> {
        let mut last = 0i16;
        loop {
            let header = self.byte()?;
            let kind = header & 0x0f;
            if kind == STOP {
                return Ok(());
            }
            last = self.field_id(header, last)?;
            if last == SCHEMA {
                self.schema()?;
            } else if FOOTER_LISTS.contains(&last) {
                self.list_of_structures()?;
            } else {
                self.skip(kind, 1)?;
            }
        }
    }

    /// A list header read as the crate reads it (its count an `i32`, an all-zero
    /// header an empty list), then its items as structures.
    fn list_of_structures(&mut self) -> Result<(), Stop> {
        let count = self.list_count()?;
        for _ in 0..count {
            self.skip(STRUCT, 1)?;
        }
        Ok(())
    }

    /// The item count of a list header read as the crate reads it (an `i32`, an
    /// all-zero header an empty list), checked against the bytes left.
    fn list_count(&mut self) -> Result<u64, Stop> {
        let header = self.byte()?;
        if header == 0 {
            return Ok(0);
        }
        let count = match header >> 4 {
            15 => i64::from(self.varint()? as i32),
            short => i64::from(short),
        };
        // A negative count is a reservation of nearly 2^64 items.
        self.count(u64::try_from(count).unwrap_or(u64::MAX))
    }

    /// The schema: its elements depth first, each group followed by its children
    /// (`num_children` of them), read as the list of structures the crate reads.
    fn schema(&mut self) -> Result<(), Stop> {
        let count = self.list_count()?;
        // The children still to come of each group being read, outermost first.
        let mut open: Vec<i64> = Vec::new();
        for _ in 0..count {
            let children = self.schema_element_children()?;
            if let Some(left) = open.last_mut() {
                *left -= 1;
            }
            if children > 0 {
                open.push(children);
                if open.len() > MAX_SCHEMA_DEPTH {
                    return Err(Stop::Refused(Refusal::SchemaDepth));
                }
            }
            while open.last().is_some_and(|&left| left <= 0) {
                open.pop();
            }
        }
        Ok(())
    }

    /// One `SchemaElement`'s `num_children` (field 5; 0 for a leaf).
    fn schema_element_children(&mut self) -> Result<i64, Stop> {
        let mut last = 0i16;
        let mut children = 0;
        loop {
            let header = self.byte()?;
            let kind = header & 0x0f;
            if kind == STOP {
                return Ok(children);
            }
            last = self.field_id(header, last)?;
            if last == NUM_CHILDREN && kind == I32 {
                children = self.varint_signed()?;
            } else {
                self.skip(kind, 2)?;
            }
        }
    }

    fn varint_signed(&mut self) -> Result<i64, Stop> {
        let n = self.varint()?;
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    /// A count of items, each at least a byte: refused if more than the bytes left.
    fn count(&mut self, count: u64) -> Result<u64, Stop> {
        let left = self.total.saturating_sub(self.read);
        if count > left {
            return Err(Stop::Refused(Refusal::Count(CountLie { count, left })));
        }
        Ok(count)
    }

    /// Steps over a value of compact type `kind`.
    fn skip(&mut self, kind: u8, depth: u32) -> Result<(), Stop> {
        if depth > MAX_DEPTH {
            return Err(Stop::Invalid);
        }
        match kind {
            BOOLEAN_TRUE | BOOLEAN_FALSE => {}
            BYTE => {
                self.byte()?;
            }
            I16 | I32 | I64 => {
                self.varint()?;
            }
            DOUBLE => {
                for _ in 0..8 {
                    self.byte()?;
                }
            }
            BINARY => {
                let len = self.varint()?;
                let skipped =
                    std::io::copy(&mut (&mut *self.input).take(len), &mut std::io::sink())
                        .map_err(|_| Stop::Invalid)?;
                self.read += skipped;
                if skipped != len {
                    return Err(Stop::Invalid);
                }
            }
            LIST | SET => {
                let header = self.byte()?;
                let count = match header >> 4 {
                    15 => self.varint()?,
                    short => u64::from(short),
                };
                let count = self.count(count)?;
                let element = header & 0x0f;
                for _ in 0..count {
                    // A boolean element is one byte of its own in a list.
                    if element == BOOLEAN_TRUE || element == BOOLEAN_FALSE {
                        self.byte()?;
                    } else {
                        self.skip(element, depth + 1)?;
                    }
                }
            }
            MAP => {
                let count = self.varint()?;
                let count = self.count(count)?;
                if count > 0 {
                    let types = self.byte()?;
                    for _ in 0..count {
                        self.skip(types >> 4, depth + 1)?;
                        self.skip(types & 0x0f, depth + 1)?;
                    }
                }
            }
            STRUCT => loop {
                let header = self.byte()?;
                let kind = header & 0x0f;
                if kind == STOP {
                    break;
                }
                if header >> 4 == 0 {
                    self.varint()?;
                }
                self.skip(kind, depth + 1)?;
            },
            _ => return Err(Stop::Invalid),
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn varint(mut n: u64, out: &mut Vec<u8>) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    fn zigzag(n: i64) -> u64 {
        ((n << 1) ^ (n >> 63)) as u64
    }

    /// A compact-protocol page header declaring `uncompressed` bytes: type (field 1),
    /// compressed size (3) and a data page header (5) holding statistics with binary
    /// min and max and a list, as writers put them. The uncompressed size (2) is the
    /// second field, as writers write it, or with `size_last` the last, after the
    /// nested structures, in the long field form.
    pub(crate) fn page_header(uncompressed: i64, size_last: bool) -> Vec<u8> {
        let mut out = vec![0x15, 0x00];
        if !size_last {
            out.push(0x15);
            varint(zigzag(uncompressed), &mut out);
        }
        out.push(if size_last { 0x25 } else { 0x15 });
        varint(zigzag(10), &mut out);
        out.push(0x2c);
        out.extend([0x15, 0x04]);
        out.push(0x4c);
        out.extend([0x18, 0x03, b'z', b'z', b'z']);
        out.extend([0x18, 0x01, b'a']);
        out.extend([0x19, 0x25, 0x02, 0x04]);
        out.extend([0x00, 0x00]);
        if size_last {
            out.extend([0x05, 0x04]);
            varint(zigzag(uncompressed), &mut out);
        }
        out.push(0x00);
        out
    }

    #[test]
    fn the_uncompressed_size_is_found_wherever_it_is() {
        for size_last in [false, true] {
            for size in [0, 100, 1 << 30] {
                let header = page_header(size, size_last);
                assert_eq!(
                    uncompressed_size(&mut header.as_slice()),
                    Some(size),
                    "{size_last} {size}"
                );
            }
        }
    }

    /// A footer-like structure holding a list that declares more items than bytes
    /// follow is refused; the same list with its real count passes.
    #[test]
    fn lists_declaring_more_items_than_bytes_left_are_lies() {
        // Field 5 (list of structs): header 0x19 then a long-form count.
        let mut lie = vec![0x15, 0x02, 0x39, 0xfc];
        varint(140_000_000, &mut lie);
        lie.extend([0x18, 0x01, b'k', 0x00, 0x00]);
        assert_eq!(
            check_footer(&lie),
            Err(Refusal::Count(CountLie {
                count: 140_000_000,
                left: 5
            }))
        );
        let honest = [0x15, 0x02, 0x39, 0x1c, 0x18, 0x01, b'k', 0x00, 0x00];
        assert_eq!(check_footer(&honest), Ok(()));
        assert_eq!(
            check_footer(b"\xff\xff"),
            Ok(()),
            "not a structure: the crate decides"
        );
        let header = page_header(1 << 30, true);
        assert_eq!(check_footer(&header), Ok(()));
    }

    /// A footer whose schema nests `depth` groups, each the only child of the one
    /// before, around one leaf.
    fn nested_schema(depth: u64) -> Vec<u8> {
        let mut footer = vec![0x29, 0xfc];
        varint(depth + 1, &mut footer);
        for _ in 0..depth {
            // Field 4, the name, then field 5, num_children: 1 (zigzag 2).
            footer.extend([0x48, 0x01, b'g', 0x15, 0x02, 0x00]);
        }
        footer.extend([0x48, 0x01, b'v', 0x00, 0x00]);
        footer
    }

    #[test]
    fn schemas_nesting_deeper_than_the_limit_are_refused() {
        let limit = MAX_SCHEMA_DEPTH as u64;
        assert_eq!(check_footer(&nested_schema(limit)), Ok(()));
        assert_eq!(
            check_footer(&nested_schema(limit + 1)),
            Err(Refusal::SchemaDepth)
        );
        // Siblings are not depth: a flat schema of many columns passes.
        let mut flat = vec![0x29, 0xfc];
        varint(1001, &mut flat);
        flat.extend([0x48, 0x01, b'r', 0x15, 0xd0, 0x0f, 0x00]);
        for _ in 0..1000 {
            flat.extend([0x48, 0x01, b'c', 0x00]);
        }
        flat.push(0x00);
        assert_eq!(check_footer(&flat), Ok(()));
    }

    #[test]
    fn what_is_not_a_page_header_declares_nothing() {
        assert_eq!(uncompressed_size(&mut &b""[..]), None);
        assert_eq!(uncompressed_size(&mut &b"\x00"[..]), None);
        assert_eq!(
            uncompressed_size(&mut &b"\x18\xff\xff\xff\xff\x0f"[..]),
            None
        );
        assert_eq!(uncompressed_size(&mut &[0x1c; 64][..]), None);
        let mut truncated = page_header(1 << 30, true);
        truncated.truncate(truncated.len() - 4);
        assert_eq!(uncompressed_size(&mut truncated.as_slice()), None);
    }
}
