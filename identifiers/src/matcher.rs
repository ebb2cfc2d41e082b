//! The matcher boundary: what a caller outside this crate holds to have text judged.
//!
//! Readers (in `ferret-scanner`) turn bytes into units and never judge them; this module
//! is everything they and their sink need, as opaque types with a small API:
//!
//! - [`Matcher`]: one thread's judge over an [`IdentifierSet`]. It takes a unit's text,
//!   search range, context and optional [`Narrowing`], and reports kept counts
//!   ([`Matcher::count_kept`]) or every candidate ([`Matcher::candidates`]). It narrows
//!   whole units itself (one pass of an automaton built from every pattern names the
//!   detectors that may match, so only their regexes run), and judges column names
//!   and JSON keys ([`Matcher::holds_kept_match`]).
//! - [`BlockFilter`]: the raw-block fast path. A reader that holds many units side by
//!   side in a buffer, separated by known bytes (a CSV/TSV block), runs it once over
//!   the buffer; [`BlockHits`] then says which units may hold a match. Every other unit
//!   provably holds none and is skipped without being cut out.
//! - [`Narrowing`]: a token a reader fills from [`BlockHits`] and attaches to the unit
//!   it hands over, without looking inside. The matcher then runs only the detectors it
//!   names.
//!
//! The automata, their caches and the detector masks stay private to this crate, so the
//! fast path can change without touching a reader.

use std::ops::Range;
use std::sync::Arc;

use crate::gate::{KeywordGate, LayoutFilters};
use crate::near::NearSearch;
use crate::prefilter::{DetectorMask, FilterCache, MatchEnds, UnitFilter};
use crate::set::{Candidate, DetectorId, IdentifierSet};
use crate::UnitContext;

/// The detectors that may match in one unit, as a reader's block filter proved; opaque
/// to the reader, which only fills it from [`BlockHits`] and clears it.
#[derive(Debug, Clone)]
pub struct Narrowing {
    mask: DetectorMask,
    /// Detectors the block filter proved to have exactly one match in the unit (see
    /// [`MatchEnds::add_detectors`]): where every match counts, that one is counted
    /// without a search. Only those also in `mask` mean anything.
    single: DetectorMask,
    /// Keyword-bound detectors whose keywords the unit's context holds (its column's
    /// name), as [`BlockFilter::add_named`] added them.
    named: DetectorMask,
}

impl Narrowing {
    /// No detector: a unit handed over with it is counted as read, never judged.
    pub fn nothing() -> Narrowing {
        Narrowing::of_mask(DetectorMask::new(0))
    }

    /// Every detector of `set`.
    pub fn all(set: &IdentifierSet) -> Narrowing {
        let mut mask = DetectorMask::new(set.detectors().len());
        mask.fill();
        Narrowing::of_mask(mask)
    }

    /// Exactly `detectors` of `set`.
    pub fn of(set: &IdentifierSet, detectors: impl IntoIterator<Item = DetectorId>) -> Narrowing {
        let mut mask = DetectorMask::new(set.detectors().len());
        for detector in detectors {
            mask.insert(detector.0);
        }
        Narrowing::of_mask(mask)
    }

    /// The detectors of `mask`, none known to match once.
    fn of_mask(mask: DetectorMask) -> Narrowing {
        Narrowing {
            single: DetectorMask::new(mask.size()),
            named: DetectorMask::new(mask.size()),
            mask,
        }
    }

    /// Whether no detector is left.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.mask.is_empty()
    }

    /// Removes every detector, keeping the room for them.
    #[inline]
    pub fn clear(&mut self) {
        self.mask.clear();
        self.single.clear();
        self.named.clear();
    }

    /// The detectors named, by index in their set.
    pub fn detectors(&self) -> impl Iterator<Item = DetectorId> + '_ {
        self.mask.iter().map(DetectorId)
    }

    pub(crate) fn mask(&self) -> &DetectorMask {
        &self.mask
    }

    pub(crate) fn single(&self) -> &DetectorMask {
        &self.single
    }
}

/// Why a block filter gave up on a region (its lazy automaton did): the reader then
/// hands over every unit of the region, which is always correct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the block filter gave up on this region")]
pub struct BlockFilterError;

