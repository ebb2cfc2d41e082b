//! Makes a parsed document safe to hand to pdf-extract: every page's decoding ends.
//!
//! pdf-extract trusts a document's structure, and two kinds of structure make it run
//! forever or overflow the stack, which aborts the whole process rather than
//! panicking (so no `catch_unwind` can stop it):
//!
//! - **A loop in the page tree.** A page's inherited attributes (`Resources`,
//!   `MediaBox`) are looked up through its `/Parent` chain, with no end if the chain
//!   comes back on itself. The `/Parent` link that closes the loop is removed: the
//!   page tree is walked from the root through `/Kids` (lopdf guards that walk), so the
//!   link is only ever used for inheritance, and inheriting from a loop has no meaning.
//! - **Form XObjects drawn without end.** `Do` draws an XObject by running its
//!   content, recursively; a form that draws itself, directly or through others,
//!   recurses until the stack overflows, and forms that each draw the next one twice
//!   make the work grow as a power of the depth. Each page's drawing is rehearsed
//!   here, XObject names only, with a cap on depth and on the number of XObjects
//!   drawn; a page that exceeds either has its content removed and is reported as a
//!   page that could not be decoded (the object is PARTIAL).
//!
//! Images are XObjects too, and pdf-extract runs their pixel data as if it were page
//! content. Their data is emptied before any of this: ferret reads no image (OCR is out
//! of scope), a long image would only cost time and memory, and random pixel data
//! could spell a `Do` that draws the page's own forms.

use std::collections::HashMap;
use std::rc::Rc;

use pdf_extract::content::Content;
use pdf_extract::{Dictionary, Document, Object, ObjectId};

/// How deeply forms may nest. Real documents nest a handful of levels (a page draws a
/// logo that draws a path); pdf-extract's recursion uses some kilobytes of stack per
/// level, so this stays far inside a thread's stack.
pub(super) const MAX_FORM_DEPTH: usize = 32;

/// How many XObjects one page may draw, counting each drawing of the same one: far
/// more than a page of text and logos draws, few enough that pdf-extract finishes the
/// page in moments.
pub(super) const MAX_DRAWN_PER_PAGE: usize = 4096;

/// Prepares `document` for pdf-extract and returns the pages (by number) whose
/// content was removed because drawing it would not end.
pub(super) fn make_finite(document: &mut Document) -> Vec<u32> {
    empty_images(document);
    break_parent_loops(document);
    if !draws_forms(document) {
        // Nothing but images to draw: no page can draw without end.
        return Vec::new();
    }
    let pages = document.get_pages();
    let mut forms = FormNames::default();
    let endless: Vec<(u32, ObjectId)> = pages
        .into_iter()
        .filter(|&(_, id)| !draws_finitely(document, id, &mut forms))
        .collect();
    for &(_, id) in &endless {
        if let Ok(Object::Dictionary(page)) = document.get_object_mut(id) {
            page.remove(b"Contents");
        }
    }
    endless.into_iter().map(|(number, _)| number).collect()
}

/// Empties the data of every image XObject (see the module docs).
fn empty_images(document: &mut Document) {
    for object in document.objects.values_mut() {
        if let Object::Stream(stream) = object {
            let image = stream
                .dict
                .get(b"Subtype")
                .and_then(Object::as_name)
                .is_ok_and(|subtype| subtype == b"Image");
            if image {
                // Without its filters, the empty data reads as empty content.
                stream.dict.remove(b"Filter");
                stream.dict.remove(b"DecodeParms");
                stream.set_content(Vec::new());
            }
        }
    }
}

