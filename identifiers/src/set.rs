//! The compiled identifier set: every identifier of a scan, ready to run over text units.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use aho_corasick::AhoCorasick;
use regex_automata::{meta::Regex, Input};

use crate::alphabet::{self, ByteSet};
use crate::file::{AllowListEntries, CustomIdentifier, IdentifierFile};
use crate::gate::{KeywordGate, LayoutFilters};
use crate::keywords::{KeywordRule, KeywordSource, UnitContext};
use crate::managed::{Check, Keywords, ManagedIdentifier, ManagedSelection};
use crate::matcher::{BlockFilter, Narrowing};
use crate::near::NearSearch;
use crate::pattern::{Pattern, PatternError};
use crate::prefilter::{self, DetectorMask, UnitFilter};
use crate::severity::SeverityLevels;
use crate::{dialect, Category};

/// Index of a detector in its [`IdentifierSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DetectorId(pub usize);

/// What a detector reports as.
#[derive(Debug, Clone)]
pub enum DetectorKind {
    /// A custom data identifier, reported under `customDataIdentifiers` by name.
    Custom { severity_levels: SeverityLevels },
    /// A managed identifier, reported under `sensitiveData` by type and category.
    Managed { category: Category },
}

/// One identifier, compiled.
#[derive(Debug, Clone)]
pub struct Detector {
    name: String,
    kind: DetectorKind,
    pattern: Pattern,
    ignore_words: Option<(AhoCorasick, Vec<String>)>,
    check: Option<Check>,
    keywords: Option<KeywordRule>,
    /// True when a keyword near a match rejects it instead of keeping it.
    keywords_absent: bool,
    /// The managed identifier's row, for the values it never reports.
    managed: Option<&'static ManagedIdentifier>,
}

impl Detector {
    /// The custom identifier's name, or the managed identifier's type name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> &DetectorKind {
        &self.kind
    }

    /// The identifier's regex.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// True when a keyword must be near a match (in text, column name or JSON path).
    pub fn requires_keyword(&self) -> bool {
        self.keywords.is_some() && !self.keywords_absent && !self.has_keyword_free_form()
    }

    /// True when some matches are kept without the identifier's keywords: the IBANs of a
    /// bank account type whose domestic numbers need one.
    fn has_keyword_free_form(&self) -> bool {
        self.managed
            .is_some_and(ManagedIdentifier::has_keyword_free_form)
    }

    /// The identifier's keyword rule, if it has one.
    pub(crate) fn keyword_rule(&self) -> Option<&KeywordRule> {
        self.keywords.as_ref()
    }

    /// True when no rule of the identifier but its keyword rule can reject a match: no
    /// ignore words, no check, no values it never reports, and no domestic account
    /// numbers (rejected where they continue a longer number).
    fn passes_before_keywords(&self) -> bool {
        self.ignore_words.is_none()
            && self.check.is_none()
            && self
                .managed
                .is_none_or(|row| row.excluded.is_empty() && !row.has_keyword_free_form())
    }

    /// True when every match of the identifier's pattern is kept, wherever it is: no
    /// rule at all but the pattern (such as an e-mail address).
    fn keeps_every_match(&self) -> bool {
        self.passes_before_keywords() && self.keywords.is_none()
    }

    /// True when every match of the identifier's pattern is kept in a unit whose
    /// context (column name, JSON path) holds one of its keywords: a keyword rule that
    /// such a keyword satisfies, and no other rule (the dates of a `birth_date` column).
    fn keeps_every_match_named(&self) -> bool {
        self.passes_before_keywords() && self.keywords.is_some() && !self.keywords_absent
    }

    /// What the identifier's keyword rule makes of the matches in `unit` read in
    /// `context`, as far as one look at the context and the unit tells: a keyword in
    /// the context decides every match alike, and a required keyword that occurs
    /// nowhere rejects them all, sparing every regex search.
    fn keyword_outlook(&self, unit: &[u8], context: UnitContext<'_>) -> KeywordOutlook {
        let Some(rule) = &self.keywords else {
            return KeywordOutlook::PerMatch;
        };
        if rule.in_context(context) {
            KeywordOutlook::InContext
        } else if self.requires_keyword() && !rule.occurs_anywhere(unit, UnitContext::None) {
            KeywordOutlook::Missing
        } else {
            KeywordOutlook::PerMatch
        }
    }
}

