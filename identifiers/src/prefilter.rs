//! One automaton over raw bytes that finds the text units worth judging.
//!
//! Judging a unit (docs/identifiers.md) runs every detector's regex over it, then keywords,
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
use std::sync::Arc;

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange};
use regex_syntax::hir::{Hir, HirKind, Look, Repetition};

use crate::dialect;

mod mask;

pub use mask::DetectorMask;

/// Lazy-DFA cache capacity. The filter's automaton grows with the data it sees; 8 MiB
/// holds the states of the managed set over ordinary data without being cleared.
const CACHE_CAPACITY: usize = 8 << 20;
// No ahead-of-time (dense) DFA: determinizing the managed set's loosened patterns
// with MatchKind::All took over 20 s; the lazy DFA only builds the states the data
// visits.

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
    /// `separators` as a table, to tell in one lookup per byte whether two match ends
    /// are in the same unit.
    is_separator: [bool; 256],
    detectors: usize,
    /// The detectors whose loosened pattern matches, inside a unit, exactly what their
    /// pattern does (see [`Loosened::exact`]).
    exact: DetectorMask,
    /// For each pattern after the detectors' own, the detectors it stands for (see
    /// [`Proxy`]); shared with the [`MatchEnds`] the filter fills.
    proxies: Arc<[DetectorMask]>,
}

/// A pattern walked for some detectors instead of, or besides, their own: a unit where
/// it matches is reported for each of them, as one that may hold any number of their
/// matches. What makes that sound is the caller's business; the keyword gate uses it
/// to walk the keywords of the identifiers that keep a match only near one.
///
/// A unit's entry records the proxy, not its detectors, which may be a hundred.
#[derive(Debug, Clone)]
pub struct Proxy {
    /// Must not match a separator byte, nor the empty string.
    pub hir: Hir,
    /// Sized for the filter's detectors.
    pub detectors: DetectorMask,
}

/// Per-thread scratch space of a [`UnitFilter`].
#[derive(Debug, Clone)]
pub struct FilterCache {
    cache: Cache,
    /// Scratch space: the match ends of the second half of a split range.
    second_half: MatchEnds,
    /// Scratch space: the detectors of the second half of a split range.
    second_mask: DetectorMask,
}

impl UnitFilter {
    /// Builds the filter of `patterns` (translated, in regex-syntax's dialect; index =
    /// detector index) for units separated by `separators`. `None` when no sound filter
    /// exists for them (a pattern that may match the empty string, a word byte as
    /// separator) or it cannot be built.
    #[cfg(test)]
    pub fn new(patterns: &[&str], separators: &[u8]) -> Option<UnitFilter> {
        let loose = loosened(patterns, separators)?;
        UnitFilter::from_loosened(&loose.hirs, &loose.exact, &[], separators)
    }

