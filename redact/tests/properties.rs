//! Property tests over generated objects of every format `ferret redact` rewrites.
//!
//! Each generator writes an object from pieces it keeps track of (cells and how each
//! is quoted, JSON strings and how each character is escaped), so the exact expected
//! copy can be built independently: the same pieces, with each unit's kept matches
//! (found by the identifier set itself, leftmost then longest) rewritten and encoded
//! the way the format needs. The tests then check that:
//! - the copy is exactly that (every byte outside the matches unchanged);
//! - it parses with the format's reference parser (`csv`, `serde_json`, the `parquet`
//!   crate's row reader) to the rewritten values;
//! - the scanner, run over the original, counts what the rewriter says it rewrote, and
//!   run over the copy, finds nothing.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use ferret_identifiers::{
    DetectorId, IdentifierFile, IdentifierSet, ManagedSelection, UnitContext,
};
use ferret_redact::{Key, Policy, RedactError, Redacted, Redactor};
use ferret_scanner::object::Input;
use ferret_scanner::reader::column_name;
use ferret_scanner::{scan_object, Limits, ObjectMeta, ScanOptions};

const IDENTIFIERS: &str = r#"
[[identifier]]
name = "EMP"
regex = 'EMP-\d{5}'

[[identifier]]
name = "EMP long"
regex = 'EMP-\d{5}-\d{2}'

[[identifier]]
name = 'Badge, "quoted"'
regex = 'B\d{4}'
keywords = ["badge"]
maximum_match_distance = 20

[redaction]
default = { with = "replace" }

[[redaction.rule]]
identifiers = ["EMAIL_ADDRESS"]
with = "hash"

[[redaction.rule]]
identifiers = ["EMP long"]
with = "mask"
keep_last = 2
"#;

/// Text pieces: values, their neighbours, separators and characters that need
/// quoting or escaping.
const PIECES: &[&str] = &[
    "EMP-12345",
    "EMP-12345-67",
    "badge B1234",
    "B1234",
    "jean.dupont@example.com",
    "x",
    " ",
    ",",
    "\t",
    "\"",
    "\n",
    "\r\n",
    "é",
    "日本",
    "🦀",
    "\\",
    "/",
    "EMP-",
    "123",
    "\u{1}",
];

struct Fixture {
    set: IdentifierSet,
    policy: Policy,
}

fn fixture() -> Fixture {
    let file = IdentifierFile::parse(Path::new("ids.toml"), IDENTIFIERS).expect("identifiers");
    let managed = ManagedSelection::parse("EMAIL_ADDRESS").expect("managed");
    let set = IdentifierSet::new(&file, &managed).expect("set");
    let key = Key::new(b"test key".to_vec());
    let policy = Policy::new(&set, &file.redaction, key).expect("policy");
    Fixture { set, policy }
}

impl Fixture {
    fn redact(&self, name: &str, input: &[u8]) -> Result<(Vec<u8>, Redacted), RedactError> {
        let redactor = Redactor::new(&self.set, &self.policy, Limits::default());
        let mut out = Vec::new();
        let redacted = redactor.redact(name, &mut Cursor::new(input), &mut out)?;
        Ok((out, redacted))
    }

    /// The value with its kept matches rewritten, as a reference: leftmost, then
    /// longest, wins; the rewritten range covers every match overlapping it.
    fn expected(
        &self,
        value: &[u8],
        context: UnitContext<'_>,
    ) -> (Vec<(usize, usize, Vec<u8>)>, u64) {
        let mut kept = Vec::new();
        self.set.scan(value, context, |c| {
            if c.is_kept() {
                kept.push((c.span.start, c.span.end, c.detector));
            }
        });
        let count = kept.len() as u64;
        kept.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut merged: Vec<(usize, usize, DetectorId)> = Vec::new();
        for (start, end, detector) in kept {
            match merged.last_mut() {
                Some(last) if start < last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end, detector)),
            }
        }
        let rewrites = merged
            .into_iter()
            .map(|(start, end, detector)| {
                let mut rendered = Vec::new();
                self.policy
                    .render(detector, &value[start..end], &mut rendered);
                (start, end, rendered)
            })
            .collect();
        (rewrites, count)
    }

    fn rewrite(&self, value: &[u8], context: UnitContext<'_>) -> (Vec<u8>, u64) {
        let (rewrites, count) = self.expected(value, context);
        let mut out = Vec::new();
        let mut at = 0;
        for (start, end, rendered) in rewrites {
            out.extend_from_slice(&value[at..start]);
            out.extend_from_slice(&rendered);
            at = end;
        }
        out.extend_from_slice(&value[at..]);
        (out, count)
    }

    /// Detections the scanner reports for `bytes` named `name`: (name, count).
    fn scanned(&self, name: &str, bytes: &[u8]) -> (String, Vec<(String, u64)>) {
        let meta = ObjectMeta::local(Path::new(name), bytes.len() as u64);
        let mut cursor = Cursor::new(bytes);
        let record = scan_object(
            &self.set,
            &meta,
            Input::Stream(&mut cursor),
            &ScanOptions::default(),
        );
        let json = serde_json::to_value(&record).expect("record");
        let result = &json["classificationDetails"]["result"];
        let mut counts = Vec::new();
        let mut collect = |detections: &serde_json::Value, field: &str| {
            for d in detections.as_array().into_iter().flatten() {
                counts.push((
                    d[field].as_str().unwrap_or("").to_owned(),
                    d["count"].as_u64().unwrap_or(0),
                ));
            }
        };
        collect(&result["customDataIdentifiers"]["detections"], "name");
        for category in result["sensitiveData"].as_array().into_iter().flatten() {
            collect(&category["detections"], "type");
        }
        counts.sort();
        (
            result["status"]["code"].as_str().unwrap_or("").to_owned(),
            counts,
        )
    }

    /// The text of every kept match in `bytes` named `name`, read as a scan reads it
    /// (the analyst's test bench).
    fn match_texts(&self, name: &str, bytes: &[u8]) -> Vec<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let report = ferret_scanner::bench::run(&self.set, &path, None).expect("bench");
        report
            .identifiers
            .into_iter()
            .flat_map(|i| i.matches.into_iter().map(|m| m.text))
            .collect()
    }

    /// The scanner over the original counts what was rewritten; over the copy, it
    /// finds none of the rewritten matches (text outside them may still form new ones,
    /// such as a token followed by the original's `@example.com`).
    fn check_rescan(&self, name: &str, original: &[u8], copy: &[u8], redacted: &Redacted) {
        let (status, mut found) = self.scanned(name, original);
        assert_eq!(status, "COMPLETE", "{name}");
        let mut counts = redacted.counts.clone();
        counts.sort();
        found.sort();
        assert_eq!(counts, found, "{name}: rewritten vs scanned");
        let (status, _) = self.scanned(name, copy);
        assert_eq!(status, "COMPLETE", "{name} copy");
        if name.ends_with(".gz") {
            return;
        }
        let before = self.match_texts(name, original);
        for text in self.match_texts(name, copy) {
            assert!(
                !before.contains(&text),
                "{name}: the copy still holds {text:?}:\n{}",
                String::from_utf8_lossy(copy)
            );
        }
    }
}

