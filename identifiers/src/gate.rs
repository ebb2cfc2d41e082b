//! Keyword gates: which keyword-bound identifiers can keep a match in a region at all.
//!
//! An identifier that requires a keyword (custom identifiers with keywords, and the
//! managed identifiers whose formats are loose: passports, licences, dates of birth,
//! national numbers) keeps a match only when one of its keywords stands before the match
//! in the unit's text, or occurs in the unit's column name or JSON path. Their patterns
//! are loose on purpose (runs of digits, dates) and match in almost every cell of an
//! ordinary table, so walking a block with them costs most of a scan and finds nothing
//! they keep.
//!
//! Those identifiers are *gated*: run only where one of their keywords is. A
//! [`KeywordGate`] holds all their keywords and finds them in two ways:
//!
//! - in a unit's text or a name, in one pass ([`KeywordGate::add_in_text`],
//!   [`KeywordGate::add_in_name`]): the matcher runs a gated identifier over a whole
//!   unit (a JSON value, a cell it was handed) only when the unit's text or context
//!   holds one of its keywords, and over a text window only near one;
//! - in a table's blocks, as patterns the block walk carries in place of the gated
//!   identifiers' own ([`proxies`], [`LayoutFilters::keyed`]): a cell is handed over
//!   with a gated identifier only when it holds one of its keywords, or when the
//!   column's name does.
//!
//! Identifiers with no keyword rule, those for which a keyword near a match *rejects*
//! it, and custom identifiers (whose keywords count anywhere in text, even inside a
//! word) are never gated.
//!
//! Soundness: for a gated identifier, [`KeywordGate::add_in_text`] over a region names
//! it whenever some unit lying in the region (its bytes a substring of the region's,
//! with separators or the region's ends around it) holds one of its keywords where the
//! keyword rule would accept it in text: as a word of its own, or with a plural ending.
//! A unit's edge is a separator byte in the region, which is never an ASCII letter or
//! digit, so a keyword standing alone in the unit stands alone in the region too, and
//! so does one with its plural ending.

use std::collections::hash_map::{Entry, HashMap};
use std::sync::{Arc, OnceLock};

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous;
use aho_corasick::{Anchored, MatchKind};
use regex_syntax::hir::Hir;

use crate::keywords::{as_whole_word, KeywordRule};
use crate::prefilter::{DetectorMask, Loosened, Proxy, UnitFilter};

mod prefixes;
mod proxies;
mod word_starts;

use prefixes::Prefixes;
use word_starts::{WordStarts, BLOCK};

/// The detectors each pattern of an automaton stands for: pattern `i`'s are
/// `owners[bounds[i]..bounds[i + 1]]`.
#[derive(Debug, Clone, Default)]
struct Owners {
    owners: Vec<usize>,
    bounds: Vec<usize>,
}

impl Owners {
    fn push(&mut self, detectors: impl IntoIterator<Item = usize>) {
        if self.bounds.is_empty() {
            self.bounds.push(0);
        }
        self.owners.extend(detectors);
        self.bounds.push(self.owners.len());
    }

    fn add_to(&self, pattern: usize, mask: &mut DetectorMask) {
        for &detector in self.of(pattern) {
            mask.insert(detector);
        }
    }

    fn of(&self, pattern: usize) -> &[usize] {
        &self.owners[self.bounds[pattern]..self.bounds[pattern + 1]]
    }
}