    /// Builds the filter of patterns already loosened for `separators` by
    /// [`loosened`] (some perhaps replaced by [`Hir::fail`]), with `proxies` walked
    /// after them: what a caller that builds several filters from the same patterns
    /// uses to parse them once.
    pub fn from_loosened(
        hirs: &[Hir],
        exact: &DetectorMask,
        proxies: &[Proxy],
        separators: &[u8],
    ) -> Option<UnitFilter> {
        if hirs.is_empty() {
            return None;
        }
        let patterns: Vec<&Hir> = hirs.iter().chain(proxies.iter().map(|p| &p.hir)).collect();
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .shrink(true)
                    .which_captures(WhichCaptures::None),
            )
            .build_many_from_hir(&patterns)
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
        let mut is_separator = [false; 256];
        for &byte in separators {
            is_separator[usize::from(byte)] = true;
        }
        Some(UnitFilter {
            dfa,
            separators: separators.to_vec(),
            is_separator,
            detectors: hirs.len(),
            exact: exact.clone(),
            proxies: proxies
                .iter()
                .map(|proxy| proxy.detectors.clone())
                .collect(),
        })
    }

    /// The bytes that separate units in the buffers this filter reads.
    #[cfg(test)]
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
            second_half: MatchEnds::default(),
            second_mask: self.new_mask(),
        }
    }

    /// Records in `out` (cleared first), for each unit of `range` in which a filter
    /// match ends, in order, the offset where its last match ends and the detectors of
    /// all the matches ending in it, each marked when its matches there all end at one
    /// offset and its loosened pattern is exact. A match is never empty and never
    /// contains a separator, so the byte before an end belongs to the unit the match is
    /// in, and the detectors of a unit are those of the ends in it.
    ///
    /// One entry per unit, not per match end: where a pattern matches at every byte
    /// (a 40-character class run over base64, say) a unit holds as many ends as bytes,
    /// and keeping each would cost far more memory than the range itself.
    ///
    /// One walk of the automaton, never restarted: all its threads die on a separator,
    /// so its state after a unit is as good as a fresh start. A long range is walked
    /// as two halves, split after a separator, in one interleaved loop: each step of a
    /// walk waits for the previous state's table lookup, and two independent walks let
    /// the processor overlap those waits.
    pub fn match_ends(
        &self,
        cache: &mut FilterCache,
        haystack: &[u8],
        range: Range<usize>,
        out: &mut MatchEnds,
    ) -> Result<(), FilterError> {
        self.match_ends_split(cache, haystack, range, out, BLOCK_SPLIT_MIN)
    }

    fn match_ends_split(
        &self,
        cache: &mut FilterCache,
        haystack: &[u8],
        range: Range<usize>,
        out: &mut MatchEnds,
        split_min: usize,
    ) -> Result<(), FilterError> {
        out.clear();
        let FilterCache {
            cache, second_half, ..
        } = cache;
        let middle = range.start + range.len() / 2;
        let split = if range.len() >= split_min {
            haystack[middle..range.end]
                .iter()
                .position(|b| self.separators.contains(b))
                .map(|at| middle + at + 1)
        } else {
            None
        };
        let Some(split) = split else {
            let mut walk = self.walk(cache, haystack, range)?;
            return self.walk_alone(cache, haystack, &mut walk, &mut UnitEnds::new(self, out));
        };
        let clears = cache.clear_count();
        let mut first = self.walk(cache, haystack, range.start..split)?;
        let mut second = self.walk(cache, haystack, split..range.end)?;
        second_half.clear();
        let paired = cache.clear_count() == clears
            && self.walk_pair(
                cache,
                haystack,
                [&mut first, &mut second],
                UnitEnds::new(self, out),
                UnitEnds::new(self, second_half),
            )?;
        if !paired {
            // The lazy DFA cleared its cache while both halves were under way, which
            // invalidates the state one of them was waiting in. One walk over the whole
            // range is always sound: the DFA keeps the state it steps from across a clear.
            out.clear();
            let mut walk = self.walk(cache, haystack, range)?;
            return self.walk_alone(cache, haystack, &mut walk, &mut UnitEnds::new(self, out));
        }
        // The halves meet after a separator: their units are distinct.
        out.append(second_half);
        Ok(())
    }

    fn walk(
        &self,
        cache: &mut Cache,
        haystack: &[u8],
        range: Range<usize>,
    ) -> Result<Walk, FilterError> {
        let input = Input::new(haystack).range(range.clone());
        let state = self
            .dfa
            .start_state_forward(cache, &input)
            .map_err(|e| FilterError(e.to_string()))?;
        Ok(Walk {
            at: range.start,
            end: range.end,
            state,
        })
    }

    /// Walks two ranges to their ends, interleaved while both are in plain states.
    ///
    /// `false` when the cache was cleared while one walk waited: its state is no longer
    /// valid (a clear keeps only the state being stepped from), and what was recorded
    /// must be thrown away.
    fn walk_pair(
        &self,
        cache: &mut Cache,
        haystack: &[u8],
        walks: [&mut Walk; 2],
        mut out_one: impl EndSink,
        mut out_two: impl EndSink,
    ) -> Result<bool, FilterError> {
        let clears = cache.clear_count();
        let [one, two] = walks;
        while !one.is_over() && !two.is_over() {
            let (mut a, mut b) = (one.state, two.state);
            let (mut i, mut j) = (one.at, two.at);
            if !a.is_tagged() && !b.is_tagged() {
                while i < one.end && j < two.end {
                    let next_a = self.dfa.next_state_untagged(cache, a, haystack[i]);
                    let next_b = self.dfa.next_state_untagged(cache, b, haystack[j]);
                    if next_a.is_tagged() || next_b.is_tagged() {
                        break;
                    }
                    (a, b) = (next_a, next_b);
                    (i, j) = (i + 1, j + 1);
                }
            }
            (one.state, one.at, two.state, two.at) = (a, i, b, j);
            // One careful step each: whichever met a special state (or its end) gets
            // past it, the other just moves on.
            self.step(cache, haystack, one, &mut out_one)?;
            if cache.clear_count() != clears {
                return Ok(false);
            }
            self.step(cache, haystack, two, &mut out_two)?;
            if cache.clear_count() != clears {
                return Ok(false);
            }
        }
        self.walk_alone(cache, haystack, one, &mut out_one)?;
        if cache.clear_count() != clears && !two.is_over() {
            return Ok(false);
        }
        self.walk_alone(cache, haystack, two, &mut out_two)?;
        Ok(true)
    }

    /// Walks one range to its end.
    fn walk_alone(
        &self,
        cache: &mut Cache,
        haystack: &[u8],
        walk: &mut Walk,
        out: &mut impl EndSink,
    ) -> Result<(), FilterError> {
        while !walk.is_over() {
            let (mut state, mut at) = (walk.state, walk.at);
            if !state.is_tagged() {
                for &byte in &haystack[at..walk.end] {
                    let next = self.dfa.next_state_untagged(cache, state, byte);
                    if next.is_tagged() {
                        break;
                    }
                    state = next;
                    at += 1;
                }
            }
            (walk.state, walk.at) = (state, at);
            self.step(cache, haystack, walk, out)?;
        }
        Ok(())
    }

    /// Consumes the byte at `walk.at` (at the end of the range: the byte after it, or
    /// the end of the haystack, since matches are seen one byte late) and records in
    /// `out` the match ending there, if any. Nothing when the walk is over.
    #[inline]
    fn step(
        &self,
        cache: &mut Cache,
        haystack: &[u8],
        walk: &mut Walk,
        out: &mut impl EndSink,
    ) -> Result<(), FilterError> {
        if walk.is_over() {
            return Ok(());
        }
        let at = walk.at;
        let state = walk.state;
        let next = match haystack.get(at) {
            Some(&byte) if at < walk.end && !state.is_tagged() => {
                match self.dfa.next_state_untagged(cache, state, byte) {
                    next if next.is_unknown() => self.dfa.next_state(cache, state, byte),
                    next => Ok(next),
                }
            }
            Some(&byte) => self.dfa.next_state(cache, state, byte),
            None => self.dfa.next_eoi_state(cache, state),
        }
        .map_err(|e| FilterError(e.to_string()))?;
        walk.state = next;
        walk.at = at + 1;
        if !next.is_tagged() {
            return Ok(());
        }
        if next.is_quit() || next.is_unknown() {
            return Err(FilterError("the lazy DFA quit".into()));
        }
        if next.is_dead() {
            walk.at = walk.end + 1;
        } else if next.is_match() {
            out.begin(haystack, at);
            for index in 0..self.dfa.match_len(cache, next) {
                let pattern = self.dfa.match_pattern(cache, next, index).as_usize();
                match pattern.checked_sub(self.detectors) {
                    None => out.detector(pattern, self.exact.contains(pattern)),
                    Some(proxy) => out.proxy(proxy, &self.proxies[proxy]),
                }
            }
        }
        Ok(())
    }

    /// Sets `mask` to the detectors whose loosened pattern matches within `range`: a
    /// superset of those whose exact regex matches in the unit at `range`.
    ///
    /// With `MatchKind::All` a match state names every pattern with a match ending
    /// there, so one walk collecting them gives exactly the set an overlapping search
    /// reports, without restarting a search at every match. The walk adds them to
    /// `mask` as it meets them and keeps nothing else, so its memory does not grow
    /// with the unit or the number of matches in it.
    ///
    /// A long range (a text window) is walked as two interleaved halves, as in
    /// [`match_ends`](Self::match_ends), but with no separator to split at: the first
    /// walk goes on past the middle until its state is the one a walk started there
    /// would be in (no match in progress), which in text comes within a word or two.
    /// From that point on its matches are among the second walk's, which started at
    /// the middle and has been carrying every match begun since.
    pub fn detectors_in(
        &self,
        cache: &mut FilterCache,
        haystack: &[u8],
        range: Range<usize>,
        mask: &mut DetectorMask,
    ) -> Result<(), FilterError> {
        if range.len() >= SPLIT_MIN {
            return self.detectors_in_split(cache, haystack, range, mask, SPLIT_MIN);
        }
        mask.clear();
        let cache = &mut cache.cache;
        let mut walk = self.walk(cache, haystack, range)?;
        self.walk_alone(cache, haystack, &mut walk, mask)
    }

    /// [`detectors_in`](Self::detectors_in) as two interleaved walks. Its walks report
    /// through [`Halves`], not straight to a mask: the short units' walk, the hot loop
    /// of a scan of cells or JSON values, then keeps its code to itself (sharing it
    /// made a JSON Lines scan a fifth slower).
    #[inline(never)]
    fn detectors_in_split(
        &self,
        cache: &mut FilterCache,
        haystack: &[u8],
        range: Range<usize>,
        mask: &mut DetectorMask,
        split_min: usize,
    ) -> Result<(), FilterError> {
        mask.clear();
        let FilterCache {
            cache, second_mask, ..
        } = cache;
        let (mask, second_mask) = (&mut Halves(mask), &mut Halves(second_mask));
        if range.len() >= split_min {
            let middle = range.start + range.len() / 2;
            let clears = cache.clear_count();
            let mut first = self.walk(cache, haystack, range.start..middle)?;
            let mut second = self.walk(cache, haystack, middle..range.end)?;
            second_mask.0.clear();
            if cache.clear_count() == clears
                && self.walk_pair(
                    cache,
                    haystack,
                    [&mut first, &mut second],
                    &mut *mask,
                    &mut *second_mask,
                )?
                && self.walk_until_in_step(cache, haystack, &mut first, range.end, mask)?
            {
                mask.0.union_with(second_mask.0);
                return Ok(());
            }
            // The cache was cleared under a waiting walk: one walk over the whole range.
            mask.0.clear();
        }
        let mut walk = self.walk(cache, haystack, range)?;
        self.walk_alone(cache, haystack, &mut walk, mask)
    }

    /// Walks on from the end of `walk`'s range (whose last byte it has consumed) towards
    /// `end`, until its state is the start state of a walk beginning where it is:
    /// what follows is then the same as for any walk started before, and none of its
    /// matches is new. Gives up looking after [`MAX_STEP_IN`] bytes and walks to `end`.
    /// `false` when the cache was cleared, which leaves the comparison meaningless.
    fn walk_until_in_step(
        &self,
        cache: &mut Cache,
        haystack: &[u8],
        walk: &mut Walk,
        end: usize,
        out: &mut Halves<'_>,
    ) -> Result<bool, FilterError> {
        let clears = cache.clear_count();
        walk.end = end;
        let give_up = walk.at.saturating_add(MAX_STEP_IN);
        while !walk.is_over() {
            if walk.at >= give_up {
                self.walk_alone(cache, haystack, walk, out)?;
                break;
            }
            if walk.at < end {
                let input = Input::new(haystack).range(walk.at..end);
                let start = self
                    .dfa
                    .start_state_forward(cache, &input)
                    .map_err(|e| FilterError(e.to_string()))?;
                if cache.clear_count() != clears {
                    return Ok(false);
                }
                if start == walk.state {
                    return Ok(true);
                }
            }
            self.step(cache, haystack, walk, out)?;
            if cache.clear_count() != clears {
                return Ok(false);
            }
        }
        Ok(cache.clear_count() == clears)
    }
}

