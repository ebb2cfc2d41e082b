//! Managed (built-in) identifiers, kept as one table of data.
//!
//! [`MANAGED_IDENTIFIERS`] holds one row per type, in the order of Macie's reference
//! pages (credentials, financial information, health, personal information), followed
//! by the few types ferret adds ([`Origin::Ferret`]). A row says what the type looks
//! for and how a candidate becomes a finding:
//!
//! - the pattern, in Macie's regex dialect like a custom identifier's;
//! - the check of the number where it has one (a [`Validator`] also usable from
//!   identifier files, or a structural rule of ours such as an AWS secret key's
//!   alphabet);
//! - the keywords, with Macie's rule for managed identifiers (see
//!   [`crate::keywords::KeywordRule::managed`]): required near the match for most
//!   types, or, for `CREDIT_CARD_NUMBER_(NO_KEYWORD)`, required to be absent;
//! - the values never reported because their issuers publish them as examples (test
//!   card numbers, documentation keys);
//! - whether Macie's recommended set for jobs holds it.
//!
//! The scanner compiles only the rows a scan selects ([`ManagedSelection`]), so an
//! unused row costs nothing at start-up.

mod catalogue;
mod examples;
pub mod listing;
mod selection;

use std::borrow::Cow;

use crate::severity::{Scoring, Severity};
use crate::validators::Validator;
use crate::Category;

pub use catalogue::MANAGED_IDENTIFIERS;
pub use selection::{ManagedSelection, UnknownManaged};

/// The check a managed identifier applies to a candidate's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A checksum validator (also usable from identifier files).
    Validator(Validator),
    /// A secret access key: 40 characters of base64 alphabet mixing upper case, lower
    /// case and digits, which rules out hex digests and plain words of the same length.
    AwsSecretKey,
    /// A bank account number of the country with this ISO 3166 code, written as an IBAN
    /// or in its domestic form (see [`Domestic`]): an IBAN passes the IBAN check; a
    /// domestic number passes the national check, where the country has one (its
    /// pattern already holds the structure).
    BankAccount {
        country: &'static str,
        domestic: Option<Validator>,
    },
}

impl Check {
    /// True when `text` passes.
    pub fn passes(self, text: &str) -> bool {
        match self {
            Check::Validator(validator) => validator.is_valid(text),
            Check::AwsSecretKey => is_aws_secret_key(text),
            Check::BankAccount { country, domestic } => {
                if is_iban_form(text.as_bytes(), country) {
                    Validator::Iban.is_valid(text)
                } else {
                    domestic.is_none_or(|validator| validator.is_valid(text))
                }
            }
        }
    }

    /// The name shown by `ferret identifiers list`: the validator's identifier-file name,
    /// or a description of the structural rule.
    pub fn name(self) -> &'static str {
        match self {
            Check::Validator(validator) => validator.name(),
            Check::AwsSecretKey => "aws_secret_key_alphabet",
            Check::BankAccount { .. } => "iban_or_domestic_account",
        }
    }
}

/// True when `text` starts as an IBAN of `country` does: the country code, then two
/// check digits. No domestic form starts so: they begin with digits, or (Italy) one
/// letter and a digit, or (UK) four letters.
fn is_iban_form(text: &[u8], country: &str) -> bool {
    text.len() > 4
        && text[..2].eq_ignore_ascii_case(country.as_bytes())
        && text[2..4].iter().all(u8::is_ascii_digit)
}

fn is_aws_secret_key(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 40
        && bytes.iter().any(u8::is_ascii_uppercase)
        && bytes.iter().any(u8::is_ascii_lowercase)
        && bytes.iter().any(u8::is_ascii_digit)
}

/// The Macie reference page a type is documented on. Health identifiers are personal
/// information in findings; the page is kept so that listings can say which are health
/// data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Page {
    Credentials,
    Financial,
    Health,
    Personal,
}

impl Page {
    /// The category findings of the type are reported under.
    pub const fn category(self) -> Category {
        match self {
            Page::Credentials => Category::Credentials,
            Page::Financial => Category::FinancialInformation,
            Page::Health | Page::Personal => Category::PersonalInformation,
        }
    }

    /// `PHI` for health identifiers, `PII` for other personal ones, empty otherwise:
    /// Macie's subdivision of personal information.
    pub const fn subcategory(self) -> &'static str {
        match self {
            Page::Health => "PHI",
            Page::Personal => "PII",
            Page::Credentials | Page::Financial => "",
        }
    }
}

/// Whose type it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A managed data identifier of Macie's, under Macie's ID.
    Macie,
    /// A type ferret adds beyond Macie's catalogue.
    Ferret,
}