/// What a detector's keyword rule makes of a unit's matches before any is found (see
/// [`Detector::keyword_outlook`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeywordOutlook {
    /// A keyword is in the unit's column name or JSON path: the rule is satisfied for
    /// every match (kept, or rejected when a keyword must be absent).
    InContext,
    /// The required keyword occurs nowhere: no match can be kept.
    Missing,
    /// Each match's verdict depends on where it is (or there is no keyword rule).
    PerMatch,
}

/// Why a candidate match was dropped, in the order the rules are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection<'s> {
    /// The match contains this ignore word.
    IgnoreWord(&'s str),
    /// The match fails the identifier's checksum or structure check.
    Checksum,
    /// The match is allowed by this allow list.
    AllowList(&'s str),
    /// The identifier requires a keyword and none is close enough.
    NoKeywordInRange,
    /// The match is a value its issuer publishes as an example (a test card number, a
    /// documentation key), which managed identifiers never report.
    Example,
    /// The identifier reports only matches with no keyword near, and one is
    /// (`CREDIT_CARD_NUMBER_(NO_KEYWORD)`, whose twin `CREDIT_CARD_NUMBER` reports it).
    KeywordInRange,
}

impl Rejection<'_> {
    /// The reason code shown by `ferret identify`.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::IgnoreWord(_) => "ignore_word",
            Rejection::Checksum => "checksum",
            Rejection::AllowList(_) => "allow_list",
            Rejection::NoKeywordInRange => "no_keyword_in_range",
            Rejection::Example => "example",
            Rejection::KeywordInRange => "keyword_in_range",
        }
    }
}

/// The keyword that kept a match, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordHit<'s, 'c> {
    pub keyword: &'s str,
    pub source: KeywordSource<'c>,
}

/// The outcome for one candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<'s, 'c> {
    /// Reported; with the keyword that satisfied the identifier, if it needs one.
    Kept(Option<KeywordHit<'s, 'c>>),
    Rejected(Rejection<'s>),
}

/// A non-empty regex match of one detector in one unit, with its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<'s, 'c> {
    pub detector: DetectorId,
    /// Byte offsets in the unit.
    pub span: Range<usize>,
    pub verdict: Verdict<'s, 'c>,
}

impl Candidate<'_, '_> {
    pub fn is_kept(&self) -> bool {
        matches!(self.verdict, Verdict::Kept(_))
    }

    /// The match's offsets in characters (Unicode scalar values) from the start of
    /// `unit`, the unit it was found in: what Macie's columns and distances count.
    pub fn char_span(&self, unit: &[u8]) -> Range<usize> {
        let start = crate::text::char_count(&unit[..self.span.start]);
        start..start + crate::text::char_count(&unit[self.span.clone()])
    }
}

/// Allow lists of a set, merged: one word table and one anchored multi-regex.
#[derive(Debug, Clone, Default)]
struct AllowFilter {
    /// Lower-cased word -> allow list name.
    words: HashMap<String, String>,
    regex: Option<(Regex, Vec<String>)>,
}

impl AllowFilter {
    fn new(file: &IdentifierFile) -> Result<AllowFilter, BuildError> {
        let mut filter = AllowFilter::default();
        let mut patterns = Vec::new();
        let mut names = Vec::new();
        for list in &file.allow_lists {
            match &list.entries {
                AllowListEntries::Words(words) => {
                    for word in words {
                        filter
                            .words
                            .entry(word.to_lowercase())
                            .or_insert_with(|| list.name.clone());
                    }
                }
                AllowListEntries::Regex(pattern) => {
                    patterns.push(format!("^(?:{})$", pattern.translated()));
                    names.push(list.name.clone());
                }
                AllowListEntries::S3(location) => {
                    return Err(BuildError::AllowLists(format!(
                        "{}: {location} was not read (read S3 allow lists before building the set)",
                        list.name
                    )))
                }
            }
        }
        if !patterns.is_empty() {
            let regex = Regex::builder()
                .syntax(dialect::syntax_config())
                .build_many(&patterns)
                .map_err(|e| BuildError::AllowLists(e.to_string()))?;
            filter.regex = Some((regex, names));
        }
        Ok(filter)
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.regex.is_none()
    }

