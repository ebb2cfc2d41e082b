//! A regex written in Macie's dialect, checked, translated and compiled once.

use regex_automata::meta::Regex;

use crate::dialect::{self, DialectError};

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
