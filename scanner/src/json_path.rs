//! The `jsonPath` of a record occurrence, written by Macie's rules for that field.
//!
//! Macie's API reference (`Record.jsonPath`): "If Amazon Macie detects sensitive data in
//! the name of any element in the path, Macie omits this field. If the name of an element
//! exceeds 240 characters, Macie truncates the name by removing characters from the
//! beginning of the name. If the resulting full path exceeds 250 characters, Macie also
//! truncates the path, starting with the first element in the path, until the path
//! contains 250 or fewer characters."
//!
//! Characters are Unicode scalar values, as everywhere Macie counts characters. A path
//! is cut by whole elements: the root `$` goes first, then the outermost keys and
//! indices, so a cut path reads as a relative one (`.k7.k8[2]`) and never passes for a
//! whole path. An element that does not fit alone (a 240-character name whose quotes and
//! backslashes are escaped) loses more characters from the beginning of its name.
//!
//! Notation: `$` for the root, `.key` for a key that is an identifier
//! (`[A-Za-z_][A-Za-z0-9_]*`), `['key']` for any other key (with `'` and `\` escaped by a
//! backslash) and `[3]` for an array index: `$.employees[2].cpf`, `$['first name']`.

use std::collections::HashMap;
use std::fmt::Write as _;

use ferret_identifiers::{IdentifierSet, UnitContext};

/// The longest element name Macie writes, in characters.
pub const MAX_NAME_CHARS: usize = 240;

/// The longest path Macie writes, in characters.
pub const MAX_PATH_CHARS: usize = 250;

/// One step from a container to a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The value of an object's current key: the next of [`JsonPath::keys`].
    Key,
    /// Element `n` (0-based) of an array.
    Index(u64),
}

/// Where a JSON value sits: the steps from the root, and the object keys among them.
///
/// Kept as parts rather than as text so that a reader pays nothing per value for a path
/// that is only written when an occurrence is listed, and so that the key names can be
/// judged before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonPath<'a> {
    steps: &'a [Step],
    keys: &'a [String],
}

impl<'a> JsonPath<'a> {
    /// A path of `steps` whose [`Step::Key`]s are, in order, `keys`.
    pub fn new(steps: &'a [Step], keys: &'a [String]) -> Self {
        debug_assert_eq!(
            steps.iter().filter(|s| **s == Step::Key).count(),
            keys.len()
        );
        JsonPath { steps, keys }
    }

    /// The object keys on the path, outermost first.
    pub fn keys(&self) -> &'a [String] {
        self.keys
    }

    /// The path as Macie writes it, names and length truncated; key names are written
    /// as they are, so callers that write results go through [`RecordPaths`].
    pub fn to_macie(&self) -> String {
        let mut keys = self.keys.iter();
        let elements: Vec<Element<'_>> = self
            .steps
            .iter()
            .map(|step| match step {
                Step::Index(index) => Element::Index(*index),
                Step::Key => Element::Name(last_chars(
                    keys.next().map_or("", String::as_str),
                    MAX_NAME_CHARS,
                )),
            })
            .collect();
        write_within(&elements, MAX_PATH_CHARS)
    }
}

/// A path element, its name already cut to [`MAX_NAME_CHARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Element<'k> {
    Name(&'k str),
    Index(u64),
}