/// Every gated identifier's keyword spellings, in the automata that find them.
///
/// Only keywords that count in text as words of their own are gated (the managed
/// identifiers'; a custom identifier's keyword counts anywhere, and the few custom
/// keyword-bound identifiers are always walked). Such a keyword starts where no ASCII
/// letter or digit precedes it, so text is searched only there, with an anchored walk
/// that dies within a few bytes. Word starts are common (every GUID segment and e-mail
/// part is one), and walking the automaton at each cost about two nanoseconds a byte on
/// the bench CSV, a fifth of a managed-all scan. So the pass finds word starts 64 bytes
/// at a time without a branch per byte ([`WordStarts`]; a text of a few bytes is
/// tested byte by byte), and walks only where the first three bytes may begin some
/// spelling ([`Prefixes`]): at about one word start in thirty of ordinary tables and
/// prose.
#[derive(Debug, Clone)]
pub(crate) struct KeywordGate {
    /// Every spelling, walked anchored from the starts of words in text. An NFA, not
    /// a DFA: the walks are rare and a few bytes long, and the DFA of the catalogue's
    /// spellings took 14 ms to build, a third of a small scan, against 5 ms.
    words: contiguous::NFA,
    /// The first three bytes of every spelling: a word start where none begins is
    /// passed over without a walk.
    prefixes: Prefixes,
    /// Which kinds of byte some spelling starts with.
    word_starts: WordStarts,
    /// Every spelling, one of those that differ only in ASCII case: pattern `i` of
    /// `words`.
    spellings: Vec<String>,
    owners: Owners,
    /// The gated detectors.
    gated: DetectorMask,
    detectors: usize,
}

impl KeywordGate {
    /// The gate of `rules`: (detector index, its required keywords) of each identifier
    /// that keeps a match only with a keyword, in a set of `detectors` identifiers.
    /// `None` when there is none.
    pub(crate) fn new<'r>(
        rules: impl IntoIterator<Item = (usize, &'r KeywordRule)>,
        detectors: usize,
    ) -> Option<KeywordGate> {
        let mut spellings: Vec<String> = Vec::new();
        let mut owners_of: Vec<Vec<usize>> = Vec::new();
        // Spellings that differ only in ASCII case are one pattern of a
        // case-insensitive automaton: each is known by its ASCII lower case.
        let mut known: HashMap<String, usize> = HashMap::new();
        let mut gated = DetectorMask::new(detectors);
        for (detector, rule) in rules {
            if !rule.whole_words() {
                continue;
            }
            gated.insert(detector);
            for spelling in rule.spellings() {
                match known.entry(spelling.to_ascii_lowercase()) {
                    Entry::Occupied(at) => owners_of[*at.get()].push(detector),
                    Entry::Vacant(entry) => {
                        entry.insert(spellings.len());
                        spellings.push(spelling.clone());
                        owners_of.push(vec![detector]);
                    }
                }
            }
        }
        if spellings.is_empty() {
            return None;
        }
        let words = contiguous::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&spellings)
            .ok()?;
        let prefixes = Prefixes::new(spellings.iter().map(|s| s.as_bytes()));
        let word_starts = WordStarts::new(spellings.iter().filter_map(|s| s.bytes().next()));
        let mut owners = Owners::default();
        for list in owners_of {
            owners.push(list);
        }
        Some(KeywordGate {
            words,
            prefixes,
            word_starts,
            spellings,
            owners,
            gated,
            detectors,
        })
    }

    /// Whether `detector` keeps matches only with a keyword.
    pub(crate) fn is_gated(&self, detector: usize) -> bool {
        self.gated.contains(detector)
    }

    /// Adds to `mask` every gated detector with a keyword in `bytes` where its rule
    /// could accept it in a unit's text (see the module documentation). Every
    /// occurrence is seen (overlapping searches), so no keyword hides another.
    pub(crate) fn add_in_text(&self, bytes: &[u8], mask: &mut DetectorMask) {
        self.each_in_text(bytes, |owners, _| {
            for &detector in owners {
                mask.insert(detector);
            }
        });
    }

    /// Hands `found` each occurrence in `bytes` of a gated keyword standing where its
    /// rule could accept it in a unit's text (as a word of its own, a plural ending
    /// allowed), in order of its start: the gated detectors it stands for, and the
    /// offset where the word ends (after the plural ending, if any). Overlapping
    /// occurrences are all handed over.
    pub(crate) fn each_in_text(&self, bytes: &[u8], mut found: impl FnMut(&[usize], usize)) {
        if bytes.len() < SHORT {
            // A few bytes: testing each costs less than setting up the masks, and the
            // branch is mispredicted at a few word starts only.
            let mut after_word = false;
            for (at, &byte) in bytes.iter().enumerate() {
                if !after_word && self.prefixes.may_begin_at(bytes, at) {
                    words_at(&self.words, &self.owners, bytes, at, &mut found);
                }
                after_word = byte.is_ascii_alphanumeric();
            }
            return;
        }
        let mut after_word = false;
        let (blocks, tail) = bytes.as_chunks::<BLOCK>();
        for (index, block) in blocks.iter().enumerate() {
            let starts = self.word_starts.in_block(block, &mut after_word);
            self.walk_from(bytes, index * BLOCK, starts, &mut found);
        }
        if !tail.is_empty() {
            let starts = self.word_starts.in_tail(bytes, tail.len(), after_word);
            self.walk_from(bytes, bytes.len() - tail.len(), starts, &mut found);
        }
    }

    /// Walks the automaton from the word starts in `starts` (bit `k` for
    /// `bytes[base + k]`) whose first bytes may begin some spelling. They are tested
    /// without a branch, so that the only branches taken at random are the rare walks.
    #[inline(always)]
    fn walk_from(
        &self,
        bytes: &[u8],
        base: usize,
        mut starts: u64,
        found: &mut impl FnMut(&[usize], usize),
    ) {
        let mut walks = 0;
        while starts != 0 {
            let bit = starts.trailing_zeros();
            starts &= starts - 1;
            walks |= u64::from(self.prefixes.may_begin_at(bytes, base + bit as usize)) << bit;
        }
        while walks != 0 {
            let at = base + walks.trailing_zeros() as usize;
            walks &= walks - 1;
            words_at(&self.words, &self.owners, bytes, at, found);
        }
    }

    /// Every spelling as one [`Proxy`] for the gated detectors, for units laid out
    /// between `separators` (see [`proxies`]).
    pub(crate) fn proxy(&self, separators: &[u8]) -> Option<Proxy> {
        proxies::keyword_proxy(&self.spellings, &self.gated, separators)
    }

    /// The gated detectors.
    pub(crate) fn gated(&self) -> &DetectorMask {
        &self.gated
    }

    /// An empty mask of the set's detectors.
    pub(crate) fn new_mask(&self) -> DetectorMask {
        DetectorMask::new(self.detectors)
    }

    /// Adds to `mask` every gated detector with a keyword anywhere in `name` (a column
    /// name or a JSON key), as keyword rules read names: the anchored automaton walked
    /// from every offset. A name is a few dozen bytes, and a second, unanchored
    /// automaton of the 1,250 managed spellings took longer to build than a whole small
    /// scan takes to read.
    pub(crate) fn add_in_name(&self, name: &[u8], mask: &mut DetectorMask) {
        for at in 0..name.len() {
            spellings_at(&self.words, name, at, |pattern, _| {
                self.owners.add_to(pattern, mask);
            });
        }
    }
}

