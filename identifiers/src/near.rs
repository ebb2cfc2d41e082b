//! Keyword-bound identifiers in long text: searched only where a keyword can keep a
//! match.
//!
//! A managed identifier that requires a keyword keeps a match only when one of its
//! keywords ends at most 30 characters before the match starts (or is in the unit's
//! context, which the caller checks first). Its loose formats (dates, runs of digits)
//! match on almost every line of ordinary prose, so searching a whole text window for
//! each of them, and judging every match, costs most of a scan that keeps none of them.
//!
//! [`NearSearch`] instead finds the gated keywords in the window once
//! ([`KeywordGate::each_in_text`]) and gives, for each identifier, the spans to search:
//! around each keyword's reach, widened to bytes its matches cannot hold (see
//! [`crate::alphabet`]), so that searching a span finds exactly the matches the
//! whole-window iteration finds there. Every match that could be kept starts in one of
//! those spans; matches found there are judged by the exact rules, as everywhere else.

use std::ops::Range;

use crate::alphabet::ByteSet;
use crate::gate::KeywordGate;
use crate::prefilter::DetectorMask;

/// How far past the reach of one keyword a span may be widened before the search of
/// that identifier falls back to the whole window (a pattern whose matches may hold
/// letters and spaces widens to whole paragraphs).
const MAX_WIDENING: usize = 4096;

/// Bytes in a character at most: a distance in characters bounds one in bytes.
const MAX_CHAR_BYTES: usize = 4;

/// Bytes past a keyword's end within which a match it keeps may start: Macie's 30
/// characters (see [`crate::keywords::MANAGED_KEYWORD_DISTANCE`]), at up to 4 bytes each.
const REACH: usize = crate::keywords::MANAGED_KEYWORD_DISTANCE as usize * MAX_CHAR_BYTES;

/// The spans of one text window to search for each keyword-bound identifier, reused
/// from one window to the next.
#[derive(Debug, Default)]
pub(crate) struct NearSearch {
    /// (detector, end of a keyword of it), sorted.
    spots: Vec<(usize, usize)>,
    /// Each searched detector's spans, in text order: `spans[bounds[i].1.clone()]` for
    /// the detector `bounds[i].0`.
    spans: Vec<Range<usize>>,
    bounds: Vec<(usize, Range<usize>)>,
}

impl NearSearch {
    /// Finds the spans of `unit` to search for each detector of `wanted` (gated
    /// detectors, none of whose keywords is in the unit's context), for matches that
    /// start in `range`. A detector with no keyword in reach gets none: none of its
    /// matches could be kept. `alphabet` gives a detector's [`ByteSet`] (`None`: no
    /// boundary is safe, the detector is searched over the whole range).
    pub(crate) fn prepare<'a>(
        &mut self,
        gate: &KeywordGate,
        unit: &[u8],
        range: Range<usize>,
        wanted: &DetectorMask,
        mut alphabet: impl FnMut(usize) -> Option<&'a ByteSet>,
    ) {
        self.spots.clear();
        self.spans.clear();
        self.bounds.clear();
        if range.is_empty() {
            return;
        }
        // A keyword that keeps a match starting before `range.end` ends before it; a
        // few bytes more let the gate see a plural ending and the byte after it.
        let seen = &unit[..unit.len().min(range.end + 4)];
        let spots = &mut self.spots;
        gate.each_in_text(seen, |owners, end| {
            for &detector in owners {
                if wanted.contains(detector) && end <= range.end {
                    spots.push((detector, end));
                }
            }
        });
        self.spots.sort_unstable();
        self.spots.dedup();
        let mut at = 0;
        while at < self.spots.len() {
            let detector = self.spots[at].0;
            let first = self.spans.len();
            let ends = self.spots[at..]
                .iter()
                .take_while(|(d, _)| *d == detector)
                .map(|&(_, end)| end);
            let count = ends.clone().count();
            spans_near(unit, &range, ends, alphabet(detector), &mut self.spans);
            self.bounds.push((detector, first..self.spans.len()));
            at += count;
        }
    }

    /// The detectors with spans to search, and their spans, in detector order.
    pub(crate) fn searches(&self) -> impl Iterator<Item = (usize, &[Range<usize>])> {
        self.bounds
            .iter()
            .map(|(detector, spans)| (*detector, &self.spans[spans.clone()]))
    }
}