    fn allowing(&self, text: &[u8]) -> Option<&str> {
        if !self.words.is_empty() {
            let lowered = String::from_utf8_lossy(text).to_lowercase();
            if let Some(name) = self.words.get(&lowered) {
                return Some(name);
            }
        }
        let (regex, names) = self.regex.as_ref()?;
        regex
            .search(&Input::new(text))
            .map(|m| names[m.pattern().as_usize()].as_str())
    }
}

/// Failure to build a set from identifiers that were individually valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("managed identifier {type_name}: {error}")]
    Managed {
        type_name: &'static str,
        error: PatternError,
    },
    #[error("allow lists: {0}")]
    AllowLists(String),
}

/// The fewest gated detectors for which the matcher gates whole units and text windows
/// (see [`IdentifierSet::unit_gate`]). The gate costs a pass of its keyword automaton
/// over every unit whatever it finds; leaving a few detectors out of the whole-unit
/// filter saves less than that, while the catalogue's hundred keyword-bound formats
/// (dates, digit runs) cost far more. Tables need no threshold: their walk carries the
/// keywords at no extra pass.
const GATE_MIN_DETECTORS: usize = 8;

/// Every identifier of a scan, compiled once and shared by all threads.
#[derive(Debug, Clone)]
pub struct IdentifierSet {
    detectors: Vec<Detector>,
    /// All detectors' patterns in one automaton. Its leftmost match is where the first
    /// match of any detector starts, so one pass tells whether a unit needs the
    /// per-detector searches at all, and from which offset. Built on first use (a
    /// table's cells never need it), `None` when it cannot be: the searches then
    /// start at the unit's start.
    any: OnceLock<Option<Regex>>,
    allow: AllowFilter,
    /// The detectors that keep every match of their pattern, wherever it is and
    /// whatever the unit's context (see [`Detector::keeps_every_match`]), with no
    /// allow list to drop one.
    kept_anywhere: DetectorMask,
    /// The detectors that keep every match of their pattern in a unit whose context
    /// holds one of their keywords (see [`Detector::keeps_every_match_named`]), with no
    /// allow list to drop one.
    kept_when_named: DetectorMask,
    /// Raw-buffer filters, one per unit layout, built on first use (most scans read
    /// one or two layouts). Shared: copies of the set and every reader's
    /// [`BlockFilter`] use the same automata, each with its own cache.
    filters: [OnceLock<Option<Arc<LayoutFilters>>>; UnitLayout::COUNT],
    /// The keywords of the identifiers that require one as a word of their own, in one
    /// automaton, built on first use.
    gate: OnceLock<Option<Arc<KeywordGate>>>,
    /// Each detector's [`ByteSet`], built on first use (only keyword-bound detectors
    /// searched near their keywords in long text need one).
    alphabets: Vec<OnceLock<Option<ByteSet>>>,
}

/// How units are laid out in the raw buffers a [`UnitFilter`] reads: which bytes
/// separate them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitLayout {
    /// CSV: cells between commas, line breaks and quotes.
    Csv,
    /// TSV: cells between tabs, line breaks and quotes.
    Tsv,
    /// One unit per haystack (a cell, a JSON string): the patterns unchanged.
    Whole,
}

impl UnitLayout {
    const COUNT: usize = 3;