/// Texts shorter than this are read byte by byte: for a unit of a few bytes, finding
/// its word starts as masks costs more than testing each byte (with them, cells and
/// JSON values of the bench files went through no faster than with the old pass).
const SHORT: usize = 16;

/// Hands `found` the owners and word end of every spelling that starts at `bytes[at]`
/// and stands there as a word of its own (a plural ending allowed), walking the
/// anchored automaton `words` until it dies.
#[inline]
fn words_at(
    words: &contiguous::NFA,
    owners: &Owners,
    bytes: &[u8],
    at: usize,
    found: &mut impl FnMut(&[usize], usize),
) {
    spellings_at(words, bytes, at, |pattern, end| {
        if let Some(word) = as_whole_word(bytes, at..end, usize::MAX) {
            found(owners.of(pattern), word.end);
        }
    });
}

/// Hands `found` every spelling that starts at `bytes[at]` and where it ends, walking
/// the anchored automaton `words` until it dies.
#[inline]
fn spellings_at(
    words: &contiguous::NFA,
    bytes: &[u8],
    at: usize,
    mut found: impl FnMut(usize, usize),
) {
    let Ok(mut state) = words.start_state(Anchored::Yes) else {
        return;
    };
    for (end, &byte) in bytes.iter().enumerate().skip(at) {
        state = words.next_state(Anchored::Yes, state, byte);
        if !words.is_special(state) {
            continue;
        }
        if words.is_dead(state) {
            return;
        }
        if words.is_match(state) {
            for index in 0..words.match_len(state) {
                let pattern = words.match_pattern(state, index);
                // Only spellings that start at `at` (a state's matches may include
                // shorter ones that end here and started later).
                if words.pattern_len(pattern) == end + 1 - at {
                    found(pattern.as_usize(), end + 1);
                }
            }
        }
    }
}