/// The raw-block filter of an identifier set for one layout of units, with its own
/// scratch space. Cheap to clone: a clone shares the compiled automata and starts with
/// empty scratch space, which is what each thread reading part of a table needs.
///
/// Soundness: [`BlockFilter::find`] reports every unit of a buffer in which some
/// detector could find a non-empty match it keeps, provided the units contain none of
/// [`BlockFilter::separators`], are laid out between separators (or the buffer's ends)
/// and are judged with no context or, once [`BlockFilter::name_columns`] was called,
/// with the name of their column. The one exception is the cells of a column whose
/// name holds a keyword ([`BlockFilter::names_identifiers`]): the reader hands over
/// every one of them, with the identifiers [`BlockFilter::add_named`] adds.
///
/// Identifiers that keep a match only with a keyword near it are not walked once the
/// columns are named: their loose patterns (runs of digits, dates) match in most cells
/// of ordinary tables, and almost none of those matches could be kept. The walk carries
/// their keywords instead, and reports a cell for such an identifier when the cell
/// holds one of its keywords as a word of its own: with no keyword in its column's
/// name, a cell keeps a match only with one in its own text.
#[derive(Debug)]
pub struct BlockFilter {
    filters: Arc<LayoutFilters>,
    /// Whether the reader named its columns: from then on the keyed filter is walked
    /// ([`LayoutFilters::keyed`]), before that the full one.
    columns_named: bool,
    /// By 0-based column: the gated detectors with a keyword in its name.
    named: Vec<DetectorMask>,
    /// The filter walked and its scratch space, set at the first walk.
    walker: Option<(Arc<UnitFilter>, FilterCache)>,
}

impl Clone for BlockFilter {
    fn clone(&self) -> Self {
        BlockFilter {
            filters: Arc::clone(&self.filters),
            columns_named: self.columns_named,
            named: self.named.clone(),
            walker: None,
        }
    }
}

impl BlockFilter {
    pub(crate) fn new(filters: Arc<LayoutFilters>) -> BlockFilter {
        BlockFilter {
            filters,
            columns_named: false,
            named: Vec::new(),
            walker: None,
        }
    }

    /// The bytes that separate units in the buffers this filter reads.
    pub fn separators(&self) -> &[u8] {
        self.filters.separators()
    }

    /// A narrowing with room for this filter's detectors, naming none yet.
    pub fn narrowing(&self) -> Narrowing {
        Narrowing::of_mask(DetectorMask::new(self.filters.detectors()))
    }

    /// Tells the filter the names of the table's columns, which are the only context
    /// its units will be judged in from now on (a unit past the named columns has
    /// none). From now on a keyword-bound identifier is reported only in cells that
    /// hold one of its keywords; in a column whose name holds one, the reader hands
    /// over every cell ([`names_identifiers`](Self::names_identifiers)).
    pub fn name_columns<'n>(&mut self, names: impl IntoIterator<Item = &'n str>) {
        self.named.clear();
        if let Some(gate) = self.filters.gate() {
            for name in names {
                let mut column = gate.new_mask();
                gate.add_in_name(name.as_bytes(), &mut column);
                self.named.push(column);
            }
        }
        if !self.columns_named {
            self.columns_named = true;
            self.walker = None;
        }
    }

    /// Whether column `column` (0-based) names keyword-bound identifiers, which the walk
    /// leaves out there: the reader must then hand over every non-empty cell of that
    /// column, whatever [`find`](Self::find) reports, with [`add_named`](Self::add_named).
    ///
    /// Cheaper than walking them: a column named `birth_date` holds a date in every
    /// row, and walking the date formats would report every date of the table
    /// (`hire_date` too), each to be placed and then dropped.
    pub fn names_identifiers(&self, column: usize) -> bool {
        self.named
            .get(column)
            .is_some_and(|named| !named.is_empty())
    }

    /// Adds to `narrowing` the keyword-bound identifiers column `column`'s name holds
    /// a keyword of (none for a column past the named ones).
    #[inline]
    pub fn add_named(&self, column: usize, narrowing: &mut Narrowing) {
        if let Some(named) = self.named.get(column) {
            narrowing.mask.union_with(named);
            narrowing.named.union_with(named);
        }
    }

    /// Walks `haystack[range]` once and records in `hits` (cleared first) each unit in
    /// which a match may end, in order. Bytes before `range` are not read; `range` should
    /// start at a unit boundary.
    pub fn find(
        &mut self,
        haystack: &[u8],
        range: Range<usize>,
        hits: &mut BlockHits,
    ) -> Result<(), BlockFilterError> {
        let (filter, cache) = match &mut self.walker {
            Some(walker) => walker,
            None => {
                let filter = if self.columns_named {
                    self.filters.keyed()
                } else {
                    self.filters.full()
                };
                let filter = Arc::clone(filter.ok_or(BlockFilterError)?);
                let cache = filter.create_cache();
                self.walker.insert((filter, cache))
            }
        };
        filter
            .match_ends(cache, haystack, range, &mut hits.ends)
            .map_err(|_| BlockFilterError)
    }
}

