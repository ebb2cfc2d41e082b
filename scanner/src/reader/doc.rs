//! DOC (Word 97-2003): the document's text as one unit, one paragraph a line.
//!
//! A `.doc` is an OLE2 compound file (read with the `cfb` crate). Its `WordDocument`
//! stream starts with the File Information Block, which says which table stream
//! (`0Table` or `1Table`) holds the piece table: the list of pieces, each a run of
//! characters stored either as 8-bit Windows-1252 or as UTF-16LE somewhere in the
//! `WordDocument` stream. The pieces, in order, are the text of the whole document:
//! the body (tables included), then footnotes, headers and footers, comments, endnotes
//! and text boxes, as Word stores them. Pieces are read one at a time, by seeking, so
//! the memory used does not depend on the document's size.
//!
//! Word's control characters become line structure: paragraph, line, page and section
//! breaks and table cell marks end a line (a row's end mark, which follows its last
//! cell's, does not: an empty cell is then read as no line at all). The body's empty
//! paragraphs are empty lines; in the other stories, which Word pads with empty
//! paragraphs, they are left out, as the DOCX reader does. Fields keep the text they show: a field's
//! instruction (between its begin and separator marks) is dropped, its result kept.
//! An encrypted document needs a password and is reported as such.

use std::io::{Read, Seek, SeekFrom};

use encoding_rs::WINDOWS_1252;

use super::spool::TextSpool;
use super::{ReadError, Sink};
use crate::Format;

/// Bytes of the File Information Block read: enough for its fixed part and the
/// `fcClx`/`lcbClx` pair of every Word 97+ version.
const FIB_BYTES: usize = 1024;
/// `wIdent` of a Word document.
const WORD_MAGIC: u16 = 0xA5EC;
/// The first `nFib` of Word 97; older versions have no piece table in this form.
const NFIB_WORD97: u16 = 0x00C1;
/// Bits of the FIB's flags word.
const F_ENCRYPTED: u16 = 0x0100;
const F_WHICH_TBL_STM: u16 = 0x0200;
const F_OBFUSCATED: u16 = 0x8000;
/// Index of `fcClx` among the FIB's 64-bit (fc, lcb) pairs.
const CLX_PAIR: usize = 33;
/// Largest piece table accepted: a piece costs 12 bytes, so this allows millions.
const MAX_CLX_BYTES: u32 = 64 * 1024 * 1024;
/// Characters read from a piece at a time.
const CHUNK_CHARS: u32 = 64 * 1024;

