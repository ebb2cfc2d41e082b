//! The keyword proximity rules: a keyword that ends at or before a match's start and
//! close enough to it; or, for structured data, a keyword in the column name or in a key
//! on the JSON path.
//!
//! Custom and managed identifiers measure "close enough" differently, as Macie does:
//! a custom identifier counts `maximum_match_distance` characters from the keyword's end
//! to the match's *end*; a managed identifier allows at most 30 characters between the
//! keyword's end and the match's *start*, and its keywords that hold a space also match
//! their spellings with `_`, with `-` and with no space (`date of birth` finds
//! `date_of_birth`, `date-of-birth` and `dateofbirth`).

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::text::{char_count, step_back_chars};

/// Where the keyword that kept a match was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeywordSource<'c> {
    /// In the unit's text, at these byte offsets.
    Text(Range<usize>),
    /// In the name of the table column that holds the unit.
    ColumnName(&'c str),
    /// In this object key on the JSON path to the unit.
    JsonKey(&'c str),
}

/// Endings a managed keyword may carry in text and still count as itself: Macie also
/// matches "common variations" of its keywords, and the plural is the one its lists
/// leave out (`passports` for `passport`, `licences` for `licence`, `numéros` for
/// `numéro`).
const INFLECTIONS: [&[u8]; 2] = [b"s", b"es"];

/// The occurrence of a keyword at `occurrence`, stretched over a plural ending, when it
/// stands as a word of its own in `unit`: no ASCII letter or digit touches it on either
/// side, so `tel` is not found in `hotel` nor `pan` in `company`. The word must end by
/// `limit`, the start of the match it would keep.
pub(crate) fn as_whole_word(
    unit: &[u8],
    occurrence: Range<usize>,
    limit: usize,
) -> Option<Range<usize>> {
    let is_word_byte = |i: usize| unit.get(i).is_some_and(u8::is_ascii_alphanumeric);
    if occurrence.start > 0 && is_word_byte(occurrence.start - 1) {
        return None;
    }
    let end = occurrence.end;
    let word_end = if is_word_byte(end) {
        INFLECTIONS.iter().find_map(|ending| {
            let after = end + ending.len();
            let rest = unit.get(end..after)?;
            (rest.eq_ignore_ascii_case(ending) && !is_word_byte(after)).then_some(after)
        })?
    } else {
        end
    };
    (word_end <= limit).then_some(occurrence.start..word_end)
}

/// Where a text unit sits in its document: the context Macie reads keywords from for
/// structured data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnitContext<'c> {
    /// Plain text, or a unit with no name around it.
    #[default]
    None,
    /// A table cell (CSV, TSV, XLSX) under this column name.
    Column(&'c str),
    /// A JSON string value under these object keys, outermost first.
    JsonKeys(&'c [String]),
}

/// Where the distance to a keyword is measured to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proximity {
    /// Custom identifiers: at most this many characters from the keyword's end to the
    /// match's end.
    MatchEnd(u32),
    /// Managed identifiers: at most this many characters from the keyword's end to the
    /// match's start.
    MatchStart(u32),
}

/// Macie's distance for managed identifiers: at most 30 characters between a keyword's
/// end and the match's start.
pub const MANAGED_KEYWORD_DISTANCE: u32 = 30;

/// One identifier's compiled keywords.
#[derive(Debug, Clone)]
pub struct KeywordRule {
    words: Vec<String>,
    /// Every spelling searched for, in the automaton's pattern order.
    spellings: Vec<String>,
    /// Built on first use: a catalogue scan compiles a hundred keyword rules at
    /// start-up, and most of them never judge a match.
    automaton: OnceLock<AhoCorasick>,
    /// Maps an automaton pattern to its index in `words`.
    pattern_word: Vec<usize>,
    proximity: Proximity,
    /// Whether a keyword in the text must stand as a word of its own (no ASCII letter or
    /// digit on either side).
    whole_words: bool,
    max_distance: usize,
    /// The longest keyword in characters: how far before the distance window a keyword
    /// may start.
    longest_chars: usize,
}

impl KeywordRule {
    /// Compiles `words` (non-empty) for case-insensitive search.
    ///
    /// ASCII letters match in any case; for other letters the all-lower and all-upper
    /// spellings are searched too, which covers how keywords such as "numéro" are written
    /// in practice without a Unicode case-folding pass over every unit.
    pub fn new(words: &[String], max_distance: u32) -> KeywordRule {
        KeywordRule::build(words, Proximity::MatchEnd(max_distance), false)
    }

    /// Compiles a managed identifier's `words` (non-empty) with Macie's rule for them:
    /// [`MANAGED_KEYWORD_DISTANCE`] from the match's start, and each keyword that holds
    /// a space also searched with `_`, with `-` and with no space in its place.
    ///
    /// Managed identifiers' keywords are often short (`dob`, `ssn`, `tel`, `pan`) and
    /// hide inside ordinary words (`hotel`, `company`), so in text they count only as
    /// words of their own: no ASCII letter or digit right before or after, but for a
    /// plural ending (`passports`, `licences`), which then counts as part of the keyword.
    /// Column names and keys are still searched for them anywhere (`customerSSN`,
    /// `home_tel`).
    pub fn managed(words: &[String]) -> KeywordRule {
        let mut rule =
            KeywordRule::build(words, Proximity::MatchStart(MANAGED_KEYWORD_DISTANCE), true);
        rule.whole_words = true;
        rule
    }

    fn build(words: &[String], proximity: Proximity, space_variants: bool) -> KeywordRule {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_word = Vec::new();
        for (index, word) in words.iter().enumerate() {
            let mut spellings = vec![word.clone()];
            if space_variants && word.contains(' ') {
                for joiner in ["_", "-", ""] {
                    spellings.push(word.replace(' ', joiner));
                }
            }
            for spelling in spellings {
                for variant in [spelling.to_lowercase(), spelling.to_uppercase(), spelling] {
                    if !patterns.contains(&variant) {
                        patterns.push(variant);
                        pattern_word.push(index);
                    }
                }
            }
        }
        let spellings = patterns;
        let max_distance = match proximity {
            Proximity::MatchEnd(distance) | Proximity::MatchStart(distance) => distance,
        };
        KeywordRule {
            words: words.to_vec(),
            spellings,
            automaton: OnceLock::new(),
            pattern_word,
            proximity,
            whole_words: false,
            max_distance: max_distance as usize,
            longest_chars: words.iter().map(|w| w.chars().count()).max().unwrap_or(0),
        }
    }

    /// The keyword nearest before `span` in `unit` that satisfies the distance rule, as
    /// (keyword index, byte range of the occurrence).
    ///
    /// Only the window that could hold a qualifying keyword is searched, so the cost per
    /// match is bounded by the distance and keyword length, not by the unit's size.
    pub fn in_text(&self, unit: &[u8], span: &Range<usize>) -> Option<(usize, Range<usize>)> {
        let anchor = match self.proximity {
            Proximity::MatchEnd(_) => span.end,
            Proximity::MatchStart(_) => span.start,
        };
        let lower = step_back_chars(unit, anchor, self.max_distance + self.longest_chars);
        if lower >= span.start {
            return None;
        }
        let window = &unit[lower..span.start];
        // The distance shrinks as a keyword ends later, so the occurrence that ends last
        // is the only one worth checking.
        let (word, occurrence) = self
            .automaton()
            .find_overlapping_iter(window)
            .filter_map(|found| {
                let occurrence = lower + found.start()..lower + found.end();
                let occurrence = if self.whole_words {
                    as_whole_word(unit, occurrence, span.start)?
                } else {
                    occurrence
                };
                Some((self.pattern_word[found.pattern().as_usize()], occurrence))
            })
            .max_by_key(|(_, occurrence)| occurrence.end)?;
        (char_count(&unit[occurrence.end..anchor]) <= self.max_distance)
            .then_some((word, occurrence))
    }

    /// The first keyword contained in `name` (a column name or a JSON key).
    pub fn in_name(&self, name: &str) -> Option<usize> {
        self.automaton()
            .find(name)
            .map(|found| self.pattern_word[found.pattern().as_usize()])
    }

    /// Finds a keyword that keeps the match at `span`: in the text first, then in the
    /// unit's context.
    pub fn satisfied<'c>(
        &self,
        unit: &[u8],
        span: &Range<usize>,
        context: UnitContext<'c>,
    ) -> Option<(usize, KeywordSource<'c>)> {
        if let Some((word, occurrence)) = self.in_text(unit, span) {
            return Some((word, KeywordSource::Text(occurrence)));
        }
        match context {
            UnitContext::None => None,
            UnitContext::Column(name) => self
                .in_name(name)
                .map(|word| (word, KeywordSource::ColumnName(name))),
            UnitContext::JsonKeys(keys) => keys.iter().find_map(|key| {
                self.in_name(key)
                    .map(|word| (word, KeywordSource::JsonKey(key.as_str())))
            }),
        }
    }

    /// The automaton of every spelling, built on first use.
    fn automaton(&self) -> &AhoCorasick {
        self.automaton.get_or_init(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&self.spellings)
                .expect("keyword automata are small: at most 50 keywords of 90 characters")
        })
    }

    /// Every spelling the rule searches for (ASCII letters in any case): the keywords,
    /// their lower- and upper-case forms and, for managed identifiers, their `_`, `-`
    /// and joined forms.
    pub(crate) fn spellings(&self) -> &[String] {
        &self.spellings
    }

    /// Whether a keyword in a unit's text counts only as a word of its own (no ASCII
    /// letter or digit on either side); in names it counts anywhere.
    pub(crate) fn whole_words(&self) -> bool {
        self.whole_words
    }

    /// The keyword as the identifier defines it.
    pub fn word(&self, index: usize) -> &str {
        &self.words[index]
    }

    /// Whether the unit's context (its column name, or a key on its JSON path) holds a
    /// keyword: then the rule is satisfied wherever a match is in the unit.
    pub fn in_context(&self, context: UnitContext<'_>) -> bool {
        match context {
            UnitContext::None => false,
            UnitContext::Column(name) => self.automaton().is_match(name),
            UnitContext::JsonKeys(keys) => keys.iter().any(|k| self.automaton().is_match(k)),
        }
    }

    /// Whether any keyword occurs anywhere in `unit` or in its context: when none does,
    /// no match of the unit can be kept by this rule (nor rejected for having one near).
    pub fn occurs_anywhere(&self, unit: &[u8], context: UnitContext<'_>) -> bool {
        self.automaton().is_match(unit)
            || match context {
                UnitContext::None => false,
                UnitContext::Column(name) => self.automaton().is_match(name),
                UnitContext::JsonKeys(keys) => keys.iter().any(|k| self.automaton().is_match(k)),
            }
    }
}