impl Element<'_> {
    fn write(&self, out: &mut String) {
        match self {
            Element::Name(name) => push_name(out, name),
            // Writing to a String cannot fail.
            Element::Index(index) => {
                let _ = write!(out, "[{index}]");
            }
        }
    }

    fn written(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// `$` and `elements`, or, when that is longer than `max` characters, the shortest run
/// of whole elements from the end that is, without the `$`.
fn write_within(elements: &[Element<'_>], max: usize) -> String {
    let written: Vec<String> = elements.iter().map(Element::written).collect();
    let lengths: Vec<usize> = written.iter().map(|w| w.chars().count()).collect();
    let root = "$".len();
    if root + lengths.iter().sum::<usize>() <= max {
        let mut path = String::from("$");
        written.iter().for_each(|w| path.push_str(w));
        return path;
    }
    let mut from = elements.len();
    let mut length = 0;
    while from > 0 && length + lengths[from - 1] <= max {
        from -= 1;
        length += lengths[from];
    }
    match (from == elements.len(), elements.last()) {
        (true, Some(Element::Name(name))) => name_within(name, max),
        _ => written[from..].concat(),
    }
}

/// The element for `name` alone, its name cut from the beginning until it fits in `max`
/// characters (escapes make a written name up to twice as long as the name).
fn name_within(name: &str, max: usize) -> String {
    let mut rest = name;
    loop {
        let mut out = String::new();
        push_name(&mut out, rest);
        if out.chars().count() <= max || rest.is_empty() {
            return out;
        }
        let mut chars = rest.chars();
        chars.next();
        rest = chars.as_str();
    }
}

/// The last `max` characters of `text`.
fn last_chars(text: &str, max: usize) -> &str {
    match text.char_indices().rev().nth(max.saturating_sub(1)) {
        Some((start, _)) if max > 0 => &text[start..],
        Some(_) => "",
        None => text,
    }
}

/// Appends a key to a path: `.key` for an identifier, `['key']` otherwise.
fn push_name(path: &mut String, key: &str) {
    if is_identifier(key) {
        path.push('.');
        path.push_str(key);
        return;
    }
    path.push_str("['");
    for c in key.chars() {
        if matches!(c, '\'' | '\\') {
            path.push('\\');
        }
        path.push(c);
    }
    path.push_str("']");
}

/// `[A-Za-z_][A-Za-z0-9_]*`: a key that dot notation can show unquoted.
fn is_identifier(key: &str) -> bool {
    let mut bytes = key.bytes();
    matches!(bytes.next(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'_'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Writes the `jsonPath` of an object's record occurrences: none when a key on the path
/// holds sensitive data, Macie's truncated path otherwise.
///
/// A key holds sensitive data when any identifier of the set keeps a match in it, by the
/// rules a value is judged by, with the keys outside it as its JSON context. Keys are
/// judged only here, when an occurrence is listed, never as units: Macie reports values,
/// and a key is never a detection of its own. Verdicts are cached per sequence of keys,
/// so the thousands of occurrences under the same keys cost one judgment.
pub struct RecordPaths<'s> {
    set: &'s IdentifierSet,
    /// Whether a key holds sensitive data, per sequence of keys.
    verdicts: HashMap<Vec<String>, bool>,
    /// Key bytes held by `verdicts`, to bound it: keys may be long and many.
    cached_bytes: usize,
}

/// The most key bytes [`RecordPaths`] caches before it starts over.
const MAX_CACHED_BYTES: usize = 1 << 20;

impl<'s> RecordPaths<'s> {
    pub fn new(set: &'s IdentifierSet) -> Self {
        RecordPaths {
            set,
            verdicts: HashMap::new(),
            cached_bytes: 0,
        }
    }

    /// The `jsonPath` to write for a value at `path`: `None` when a key on it holds
    /// sensitive data.
    pub fn json_path(&mut self, path: &JsonPath<'_>) -> Option<String> {
        if self.any_key_sensitive(path.keys()) {
            return None;
        }
        Some(path.to_macie())
    }

    fn any_key_sensitive(&mut self, keys: &[String]) -> bool {
        if let Some(&sensitive) = self.verdicts.get(keys) {
            return sensitive;
        }
        let sensitive = keys_hold_kept_match(self.set, keys);
        let bytes: usize = keys.iter().map(String::len).sum();
        if self.cached_bytes + bytes > MAX_CACHED_BYTES {
            self.verdicts.clear();
            self.cached_bytes = 0;
        }
        self.cached_bytes += bytes;
        self.verdicts.insert(keys.to_vec(), sensitive);
        sensitive
    }
}

/// Whether any of `keys` holds a match `set` keeps, each read under the keys outside it
/// (as a value is read under the keys on its path).
fn keys_hold_kept_match(set: &IdentifierSet, keys: &[String]) -> bool {
    (0..keys.len())
        .any(|at| set.holds_kept_match(keys[at].as_bytes(), UnitContext::JsonKeys(&keys[..at])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::identifier_set;

    fn owned(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    /// The Macie path of `steps`, with `keys` for its key steps.
    fn macie(steps: &[Step], keys: &[&str]) -> String {
        JsonPath::new(steps, &owned(keys)).to_macie()
    }

    /// A path of keys only.
    fn of_keys(keys: &[&str]) -> String {
        macie(&vec![Step::Key; keys.len()], keys)
    }

    #[test]
    fn short_paths_use_dots_for_identifiers_and_brackets_for_other_keys() {
        assert_eq!(macie(&[], &[]), "$");
        let steps = [Step::Key, Step::Index(2), Step::Key];
        assert_eq!(macie(&steps, &["employees", "cpf"]), "$.employees[2].cpf");
        assert_eq!(
            of_keys(&[
                "first name",
                "it's",
                r"back\slash",
                "1st",
                "",
                "_ok9",
                "x.y"
            ]),
            r"$['first name']['it\'s']['back\\slash']['1st']['']._ok9['x.y']"
        );
        assert_eq!(of_keys(&["número", "東京"]), "$['número']['東京']");
        assert_eq!(macie(&[Step::Index(0), Step::Index(17)], &[]), "$[0][17]");
    }

    #[test]
    fn a_name_longer_than_240_characters_loses_its_beginning() {
        let at_limit = format!("{}z", "a".repeat(MAX_NAME_CHARS - 1));
        assert_eq!(of_keys(&[&at_limit]), format!("$.{at_limit}"));
        let over = format!("b{at_limit}");
        assert_eq!(of_keys(&[&over]), format!("$.{at_limit}"));
        let long = format!("{}tail", "x".repeat(296));
        assert_eq!(
            of_keys(&[&long]),
            format!("$.{}tail", "x".repeat(MAX_NAME_CHARS - 4))
        );
        // Characters, not bytes: 241 two-byte characters lose one.
        let accented = "é".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            of_keys(&[&accented]),
            format!("$['{}']", "é".repeat(MAX_NAME_CHARS))
        );
        // Cut first, then written: a name that was not an identifier may become one.
        let dashed = format!("-{}", "a".repeat(MAX_NAME_CHARS));
        assert_eq!(of_keys(&[&dashed]), format!("$.{}", "a".repeat(240)));
    }

    #[test]
    fn a_path_of_250_characters_is_whole_and_a_longer_one_loses_whole_elements() {
        // `$` and 83 elements `.kN` of 3 characters: 250 characters.
        let keys: Vec<String> = (0..83).map(|i| format!("k{}", i % 10)).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let whole = of_keys(&refs);
        assert_eq!(whole.chars().count(), MAX_PATH_CHARS);
        assert!(whole.starts_with("$.k0.k1"));
        // One more element: the `$` goes, then the first elements, whole.
        let mut longer = refs.clone();
        longer.push("k3");
        let cut = of_keys(&longer);
        assert_eq!(cut.chars().count(), 249);
        assert!(cut.starts_with(".k1.k2"), "{cut}");
        assert!(cut.ends_with(".k2.k3"), "{cut}");
        // 251 characters in total: only the `$` goes.
        let mut one_over = refs[1..].to_vec();
        one_over.insert(0, "k12");
        let cut = of_keys(&one_over);
        assert_eq!(cut.chars().count(), MAX_PATH_CHARS);
        assert!(cut.starts_with(".k12.k1"), "{cut}");
    }

    #[test]
    fn the_audit_cases_fit_in_250_characters() {
        // 130 levels (522 characters written whole).
        let keys: Vec<String> = (0..130).map(|i| format!("l{:02}", i % 100)).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let cut = of_keys(&refs);
        assert_eq!(cut.chars().count(), 248);
        assert!(cut.ends_with(".l28.l29"), "{cut}");
        assert!(cut.starts_with(".l68"), "{cut}");
        // A 300-character key under two others.
        let long = "k".repeat(300);
        let cut = of_keys(&["a", "b", &long]);
        assert_eq!(cut, format!("$.a.b.{}", "k".repeat(MAX_NAME_CHARS)));
        // Indices count like names, and the last element always stays.
        let mut steps = vec![Step::Index(1000); 40];
        steps.push(Step::Key);
        let cut = macie(&steps, &[&long]);
        assert_eq!(cut, format!("[1000].{}", "k".repeat(MAX_NAME_CHARS)));
    }

    #[test]
    fn an_escaped_name_too_long_alone_loses_more_of_its_beginning() {
        // 240 quotes are written as 480 characters: the name is cut until it fits.
        let quotes = "'".repeat(300);
        let cut = of_keys(&["a", &quotes]);
        assert_eq!(cut, format!("['{}']", r"\'".repeat(123)));
        assert!(cut.chars().count() <= MAX_PATH_CHARS);
    }

    #[test]
    fn last_chars_counts_characters() {
        assert_eq!(last_chars("abc", 2), "bc");
        assert_eq!(last_chars("abc", 3), "abc");
        assert_eq!(last_chars("abc", 5), "abc");
        assert_eq!(last_chars("aé😀", 2), "é😀");
        assert_eq!(last_chars("abc", 0), "");
        assert_eq!(last_chars("", 4), "");
    }

    #[test]
    fn a_sensitive_key_anywhere_on_the_path_omits_it() {
        let set = identifier_set(
            "[[identifier]]\nname = \"emp\"\nregex = 'EMP-\\d{5}'\nkeywords = [\"staff\"]\n",
        );
        let mut paths = RecordPaths::new(&set);
        let mut path_of = |keys: &[&str]| {
            let keys = owned(keys);
            paths.json_path(&JsonPath::new(&vec![Step::Key; keys.len()], &keys))
        };
        assert_eq!(path_of(&["contact", "x"]), Some("$.contact.x".to_owned()));
        assert_eq!(path_of(&["4539148803436467"]), None);
        assert_eq!(path_of(&["contact", "jane.doe@example.com", "x"]), None);
        // Rejected candidates are not sensitive: a failed checksum, no keyword.
        assert_eq!(
            path_of(&["4539148803436468"]),
            Some("$['4539148803436468']".to_owned())
        );
        assert_eq!(path_of(&["EMP-13001"]), Some("$['EMP-13001']".to_owned()));
        // A keyword in an outer key keeps the match in an inner one, as for values.
        assert_eq!(path_of(&["staff", "EMP-13001"]), None);
        assert_eq!(
            path_of(&["EMP-13001", "staff"]),
            Some("$['EMP-13001'].staff".to_owned())
        );
    }

    #[test]
    fn verdicts_are_cached_per_sequence_of_keys_within_a_bound() {
        let set = identifier_set("");
        let mut paths = RecordPaths::new(&set);
        let keys = owned(&["a", "4539148803436467"]);
        let steps = [Step::Key, Step::Index(3), Step::Key];
        for _ in 0..3 {
            assert_eq!(paths.json_path(&JsonPath::new(&steps, &keys)), None);
        }
        assert_eq!(paths.verdicts.len(), 1);
        let long = vec!["k".repeat(MAX_CACHED_BYTES / 2 + 1)];
        let steps = [Step::Key];
        paths.json_path(&JsonPath::new(&steps, &long));
        paths.json_path(&JsonPath::new(&steps, &[long[0].clone() + "x"]));
        assert!(paths.cached_bytes <= MAX_CACHED_BYTES);
        assert_eq!(paths.verdicts.len(), 1);
    }
}