/// How far past the middle of a split text window the first walk looks for the point
/// where it falls in step with a fresh walk, before it just walks on to the end.
const MAX_STEP_IN: usize = 4096;

/// Text windows at least this long are walked as two interleaved halves.
const SPLIT_MIN: usize = 4096;

/// Blocks of units at least this long are walked as two interleaved halves: a walk
/// alone takes about twice as long a byte. Lower than for windows, as a block is split
/// at a separator found at once: a table that quotes a cell now and then is walked in
/// blocks of a few kilobytes, between its quoted records (on the bench CSV, a tenth of
/// the bytes were walked alone with the windows' bound).
const BLOCK_SPLIT_MIN: usize = 512;

/// Where a walk is and in which state.
#[derive(Debug, Clone)]
struct Walk {
    /// The next byte to consume; `end` stands for the byte after the range (or the end
    /// of the haystack), and past `end` the walk is over.
    at: usize,
    end: usize,
    state: LazyStateID,
}

impl Walk {
    fn is_over(&self) -> bool {
        self.at > self.end
    }
}

/// What a walk reports each match end to: [`MatchEnds`] keeps one entry per unit, a
/// [`DetectorMask`] only which detectors matched.
trait EndSink {
    /// A match state was reached: matches end at `at` in `haystack`; their detectors
    /// follow, one [`EndSink::detector`] call each.
    fn begin(&mut self, haystack: &[u8], at: usize);
    /// A detector with a match ending there; `exact` when its pattern is exact (see
    /// [`Loosened::exact`]).
    fn detector(&mut self, detector: usize, exact: bool);
    /// A [`Proxy`] with a match ending there: the `index`-th, for `detectors`.
    fn proxy(&mut self, index: usize, detectors: &DetectorMask);
}