impl Origin {
    pub const fn as_str(self) -> &'static str {
        match self {
            Origin::Macie => "macie",
            Origin::Ferret => "ferret",
        }
    }
}

/// Where the pattern of a row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A pattern written out in Macie's dialect.
    Regex(&'static str),
    /// An IBAN of the country with this ISO 3166 code and total length (SWIFT's IBAN
    /// registry), written in one piece or in groups of four; and, for the countries
    /// where Macie also detects it, the domestic form of the same account number.
    Iban {
        country: &'static str,
        length: u8,
        domestic: Option<&'static Domestic>,
    },
}

/// The domestic form of a country's bank account number: Macie's basic bank account
/// number (BBAN, the national part of the IBAN as ISO 13616 structures it), reported
/// under the same type as the country's IBANs.
///
/// The two forms differ in how they are kept. An IBAN announces itself (country code,
/// mod 97 check digits) and needs no keyword. A BBAN is a bare run of digits that an
/// order or tracking number can mimic, so, as Macie does, a keyword of the country's
/// list must be near it (or in its column or path), and its national check digits must
/// hold where the country has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domestic {
    /// The pattern, in Macie's dialect: the BBAN's characters in order, each but the
    /// first optionally after a single space or hyphen, so that one pattern takes the
    /// number whole, in groups of four as an IBAN is printed, or in its national fields
    /// (`30006 00001 12345678901 89`, a sort code's `60-16-13`). It holds the registry's
    /// structure: digits where digits are due.
    ///
    /// Written so rather than as one alternative per layout: the block filter's
    /// automaton runs every pattern at once, and layouts that group the same digits
    /// differently multiply its states in long digit runs (until its cache overflows),
    /// while one separator-tolerant counter per country adds a few.
    pub regex: &'static str,
    /// The national check, where the country has one.
    pub check: Option<Validator>,
    /// Macie's keywords for the country's BBANs: one must be near a domestic number.
    pub keywords: &'static [&'static str],
}

/// The keyword rule of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keywords {
    /// Matches are reported without a keyword.
    None,
    /// A keyword of the list must be near the match (or in its column or path).
    Required(&'static [&'static str]),
    /// Matches are reported only when no keyword of the list is near: the complement
    /// of a type that requires them (`CREDIT_CARD_NUMBER_(NO_KEYWORD)`).
    Absent(&'static [&'static str]),
}

impl Keywords {
    /// The words, whatever the rule.
    pub const fn words(self) -> &'static [&'static str] {
        match self {
            Keywords::None => &[],
            Keywords::Required(words) | Keywords::Absent(words) => words,
        }
    }

    /// `required`, `absent` or `none`: how listings name the rule.
    pub const fn rule(self) -> &'static str {
        match self {
            Keywords::None => "none",
            Keywords::Required(_) => "required",
            Keywords::Absent(_) => "absent",
        }
    }
}

/// One managed identifier: one row of [`MANAGED_IDENTIFIERS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedIdentifier {
    /// Macie's type name, e.g. `CREDIT_CARD_NUMBER`.
    pub type_name: &'static str,
    pub category: Category,
    /// The reference page of the type.
    pub page: Page,
    /// ISO 3166 alpha-2 codes of the countries the type is designed for (`EU` for the
    /// European Union as a whole); empty for any country.
    pub countries: &'static [&'static str],
    pub source: Source,
    pub check: Option<Check>,
    pub keywords: Keywords,
    /// Values never reported, separators (space, `-`, `.`) removed: examples their
    /// issuers publish, such as test card numbers and documentation keys.
    pub excluded: &'static [&'static str],
    pub origin: Origin,
    /// In Macie's recommended set for jobs (ferret's default selection).
    pub recommended: bool,
    /// Macie's severity scoring for the type, by occurrence count in an object.
    pub severity: Scoring,
}

/// The fields most rows share, for struct-update syntax in the table.
const BASE: ManagedIdentifier = ManagedIdentifier {
    type_name: "",
    category: Category::PersonalInformation,
    page: Page::Personal,
    countries: &[],
    source: Source::Regex(""),
    check: None,
    keywords: Keywords::None,
    excluded: &[],
    origin: Origin::Macie,
    recommended: false,
    severity: Scoring::LOW_MEDIUM_HIGH,
};