    /// The bytes that end a unit in this layout.
    pub(crate) fn separators(self) -> &'static [u8] {
        match self {
            UnitLayout::Csv => b",\n\r\"",
            UnitLayout::Tsv => b"\t\n\r\"",
            UnitLayout::Whole => b"",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl IdentifierSet {
    /// Compiles the custom identifiers and allow lists of `file` with the selected
    /// managed identifiers. Custom identifiers come first, in file order.
    pub fn new(file: &IdentifierFile, managed: &ManagedSelection) -> Result<Self, BuildError> {
        let mut detectors: Vec<Detector> = file.identifiers.iter().map(custom).collect();
        for spec in managed.identifiers() {
            detectors.push(managed_detector(spec)?);
        }
        let detector_count = detectors.len();
        let allow = AllowFilter::new(file)?;
        let mut kept_anywhere = DetectorMask::new(detector_count);
        let mut kept_when_named = DetectorMask::new(detector_count);
        if allow.is_empty() {
            for (index, detector) in detectors.iter().enumerate() {
                if detector.keeps_every_match() {
                    kept_anywhere.insert(index);
                }
                if detector.keeps_every_match_named() {
                    kept_when_named.insert(index);
                }
            }
        }
        Ok(IdentifierSet {
            detectors,
            any: OnceLock::new(),
            allow,
            kept_anywhere,
            kept_when_named,
            filters: Default::default(),
            gate: OnceLock::new(),
            alphabets: (0..detector_count).map(|_| OnceLock::new()).collect(),
        })
    }

    /// The detectors that keep every match of their pattern wherever it is (see
    /// [`IdentifierSet::kept_anywhere`](Self)).
    pub(crate) fn kept_anywhere(&self) -> &DetectorMask {
        &self.kept_anywhere
    }

    /// The detectors that keep every match of their pattern in a unit whose context
    /// holds one of their keywords (see [`IdentifierSet::kept_when_named`](Self)).
    pub(crate) fn kept_when_named(&self) -> &DetectorMask {
        &self.kept_when_named
    }

    pub fn detectors(&self) -> &[Detector] {
        &self.detectors
    }

    pub fn detector(&self, id: DetectorId) -> &Detector {
        &self.detectors[id.0]
    }

    pub fn is_empty(&self) -> bool {
        self.detectors.is_empty()
    }

    /// The raw-buffer filter for units laid out as `layout`, or `None` when these
    /// identifiers have no sound one (see [`UnitFilter::new`]): callers then judge every
    /// unit.
    #[cfg(test)]
    pub(crate) fn unit_filter(&self, layout: UnitLayout) -> Option<&Arc<UnitFilter>> {
        self.layout_filters(layout)?.full()
    }

    /// The whole-unit filter without the keyword-bound detectors when the matcher gates
    /// them by keyword instead ([`unit_gate`](Self::unit_gate)); the full one
    /// otherwise. `None` when these identifiers have no sound filter.
    pub(crate) fn ungated_unit_filter(&self) -> Option<Arc<UnitFilter>> {
        let filters = self.layout_filters(UnitLayout::Whole)?;
        match self.unit_gate() {
            Some(_) => filters.ungated(),
            None => filters.full(),
        }
        .cloned()
    }

    /// The filters of `layout` (see [`LayoutFilters`]).
    fn layout_filters(&self, layout: UnitLayout) -> Option<&Arc<LayoutFilters>> {
        self.filters[layout.index()]
            .get_or_init(|| {
                let patterns: Vec<&str> = self
                    .detectors
                    .iter()
                    .map(|d| d.pattern.translated())
                    .collect();
                let separators = layout.separators();
                let loosened = prefilter::loosened(&patterns, separators)?;
                let gate = self.keyword_gate().cloned();
                Some(Arc::new(LayoutFilters::new(loosened, separators, gate)))
            })
            .as_ref()
    }

    /// The keyword gate of the detectors that keep a match only with a keyword standing
    /// as a word of its own (the managed identifiers that require one), if any.
    pub(crate) fn keyword_gate(&self) -> Option<&Arc<KeywordGate>> {
        self.gate
            .get_or_init(|| {
                let rules: Vec<(usize, &KeywordRule)> = self
                    .detectors
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.requires_keyword())
                    .filter_map(|(index, d)| Some((index, d.keyword_rule()?)))
                    .filter(|(_, rule)| rule.whole_words())
                    .collect();
                KeywordGate::new(rules, self.detectors.len()).map(Arc::new)
            })
            .as_ref()
    }

    /// The keyword gate, when the matcher is to gate whole units and windows with it:
    /// when it gates enough detectors to pay (see [`GATE_MIN_DETECTORS`]).
    pub(crate) fn unit_gate(&self) -> Option<&Arc<KeywordGate>> {
        self.keyword_gate()
            .filter(|gate| gate.gated().iter().count() >= GATE_MIN_DETECTORS)
    }

    /// The raw-block filter for tables whose cells are separated by `delimiter`, line
    /// breaks and quotes (tab: TSV, anything else: CSV), if these identifiers have a
    /// sound one that cuts cells at `delimiter`. `None`: every cell must be judged.
    pub fn block_filter(&self, delimiter: u8) -> Option<BlockFilter> {
        let layout = if delimiter == b'\t' {
            UnitLayout::Tsv
        } else {
            UnitLayout::Csv
        };
        self.layout_filters(layout)
            .filter(|filters| filters.separators().contains(&delimiter))
            .map(|filters| BlockFilter::new(Arc::clone(filters)))
    }

    /// Like [`scan`](Self::scan), but runs only the detectors `only` names: for a
    /// caller whose block filter proved that the others cannot match in `unit`.
    /// Candidates are the same, in the same order, as [`scan`](Self::scan) gives for
    /// those detectors.
    pub fn scan_masked<'s, 'c, F>(
        &'s self,
        unit: &[u8],
        context: UnitContext<'c>,
        only: &Narrowing,
        sink: F,
    ) where
        F: FnMut(Candidate<'s, 'c>),
    {
        self.scan_masked_by(unit, context, only.mask(), sink);
    }

    /// For each detector `only` names with matches kept in `unit`, hands `sink` the
    /// detector and how many: what counting the kept candidates of
    /// [`scan_masked`](Self::scan_masked) gives (see `count_kept_masked`).
    pub fn count_kept<F>(&self, unit: &[u8], context: UnitContext<'_>, only: &Narrowing, sink: F)
    where
        F: FnMut(DetectorId, u64),
    {
        self.count_kept_masked(unit, context, only.mask(), None, Some(only.single()), sink);
    }

    /// [`scan_masked`](Self::scan_masked) by mask.
    pub(crate) fn scan_masked_by<'s, 'c, F>(
        &'s self,
        unit: &[u8],
        context: UnitContext<'c>,
        mask: &DetectorMask,
        mut sink: F,
    ) where
        F: FnMut(Candidate<'s, 'c>),
    {
        for (index, detector) in self.detectors.iter().enumerate() {
            if mask.contains(index) {
                self.candidates(
                    index,
                    detector,
                    Input::new(unit),
                    unit.len(),
                    context,
                    &mut sink,
                );
            }
        }
    }

    /// For each detector in `mask` with matches kept in `unit`, hands `sink` the
    /// detector and how many: what counting the kept candidates of
    /// [`scan_masked_by`](Self::scan_masked_by) gives, for callers that place an
    /// occurrence by its unit alone (a cell, a JSON value) and so need no match's
    /// offsets.
    ///
    /// A detector whose verdicts do not depend on the matched text (no ignore words,
    /// validator or keywords, and no allow lists in the set) keeps every match, and so
    /// does one whose only rule is a keyword the unit's context holds: its matches are
    /// only counted, which takes one forward search each.
    ///
    /// `gating`, when given, is the gated detectors and those of them whose keywords
    /// the unit's context holds, as the caller found them: the others in `mask` have
    /// one in the text, so their keyword rule need not look again before the matches.
    /// `single`, when given, names detectors a block filter proved to have exactly one
    /// match in `unit`: one that keeps every match keeps that one, with no search.
    pub(crate) fn count_kept_masked<F>(
        &self,
        unit: &[u8],
        context: UnitContext<'_>,
        mask: &DetectorMask,
        gating: Option<(&DetectorMask, &DetectorMask)>,
        single: Option<&DetectorMask>,
        mut sink: F,
    ) where
        F: FnMut(DetectorId, u64),
    {
        let verdicts_constant = self.allow.is_empty();
        // The mask's detectors only, in index order: a cell typically names one or two
        // of a set of 150.
        for index in mask.iter() {
            let Some(detector) = self.detectors.get(index) else {
                continue;
            };
            let outlook = match gating {
                Some((gated, named)) if gated.contains(index) => {
                    if named.contains(index) {
                        KeywordOutlook::InContext
                    } else {
                        KeywordOutlook::PerMatch
                    }
                }
                _ => detector.keyword_outlook(unit, context),
            };
            if outlook == KeywordOutlook::Missing {
                continue;
            }
            // Every match is kept when no rule can reject one, or when a keyword in the
            // context satisfies the only rule that could (a `birth_date` column's dates).
            let every_match_kept = verdicts_constant
                && detector.passes_before_keywords()
                && (detector.keywords.is_none()
                    || (outlook == KeywordOutlook::InContext && !detector.keywords_absent));
            let counted = if !every_match_kept {
                None
            } else if single.is_some_and(|single| single.contains(index)) {
                Some(1)
            } else {
                detector.pattern.count_matches(unit)
            };
            let kept = counted.unwrap_or_else(|| {
                let mut kept = 0;
                for found in detector.pattern.regex().find_iter(Input::new(unit)) {
                    if found.is_empty() {
                        continue;
                    }
                    let span = found.range();
                    let keeps = if self
                        .rejection_before_keywords(detector, unit, &span)
                        .is_some()
                    {
                        false
                    } else if outlook == KeywordOutlook::InContext {
                        // The context holds a keyword: every match passes the rule, or
                        // every one fails it where a keyword must be absent.
                        !detector.keywords_absent
                    } else {
                        let verdict = self.keyword_verdict(detector, unit, &span, context);
                        matches!(verdict, Verdict::Kept(_))
                    };
                    kept += u64::from(keeps);
                }
                kept
            });
            if kept > 0 {
                sink(DetectorId(index), kept);
            }
        }
    }

    /// Whether any detector keeps a match in `text` read in `context`: the same verdict
    /// [`scan`](Self::scan) gives (ignore words, validators, allow lists, keywords), but
    /// it stops at the first kept match and reports nothing about it.
    ///
    /// For text that is not a unit yet must not be written out if it holds sensitive
    /// data, such as the object keys on a JSON path (Macie omits a `jsonPath` then).
    pub fn holds_kept_match(&self, text: &[u8], context: UnitContext<'_>) -> bool {
        if self
            .any()
            .is_some_and(|any| !any.is_match(Input::new(text)))
        {
            return false;
        }
        self.detectors.iter().any(|detector| {
            detector
                .pattern
                .regex()
                .find_iter(Input::new(text))
                .filter(|found| !found.is_empty())
                .any(|found| {
                    let verdict = self.judge(detector, text, &found.range(), context);
                    matches!(verdict, Verdict::Kept(_))
                })
        })
    }

    /// Runs every detector over one text unit and hands each candidate, kept or
    /// rejected, to `sink`. Candidates of one detector arrive in text order.
    pub fn scan<'s, 'c, F>(&'s self, unit: &[u8], context: UnitContext<'c>, sink: F)
    where
        F: FnMut(Candidate<'s, 'c>),
    {
        self.scan_range(unit, 0..unit.len(), context, sink);
    }

    /// Like [`scan`](Self::scan), but only matches that start inside `range` are found;
    /// they may run past its end. The bytes before `range` still count as context (word
    /// boundaries, keywords), which lets a caller scan a long unit in overlapping windows
    /// whose ranges tile it.
    pub fn scan_range<'s, 'c, F>(
        &'s self,
        unit: &[u8],
        range: Range<usize>,
        context: UnitContext<'c>,
        sink: F,
    ) where
        F: FnMut(Candidate<'s, 'c>),
    {
        self.scan_range_masked(unit, range, context, None, sink);
    }

    /// Like [`scan_range`](Self::scan_range), but when `mask` is given runs only the
    /// detectors in it: for a caller whose filter proved that the others cannot match
    /// in `unit`.
    pub(crate) fn scan_range_masked<'s, 'c, F>(
        &'s self,
        unit: &[u8],
        range: Range<usize>,
        context: UnitContext<'c>,
        mask: Option<&DetectorMask>,
        mut sink: F,
    ) where
        F: FnMut(Candidate<'s, 'c>),
    {
        let Some(start) = self.first_start(unit, &range) else {
            return;
        };
        let searched = range.start..unit.len();
        for (index, detector) in self.detectors.iter().enumerate() {
            if mask.is_some_and(|mask| !mask.contains(index)) {
                continue;
            }
            let input = Input::new(unit).range(start..searched.end);
            self.candidates(index, detector, input, range.end, context, &mut sink);
        }
    }

    /// Where the per-detector searches of matches starting in `range` may begin: the
    /// start of the first match of any detector, as one pass of the combined automaton
    /// finds it. `None` when no match starts in `range`.
    fn first_start(&self, unit: &[u8], range: &Range<usize>) -> Option<usize> {
        if self.detectors.is_empty() {
            return None;
        }
        let Some(any) = self.any() else {
            return Some(range.start);
        };
        // Empty matches are dropped, but an empty match of one pattern can hide a
        // non-empty one of another at the same offset, so only a non-empty first match
        // may move the start forward.
        match any.find(Input::new(unit).range(range.start..unit.len())) {
            None => None,
            Some(first) if first.start() >= range.end => None,
            Some(first) if !first.is_empty() => Some(first.start()),
            Some(_) => Some(range.start),
        }
    }

    /// Every detector's pattern in one automaton (see the `any` field), built on first
    /// use; `None` without detectors, or when the combination cannot be built.
    fn any(&self) -> Option<&Regex> {
        self.any
            .get_or_init(|| {
                if self.detectors.is_empty() {
                    return None;
                }
                let patterns: Vec<&str> = self
                    .detectors
                    .iter()
                    .map(|d| d.pattern.translated())
                    .collect();
                Regex::builder()
                    .syntax(dialect::syntax_config())
                    .build_many(&patterns)
                    .ok()
            })
            .as_ref()
    }

    /// The bytes `detector`'s matches can hold (`None`: any boundary may fall inside a
    /// match, see [`alphabet::of_pattern`]).
    pub(crate) fn alphabet(&self, detector: usize) -> Option<&ByteSet> {
        let cell = self.alphabets.get(detector)?;
        cell.get_or_init(|| alphabet::of_pattern(self.detectors[detector].pattern.translated()))
            .as_ref()
    }

    /// Hands `sink` the kept candidates among those [`scan_range`](Self::scan_range)
    /// gives for the detectors of `full` (all detectors when `None`) and of `near`,
    /// in the same order: detectors in index order, each one's in text order. A
    /// detector of `near` is searched only over its spans there, which hold every
    /// match of it that could be kept (see [`NearSearch`]); it must not be in `full`.
    pub(crate) fn kept_in_range<'s, 'c, F>(
        &'s self,
        unit: &[u8],
        range: Range<usize>,
        context: UnitContext<'c>,
        full: Option<&DetectorMask>,
        near: &NearSearch,
        mut sink: F,
    ) where
        F: FnMut(Candidate<'s, 'c>),
    {
        let Some(start) = self.first_start(unit, &range) else {
            return;
        };
        let searched = range.start..unit.len();
        let mut kept = |candidate: Candidate<'s, 'c>| {
            if candidate.is_kept() {
                sink(candidate);
            }
        };
        let mut searches = near.searches().peekable();
        for (index, detector) in self.detectors.iter().enumerate() {
            if let Some((_, spans)) = searches.next_if(|(near, _)| *near == index) {
                for span in spans {
                    // A span starts at the range's start or where no match can be in
                    // progress; starting it later, at `start`, skips no match either.
                    let from = span.start.max(start);
                    if from < span.end {
                        let input = Input::new(unit).range(from..span.end);
                        self.candidates(index, detector, input, range.end, context, &mut kept);
                    }
                }
            } else if full.is_none_or(|mask| mask.contains(index)) {
                let input = Input::new(unit).range(start..searched.end);
                self.candidates(index, detector, input, range.end, context, &mut kept);
            }
        }
    }

    /// Hands `sink` every non-empty match of `detector` in `input` that starts before
    /// `end`, judged.
    fn candidates<'s, 'c, F>(
        &'s self,
        index: usize,
        detector: &'s Detector,
        input: Input<'_>,
        end: usize,
        context: UnitContext<'c>,
        sink: &mut F,
    ) where
        F: FnMut(Candidate<'s, 'c>),
    {
        let unit = input.haystack();
        for found in detector.pattern.regex().find_iter(input) {
            if found.start() >= end {
                break;
            }
            if found.is_empty() {
                continue;
            }
            let span = found.range();
            let verdict = self.judge(detector, unit, &span, context);
            sink(Candidate {
                detector: DetectorId(index),
                span,
                verdict,
            });
        }
    }

    fn judge<'s, 'c>(
        &'s self,
        detector: &'s Detector,
        unit: &[u8],
        span: &Range<usize>,
        context: UnitContext<'c>,
    ) -> Verdict<'s, 'c> {
        if let Some(rejection) = self.rejection_before_keywords(detector, unit, span) {
            return Verdict::Rejected(rejection);
        }
        self.keyword_verdict(detector, unit, span, context)
    }

    /// The first rule before keywords that drops the match at `span` in `unit`: ignore
    /// words, the check, a domestic number that continues a longer one, the issuer's
    /// examples, allow lists.
    fn rejection_before_keywords<'s>(
        &'s self,
        detector: &'s Detector,
        unit: &[u8],
        span: &Range<usize>,
    ) -> Option<Rejection<'s>> {
        let text = &unit[span.clone()];
        if let Some((automaton, words)) = &detector.ignore_words {
            if let Some(found) = automaton.find(text) {
                let word = words[found.pattern().as_usize()].as_str();
                return Some(Rejection::IgnoreWord(word));
            }
        }
        if let Some(check) = detector.check {
            let passes = std::str::from_utf8(text).is_ok_and(|t| check.passes(t));
            if !passes {
                return Some(Rejection::Checksum);
            }
        }
        if detector
            .managed
            .is_some_and(|row| row.continues_a_longer_number(unit, span.start))
        {
            return Some(Rejection::Checksum);
        }
        if detector.managed.is_some_and(|row| row.is_excluded(text)) {
            return Some(Rejection::Example);
        }
        self.allow.allowing(text).map(Rejection::AllowList)
    }