impl<S: EndSink> EndSink for &mut S {
    fn begin(&mut self, haystack: &[u8], at: usize) {
        (**self).begin(haystack, at);
    }

    fn detector(&mut self, detector: usize, exact: bool) {
        (**self).detector(detector, exact);
    }

    fn proxy(&mut self, index: usize, detectors: &DetectorMask) {
        (**self).proxy(index, detectors);
    }
}

/// The mask of one half of a split walk (see [`UnitFilter::detectors_in`]).
struct Halves<'a>(&'a mut DetectorMask);

impl EndSink for Halves<'_> {
    fn begin(&mut self, _: &[u8], _: usize) {}

    fn detector(&mut self, detector: usize, _: bool) {
        self.0.insert(detector);
    }

    fn proxy(&mut self, _: usize, detectors: &DetectorMask) {
        self.0.union_with(detectors);
    }
}

impl EndSink for DetectorMask {
    fn begin(&mut self, _: &[u8], _: usize) {}

    fn detector(&mut self, detector: usize, _: bool) {
        self.insert(detector);
    }

    fn proxy(&mut self, _: usize, detectors: &DetectorMask) {
        self.union_with(detectors);
    }
}

/// A [`MatchEnds`] being filled by a walk of `filter`, which says where units end.
struct UnitEnds<'a> {
    filter: &'a UnitFilter,
    ends: &'a mut MatchEnds,
}

