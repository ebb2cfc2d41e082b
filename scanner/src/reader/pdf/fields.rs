//! The text typed into a PDF's form fields (AcroForm), placed on the pages that show it.
//!
//! A filled-in form keeps each field's value in the field's dictionary (`/V`), not in
//! any page's content: a page shows it through its widget annotation's appearance,
//! which text extraction does not draw. Values are read here from the form's field
//! tree and assigned to the page of the field's widget: the widget's `/P` entry, or
//! else the page whose `/Annots` lists it. A field whose widget is on no page is
//! hidden from view but still in the file, so it is placed on the first page rather
//! than lost.
//!
//! Only text is read: the values of text fields (`/FT /Tx`) and choice fields
//! (`/FT /Ch`, one value or a list of them). Buttons (check boxes, radio buttons) hold
//! a state name, not text, and signatures a signature. A value is a text string:
//! UTF-16BE or UTF-8 after a byte-order mark, PDFDocEncoding otherwise. A value stored
//! as a stream (a rare form of long text) is not read: it would be inflated whole.
//!
//! The field tree is the document's to shape, so its walk is bounded: each field is
//! visited once (a `/Kids` loop ends), to a fixed depth and a fixed number of fields.

use std::collections::{BTreeMap, HashMap, HashSet};

use pdf_extract::{Dictionary, Document, Object, ObjectId};

/// How deeply fields may nest: real forms nest a few levels (`address.street`).
const MAX_DEPTH: usize = 32;

/// How many fields are visited at most: far more than any real form has, few enough
/// to walk in moments.
const MAX_FIELDS: usize = 100_000;

/// Each page's form-field text (by page number), one line per value line, in the
/// order of the form's field tree.
pub(super) fn form_text(document: &Document) -> HashMap<u32, String> {
    let mut by_page: HashMap<u32, String> = HashMap::new();
    let Some(fields) = root_fields(document) else {
        return by_page;
    };
    let pages = document.get_pages();
    let Some(&first) = pages.keys().next() else {
        return by_page;
    };
    let places = Places::new(document, &pages);
    let mut walk = Walk {
        document,
        places: &places,
        seen: HashSet::new(),
        visited: 0,
    };
    for (value, page) in walk.values(fields) {
        let text = by_page.entry(page.unwrap_or(first)).or_default();
        // Form fillers end a multi-line value's lines with CR, LF or both.
        let lines = value.split(['\r', '\n']).map(clean);
        for line in lines.filter(|line| !line.is_empty()) {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&line);
        }
    }
    by_page.retain(|_, text| !text.is_empty());
    by_page
}

/// The form's top-level fields, when the document has a form.
fn root_fields(document: &Document) -> Option<&Vec<Object>> {
    let form = document.catalog().ok()?.get(b"AcroForm").ok()?;
    let form = deref(document, form)?.as_dict().ok()?;
    deref(document, form.get(b"Fields").ok()?)?.as_array().ok()
}

fn deref<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Object> {
    document.dereference(object).ok().map(|(_, object)| object)
}

/// Where widgets are: page objects and annotations, by id, to page numbers.
struct Places {
    pages: HashMap<ObjectId, u32>,
    annotations: HashMap<ObjectId, u32>,
}

impl Places {
    fn new(document: &Document, pages: &BTreeMap<u32, ObjectId>) -> Self {
        let mut annotations = HashMap::new();
        for (&number, &id) in pages {
            let listed = document
                .get_dictionary(id)
                .ok()
                .and_then(|page| page.get(b"Annots").ok())
                .and_then(|annots| deref(document, annots))
                .and_then(|annots| annots.as_array().ok());
            for annotation in listed.into_iter().flatten() {
                if let Ok(id) = annotation.as_reference() {
                    // An annotation listed by two pages belongs to the first.
                    annotations.entry(id).or_insert(number);
                }
            }
        }
        Self {
            pages: pages.iter().map(|(&number, &id)| (id, number)).collect(),
            annotations,
        }
    }

    /// The page a widget (a field's own dictionary or one of its kids) is on.
    fn of(&self, id: ObjectId, widget: &Dictionary) -> Option<u32> {
        let on = widget.get(b"P").and_then(Object::as_reference).ok();
        on.and_then(|page| self.pages.get(&page))
            .or_else(|| self.annotations.get(&id))
            .copied()
    }
}

