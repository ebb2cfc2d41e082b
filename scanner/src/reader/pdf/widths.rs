//! Works out, once per document, the widths of fonts that do not list their own.
//!
//! pdf-extract builds every font afresh on every page: its font cache lives for one
//! page, as font resource names are only unique within a page. For a font without a
//! `/Widths` array (the 14 standard fonts, Helvetica first, which most generators use
//! unembedded and without widths) that means working out each code's width from the
//! font's built-in metrics, glyph name by glyph name: an eighth of the decoding time
//! of a text PDF, spent again on every page for the same answer.
//!
//! So each such font is built once here, by pdf-extract itself, on a page of our own
//! that shows its 256 codes, and the widths it reports are written into the font's
//! dictionary (`/FirstChar 0 /LastChar 255 /Widths [...]`), which pdf-extract reads
//! directly on every later page. The widths are the ones it would have worked out, so
//! the text, its lines and its spaces are the same; only the work is not repeated.
//!
//! Only fonts whose widths this cannot change the decoding of are touched: simple fonts
//! (`Type1`, `TrueType`, `MMType1`) with an `/Encoding`. Without one, pdf-extract takes
//! the font's built-in encoding from the same metrics, and listing widths would change
//! which characters codes decode to. A font whose widths are not whole numbers (only
//! an odd `/MissingWidth` can make them so) is left as it is too: lopdf stores reals
//! with less precision than pdf-extract computes with.

use pdf_extract::{
    Dictionary, Document, MediaBox, Object, ObjectId, OutputDev, OutputError, Stream, Transform,
};

use super::super::quiet::catch_quietly;

/// How many fonts one document has measured at most. Measuring a font costs about what
/// pdf-extract spends on it for one page; real documents have a few dozen fonts, and a
/// document made of nothing but font dictionaries should not cost more than that much.
/// Fonts beyond it keep being worked out page by page, as before.
const MAX_FONTS: usize = 1024;

/// Writes their widths into the document's simple fonts that have an encoding but no
/// widths (see the module docs).
pub(super) fn list_widths(document: &mut Document) {
    let fonts: Vec<ObjectId> = document
        .objects
        .iter()
        .filter(|(_, object)| object.as_dict().is_ok_and(lacks_widths))
        .map(|(&id, _)| id)
        .take(MAX_FONTS)
        .collect();
    for id in fonts {
        let Some(widths) = measure(document, id) else {
            continue;
        };
        if let Ok(Object::Dictionary(font)) = document.get_object_mut(id) {
            font.set("FirstChar", 0);
            font.set("LastChar", 255);
            font.set("Widths", widths);
        }
    }
}

/// Whether `dict` is a simple font with an encoding and without its widths.
fn lacks_widths(dict: &Dictionary) -> bool {
    let name_is = |key: &[u8], wanted: &[&[u8]]| {
        dict.get(key)
            .and_then(Object::as_name)
            .is_ok_and(|name| wanted.contains(&name))
    };
    name_is(b"Type", &[b"Font"])
        && name_is(b"Subtype", &[b"Type1", b"TrueType", b"MMType1"])
        && dict.get(b"BaseFont").and_then(Object::as_name).is_ok()
        && dict.has(b"Encoding")
        && !(dict.has(b"FirstChar") && dict.has(b"LastChar") && dict.has(b"Widths"))
}

/// The widths pdf-extract gives the 256 codes of font `id`, in thousandths of the
/// font size as `/Widths` lists them; None when it cannot build the font (its pages
/// then fail as they would have) or a width is not a whole number.
fn measure(document: &Document, id: ObjectId) -> Option<Vec<Object>> {
    let font = document.get_dictionary(id).ok()?;
    let sample = sample_document(document, font);
    let mut widths = Widths(Vec::with_capacity(256));
    let outcome = catch_quietly(|| pdf_extract::output_doc(&sample, &mut widths));
    if !matches!(outcome, Ok(Ok(()))) || widths.0.len() != 256 {
        return None;
    }
    widths
        .0
        .into_iter()
        .map(|width| {
            let thousandths = width * 1000.0;
            let whole = thousandths.round();
            // Whole numbers up to a rounding error of the division pdf-extract did.
            ((thousandths - whole).abs() < 1e-6 && whole.abs() < 1e9)
                .then(|| Object::Integer(whole as i64))
        })
        .collect()
}

/// A one-page document showing codes 0 to 255 in a copy of `font` made of what
/// pdf-extract derives widths from: its type, name, encoding and missing width.
fn sample_document(document: &Document, font: &Dictionary) -> Document {
    let mut sample = Document::with_version("1.7");
    let mut copy = Dictionary::new();
    for key in [
        &b"Type"[..],
        b"Subtype",
        b"BaseFont",
        b"Encoding",
        b"MissingWidth",
    ] {
        if let Ok(value) = font.get(key) {
            copy.set(key, resolved(document, value, 2));
        }
    }
    let font = sample.add_object(copy);
    let codes: Vec<u8> = (0..=255).collect();
    let mut content = b"BT /F0 1 Tf <".to_vec();
    for code in codes {
        content.extend_from_slice(format!("{code:02X}").as_bytes());
    }
    content.extend_from_slice(b"> Tj ET");
    let contents = sample.add_object(Stream::new(Dictionary::new(), content));
    let mut fonts = Dictionary::new();
    fonts.set("F0", font);
    let mut resources = Dictionary::new();
    resources.set("Font", fonts);
    let pages = sample.new_object_id();
    let mut page = Dictionary::new();
    page.set("Type", Object::Name(b"Page".to_vec()));
    page.set("Parent", pages);
    page.set(
        "MediaBox",
        vec![0.into(), 0.into(), 1000.into(), 1000.into()],
    );
    page.set("Resources", resources);
    page.set("Contents", contents);
    let page = sample.add_object(page);
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set("Kids", vec![page.into()]);
    tree.set("Count", 1);
    sample.objects.insert(pages, tree.into());
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", pages);
    let catalog = sample.add_object(catalog);
    sample.trailer.set("Root", catalog);
    sample
}