impl<'a> UnitEnds<'a> {
    fn new(filter: &'a UnitFilter, ends: &'a mut MatchEnds) -> Self {
        if !Arc::ptr_eq(&ends.proxies, &filter.proxies) {
            ends.proxies = Arc::clone(&filter.proxies);
        }
        ends.first_proxy = filter.detectors;
        UnitEnds { filter, ends }
    }
}

impl EndSink for UnitEnds<'_> {
    /// Opens an entry for `at`, or moves the last one to `at` when no separator lies
    /// between them (the same unit). Ends arrive in increasing order, so the bytes
    /// checked, from one end to the next, are each checked at most once per walk.
    fn begin(&mut self, haystack: &[u8], at: usize) {
        let same_unit = self.ends.ends.last().is_some_and(|&last| {
            !haystack[last..at]
                .iter()
                .any(|&b| self.filter.is_separator[usize::from(b)])
        });
        if same_unit {
            if let Some(last) = self.ends.ends.last_mut() {
                *last = at;
            }
        } else {
            self.ends.ends.push(at);
            self.ends.bounds.push(self.ends.detectors.len());
        }
    }

    /// Adds `detector` to the last entry, once; marks it single there when this is the
    /// first offset its matches end at in the unit and its pattern is exact. (A second
    /// call is for a new offset: a match state names each pattern once, and the walk's
    /// offsets only grow.)
    fn detector(&mut self, detector: usize, exact: bool) {
        let from = self.ends.bounds.last().copied().unwrap_or(0);
        match self.ends.detectors[from..]
            .iter()
            .position(|&d| d == detector)
        {
            Some(at) => self.ends.single[from + at] = false,
            None => {
                self.ends.detectors.push(detector);
                self.ends.single.push(exact);
            }
        }
    }

    /// Adds the proxy to the last entry, once, as an entry past the detectors.
    fn proxy(&mut self, index: usize, _: &DetectorMask) {
        let from = self.ends.bounds.last().copied().unwrap_or(0);
        let id = self.filter.detectors + index;
        if !self.ends.detectors[from..].contains(&id) {
            self.ends.detectors.push(id);
            self.ends.single.push(false);
        }
    }
}

/// The units in which [`UnitFilter::match_ends`] found matches, in order: for each,
/// where its last match ends and the detectors of all its matches. Reused from one
/// range to the next.
#[derive(Debug, Clone)]
pub struct MatchEnds {
    ends: Vec<usize>,
    /// The detectors of entry `i` are `detectors[bounds[i]..bounds[i + 1]]` (the last
    /// entry's run to the end); from `first_proxy` on, an index stands for the
    /// detectors of `proxies[index - first_proxy]`.
    detectors: Vec<usize>,
    first_proxy: usize,
    proxies: Arc<[DetectorMask]>,
    /// For each of `detectors`: whether all its matches in the unit end at one offset
    /// and its loosened pattern is exact, so that its pattern has exactly one
    /// leftmost-first match in the unit (see [`MatchEnds::add_detectors`]).
    single: Vec<bool>,
    bounds: Vec<usize>,
}

impl Default for MatchEnds {
    fn default() -> Self {
        MatchEnds {
            ends: Vec::new(),
            detectors: Vec::new(),
            first_proxy: usize::MAX,
            proxies: Arc::from(Vec::new()),
            single: Vec::new(),
            bounds: Vec::new(),
        }
    }
}

impl MatchEnds {
    /// The number of units with matches.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The offset where the last match of the `index`-th unit ends.
    pub fn end(&self, index: usize) -> usize {
        self.ends[index]
    }

    /// Adds the detectors of the `index`-th unit to `mask`, and to `single` those of
    /// them whose pattern has exactly one match in the unit, as the exact path would
    /// find it (taking out of `single` any already in `mask`). A [`Proxy`]'s detectors
    /// are added to `mask` and taken out of `single`: it says nothing of their number.
    ///
    /// Exactly one: inside a unit an exact loosened pattern matches the same spans as
    /// the pattern, so its match ends are the pattern's. When they are all one offset,
    /// the leftmost-first match ends there, and no match can start at or after it and
    /// end later.
    pub fn add_detectors(&self, index: usize, mask: &mut DetectorMask, single: &mut DetectorMask) {
        let to = self
            .bounds
            .get(index + 1)
            .copied()
            .unwrap_or(self.detectors.len());
        let from = self.bounds[index];
        for (&detector, &one) in self.detectors[from..to].iter().zip(&self.single[from..to]) {
            if let Some(proxy) = detector.checked_sub(self.first_proxy) {
                mask.union_with(&self.proxies[proxy]);
                single.remove_all(&self.proxies[proxy]);
            } else if mask.contains(detector) {
                single.remove(detector);
            } else {
                mask.insert(detector);
                if one {
                    single.insert(detector);
                }
            }
        }
    }