/// Reads the text of the `.doc` in `input` and hands it to `sink` as one text unit.
pub fn read_doc<R: Read + Seek>(input: R, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut file = cfb::CompoundFile::open(input)
        .map_err(|e| malformed(format!("not an OLE2 compound file: {e}")))?;
    let mut fib = vec![0u8; FIB_BYTES];
    let fib_len = {
        let mut stream = file
            .open_stream("/WordDocument")
            .map_err(|_| malformed("no WordDocument stream".to_owned()))?;
        read_up_to(&mut stream, &mut fib)?
    };
    fib.truncate(fib_len);
    let fib = Fib::parse(&fib)?;
    let table = if fib.table_one { "/1Table" } else { "/0Table" };
    let clx = {
        let mut stream = file
            .open_stream(table)
            .map_err(|_| malformed(format!("no {} stream", &table[1..])))?;
        stream.seek(SeekFrom::Start(u64::from(fib.fc_clx)))?;
        let mut clx = vec![0u8; fib.lcb_clx as usize];
        stream
            .read_exact(&mut clx)
            .map_err(|_| malformed("the piece table is cut short".to_owned()))?;
        clx
    };
    let pieces = pieces(&clx)?;
    let mut stream = file
        .open_stream("/WordDocument")
        .map_err(|_| malformed("no WordDocument stream".to_owned()))?;
    // Pieces are disjoint runs of the stream: more text than the stream holds means
    // pieces that overlap, which could make a small file read as endless text.
    let piece_bytes: u64 = pieces
        .iter()
        .map(|p| u64::from(p.chars) * if p.compressed { 1 } else { 2 })
        .sum();
    if piece_bytes > stream.len() {
        return Err(malformed(format!(
            "pieces of {piece_bytes} bytes in a stream of {}",
            stream.len()
        )));
    }
    let mut text = WordText {
        body_left: u64::from(fib.ccp_text),
        ..WordText::default()
    };
    let mut spool = TextSpool::new();
    let mut raw = Vec::new();
    for piece in pieces {
        let mut left = piece.chars;
        let mut at = piece.offset;
        while left > 0 {
            let chars = left.min(CHUNK_CHARS);
            let bytes = if piece.compressed { chars } else { chars * 2 };
            raw.resize(bytes as usize, 0);
            stream.seek(SeekFrom::Start(at))?;
            stream
                .read_exact(&mut raw)
                .map_err(|_| malformed("a piece lies outside the document".to_owned()))?;
            if piece.compressed {
                let (decoded, _) = WINDOWS_1252.decode_without_bom_handling(&raw);
                text.push_all(decoded.chars(), &mut spool)?;
            } else {
                let units = raw
                    .chunks_exact(2)
                    .map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
                let chars = char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}'));
                text.push_all(chars, &mut spool)?;
            }
            at += u64::from(bytes);
            left -= chars;
        }
    }
    spool.finish(sink)
}

/// What the reader needs of the File Information Block.
#[derive(Debug)]
struct Fib {
    table_one: bool,
    fc_clx: u32,
    lcb_clx: u32,
    /// Characters in the body, the first story.
    ccp_text: u32,
}

impl Fib {
    fn parse(fib: &[u8]) -> Result<Fib, ReadError> {
        let short = || malformed("the File Information Block is cut short".to_owned());
        let u16_at = |at: usize| {
            fib.get(at..at + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
        };
        let u32_at = |at: usize| {
            fib.get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        if u16_at(0).ok_or_else(short)? != WORD_MAGIC {
            return Err(ReadError::Unparseable(Format::Doc));
        }
        if u16_at(2).ok_or_else(short)? < NFIB_WORD97 {
            // Word 6 and 95 documents store their text differently.
            return Err(ReadError::Unsupported(Format::Doc));
        }
        let flags = u16_at(0x0A).ok_or_else(short)?;
        if flags & (F_ENCRYPTED | F_OBFUSCATED) != 0 {
            return Err(ReadError::PasswordProtected(Format::Doc));
        }
        // FibBase (32 bytes), then three arrays, each after its count.
        let csw = usize::from(u16_at(32).ok_or_else(short)?);
        let cslw_at = 34 + csw * 2;
        let cslw = usize::from(u16_at(cslw_at).ok_or_else(short)?);
        // FibRgLw97: cbMac, two reserved, then ccpText.
        let ccp_text = u32_at(cslw_at + 2 + 3 * 4).ok_or_else(short)?;
        let pairs_at = cslw_at + 2 + cslw * 4 + 2;
        let clx_at = pairs_at + CLX_PAIR * 8;
        let fc_clx = u32_at(clx_at).ok_or_else(short)?;
        let lcb_clx = u32_at(clx_at + 4).ok_or_else(short)?;
        if lcb_clx == 0 || lcb_clx > MAX_CLX_BYTES {
            return Err(malformed(format!("a piece table of {lcb_clx} bytes")));
        }
        Ok(Fib {
            table_one: flags & F_WHICH_TBL_STM != 0,
            fc_clx,
            lcb_clx,
            ccp_text,
        })
    }
}

/// A run of the document's characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    /// Where it starts in the `WordDocument` stream.
    offset: u64,
    chars: u32,
    /// 8-bit (Windows-1252) rather than UTF-16LE.
    compressed: bool,
}

/// The pieces of a `Clx`: formatting records (`Prc`, skipped) then the piece table
/// (`Pcdt`): n+1 character positions, then n 8-byte piece descriptors.
fn pieces(clx: &[u8]) -> Result<Vec<Piece>, ReadError> {
    let bad = |what: &str| malformed(format!("bad piece table: {what}"));
    let mut at = 0usize;
    while clx.get(at) == Some(&0x01) {
        let size = clx
            .get(at + 1..at + 3)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
            .ok_or_else(|| bad("cut short"))?;
        at += 3 + size;
    }
    if clx.get(at) != Some(&0x02) {
        return Err(bad("no piece descriptors"));
    }
    let size = clx
        .get(at + 1..at + 5)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| bad("cut short"))?;
    let table = clx
        .get(at + 5..at + 5 + size)
        .ok_or_else(|| bad("cut short"))?;
    // 4 bytes per position (n + 1 of them) and 8 per descriptor.
    if size < 4 || (size - 4) % 12 != 0 {
        return Err(bad("its size fits no number of pieces"));
    }
    let count = (size - 4) / 12;
    let u32_at =
        |at: usize| u32::from_le_bytes([table[at], table[at + 1], table[at + 2], table[at + 3]]);
    let mut pieces = Vec::with_capacity(count);
    for i in 0..count {
        let (start, end) = (u32_at(i * 4), u32_at(i * 4 + 4));
        let chars = end
            .checked_sub(start)
            .ok_or_else(|| bad("positions go backwards"))?;
        let fc = u32_at((count + 1) * 4 + i * 8 + 2);
        let compressed = fc & 0x4000_0000 != 0;
        let offset = if compressed {
            u64::from(fc & !0x4000_0000) / 2
        } else {
            u64::from(fc)
        };
        pieces.push(Piece {
            offset,
            chars,
            compressed,
        });
    }
    Ok(pieces)
}

