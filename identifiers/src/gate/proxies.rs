//! The gated keywords as a pattern a table's walk carries in place of their
//! identifiers' own.
//!
//! A gated identifier keeps a match in a cell only with one of its keywords in the
//! cell's text (as a word of its own) or in the column's name. The reader hands over
//! every cell of a column whose name holds one; everywhere else, the walk need only
//! find the cells that hold a keyword and hand them over with the gated identifiers.
//! Walking the keywords costs far less than walking the loose formats they guard
//! (dates and digit runs match in most cells of a table), and needs no pass of its own.
//!
//! Soundness: the pattern matches, inside a unit laid out between separators, every
//! occurrence [`as_whole_word`](crate::keywords::as_whole_word) accepts of a
//! spelling. Such an occurrence has no ASCII letter or digit on either side (past
//! its plural ending, if any): so before it there is the unit's start (a separator or
//! the buffer's start in the walk, both non-word), a non-word byte, or `_`, which the
//! pattern consumes; and after it the same. The pattern is wider than the rule (any
//! case of an ASCII letter, any ending `s` or `es`), which only hands over more
//! cells. A spelling that holds a separator byte can never lie inside a unit, and is
//! left out.

use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, Look, Repetition};

use crate::prefilter::{DetectorMask, Proxy};

/// One [`Proxy`] for every spelling of `spellings`, standing for all the `gated`
/// detectors: `None` when no spelling can lie inside a unit. The matcher then takes
/// out, cell by cell, the detectors whose own keywords the cell does not hold.
///
/// One pattern, shaped as a trie: a state of the walk's automaton after a word start
/// holds only the spellings' first bytes, not each spelling (an alternation of the
/// 1,250 managed spellings made every such state cost thousands of steps to build).
/// One pattern per identifier would name the right ones at once, but their tries would
/// be walked side by side, as many as there are identifiers.
pub(super) fn keyword_proxy(
    spellings: &[String],
    gated: &DetectorMask,
    separators: &[u8],
) -> Option<Proxy> {
    let mut words: Vec<Vec<u8>> = spellings
        .iter()
        .map(|spelling| spelling.as_bytes().to_ascii_lowercase())
        .filter(|bytes| !bytes.is_empty() && !bytes.iter().any(|b| separators.contains(b)))
        .collect();
    if words.is_empty() {
        return None;
    }
    words.sort_unstable();
    words.dedup();
    Some(Proxy {
        hir: as_whole_words(trie(&words, 0)),
        detectors: gated.clone(),
    })
}

/// The trie of `words` (sorted, ASCII letters in lower case, sharing their first
/// `depth` bytes) from byte `depth` on: one branch per next byte, an empty one where a
/// word ends, and a run of bytes that all the branch's words share as one step.
/// Built from the sorted list without a tree of its own, which cost as much again.
fn trie(words: &[Vec<u8>], depth: usize) -> Hir {
    let mut branches = Vec::new();
    let mut rest = words;
    while let Some(first) = rest.first() {
        let Some(&byte) = first.get(depth) else {
            // The shortest word sorts first: it ends here.
            branches.push(Hir::empty());
            rest = &rest[1..];
            continue;
        };
        let len = rest
            .iter()
            .position(|word| word.get(depth) != Some(&byte))
            .unwrap_or(rest.len());
        let (group, after) = rest.split_at(len);
        let mut shared = depth + 1;
        while group
            .iter()
            .all(|word| word.get(shared).is_some_and(|&b| b == first[shared]))
        {
            shared += 1;
        }
        branches.push(Hir::concat(vec![
            ascii_caseless(&first[depth..shared]),
            trie(group, shared),
        ]));
        rest = after;
    }
    Hir::alternation(branches)
}

/// `word` standing as a word of its own, as wide as the module documentation says:
/// `(?:\b{start-half}|_)word(?:s|es)?(?:\b{end-half}|_)`, ASCII letters in any case.
fn as_whole_words(word: Hir) -> Hir {
    let edge = |look| Hir::alternation(vec![Hir::look(look), Hir::literal(*b"_")]);
    let plural = Hir::repetition(Repetition {
        min: 0,
        max: Some(1),
        greedy: true,
        sub: Box::new(Hir::alternation(vec![
            ascii_caseless(b"s"),
            ascii_caseless(b"es"),
        ])),
    });
    Hir::concat(vec![
        edge(Look::WordStartHalfAscii),
        word,
        plural,
        edge(Look::WordEndHalfAscii),
    ])
}

/// `bytes` with each ASCII letter in either case.
fn ascii_caseless(bytes: &[u8]) -> Hir {
    Hir::concat(
        bytes
            .iter()
            .map(|&byte| {
                if byte.is_ascii_alphabetic() {
                    let (lower, upper) = (byte.to_ascii_lowercase(), byte.to_ascii_uppercase());
                    Hir::class(Class::Bytes(ClassBytes::new([
                        ClassBytesRange::new(lower, lower),
                        ClassBytesRange::new(upper, upper),
                    ])))
                } else {
                    Hir::literal([byte])
                }
            })
            .collect(),
    )
}