    fn clear(&mut self) {
        self.ends.clear();
        self.detectors.clear();
        self.single.clear();
        self.bounds.clear();
    }

    /// Appends the entries of `other`, whose units all come after this one's.
    fn append(&mut self, other: &MatchEnds) {
        let offset = self.detectors.len();
        self.ends.extend_from_slice(&other.ends);
        self.detectors.extend_from_slice(&other.detectors);
        self.single.extend_from_slice(&other.single);
        self.bounds.extend(other.bounds.iter().map(|b| b + offset));
    }
}

/// Patterns loosened for one layout of units, by [`loosened`].
#[derive(Debug, Clone)]
pub struct Loosened {
    /// By detector index.
    pub hirs: Vec<Hir>,
    /// The detectors whose loosened pattern is exact: it dropped no anchor, so inside
    /// a unit (which holds no separator, and whose ends its neighbours' separators
    /// stand for as non-word bytes) it matches exactly the spans its pattern does.
    pub exact: DetectorMask,
}

/// `patterns` (translated, in regex-syntax's dialect; index = detector index) parsed
/// and loosened for units separated by `separators` (see the module documentation);
/// `None` when no sound filter exists for them: a pattern that may match the empty
/// string once loosened, a word byte as separator, or a pattern that does not parse.
pub fn loosened(patterns: &[&str], separators: &[u8]) -> Option<Loosened> {
    if patterns.is_empty() || separators.iter().any(|&b| is_word_byte(b)) {
        return None;
    }
    let config = dialect::syntax_config();
    let mut hirs = Vec::with_capacity(patterns.len());
    let mut exact = DetectorMask::new(patterns.len());
    for (index, pattern) in patterns.iter().enumerate() {
        let hir = regex_automata::util::syntax::parse_with(pattern, &config).ok()?;
        if separators.is_empty() {
            // Each haystack is one whole unit: the patterns as they are.
            hirs.push(hir);
            exact.insert(index);
            continue;
        }
        let loose = loosen(&hir, separators);
        if loose.properties().minimum_len() == Some(0) {
            return None;
        }
        if keeps_every_anchor(&hir) {
            exact.insert(index);
        }
        hirs.push(loose);
    }
    Some(Loosened { hirs, exact })
}

