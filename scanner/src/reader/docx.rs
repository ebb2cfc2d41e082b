//! DOCX (Word 2007 and later): the document's text as one unit, one paragraph a line.
//!
//! A document is a zip of XML parts. The container is first checked against the OOXML
//! limits, as a workbook is. The parts that hold text are then streamed through an XML
//! reader in the order Word keeps its stories in a `.doc` (so that both formats of one
//! document read alike): the body (`word/document.xml`, tables included: each cell's
//! paragraphs are lines), footnotes, headers, footers, comments, endnotes. A paragraph
//! ends its line; a line break (`<w:br/>`) inside one starts a new line, as Word shows
//! it; a tab is a tab. The body's empty paragraphs are empty lines; elsewhere they are
//! left out. Deleted text kept by revision tracking is read too (it is still
//! in the file), field instructions are not (their results are ordinary runs), nor are
//! the duplicate fallback copies of text boxes that Word writes for older readers.

use std::io::{self, BufReader, Read, Seek, SeekFrom};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

use super::spool::TextSpool;
use super::xlsx::check_container;
use super::{ReadError, Sink};
use crate::{Format, Limits};

/// The main document part, where Word, LibreOffice and python-docx all write it.
const BODY_PART: &str = "word/document.xml";

/// Reads the text of the DOCX `input` and hands it to `sink` as one text unit.
pub fn read_docx<R: Read + Seek>(
    mut input: R,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    check_container(&mut input, limits, BODY_PART).map_err(as_docx)?;
    input.seek(SeekFrom::Start(0))?;
    let mut archive = ZipArchive::new(input).map_err(|e| malformed(e.to_string()))?;
    let mut spool = TextSpool::new();
    for (index, part) in text_parts(&archive).into_iter().enumerate() {
        spool.keep_empty_lines(index == 0);
        let entry = archive
            .by_name(&part)
            .map_err(|e| malformed(e.to_string()))?;
        read_part(BufReader::new(entry), &mut spool)?;
    }
    spool.finish(sink)
}

/// Where Word, LibreOffice and Google Docs keep the files of embedded objects.
const EMBEDDINGS: &str = "word/embeddings/";

/// The files embedded in the document (a spreadsheet or another document inserted as
/// an object), by index and name in `archive`, in the archive's order: they are read
/// by their own formats, as archive members are, by whoever reads the document. Word
/// stores an Office file as it is (`Microsoft_Excel_Worksheet.xlsx`), anything else
/// in an OLE package (`oleObject1.bin`), which is no format ferret reads.
pub fn docx_embedded<R: Read + Seek>(archive: &ZipArchive<R>) -> Vec<(usize, String)> {
    (0..archive.len())
        .filter_map(|index| {
            let name = archive.name_for_index(index)?;
            let file = name.strip_prefix(EMBEDDINGS)?;
            (!file.is_empty() && !name.ends_with('/')).then(|| (index, name.to_owned()))
        })
        .collect()
}

/// The parts that hold the document's text, in reading order.
fn text_parts<R: Read + Seek>(archive: &ZipArchive<R>) -> Vec<String> {
    let names: Vec<&str> = archive.file_names().collect();
    let numbered = |prefix: &str| {
        let mut parts: Vec<(u32, String)> = names
            .iter()
            .filter_map(|name| {
                let number = name.strip_prefix(prefix)?.strip_suffix(".xml")?;
                Some((number.parse().unwrap_or(0), (*name).to_owned()))
            })
            .collect();
        parts.sort();
        parts.into_iter().map(|(_, name)| name)
    };
    let single = |name: &str| names.contains(&name).then(|| name.to_owned());
    let mut parts = vec![BODY_PART.to_owned()];
    parts.extend(single("word/footnotes.xml"));
    parts.extend(numbered("word/header"));
    parts.extend(numbered("word/footer"));
    parts.extend(single("word/comments.xml"));
    parts.extend(single("word/endnotes.xml"));
    parts
}

