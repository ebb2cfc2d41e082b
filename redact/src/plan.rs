//! Which bytes of a unit are rewritten: the matcher decides, this module only orders.
//!
//! Every kept candidate of the unit ("What is rewritten" in docs/redaction.md) is
//! rewritten. Where candidates of several identifiers overlap, the leftmost (then the
//! longest) is rewritten and every other one that starts inside it is counted as
//! rewritten too; the rewritten range grows to the end of any of them that runs past
//! it, so no part of a kept match is ever left in clear.

use std::ops::Range;

use ferret_identifiers::{BlockFilter, DetectorId, IdentifierSet, Matcher, UnitContext};

/// One range of a unit to rewrite, with the detector whose operator rewrites it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    pub range: Range<usize>,
    pub detector: DetectorId,
}

/// One thread's planner: a matcher, scratch space, and the count of kept matches per
/// detector over everything it planned.
#[derive(Debug)]
pub struct Planner<'s> {
    matcher: Matcher<'s>,
    kept: Vec<(Range<usize>, DetectorId)>,
    counts: Vec<u64>,
}

impl<'s> Planner<'s> {
    pub fn new(set: &'s IdentifierSet) -> Planner<'s> {
        Planner {
            matcher: Matcher::new(set),
            kept: Vec::new(),
            counts: vec![0; set.detectors().len()],
        }
    }

    /// Appends to `rewrites` the ranges of `bytes` to rewrite for matches starting in
    /// `search` (the rest of `bytes` is context), in order and disjoint. A rewrite that
    /// overlaps the last one already in `rewrites` (a match that ran past the previous
    /// window of a text) is merged into it.
    pub fn plan(
        &mut self,
        bytes: &[u8],
        search: Range<usize>,
        context: UnitContext<'_>,
        rewrites: &mut Vec<Rewrite>,
    ) {
        if search.is_empty() {
            return;
        }
        let kept = &mut self.kept;
        kept.clear();
        self.matcher
            .kept_candidates(bytes, search, context, None, |candidate| {
                if candidate.is_kept() {
                    kept.push((candidate.span, candidate.detector));
                }
            });
        // Leftmost first; among those, longest first: that one is rewritten.
        kept.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
        for (range, detector) in kept.drain(..) {
            self.counts[detector.0] += 1;
            match rewrites.last_mut() {
                Some(last) if range.start < last.range.end => {
                    last.range.end = last.range.end.max(range.end);
                }
                _ => rewrites.push(Rewrite { range, detector }),
            }
        }
    }

    /// The identifier set's raw-block filter for tables cut at `delimiter`, if it has a
    /// sound one: the cells it clears hold no candidate, so they are copied unjudged.
    pub fn block_filter(&self, delimiter: u8) -> Option<BlockFilter> {
        self.matcher.block_filter(delimiter)
    }

    /// Kept matches per detector so far, rewritten or inside a rewritten one.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
}