/// The raw-block filters of one unit layout, each built on first use: with every
/// detector; without the gated ones, for whole units, whose keywords the matcher looks
/// for itself; and with the gated ones' keywords walked in place of their patterns,
/// for tables whose columns are named (see [`proxies`]). A table with a header row
/// only ever walks the last, and building one costs about a whole small scan.
#[derive(Debug)]
pub(crate) struct LayoutFilters {
    /// Each detector's pattern, loosened for the layout: the filters' building blocks.
    loosened: Loosened,
    separators: Vec<u8>,
    gate: Option<Arc<KeywordGate>>,
    full: OnceLock<Option<Arc<UnitFilter>>>,
    ungated: OnceLock<Option<Arc<UnitFilter>>>,
    keyed: OnceLock<Option<Arc<UnitFilter>>>,
}

impl LayoutFilters {
    pub(crate) fn new(
        loosened: Loosened,
        separators: &[u8],
        gate: Option<Arc<KeywordGate>>,
    ) -> LayoutFilters {
        LayoutFilters {
            loosened,
            separators: separators.to_vec(),
            gate,
            full: OnceLock::new(),
            ungated: OnceLock::new(),
            keyed: OnceLock::new(),
        }
    }

    /// The bytes that separate units in this layout.
    pub(crate) fn separators(&self) -> &[u8] {
        &self.separators
    }

    /// How many detectors the filters are of.
    pub(crate) fn detectors(&self) -> usize {
        self.loosened.hirs.len()
    }

    pub(crate) fn gate(&self) -> Option<&Arc<KeywordGate>> {
        self.gate.as_ref()
    }

    /// The filter with every detector; `None` when it cannot be built (the lazy DFA's
    /// limits): every unit must then be judged.
    pub(crate) fn full(&self) -> Option<&Arc<UnitFilter>> {
        self.full
            .get_or_init(|| {
                UnitFilter::from_loosened(
                    &self.loosened.hirs,
                    &self.loosened.exact,
                    &[],
                    &self.separators,
                )
                .map(Arc::new)
            })
            .as_ref()
    }

    /// The filter without the gated detectors; the full one when there is no gate (or
    /// the filter cannot be built).
    pub(crate) fn ungated(&self) -> Option<&Arc<UnitFilter>> {
        self.ungated
            .get_or_init(|| self.without_gated(&[]))
            .as_ref()
    }

    /// The filter that walks the gated detectors' keywords in place of their patterns:
    /// a unit is reported for the gated detectors when it holds one of their keywords
    /// as a word of its own, whatever else it holds. The full one when there is no
    /// gate (or the filter cannot be built).
    pub(crate) fn keyed(&self) -> Option<&Arc<UnitFilter>> {
        self.keyed
            .get_or_init(|| {
                let proxy = self.gate.as_ref().and_then(|g| g.proxy(&self.separators));
                self.without_gated(proxy.as_slice())
            })
            .as_ref()
    }

    /// The filter of every ungated detector, and of `proxies`.
    fn without_gated(&self, proxies: &[Proxy]) -> Option<Arc<UnitFilter>> {
        let Some(gate) = &self.gate else {
            return self.full().cloned();
        };
        let hirs: Vec<Hir> = self
            .loosened
            .hirs
            .iter()
            .enumerate()
            .map(|(d, hir)| {
                if gate.is_gated(d) {
                    Hir::fail()
                } else {
                    hir.clone()
                }
            })
            .collect();
        UnitFilter::from_loosened(&hirs, &self.loosened.exact, proxies, &self.separators)
            .map(Arc::new)
            .or_else(|| self.full().cloned())
    }
}

#[cfg(test)]
mod tests {
    use std::ops::Range;
    use std::path::Path;

    use super::*;
    use crate::{
        BlockFilter, BlockHits, IdentifierFile, IdentifierSet, ManagedSelection, Narrowing,
    };

