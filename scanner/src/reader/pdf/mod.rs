//! PDF: one text unit per page, its lines in the order the page draws them.
//!
//! Parsing is lopdf's (through pdf-extract, which re-exports it): the cross-reference
//! tables and streams, object streams, incremental updates, and RC4 and AES decryption.
//! lopdf opens a document encrypted with an empty user password by itself (the common
//! "no copy" PDF); one that needs a password is left encrypted, and is reported
//! [`ReadError::PasswordProtected`].
//!
//! Text is pdf-extract's: fonts with ToUnicode maps, the standard and embedded
//! encodings, CID fonts. Its characters, each with its position, go to [`PageLines`],
//! which breaks lines where the baseline moves and spaces where the pen jumps: a
//! page's line numbers are those of its text lines, as a reader counts them.
//!
//! pdf-extract builds every font again on every page; the widths of the standard
//! fonts, the costly part, are worked out once per document instead ([`widths`]).
//!
//! A filled-in form's field values are not page content: [`fields`] reads them from
//! the form and they follow, one a line, the text of the page that shows each field.
//!
//! Pages are decoded one at a time, in one pass over the page tree, and each is handed
//! over as soon as it is done, so decoded text never accumulates. The parsed object
//! tree is held whole (lopdf loads a document in one go), which costs memory in
//! proportion to the file (about four times its size), not to its page count or its
//! text.
//!
//! pdf-extract is written for trusted files. Structures that would make it loop forever
//! or overflow the stack (a page tree that loops, forms that draw themselves) are taken
//! out of the document first ([`finite`]). It panics on some malformed content (its
//! messages may quote page text, so they are caught without being printed:
//! [`catch_quietly`]). A page whose decoding fails, panics or would not end is skipped,
//! the others are read, and the object is PARTIAL. A page with no text (a scan) is read
//! as empty: OCR is out of scope.

mod fields;
mod finite;
mod widths;

use std::collections::HashMap;
use std::io::Read;

use ferret_identifiers::UnitContext;
use pdf_extract::{Document, MediaBox, OutputDev, OutputError, Transform};

use super::quiet::catch_quietly;
use super::{ReadError, Sink, TextUnit, UnitPlace};
use crate::Format;