impl ManagedIdentifier {
    /// The pattern in Macie's dialect.
    pub fn regex(&self) -> Cow<'static, str> {
        match self.source {
            Source::Regex(regex) => Cow::Borrowed(regex),
            Source::Iban {
                country,
                length,
                domestic,
            } => {
                let iban = iban_regex(country, length);
                // The IBAN comes first: where both could start at the same place, the
                // IBAN, which holds the BBAN, is the match; and leftmost-first
                // matching never finds the BBAN inside an IBAN printed in groups.
                Cow::Owned(match domestic {
                    None => iban,
                    Some(form) => format!("(?:{iban})|(?:{})", form.regex),
                })
            }
        }
    }

    /// The domestic form of the type's numbers, for bank account types that have one.
    pub fn domestic(&self) -> Option<&'static Domestic> {
        match self.source {
            Source::Iban { domestic, .. } => domestic,
            Source::Regex(_) => None,
        }
    }

    /// The check a candidate of the pattern must pass: the row's [`check`](Self::check),
    /// or, for a type with a domestic form, the check of whichever form it has.
    pub fn candidate_check(&self) -> Option<Check> {
        match self.source {
            Source::Iban {
                country,
                domestic: Some(form),
                ..
            } => Some(Check::BankAccount {
                country,
                domestic: form.check,
            }),
            _ => self.check,
        }
    }

    /// The keywords a candidate may need: the row's, or its domestic form's.
    pub fn candidate_keywords(&self) -> &'static [&'static str] {
        match self.domestic() {
            Some(form) => form.keywords,
            None => self.keywords.words(),
        }
    }

    /// True when some of the type's matches are kept without a keyword although
    /// [`candidate_keywords`](Self::candidate_keywords) is not empty: the IBANs of a type
    /// whose domestic numbers need one. A scan cannot then skip the type in a unit
    /// where none of its keywords occurs.
    pub fn has_keyword_free_form(&self) -> bool {
        self.domestic().is_some()
    }

    /// True when the match at `start` in `unit` is a domestic account number that
    /// continues a longer number: it follows a digit and a space or hyphen. A BBAN is a
    /// whole number, and its pattern, which takes any grouping, would otherwise find one
    /// in the tail of a longer grouped number (a German BBAN's 18 digits in a French
    /// RIB's 23, the national part of an IBAN printed in groups).
    pub fn continues_a_longer_number(&self, unit: &[u8], start: usize) -> bool {
        let Source::Iban {
            country,
            domestic: Some(_),
            ..
        } = self.source
        else {
            return false;
        };
        let before = &unit[..start.min(unit.len())];
        !is_iban_form(&unit[start.min(unit.len())..], country)
            && matches!(before, [.., digit, b' ' | b'-'] if digit.is_ascii_digit())
    }

    /// True when the match `text` needs no keyword although the type has some: an IBAN
    /// of a type with a domestic form.
    pub fn reported_without_keyword(&self, text: &[u8]) -> bool {
        match self.source {
            Source::Iban {
                country,
                domestic: Some(_),
                ..
            } => is_iban_form(text, country),
            _ => false,
        }
    }

    /// True when `text`, separators (space, `-`, `.`) removed, is one of the values this
    /// type never reports.
    pub fn is_excluded(&self, text: &[u8]) -> bool {
        if self.excluded.is_empty() {
            return false;
        }
        let bare: Vec<u8> = text
            .iter()
            .copied()
            .filter(|b| !matches!(b, b' ' | b'-' | b'.'))
            .collect();
        self.excluded.iter().any(|value| value.as_bytes() == bare)
    }

    /// Macie's severity scoring for the type, by occurrence count in an object: the
    /// severities for 1, for 2-99 and for 100 or more occurrences.
    pub fn severity_scoring(&self) -> [Severity; 3] {
        self.severity.0
    }
}

/// The severity of an object's detection of the managed type `type_name`, `count`
/// times: the type's own scoring, or its category's for a name not in the catalogue.
pub fn severity(type_name: &str, category: Category, count: u64) -> Option<Severity> {
    match MANAGED_IDENTIFIERS
        .iter()
        .find(|m| m.type_name == type_name)
    {
        Some(row) => row.severity.for_count(count),
        None => crate::severity::managed_severity(category, count),
    }
}

/// An IBAN pattern: the country code, two check digits, then the BBAN's characters,
/// in one piece or in groups of four separated by single spaces.
fn iban_regex(country: &str, length: u8) -> String {
    let bban = usize::from(length).saturating_sub(4);
    let (groups, rest) = (bban / 4, bban % 4);
    let mut regex = format!(r"\b{country}\d{{2}}(?: ?[A-Z0-9]{{4}}){{{groups}}}");
    if rest > 0 {
        regex.push_str(&format!(r" ?[A-Z0-9]{{{rest}}}"));
    }
    regex.push_str(r"\b");
    regex
}