struct Walk<'a> {
    document: &'a Document,
    places: &'a Places,
    /// Fields visited, so that a loop in `/Kids` ends.
    seen: HashSet<ObjectId>,
    visited: usize,
}

impl Walk<'_> {
    /// Each text value in the field trees under `roots`, with the page its field is
    /// shown on, in tree order.
    fn values(&mut self, roots: &[Object]) -> Vec<(String, Option<u32>)> {
        let mut values = Vec::new();
        // Depth first, in order: a stack of (field, depth, inherited field type).
        let mut stack: Vec<(&Object, usize, Option<Vec<u8>>)> =
            roots.iter().rev().map(|field| (field, 0, None)).collect();
        while let Some((field, depth, inherited)) = stack.pop() {
            if self.visited >= MAX_FIELDS || depth > MAX_DEPTH {
                continue;
            }
            let Ok(id) = field.as_reference() else {
                continue; // Fields are indirect objects; anything else is not one.
            };
            if !self.seen.insert(id) {
                continue;
            }
            self.visited += 1;
            let Ok(dict) = self.document.get_dictionary(id) else {
                continue;
            };
            let kind = dict
                .get(b"FT")
                .and_then(Object::as_name)
                .map(<[u8]>::to_vec)
                .ok()
                .or(inherited);
            let kids = dict
                .get(b"Kids")
                .ok()
                .and_then(|kids| deref(self.document, kids))
                .and_then(|kids| kids.as_array().ok());
            let is_text = matches!(kind.as_deref(), Some(b"Tx" | b"Ch"));
            if let (true, Ok(value)) = (is_text, dict.get(b"V")) {
                let page = self.places.of(id, dict).or_else(|| {
                    // The field's widgets are its kids when it is not one itself.
                    kids.into_iter().flatten().find_map(|kid| {
                        let kid = kid.as_reference().ok()?;
                        self.places.of(kid, self.document.get_dictionary(kid).ok()?)
                    })
                });
                for text in self.texts(value) {
                    values.push((text, page));
                }
            }
            for kid in kids.into_iter().flatten().rev() {
                stack.push((kid, depth + 1, kind.clone()));
            }
        }
        values
    }

    /// The text strings a value holds: one, or a choice field's list of them.
    fn texts(&self, value: &Object) -> Vec<String> {
        match deref(self.document, value) {
            Some(Object::String(bytes, _)) => vec![decode_text(bytes)],
            Some(Object::Array(items)) => items
                .iter()
                .filter_map(|item| match deref(self.document, item)? {
                    Object::String(bytes, _) => Some(decode_text(bytes)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Decodes a PDF text string: UTF-16BE or UTF-8 after their byte-order marks,
/// PDFDocEncoding otherwise. Invalid sequences are replaced, never fatal.
fn decode_text(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units = rest
                .chunks(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]));
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => bytes.iter().map(|&byte| pdf_doc_char(byte)).collect(),
    }
}

/// A PDFDocEncoding byte as a character. The encoding is Latin-1 but for 0x18-0x1F
/// (accents) and 0x80-0x9F (typographic marks); its few undefined codes read as the
/// replacement character. lopdf has a table of it, but one without the tab and line
/// breaks, and a multi-line field's lines matter here.
fn pdf_doc_char(byte: u8) -> char {
    const LOW: [char; 8] = ['˘', 'ˇ', 'ˆ', '˙', '˝', '˛', '˚', '˜'];
    const HIGH: [char; 32] = [
        '•', '†', '‡', '…', '—', '–', 'ƒ', '⁄', '‹', '›', '−', '‰', '„', '“', '”', '‘', '’', '‚',
        '™', 'ﬁ', 'ﬂ', 'Ł', 'Œ', 'Š', 'Ÿ', 'Ž', 'ı', 'ł', 'œ', 'š', 'ž', '\u{FFFD}',
    ];
    match byte {
        0x18..=0x1F => LOW[usize::from(byte - 0x18)],
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        0x7F | 0xAD => char::REPLACEMENT_CHARACTER,
        0xA0 => '€',
        _ => char::from(byte),
    }
}

/// One line of a value, without the control characters broken forms put in it.
fn clean(line: &str) -> String {
    line.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .collect()
}

#[cfg(test)]
mod tests {
    use pdf_extract::{Object, StringFormat};

    use super::*;

    fn dict(entries: Vec<(&str, Object)>) -> Dictionary {
        let mut dict = Dictionary::new();
        for (key, value) in entries {
            dict.set(key, value);
        }
        dict
    }

    fn name(name: &str) -> Object {
        Object::Name(name.as_bytes().to_vec())
    }

    fn text(bytes: &[u8]) -> Object {
        Object::String(bytes.to_vec(), StringFormat::Literal)
    }

    /// A two-page document whose form is `fields` (built by `make`, given the pages'
    /// ids and the document to add objects to).
    fn document(make: impl FnOnce(&mut Document, [ObjectId; 2]) -> Vec<Object>) -> Document {
        let mut document = Document::with_version("1.7");
        let pages_id = document.new_object_id();
        let pages: [ObjectId; 2] = std::array::from_fn(|_| {
            document.add_object(dict(vec![
                ("Type", name("Page")),
                ("Parent", pages_id.into()),
            ]))
        });
        document.objects.insert(
            pages_id,
            dict(vec![
                ("Type", name("Pages")),
                (
                    "Kids",
                    pages.iter().map(|&id| id.into()).collect::<Vec<_>>().into(),
                ),
                ("Count", 2.into()),
            ])
            .into(),
        );
        let fields = make(&mut document, pages);
        let form = document.add_object(dict(vec![("Fields", fields.into())]));
        let catalog = document.add_object(dict(vec![
            ("Type", name("Catalog")),
            ("Pages", pages_id.into()),
            ("AcroForm", form.into()),
        ]));
        document.trailer.set("Root", catalog);
        document
    }

    /// A field whose value is on the parent and whose widgets are its kids (one field
    /// shown twice counts once, on its first widget's page); a choice list; a check
    /// box (not text); a field with no widget on any page (first page); and kids that
    /// loop back to their parent.
    #[test]
    fn field_trees_are_walked_once_in_order() {
        let document = document(|doc, [first, second]| {
            let parent = doc.new_object_id();
            let widgets: Vec<Object> = [second, first]
                .into_iter()
                .map(|page| {
                    doc.add_object(dict(vec![
                        ("Subtype", name("Widget")),
                        ("Parent", parent.into()),
                        ("P", page.into()),
                    ]))
                    .into()
                })
                .collect();
            let mut kids = widgets;
            kids.push(parent.into()); // a loop: the field is its own kid
            doc.objects.insert(
                parent,
                dict(vec![
                    ("FT", name("Tx")),
                    ("T", text(b"address")),
                    ("V", text(b"Rua A, 10\r\nS\x8fo Paulo")),
                    ("Kids", kids.into()),
                ])
                .into(),
            );
            let list = doc.add_object(dict(vec![
                ("FT", name("Ch")),
                (
                    "V",
                    vec![text(b"P-AB1234"), text(b"\xFE\xFF\x00P\x00-\x01\x41")].into(),
                ),
                ("P", first.into()),
            ]));
            let check = doc.add_object(dict(vec![
                ("FT", name("Btn")),
                ("V", name("Yes")),
                ("P", first.into()),
            ]));
            let hidden = doc.add_object(dict(vec![
                ("FT", name("Tx")),
                ("V", text(b"\xEF\xBB\xBFoculto")),
            ]));
            vec![parent.into(), list.into(), check.into(), hidden.into()]
        });
        let by_page = form_text(&document);
        assert_eq!(
            by_page,
            HashMap::from([
                (1, "P-AB1234\nP-Ł\noculto".to_owned()),
                (2, "Rua A, 10\nS‘o Paulo".to_owned()),
            ])
        );
    }

    #[test]
    fn a_document_without_a_form_has_no_field_text() {
        let mut document = document(|_, _| Vec::new());
        assert!(form_text(&document).is_empty());
        let catalog = document.trailer.get(b"Root").and_then(Object::as_reference);
        let catalog = catalog.expect("a catalog");
        document
            .get_dictionary_mut(catalog)
            .expect("a catalog")
            .remove(b"AcroForm");
        assert!(form_text(&document).is_empty());
    }

    #[test]
    fn text_strings_decode_in_each_encoding() {
        assert_eq!(decode_text(b"Cora\xe7\xe3o \x84 \x18"), "Coração — ˘");
        assert_eq!(decode_text(b"\xFE\xFF\x00A\xD8\x00\x00B"), "A\u{FFFD}B");
        assert_eq!(decode_text(b"\xFE\xFF\x00A\x00"), "A\u{0}");
        assert_eq!(decode_text(b"\xEF\xBB\xBFA\xffB"), "A\u{FFFD}B");
    }
}
