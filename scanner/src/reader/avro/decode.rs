//! The records of one data block, decoded straight from its bytes against the
//! compiled schema: each string value is handed to the sink as a slice of the block,
//! and no value tree is built.
//!
//! Every length and count the data declares is checked against the bytes left in the
//! block before it is used: a string cannot be longer than what remains, an array or
//! map cannot have more items than remaining bytes (each item takes at least one, but
//! for types that encode in no bytes at all, which are never looped over). So decoding
//! allocates nothing the data declares, and its work is bounded by the block's size.

use super::plan::{Node, NodeId, Plan};
use super::AvroError;
use crate::reader::record_path::RecordPath;
use crate::reader::{ReadError, Sink};
use crate::Limits;

/// Decodes records, keeping the path of the value at hand.
pub(super) struct Walker<'p> {
    plan: &'p Plan,
    path: RecordPath,
    max_unit_bytes: usize,
    max_depth: usize,
    /// A value over the unit limit was met (and left unscanned).
    pub(super) too_large: bool,
}

impl<'p> Walker<'p> {
    pub(super) fn new(plan: &'p Plan, limits: &Limits) -> Self {
        Walker {
            plan,
            path: RecordPath::new(limits.max_json_depth),
            max_unit_bytes: limits.max_unit_bytes,
            max_depth: limits.max_json_depth,
            too_large: false,
        }
    }

    /// Decodes the `count` records of `block`, numbering them from `first`, and hands
    /// their text to `sink`. A schema without text is not decoded: there is nothing to
    /// find in it.
    pub(super) fn block(
        &mut self,
        block: &[u8],
        count: u64,
        first: u64,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let root = self.plan.root();
        if !self.plan.has_text(root) {
            return Ok(());
        }
        // A value that can hold text takes at least one byte.
        if count > block.len() as u64 {
            return Err(AvroError::Records {
                count,
                bytes: block.len(),
            }
            .into());
        }
        let mut cursor = Cursor { rest: block };
        for record in first..first + count {
            self.value(root, &mut cursor, record, 0, sink)?;
        }
        Ok(())
    }

    /// Decodes one value of `id` at the current path, `depth` levels into its record.
    fn value(
        &mut self,
        id: NodeId,
        cursor: &mut Cursor<'_>,
        record: u64,
        depth: usize,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let plan = self.plan;
        match plan.node(id) {
            Node::String => {
                let text = cursor.bytes("a string")?;
                self.text(record, text, true, sink);
            }
            Node::Bytes => {
                let bytes = cursor.bytes("a bytes value")?;
                self.text(record, bytes, false, sink);
            }
            Node::Fixed(width) => {
                let bytes = cursor.take(*width, "a fixed value")?;
                self.text(record, bytes, false, sink);
            }
            Node::Enum(symbols) => {
                let symbol = cursor.index(symbols.len(), "an enum symbol")?;
                self.path.emit(record, symbols[symbol].as_bytes(), sink);
            }
            Node::Union(variants) => {
                let variant = cursor.index(variants.len(), "a union branch")?;
                self.value(variants[variant], cursor, record, depth, sink)?;
            }
            Node::Record(fields) => {
                for (name, field) in fields {
                    if plan.has_text(*field) {
                        self.path.push_key(name)?;
                        self.value(*field, cursor, record, depth + 1, sink)?;
                        self.path.pop();
                    } else {
                        self.skip(*field, cursor, depth + 1)?;
                    }
                }
            }
            Node::Array(item) if plan.has_text(*item) => {
                let mut at = 0u64;
                loop {
                    let count = cursor.count(false)?;
                    if count == 0 {
                        break;
                    }
                    for _ in 0..count {
                        self.path.push_index(at)?;
                        self.value(*item, cursor, record, depth + 1, sink)?;
                        self.path.pop();
                        at += 1;
                    }
                }
            }
            Node::Map(values) if plan.has_text(*values) => loop {
                let count = cursor.count(false)?;
                if count == 0 {
                    break;
                }
                for _ in 0..count {
                    let key = cursor.bytes("a map key")?;
                    self.path.push_key(&String::from_utf8_lossy(key))?;
                    self.value(*values, cursor, record, depth + 1, sink)?;
                    self.path.pop();
                }
            },
            _ => self.skip(id, cursor, depth)?,
        }
        Ok(())
    }

