//! Data identifiers with Amazon Macie's semantics.
//!
//! An analyst's identifier file ([`IdentifierFile`]) and the built-in managed identifiers
//! ([`managed`]) compile into one [`IdentifierSet`]. A caller hands the set one *text
//! unit* at a time (a text file, a table cell, a JSON string) with its [`UnitContext`]
//! (column name, JSON keys) and receives every [`Candidate`] match: kept, with the keyword
//! that satisfied it, or rejected, with the rule that dropped it. Locations are byte
//! offsets into the unit; [`text`] converts them to the characters Macie counts in.
//!
//! # The matcher boundary
//! This crate is the only one that judges text: units, column names and JSON keys
//! alike. Format readers never see a regex or an automaton; what they and the sink
//! they feed need is in [`matcher`], as opaque types with a small API:
//!
//! - a [`Matcher`] per thread judges units (counts for cells and values, candidates
//!   for text), narrowing each whole unit with one pass of an automaton built from
//!   every pattern, so only the detectors that may match run their regexes;
//! - a [`BlockFilter`] is the raw-block fast path for readers that hold many units side
//!   by side (a CSV/TSV block): one walk over the buffer, and [`BlockHits`] names the
//!   units worth cutting out, every other one provably holding no match (once a reader
//!   names its columns, the cells of a column whose name holds a keyword are its to
//!   hand over, every one: the walk leaves their identifiers out);
//! - a [`Narrowing`] is the token such a reader fills from the hits and attaches to the
//!   unit it hands over, without looking inside. It also tells the matcher which
//!   detectors the walk saw match exactly once there, so a match every one of which
//!   counts is counted without a search.
//!
//! The automata behind them (a private prefilter module: loosened patterns in one lazy
//! DFA, per-thread caches, detector masks) can change without touching a reader.

mod alphabet;
pub mod dialect;
pub mod file;
mod gate;
pub mod keywords;
pub mod managed;
pub mod matcher;
mod near;
pub mod pattern;
mod prefilter;
pub mod redaction;
pub mod set;
pub mod severity;
pub mod text;
pub mod validators;

use std::fmt;

pub use file::{FileError, IdentifierFile};
pub use keywords::{KeywordSource, UnitContext};
pub use managed::{ManagedIdentifier, ManagedSelection};
pub use matcher::{BlockFilter, BlockFilterError, BlockHits, Matcher, Narrowing};
pub use redaction::{Operator, Redaction};
pub use set::{
    BuildError, Candidate, Detector, DetectorId, DetectorKind, IdentifierSet, KeywordHit,
    Rejection, Verdict,
};
pub use severity::{Severity, SeverityLevels};
pub use validators::Validator;

/// Macie's sensitive data categories for managed identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Credentials,
    FinancialInformation,
    PersonalInformation,
}

impl Category {
    /// The spelling of `sensitiveData[].category`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Credentials => "CREDENTIALS",
            Category::FinancialInformation => "FINANCIAL_INFORMATION",
            Category::PersonalInformation => "PERSONAL_INFORMATION",
        }
    }

    /// The suffix of the finding type, as in `SensitiveData:S3Object/Financial`.
    pub fn finding_type_suffix(self) -> &'static str {
        match self {
            Category::Credentials => "Credentials",
            Category::FinancialInformation => "Financial",
            Category::PersonalInformation => "Personal",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
