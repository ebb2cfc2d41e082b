//! Severities and the rules that turn a count of occurrences into one.

use std::fmt;

/// A finding's severity, ordered so that `High > Medium > Low`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    /// Macie's numeric score: 1 Low, 2 Medium, 3 High.
    pub fn score(self) -> u8 {
        match self {
            Severity::Low => 1,
            Severity::Medium => 2,
            Severity::High => 3,
        }
    }

    /// The spelling Macie uses in a finding's `severity.description` (`Low`, ...).
    pub fn description(self) -> &'static str {
        match self {
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
        }
    }

    /// The spelling of identifier files and detections (`LOW`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
        }
    }

    /// Parses the identifier-file spelling (`LOW`, `MEDIUM`, `HIGH`).
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "LOW" => Some(Severity::Low),
            "MEDIUM" => Some(Severity::Medium),
            "HIGH" => Some(Severity::High),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `{ occurrences_threshold, severity }` entry of a custom identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeverityLevel {
    pub occurrences_threshold: u64,
    pub severity: Severity,
}

/// A custom identifier's severity settings, as Macie applies them.
///
/// Empty means Macie's default: any occurrence is MEDIUM. Otherwise the levels are kept
/// sorted (the file loader refuses unsorted ones) and the highest level whose threshold
/// the count reaches wins; below the lowest threshold there is no severity, so the
/// detection is reported but does not make the object sensitive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeverityLevels(Vec<SeverityLevel>);

impl SeverityLevels {
    /// Builds levels that are already validated as ascending in both threshold and
    /// severity.
    pub fn new(levels: Vec<SeverityLevel>) -> Self {
        SeverityLevels(levels)
    }

    pub fn levels(&self) -> &[SeverityLevel] {
        &self.0
    }

    /// The severity for `count` occurrences in one object, if any.
    pub fn severity_for(&self, count: u64) -> Option<Severity> {
        if count == 0 {
            return None;
        }
        if self.0.is_empty() {
            return Some(Severity::Medium);
        }
        self.0
            .iter()
            .rev()
            .find(|level| count >= level.occurrences_threshold)
            .map(|level| level.severity)
    }
}

/// Severity of a managed identifier's detection, following Macie's scoring of sensitive
/// data findings by category: credentials are always High; financial information is
/// Medium for a single occurrence and High beyond; personal information is Low for one,
/// Medium up to 99 and High from 100 occurrences.
pub fn managed_severity(category: crate::Category, count: u64) -> Option<Severity> {
    use crate::Category;
    match (category, count) {
        (_, 0) => None,
        (Category::Credentials, _) => Some(Severity::High),
        (Category::FinancialInformation, 1) => Some(Severity::Medium),
        (Category::FinancialInformation, _) => Some(Severity::High),
        (Category::PersonalInformation, 1) => Some(Severity::Low),
        (Category::PersonalInformation, 2..=99) => Some(Severity::Medium),
        (Category::PersonalInformation, _) => Some(Severity::High),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Category;

    fn levels(pairs: &[(u64, Severity)]) -> SeverityLevels {
        SeverityLevels::new(
            pairs
                .iter()
                .map(|&(occurrences_threshold, severity)| SeverityLevel {
                    occurrences_threshold,
                    severity,
                })
                .collect(),
        )
    }

    #[test]
    fn no_levels_means_medium_from_one_occurrence() {
        let none = SeverityLevels::default();
        assert_eq!(none.severity_for(0), None);
        assert_eq!(none.severity_for(1), Some(Severity::Medium));
        assert_eq!(none.severity_for(10_000), Some(Severity::Medium));
    }

    #[test]
    fn highest_reached_threshold_wins() {
        let l = levels(&[(1, Severity::Low), (10, Severity::High)]);
        assert_eq!(l.severity_for(1), Some(Severity::Low));
        assert_eq!(l.severity_for(9), Some(Severity::Low));
        assert_eq!(l.severity_for(10), Some(Severity::High));
        assert_eq!(l.severity_for(11), Some(Severity::High));
    }

    #[test]
    fn below_lowest_threshold_has_no_severity() {
        let l = levels(&[(5, Severity::Medium), (50, Severity::High)]);
        assert_eq!(l.severity_for(4), None);
        assert_eq!(l.severity_for(5), Some(Severity::Medium));
    }

    #[test]
    fn scores_and_spellings_follow_macie() {
        assert_eq!(Severity::Low.score(), 1);
        assert_eq!(Severity::Medium.score(), 2);
        assert_eq!(Severity::High.score(), 3);
        assert_eq!(Severity::High.description(), "High");
        assert_eq!(Severity::parse("MEDIUM"), Some(Severity::Medium));
        assert_eq!(Severity::parse("medium"), None);
    }

    #[test]
    fn managed_severity_by_category() {
        assert_eq!(
            managed_severity(Category::Credentials, 1),
            Some(Severity::High)
        );
        assert_eq!(
            managed_severity(Category::FinancialInformation, 1),
            Some(Severity::Medium)
        );
        assert_eq!(
            managed_severity(Category::FinancialInformation, 2),
            Some(Severity::High)
        );
        assert_eq!(
            managed_severity(Category::PersonalInformation, 1),
            Some(Severity::Low)
        );
        assert_eq!(
            managed_severity(Category::PersonalInformation, 99),
            Some(Severity::Medium)
        );
        assert_eq!(
            managed_severity(Category::PersonalInformation, 100),
            Some(Severity::High)
        );
        assert_eq!(managed_severity(Category::PersonalInformation, 0), None);
    }
}