    /// Steps over one value of `id`, which holds no text.
    fn skip(&self, id: NodeId, cursor: &mut Cursor<'_>, depth: usize) -> Result<(), ReadError> {
        // Recursive types nest as deep as the data says; the stack must not.
        if depth > self.max_depth {
            return Err(ReadError::JsonNesting {
                limit: self.max_depth,
            });
        }
        let plan = self.plan;
        match plan.node(id) {
            Node::Null => {}
            Node::Boolean => {
                cursor.take(1, "a boolean")?;
            }
            Node::Varint => {
                cursor.long()?;
            }
            Node::Width(width) | Node::Fixed(width) => {
                cursor.take(*width, "a fixed-width value")?;
            }
            Node::NotText | Node::String | Node::Bytes => {
                cursor.bytes("a length-prefixed value")?;
            }
            Node::Enum(symbols) => {
                cursor.index(symbols.len(), "an enum symbol")?;
            }
            Node::Union(variants) => {
                let variant = cursor.index(variants.len(), "a union branch")?;
                self.skip(variants[variant], cursor, depth + 1)?;
            }
            Node::Record(fields) => {
                for (_, field) in fields {
                    self.skip(*field, cursor, depth + 1)?;
                }
            }
            Node::Array(item) => {
                let empty = plan.is_empty(*item);
                loop {
                    let count = cursor.count(empty)?;
                    if count == 0 {
                        break;
                    }
                    if !empty {
                        for _ in 0..count {
                            self.skip(*item, cursor, depth + 1)?;
                        }
                    }
                }
            }
            Node::Map(values) => loop {
                let count = cursor.count(false)?;
                if count == 0 {
                    break;
                }
                for _ in 0..count {
                    cursor.bytes("a map key")?;
                    self.skip(*values, cursor, depth + 1)?;
                }
            },
        }
        Ok(())
    }

    /// A string (`lossy`: decoded lossily when it is not UTF-8) or a binary value (a
    /// unit only when it is UTF-8) at the current path.
    fn text(&mut self, record: u64, bytes: &[u8], lossy: bool, sink: &mut Sink<'_>) {
        let utf8 = std::str::from_utf8(bytes).is_ok();
        if !utf8 && !lossy {
            return;
        }
        if bytes.len() > self.max_unit_bytes {
            self.too_large = true;
            return;
        }
        if utf8 {
            self.path.emit(record, bytes, sink);
        } else {
            let text = String::from_utf8_lossy(bytes);
            self.path.emit(record, text.as_bytes(), sink);
        }
    }
}

/// The bytes of a block not decoded yet.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    /// The next zigzag varint.
    fn long(&mut self) -> Result<i64, AvroError> {
        let mut value = 0u64;
        for (at, byte) in self.rest.iter().take(10).enumerate() {
            value |= u64::from(byte & 0x7f) << (7 * at);
            if byte & 0x80 == 0 {
                self.rest = &self.rest[at + 1..];
                return Ok(super::header::zigzag(value));
            }
        }
        if self.rest.len() < 10 {
            Err(AvroError::Overrun {
                what: "a variable-length integer",
                length: self.rest.len() as u64 + 1,
                left: self.rest.len(),
            })
        } else {
            Err(AvroError::LongTooLong)
        }
    }

    /// The next `length` bytes.
    fn take(&mut self, length: usize, what: &'static str) -> Result<&'a [u8], AvroError> {
        if length > self.rest.len() {
            return Err(AvroError::Overrun {
                what,
                length: length as u64,
                left: self.rest.len(),
            });
        }
        let (taken, rest) = self.rest.split_at(length);
        self.rest = rest;
        Ok(taken)
    }

    /// A length and that many bytes.
    fn bytes(&mut self, what: &'static str) -> Result<&'a [u8], AvroError> {
        let length = self.long()?;
        let length = u64::try_from(length).map_err(|_| AvroError::BadLength { what, length })?;
        self.take(usize::try_from(length).unwrap_or(usize::MAX), what)
    }

    /// An index (an enum symbol's, a union branch's) below `len`.
    fn index(&mut self, len: usize, what: &'static str) -> Result<usize, AvroError> {
        let index = self.long()?;
        usize::try_from(index)
            .ok()
            .filter(|i| *i < len)
            .ok_or(AvroError::BadIndex { what, index, len })
    }

    /// The item count of an array's or map's next block (0: the last). A negative
    /// count is followed by the block's byte size, which is read and ignored. Items
    /// take at least a byte each unless they are `empty`, so a count larger than the
    /// bytes left is a lie, refused before anything is looped over.
    fn count(&mut self, empty: bool) -> Result<u64, AvroError> {
        let count = self.long()?;
        if count < 0 {
            self.long()?;
        }
        let count = count.unsigned_abs();
        if !empty && count > self.rest.len() as u64 {
            return Err(AvroError::Items {
                count,
                left: self.rest.len(),
            });
        }
        Ok(count)
    }
}