/// Finds a managed identifier by type name, ignoring case.
pub fn lookup(name: &str) -> Option<&'static ManagedIdentifier> {
    MANAGED_IDENTIFIERS
        .iter()
        .find(|m| m.type_name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_unique_and_upper_case() {
        let mut seen = std::collections::HashSet::new();
        for row in MANAGED_IDENTIFIERS {
            assert!(seen.insert(row.type_name), "{} twice", row.type_name);
            assert!(
                row.type_name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"_()".contains(&b)),
                "{}",
                row.type_name
            );
            assert_eq!(row.category, row.page.category(), "{}", row.type_name);
        }
    }

    #[test]
    fn rows_with_keywords_list_some() {
        for row in MANAGED_IDENTIFIERS {
            if row.keywords != Keywords::None {
                assert!(!row.keywords.words().is_empty(), "{}", row.type_name);
            }
        }
    }

    #[test]
    fn iban_patterns_take_groups_of_four() {
        assert_eq!(
            iban_regex("FR", 27),
            r"\bFR\d{2}(?: ?[A-Z0-9]{4}){5} ?[A-Z0-9]{3}\b"
        );
        assert_eq!(iban_regex("BE", 16), r"\bBE\d{2}(?: ?[A-Z0-9]{4}){3}\b");
    }

    #[test]
    fn only_bank_account_rows_have_a_domestic_form_and_it_needs_keywords() {
        let with_domestic: Vec<&str> = MANAGED_IDENTIFIERS
            .iter()
            .filter(|row| row.domestic().is_some())
            .map(|row| row.type_name)
            .collect();
        assert_eq!(
            with_domestic,
            [
                "FRANCE_BANK_ACCOUNT_NUMBER",
                "GERMANY_BANK_ACCOUNT_NUMBER",
                "ITALY_BANK_ACCOUNT_NUMBER",
                "SPAIN_BANK_ACCOUNT_NUMBER",
                "UK_BANK_ACCOUNT_NUMBER",
            ]
        );
        for row in MANAGED_IDENTIFIERS
            .iter()
            .filter(|r| r.domestic().is_some())
        {
            // The IBAN form needs no keyword; the domestic one does.
            assert_eq!(row.keywords, Keywords::None, "{}", row.type_name);
            assert!(!row.candidate_keywords().is_empty(), "{}", row.type_name);
            assert!(row.has_keyword_free_form(), "{}", row.type_name);
        }
    }

    #[test]
    fn a_bank_account_check_takes_the_iban_or_the_domestic_form() {
        let france = lookup("FRANCE_BANK_ACCOUNT_NUMBER")
            .and_then(ManagedIdentifier::candidate_check)
            .expect("check");
        assert!(france.passes("FR76 3000 6000 0112 3456 7890 189"));
        assert!(!france.passes("FR77 3000 6000 0112 3456 7890 189"));
        assert!(france.passes("30006 00001 12345678901 89"));
        assert!(!france.passes("30006 00001 12345678901 88"));
        // Germany has no national check: its pattern holds the structure.
        let germany = lookup("GERMANY_BANK_ACCOUNT_NUMBER")
            .and_then(ManagedIdentifier::candidate_check)
            .expect("check");
        assert!(germany.passes("DE89 3704 0044 0532 0130 00"));
        assert!(!germany.passes("DE88 3704 0044 0532 0130 00"));
        assert!(germany.passes("370400440532013000"));
    }

    #[test]
    fn only_the_iban_form_is_reported_without_keyword() {
        let uk = lookup("UK_BANK_ACCOUNT_NUMBER").expect("row");
        assert!(uk.reported_without_keyword(b"GB29 NWBK 6016 1331 9268 19"));
        assert!(!uk.reported_without_keyword(b"NWBK 6016 1331 9268 19"));
        // A bank code starting with the country's letters is still domestic.
        assert!(!uk.reported_without_keyword(b"GBXX 6016 1331 9268 19"));
        let plain = lookup("BELGIUM_BANK_ACCOUNT_NUMBER").expect("row");
        assert!(!plain.reported_without_keyword(b"BE68 5390 0754 7034"));
    }

    #[test]
    fn a_domestic_number_never_continues_a_longer_one() {
        let germany = lookup("GERMANY_BANK_ACCOUNT_NUMBER").expect("row");
        let unit = b"bban 69835 06939 65260338441 81";
        assert!(germany.continues_a_longer_number(unit, 11));
        assert!(!germany.continues_a_longer_number(unit, 5));
        assert!(!germany.continues_a_longer_number(b"DE89 3704", 0));
        let belgium = lookup("BELGIUM_BANK_ACCOUNT_NUMBER").expect("row");
        assert!(!belgium.continues_a_longer_number(unit, 11));
    }

    #[test]
    fn excluded_values_ignore_separators() {
        let card = lookup("CREDIT_CARD_NUMBER").expect("row");
        assert!(card.is_excluded(b"5555 5555 5555 4444"));
        assert!(card.is_excluded(b"5555-5555-5555-4444"));
        assert!(!card.is_excluded(b"5555 5555 5555 4445"));
    }
}