/// Pushes onto `spans`, in order and disjoint, the spans of `unit` to search so that
/// every match (of a pattern whose matches hold only `alphabet`'s bytes) starting in
/// `range` at most [`REACH`] bytes after one of `ends` is found, exactly as an iteration
/// over all of `range` finds it. Each span starts at `range.start` or after a byte no
/// match holds, and ends at the unit's end or before such a byte.
fn spans_near(
    unit: &[u8],
    range: &Range<usize>,
    ends: impl IntoIterator<Item = usize>,
    alphabet: Option<&ByteSet>,
    spans: &mut Vec<Range<usize>>,
) {
    let Some(alphabet) = alphabet else {
        spans.push(range.start..unit.len());
        return;
    };
    let first = spans.len();
    for end in ends {
        let reach_start = end.max(range.start);
        let reach_end = (end + REACH + 1).min(range.end);
        if reach_start >= reach_end {
            continue;
        }
        let mut start = reach_start;
        while start > range.start && alphabet.contains(unit[start - 1]) {
            start -= 1;
            if reach_start - start > MAX_WIDENING {
                start = range.start;
                break;
            }
        }
        let mut stop = reach_end;
        while stop < unit.len() && alphabet.contains(unit[stop]) {
            stop += 1;
            if stop - reach_end > MAX_WIDENING {
                stop = unit.len();
                break;
            }
        }
        match spans[first..].last_mut() {
            // Spans start in increasing order (their reaches do, and a widened start
            // never passes an earlier span's): merge those that meet.
            Some(last) if start <= last.end => last.end = last.end.max(stop),
            _ => spans.push(start..stop),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits() -> ByteSet {
        crate::alphabet::of_pattern(r"\d{4}-\d{2}-\d{2}").expect("non-empty")
    }

    #[test]
    fn a_span_widens_to_the_bytes_no_match_holds() {
        let unit = b"born 1990-01-01 and 2000-02-02 later 2010-03-03";
        let mut spans = Vec::new();
        // A keyword ending in the middle of the first date: the span covers the date.
        spans_near(unit, &(0..unit.len()), [7], Some(&digits()), &mut spans);
        assert_eq!(spans, vec![5..unit.len()]);
    }

    #[test]
    fn spans_stay_in_the_range_and_merge_when_they_meet() {
        let unit = [b'x'; 1000];
        let mut spans = Vec::new();
        spans_near(
            &unit,
            &(100..900),
            [50, 60, 700],
            Some(&digits()),
            &mut spans,
        );
        assert_eq!(spans, vec![100..61 + REACH, 700..821]);
    }

    #[test]
    fn without_an_alphabet_the_whole_range_is_searched() {
        let unit = [b'x'; 100];
        let mut spans = Vec::new();
        spans_near(&unit, &(10..90), [20], None, &mut spans);
        assert_eq!(spans, vec![10..100]);
    }

    /// For patterns whose matches hold letters, digits, spaces and punctuation alike,
    /// searching the spans finds exactly the matches of an iteration over the whole
    /// range that start within reach of a keyword end, wherever those ends fall (inside
    /// a match of the whole iteration, at its edges, between matches).
    #[test]
    fn searching_the_spans_finds_the_whole_iterations_matches_within_reach() {
        use regex_automata::{meta::Regex, Input};
        let patterns = [
            r"[a-z]+\d+",
            r"\d+(-\d+)*",
            r"(?i)[a-z0-9]{3,8}",
            r"a+b",
            r"\b\d[\d ]{2,}\d\b",
        ];
        let bytes = b"ab1- x\nZ9";
        let mut rng = fastrand::Rng::with_seed(5);
        for pattern in patterns {
            let regex = Regex::builder()
                .syntax(crate::dialect::syntax_config())
                .build(pattern)
                .expect("pattern");
            let alphabet = crate::alphabet::of_pattern(pattern).expect("non-empty");
            for _ in 0..2000 {
                let len = rng.usize(..400);
                let unit: Vec<u8> = (0..len).map(|_| bytes[rng.usize(..bytes.len())]).collect();
                let start = rng.usize(..=len);
                let range = start..rng.usize(start..=len);
                let mut ends: Vec<usize> = (0..rng.usize(..4)).map(|_| rng.usize(..=len)).collect();
                ends.sort_unstable();
                let within = |at: usize| {
                    range.contains(&at) && ends.iter().any(|&end| end <= at && at <= end + REACH)
                };
                let expected: Vec<_> = regex
                    .find_iter(Input::new(&unit).range(range.start..))
                    .map(|m| m.range())
                    .filter(|m| within(m.start))
                    .collect();
                let mut spans = Vec::new();
                spans_near(
                    &unit,
                    &range,
                    ends.iter().copied(),
                    Some(&alphabet),
                    &mut spans,
                );
                let got: Vec<_> = spans
                    .iter()
                    .flat_map(|span| regex.find_iter(Input::new(&unit).range(span.clone())))
                    .map(|m| m.range())
                    .filter(|m| within(m.start))
                    .collect();
                assert_eq!(
                    got,
                    expected,
                    "{pattern} {range:?} {ends:?} {:?}",
                    String::from_utf8_lossy(&unit)
                );
            }
        }
    }
}
