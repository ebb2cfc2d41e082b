//! Turning byte offsets in a text unit into the 1-based lines and character columns that
//! Macie reports.

use ferret_identifiers::text::char_count;

/// A line and a column, both 1-based; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineColumn {
    pub line: u64,
    pub column: u64,
}

/// The line starts of one unit, so that any number of offsets can be located in
/// logarithmic time each.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `bytes` (separated by `\n`; a `\r` before it belongs to the
    /// line it ends).
    pub fn new(bytes: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        LineIndex { starts }
    }

    /// Locates `offset` in `bytes` (the same bytes the index was built from), counting
    /// lines from `first_line`.
    pub fn locate(&self, bytes: &[u8], offset: usize, first_line: u64) -> LineColumn {
        let index = self.line_of(offset);
        let start = self.starts[index];
        LineColumn {
            line: first_line + index as u64,
            column: char_count(&bytes[start..offset.min(bytes.len())]) as u64 + 1,
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
        let line_start = self.starts[self.line_of(offset)];
        let from = dropped.partition_point(|&d| d < line_start);
        let to = dropped.partition_point(|&d| d <= offset);
        let shift = if at.line == first_line {
            first_column - 1
        } else {
            0
        };
        LineColumn {
            line: at.line,
            column: at.column + shift + to.saturating_sub(from) as u64,
        }
    }

    /// The 0-based index of the line holding `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset) - 1
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