/// The units in which [`BlockFilter::find`] saw possible matches, in buffer order: for
/// each, the offset where its last possible match ends (inside the unit or right after
/// its last byte) and the detectors that may match there. Reused from one region to the
/// next.
#[derive(Debug, Clone, Default)]
pub struct BlockHits {
    ends: MatchEnds,
}

impl BlockHits {
    /// The number of units with possible matches.
    #[inline]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The offset where the last possible match of the `index`-th unit ends. A match is
    /// never empty and never holds a separator: the byte before this offset is in the
    /// unit.
    #[inline]
    pub fn end(&self, index: usize) -> usize {
        self.ends.end(index)
    }

    /// Adds the detectors that may match in the `index`-th unit to `narrowing`, which
    /// is then to be handed over with that unit: it also tells which of them have
    /// exactly one match there.
    #[inline]
    pub fn narrow(&self, index: usize, narrowing: &mut Narrowing) {
        self.ends
            .add_detectors(index, &mut narrowing.mask, &mut narrowing.single);
    }
}

/// The fewest detectors for which text windows are narrowed too (the managed
/// identifiers alone are 12). A window is long and holds most detectors' matches when
/// there are few detectors, and the walk costs about what a few of their searches do:
/// it pays with many (64 MiB of prose, managed all + seed: 1.7x faster; seed
/// identifiers alone: 1.6x slower).
const WINDOW_NARROWING_MIN_DETECTORS: usize = 8;

/// How many contexts (column names, JSON paths) a matcher remembers the keyword-bound
/// detectors of: a table has a few dozen columns, a JSON document a few dozen paths.
const REMEMBERED_CONTEXTS: usize = 64;

/// One thread's judge over an identifier set: the one place units are judged.
#[derive(Debug)]
pub struct Matcher<'s> {
    set: &'s IdentifierSet,
    /// The set's whole-unit filter with its scratch space: one pass over a unit names
    /// the detectors that may match in it, so the others' regexes never run there.
    /// Without the keyword-bound detectors when the set gates them.
    whole: Option<(Arc<UnitFilter>, FilterCache)>,
    /// The detectors to run over the unit at hand.
    mask: DetectorMask,
    gating: Option<Gating<'s>>,
    /// Whether units searched in part (text windows) are narrowed too.
    narrow_windows: bool,
}

/// Keyword-bound detectors, run only where a keyword can keep their matches: over a
/// unit when its context or its text holds one of their keywords, and in a text window
/// only near such a keyword.
///
/// Sound because a gated detector keeps a match only with one of its keywords in the
/// unit's context, or in its text before the match ([`KeywordGate`] finds every
/// keyword occurrence the rule could accept in text, [`KeywordGate::add_in_name`]
/// every one in a name), and the detectors it leaves out are exactly those with none.
#[derive(Debug)]
struct Gating<'s> {
    gate: &'s KeywordGate,
    contexts: ContextMasks,
    /// The gated detectors with a keyword in the unit's text (whole units), or those
    /// searched near their keywords (windows).
    scratch: DetectorMask,
    /// Where [`ContextMasks`] keeps the gated detectors the context of the whole unit
    /// at hand names: looked up once per unit, and read where it is rather than
    /// copied (a copy is a `memcpy` call per cell).
    named: ContextKey,
    near: NearSearch,
}

/// Where [`ContextMasks`] keeps one context's mask: valid until the next lookup, which
/// may forget an entry and move the others.
#[derive(Debug, Clone, Copy)]
enum ContextKey {
    None,
    Column(usize),
    Path(usize),
}

/// The gated detectors named by recently seen contexts, so that a table's column names
/// and a document's JSON paths are searched for keywords once, not at every value.
#[derive(Debug, Default)]
struct ContextMasks {
    columns: Vec<(String, DetectorMask)>,
    paths: Vec<(Vec<String>, DetectorMask)>,
    none: Option<DetectorMask>,
    /// Where to look first: the entry found after the last one the time before.
    /// Readers go through a table's columns, or a record's keys, in the same order row
    /// after row, and the filtered reader through the same few columns.
    next_column: Successors,
    next_path: Successors,
}