/// Whether any resource dictionary names an XObject that is not an image: only then
/// can drawing nest, and only then is each page's content rehearsed (which costs a
/// second decoding of it).
fn draws_forms(document: &Document) -> bool {
    let dictionaries = document.objects.values().filter_map(|object| match object {
        Object::Dictionary(dict) => Some(dict),
        Object::Stream(stream) => Some(&stream.dict),
        _ => None,
    });
    dictionaries
        .filter_map(|dict| dict.get(b"Resources").ok())
        .filter_map(|resources| document.dereference(resources).ok()?.1.as_dict().ok())
        .filter_map(|resources| resources.get(b"XObject").ok())
        .filter_map(|xobjects| document.dereference(xobjects).ok()?.1.as_dict().ok())
        .flat_map(|xobjects| xobjects.iter().map(|(_, entry)| entry))
        .any(|entry| {
            let image = document
                .dereference(entry)
                .and_then(|(_, object)| object.as_stream())
                .and_then(|stream| stream.dict.get(b"Subtype"))
                .and_then(Object::as_name)
                .is_ok_and(|subtype| subtype == b"Image");
            !image
        })
}

/// Removes each `/Parent` link that leads back into the chain it starts from.
fn break_parent_loops(document: &mut Document) {
    let pages: Vec<ObjectId> = document.get_pages().into_values().collect();
    for page in pages {
        let mut chain = vec![page];
        let mut node = page;
        loop {
            let parent = document
                .get_dictionary(node)
                .and_then(|dict| dict.get(b"Parent"))
                .and_then(Object::as_reference);
            let Ok(parent) = parent else { break };
            if chain.contains(&parent) {
                if let Ok(Object::Dictionary(dict)) = document.get_object_mut(node) {
                    dict.remove(b"Parent");
                }
                break;
            }
            chain.push(parent);
            node = parent;
        }
    }
}

/// The XObject names each form's content draws, decoded once per document.
#[derive(Default)]
struct FormNames(HashMap<ObjectId, Rc<[Vec<u8>]>>);

impl FormNames {
    fn of(&mut self, document: &Document, id: ObjectId) -> Rc<[Vec<u8>]> {
        self.0
            .entry(id)
            .or_insert_with(|| {
                let content = document
                    .get_object(id)
                    .and_then(Object::as_stream)
                    .map(|stream| {
                        stream
                            .decompressed_content()
                            .unwrap_or_else(|_| stream.content.clone())
                    })
                    .unwrap_or_default();
                drawn_names(&content).into()
            })
            .clone()
    }
}

/// The operands of the `Do` operators in `content`, in order.
fn drawn_names(content: &[u8]) -> Vec<Vec<u8>> {
    // Content pdf-extract cannot decode fails there, as a page that failed.
    let Ok(content) = Content::decode(content) else {
        return Vec::new();
    };
    content
        .operations
        .into_iter()
        .filter(|op| op.operator == "Do")
        .filter_map(|op| op.operands.first()?.as_name().ok().map(<[u8]>::to_vec))
        .collect()
}

/// Whether drawing page `id` stays within the caps, rehearsed as pdf-extract draws:
/// a form's names resolve in its own `Resources`, or in its caller's when it has none.
fn draws_finitely(document: &Document, id: ObjectId, forms: &mut FormNames) -> bool {
    let Some(resources) = page_resources(document, id) else {
        return true;
    };
    let content = document.get_page_content(id).unwrap_or_default();
    let names = drawn_names(&content);
    if names.is_empty() {
        return true;
    }
    let mut rehearsal = Rehearsal {
        document,
        forms,
        stack: Vec::new(),
        drawn: 0,
    };
    rehearsal.draw_all(&names, resources)
}

