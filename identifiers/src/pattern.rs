//! A regex written in Macie's dialect, checked, translated and compiled once.

use std::sync::OnceLock;

use regex_automata::dfa::{dense, Automaton};
use regex_automata::meta::Regex;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::Input;

use crate::dialect::{self, DialectError};

/// Memory allowed to an [`EndFinder`]'s automaton, while built and once built. Past it
/// (patterns with large counted repetitions) matches are counted with the full regex.
const END_FINDER_LIMIT: usize = 1 << 20;

/// Why a pattern cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("{0}")]
    Dialect(#[from] DialectError),
    #[error("does not compile: {0}")]
    Compile(String),
}

/// A compiled pattern that keeps its source (for messages) and its translation to
/// regex-syntax (for engines that combine several patterns into one automaton).
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    translated: String,
    /// Compiled now for an analyst's pattern, so that an error names its line; on
    /// first use for the managed catalogue's, most of which a scan never runs.
    regex: OnceLock<Regex>,
    /// Built on first use: most patterns of a file are never counted this way.
    ends: OnceLock<Option<Box<EndFinder>>>,
}

impl Pattern {
    /// Checks `source` against Macie's dialect and compiles it with ASCII classes over
    /// raw bytes.
    pub fn new(source: &str) -> Result<Pattern, PatternError> {
        let pattern = Pattern::compiled_on_first_use(source)?;
        let regex = compile(&pattern.translated)?;
        let _ = pattern.regex.set(regex);
        Ok(pattern)
    }

    /// Checks `source` against Macie's dialect now and compiles it on first use: for
    /// the managed catalogue, whose every pattern compiles (a test compiles each), and
    /// of which a scan runs a few. Building all 160 regexes took half of a small
    /// scan's start-up.
    pub(crate) fn compiled_on_first_use(source: &str) -> Result<Pattern, PatternError> {
        Ok(Pattern {
            source: source.to_owned(),
            translated: dialect::translate(source)?,
            regex: OnceLock::new(),
            ends: OnceLock::new(),
        })
    }

    /// The pattern as the analyst wrote it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The equivalent pattern in regex-syntax's dialect.
    pub fn translated(&self) -> &str {
        &self.translated
    }

    /// The compiled matcher (leftmost-first).
    pub fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| match compile(&self.translated) {
            Ok(regex) => regex,
            // Only the catalogue's patterns are compiled here, and each compiles.
            Err(error) => panic!("managed pattern {:?}: {error}", self.source),
        })
    }

    /// The matches of [`regex`](Self::regex) in `haystack`, counted (all of them are
    /// non-empty when this is `Some`), for callers that need neither where they start
    /// nor what they hold. `None` when no `EndFinder` exists for this pattern.
    pub fn count_matches(&self, haystack: &[u8]) -> Option<u64> {
        self.ends
            .get_or_init(|| EndFinder::new(&self.translated).map(Box::new))
            .as_ref()?
            .count(haystack)
    }

    /// The non-empty matches of [`regex`](Self::regex) in `haystack`, counted: what a
    /// search that keeps every match finds, with the cheaper forward-only search when
    /// the pattern has one.
    pub fn count_non_empty(&self, haystack: &[u8]) -> u64 {
        self.count_matches(haystack).unwrap_or_else(|| {
            let matches = self.regex().find_iter(Input::new(haystack));
            matches.filter(|found| !found.is_empty()).count() as u64
        })
    }
}

fn compile(translated: &str) -> Result<Regex, PatternError> {
    Regex::builder()
        .syntax(dialect::syntax_config())
        .build(translated)
        .map_err(|e| PatternError::Compile(one_line(&e.to_string())))
}

/// A forward DFA that finds where each leftmost-first match ends.
///
/// Finding a match's start takes the full regex a second, reverse, search, and its
/// general machinery costs more than the search itself on a short cell. Counting
/// needs neither: each match ends where the forward search stops, and the next search
/// starts there, exactly as the regex's own iterator does after a non-empty match.
/// Only built for patterns that cannot match the empty string, so every match found
/// is one the regex reports and iteration never has to step over an empty match.
#[derive(Debug, Clone)]
struct EndFinder {
    dfa: dense::DFA<Vec<u32>>,
    /// The fewest bytes a match holds: where fewer are left, no search can find one.
    /// It spares the second search of a cell that holds one date, or one address.
    min_len: usize,
}

impl EndFinder {
    fn new(translated: &str) -> Option<EndFinder> {
        let (nfa, min_len) = non_empty_nfa(translated)?;
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .minimize(false)
                    .dfa_size_limit(Some(END_FINDER_LIMIT))
                    .determinize_size_limit(Some(END_FINDER_LIMIT)),
            )
            .build_from_nfa(&nfa)
            .ok()?;
        Some(EndFinder { dfa, min_len })
    }

    /// `None` if the DFA gave up (it has no quit bytes, so only on a bug).
    fn count(&self, haystack: &[u8]) -> Option<u64> {
        let mut count = 0;
        let mut at = 0;
        while haystack.len() - at >= self.min_len {
            let input = Input::new(haystack).range(at..);
            match self.dfa.try_search_fwd(&input).ok()? {
                Some(end) => {
                    count += 1;
                    at = end.offset();
                }
                None => break,
            }
        }
        Some(count)
    }
}

/// The byte automaton (no captures) of `translated`, a pattern in regex-syntax's
/// dialect, and the fewest bytes a match of it holds (at least one); `None` when the
/// pattern can match the empty string, or cannot be compiled here. For the engines
/// that rely on every match holding at least one byte.
pub(crate) fn non_empty_nfa(translated: &str) -> Option<(thompson::NFA, usize)> {
    let hir =
        regex_automata::util::syntax::parse_with(translated, &dialect::syntax_config()).ok()?;
    let min_len = hir.properties().minimum_len().filter(|&len| len > 0)?;
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .utf8(false)
                .which_captures(WhichCaptures::None),
        )
        .build_from_hir(&hir)
        .ok()?;
    Some((nfa, min_len))
}

/// Compile errors from regex-automata can span lines (with a caret diagram); an analyst's
/// terminal and a result file want one.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counting by match ends gives what the regex's own iterator gives, whether the
    /// bytes left after a match are fewer than a match needs, exactly as many, or more.
    #[test]
    fn counted_matches_are_those_the_regex_finds() {
        let cases: [(&str, &[&str]); 3] = [
            (
                r"\d{4}-\d{2}-\d{2}",
                &[
                    "",
                    "1983-06-1",
                    "1983-06-13",
                    "1983-06-131983-06-13",
                    "1983-06-13 1983-06-1",
                    "x1983-06-13x2001-01-01x",
                ],
            ),
            (
                r"\b[a-z]+@[a-z]+\.[a-z]{2,}\b",
                &[
                    "a@b.cd",
                    "a@b.cd e@f.gh",
                    "a@b.cd e@f.g",
                    "a@b.cd.ef",
                    "@b.cd",
                ],
            ),
            (r"ab|abcd", &["ab", "abcd", "abab", "aba", "xabcdab"]),
        ];
        for (source, haystacks) in cases {
            let pattern = Pattern::new(source).expect("compiles");
            for haystack in haystacks {
                let expected = pattern
                    .regex()
                    .find_iter(haystack.as_bytes())
                    .filter(|found| !found.is_empty())
                    .count() as u64;
                assert_eq!(
                    pattern.count_matches(haystack.as_bytes()),
                    Some(expected),
                    "{source} in {haystack:?}"
                );
            }
        }
    }
}