/// For each remembered context, the one looked up right after it last time: the guess
/// for the next lookup. A wrong guess (such as after a context is forgotten, which
/// moves the others) costs one comparison more.
#[derive(Debug, Default)]
struct Successors {
    after: Vec<usize>,
    last: usize,
}

impl Successors {
    fn guess(&self) -> usize {
        self.after.get(self.last).copied().unwrap_or(self.last + 1)
    }

    fn found(&mut self, at: usize) {
        if self.after.len() <= self.last {
            self.after.resize(self.last + 1, 0);
        }
        self.after[self.last] = at;
        self.last = at;
    }
}

impl ContextMasks {
    /// The gated detectors with a keyword in `context`.
    fn of(&mut self, gate: &KeywordGate, context: UnitContext<'_>) -> &DetectorMask {
        let key = self.find(gate, context);
        self.get(key)
    }

    /// The mask found by the last [`find`](Self::find), which returned `key`.
    fn get(&self, key: ContextKey) -> &DetectorMask {
        match key {
            ContextKey::None => self.none.as_ref().expect("found before"),
            ContextKey::Column(at) => &self.columns[at].1,
            ContextKey::Path(at) => &self.paths[at].1,
        }
    }

    /// Where the gated detectors with a keyword in `context` are, searched for when it
    /// is not remembered yet.
    fn find(&mut self, gate: &KeywordGate, context: UnitContext<'_>) -> ContextKey {
        match context {
            UnitContext::None => {
                self.none.get_or_insert_with(|| gate.new_mask());
                ContextKey::None
            }
            UnitContext::Column(name) => {
                let guess = self.next_column.guess();
                let at = match find_from(&self.columns, guess, |(n, _)| n == name) {
                    Some(at) => at,
                    None => {
                        let mut mask = gate.new_mask();
                        gate.add_in_name(name.as_bytes(), &mut mask);
                        remember(&mut self.columns, (name.to_owned(), mask))
                    }
                };
                self.next_column.found(at);
                ContextKey::Column(at)
            }
            UnitContext::JsonKeys(keys) => {
                let guess = self.next_path.guess();
                let at = match find_from(&self.paths, guess, |(k, _)| k == keys) {
                    Some(at) => at,
                    None => {
                        let mut mask = gate.new_mask();
                        for key in keys {
                            gate.add_in_name(key.as_bytes(), &mut mask);
                        }
                        remember(&mut self.paths, (keys.to_vec(), mask))
                    }
                };
                self.next_path.found(at);
                ContextKey::Path(at)
            }
        }
    }
}

/// The index of the first entry of `list` that `is` accepts, looking from `from`
/// (wrapping around).
fn find_from<T>(list: &[T], from: usize, is: impl Fn(&T) -> bool) -> Option<usize> {
    let from = if from < list.len() { from } else { 0 };
    (from..list.len()).chain(0..from).find(|&at| is(&list[at]))
}

/// Adds `entry` to a bounded list of remembered contexts (forgetting the oldest when it
/// is full) and returns where it is.
fn remember<T>(list: &mut Vec<T>, entry: T) -> usize {
    if list.len() >= REMEMBERED_CONTEXTS {
        list.remove(0);
    }
    list.push(entry);
    list.len() - 1
}

impl<'s> Matcher<'s> {
    pub fn new(set: &'s IdentifierSet) -> Self {
        let gating = set.unit_gate().map(|gate| Gating {
            gate,
            contexts: ContextMasks::default(),
            scratch: gate.new_mask(),
            named: ContextKey::None,
            near: NearSearch::default(),
        });
        Matcher {
            set,
            whole: set.ungated_unit_filter().map(|filter| {
                let cache = filter.create_cache();
                (filter, cache)
            }),
            mask: DetectorMask::new(set.detectors().len()),
            gating,
            narrow_windows: set.detectors().len() >= WINDOW_NARROWING_MIN_DETECTORS,
        }
    }