/// What an element means for the text, by its local name (WordprocessingML's `w:`
/// prefix is not fixed by the format).
enum Element {
    /// Text (`w:t`, `w:delText`): its content is read.
    Text,
    /// A paragraph: its end ends a line.
    Paragraph,
    /// Content that is not the document's text: skipped whole.
    Skipped,
    Other,
}

fn element(start: &BytesStart<'_>) -> Element {
    match start.local_name().as_ref() {
        b"t" | b"delText" => Element::Text,
        b"p" => Element::Paragraph,
        // Text boxes' copies for older readers; separator "notes" that only draw the
        // line above the footnotes.
        b"Fallback" => Element::Skipped,
        b"footnote" | b"endnote" if is_separator(start) => Element::Skipped,
        _ => Element::Other,
    }
}

/// Whether a footnote or endnote is one of the separators Word writes first.
fn is_separator(start: &BytesStart<'_>) -> bool {
    start.attributes().flatten().any(|attribute| {
        attribute.key.local_name().as_ref() == b"type"
            && matches!(
                attribute.value.as_ref(),
                b"separator" | b"continuationSeparator" | b"continuationNotice"
            )
    })
}

/// Streams one XML part's text into `spool`.
fn read_part<R: io::BufRead>(input: R, spool: &mut TextSpool) -> Result<(), ReadError> {
    let mut reader = Reader::from_reader(input);
    let mut buffer = Vec::new();
    // Depth inside skipped content (0: reading), and whether inside a text element.
    let mut skipping = 0usize;
    let mut in_text = false;
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|e| malformed(e.to_string()))?;
        match event {
            Event::Eof => return Ok(()),
            Event::Start(_) if skipping > 0 => skipping += 1,
            Event::End(_) if skipping > 0 => skipping -= 1,
            _ if skipping > 0 => {}
            Event::Start(start) => match element(&start) {
                Element::Text => in_text = true,
                Element::Skipped => skipping = 1,
                Element::Paragraph | Element::Other => {}
            },
            Event::Empty(empty) => match empty.local_name().as_ref() {
                b"tab" | b"ptab" => spool.push('\t')?,
                b"br" | b"cr" => spool.end_line()?,
                b"noBreakHyphen" => spool.push('-')?,
                // An empty paragraph is an empty line.
                b"p" => spool.end_line()?,
                _ => {}
            },
            Event::End(end) => match end.local_name().as_ref() {
                b"t" | b"delText" => in_text = false,
                b"p" => spool.end_line()?,
                _ => {}
            },
            Event::Text(text) if in_text => {
                let text = text.decode().map_err(|e| malformed(e.to_string()))?;
                spool.push_str(&text)?;
            }
            Event::CData(text) if in_text => {
                spool.push_str(&String::from_utf8_lossy(&text))?;
            }
            Event::GeneralRef(reference) if in_text => {
                if let Some(c) = resolve(&reference) {
                    spool.push(c)?;
                }
            }
            _ => {}
        }
        buffer.clear();
    }
}

/// The character an entity or character reference stands for (XML's five predefined
/// entities; WordprocessingML declares no others).
fn resolve(reference: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Some(c);
    }
    let name: &[u8] = reference;
    match name {
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"amp" => Some('&'),
        b"apos" => Some('\''),
        b"quot" => Some('"'),
        _ => None,
    }
}

/// The OOXML check's errors, which name workbooks, as this format's.
fn as_docx(error: ReadError) -> ReadError {
    match error {
        ReadError::Malformed { message, .. } => malformed(message),
        other => other,
    }
}

/// Longest parser message kept: some quote the content they failed on.
const MAX_MESSAGE_CHARS: usize = 200;