/// Text of up to `pieces` pieces. Two pieces that would run together into one word get
/// a space between them: a value glued to another (`jean@example.comB1234`) is no match
/// at all, and rewriting its neighbour may make it one, which says nothing about the
/// rewriter. Separators and quotes still touch the values.
fn random_text(rng: &mut fastrand::Rng, pieces: usize) -> String {
    let mut text = String::new();
    for _ in 0..rng.usize(..=pieces) {
        let piece = PIECES[rng.usize(..PIECES.len())];
        let wordy =
            |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "._%+-@".contains(c));
        if wordy(text.chars().last()) && wordy(piece.chars().next()) {
            text.push(' ');
        }
        text.push_str(piece);
    }
    text
}

// ---- text ---------------------------------------------------------------------------

#[test]
fn text_copies_are_the_original_with_matches_rewritten() {
    let f = fixture();
    let mut rng = fastrand::Rng::with_seed(1);
    for round in 0..400 {
        let mut text = random_text(&mut rng, 12).into_bytes();
        if round % 7 == 0 {
            text.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
        }
        let (copy, redacted) = f.redact("a.txt", &text).expect("redact");
        let body = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
        let (mut expected, _) = f.rewrite(body, UnitContext::None);
        if body.len() != text.len() {
            expected.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
        }
        assert_eq!(
            String::from_utf8_lossy(&copy),
            String::from_utf8_lossy(&expected)
        );
        f.check_rescan("a.txt", &text, &copy, &redacted);
    }
}

/// Matches right at the edges of the reader's windows (every 1 MiB) are rewritten once
/// and whole, and the rest of a large text streams through unchanged.
#[test]
fn text_matches_across_window_edges_are_rewritten_whole() {
    let f = fixture();
    let window = 1 << 20;
    let mut text = Vec::new();
    let mut rng = fastrand::Rng::with_seed(2);
    while text.len() < 3 * window + 100 {
        let next = text.len() + 1;
        let edge = (next / window + 1) * window;
        if edge - text.len() < 40 && rng.bool() {
            // Start a value a few bytes before the edge.
            while text.len() < edge - rng.usize(0..12) {
                text.push(b'.');
            }
            text.extend_from_slice(b"EMP-12345-67 badge B1234 ");
        } else {
            text.extend_from_slice(b"lorem ipsum dolor sit amet\n");
        }
    }
    let (copy, redacted) = f.redact("big.log", &text).expect("redact");
    let (expected, count) = f.rewrite(&text, UnitContext::None);
    assert!(count > 0);
    assert_eq!(copy.len(), expected.len());
    assert!(
        copy == expected,
        "the copy differs from the expected rewrite"
    );
    f.check_rescan("big.log", &text, &copy, &redacted);
}

// ---- CSV / TSV ----------------------------------------------------------------------

struct Cell {
    value: String,
    quoted: bool,
}

fn needs_quotes(value: &str, delimiter: char) -> bool {
    value.contains([delimiter, '"', '\r', '\n'])
}