    /// Counts, detector by detector, the matches in a cell handed over with `only`
    /// (read in the context of its column), when that is all judging it would do:
    /// when each of its detectors keeps every match of its pattern, wherever it is (no
    /// keyword rule, check, ignore words or excluded values) or because the column's
    /// name holds its keyword, and the set has no allow list. A sink may then count
    /// such a cell without the reader placing it (a table's e-mail addresses, a
    /// `birth_date` column's dates, once enough are listed).
    ///
    /// `cell` is the cell's bytes, or `None` when the reader has not cut it out: the
    /// cell is counted then only if the walk saw one match of each detector there.
    /// `false`, with nothing handed to `count`, when the cell must be judged.
    pub fn count_every_match(
        &self,
        only: &Narrowing,
        cell: Option<&[u8]>,
        mut count: impl FnMut(DetectorId, u64),
    ) -> bool {
        let set = self.set;
        let countable = !only.mask.is_empty()
            && only
                .mask
                .is_within_either(set.kept_anywhere(), &only.named, set.kept_when_named())
            && (cell.is_some() || only.mask.is_subset_of(&only.single));
        if !countable {
            return false;
        }
        for index in only.mask.iter() {
            let matches = match cell {
                Some(cell) if !only.single.contains(index) => {
                    set.detectors()[index].pattern().count_non_empty(cell)
                }
                _ => 1,
            };
            if matches > 0 {
                count(DetectorId(index), matches);
            }
        }
        true
    }

    /// Turns the narrowing of units searched in part (text windows) on or off; by
    /// default it is on for sets of many detectors, where it pays. Results are the same
    /// either way.
    pub fn set_window_narrowing(&mut self, on: bool) {
        self.narrow_windows = on;
    }