/// A page's resources, inherited through the (now loop-free) page tree.
fn page_resources(document: &Document, id: ObjectId) -> Option<&Dictionary> {
    let mut node = document.get_dictionary(id).ok()?;
    loop {
        if let Ok(resources) = node.get(b"Resources") {
            return document.dereference(resources).ok()?.1.as_dict().ok();
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = document.get_dictionary(parent).ok()?;
    }
}

struct Rehearsal<'d, 'f> {
    document: &'d Document,
    forms: &'f mut FormNames,
    /// The forms being drawn, outermost first.
    stack: Vec<ObjectId>,
    /// XObjects drawn so far on this page.
    drawn: usize,
}

impl<'d> Rehearsal<'d, '_> {
    /// Draws each of `names` in `resources`; false as soon as a cap is passed.
    fn draw_all(&mut self, names: &[Vec<u8>], resources: &'d Dictionary) -> bool {
        names.iter().all(|name| self.draw(name, resources))
    }

    fn draw(&mut self, name: &[u8], resources: &'d Dictionary) -> bool {
        let Some(id) = self.resolve(name, resources) else {
            // Not there: pdf-extract fails on the page, which is reported as such.
            return true;
        };
        self.drawn += 1;
        if self.drawn > MAX_DRAWN_PER_PAGE
            || self.stack.len() >= MAX_FORM_DEPTH
            || self.stack.contains(&id)
        {
            return false;
        }
        let Ok(stream) = self.document.get_object(id).and_then(Object::as_stream) else {
            return true;
        };
        let own = stream
            .dict
            .get(b"Resources")
            .and_then(|object| self.document.dereference(object))
            .and_then(|(_, object)| object.as_dict())
            .unwrap_or(resources);
        let names = self.forms.of(self.document, id);
        self.stack.push(id);
        let finite = self.draw_all(&names, own);
        self.stack.pop();
        finite
    }

    /// The XObject `name` stands for in `resources`, as pdf-extract looks it up.
    fn resolve(&self, name: &[u8], resources: &Dictionary) -> Option<ObjectId> {
        let xobjects = resources.get(b"XObject").ok()?;
        let (_, xobjects) = self.document.dereference(xobjects).ok()?;
        let entry = xobjects.as_dict().ok()?.get(name).ok()?;
        let (id, _) = self.document.dereference(entry).ok()?;
        id
    }
}

#[cfg(test)]
mod tests {
    use pdf_extract::{Object, Stream};

    use super::super::tests::{page, units};
    use super::*;

    fn name(name: &str) -> Object {
        Object::Name(name.as_bytes().to_vec())
    }

    fn dict(entries: Vec<(&str, Object)>) -> Dictionary {
        let mut dict = Dictionary::new();
        for (key, value) in entries {
            dict.set(key, value);
        }
        dict
    }

    /// A document written by lopdf, built page by page: the shapes that make
    /// pdf-extract loop are easier to state here than to coax out of a PDF library.
    struct Builder {
        document: Document,
        pages_id: ObjectId,
        kids: Vec<Object>,
        font: ObjectId,
    }

    impl Builder {
        fn new() -> Self {
            let mut document = Document::with_version("1.5");
            let pages_id = document.new_object_id();
            let font = document.add_object(dict(vec![
                ("Type", name("Font")),
                ("Subtype", name("Type1")),
                ("BaseFont", name("Helvetica")),
                ("Encoding", name("WinAnsiEncoding")),
            ]));
            Self {
                document,
                pages_id,
                kids: Vec::new(),
                font,
            }
        }

        /// Content that writes `text` on one line.
        fn text(text: &str) -> Vec<u8> {
            Self::text_at(text, 720)
        }

        /// Content that writes `text` on one line, `y` points up the page.
        fn text_at(text: &str, y: u32) -> Vec<u8> {
            format!("BT /F1 12 Tf 72 {y} Td ({text}) Tj ET\n").into_bytes()
        }

        fn resources(&self, xobjects: Vec<(&str, ObjectId)>) -> Dictionary {
            let xobjects = xobjects
                .into_iter()
                .map(|(key, id)| (key, Object::Reference(id)))
                .collect();
            dict(vec![
                (
                    "Font",
                    Object::Dictionary(dict(vec![("F1", self.font.into())])),
                ),
                ("XObject", Object::Dictionary(dict(xobjects))),
            ])
        }

