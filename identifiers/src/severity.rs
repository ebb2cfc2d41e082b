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

/// Macie's severity scoring of one managed type: the severity of an object's detection
/// of the type for 1 occurrence, for 2 to 99 and for 100 or more.
///
/// Macie scores each sensitive data type on its own (a passport number is Medium at
/// once, a phone number Low, a VIN Low up to 99); the constants are the rows its table
/// uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scoring(pub [Severity; 3]);

impl Scoring {
    /// High from the first occurrence: credentials, card and bank account numbers,
    /// national, social security and tax numbers, most health numbers.
    pub const HIGH: Scoring = Scoring([Severity::High; 3]);
    /// Low, Medium, High: birth dates, driver's licences, phone numbers, cookies...
    pub const LOW_MEDIUM_HIGH: Scoring = Scoring([Severity::Low, Severity::Medium, Severity::High]);
    /// Medium, High, High: passport numbers, card verification codes.
    pub const MEDIUM_HIGH_HIGH: Scoring =
        Scoring([Severity::Medium, Severity::High, Severity::High]);
    /// Medium, Medium, High: transport cards, companies' tax numbers.
    pub const MEDIUM_MEDIUM_HIGH: Scoring =
        Scoring([Severity::Medium, Severity::Medium, Severity::High]);
    /// Low, Medium, Medium: GPS coordinates.
    pub const LOW_MEDIUM_MEDIUM: Scoring =
        Scoring([Severity::Low, Severity::Medium, Severity::Medium]);
    /// Low, Low, Medium: vehicle identification numbers.
    pub const LOW_LOW_MEDIUM: Scoring = Scoring([Severity::Low, Severity::Low, Severity::Medium]);

    /// The severity for `count` occurrences in an object; none for zero.
    pub fn for_count(self, count: u64) -> Option<Severity> {
        let [one, some, many] = self.0;
        match count {
            0 => None,
            1 => Some(one),
            2..=99 => Some(some),
            _ => Some(many),
        }
    }
}

/// Severity of a managed identifier's detection when only its category is known:
/// credentials are always High; financial information is Medium for a single
/// occurrence and High beyond; personal information is Low for one, Medium up to 99 and
/// High from 100 occurrences. A managed type's own [`Scoring`]
/// ([`crate::managed::severity`]) takes precedence.
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
    fn scoring_counts_one_some_and_many() {
        let vin = Scoring::LOW_LOW_MEDIUM;
        assert_eq!(vin.for_count(0), None);
        assert_eq!(vin.for_count(1), Some(Severity::Low));
        assert_eq!(vin.for_count(99), Some(Severity::Low));
        assert_eq!(vin.for_count(100), Some(Severity::Medium));
        let passport = Scoring::MEDIUM_HIGH_HIGH;
        assert_eq!(passport.for_count(1), Some(Severity::Medium));
        assert_eq!(passport.for_count(2), Some(Severity::High));
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