    pub fn set(&self) -> &'s IdentifierSet {
        self.set
    }

    /// The set's raw-block filter for tables whose cells are separated by `delimiter`
    /// (and line breaks and quotes), if it has a sound one.
    pub fn block_filter(&self, delimiter: u8) -> Option<BlockFilter> {
        self.set.block_filter(delimiter)
    }

    /// Fills `self.mask` with the detectors the whole-unit filter cannot rule out in
    /// `bytes` (every detector when there is no filter or it gave up), or with those
    /// of `only` when the reader narrowed the unit. With a gate, the filter leaves the
    /// gated detectors out: the caller decides about those.
    fn narrow(&mut self, bytes: &[u8], only: Option<&Narrowing>) {
        match (only, &mut self.whole) {
            (Some(only), _) => {
                // Not a copy: `Narrowing::nothing()` has room for no detector, and
                // the mask must keep its room for the next unit.
                self.mask.clear();
                self.mask.union_with(&only.mask);
            }
            (None, Some((filter, cache))) => {
                if filter
                    .detectors_in(cache, bytes, 0..bytes.len(), &mut self.mask)
                    .is_err()
                {
                    self.mask.fill();
                }
            }
            (None, None) => self.mask.fill(),
        }
    }

    /// Fills `self.mask` with the detectors to run over the whole unit `bytes` read in
    /// `context`: those that may match in it, leaving out every gated detector whose
    /// keywords are neither in the context nor in the text. False when there is none.
    fn narrow_whole(
        &mut self,
        bytes: &[u8],
        context: UnitContext<'_>,
        only: Option<&Narrowing>,
    ) -> bool {
        self.narrow(bytes, only);
        if let Some(gating) = &mut self.gating {
            let gated = gating.gate.gated();
            gating.named = gating.contexts.find(gating.gate, context);
            let named = gating.contexts.get(gating.named);
            let filtered = only.is_none() && self.whole.is_some();
            // Without the reader's narrowing, the filter left every gated detector out
            // and those with a keyword are added; with it, those without one are taken
            // out. Either way the text is searched for keywords only when it matters:
            // when the context names every gated detector of the mask, none goes.
            if filtered || !self.mask.covered_within(gated, named) {
                gating.scratch.clear();
                gating.gate.add_in_text(bytes, &mut gating.scratch);
                gating.scratch.union_with(named);
                if filtered {
                    self.mask.union_with(&gating.scratch);
                } else {
                    // The gated detectors of the mask that have no keyword go.
                    self.mask.remove_unless(gated, &gating.scratch);
                }
            }
        }
        !self.mask.is_empty()
    }

    /// For each detector with matches kept in the unit `bytes` (those starting in
    /// `search`, read in `context`, among the detectors `only` names when given), hands
    /// `sink` the detector and how many: what counting the kept [`candidates`] gives,
    /// for callers that place an occurrence by its unit alone (a cell, a JSON value).
    ///
    /// [`candidates`]: Matcher::candidates
    pub fn count_kept<F>(
        &mut self,
        bytes: &[u8],
        search: Range<usize>,
        context: UnitContext<'_>,
        only: Option<&Narrowing>,
        mut sink: F,
    ) where
        F: FnMut(DetectorId, u64),
    {
        if search.start == 0 && search.end == bytes.len() {
            if self.narrow_whole(bytes, context, only) {
                let gating = self
                    .gating
                    .as_ref()
                    .map(|g| (g.gate.gated(), g.contexts.get(g.named)));
                let single = only.map(Narrowing::single);
                self.set
                    .count_kept_masked(bytes, context, &self.mask, gating, single, sink);
            }
            return;
        }
        // Candidates come detector by detector: each run of one is counted and handed
        // over when the next begins.
        let mut run: Option<(DetectorId, u64)> = None;
        self.kept_candidates(bytes, search, context, only, |c| match &mut run {
            Some((detector, kept)) if *detector == c.detector => *kept += 1,
            _ => {
                if let Some((detector, kept)) = run.replace((c.detector, 1)) {
                    sink(detector, kept);
                }
            }
        });
        if let Some((detector, kept)) = run {
            sink(detector, kept);
        }
    }

    /// Hands `sink` every candidate, kept or rejected, of the unit `bytes`: matches that
    /// start in `search` (the bytes around it still count as context), read in
    /// `context`, of the detectors `only` names when given. Candidates of one detector
    /// arrive in text order, as [`IdentifierSet::scan_range`] gives them.
    ///
    /// For `ferret identify`, which shows why candidates were rejected. Callers that
    /// only want what is kept use [`kept_candidates`](Self::kept_candidates), which
    /// skips most rejected candidates without judging them.
    pub fn candidates<'c, F>(
        &mut self,
        bytes: &[u8],
        search: Range<usize>,
        context: UnitContext<'c>,
        only: Option<&Narrowing>,
        sink: F,
    ) where
        F: FnMut(Candidate<'s, 'c>),
    {
        let set = self.set;
        let whole = search.start == 0 && search.end == bytes.len();
        if only.is_none() && !whole && !self.narrow_windows {
            set.scan_range_masked(bytes, search, context, None, sink);
            return;
        }
        self.narrow(bytes, only);
        if let (Some(gating), None) = (&self.gating, only) {
            // Rejected candidates count here: every gated detector is searched.
            self.mask.union_with(gating.gate.gated());
        }
        if self.mask.is_empty() {
            return;
        }
        if whole {
            set.scan_masked_by(bytes, context, &self.mask, sink);
        } else {
            set.scan_range_masked(bytes, search, context, Some(&self.mask), sink);
        }
    }

    /// Hands `sink` every kept candidate of the unit `bytes`: exactly those of
    /// [`candidates`](Self::candidates) that are kept, in the same order. Keyword-bound
    /// detectors are run only where one of their keywords could keep a match: over a
    /// unit whose context or text holds one, and in part of a long unit (a text window)
    /// only near their keywords.
    pub fn kept_candidates<'c, F>(
        &mut self,
        bytes: &[u8],
        search: Range<usize>,
        context: UnitContext<'c>,
        only: Option<&Narrowing>,
        mut sink: F,
    ) where
        F: FnMut(Candidate<'s, 'c>),
    {
        let set = self.set;
        let kept = |candidate: Candidate<'s, 'c>| {
            if candidate.is_kept() {
                sink(candidate);
            }
        };
        if search.start == 0 && search.end == bytes.len() {
            if self.narrow_whole(bytes, context, only) {
                set.scan_masked_by(bytes, context, &self.mask, kept);
            }
            return;
        }
        let narrowed = only.is_some() || self.narrow_windows;
        if narrowed {
            self.narrow(bytes, only);
        } else {
            self.mask.fill();
        }
        let Some(gating) = &mut self.gating else {
            if !self.mask.is_empty() {
                let mask = narrowed.then_some(&self.mask);
                set.scan_range_masked(bytes, search, context, mask, kept);
            }
            return;
        };
        // Part of a long unit: the ungated detectors that may match, and the gated ones
        // named by the context, are searched over the whole range; the other gated
        // ones near their keywords in the text.
        let gated = gating.gate.gated();
        let named = gating.contexts.of(gating.gate, context);
        // The gated detectors to look for: all, or those the reader left in.
        gating.scratch.clone_from(gated);
        if let Some(only) = only {
            gating.scratch.intersect_with(&only.mask);
        }
        // Those the context names are searched everywhere, the others near keywords.
        self.mask.remove_all(gated);
        self.mask.union_with_both(&gating.scratch, named);
        gating.scratch.remove_all(named);
        gating
            .near
            .prepare(gating.gate, bytes, search.clone(), &gating.scratch, |d| {
                set.alphabet(d)
            });
        set.kept_in_range(bytes, search, context, Some(&self.mask), &gating.near, kept);
    }

    /// Whether any detector keeps a match in `text` read in `context`: for text that is
    /// not a unit yet must not be written out if it holds sensitive data, such as column
    /// names and the object keys on a JSON path. See
    /// [`IdentifierSet::holds_kept_match`].
    pub fn holds_kept_match(&self, text: &[u8], context: UnitContext<'_>) -> bool {
        self.set.holds_kept_match(text, context)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::set::UnitLayout;
    use crate::{IdentifierFile, ManagedSelection};

    /// Identifiers that stress the filters (see the file), run with every managed one.
    const IDENTIFIERS: &str = include_str!("../testdata/filter-stress.toml");

    const PIECES: &[&str] = include!("../testdata/filter-pieces.rs");
    /// Loose formats of keyword-bound identifiers and their keywords.
    const GATE_PIECES: &[&str] = include!("../testdata/gate-pieces.rs");

    fn identifier_set() -> IdentifierSet {
        let file = IdentifierFile::parse(Path::new("test.toml"), IDENTIFIERS).expect("parse");
        IdentifierSet::new(&file, &ManagedSelection::All).expect("set")
    }

    #[test]
    fn the_whole_unit_filter_spares_only_detectors_that_cannot_match() {
        let set = identifier_set();
        let filter = set.unit_filter(UnitLayout::Whole).expect("filter");
        let mut cache = filter.create_cache();
        let mut mask = filter.new_mask();
        let mut matcher = Matcher::new(&set);
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..3000 {
            let mut unit = Vec::new();
            for _ in 0..rng.usize(..6) {
                unit.extend_from_slice(PIECES[rng.usize(..PIECES.len())].as_bytes());
            }
            let context = if rng.bool() {
                UnitContext::Column("siret code")
            } else {
                UnitContext::None
            };
            let mut expected = Vec::new();
            set.scan(&unit, context, |c| expected.push(c));
            filter
                .detectors_in(&mut cache, &unit, 0..unit.len(), &mut mask)
                .expect("search");
            let mut got = Vec::new();
            set.scan_masked_by(&unit, context, &mask, |c| got.push(c));
            assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(&unit));
            // The matcher, which narrows whole units itself, gives the same candidates.
            let mut judged = Vec::new();
            matcher.candidates(&unit, 0..unit.len(), context, None, |c| judged.push(c));
            assert_eq!(judged, expected, "{:?}", String::from_utf8_lossy(&unit));
        }
    }

    /// Counting through the matcher gives the kept candidates' counts, whether the unit
    /// is narrowed by the whole-unit filter, by a caller, or searched in part, and in
    /// contexts whose names hold keywords of identifiers that require one and of the
    /// one that requires none near (`CREDIT_CARD_NUMBER_(NO_KEYWORD)`).
    #[test]
    fn counts_equal_the_kept_candidates_however_the_unit_is_narrowed() {
        let set = identifier_set();
        let mut matcher = Matcher::new(&set);
        let all = Narrowing::all(&set);
        let keys = ["customer".to_owned(), "date_of_birth".to_owned()];
        let contexts = [
            UnitContext::None,
            UnitContext::Column("siret code"),
            UnitContext::Column("birth_date"),
            UnitContext::Column("credit card"),
            UnitContext::Column("Passport No"),
            UnitContext::JsonKeys(&keys),
        ];
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..2000 {
            let context = contexts[rng.usize(..contexts.len())];
            let mut unit = Vec::new();
            for _ in 0..rng.usize(..6) {
                let pieces = if rng.bool() { PIECES } else { GATE_PIECES };
                unit.extend_from_slice(pieces[rng.usize(..pieces.len())].as_bytes());
            }
            let start = rng.usize(..=unit.len());
            for (search, only) in [
                (0..unit.len(), None),
                (0..unit.len(), Some(&all)),
                (start..unit.len(), None),
            ] {
                let mut expected: Vec<(DetectorId, u64)> = Vec::new();
                set.scan_range(&unit, search.clone(), context, |c| {
                    if !c.is_kept() {
                        return;
                    }
                    match expected.last_mut() {
                        Some((d, n)) if *d == c.detector => *n += 1,
                        _ => expected.push((c.detector, 1)),
                    }
                });
                let mut got = Vec::new();
                matcher.count_kept(&unit, search, context, only, |d, n| got.push((d, n)));
                assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(&unit));
            }
        }
    }

    /// Filler between keywords and values: long runs that distance a keyword from a
    /// value past the rule's 30 characters (in bytes and in multi-byte characters),
    /// and line breaks.
    const FILLER: &[&str] = &[
        "                              ",
        "ééééééééééééééééééééééééééééé ",
        "𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸𝔸",
        "𝔸",
        " ",
        "some ordinary words in a line ",
        "\n",
        "\t",
        "0000",
    ];

    /// The kept candidates the matcher hands over are exactly the kept ones of the
    /// exact path, in the same order: for whole units (narrowed by the whole-unit
    /// filter or by the reader, keyword-bound detectors gated by context and text) and
    /// for text windows (keyword-bound detectors searched only near their keywords),
    /// in every context.
    #[test]
    fn kept_candidates_are_the_exact_paths_kept_candidates() {
        let set = identifier_set();
        let mut matcher = Matcher::new(&set);
        let all = Narrowing::all(&set);
        // What a reader hands over with a unit it only counts as read.
        let nothing = Narrowing::nothing();
        let keys = ["customer".to_owned(), "date_of_birth".to_owned()];
        let contexts = [
            UnitContext::None,
            UnitContext::None,
            UnitContext::Column("siret code"),
            UnitContext::Column("birth_date"),
            UnitContext::Column("Passport No"),
            UnitContext::JsonKeys(&keys),
        ];
        let mut rng = fastrand::Rng::with_seed(23);
        for round in 0..3000 {
            let context = contexts[rng.usize(..contexts.len())];
            let mut unit = Vec::new();
            let pieces = if round % 10 == 0 { 200 } else { 12 };
            for _ in 0..rng.usize(..pieces) {
                let from = match rng.usize(..3) {
                    0 => PIECES,
                    1 => GATE_PIECES,
                    _ => FILLER,
                };
                unit.extend_from_slice(from[rng.usize(..from.len())].as_bytes());
            }
            let start = rng.usize(..=unit.len());
            let end = rng.usize(start..=unit.len());
            for (search, only) in [
                (0..unit.len(), None),
                (0..unit.len(), Some(&all)),
                (0..unit.len(), Some(&nothing)),
                (start..end, None),
                (start..unit.len(), Some(&all)),
                (start..unit.len(), Some(&nothing)),
            ] {
                let mut expected = Vec::new();
                if only.is_none_or(|only| !only.is_empty()) {
                    set.scan_range(&unit, search.clone(), context, |c| {
                        if c.is_kept() {
                            expected.push(c);
                        }
                    });
                }
                let mut got = Vec::new();
                matcher.kept_candidates(&unit, search.clone(), context, only, |c| got.push(c));
                assert_eq!(
                    got,
                    expected,
                    "{search:?} in {context:?}: {:?}",
                    String::from_utf8_lossy(&unit)
                );
            }
        }
    }

    /// At the edge of a keyword's reach (29 to 31 characters between a keyword and a
    /// value, in one-byte and four-byte characters), searching a text window near its
    /// keywords keeps exactly what the exact path keeps.
    #[test]
    fn kept_candidates_at_the_edge_of_a_keywords_reach() {
        let set = identifier_set();
        let mut matcher = Matcher::new(&set);
        let keywords = [
            "dob ",
            "Date of Birth ",
            "passport ",
            "Passports",
            "tel ",
            "ssn",
        ];
        let values = [
            "1985-03-14",
            "14/03/1985",
            "AB123456",
            "123-45-6789",
            "+33 6 12 34 56 78",
        ];
        let mut checked = 0;
        for keyword in keywords {
            for value in values {
                for filler in [" ", "𝔸", "é"] {
                    for chars in 28..=31 {
                        let text = format!("x {keyword}{}{value} y", filler.repeat(chars));
                        let unit = text.as_bytes();
                        for search in [0..unit.len(), 1..unit.len() - 1] {
                            let mut expected = Vec::new();
                            set.scan_range(unit, search.clone(), UnitContext::None, |c| {
                                if c.is_kept() {
                                    expected.push(c);
                                }
                            });
                            let mut got = Vec::new();
                            matcher.kept_candidates(unit, search, UnitContext::None, None, |c| {
                                got.push(c)
                            });
                            assert_eq!(got, expected, "{text:?}");
                            checked += usize::from(!expected.is_empty());
                        }
                    }
                }
            }
        }
        // Not vacuous: values within reach are kept.
        assert!(checked > 50, "{checked}");
    }
}
