//! Where the fields of a CSV/TSV header sit in the file's own text.
//!
//! What a header holds is reported as line ranges (docs/formats.md), so its
//! matches are located by the file's lines and characters, not by the parsed values:
//! a quoted field starts one character after its quote, may span lines, and its value
//! lacks characters the file has (one quote of each `""` pair, a closing quote followed
//! by more text). This module walks the header's raw bytes with `csv-core`'s rules
//! (quotes open a field only at its start, `""` inside quotes is one quote, blank lines
//! before the first record are skipped) and records, per field, where its value starts
//! and where it drops a character.

/// Where one header field's value sits in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldLayout {
    /// 1-based line of the value's first character.
    pub line: u64,
    /// 1-based character column of the value's first character.
    pub column: u64,
    /// Offsets in the value before which the file has one more character that the
    /// value lacks, in ascending order.
    pub dropped: Vec<usize>,
}

/// Headers with more fields than this are placed without a layout: a header of
/// millions of empty cells must not cost a layout each.
pub const MAX_LAID_OUT_FIELDS: usize = 1 << 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field: a quote here opens a quoted field.
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: a second quote makes it a literal quote.
    QuoteInQuoted,
}

/// The layout of each field of the first record of `raw`, the file's text from its first
/// byte (a byte-order mark is skipped) through at least the end of that record, or the
/// whole file when `whole` is set. Returns `None` when `raw` ends before the record does
/// and is not the whole file, or holds no record, or more than [`MAX_LAID_OUT_FIELDS`]
/// fields.
pub fn header_layout(raw: &[u8], delimiter: u8, whole: bool) -> Option<Vec<FieldLayout>> {
    // A byte-order mark is no character of the text.
    let bom = if raw.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut line = 1_u64;
    // Characters of the current line before `at`.
    let mut chars = 0_u64;
    let mut at = bom;
    // Blank lines before the first record are no record at all.
    while at < raw.len() && matches!(raw[at], b'\n' | b'\r') {
        if raw[at] == b'\n' {
            line += 1;
            chars = 0;
        } else {
            chars += 1;
        }
        at += 1;
    }
    let record_start = at;
    let mut fields = Vec::new();
    let mut field = FieldLayout {
        line,
        column: chars + 1,
        dropped: Vec::new(),
    };
    // Bytes of the current field's value so far.
    let mut value_len = 0;
    let mut state = State::FieldStart;
    while at < raw.len() {
        let byte = raw[at];
        let ends_record = matches!(byte, b'\n' | b'\r');
        match state {
            State::FieldStart | State::Unquoted | State::QuoteInQuoted
                if byte == delimiter || ends_record =>
            {
                fields.push(std::mem::take(&mut field));
                if ends_record {
                    return Some(fields);
                }
                if fields.len() >= MAX_LAID_OUT_FIELDS {
                    return None;
                }
                state = State::FieldStart;
                value_len = 0;
                field.line = line;
                // The delimiter is one character.
                field.column = chars + 2;
            }
            State::FieldStart if byte == b'"' => {
                state = State::Quoted;
                field.column += 1;
            }
            State::FieldStart | State::Unquoted => {
                state = State::Unquoted;
                value_len += 1;
            }
            State::Quoted if byte == b'"' => state = State::QuoteInQuoted,
            State::Quoted => value_len += 1,
            State::QuoteInQuoted => {
                // Either the second quote of a pair (one quote in the value) or text
                // after a closing quote, which csv-core keeps as an unquoted field's.
                field.dropped.push(value_len);
                value_len += 1;
                state = if byte == b'"' {
                    State::Quoted
                } else {
                    State::Unquoted
                };
            }
        }
        if byte == b'\n' {
            line += 1;
            chars = 0;
        } else if byte & 0xC0 != 0x80 {
            chars += 1;
        }
        at += 1;
    }
    // The text ends inside the record: its end when `raw` is the whole file (csv-core
    // ends an unclosed quoted field there too).
    if whole && raw.len() > record_start {
        fields.push(field);
        return Some(fields);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(raw: &str) -> Vec<(u64, u64, Vec<usize>)> {
        header_layout(raw.as_bytes(), b',', false)
            .expect("a complete record")
            .into_iter()
            .map(|f| (f.line, f.column, f.dropped))
            .collect()
    }

    #[test]
    fn unquoted_fields_start_after_each_delimiter() {
        assert_eq!(
            layout("nom,numéro,x\n1,2,3\n"),
            [(1, 1, vec![]), (1, 5, vec![]), (1, 12, vec![])]
        );
    }

    #[test]
    fn quoted_values_start_after_their_quote() {
        assert_eq!(
            layout("\"nom\",\"EMP-17002 col\"\n"),
            [(1, 2, vec![]), (1, 8, vec![])]
        );
    }

    #[test]
    fn quoted_fields_may_span_lines() {
        assert_eq!(
            layout("\"a\nb\",EMP-25001\r\nx,y\r\n"),
            [(1, 2, vec![]), (2, 4, vec![])]
        );
    }

    #[test]
    fn doubled_quotes_and_text_after_a_closing_quote_drop_one_character() {
        // "x""y" is x"y: the file has one more quote before the value's quote.
        assert_eq!(layout("\"x\"\"y\",b\n"), [(1, 2, vec![1]), (1, 8, vec![])]);
        // "ab"cd is abcd: the closing quote is missing before offset 2.
        assert_eq!(layout("\"ab\"cd,e\n"), [(1, 2, vec![2]), (1, 8, vec![])]);
        // A quote inside an unquoted field is text.
        assert_eq!(layout("a\"b,c\n"), [(1, 1, vec![]), (1, 5, vec![])]);
    }

    #[test]
    fn blank_lines_before_the_header_are_counted_as_lines() {
        assert_eq!(layout("\n\r\nnom,cpf\n"), [(3, 1, vec![]), (3, 5, vec![])]);
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let fields = header_layout(b"\xEF\xBB\xBFnom,cpf\n", b',', false).expect("complete");
        let starts: Vec<_> = fields.iter().map(|f| (f.line, f.column)).collect();
        assert_eq!(starts, [(1, 1), (1, 5)]);
    }

    #[test]
    fn tab_separated_and_empty_fields() {
        let fields = header_layout(b"a\t\t\"c\"\n", b'\t', false).expect("complete");
        let starts: Vec<_> = fields.iter().map(|f| (f.line, f.column)).collect();
        assert_eq!(starts, [(1, 1), (1, 3), (1, 5)]);
    }

    #[test]
    fn a_record_cut_short_has_no_layout_unless_the_file_ends_there() {
        assert_eq!(header_layout(b"nom,\"cp", b',', false), None);
        assert_eq!(header_layout(b"nom,cpf", b',', false), None);
        let whole = header_layout(b"nom,cpf", b',', true).expect("the file's one record");
        assert_eq!(whole.len(), 2);
        assert_eq!((whole[1].line, whole[1].column), (1, 5));
        assert_eq!(header_layout(b"\n\n", b',', true), None);
        assert_eq!(header_layout(b"", b',', true), None);
    }
}