/// `object` with its references replaced by what they point to, `depth` levels down
/// (an encoding dictionary and its `/Differences` array), so that the copy stands
/// alone in the sample document. Deeper references are left dangling: pdf-extract
/// then fails on the sample, and the font is left as it is.
fn resolved(document: &Document, object: &Object, depth: usize) -> Object {
    let object = document
        .dereference(object)
        .map_or(object, |(_, object)| object);
    match object {
        Object::Dictionary(dict) if depth > 0 => {
            let mut copy = Dictionary::new();
            for (key, value) in dict.iter() {
                copy.set(key.clone(), resolved(document, value, depth - 1));
            }
            Object::Dictionary(copy)
        }
        Object::Array(items) if depth > 0 => Object::Array(
            items
                .iter()
                .map(|item| resolved(document, item, depth - 1))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Collects the width of each character shown.
struct Widths(Vec<f64>);

impl OutputDev for Widths {
    fn begin_page(
        &mut self,
        _page: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        _trm: &Transform,
        width: f64,
        _spacing: f64,
        _font_size: f64,
        _text: &str,
    ) -> Result<(), OutputError> {
        self.0.push(width);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn font(entries: Vec<(&str, Object)>) -> Dictionary {
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"Font".to_vec()));
        for (key, value) in entries {
            dict.set(key, value);
        }
        dict
    }

    fn name(name: &str) -> Object {
        Object::Name(name.as_bytes().to_vec())
    }

    fn widths_of(document: &Document, id: ObjectId) -> Option<Vec<i64>> {
        let font = document.get_dictionary(id).expect("a font");
        let widths = font.get(b"Widths").ok()?.as_array().expect("an array");
        Some(widths.iter().map(|w| w.as_i64().expect("whole")).collect())
    }

    /// Helvetica in WinAnsi gets its standard widths (the AFM's: `A` 667, space 278,
    /// `é` 556); through a `/Differences` encoding held by
    /// reference, a renamed code gets its new glyph's width.
    #[test]
    fn standard_fonts_get_their_widths_once() {
        let mut document = Document::with_version("1.7");
        let win_ansi = document.add_object(font(vec![
            ("Subtype", name("Type1")),
            ("BaseFont", name("Helvetica")),
            ("Encoding", name("WinAnsiEncoding")),
        ]));
        let differences = document.add_object(Object::Array(vec![65.into(), name("W")]));
        let encoding = document.add_object({
            let mut encoding = Dictionary::new();
            encoding.set("BaseEncoding", name("WinAnsiEncoding"));
            encoding.set("Differences", differences);
            encoding
        });
        let renamed = document.add_object(font(vec![
            ("Subtype", name("Type1")),
            ("BaseFont", name("Helvetica")),
            ("Encoding", encoding.into()),
        ]));
        list_widths(&mut document);
        let widths = widths_of(&document, win_ansi).expect("widths listed");
        assert_eq!(widths.len(), 256);
        assert_eq!((widths[65], widths[32], widths[0xE9]), (667, 278, 556));
        let widths = widths_of(&document, renamed).expect("widths listed");
        assert_eq!((widths[65], widths[66]), (944, 667), "A is drawn as W");
    }

    /// Fonts that list their widths, have no encoding (their built-in one comes from
    /// the same metrics), are composite, or that pdf-extract cannot build (an unknown
    /// encoding name) are left as they are.
    #[test]
    fn other_fonts_are_left_alone() {
        let mut document = Document::with_version("1.7");
        let listed = font(vec![
            ("Subtype", name("Type1")),
            ("BaseFont", name("Helvetica")),
            ("Encoding", name("WinAnsiEncoding")),
            ("FirstChar", 65.into()),
            ("LastChar", 65.into()),
            ("Widths", vec![Object::Integer(500)].into()),
        ]);
        let fonts = [
            listed.clone(),
            font(vec![
                ("Subtype", name("Type1")),
                ("BaseFont", name("Symbol")),
            ]),
            font(vec![
                ("Subtype", name("Type0")),
                ("BaseFont", name("Helvetica")),
                ("Encoding", name("Identity-H")),
            ]),
            font(vec![
                ("Subtype", name("Type1")),
                ("BaseFont", name("Helvetica")),
                ("Encoding", name("NoSuchEncoding")),
            ]),
        ];
        let ids: Vec<ObjectId> = fonts
            .iter()
            .map(|font| document.add_object(font.clone()))
            .collect();
        list_widths(&mut document);
        for (id, before) in ids.into_iter().zip(fonts) {
            assert_eq!(document.get_dictionary(id).expect("a font"), &before);
        }
    }
}
