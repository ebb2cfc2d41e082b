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
    regex: Regex,
    /// Built on first use: most patterns of a file are never counted this way.
    ends: OnceLock<Option<Box<EndFinder>>>,
}

impl Pattern {
    /// Checks `source` against Macie's dialect and compiles it with ASCII classes over
    /// raw bytes.
    pub fn new(source: &str) -> Result<Pattern, PatternError> {
        let translated = dialect::translate(source)?;
        let regex = Regex::builder()
            .syntax(dialect::syntax_config())
            .build(&translated)
            .map_err(|e| PatternError::Compile(one_line(&e.to_string())))?;
        Ok(Pattern {
            source: source.to_owned(),
            translated,
            regex,
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
        &self.regex
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
}

impl EndFinder {
    fn new(translated: &str) -> Option<EndFinder> {
        let nfa = non_empty_nfa(translated)?;
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .minimize(false)
                    .dfa_size_limit(Some(END_FINDER_LIMIT))
                    .determinize_size_limit(Some(END_FINDER_LIMIT)),
            )
            .build_from_nfa(&nfa)
            .ok()?;
        Some(EndFinder { dfa })
    }

    /// `None` if the DFA gave up (it has no quit bytes, so only on a bug).
    fn count(&self, haystack: &[u8]) -> Option<u64> {
        let mut count = 0;
        let mut at = 0;
        while at < haystack.len() {
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
/// dialect; `None` when the pattern can match the empty string, or cannot be compiled
/// here. For the engines that rely on every match holding at least one byte.
pub(crate) fn non_empty_nfa(translated: &str) -> Option<thompson::NFA> {
    let hir =
        regex_automata::util::syntax::parse_with(translated, &dialect::syntax_config()).ok()?;
    if hir.properties().minimum_len().is_none_or(|len| len == 0) {
        return None;
    }
    thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .utf8(false)
                .which_captures(WhichCaptures::None),
        )
        .build_from_hir(&hir)
        .ok()
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