        /// Adds a form XObject; its resources are its own when given.
        fn form(&mut self, content: Vec<u8>, resources: Option<Dictionary>) -> ObjectId {
            let mut entries = vec![
                ("Type", name("XObject")),
                ("Subtype", name("Form")),
                (
                    "BBox",
                    Object::Array(vec![0.into(), 0.into(), 612.into(), 792.into()]),
                ),
            ];
            if let Some(resources) = resources {
                entries.push(("Resources", Object::Dictionary(resources)));
            }
            self.document
                .add_object(Stream::new(dict(entries), content))
        }

        /// Reserves an object id to fill in later (for forms that refer to themselves).
        fn reserve(&mut self) -> ObjectId {
            self.document.new_object_id()
        }

        fn put(&mut self, id: ObjectId, object: impl Into<Object>) {
            self.document.objects.insert(id, object.into());
        }

        fn page(&mut self, content: Vec<u8>, resources: Dictionary) -> ObjectId {
            let contents = self
                .document
                .add_object(Stream::new(Dictionary::new(), content));
            let page = self.document.add_object(dict(vec![
                ("Type", name("Page")),
                ("Parent", self.pages_id.into()),
                (
                    "MediaBox",
                    Object::Array(vec![0.into(), 0.into(), 612.into(), 792.into()]),
                ),
                ("Contents", contents.into()),
                ("Resources", Object::Dictionary(resources)),
            ]));
            self.kids.push(page.into());
            page
        }

        fn bytes(mut self) -> Vec<u8> {
            let count = i64::try_from(self.kids.len()).expect("few pages");
            let pages = dict(vec![
                ("Type", name("Pages")),
                ("Kids", Object::Array(self.kids)),
                ("Count", count.into()),
            ]);
            self.document.objects.insert(self.pages_id, pages.into());
            let catalog = self.document.add_object(dict(vec![
                ("Type", name("Catalog")),
                ("Pages", self.pages_id.into()),
            ]));
            self.document.trailer.set("Root", catalog);
            let mut bytes = Vec::new();
            self.document.save_to(&mut bytes).expect("written");
            bytes
        }
    }

    /// Forms nested as documents nest them (a page draws a block that draws a logo,
    /// each with or without resources of its own) are drawn, and their text read.
    #[test]
    fn nested_forms_are_read() {
        let mut pdf = Builder::new();
        let inner = pdf.form(Builder::text_at("Inner P-AB1234", 720), None);
        let outer_resources = pdf.resources(vec![("Inner", inner)]);
        let outer = pdf.form(b"/Inner Do\n".to_vec(), Some(outer_resources));
        // No resources of its own: its font is the page's.
        let loose = pdf.form(Builder::text_at("Loose P-CD5678", 700), None);
        let resources = pdf.resources(vec![("Outer", outer), ("Loose", loose)]);
        pdf.page(b"/Outer Do /Loose Do\n".to_vec(), resources);
        let (seen, outcome) = units(&pdf.bytes()[..]);
        outcome.expect("read whole");
        assert_eq!(seen, [page(1, "Inner P-AB1234\nLoose P-CD5678")]);
    }

    /// A form that draws itself, directly or through another, would recurse until the
    /// stack overflows (which aborts the process); its page is reported as failed and
    /// the other pages are read.
    #[test]
    fn forms_that_draw_themselves_fail_their_page_only() {
        for through_another in [false, true] {
            let mut pdf = Builder::new();
            let first = pdf.reserve();
            let looping = if through_another {
                let second = pdf.form(b"/First Do\n".to_vec(), None);
                let resources = pdf.resources(vec![("First", first), ("Second", second)]);
                pdf.put(
                    first,
                    Stream::new(
                        dict(vec![
                            ("Subtype", name("Form")),
                            ("Resources", Object::Dictionary(resources.clone())),
                        ]),
                        b"/Second Do\n".to_vec(),
                    ),
                );
                resources
            } else {
                let resources = pdf.resources(vec![("First", first)]);
                pdf.put(
                    first,
                    Stream::new(
                        dict(vec![("Subtype", name("Form"))]),
                        b"/First Do\n".to_vec(),
                    ),
                );
                resources
            };
            pdf.page(Builder::text("Before P-AB1234"), pdf.resources(vec![]));
            pdf.page(b"/First Do\n".to_vec(), looping);
            pdf.page(Builder::text("After P-CD5678"), pdf.resources(vec![]));
            let (seen, outcome) = units(&pdf.bytes()[..]);
            assert_eq!(
                seen,
                [page(1, "Before P-AB1234"), page(3, "After P-CD5678")],
                "through another: {through_another}"
            );
            let error = outcome.expect_err("page 2 is endless");
            assert!(error.to_string().contains("1 of 3 pages"), "{error}");
        }
    }

