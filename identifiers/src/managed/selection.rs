//! `--managed`: which managed identifiers a scan uses.
//!
//! The value is a comma-separated list of terms, read left to right:
//!
//! - `recommended` (Macie's recommended set for jobs, the default), `all`, `none`;
//! - a type name (`USA_PASSPORT_NUMBER`, any case);
//! - `category:X` with X one of `CREDENTIALS`, `FINANCIAL_INFORMATION`,
//!   `PERSONAL_INFORMATION` (or `PHI` / `PII` for Macie's two kinds of personal data);
//! - `country:XX`, an ISO 3166 alpha-2 code: the types designed for that country;
//! - `exclude:ID`, also `exclude:category:X` and `exclude:country:XX`: removes types.
//!
//! Terms that add types form a union; exclusions are applied last. A list made only of
//! exclusions starts from the recommended set, as Macie's `EXCLUDE` selection starts
//! from the catalogue.

use std::fmt;

use super::{ManagedIdentifier, Page, MANAGED_IDENTIFIERS};

/// Which managed identifiers a scan uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ManagedSelection {
    None,
    /// Macie's recommended set for jobs.
    #[default]
    Recommended,
    All,
    /// These types, in table order.
    Only(Vec<&'static ManagedIdentifier>),
}

/// A `--managed` value ferret cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown managed identifier selector `{name}` (expected recommended, all, none, an ID, category:X, country:XX or exclude:...; `ferret identifiers list` shows the IDs)")]
pub struct UnknownManaged {
    pub name: String,
}