    const IDENTIFIERS: &str = include_str!("../testdata/filter-stress.toml");
    const PIECES: &[&str] = include!("../testdata/filter-pieces.rs");
    const GATE_PIECES: &[&str] = include!("../testdata/gate-pieces.rs");

    fn identifier_set() -> IdentifierSet {
        let file = IdentifierFile::parse(Path::new("test.toml"), IDENTIFIERS).expect("parse");
        IdentifierSet::new(&file, &ManagedSelection::All).expect("set")
    }

    fn gate_of(set: &IdentifierSet) -> KeywordGate {
        let rules = set
            .detectors()
            .iter()
            .enumerate()
            .filter(|(_, d)| d.requires_keyword())
            .filter_map(|(index, d)| Some((index, d.keyword_rule()?)));
        KeywordGate::new(rules, set.detectors().len()).expect("a gate")
    }

    /// Whenever a keyword rule accepts a keyword before some position of a unit (the
    /// text rule, at every position), the gate names its detector over any region
    /// that holds the unit between separators; and whenever a rule finds a keyword in
    /// a name, the gate names it over that name.
    #[test]
    fn the_gate_names_every_detector_whose_keyword_a_unit_holds() {
        let set = identifier_set();
        let gate = gate_of(&set);
        let mut rng = fastrand::Rng::with_seed(14);
        let mut mask = DetectorMask::new(set.detectors().len());
        let mut named = DetectorMask::new(set.detectors().len());
        for _ in 0..400 {
            let mut region = Vec::new();
            for _ in 0..rng.usize(1..10) {
                let pieces = if rng.bool() { PIECES } else { GATE_PIECES };
                region.extend_from_slice(pieces[rng.usize(..pieces.len())].as_bytes());
            }
            mask.clear();
            gate.add_in_text(&region, &mut mask);
            named.clear();
            let name = String::from_utf8_lossy(&region);
            gate.add_in_name(name.as_bytes(), &mut named);
            let units = region.split(|b| b",\t\n\r\"".contains(b));
            for unit in units {
                for (index, detector) in set.detectors().iter().enumerate() {
                    let Some(rule) = detector.keyword_rule() else {
                        continue;
                    };
                    if !detector.requires_keyword() || !rule.whole_words() {
                        assert!(!gate.is_gated(index));
                        continue;
                    }
                    for at in 0..=unit.len() {
                        if rule.in_text(unit, &(at..unit.len())).is_some() {
                            assert!(
                                mask.contains(index),
                                "{} in {:?}",
                                detector.name(),
                                String::from_utf8_lossy(&region)
                            );
                        }
                    }
                }
            }
            for (index, detector) in set.detectors().iter().enumerate() {
                if let Some(rule) = detector.keyword_rule().filter(|_| gate.is_gated(index)) {
                    assert_eq!(
                        rule.in_name(&name).is_some(),
                        named.contains(index),
                        "{name:?}"
                    );
                }
            }
        }
    }

    /// The cells of `region` (split at every CSV separator, as a table's walk sees
    /// them) that the keyed walk of `filter` reports, with the detectors it reports
    /// each for.
    fn keyed_cells(filter: &mut BlockFilter, region: &[u8]) -> Vec<(Range<usize>, Narrowing)> {
        let mut hits = BlockHits::default();
        filter
            .find(region, 0..region.len(), &mut hits)
            .expect("a walk");
        let mut cells = Vec::new();
        let mut start = 0;
        let mut index = 0;
        for end in (0..region.len()).filter(|&i| b",\n\r\"".contains(&region[i])) {
            cells.push(start..end);
            start = end + 1;
        }
        cells.push(start..region.len());
        cells
            .into_iter()
            .map(|cell| {
                let mut narrowing = filter.narrowing();
                while index < hits.len() && hits.end(index) <= cell.end {
                    assert!(hits.end(index) > cell.start, "a match holds no separator");
                    hits.narrow(index, &mut narrowing);
                    index += 1;
                }
                (cell, narrowing)
            })
            .collect()
    }