/// Turns Word's characters into lines, keeping what fields show.
#[derive(Debug, Default)]
struct WordText {
    /// Open fields, innermost last: whether each is past its separator (showing its
    /// result) yet.
    fields: Vec<bool>,
    /// Characters of the body not read yet.
    body_left: u64,
    /// Whether the previous character was a cell mark: a row's end mark follows one.
    after_cell: bool,
}

impl WordText {
    fn push_all(
        &mut self,
        chars: impl Iterator<Item = char>,
        spool: &mut TextSpool,
    ) -> std::io::Result<()> {
        for c in chars {
            if self.body_left == 0 {
                spool.keep_empty_lines(false);
            }
            self.body_left = self.body_left.saturating_sub(1);
            let after_cell = std::mem::replace(&mut self.after_cell, c == '\u{07}');
            match c {
                '\u{13}' => self.fields.push(false),
                '\u{14}' => {
                    if let Some(showing) = self.fields.last_mut() {
                        *showing = true;
                    }
                }
                '\u{15}' => {
                    self.fields.pop();
                }
                // Inside a field's instruction: not shown.
                _ if self.fields.last() == Some(&false) => {}
                // A row's end mark, after its last cell's.
                '\u{07}' if after_cell => {}
                // Paragraph, line, page or section break; the end of a table cell.
                '\r' | '\u{0B}' | '\u{0C}' | '\u{07}' => spool.end_line()?,
                '\t' => spool.push('\t')?,
                // Non-breaking hyphen.
                '\u{1E}' => spool.push('-')?,
                // Other marks (objects, note references, optional hyphens) are not text.
                c if c.is_control() => {}
                c => spool.push(c)?,
            }
        }
        Ok(())
    }
}