fn malformed(message: String) -> ReadError {
    ReadError::Malformed {
        format: Format::Docx,
        message: message.chars().take(MAX_MESSAGE_CHARS).collect(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::fs::File;

    use super::*;
    use crate::reader::{TextUnit, UnitPlace};

    pub(crate) fn text_of(
        read: impl FnOnce(&mut Sink<'_>) -> Result<(), ReadError>,
    ) -> (String, Result<(), ReadError>) {
        let mut text = String::new();
        let outcome = read(&mut |unit: TextUnit<'_>| {
            assert!(matches!(unit.place, UnitPlace::Text { .. }));
            assert_eq!(unit.span, None);
            text.push_str(&String::from_utf8_lossy(&unit.bytes[unit.search.clone()]));
        });
        (text, outcome)
    }

    fn fixture(path: &str) -> File {
        File::open(format!(
            "{}/../tests/fixtures/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
    }

    pub(crate) fn fixture_bytes(path: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../tests/fixtures/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
    }

    /// The letter's lines, as both its DOCX and its DOC (LibreOffice's conversion)
    /// read.
    pub(crate) const LETTER: &str = "Carta de admissão\n\
        Colaboradora: Ana Lima, CPF 529.982.247-25\n\
        \n\
        Projeto P-AB1234 confidencial.\n\
        Nome\nCPF\nBruno Souza\n111.444.777-35\n\
        Fim da carta.\n \
        Nota: P-FN0003\n\
        Cabeçalho P-HD0001\n\
        Rodapé P-FT0002\n\
        Revisar P-CM0004\n";

    /// Body paragraphs (an empty one included), table cells, footnote, header,
    /// footer and comment, one paragraph a line.
    #[test]
    fn every_story_is_read_one_paragraph_a_line() {
        let (text, outcome) =
            text_of(|sink| read_docx(fixture("docx/letter.docx"), &Limits::default(), sink));
        outcome.expect("read");
        assert_eq!(text, LETTER);
    }

    #[test]
    fn the_ooxml_limits_apply() {
        let ratio = Limits {
            max_ooxml_ratio: 2,
            ..Limits::default()
        };
        let (text, outcome) = text_of(|sink| read_docx(fixture("docx/letter.docx"), &ratio, sink));
        assert_eq!(text, "");
        assert_eq!(
            outcome.expect_err("ratio").reason(),
            crate::result::Reason::OoxmlUncompressedRatioExceedsLimit
        );
        let size = Limits {
            max_ooxml_bytes: 100_000,
            ..Limits::default()
        };
        let (_, outcome) = text_of(|sink| read_docx(fixture("docx/letter.docx"), &size, sink));
        assert_eq!(
            outcome.expect_err("size").reason(),
            crate::result::Reason::OoxmlUncompressedSizeExceedsLimit
        );
    }

    #[test]
    fn a_zip_without_a_document_part_is_malformed() {
        let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        zip.start_file("word/other.xml", zip::write::SimpleFileOptions::default())
            .expect("in memory");
        io::Write::write_all(&mut zip, b"<w:document/>").expect("in memory");
        let bytes = zip.finish().expect("in memory").into_inner();
        let (_, outcome) =
            text_of(|sink| read_docx(io::Cursor::new(bytes), &Limits::default(), sink));
        let error = outcome.expect_err("no body");
        assert!(
            matches!(
                error,
                ReadError::Malformed {
                    format: Format::Docx,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn entities_and_separators() {
        let xml = r#"<w:footnotes xmlns:w="w"><w:footnote w:type="separator"><w:p><w:r><w:t>skip</w:t></w:r></w:p></w:footnote><w:footnote><w:p><w:r><w:t>a &amp; b &#233;</w:t><w:tab/><w:t>c</w:t><w:br/><w:instrText>HYPERLINK</w:instrText><w:delText>old</w:delText></w:r></w:p></w:footnote></w:footnotes>"#;
        let mut spool = TextSpool::new();
        read_part(xml.as_bytes(), &mut spool).expect("parse");
        let (text, outcome) = text_of(|sink| spool.finish(sink));
        outcome.expect("read");
        assert_eq!(text, "a & b é\tc\nold\n");
    }
}