/// One term that names a group of types.
enum Term {
    Recommended,
    All,
    None,
    Category(&'static str),
    Country(String),
    Id(&'static ManagedIdentifier),
}

impl Term {
    fn parse(text: &str) -> Result<Term, UnknownManaged> {
        let unknown = || UnknownManaged {
            name: text.to_owned(),
        };
        let lower = text.to_ascii_lowercase();
        if let Some(category) = lower.strip_prefix("category:") {
            let category = match category.trim() {
                "credentials" => "CREDENTIALS",
                "financial_information" | "financial" => "FINANCIAL_INFORMATION",
                "personal_information" | "personal" => "PERSONAL_INFORMATION",
                "phi" | "health" => "PHI",
                "pii" => "PII",
                _ => return Err(unknown()),
            };
            return Ok(Term::Category(category));
        }
        if let Some(country) = lower.strip_prefix("country:") {
            let country = country.trim().to_ascii_uppercase();
            let known = MANAGED_IDENTIFIERS
                .iter()
                .any(|m| m.countries.contains(&country.as_str()));
            return if known {
                Ok(Term::Country(country))
            } else {
                Err(unknown())
            };
        }
        match lower.as_str() {
            "recommended" => Ok(Term::Recommended),
            "all" => Ok(Term::All),
            "none" => Ok(Term::None),
            _ => super::lookup(text).map(Term::Id).ok_or_else(unknown),
        }
    }

    fn holds(&self, row: &ManagedIdentifier) -> bool {
        match self {
            Term::Recommended => row.recommended,
            Term::All => true,
            Term::None => false,
            Term::Category("PHI") => row.page == Page::Health,
            Term::Category("PII") => row.page == Page::Personal,
            Term::Category(name) => row.category.as_str() == *name,
            Term::Country(code) => row.countries.contains(&code.as_str()),
            Term::Id(id) => id.type_name == row.type_name,
        }
    }
}

impl ManagedSelection {
    /// Parses a `--managed` value (see the module documentation).
    pub fn parse(text: &str) -> Result<ManagedSelection, UnknownManaged> {
        let terms: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        match terms.as_slice() {
            [] => return Ok(ManagedSelection::None),
            [one] if one.eq_ignore_ascii_case("none") => return Ok(ManagedSelection::None),
            [one] if one.eq_ignore_ascii_case("all") => return Ok(ManagedSelection::All),
            [one] if one.eq_ignore_ascii_case("recommended") => {
                return Ok(ManagedSelection::Recommended)
            }
            _ => {}
        }
        let mut added = Vec::new();
        let mut removed = Vec::new();
        for term in terms {
            let lower = term.to_ascii_lowercase();
            match lower.strip_prefix("exclude:") {
                Some(_) => removed.push(Term::parse(term["exclude:".len()..].trim())?),
                None => added.push(Term::parse(term)?),
            }
        }
        if added.is_empty() {
            added.push(Term::Recommended);
        }
        let chosen = MANAGED_IDENTIFIERS
            .iter()
            .filter(|row| added.iter().any(|t| t.holds(row)))
            .filter(|row| !removed.iter().any(|t| t.holds(row)))
            .collect();
        Ok(ManagedSelection::Only(chosen))
    }

    /// The identifiers selected, in table order.
    pub fn identifiers(&self) -> Vec<&'static ManagedIdentifier> {
        match self {
            ManagedSelection::None => Vec::new(),
            ManagedSelection::Recommended => MANAGED_IDENTIFIERS
                .iter()
                .filter(|m| m.recommended)
                .collect(),
            ManagedSelection::All => MANAGED_IDENTIFIERS.iter().collect(),
            ManagedSelection::Only(list) => list.clone(),
        }
    }
}

impl fmt::Display for ManagedSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManagedSelection::None => f.write_str("none"),
            ManagedSelection::Recommended => f.write_str("recommended"),
            ManagedSelection::All => f.write_str("all"),
            ManagedSelection::Only(list) => {
                let names: Vec<&str> = list.iter().map(|m| m.type_name).collect();
                f.write_str(&names.join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(selection: &ManagedSelection) -> Vec<&'static str> {
        selection
            .identifiers()
            .iter()
            .map(|m| m.type_name)
            .collect()
    }

    #[test]
    fn keywords_select_whole_sets() {
        assert_eq!(ManagedSelection::parse("none"), Ok(ManagedSelection::None));
        assert_eq!(ManagedSelection::parse("ALL"), Ok(ManagedSelection::All));
        assert_eq!(
            ManagedSelection::parse("recommended"),
            Ok(ManagedSelection::Recommended)
        );
        assert_eq!(ManagedSelection::default(), ManagedSelection::Recommended);
        let recommended = names(&ManagedSelection::Recommended);
        assert!(recommended.contains(&"CREDIT_CARD_NUMBER"));
        assert!(!recommended.contains(&"CREDIT_CARD_NUMBER_(NO_KEYWORD)"));
        assert!(!recommended.contains(&"FRANCE_SIRET_NUMBER"));
    }

    #[test]
    fn ids_categories_countries_and_exclusions_combine() {
        let selection =
            ManagedSelection::parse("country:FR,exclude:FRANCE_PHONE_NUMBER").expect("parses");
        let chosen = names(&selection);
        assert!(chosen.contains(&"FRANCE_BANK_ACCOUNT_NUMBER"));
        assert!(chosen.contains(&"FRANCE_SIRET_NUMBER"));
        assert!(!chosen.contains(&"FRANCE_PHONE_NUMBER"));
        assert!(!chosen.contains(&"GERMANY_BANK_ACCOUNT_NUMBER"));

        let credentials = ManagedSelection::parse("category:CREDENTIALS").expect("parses");
        assert!(credentials
            .identifiers()
            .iter()
            .all(|m| m.category == crate::Category::Credentials));

        let health = ManagedSelection::parse("category:phi,usa_passport_number").expect("ok");
        let chosen = names(&health);
        assert!(chosen.contains(&"UK_NHS_NUMBER"));
        assert!(chosen.contains(&"USA_PASSPORT_NUMBER"));
        assert!(!chosen.contains(&"UK_PASSPORT_NUMBER"));
    }

    #[test]
    fn exclusions_alone_start_from_the_recommended_set() {
        let selection = ManagedSelection::parse("exclude:CREDIT_CARD_NUMBER").expect("ok");
        let chosen = names(&selection);
        assert!(!chosen.contains(&"CREDIT_CARD_NUMBER"));
        assert!(chosen.contains(&"AWS_CREDENTIALS"));
        assert_eq!(
            chosen.len() + 1,
            ManagedSelection::Recommended.identifiers().len()
        );
    }

    #[test]
    fn unknown_terms_are_named() {
        for bad in ["PASSPORT", "category:secret", "country:ZZ", "exclude:NOPE"] {
            let error = ManagedSelection::parse(&format!("all,{bad}")).expect_err(bad);
            assert!(bad.ends_with(&error.name), "{bad}: {}", error.name);
        }
    }
}