    /// Once a table's columns are named, its walk carries the gated detectors'
    /// keywords in place of their patterns: it must report every cell where the keyword
    /// rule accepts a keyword in the text (before some position: at every one), for
    /// that detector. Cells that hold none are mostly reported for no gated one, and a
    /// region of ordinary words (`hotel` holds no `tel`) for none at all.
    #[test]
    fn the_keyed_walk_reports_every_cell_whose_text_holds_a_keyword() {
        let set = identifier_set();
        let spellings = gated_spellings(&set);
        let mut filter = set.block_filter(b',').expect("a filter");
        filter.name_columns(["reference", "amount"]);
        assert!(!filter.names_identifiers(0) && !filter.names_identifiers(1));
        let gate = set.keyword_gate().expect("a gate");
        let mut rng = fastrand::Rng::with_seed(1415);
        let (mut with_keyword, mut without) = (0, 0);
        for _ in 0..1500 {
            let region = tricky_region(&mut rng, &spellings);
            for (cell, narrowing) in keyed_cells(&mut filter, &region) {
                let unit = &region[cell];
                let mut holds_keyword = false;
                for (index, detector) in set.detectors().iter().enumerate() {
                    let Some(rule) = detector.keyword_rule().filter(|_| gate.is_gated(index))
                    else {
                        continue;
                    };
                    if (0..=unit.len()).any(|at| rule.in_text(unit, &(at..unit.len())).is_some()) {
                        holds_keyword = true;
                        assert!(
                            narrowing.mask().contains(index),
                            "{} in {:?}",
                            detector.name(),
                            String::from_utf8_lossy(unit)
                        );
                    }
                }
                if holds_keyword {
                    with_keyword += 1;
                } else if narrowing.mask().iter().all(|d| !gate.is_gated(d)) {
                    without += 1;
                }
            }
        }
        // Enough cells of each kind for the test to mean something.
        assert!(
            with_keyword > 1000 && without > 1000,
            "{with_keyword}, {without}"
        );
        let clean = keyed_cells(&mut filter, b"hotel,company,business\n");
        assert!(clean.iter().all(|(_, n)| n.is_empty()));
    }

    /// Managed keywords count in text only as words of their own: `hotel` holds no
    /// `tel`, and a region of such words opens no gate.
    #[test]
    fn managed_keywords_inside_words_open_no_gate() {
        let set = identifier_set();
        let gate = gate_of(&set);
        let mut mask = DetectorMask::new(set.detectors().len());
        gate.add_in_text(b"hotel,company,business\n", &mut mask);
        assert!(mask.is_empty());
        gate.add_in_text(b"x,tel 0612345678\n", &mut mask);
        assert!(!mask.is_empty());
    }

    /// The pass as it was before [`WordStarts`] and [`Prefixes`]: a test and a branch per
    /// byte, and a walk at every word start whose byte (in either ASCII case) begins
    /// some spelling. Kept to time the new pass against.
    fn each_in_text_bytewise(
        gate: &KeywordGate,
        starts: &[bool; 256],
        bytes: &[u8],
        mut found: impl FnMut(&[usize], usize),
    ) {
        let mut after_word_byte = false;
        for (at, &byte) in bytes.iter().enumerate() {
            if !after_word_byte && starts[usize::from(byte)] {
                words_at(&gate.words, &gate.owners, bytes, at, &mut found);
            }
            after_word_byte = byte.is_ascii_alphanumeric();
        }
    }

    /// The bytes (in either ASCII case) that some spelling starts with, as the
    /// byte-wise pass tests them.
    fn first_bytes(set: &IdentifierSet) -> [bool; 256] {
        let mut starts = [false; 256];
        for spelling in gated_spellings(set) {
            let first = spelling.as_bytes()[0];
            starts[usize::from(first.to_ascii_lowercase())] = true;
            starts[usize::from(first.to_ascii_uppercase())] = true;
        }
        starts
    }

    /// Every spelling of the gated keywords of `set`.
    fn gated_spellings(set: &IdentifierSet) -> Vec<String> {
        set.detectors()
            .iter()
            .filter_map(|d| {
                d.keyword_rule()
                    .filter(|r| d.requires_keyword() && r.whole_words())
            })
            .flat_map(|r| r.spellings().iter().cloned())
            .collect()
    }

