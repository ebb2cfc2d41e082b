//! One automaton over raw bytes that finds the text units worth judging.
//!
//! Judging a unit (SPEC section 2) runs every detector's regex over it, then keywords,
//! validators and allow lists on each match. Done for every cell of a table, that costs
//! several regex searches per cell, most of them over cells that hold nothing. A
//! [`UnitFilter`] instead runs one lazy DFA, built from all the detectors' patterns,
//! over a whole buffer in which units are separated by known *separator bytes* (a CSV
//! block: delimiter, line breaks and quotes). Only the units where it reports a match,
//! and only the detectors it names there, go through the exact path.
//!
//! Soundness: the filter must report every unit in which the exact path would find a
//! non-empty match. Each pattern is loosened into a superset that
//! - cannot match a separator byte (a unit that holds none cannot contain a match that
//!   does), so a filter match never spans two units;
//! - has no `^`/`$` (unit boundaries are not buffer boundaries; dropping an assertion
//!   only widens the language);
//! - keeps ASCII word boundaries: the bytes next to a unit in the buffer are separators,
//!   which are non-word bytes, exactly as a unit's ends are for the exact path.
//!
//! So a unit containing no separator byte, laid out in the buffer between separators (or
//! at the buffer's ends), holds a filter match whenever the exact path would match in
//! it. A pattern whose loosened form can match the empty string would make every
//! position a match; such sets get no filter and callers use the exact path throughout.

use std::ops::Range;

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{Input, MatchKind, PatternSet};
use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange};
use regex_syntax::hir::{Hir, HirKind, Look, Repetition};

use crate::dialect;

/// Lazy-DFA cache capacity. The filter's automaton grows with the data it sees; 8 MiB
/// holds the states of the managed set over ordinary data without being cleared.
const CACHE_CAPACITY: usize = 8 << 20;
// No ahead-of-time (dense) DFA: determinizing the managed set's loosened patterns
// with MatchKind::All took over 20 s; the lazy DFA only builds the states the data
// visits.

/// The set of detectors that may match in a unit, by index in the identifier set.
#[derive(Debug, Clone)]
pub struct DetectorMask {
    set: PatternSet,
}

impl DetectorMask {
    /// An empty mask able to hold `len` detectors.
    pub fn new(len: usize) -> DetectorMask {
        DetectorMask {
            set: PatternSet::new(len),
        }
    }

    pub fn contains(&self, detector: usize) -> bool {
        detector < self.set.capacity()
            && self
                .set
                .contains(regex_automata::PatternID::new_unchecked(detector))
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    pub fn clear(&mut self) {
        self.set.clear();
    }

    pub fn insert(&mut self, detector: usize) {
        if detector < self.set.capacity() {
            self.set
                .insert(regex_automata::PatternID::new_unchecked(detector));
        }
    }

    /// Adds every detector: what a caller uses when it cannot narrow a unit down.
    pub fn fill(&mut self) {
        for index in 0..self.set.capacity() {
            self.set
                .insert(regex_automata::PatternID::new_unchecked(index));
        }
    }
}

/// Why a filter search could not be completed (the lazy DFA gave up); the caller then
/// judges the region unit by unit, which is always correct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("prefilter search failed: {0}")]
pub struct FilterError(String);

/// The filter for one layout of units (one set of separator bytes).
#[derive(Debug, Clone)]
pub struct UnitFilter {
    dfa: DFA,