    /// Forms that each draw the next twice are finite but would take 2^depth
    /// drawings; and a chain deeper than any document nests is refused as well.
    #[test]
    fn exploding_and_very_deep_forms_fail_their_page() {
        for (depth, per_form) in [(40, 2), (MAX_FORM_DEPTH + 8, 1)] {
            let mut pdf = Builder::new();
            let mut next = pdf.form(Builder::text("Leaf"), None);
            for _ in 0..depth {
                let content = "/Next Do\n".repeat(per_form).into_bytes();
                let resources = pdf.resources(vec![("Next", next)]);
                next = pdf.form(content, Some(resources));
            }
            let resources = pdf.resources(vec![("Next", next)]);
            pdf.page(b"/Next Do\n".to_vec(), resources);
            pdf.page(Builder::text("Second P-AB1234"), pdf.resources(vec![]));
            let (seen, outcome) = units(&pdf.bytes()[..]);
            assert_eq!(seen, [page(2, "Second P-AB1234")], "depth {depth}");
            let error = outcome.expect_err("page 1 is refused");
            assert!(error.to_string().contains("1 of 2 pages"), "{error}");
        }
    }

    /// Image data is never run as content: this image's bytes spell a drawing of
    /// itself, which pdf-extract would recurse on without end.
    #[test]
    fn image_data_is_not_drawn() {
        let mut pdf = Builder::new();
        let image = pdf.reserve();
        pdf.put(
            image,
            Stream::new(
                dict(vec![
                    ("Subtype", name("Image")),
                    ("Width", 1.into()),
                    ("Height", 1.into()),
                    ("ColorSpace", name("DeviceGray")),
                    ("BitsPerComponent", 8.into()),
                ]),
                b"/Im0 Do\n".to_vec(),
            ),
        );
        let resources = pdf.resources(vec![("Im0", image)]);
        let mut content = Builder::text("Signed P-AB1234");
        content.extend_from_slice(b"q 10 0 0 10 0 0 cm /Im0 Do Q\n");
        pdf.page(content, resources);
        let (seen, outcome) = units(&pdf.bytes()[..]);
        outcome.expect("read whole");
        assert_eq!(seen, [page(1, "Signed P-AB1234")]);
    }

    /// A page tree whose `/Parent` links loop (found by libFuzzer: pdf-extract looked
    /// for the page's media box up the loop forever). A looping page that has what it
    /// inherits is read; one that does not fails alone.
    #[test]
    fn a_looping_page_tree_ends() {
        let mut pdf = Builder::new();
        let first = pdf.page(Builder::text("Primeira P-AB1234"), pdf.resources(vec![]));
        let second = pdf.page(Builder::text("Segunda P-CD5678"), pdf.resources(vec![]));
        let mut document = Document::load_mem(&pdf.bytes()).expect("parsed");
        for (id, keep_media_box) in [(first, true), (second, false)] {
            let Ok(Object::Dictionary(page)) = document.get_object_mut(id) else {
                panic!("a page");
            };
            page.set("Parent", id);
            if !keep_media_box {
                page.remove(b"MediaBox");
            }
        }
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).expect("written");
        let (seen, outcome) = units(&bytes[..]);
        assert_eq!(seen, [page(1, "Primeira P-AB1234")]);
        let error = outcome.expect_err("page 2 has no media box");
        assert!(error.to_string().contains("1 of 2 pages"), "{error}");
    }
}