    /// The verdict of the keyword rule on a match that passed every other rule.
    fn keyword_verdict<'s, 'c>(
        &'s self,
        detector: &'s Detector,
        unit: &[u8],
        span: &Range<usize>,
        context: UnitContext<'c>,
    ) -> Verdict<'s, 'c> {
        let text = &unit[span.clone()];
        match &detector.keywords {
            None => Verdict::Kept(None),
            Some(rule) if detector.keywords_absent => match rule.satisfied(unit, span, context) {
                Some(_) => Verdict::Rejected(Rejection::KeywordInRange),
                None => Verdict::Kept(None),
            },
            Some(_)
                if detector
                    .managed
                    .is_some_and(|row| row.reported_without_keyword(text)) =>
            {
                Verdict::Kept(None)
            }
            Some(rule) => match rule.satisfied(unit, span, context) {
                Some((word, source)) => Verdict::Kept(Some(KeywordHit {
                    keyword: rule.word(word),
                    source,
                })),
                None => Verdict::Rejected(Rejection::NoKeywordInRange),
            },
        }
    }
}

fn ignore_automaton(words: &[String]) -> Option<(AhoCorasick, Vec<String>)> {
    if words.is_empty() {
        return None;
    }
    let automaton = AhoCorasick::new(words).expect("at most 10 ignore words of 90 characters");
    Some((automaton, words.to_vec()))
}