/// Reads every page of the PDF `input` and hands each page's text to `sink`.
///
/// All pages are decoded in one pass over the page tree: pdf-extract's per-page entry
/// point walks the whole tree again for every page, which makes a document's time
/// grow with the square of its page count. When a page fails in that pass, the pages after
/// it are decoded one by one, so one bad page costs only itself.
pub fn read_pdf<R: Read>(input: R, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut document = load(input)?;
    let fields = fields::form_text(&document);
    let endless = finite::make_finite(&mut document);
    widths::list_widths(&mut document);
    let pages: Vec<u32> = document.get_pages().into_keys().collect();
    let mut output = PageOutput {
        lines: PageLines::default(),
        page: 0,
        done: 0,
        endless: &endless,
        fields: &fields,
        sink,
    };
    // After a panic, `output` holds part of a page, which is dropped (the page is
    // skipped) when the next page begins; the document is only ever read.
    let whole = catch_quietly(|| pdf_extract::output_doc(&document, &mut output));
    let mut failed = endless.len();
    if !matches!(whole, Ok(Ok(()))) {
        // The pass stopped on the first page it did not finish.
        failed += 1;
        for &page in pages.iter().skip(output.done + 1) {
            let decoded =
                catch_quietly(|| pdf_extract::output_doc_page(&document, &mut output, page));
            if !matches!(decoded, Ok(Ok(()))) {
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(ReadError::Malformed {
            format: Format::Pdf,
            message: format!("{failed} of {} pages could not be decoded", pages.len()),
        });
    }
    Ok(())
}

/// Collects each page's lines and hands the page over as a unit when it ends.
///
/// The sink is called from inside pdf-extract's pass, so within [`catch_quietly`]: a
/// panic there would count as a failed page rather than end the scan.
struct PageOutput<'a, 's> {
    lines: PageLines,
    /// The number of the page being decoded.
    page: u32,
    /// Pages handed over so far.
    done: usize,
    /// Pages whose content was removed because drawing it would not end: decoded as
    /// empty, but not analysed, so not handed over.
    endless: &'a [u32],
    /// The text of form fields, by the page that shows them ([`fields`]).
    fields: &'a HashMap<u32, String>,
    sink: &'a mut Sink<'s>,
}

impl OutputDev for PageOutput<'_, '_> {
    fn begin_page(
        &mut self,
        page: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page = page;
        self.lines.clear();
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.done += 1;
        if self.endless.contains(&self.page) {
            return Ok(());
        }
        if let Some(fields) = self.fields.get(&self.page) {
            self.lines.push_lines(fields);
        }
        // Every other decoded page is a unit, text or not: the page was analysed.
        self.sink.unit(TextUnit::whole(
            self.lines.text().as_bytes(),
            UnitPlace::Page {
                page: u64::from(self.page),
            },
            UnitContext::None,
        ));
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        self.lines
            .output_character(trm, width, spacing, font_size, text);
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Parses the document, decrypted when it opens without a password.
fn load<R: Read>(input: R) -> Result<Document, ReadError> {
    let document = catch_quietly(|| Document::load_from(input))
        .map_err(|()| malformed("the PDF parser failed on this content".to_owned()))?
        .map_err(|e| match e {
            pdf_extract::Error::IO(e) => ReadError::Io(e),
            other => malformed(other.to_string()),
        })?;
    // Still encrypted after loading: the empty user password did not open it.
    if document.is_encrypted() && !document.was_encrypted() {
        return Err(ReadError::PasswordProtected(Format::Pdf));
    }
    Ok(document)
}

/// Longest parser message kept: some quote the content they failed on.
const MAX_MESSAGE_CHARS: usize = 200;

fn malformed(message: String) -> ReadError {
    ReadError::Malformed {
        format: Format::Pdf,
        message: message.chars().take(MAX_MESSAGE_CHARS).collect(),
    }
}

/// The text of one page, built from positioned characters.
#[derive(Debug, Default)]
struct PageLines {
    text: String,
    /// Where the previous character ended.
    pen: Option<Pen>,
}

#[derive(Debug, Clone, Copy)]
struct Pen {
    /// The baseline's height on the page.
    y: f64,
    /// The horizontal position right after the character.
    x_end: f64,
    /// The size the character was drawn at.
    size: f64,
    /// Whether the character was white space (no space is added after it).
    space: bool,
}

/// How far the baseline moves, as a share of the larger of two neighbours' font sizes,
/// before a new line starts: less than a line's height, more than a superscript's rise
/// (a footnote mark stays on its line) or a kerning's jitter.
const NEW_LINE_SHARE: f64 = 0.5;
/// How wide a gap between characters, as a share of the font size, reads as a space:
/// PDFs often position words instead of writing the space between them.
const SPACE_SHARE: f64 = 0.1;

impl PageLines {
    fn clear(&mut self) {
        self.text.clear();
        self.pen = None;
    }

    /// Adds `lines` after the page's text, each a line of its own.
    fn push_lines(&mut self, lines: &str) {
        let kept = self.text().len();
        self.text.truncate(kept);
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(lines);
        self.pen = None;
    }

    /// The page's text, without trailing line breaks.
    fn text(&self) -> &str {
        self.text.trim_end_matches('\n')
    }

    /// Places one character drawn by the page.
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) {
        // The text rendering matrix maps glyph space to the page: its translation is
        // where the glyph sits, and its scale the size the font is drawn at.
        let (x, y) = (trm.m31, trm.m32);
        let size = ((trm.m11 + trm.m21) * font_size * (trm.m12 + trm.m22) * font_size)
            .abs()
            .sqrt();
        if let Some(pen) = self.pen {
            if (y - pen.y).abs() > size.max(pen.size) * NEW_LINE_SHARE {
                self.text.push('\n');
            } else if x > pen.x_end + size * SPACE_SHARE && !pen.space {
                self.text.push(' ');
            }
        }
        let space = match text.as_bytes() {
            // Most characters are one printable ASCII byte: no filtering needed.
            &[byte] if byte.is_ascii_graphic() || byte == b' ' => {
                self.text.push(char::from(byte));
                byte == b' '
            }
            _ => {
                // Control characters from broken font maps would only make lines up.
                self.text
                    .extend(text.chars().filter(|c| !c.is_control() || *c == '\t'));
                text.chars().all(char::is_whitespace)
            }
        };
        self.pen = Some(Pen {
            y,
            x_end: x + width * size,
            size,
            space,
        });
    }
}

#[cfg(test)]
mod tests {
    use std::fs::File;

    use super::*;

    /// Each unit's page and text, and how the reading ended.
    fn pages(name: &str) -> (Vec<(u64, String)>, Result<(), ReadError>) {
        let path = format!(
            "{}/../tests/fixtures/pdf/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        units(File::open(&path).expect("fixture"))
    }

    /// Each unit's page and text when `input` is read, and how the reading ended.
    pub(super) fn units(input: impl Read) -> (Vec<(u64, String)>, Result<(), ReadError>) {
        let mut seen = Vec::new();
        let outcome = read_pdf(input, &mut |unit: TextUnit<'_>| {
            let UnitPlace::Page { page } = unit.place else {
                panic!("a page unit: {:?}", unit.place);
            };
            assert_eq!(unit.span, None);
            seen.push((page, String::from_utf8_lossy(unit.bytes).into_owned()));
        });
        (seen, outcome)
    }

    pub(super) fn page(page: u64, text: &str) -> (u64, String) {
        (page, text.to_owned())
    }

    /// Standard fonts (WinAnsi), an embedded TrueType subset read through its
    /// ToUnicode map, words placed apart on one line, and a page with no text.
    #[test]
    fn pages_are_read_line_by_line_in_every_font() {
        let (seen, outcome) = pages("fonts_reportlab.pdf");
        outcome.expect("read");
        assert_eq!(
            seen,
            [
                page(
                    1,
                    "Relatório de protótipos\n\
                     Projeto P-AB1234 em andamento, São Paulo\n\
                     CPF 529.982.247-25\n\
                     Łódź — CPF 111.444.777-35, coração"
                ),
                page(2, "Página 2\nProtótipo P-CD5678"),
                // Shapes only, as a scan: read, nothing found.
                page(3, ""),
            ]
        );
    }

    /// LibreOffice's export: header and footer where the page draws them, a table row
    /// on one line, a footnote mark kept on its line.
    #[test]
    fn a_libreoffice_export_reads_as_its_page_shows() {
        let (seen, outcome) = pages("letter_libreoffice.pdf");
        outcome.expect("read");
        assert_eq!(
            seen,
            [page(
                1,
                "Cabeçalho P-HD0001\n\
                 Carta de admissão1\n\
                 Colaboradora: Ana Lima, CPF 529.982.247-25\n\
                 Projeto P-AB1234 confidencial.\n\
                 Nome CPF\n\
                 Bruno Souza 111.444.777-35\n\
                 Fim da carta.\n\
                 1 Nota: P-FN0003\n\
                 Rodapé P-FT0002"
            )]
        );
    }

    /// A filled-in form: each field's value is a line after the text of the page that
    /// shows the field, found from the widget's `/P` (page 1) or from the page's
    /// `/Annots` (page 2, its value UTF-16 as pypdf wrote it); a multi-line value is
    /// several lines.
    #[test]
    fn form_field_values_follow_their_pages_text() {
        let (seen, outcome) = pages("form_reportlab_pypdf.pdf");
        outcome.expect("read");
        assert_eq!(
            seen,
            [
                page(
                    1,
                    "Ficha de cadastro\n\
                     Nome:\n\
                     CPF:\n\
                     Observações:\n\
                     Ana Lima\n\
                     529.982.247-25\n\
                     Coração P-AB1234\n\
                     segunda linha"
                ),
                page(2, "Página 2\nProjeto P-CD5678 de Łódź"),
            ]
        );
    }

    #[test]
    fn an_empty_user_password_opens_rc4_and_aes_documents() {
        for name in [
            "rc4_empty_password_reportlab.pdf",
            "aes_empty_password_fpdf2.pdf",
        ] {
            let (seen, outcome) = pages(name);
            outcome.expect(name);
            assert_eq!(
                seen,
                [page(1, "Documento protegido\nCPF 529.982.247-25")],
                "{name}"
            );
        }
    }

    #[test]
    fn a_document_that_needs_a_password_is_not_read() {
        let (seen, outcome) = pages("password_fpdf2.pdf");
        assert_eq!(seen, []);
        let error = outcome.expect_err("needs a password");
        assert!(matches!(error, ReadError::PasswordProtected(Format::Pdf)));
        assert_eq!(error.reason(), crate::result::Reason::UnableToParseFile);
    }

    /// A page that fails to decode is left out; the others are read, and the reading
    /// ends with the failure (the object is PARTIAL).
    #[test]
    fn a_page_that_fails_is_skipped_and_the_rest_read() {
        let (seen, outcome) = pages("broken_page.pdf");
        assert_eq!(seen, [page(1, "Primeira página P-AB1234")]);
        let error = outcome.expect_err("page 2 fails");
        assert_eq!(error.reason(), crate::result::Reason::MalformedFile);
        assert!(error.to_string().contains("1 of 2 pages"), "{error}");
    }

    /// After a page fails in the one-pass reading, the pages after it are still read,
    /// each with its own number.
    #[test]
    fn the_pages_after_a_failed_one_are_read() {
        let (seen, outcome) = pages("broken_middle_page.pdf");
        assert_eq!(
            seen,
            [
                page(1, "Primeira página P-AB1234"),
                page(3, "Terceira página P-EF9012"),
            ]
        );
        let error = outcome.expect_err("page 2 fails");
        assert_eq!(error.reason(), crate::result::Reason::MalformedFile);
        assert!(error.to_string().contains("1 of 3 pages"), "{error}");
    }

    #[test]
    fn garbage_and_truncated_files_are_malformed() {
        let mut units = 0;
        let error = read_pdf(&b"%PDF-1.7\nnot really"[..], &mut |_: TextUnit<'_>| {
            units += 1
        })
        .expect_err("garbage");
        assert_eq!(error.reason(), crate::result::Reason::MalformedFile);
        let path = format!(
            "{}/../tests/fixtures/pdf/fonts_reportlab.pdf",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(path).expect("fixture");
        let cut = read_pdf(&bytes[..bytes.len() / 2], &mut |_: TextUnit<'_>| units += 1);
        assert_eq!(units, 0);
        assert_eq!(
            cut.expect_err("truncated").reason(),
            crate::result::Reason::MalformedFile
        );
    }
}
