//! Turning byte offsets in a text unit into the 1-based lines and character columns that
//! Macie reports.

use ferret_identifiers::text::char_count;

/// A line and a column, both 1-based; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineColumn {
    pub line: u64,
    pub column: u64,
}

/// Bytes between two checkpoints of a [`LineIndex`].
const STRIDE: usize = 4096;

/// Where the lines of one unit start, sampled every `STRIDE` bytes, so that any
/// number of offsets can be located, each in time bounded by the stride.
///
/// A table of every line start would cost 8 bytes per line: 128 MiB for a 16 MiB cell
/// of line breaks. Checkpoints cost a few bytes per 4 KiB whatever the unit holds.
#[derive(Debug, Clone)]
pub struct LineIndex {
    checkpoints: Vec<Checkpoint>,
}

/// What is known at offset `k * STRIDE` of a unit.
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    /// Line breaks before the offset.
    breaks: u64,
    /// Characters between the start of the line the offset is on and the offset.
    column_chars: u64,
}

impl LineIndex {
    /// Indexes the lines of `bytes` (separated by `\n`; a `\r` before it belongs to the
    /// line it ends).
    pub fn new(bytes: &[u8]) -> LineIndex {
        let mut checkpoints = Vec::with_capacity(bytes.len() / STRIDE + 1);
        let mut at = Checkpoint {
            breaks: 0,
            column_chars: 0,
        };
        checkpoints.push(at);
        for chunk in bytes.chunks_exact(STRIDE) {
            at = match memchr::memrchr(b'\n', chunk) {
                Some(last) => Checkpoint {
                    breaks: at.breaks + memchr::memchr_iter(b'\n', chunk).count() as u64,
                    column_chars: char_count(&chunk[last + 1..]) as u64,
                },
                None => Checkpoint {
                    breaks: at.breaks,
                    column_chars: at.column_chars + char_count(chunk) as u64,
                },
            };
            checkpoints.push(at);
        }
        LineIndex { checkpoints }
    }

    /// Locates `offset` in `bytes` (the same bytes the index was built from), counting
    /// lines from `first_line`.
    pub fn locate(&self, bytes: &[u8], offset: usize, first_line: u64) -> LineColumn {
        let offset = offset.min(bytes.len());
        let index = (offset / STRIDE).min(self.checkpoints.len() - 1);
        let checkpoint = self.checkpoints[index];
        let before = &bytes[index * STRIDE..offset];
        let (breaks, column_chars) = match memchr::memrchr(b'\n', before) {
            Some(last) => (
                checkpoint.breaks + memchr::memchr_iter(b'\n', before).count() as u64,
                char_count(&before[last + 1..]) as u64,
            ),
            None => (
                checkpoint.breaks,
                checkpoint.column_chars + char_count(before) as u64,
            ),
        };
        LineColumn {
            line: first_line + breaks,
            column: column_chars + 1,
        }
    }

    /// Locates `offset` in a unit placed as text ([`crate::reader::UnitPlace::Text`]):
    /// its first line is `first_line` and starts at column `first_column`, and the file
    /// has one more character than the unit before each offset in `dropped` (ascending).
    pub fn locate_text(
        &self,
        bytes: &[u8],
        offset: usize,
        (first_line, first_column): (u64, u64),
        dropped: &[usize],
    ) -> LineColumn {
        let at = self.locate(bytes, offset, first_line);
        let shift = if at.line == first_line {
            first_column - 1
        } else {
            0
        };
        let dropped_before = if dropped.is_empty() {
            0
        } else {
            let offset = offset.min(bytes.len());
            let line_start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
            let from = dropped.partition_point(|&d| d < line_start);
            dropped
                .partition_point(|&d| d <= offset)
                .saturating_sub(from)
        };
        LineColumn {
            line: at.line,
            column: at.column + shift + dropped_before as u64,
        }
    }
}

/// Excel's column letters for a 1-based column number (1 -> A, 27 -> AA).
pub fn column_letters(mut column: u64) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let rem = ((column - 1) % 26) as u8;
        letters.push(b'A' + rem);
        column = (column - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_character_columns() {
        let text = "ab\nçé x\r\nlast";
        let bytes = text.as_bytes();
        let index = LineIndex::new(bytes);
        assert_eq!(index.locate(bytes, 0, 1), LineColumn { line: 1, column: 1 });
        assert_eq!(index.locate(bytes, 1, 1), LineColumn { line: 1, column: 2 });
        let x = text.find('x').unwrap_or_default();
        assert_eq!(index.locate(bytes, x, 1), LineColumn { line: 2, column: 4 });
        let last = text.find("last").unwrap_or_default();
        assert_eq!(
            index.locate(bytes, last, 1),
            LineColumn { line: 3, column: 1 }
        );
        assert_eq!(
            index.locate(bytes, last, 10),
            LineColumn {
                line: 12,
                column: 1
            }
        );
    }

    /// Offsets far from the start, across checkpoints, are located as a walk from the
    /// start would locate them.
    #[test]
    fn locates_offsets_across_checkpoints() {
        let mut text = Vec::new();
        for n in 0..3000 {
            match n % 7 {
                0 => text.extend_from_slice("é".repeat(n).as_bytes()),
                1 => text.push(b'\n'),
                2 => text.extend_from_slice(b"\r\n\n"),
                _ => text.extend_from_slice(b"abc"),
            }
        }
        let index = LineIndex::new(&text);
        let (mut line, mut column) = (1, 1);
        for offset in 0..=text.len() {
            if offset == text.len() || (text[offset] & 0xC0) != 0x80 {
                assert_eq!(
                    index.locate(&text, offset, 1),
                    LineColumn { line, column },
                    "{offset}"
                );
            }
            match text.get(offset) {
                Some(b'\n') => (line, column) = (line + 1, 1),
                Some(&b) if (b & 0xC0) != 0x80 => column += 1,
                _ => {}
            }
        }
    }

    #[test]
    fn text_units_count_from_their_first_column_and_add_dropped_characters() {
        // A header value `ab"c\nd"e` read from `"ab""c\nd""e"`, its `a` at line 3,
        // column 7: the file has one more quote before the value's offsets 2 and 6.
        let value = b"ab\"c\nd\"e";
        let index = LineIndex::new(value);
        let at = |offset| index.locate_text(value, offset, (3, 7), &[2, 6]);
        assert_eq!(at(0), LineColumn { line: 3, column: 7 });
        assert_eq!(at(1), LineColumn { line: 3, column: 8 });
        assert_eq!(
            at(2),
            LineColumn {
                line: 3,
                column: 10
            }
        );
        assert_eq!(
            at(3),
            LineColumn {
                line: 3,
                column: 11
            }
        );
        assert_eq!(at(5), LineColumn { line: 4, column: 1 });
        assert_eq!(at(6), LineColumn { line: 4, column: 3 });
        assert_eq!(at(7), LineColumn { line: 4, column: 4 });
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(52), "AZ");
        assert_eq!(column_letters(703), "AAA");
    }
}