    /// The plainest pass there is: a walk from every byte (the walk itself checks that
    /// a keyword stands as a word of its own).
    fn each_in_text_everywhere(gate: &KeywordGate, bytes: &[u8]) -> Vec<(Vec<usize>, usize)> {
        let mut all = Vec::new();
        let mut found = |owners: &[usize], end: usize| all.push((owners.to_vec(), end));
        for at in 0..bytes.len() {
            words_at(&gate.words, &gate.owners, bytes, at, &mut found);
        }
        all
    }

    fn each_in_text(gate: &KeywordGate, bytes: &[u8]) -> Vec<(Vec<usize>, usize)> {
        let mut all = Vec::new();
        gate.each_in_text(bytes, |owners, end| all.push((owners.to_vec(), end)));
        all
    }

    /// A region of text made to trip the pass: test pieces, the gate's own spellings
    /// in random case (whole, cut short, with plural endings, glued to letters, digits
    /// or underscores), non-ASCII text and random bytes, of every length from empty.
    fn tricky_region(rng: &mut fastrand::Rng, spellings: &[String]) -> Vec<u8> {
        let mut region = Vec::new();
        // Half the regions fit in a block of the pass, half span several.
        let pieces = if rng.bool() { 12 } else { 60 };
        for _ in 0..rng.usize(0..pieces) {
            match rng.u8(0..8) {
                0 => region.extend_from_slice(PIECES[rng.usize(..PIECES.len())].as_bytes()),
                1 => {
                    region.extend_from_slice(GATE_PIECES[rng.usize(..GATE_PIECES.len())].as_bytes())
                }
                2..=4 => {
                    let spelling = spellings[rng.usize(..spellings.len())].as_bytes();
                    let cut = if rng.u8(0..4) == 0 {
                        rng.usize(1..=spelling.len())
                    } else {
                        spelling.len()
                    };
                    region.extend(spelling[..cut].iter().map(|&b| {
                        if rng.bool() {
                            b.to_ascii_uppercase()
                        } else {
                            b.to_ascii_lowercase()
                        }
                    }));
                    if rng.u8(0..3) == 0 {
                        region.extend_from_slice(
                            [&b"s"[..], b"es", b"ES", b"S", b"s1", b"x"][rng.usize(..6)],
                        );
                    }
                }
                5 => {
                    let glue = ["a", "Z", "7", "_", "é", "ção", "№", "\u{0}", " "];
                    region.extend_from_slice(glue[rng.usize(..glue.len())].as_bytes());
                }
                6 => {
                    let separators = b",\t\n\r\" -.:/@#";
                    region.push(separators[rng.usize(..separators.len())]);
                }
                _ => region.extend((0..rng.usize(1..20)).map(|_| rng.u8(..))),
            }
        }
        region
    }

    /// The word-at-a-time pass hands over exactly what a walk from every byte finds, and
    /// what the byte-wise pass it replaced found, in the same order, over regions of
    /// every length and alignment.
    #[test]
    fn the_pass_finds_what_a_walk_from_every_byte_finds() {
        let set = identifier_set();
        let gate = gate_of(&set);
        let spellings = gated_spellings(&set);
        let starts = first_bytes(&set);
        let mut rng = fastrand::Rng::with_seed(1414);
        let mut occurrences = 0;
        for _ in 0..4000 {
            let region = tricky_region(&mut rng, &spellings);
            let expected = each_in_text_everywhere(&gate, &region);
            // The region from each of its first 17 offsets, so that keywords fall at
            // every place of the 16 or eight bytes read at a time, and at the very
            // start and end of the text.
            for skip in 0..=region.len().min(16) {
                let expected: Vec<_> = if skip == 0 {
                    expected.clone()
                } else {
                    each_in_text_everywhere(&gate, &region[skip..])
                };
                let text = &region[skip..];
                let context = String::from_utf8_lossy(text);
                assert_eq!(each_in_text(&gate, text), expected, "{context:?}");
                let mut bytewise = Vec::new();
                each_in_text_bytewise(&gate, &starts, text, |owners, end| {
                    bytewise.push((owners.to_vec(), end));
                });
                assert_eq!(bytewise, expected, "{context:?}, byte by byte");
            }
            occurrences += expected.len();
        }
        // The regions hold keywords often enough for the comparison to mean something.
        assert!(occurrences > 4000, "{occurrences}");
    }
}