    separators: Vec<u8>,
    detectors: usize,
}

/// Per-thread scratch space of a [`UnitFilter`].
#[derive(Debug, Clone)]
pub struct FilterCache {
    cache: Cache,
}

impl FilterCache {
    /// Heap bytes held by the automaton's states built so far.
    pub fn memory_usage(&self) -> usize {
        self.cache.memory_usage()
    }
}

impl UnitFilter {
    /// Builds the filter of `patterns` (translated, in regex-syntax's dialect; index =
    /// detector index) for units separated by `separators`. `None` when no sound filter
    /// exists for them (a pattern that may match the empty string, a word byte as
    /// separator) or it cannot be built.
    pub fn new(patterns: &[&str], separators: &[u8]) -> Option<UnitFilter> {
        if patterns.is_empty() || separators.iter().any(|&b| is_word_byte(b)) {
            return None;
        }
        let config = dialect::syntax_config();
        let mut hirs = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            let hir = regex_automata::util::syntax::parse_with(pattern, &config).ok()?;
            if separators.is_empty() {
                // Each haystack is one whole unit: the patterns as they are.
                hirs.push(hir);
                continue;
            }
            let loose = loosen(&hir, separators);
            if loose.properties().minimum_len() == Some(0) {
                return None;
            }
            hirs.push(loose);
        }
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .shrink(true)
                    .which_captures(WhichCaptures::None),
            )
            .build_many_from_hir(&hirs)
            .ok()?;
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(CACHE_CAPACITY)
                    .skip_cache_capacity_check(true)
                    .minimum_cache_clear_count(None),
            )
            .build_from_nfa(nfa)
            .ok()?;
        Some(UnitFilter {
            dfa,
            separators: separators.to_vec(),
            detectors: patterns.len(),
        })
    }

    /// The bytes that separate units in the buffers this filter reads.
    pub fn separators(&self) -> &[u8] {
        &self.separators
    }

    /// A mask sized for this filter's detectors.
    pub fn new_mask(&self) -> DetectorMask {
        DetectorMask::new(self.detectors)
    }

    pub fn create_cache(&self) -> FilterCache {
        FilterCache {
            cache: self.dfa.create_cache(),
        }
    }

    /// Starts a walk over `range` of `haystack` (the bytes around `range` are context
    /// for word boundaries); [`next_match_end`](Self::next_match_end) and
    /// [`collect_through`](Self::collect_through) move it forward.
    pub fn walk<'h>(
        &self,
        cache: &mut FilterCache,
        haystack: &'h [u8],
        range: Range<usize>,
    ) -> Result<FilterWalk<'h>, FilterError> {
        let input = Input::new(haystack).range(range.clone());
        let state = self
            .dfa
            .start_state_forward(&mut cache.cache, &input)
            .map_err(|e| FilterError(e.to_string()))?;
        Ok(FilterWalk {
            haystack,
            at: range.start,
            end: range.end,
            state,
        })
    }

    /// Moves `walk` to the end of the next filter match (the match ending first) and
    /// adds the detectors of every match ending there to `mask`; `None` once the walk
    /// is over. A match is never empty and never contains a separator, so the byte
    /// before the returned offset belongs to the unit the match is in.
    ///
    /// The walk never restarts: all the automaton's threads die on a separator, so its
    /// state after a unit is as good as a fresh start, and one pass over a buffer costs
    /// what one search does.
    pub fn next_match_end(
        &self,
        cache: &mut FilterCache,
        walk: &mut FilterWalk<'_>,
        mask: &mut DetectorMask,
    ) -> Result<Option<usize>, FilterError> {
        let cache = &mut cache.cache;
        while walk.at <= walk.end {
            // The hot loop: untagged states (no match, not yet computed) only.
            let (mut state, mut at) = (walk.state, walk.at);
            if !state.is_tagged() {
                for &byte in &walk.haystack[at..walk.end] {
                    let next = self.dfa.next_state_untagged(cache, state, byte);
                    if next.is_tagged() {
                        break;
                    }
                    state = next;
                    at += 1;
                }
            }
            walk.state = state;
            walk.at = at;
            if self.step(cache, walk, mask)? {
                return Ok(Some(walk.at - 1));
            }
        }
        Ok(None)
    }

    /// Moves `walk` past the byte at `through` (matches are seen one byte late), adding
    /// to `mask` the detectors of every match ending at or before `through`: with
    /// `through` the separator after a unit, the rest of that unit's detectors.
    pub fn collect_through(
        &self,
        cache: &mut FilterCache,
        walk: &mut FilterWalk<'_>,
        through: usize,
        mask: &mut DetectorMask,
    ) -> Result<(), FilterError> {
        let cache = &mut cache.cache;
        while walk.at <= through.min(walk.end) {
            self.step(cache, walk, mask)?;
        }
        Ok(())
    }

    /// Consumes the byte at `walk.at` (or, at the end of the range, the byte after it
    /// or the end of the haystack) and adds the detectors matching there to `mask`;
    /// true when some did.
    #[inline]
    fn step(
        &self,
        cache: &mut Cache,
        walk: &mut FilterWalk<'_>,
        mask: &mut DetectorMask,
    ) -> Result<bool, FilterError> {
        let fail = |e: &dyn std::fmt::Display| FilterError(e.to_string());
        let at = walk.at;
        let (state, byte) = (walk.state, walk.haystack.get(at).copied());
        let next = match byte {
            Some(byte) if at < walk.end => {
                let next = if state.is_tagged() {
                    None
                } else {
                    Some(self.dfa.next_state_untagged(cache, state, byte))
                        .filter(|n| !n.is_unknown())
                };
                match next {
                    Some(next) => next,
                    None => self
                        .dfa
                        .next_state(cache, state, byte)
                        .map_err(|e| fail(&e))?,
                }
            }
            Some(byte) => self
                .dfa
                .next_state(cache, state, byte)
                .map_err(|e| fail(&e))?,
            None => self
                .dfa
                .next_eoi_state(cache, state)
                .map_err(|e| fail(&e))?,
        };
        walk.state = next;
        walk.at = at + 1;
        if !next.is_tagged() {
            return Ok(false);
        }
        if next.is_quit() || next.is_unknown() {
            return Err(FilterError("the lazy DFA quit".into()));
        }
        if next.is_dead() {
            walk.at = walk.end + 1;
            return Ok(false);
        }
        if next.is_match() {
            for index in 0..self.dfa.match_len(cache, next) {
                mask.set.insert(self.dfa.match_pattern(cache, next, index));
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Sets `mask` to the detectors whose loosened pattern matches within `range`: a
    /// superset of those whose exact regex matches in the unit at `range`.
    ///
    /// With `MatchKind::All` a match state names every pattern with a match ending
    /// there, so one walk collecting them gives exactly the set an overlapping search
    /// reports, without restarting a search at every match.
    pub fn detectors_in(
        &self,
        cache: &mut FilterCache,
        haystack: &[u8],
        range: Range<usize>,
        mask: &mut DetectorMask,
    ) -> Result<(), FilterError> {
        mask.clear();
        let end = range.end;
        let mut walk = self.walk(cache, haystack, range)?;
        self.collect_through(cache, &mut walk, end, mask)
    }
}

/// A walk of a [`UnitFilter`]'s automaton over a range of a haystack: where it is and
/// in which state.
#[derive(Debug, Clone)]
pub struct FilterWalk<'h> {
    haystack: &'h [u8],
    /// The next byte to consume; `end` stands for the byte after the range (or the end
    /// of the haystack), and past `end` the walk is over.
    at: usize,
    end: usize,
    state: LazyStateID,
}

/// ASCII word bytes, as `\b` sees them.
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The superset of `hir` described in the module documentation.
fn loosen(hir: &Hir, separators: &[u8]) -> Hir {
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) => {
            if literal.0.iter().any(|b| separators.contains(b)) {
                Hir::fail()
            } else {
                hir.clone()
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            let removed = ClassBytes::new(
                separators
                    .iter()
                    .map(|&b| ClassBytesRange::new(b, b))
                    .collect::<Vec<_>>(),
            );
            class.difference(&removed);
            Hir::class(Class::Bytes(class))
        }
        HirKind::Class(Class::Unicode(class)) => {
            let mut class = class.clone();
            let removed = ClassUnicode::new(
                separators
                    .iter()
                    .map(|&b| ClassUnicodeRange::new(char::from(b), char::from(b)))
                    .collect::<Vec<_>>(),
            );
            class.difference(&removed);
            Hir::class(Class::Unicode(class))
        }
        HirKind::Look(look) => match look {
            Look::WordAscii
            | Look::WordAsciiNegate
            | Look::WordStartAscii
            | Look::WordEndAscii
            | Look::WordStartHalfAscii
            | Look::WordEndHalfAscii => hir.clone(),
            // Line and text anchors, and Unicode word boundaries (which the dialect does
            // not produce): dropped, which widens the language.
            _ => Hir::empty(),
        },
        HirKind::Repetition(repetition) => Hir::repetition(Repetition {
            min: repetition.min,
            max: repetition.max,
            greedy: repetition.greedy,
            sub: Box::new(loosen(&repetition.sub, separators)),
        }),
        HirKind::Capture(capture) => loosen(&capture.sub, separators),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(|s| loosen(s, separators)).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.iter().map(|s| loosen(s, separators)).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(patterns: &[&str]) -> UnitFilter {
        UnitFilter::new(patterns, b",\n\r\"").expect("filter")
    }

    fn ends(filter: &UnitFilter, text: &[u8]) -> Vec<usize> {
        let mut cache = filter.create_cache();
        let mut mask = filter.new_mask();
        let mut walk = filter.walk(&mut cache, text, 0..text.len()).expect("walk");
        let mut out = Vec::new();
        while let Some(end) = filter
            .next_match_end(&mut cache, &mut walk, &mut mask)
            .expect("search")
        {
            // As a reader does: the rest of the unit is collected, not reported again.
            out.push(end);
            let unit_end = (end..text.len())
                .find(|&i| filter.separators().contains(&text[i]))
                .unwrap_or(text.len());
            filter
                .collect_through(&mut cache, &mut walk, unit_end, &mut mask)
                .expect("collect");
        }
        out
    }

    #[test]
    fn anchors_are_unit_ends_so_they_are_dropped() {
        let f = filter(&[r"^\d{3}$"]);
        assert_eq!(ends(&f, b"abc,123,x"), [7]);
        assert_eq!(ends(&f, b"abc,1234\n"), [7], "a superset: 123 of 1234");
    }

    #[test]
    fn matches_never_cross_separators() {
        let f = filter(&[r"a\Wb", r"x.y"]);
        assert!(ends(&f, b"a,b\nx\ny").is_empty());
        assert_eq!(ends(&f, b"a b,x_y"), [3, 7]);
    }

    #[test]
    fn word_boundaries_see_separators_as_non_word() {
        let f = filter(&[r"\bP-[A-Z]{2}\d{4}\b"]);
        assert_eq!(ends(&f, b"P-AB1234,xP-AB1234,P-AB12345"), [8]);
    }

    #[test]
    fn patterns_that_may_match_nothing_get_no_filter() {
        assert!(UnitFilter::new(&[r"\d*"], b",").is_none());
        assert!(UnitFilter::new(&[r"^$"], b",").is_none());
        assert!(UnitFilter::new(&[r"\d"], b"a").is_none());
    }

    #[test]
    fn detectors_in_names_every_pattern_present() {
        let f = filter(&[r"\d{3}", r"[a-z]+@[a-z]+", r"zzz"]);
        let mut cache = f.create_cache();
        let mut mask = f.new_mask();
        let text = b"x,abc@def 123,y";
        f.detectors_in(&mut cache, text, 2..13, &mut mask)
            .expect("search");
        assert!(mask.contains(0) && mask.contains(1) && !mask.contains(2));
    }

    /// The walk in `detectors_in` names exactly the detectors an overlapping search
    /// over the same range reports, on the managed patterns and haystacks full of
    /// near-misses, at every range (so every look-behind and look-ahead context).
    #[test]
    fn detectors_in_equals_overlapping_search() {
        let translated: Vec<String> = crate::managed::MANAGED_IDENTIFIERS
            .iter()
            .map(|m| {
                crate::pattern::Pattern::new(m.regex)
                    .expect("managed")
                    .translated()
                    .to_owned()
            })
            .chain([
                r"\b(\d{3}\.){2}\d{3}\-\d{2}\b".to_owned(),
                r"\bP\-[A-Z]{2}\d{4}\b".to_owned(),
            ])
            .collect();
        let patterns: Vec<&str> = translated.iter().map(String::as_str).collect();
        let pieces: &[&[u8]] = &[
            b"a.b@example.fr",
            b"x@y",
            b"123.456.789-09",
            b"P-AB1234",
            b"AKIAIOSFODNN7EXAMPLE",
            b"4111 1111 1111 1111",
            b"FR76 3000 6000 0112 3456 7890 189",
            b"123-45-6789",
            b",",
            b"\n",
            b"\"",
            b" ",
            b"-",
            b".",
            b"caf\xc3\xa9",
            b"\xff",
            b"ssn",
            b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY0000",
        ];
        for separators in [&b",\n\r\""[..], b""] {
            let f = UnitFilter::new(&patterns, separators).expect("filter");
            let mut cache = f.create_cache();
            let mut mask = f.new_mask();
            let mut seed = 7u64;
            for _ in 0..60 {
                let mut text = Vec::new();
                for _ in 0..6 {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    text.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()]);
                }
                for start in 0..text.len() {
                    for end in start..=text.len() {
                        f.detectors_in(&mut cache, &text, start..end, &mut mask)
                            .expect("walk");
                        let mut expected = PatternSet::new(patterns.len());
                        f.dfa
                            .try_which_overlapping_matches(
                                &mut cache.cache,
                                &Input::new(&text).range(start..end),
                                &mut expected,
                            )
                            .expect("overlapping");
                        assert_eq!(mask.set, expected, "{:?} {start}..{end}", text);
                    }
                }
            }
        }
    }
}