/// Reads until `buffer` is full or the input ends; how many bytes were read.
fn read_up_to(input: &mut impl Read, buffer: &mut [u8]) -> Result<usize, ReadError> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn malformed(message: String) -> ReadError {
    ReadError::Malformed {
        format: Format::Doc,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_show_their_results_and_controls_make_lines() {
        let mut spool = TextSpool::new();
        let mut text = WordText {
            body_left: u64::MAX,
            ..WordText::default()
        };
        let word = "Name\tAna\r\u{13} HYPERLINK \"x\" \u{14}ana@example.fr\u{15} ok\u{07}\u{07}x\u{0B}y\u{01}";
        text.push_all(word.chars(), &mut spool).expect("write");
        let mut seen = String::new();
        spool
            .finish(&mut |unit: crate::reader::TextUnit<'_>| {
                seen.push_str(&String::from_utf8_lossy(unit.bytes))
            })
            .expect("read");
        assert_eq!(seen, "Name\tAna\nana@example.fr ok\nx\ny");
    }

    use crate::reader::docx::tests::{fixture_bytes, text_of, LETTER};
    use crate::result::Reason;
    use std::io::Cursor;

    /// LibreOffice's `.doc` of the DOCX letter reads as the DOCX does: body, table
    /// cells, footnote, header, footer, comment.
    #[test]
    fn a_libreoffice_doc_reads_as_its_docx() {
        let bytes = fixture_bytes("doc/letter.doc");
        let (text, outcome) = text_of(|sink| read_doc(Cursor::new(bytes), sink));
        outcome.expect("read");
        assert_eq!(text, LETTER);
    }

    #[test]
    fn an_encrypted_document_needs_a_password() {
        let mut bytes = fixture_bytes("doc/letter.doc");
        // The FIB starts the WordDocument stream, with wIdent.
        let fib = bytes
            .windows(2)
            .position(|w| w == WORD_MAGIC.to_le_bytes())
            .expect("the FIB");
        bytes[fib + 0x0B] |= (F_ENCRYPTED >> 8) as u8;
        let (text, outcome) = text_of(|sink| read_doc(Cursor::new(bytes), sink));
        assert_eq!(text, "");
        let error = outcome.expect_err("encrypted");
        assert!(matches!(error, ReadError::PasswordProtected(Format::Doc)));
        assert_eq!(error.reason(), Reason::UnableToParseFile);
    }

    #[test]
    fn broken_files_are_malformed_and_never_panic() {
        let bytes = fixture_bytes("doc/letter.doc");
        let (_, outcome) = text_of(|sink| read_doc(Cursor::new(&bytes[..bytes.len() / 2]), sink));
        assert_eq!(outcome.expect_err("cut").reason(), Reason::MalformedFile);
        let mut rng = fastrand::Rng::with_seed(13);
        for _ in 0..200 {
            let mut broken = bytes.clone();
            for _ in 0..8 {
                let at = rng.usize(..broken.len());
                broken[at] = rng.u8(..);
            }
            let _ = text_of(|sink| read_doc(Cursor::new(broken), sink));
        }
    }

    #[test]
    fn pieces_are_read_from_the_clx() {
        let mut clx = vec![0x01, 2, 0, 0xAA, 0xBB, 0x02];
        let mut table = Vec::new();
        for cp in [0u32, 5, 8] {
            table.extend_from_slice(&cp.to_le_bytes());
        }
        for fc in [0x4000_0000u32 | 2048, 4096] {
            table.extend_from_slice(&[0, 0]);
            table.extend_from_slice(&fc.to_le_bytes());
            table.extend_from_slice(&[0, 0]);
        }
        clx.extend_from_slice(&(table.len() as u32).to_le_bytes());
        clx.extend_from_slice(&table);
        assert_eq!(
            pieces(&clx).expect("parses"),
            [
                Piece {
                    offset: 1024,
                    chars: 5,
                    compressed: true
                },
                Piece {
                    offset: 4096,
                    chars: 3,
                    compressed: false
                }
            ]
        );
        assert!(pieces(&clx[..clx.len() - 1]).is_err());
    }
}
