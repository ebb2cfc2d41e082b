//! Data identifiers with Amazon Macie's semantics.
//!
//! An analyst's identifier file ([`IdentifierFile`]) and the built-in managed identifiers
//! ([`managed`]) compile into one [`IdentifierSet`]. A caller hands the set one *text
//! unit* at a time (a text file, a table cell, a JSON string) with its [`UnitContext`]
//! (column name, JSON keys) and receives every [`Candidate`] match: kept, with the keyword
//! that satisfied it, or rejected, with the rule that dropped it. Locations are byte
//! offsets into the unit; [`text`] converts them to the characters Macie counts in.

pub mod dialect;
pub mod file;
pub mod keywords;
pub mod managed;
pub mod pattern;
pub mod prefilter;
pub mod set;
pub mod severity;
pub mod text;
pub mod validators;

use std::fmt;

pub use file::{FileError, IdentifierFile};
pub use keywords::{KeywordSource, UnitContext};
pub use managed::{ManagedIdentifier, ManagedSelection};
pub use prefilter::{DetectorMask, FilterCache, MatchEnds, UnitFilter};
pub use set::{
    BuildError, Candidate, Detector, DetectorId, DetectorKind, IdentifierSet, KeywordHit,
    Rejection, UnitLayout, Verdict,
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