/// Whether [`loosen`] drops no assertion of `hir`: it has none but ASCII word
/// boundaries.
fn keeps_every_anchor(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => true,
        HirKind::Look(look) => matches!(
            look,
            Look::WordAscii
                | Look::WordAsciiNegate
                | Look::WordStartAscii
                | Look::WordEndAscii
                | Look::WordStartHalfAscii
                | Look::WordEndHalfAscii
        ),
        HirKind::Repetition(repetition) => keeps_every_anchor(&repetition.sub),
        HirKind::Capture(capture) => keeps_every_anchor(&capture.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().all(keeps_every_anchor),
    }
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
    use regex_automata::PatternSet;

    use super::*;

    fn filter(patterns: &[&str]) -> UnitFilter {
        UnitFilter::new(patterns, b",\n\r\"").expect("filter")
    }

    /// The match end reported for each unit that has one (its last), checking that
    /// no two are in the same unit.
    fn ends(filter: &UnitFilter, text: &[u8]) -> Vec<usize> {
        let mut cache = filter.create_cache();
        let mut ends = MatchEnds::default();
        filter
            .match_ends(&mut cache, text, 0..text.len(), &mut ends)
            .expect("walk");
        let out: Vec<usize> = (0..ends.len()).map(|index| ends.end(index)).collect();
        for pair in out.windows(2) {
            assert!(
                text[pair[0]..pair[1]]
                    .iter()
                    .any(|b| filter.separators().contains(b)),
                "one entry per unit: {out:?}"
            );
        }
        out
    }

    /// A block walked as two interleaved halves while the lazy DFA's cache keeps
    /// filling up and being cleared (the whole catalogue over a large table does this):
    /// a clear invalidates the state the waiting half holds, so the walk must notice and
    /// give the same match ends as one walk with room to spare, instead of stepping from
    /// a stale state (which indexed out of the cache's bounds).
    #[test]
    fn a_cache_clear_during_a_split_walk_changes_nothing() {
        let patterns = [
            r"\b\d{8}[ -]?\d{10}\b",
            r"\b\d{4}(?:[ -]?\d{4}){4}\b",
            r"\b[A-Z]{4}(?:[ -]?\d{4}){3}[ -]?\d{2}\b",
            r"\b[A-Z]\d{3}(?:[ -]?[0-9A-Z]{4}){4}[ -]?[0-9A-Z]{3}\b",
            r"\b\d{3}-\d{2}-\d{4}\b",
        ];
        let roomy = filter(&patterns);
        let mut cramped = filter(&patterns);
        cramped.dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(0)
                    .skip_cache_capacity_check(true)
                    .minimum_cache_clear_count(None),
            )
            .build_from_nfa(roomy.dfa.get_nfa().clone())
            .expect("dfa");
        let mut rng = fastrand::Rng::with_seed(7);
        // Units of mostly digits, some grouped, some after letters: many states, and
        // some units that match.
        let mut text = Vec::new();
        while text.len() < 64 << 10 {
            for _ in 0..rng.usize(0..5) {
                text.push(rng.u8(b'A'..=b'Z'));
            }
            for _ in 0..rng.usize(3..24) {
                text.push(match rng.u8(0..20) {
                    0 => b' ',
                    1 => b'-',
                    _ => rng.u8(b'0'..=b'9'),
                });
            }
            text.push(if rng.bool() { b',' } else { b'\n' });
        }
        let walk = |filter: &UnitFilter, cache: &mut FilterCache, split_min: usize| {
            let mut ends = MatchEnds::default();
            filter
                .match_ends_split(cache, &text, 0..text.len(), &mut ends, split_min)
                .expect("walk");
            let units: Vec<(usize, Vec<usize>, Vec<usize>)> = (0..ends.len())
                .map(|index| {
                    let (mut mask, mut single) = (filter.new_mask(), filter.new_mask());
                    ends.add_detectors(index, &mut mask, &mut single);
                    (
                        ends.end(index),
                        mask.iter().collect(),
                        single.iter().collect(),
                    )
                })
                .collect();
            units
        };
        let expected = walk(&roomy, &mut roomy.create_cache(), usize::MAX);
        assert!(!expected.is_empty());
        let mut cache = cramped.create_cache();
        assert_eq!(walk(&cramped, &mut cache, BLOCK_SPLIT_MIN), expected);
        assert!(cache.cache.clear_count() > 0, "the cache was never cleared");
    }

    #[test]
    fn anchors_are_unit_ends_so_they_are_dropped() {
        let f = filter(&[r"^\d{3}$"]);
        assert_eq!(ends(&f, b"abc,123,x"), [7]);
        assert_eq!(
            ends(&f, b"abc,1234\n"),
            [8],
            "a superset: 123 and 234 of 1234"
        );
    }

    /// A pattern that matches at every byte of a long unit leaves one entry, with the
    /// detectors of all its matches: memory does not grow with the matches.
    #[test]
    fn a_unit_full_of_matches_is_one_entry() {
        let f = filter(&[r"[a-z]{4}", r"\d"]);
        let mut text = b"x,".to_vec();
        text.extend(b"abcd".repeat(10_000));
        text.extend_from_slice(b"1,abcd\nzz");
        let mut cache = f.create_cache();
        let mut ends = MatchEnds::default();
        f.match_ends(&mut cache, &text, 0..text.len(), &mut ends)
            .expect("walk");
        assert_eq!(ends.len(), 2);
        assert_eq!(ends.end(0), 2 + 40_001);
        assert_eq!(ends.end(1), text.len() - 3);
        assert!(ends.detectors.len() <= 3, "{:?}", ends.detectors);
        let (mut mask, mut single) = (f.new_mask(), f.new_mask());
        ends.add_detectors(0, &mut mask, &mut single);
        assert!(mask.contains(0) && mask.contains(1));
        mask.clear();
        ends.add_detectors(1, &mut mask, &mut single);
        assert!(mask.contains(0) && !mask.contains(1));
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

    /// The managed catalogue's patterns, translated, followed by `more` (already in
    /// regex-syntax's dialect).
    fn catalogue_and(more: &[&str]) -> Vec<String> {
        crate::managed::MANAGED_IDENTIFIERS
            .iter()
            .map(|m| {
                crate::pattern::Pattern::new(&m.regex())
                    .expect("managed")
                    .translated()
                    .to_owned()
            })
            .chain(more.iter().map(|p| (*p).to_owned()))
            .collect()
    }

    /// A detector the walk marks single in a unit has exactly one match there, as the
    /// exact path finds them: over the catalogue's patterns, the seed's and anchored
    /// ones (whose loosened forms match more), in units holding one value, two, or one
    /// with several ends (`.com.br`).
    #[test]
    fn single_detectors_match_once_in_their_unit() {
        let translated = catalogue_and(&[
            r"\b(\d{3}\.){2}\d{3}\-\d{2}\b",
            r"^\d{3}",
            r"[a-z]+\d$",
            r"(?m)^ID\d+",
        ]);
        let patterns: Vec<&str> = translated.iter().map(String::as_str).collect();
        let exact: Vec<regex_automata::meta::Regex> = patterns
            .iter()
            .map(|p| {
                regex_automata::meta::Regex::builder()
                    .syntax(dialect::syntax_config())
                    .build(p)
                    .expect("pattern")
            })
            .collect();
        let pieces: &[&[u8]] = &[
            b"a.b@example.fr",
            b"ana@example.com.br",
            b"x@y.fr z@w.fr",
            b"123.456.789-09",
            b"123",
            b"x123",
            b"ab1",
            b"ID42",
            b"4111 1111 1111 1111",
            b"123-45-6789",
            b",",
            b"\n",
            b" ",
            b"-",
        ];
        let f = filter(&patterns);
        assert!(f.exact.contains(0) && !f.exact.contains(patterns.len() - 3));
        let separators = f.separators().to_vec();
        let mut cache = f.create_cache();
        let mut ends = MatchEnds::default();
        let mut rng = fastrand::Rng::with_seed(11);
        let mut singles = 0;
        for _ in 0..300 {
            let mut text = Vec::new();
            for _ in 0..8 {
                text.extend_from_slice(pieces[rng.usize(..pieces.len())]);
            }
            f.match_ends(&mut cache, &text, 0..text.len(), &mut ends)
                .expect("walk");
            for index in 0..ends.len() {
                let end = ends.end(index);
                let start = text[..end - 1]
                    .iter()
                    .rposition(|b| separators.contains(b))
                    .map_or(0, |at| at + 1);
                let stop = text[end - 1..]
                    .iter()
                    .position(|b| separators.contains(b))
                    .map_or(text.len(), |at| end - 1 + at);
                let unit = &text[start..stop];
                let (mut mask, mut single) = (f.new_mask(), f.new_mask());
                ends.add_detectors(index, &mut mask, &mut single);
                for detector in single.iter() {
                    assert!(mask.contains(detector));
                    let matches = exact[detector]
                        .find_iter(Input::new(unit))
                        .filter(|m| !m.is_empty())
                        .count();
                    assert_eq!(matches, 1, "{}: {:?}", patterns[detector], unit);
                    singles += 1;
                }
            }
        }
        assert!(singles > 100, "{singles} single detectors seen");
    }

    /// The walk in `detectors_in` names exactly the detectors an overlapping search
    /// over the same range reports, on the managed patterns and haystacks full of
    /// near-misses, at every range (so every look-behind and look-ahead context).
    #[test]
    fn detectors_in_equals_overlapping_search() {
        let translated = catalogue_and(&[r"\b(\d{3}\.){2}\d{3}\-\d{2}\b", r"\bP\-[A-Z]{2}\d{4}\b"]);
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
            let mut rng = fastrand::Rng::with_seed(7);
            for _ in 0..60 {
                let mut text = Vec::new();
                for _ in 0..6 {
                    text.extend_from_slice(pieces[rng.usize(..pieces.len())]);
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
                        let expected: Vec<usize> = expected.iter().map(|p| p.as_usize()).collect();
                        let got: Vec<usize> = mask.iter().collect();
                        assert_eq!(got, expected, "{:?} {start}..{end}", text);
                        // Split in two interleaved walks however short the range.
                        f.detectors_in_split(&mut cache, &text, start..end, &mut mask, 2)
                            .expect("walk");
                        let split: Vec<usize> = mask.iter().collect();
                        assert_eq!(split, expected, "split: {:?} {start}..{end}", text);
                    }
                }
            }
        }
    }

    /// A range walked as two interleaved halves gives the match ends and detectors of
    /// one walk, wherever the split falls.
    #[test]
    fn split_walks_equal_one_walk() {
        let f = filter(&[
            r"\d{3}",
            r"[a-z]+@[a-z]+\.fr",
            r"\bP-[A-Z]{2}\d{4}\b",
            r"[a-z]{12,}",
        ]);
        let pieces: &[&[u8]] = &[
            b"123",
            b"ab@cd.fr",
            b"P-AB1234",
            b"abcdefghijklmnop",
            b",",
            b"\n",
            b" ",
            b"x",
        ];
        let mut cache = f.create_cache();
        let (mut whole, mut split) = (MatchEnds::default(), MatchEnds::default());
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..300 {
            let mut text = Vec::new();
            for _ in 0..rng.usize(1..=32) {
                text.extend_from_slice(pieces[rng.usize(..pieces.len())]);
            }
            for start in 0..text.len().min(4) {
                let range = start..text.len();
                f.match_ends_split(&mut cache, &text, range.clone(), &mut whole, usize::MAX)
                    .expect("one walk");
                f.match_ends_split(&mut cache, &text, range, &mut split, 1)
                    .expect("two walks");
                assert_eq!(
                    whole.ends,
                    split.ends,
                    "{:?}",
                    String::from_utf8_lossy(&text)
                );
                for index in 0..whole.len() {
                    let (mut a, mut b) = (f.new_mask(), f.new_mask());
                    let (mut one_a, mut one_b) = (f.new_mask(), f.new_mask());
                    whole.add_detectors(index, &mut a, &mut one_a);
                    split.add_detectors(index, &mut b, &mut one_b);
                    assert_eq!((a, one_a), (b, one_b));
                }
            }
        }
    }
}