fn keyword_rule(words: &[String], distance: u32) -> Option<KeywordRule> {
    (!words.is_empty()).then(|| KeywordRule::new(words, distance))
}

fn custom(identifier: &CustomIdentifier) -> Detector {
    Detector {
        name: identifier.name.clone(),
        kind: DetectorKind::Custom {
            severity_levels: identifier.severity_levels.clone(),
        },
        pattern: identifier.pattern.clone(),
        ignore_words: ignore_automaton(&identifier.ignore_words),
        check: identifier.validator.map(Check::Validator),
        keywords: keyword_rule(&identifier.keywords, identifier.maximum_match_distance),
        keywords_absent: false,
        managed: None,
    }
}

fn managed_detector(spec: &'static ManagedIdentifier) -> Result<Detector, BuildError> {
    let pattern =
        Pattern::compiled_on_first_use(&spec.regex()).map_err(|error| BuildError::Managed {
            type_name: spec.type_name,
            error,
        })?;
    let words: Vec<String> = spec
        .candidate_keywords()
        .iter()
        .map(|w| (*w).to_owned())
        .collect();
    Ok(Detector {
        name: spec.type_name.to_owned(),
        kind: DetectorKind::Managed {
            category: spec.category,
        },
        pattern,
        ignore_words: None,
        check: spec.candidate_check(),
        keywords: (!words.is_empty()).then(|| KeywordRule::managed(&words)),
        keywords_absent: matches!(spec.keywords, Keywords::Absent(_)),
        managed: Some(spec),
    })
}