fn write_cell(value: &[u8], quoted: bool, out: &mut Vec<u8>) {
    if quoted {
        out.push(b'"');
        for &b in value {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
}

fn check_table(f: &Fixture, name: &str, delimiter: char, rng: &mut fastrand::Rng) {
    let rows = rng.usize(1..6);
    let columns = rng.usize(1..4);
    let mut table: Vec<Vec<Cell>> = Vec::new();
    for _ in 0..rows {
        let mut row = Vec::new();
        for _ in 0..columns {
            let value = if rng.u8(..4) == 0 {
                ["badge", "id", "note"][rng.usize(..3)].to_owned()
            } else {
                random_text(rng, 4)
            };
            let quoted = needs_quotes(&value, delimiter) || rng.u8(..4) == 0;
            row.push(Cell { value, quoted });
        }
        // A lone empty unquoted field would be a blank line, which is no record.
        if columns == 1 && row[0].value.is_empty() {
            row[0].quoted = true;
        }
        table.push(row);
    }
    let endings: Vec<&str> = (0..rows)
        .map(|_| if rng.bool() { "\n" } else { "\r\n" })
        .collect();
    let last_ending = rng.bool();
    let serialize = |cells: &dyn Fn(usize, usize) -> (Vec<u8>, bool)| {
        let mut out = Vec::new();
        for (r, row) in table.iter().enumerate() {
            for c in 0..row.len() {
                if c > 0 {
                    out.push(delimiter as u8);
                }
                let (value, quoted) = cells(r, c);
                write_cell(&value, quoted, &mut out);
            }
            if r + 1 < rows || last_ending {
                out.extend_from_slice(endings[r].as_bytes());
            }
        }
        out
    };
    let original = serialize(&|r, c| (table[r][c].value.as_bytes().to_vec(), table[r][c].quoted));
    let headers: Vec<String> = table[0]
        .iter()
        .map(|c| column_name(c.value.as_bytes()))
        .collect();
    let rewritten = |r: usize, c: usize| {
        let cell = &table[r][c];
        let context = match r {
            0 => UnitContext::None,
            _ if headers[c].is_empty() => UnitContext::None,
            _ => UnitContext::Column(&headers[c]),
        };
        let (value, _) = f.rewrite(cell.value.as_bytes(), context);
        let quoted = cell.quoted || needs_quotes(&String::from_utf8_lossy(&value), delimiter);
        (value, quoted)
    };
    let expected = serialize(&rewritten);
    let (copy, redacted) = f.redact(name, &original).expect("redact");
    assert_eq!(
        String::from_utf8_lossy(&copy),
        String::from_utf8_lossy(&expected),
        "original:\n{}",
        String::from_utf8_lossy(&original)
    );
    // The reference parser reads the rewritten values.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(copy.as_slice());
    let parsed: Vec<Vec<Vec<u8>>> = reader
        .byte_records()
        .map(|r| r.expect("csv").iter().map(<[u8]>::to_vec).collect())
        .collect();
    let want: Vec<Vec<Vec<u8>>> = (0..rows)
        .map(|r| (0..columns).map(|c| rewritten(r, c).0).collect())
        .collect();
    assert_eq!(parsed, want);
    f.check_rescan(name, &original, &copy, &redacted);
}

#[test]
fn csv_copies_keep_every_byte_but_the_matches() {
    let f = fixture();
    let mut rng = fastrand::Rng::with_seed(3);
    for _ in 0..600 {
        check_table(&f, "t.csv", ',', &mut rng);
    }
}

#[test]
fn tsv_copies_keep_every_byte_but_the_matches() {
    let f = fixture();
    let mut rng = fastrand::Rng::with_seed(4);
    for _ in 0..300 {
        check_table(&f, "t.tsv", '\t', &mut rng);
    }
}

/// A replacement holding the delimiter and quotes (the identifier's name) makes an
/// unquoted cell quoted; the cells around it are untouched.
#[test]
fn a_cell_that_needs_quotes_after_rewriting_is_quoted() {
    let f = fixture();
    let (copy, _) = f.redact("b.csv", b"badge,x\nB1234,y\n").expect("redact");
    assert_eq!(copy, b"badge,x\n\"[Badge, \"\"quoted\"\"]\",y\n");
}

// ---- JSON / JSON Lines --------------------------------------------------------------

/// A piece of a generated document: raw JSON syntax, or a string value with the raw
/// form of each of its characters and the keys on its path.
enum Piece {
    Raw(String),
    Value {
        chars: Vec<(char, String)>,
        keys: Vec<String>,
    },
}

fn encode_char(c: char, rng: &mut fastrand::Rng) -> String {
    match c {
        '"' => "\\\"".to_owned(),
        '\\' => "\\\\".to_owned(),
        '\n' if rng.bool() => "\\n".to_owned(),
        '\r' if rng.bool() => "\\r".to_owned(),
        '\t' if rng.bool() => "\\t".to_owned(),
        '/' if rng.bool() => "\\/".to_owned(),
        c if (c as u32) < 0x20 => format!("\\u{:04x}", c as u32),
        c if rng.u8(..4) == 0 => {
            let mut units = [0; 2];
            c.encode_utf16(&mut units)
                .iter()
                .map(|u| {
                    if rng.bool() {
                        format!("\\u{u:04x}")
                    } else {
                        format!("\\u{u:04X}")
                    }
                })
                .collect()
        }
        c => c.to_string(),
    }
}

/// Whitespace between tokens; no line breaks inside a JSON Lines document.
fn whitespace(rng: &mut fastrand::Rng, lines: bool, pieces: &mut Vec<Piece>) {
    let choices: &[&str] = if lines {
        &[" ", "", "\t"]
    } else {
        &[" ", "", "\n", "\t", "  "]
    };
    let ws = choices[rng.usize(..choices.len())];
    pieces.push(Piece::Raw(ws.to_owned()));
}

fn json_string(rng: &mut fastrand::Rng, text: &str) -> Vec<(char, String)> {
    text.chars().map(|c| (c, encode_char(c, rng))).collect()
}

fn json_value(
    rng: &mut fastrand::Rng,
    depth: u32,
    lines: bool,
    keys: &mut Vec<String>,
    pieces: &mut Vec<Piece>,
) {
    match rng.u8(..if depth < 3 { 6 } else { 3 }) {
        0 => pieces.push(Piece::Raw(
            ["1", "-2.5e3", "true", "null", "0"][rng.usize(..5)].to_owned(),
        )),
        1 | 2 => {
            let text = random_text(rng, 4);
            pieces.push(Piece::Value {
                chars: json_string(rng, &text),
                keys: keys.clone(),
            });
        }
        3 => {
            pieces.push(Piece::Raw("[".to_owned()));
            for i in 0..rng.usize(..4) {
                if i > 0 {
                    pieces.push(Piece::Raw(",".to_owned()));
                }
                whitespace(rng, lines, pieces);
                json_value(rng, depth + 1, lines, keys, pieces);
            }
            pieces.push(Piece::Raw("]".to_owned()));
        }
        _ => {
            pieces.push(Piece::Raw("{".to_owned()));
            keys.push(String::new());
            for i in 0..rng.usize(..4) {
                if i > 0 {
                    pieces.push(Piece::Raw(",".to_owned()));
                }
                whitespace(rng, lines, pieces);
                let key =
                    ["id", "badge", "note", "k\\\"q", "clé", "badge\\u0020no"][rng.usize(..6)];
                let decoded: String = serde_json::from_str(&format!("\"{key}\"")).expect("key");
                pieces.push(Piece::Raw(format!("\"{key}\"")));
                pieces.push(Piece::Raw(":".to_owned()));
                whitespace(rng, lines, pieces);
                *keys.last_mut().expect("open object") = decoded;
                json_value(rng, depth + 1, lines, keys, pieces);
            }
            keys.pop();
            pieces.push(Piece::Raw("}".to_owned()));
        }
    }
}

/// The raw document, and the expected copy.
fn render_json(f: &Fixture, pieces: &[Piece]) -> (Vec<u8>, Vec<u8>) {
    let mut original = String::new();
    let mut expected = String::new();
    for piece in pieces {
        match piece {
            Piece::Raw(raw) => {
                original.push_str(raw);
                expected.push_str(raw);
            }
            Piece::Value { chars, keys } => {
                let value: String = chars.iter().map(|(c, _)| *c).collect();
                let raw: String = chars.iter().map(|(_, r)| r.as_str()).collect();
                original.push('"');
                original.push_str(&raw);
                original.push('"');
                let (rewrites, _) = f.expected(value.as_bytes(), UnitContext::JsonKeys(keys));
                // Raw offsets of each character's start, by byte offset in the value.
                let mut raw_at = std::collections::HashMap::new();
                let (mut v, mut r) = (0, 0);
                for (c, repr) in chars {
                    raw_at.insert(v, r);
                    v += c.len_utf8();
                    r += repr.len();
                }
                raw_at.insert(v, r);
                expected.push('"');
                let mut at = 0;
                for (start, end, rendered) in rewrites {
                    expected.push_str(&raw[at..raw_at[&start]]);
                    let rendered = String::from_utf8(rendered).expect("utf-8");
                    let quoted = serde_json::to_string(&rendered).expect("string");
                    expected.push_str(&quoted[1..quoted.len() - 1]);
                    at = raw_at[&end];
                }
                expected.push_str(&raw[at..]);
                expected.push('"');
            }
        }
    }
    (original.into_bytes(), expected.into_bytes())
}

#[test]
fn json_copies_keep_every_byte_but_the_matches() {
    let f = fixture();
    let mut rng = fastrand::Rng::with_seed(5);
    for _ in 0..600 {
        let mut pieces = Vec::new();
        whitespace(&mut rng, false, &mut pieces);
        json_value(&mut rng, 0, false, &mut Vec::new(), &mut pieces);
        whitespace(&mut rng, false, &mut pieces);
        let (original, expected) = render_json(&f, &pieces);
        serde_json::from_slice::<serde_json::Value>(&original).expect("generated JSON");
        let (copy, redacted) = f.redact("d.json", &original).expect("redact");
        assert_eq!(
            String::from_utf8_lossy(&copy),
            String::from_utf8_lossy(&expected),
            "original: {}",
            String::from_utf8_lossy(&original)
        );
        serde_json::from_slice::<serde_json::Value>(&copy).expect("the copy is JSON");
        f.check_rescan("d.json", &original, &copy, &redacted);
    }
}

#[test]
fn json_lines_copies_keep_every_byte_but_the_matches() {
    let f = fixture();
    let mut rng = fastrand::Rng::with_seed(6);
    for _ in 0..300 {
        let mut pieces = Vec::new();
        for _ in 0..rng.usize(1..5) {
            pieces.push(Piece::Raw("{\"badge\":".to_owned()));
            let mut keys = vec!["badge".to_owned()];
            json_value(&mut rng, 1, true, &mut keys, &mut pieces);
            pieces.push(Piece::Raw(
                ["}\n", "}\r\n", "}\n\n"][rng.usize(..3)].to_owned(),
            ));
        }
        let (original, expected) = render_json(&f, &pieces);
        let (copy, redacted) = f.redact("d.jsonl", &original).expect("redact");
        assert_eq!(
            String::from_utf8_lossy(&copy),
            String::from_utf8_lossy(&expected)
        );
        for line in copy
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        {
            serde_json::from_slice::<serde_json::Value>(line).expect("each line is JSON");
        }
        f.check_rescan("d.jsonl", &original, &copy, &redacted);
    }
}

// ---- containers ---------------------------------------------------------------------

#[test]
fn gzip_content_is_redacted_and_recompressed() {
    let f = fixture();
    let csv = b"id,badge\nEMP-12345,B1234\n";
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(csv).expect("gzip");
    let gz = encoder.finish().expect("gzip");
    let (copy, redacted) = f.redact("t.csv.gz", &gz).expect("redact");
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(copy.as_slice())
        .read_to_end(&mut plain)
        .expect("gunzip");
    let (direct, _) = f.redact("t.csv", csv).expect("redact");
    assert_eq!(plain, direct);
    f.check_rescan("t.csv.gz", &gz, &copy, &redacted);
}

// ---- what is refused ----------------------------------------------------------------

#[test]
fn unsupported_and_unreadable_objects_are_refused_with_macies_reason() {
    let f = fixture();
    let reason = |name: &str, bytes: &[u8]| {
        f.redact(name, bytes)
            .err()
            .and_then(|e| e.reason())
            .map(|r| r.as_str())
    };
    assert_eq!(
        reason("a.png", b"\x89PNG"),
        Some("UNSUPPORTED_FILE_TYPE_EXCEPTION")
    );
    assert_eq!(
        reason("a.pdf", b"%PDF-1.4"),
        Some("UNSUPPORTED_FILE_TYPE_EXCEPTION")
    );
    assert_eq!(
        reason("a.json", b"{\"a\": EMP-12345}"),
        Some("MALFORMED_FILE")
    );
    assert_eq!(
        reason("a.json", b"{\"a\": \"EMP-12345\""),
        Some("MALFORMED_FILE")
    );
    assert_eq!(
        reason("a.jsonl", b"{\"a\": 1}\n{oops\n"),
        Some("MALFORMED_FILE")
    );
    assert!(reason("a.csv.gz", b"\x1f\x8b\x08\x00garbage").is_some());
    let utf16: Vec<u8> = "\u{FEFF}EMP-12345"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert_eq!(
        reason("a.txt", &utf16),
        Some("UNSUPPORTED_FILE_TYPE_EXCEPTION")
    );
}

// ---- hash ---------------------------------------------------------------------------

const HASHED: &str = r#"
[[identifier]]
name = "EMP"
regex = 'EMP-\d{5}'

[redaction]
default = { with = "hash" }
"#;

fn hashed_copy(key: Option<&[u8]>, name: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let file = IdentifierFile::parse(Path::new("ids.toml"), HASHED).expect("identifiers");
    let set = IdentifierSet::new(&file, &ManagedSelection::None).expect("set");
    let key = key.and_then(|k| Key::new(k.to_vec()));
    let policy = Policy::new(&set, &file.redaction, key).map_err(|e| e.to_string())?;
    let redactor = Redactor::new(&set, &policy, Limits::default());
    let mut out = Vec::new();
    redactor
        .redact(name, &mut Cursor::new(bytes), &mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The same value gives the same token in every file and format under one key, so joins
/// on a tokenised column still work; another key gives another token.
#[test]
fn hash_tokens_are_the_same_across_files_and_differ_across_keys() {
    let csv = hashed_copy(Some(b"k1"), "a.csv", b"id\nEMP-00042\n").expect("csv");
    let json = hashed_copy(Some(b"k1\n"), "b.json", br#"{"id": "EMP-00042"}"#).expect("json");
    let text = hashed_copy(Some(b"k1"), "c.txt", b"see EMP-00042.").expect("text");
    let other = hashed_copy(Some(b"k2"), "a.csv", b"id\nEMP-00042\n").expect("csv");
    let csv = String::from_utf8(csv).expect("utf-8");
    let token = csv.trim().strip_prefix("id\n").expect("header").to_owned();
    assert!(token.starts_with("tok_") && token.len() == 20, "{token}");
    assert!(token[4..].bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        String::from_utf8(json).expect("utf-8"),
        format!(r#"{{"id": "{token}"}}"#)
    );
    assert_eq!(
        String::from_utf8(text).expect("utf-8"),
        format!("see {token}.")
    );
    assert_ne!(String::from_utf8(other).expect("utf-8"), csv);
}

#[test]
fn hash_is_refused_without_a_key() {
    let error = hashed_copy(None, "a.csv", b"id\nEMP-00042\n").expect_err("refused");
    assert!(error.contains("FERRET_REDACTION_KEY"), "{error}");
}

#[test]
fn zip_members_are_redacted_by_their_format_and_the_rest_copied() {
    let f = fixture();
    let mut archive = zip::ZipWriter::new(Cursor::new(Vec::new()));
    use zip::CompressionMethod::{Deflated, Stored};
    let members: [(&str, &[u8], _); 4] = [
        ("a/people.csv", b"id,badge\nEMP-12345,B1234\n", Deflated),
        ("b/events.jsonl", b"{\"badge\": \"B1234\"}\n", Stored),
        ("c/notes.txt", b"mail jean.dupont@example.com\n", Deflated),
        ("d/logo.png", b"\x89PNG\r\n\x1a\n\0EMP-12345", Stored),
    ];
    for (name, body, method) in members {
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        archive.start_file(name, options).expect("member");
        archive.write_all(body).expect("write");
    }
    let original = archive.finish().expect("zip").into_inner();
    let (copy, redacted) = f.redact("bundle.zip", &original).expect("redact");
    let mut read = zip::ZipArchive::new(Cursor::new(copy)).expect("the copy is a zip");
    assert_eq!(read.len(), 4);
    for (index, (name, body, method)) in members.into_iter().enumerate() {
        let mut member = read.by_index(index).expect("member");
        assert_eq!(member.name(), name);
        assert_eq!(member.compression(), method, "{name}");
        let mut content = Vec::new();
        member.read_to_end(&mut content).expect("read");
        let direct = if name.ends_with(".png") {
            body.to_vec()
        } else {
            f.redact(name, body).expect("member alone").0
        };
        assert_eq!(content, direct, "{name}: as if redacted alone");
    }
    let mut counts = redacted.counts.clone();
    counts.sort();
    assert_eq!(
        counts,
        [
            ("Badge, \"quoted\"".to_owned(), 2),
            ("EMAIL_ADDRESS".to_owned(), 1),
            ("EMP".to_owned(), 1)
        ]
    );
}

// ---- Parquet ------------------------------------------------------------------------

mod parquet_files {
    //! Parquet files written with the `parquet` crate's column writers from generated
    //! rows (nested groups, a list, a map, several row groups, codecs, dictionary or
    //! plain pages, both format versions), then redacted and read back with the crate's
    //! row reader.

    use std::sync::Arc;

    use parquet::basic::Compression;
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use parquet::file::reader::FileReader;
    use parquet::file::serialized_reader::SerializedFileReader;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::record::{Field, Row};
    use parquet::schema::parser::parse_message_type;

    use super::*;
    use ferret_scanner::Format;

    const SCHEMA: &str = "
        message people {
          required int64 id;
          optional binary name (UTF8);
          required binary badge (UTF8);
          optional double score;
          optional group tags (LIST) { repeated group list { optional binary element (UTF8); } }
          required group address { optional binary street (UTF8); optional int32 zip; }
          optional group attrs (MAP) {
            repeated group key_value { required binary key (UTF8); optional binary value (UTF8); }
          }
          optional binary raw;
        }";

    /// Keys of the map: `badge` gives its values the identifier's keyword.
    const MAP_KEYS: &[&str] = &["badge", "note", "ref"];

    #[derive(Debug, Clone, PartialEq)]
    struct Person {
        id: i64,
        name: Option<String>,
        badge: String,
        score: Option<f64>,
        tags: Option<Vec<Option<String>>>,
        street: Option<String>,
        zip: Option<i32>,
        attrs: Option<Vec<(String, Option<String>)>>,
        raw: Option<String>,
    }

    fn maybe<T>(rng: &mut fastrand::Rng, make: impl FnOnce(&mut fastrand::Rng) -> T) -> Option<T> {
        (rng.u8(..4) != 0).then(|| make(rng))
    }

    fn person(rng: &mut fastrand::Rng, id: i64) -> Person {
        let text = |rng: &mut fastrand::Rng| random_text(rng, 4);
        Person {
            id,
            name: maybe(rng, text),
            badge: text(rng),
            score: maybe(rng, |rng| rng.f64()),
            tags: maybe(rng, |rng| {
                (0..rng.usize(..4)).map(|_| maybe(rng, text)).collect()
            }),
            street: maybe(rng, text),
            zip: maybe(rng, |rng| rng.i32(..)),
            attrs: maybe(rng, |rng| {
                (0..rng.usize(..3))
                    .map(|_| {
                        (
                            MAP_KEYS[rng.usize(..MAP_KEYS.len())].to_owned(),
                            maybe(rng, text),
                        )
                    })
                    .collect()
            }),
            raw: maybe(rng, text),
        }
    }

    fn bytes(values: impl IntoIterator<Item = String>) -> Vec<ByteArray> {
        values
            .into_iter()
            .map(|v| ByteArray::from(v.into_bytes()))
            .collect()
    }

    /// Levels and values of an optional leaf under nothing but itself.
    fn optional(values: impl Iterator<Item = Option<String>>) -> (Vec<ByteArray>, Vec<i16>) {
        let mut out = Vec::new();
        let definitions = values
            .map(|v| match v {
                Some(v) => {
                    out.push(v);
                    1
                }
                None => 0,
            })
            .collect();
        (bytes(out), definitions)
    }

    /// A Parquet file of `groups` row groups of people.
    fn write(groups: &[Vec<Person>], properties: WriterProperties) -> Vec<u8> {
        let schema = Arc::new(parse_message_type(SCHEMA).expect("schema"));
        let mut writer =
            SerializedFileWriter::new(Vec::new(), schema, Arc::new(properties)).expect("writer");
        for people in groups {
            let mut group = writer.next_row_group().expect("row group");
            let mut column = group.next_column().expect("id").expect("id");
            let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
            column
                .typed::<Int64Type>()
                .write_batch(&ids, None, None)
                .expect("id");
            column.close().expect("id");

            let (values, definitions) = optional(people.iter().map(|p| p.name.clone()));
            let mut column = group.next_column().expect("name").expect("name");
            let typed = column.typed::<ByteArrayType>();
            typed
                .write_batch(&values, Some(&definitions), None)
                .expect("name");
            column.close().expect("name");

            let mut column = group.next_column().expect("badge").expect("badge");
            let values = bytes(people.iter().map(|p| p.badge.clone()));
            let typed = column.typed::<ByteArrayType>();
            typed.write_batch(&values, None, None).expect("badge");
            column.close().expect("badge");

            let mut column = group.next_column().expect("score").expect("score");
            let scores: Vec<f64> = people.iter().filter_map(|p| p.score).collect();
            let definitions: Vec<i16> = people
                .iter()
                .map(|p| i16::from(p.score.is_some()))
                .collect();
            let typed = column.typed::<DoubleType>();
            typed
                .write_batch(&scores, Some(&definitions), None)
                .expect("score");
            column.close().expect("score");

            let (mut values, mut definitions, mut repetitions) =
                (Vec::new(), Vec::new(), Vec::new());
            for p in people {
                match &p.tags {
                    None => {
                        definitions.push(0);
                        repetitions.push(0);
                    }
                    Some(tags) if tags.is_empty() => {
                        definitions.push(1);
                        repetitions.push(0);
                    }
                    Some(tags) => {
                        for (at, tag) in tags.iter().enumerate() {
                            repetitions.push(i16::from(at > 0));
                            definitions.push(if tag.is_some() { 3 } else { 2 });
                            values.extend(tag.clone());
                        }
                    }
                };
            }
            let mut column = group.next_column().expect("tags").expect("tags");
            let typed = column.typed::<ByteArrayType>();
            typed
                .write_batch(&bytes(values), Some(&definitions), Some(&repetitions))
                .expect("tags");
            column.close().expect("tags");

            let streets: Vec<String> = people.iter().filter_map(|p| p.street.clone()).collect();
            let definitions: Vec<i16> = people
                .iter()
                .map(|p| i16::from(p.street.is_some()))
                .collect();
            let mut column = group.next_column().expect("street").expect("street");
            let typed = column.typed::<ByteArrayType>();
            typed
                .write_batch(&bytes(streets), Some(&definitions), None)
                .expect("street");
            column.close().expect("street");

            let zips: Vec<i32> = people.iter().filter_map(|p| p.zip).collect();
            let definitions: Vec<i16> = people.iter().map(|p| i16::from(p.zip.is_some())).collect();
            let mut column = group.next_column().expect("zip").expect("zip");
            let typed = column.typed::<Int32Type>();
            typed
                .write_batch(&zips, Some(&definitions), None)
                .expect("zip");
            column.close().expect("zip");

            // The map: its key column, then its value column, with the same entries.
            for value_column in [false, true] {
                let (mut values, mut definitions, mut repetitions) =
                    (Vec::new(), Vec::new(), Vec::new());
                for p in people {
                    match &p.attrs {
                        None => {
                            definitions.push(0);
                            repetitions.push(0);
                        }
                        Some(e) if e.is_empty() => {
                            definitions.push(1);
                            repetitions.push(0);
                        }
                        Some(entries) => {
                            for (at, (key, value)) in entries.iter().enumerate() {
                                repetitions.push(i16::from(at > 0));
                                if value_column {
                                    definitions.push(if value.is_some() { 3 } else { 2 });
                                    values.extend(value.clone());
                                } else {
                                    definitions.push(2);
                                    values.push(key.clone());
                                }
                            }
                        }
                    };
                }
                let mut column = group.next_column().expect("attrs").expect("attrs");
                let typed = column.typed::<ByteArrayType>();
                typed
                    .write_batch(&bytes(values), Some(&definitions), Some(&repetitions))
                    .expect("attrs");
                column.close().expect("attrs");
            }

            let (values, definitions) = optional(people.iter().map(|p| p.raw.clone()));
            let mut column = group.next_column().expect("raw").expect("raw");
            let typed = column.typed::<ByteArrayType>();
            typed
                .write_batch(&values, Some(&definitions), None)
                .expect("raw");
            column.close().expect("raw");
            group.close().expect("row group");
        }
        writer.into_inner().expect("file")
    }

    /// The person as the copy should hold them: every string value with its kept
    /// matches rewritten, judged with the names on its path; the rest as it was.
    fn as_redacted(f: &Fixture, p: &Person) -> Person {
        let rewrite = |value: &str, keys: &[&str]| {
            let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
            let (bytes, _) = f.rewrite(value.as_bytes(), UnitContext::JsonKeys(&keys));
            String::from_utf8(bytes).expect("UTF-8")
        };
        let one =
            |value: &Option<String>, keys: &[&str]| value.as_deref().map(|v| rewrite(v, keys));
        Person {
            id: p.id,
            name: one(&p.name, &["name"]),
            badge: rewrite(&p.badge, &["badge"]),
            score: p.score,
            tags: p
                .tags
                .as_ref()
                .map(|tags| tags.iter().map(|t| one(t, &["tags"])).collect()),
            street: one(&p.street, &["address", "street"]),
            zip: p.zip,
            attrs: p.attrs.as_ref().map(|entries| {
                entries
                    .iter()
                    .map(|(key, value)| (key.clone(), one(value, &["attrs", key])))
                    .collect()
            }),
            raw: one(&p.raw, &["raw"]),
        }
    }

    fn text(field: &Field) -> Option<String> {
        match field {
            Field::Null => None,
            Field::Str(s) => Some(s.clone()),
            Field::Bytes(b) => Some(String::from_utf8(b.data().to_vec()).expect("UTF-8")),
            other => panic!("a string, not {other:?}"),
        }
    }

    /// A row of the copy, read back by the crate's row reader.
    fn person_of(row: &Row) -> Person {
        let fields: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
        let [Field::Long(id), name, badge, score, tags, Field::Group(address), attrs, raw] =
            fields[..]
        else {
            panic!("the schema's fields: {row:?}")
        };
        let address: Vec<&Field> = address.get_column_iter().map(|(_, f)| f).collect();
        Person {
            id: *id,
            name: text(name),
            badge: text(badge).expect("required"),
            score: match score {
                Field::Double(d) => Some(*d),
                _ => None,
            },
            tags: match tags {
                Field::ListInternal(list) => Some(list.elements().iter().map(text).collect()),
                _ => None,
            },
            street: text(address[0]),
            zip: match address[1] {
                Field::Int(z) => Some(*z),
                _ => None,
            },
            attrs: match attrs {
                Field::MapInternal(map) => Some(
                    map.entries()
                        .iter()
                        .map(|(k, v)| (text(k).expect("key"), text(v)))
                        .collect(),
                ),
                _ => None,
            },
            raw: text(raw),
        }
    }

    /// Every string value of every row, nested ones included, is the original with its
    /// kept matches rewritten (and every other value as it was); the schema, row groups'
    /// row counts, codecs and key-value metadata are the original's; the scanner counts
    /// on the original what was rewritten and finds none of it in the copy.
    #[test]
    fn parquet_copies_keep_the_file_and_rewrite_only_matched_strings() {
        let f = fixture();
        let mut rng = fastrand::Rng::with_seed(15);
        let codecs = [
            Compression::UNCOMPRESSED,
            Compression::SNAPPY,
            Compression::ZSTD(Default::default()),
            Compression::GZIP(Default::default()),
        ];
        let mut rewritten_any = false;
        for round in 0..24 {
            let mut id = 0;
            let groups: Vec<Vec<Person>> = (0..rng.usize(1..4))
                .map(|_| {
                    (0..rng.usize(1..8))
                        .map(|_| {
                            id += 1;
                            person(&mut rng, id)
                        })
                        .collect()
                })
                .collect();
            let codec = codecs[round % codecs.len()];
            let properties = WriterProperties::builder()
                .set_compression(codec)
                .set_dictionary_enabled(rng.bool())
                .set_writer_version(if rng.bool() {
                    WriterVersion::PARQUET_1_0
                } else {
                    WriterVersion::PARQUET_2_0
                })
                .set_key_value_metadata(Some(vec![KeyValue::new(
                    "origin".to_owned(),
                    format!("round {round}"),
                )]))
                .build();
            let original = write(&groups, properties);
            let (copy, redacted) = f.redact("people.parquet", &original).expect("redact");
            assert_eq!(redacted.format, Format::Parquet);

            let before =
                SerializedFileReader::new(bytes::Bytes::from(original.clone())).expect("original");
            let after = SerializedFileReader::new(bytes::Bytes::from(copy.clone()))
                .expect("the copy is Parquet");
            let (before, after) = (before.metadata(), after.metadata());
            assert_eq!(
                before.file_metadata().schema_descr().root_schema(),
                after.file_metadata().schema_descr().root_schema()
            );
            assert_eq!(
                before.file_metadata().key_value_metadata(),
                after.file_metadata().key_value_metadata()
            );
            assert_eq!(before.num_row_groups(), after.num_row_groups());
            for (b, a) in before.row_groups().iter().zip(after.row_groups()) {
                assert_eq!(b.num_rows(), a.num_rows(), "rows per row group");
                for (b, a) in b.columns().iter().zip(a.columns()) {
                    assert_eq!(b.compression(), a.compression(), "{}", b.column_path());
                }
            }

            let reader = SerializedFileReader::new(bytes::Bytes::from(copy.clone())).expect("copy");
            let rows: Vec<Person> = reader
                .get_row_iter(None)
                .expect("rows")
                .map(|row| person_of(&row.expect("row")))
                .collect();
            let expected: Vec<Person> = groups
                .iter()
                .flatten()
                .map(|p| as_redacted(&f, p))
                .collect();
            assert_eq!(rows, expected, "round {round}");
            rewritten_any |= !redacted.counts.is_empty();
            f.check_rescan("people.parquet", &original, &copy, &redacted);
        }
        assert!(rewritten_any, "the generator makes matches");
    }
}
