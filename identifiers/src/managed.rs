//! Managed (built-in) identifiers, kept as one table of data.
//!
//! Each row says what Macie's managed identifier of the same type name looks for: the
//! pattern, the structural or checksum check that turns a look-alike into a finding, and
//! the keywords that must be near a match for types whose pattern alone is too generic.

use std::fmt;

use crate::validators::Validator;
use crate::Category;

/// The check a managed identifier applies to a candidate's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A checksum validator (also usable from identifier files).
    Validator(Validator),
    /// A secret access key: 40 characters of base64 alphabet mixing upper case, lower
    /// case and digits, which rules out hex digests and plain words of the same length.
    AwsSecretKey,
}

impl Check {
    /// True when `text` passes.
    pub fn passes(self, text: &str) -> bool {
        match self {
            Check::Validator(validator) => validator.is_valid(text),
            Check::AwsSecretKey => is_aws_secret_key(text),
        }
    }
}

fn is_aws_secret_key(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 40
        && bytes.iter().any(u8::is_ascii_uppercase)
        && bytes.iter().any(u8::is_ascii_lowercase)
        && bytes.iter().any(u8::is_ascii_digit)
}

/// One managed identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedIdentifier {
    /// Macie's type name, e.g. `CREDIT_CARD_NUMBER`.
    pub type_name: &'static str,
    pub category: Category,
    /// The pattern, in Macie's dialect like custom identifiers.
    pub regex: &'static str,
    pub check: Option<Check>,
    /// Keywords required near a match; empty when none is required.
    pub keywords: &'static [&'static str],
    pub maximum_match_distance: u32,
    /// Case-sensitive substrings that mark documentation examples, never real data.
    pub ignore_words: &'static [&'static str],
}

/// AWS documents its example keys with `EXAMPLE` in them (`AKIAIOSFODNN7EXAMPLE`,
/// `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`); reporting those would flag every README.
const AWS_EXAMPLE_MARKERS: &[&str] = &["EXAMPLE"];

/// Every managed identifier ferret knows, in the order they are documented.
pub const MANAGED_IDENTIFIERS: &[ManagedIdentifier] = &[
    ManagedIdentifier {
        type_name: "AWS_ACCESS_KEY_ID",
        category: Category::Credentials,
        regex: r"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b",
        check: None,
        keywords: &[],
        maximum_match_distance: 50,
        ignore_words: AWS_EXAMPLE_MARKERS,
    },
    ManagedIdentifier {
        type_name: "AWS_CREDENTIALS",
        category: Category::Credentials,
        regex: r"[A-Za-z0-9/+]{40,}",
        check: Some(Check::AwsSecretKey),
        keywords: &[
            "aws_secret_access_key",
            "aws secret access key",
            "secret_access_key",
            "secret access key",
            "secretaccesskey",
            "aws_secret_key",
            "aws secret key",
            "secret_key",
        ],
        maximum_match_distance: 50,
        ignore_words: AWS_EXAMPLE_MARKERS,
    },
    ManagedIdentifier {
        type_name: "BRAZIL_CNPJ_NUMBER",
        category: Category::PersonalInformation,
        regex: r"\b\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}\b",
        check: Some(Check::Validator(Validator::BrazilCnpj)),
        keywords: &[],
        maximum_match_distance: 50,
        ignore_words: &[],
    },
    ManagedIdentifier {
        type_name: "BRAZIL_CPF_NUMBER",
        category: Category::PersonalInformation,
        regex: r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b",
        check: Some(Check::Validator(Validator::BrazilCpf)),
        keywords: &[],
        maximum_match_distance: 50,
        ignore_words: &[],
    },
    ManagedIdentifier {
        type_name: "CREDIT_CARD_NUMBER",
        category: Category::FinancialInformation,
        regex: r"\b(?:\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{4,5}|\d{13,19})\b",
        check: Some(Check::Validator(Validator::CreditCard)),
        keywords: &[],
        maximum_match_distance: 50,
        ignore_words: &[],
    },
    ManagedIdentifier {
        type_name: "EMAIL_ADDRESS",
        category: Category::PersonalInformation,
        regex: r"\b[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b",
        check: None,
        keywords: &[],
        maximum_match_distance: 50,
        ignore_words: &[],
    },
    ManagedIdentifier {
        type_name: "FRANCE_NATIONAL_IDENTIFICATION_NUMBER",
        category: Category::PersonalInformation,
        regex: r"\b[1-478] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b",
        check: Some(Check::Validator(Validator::FranceNir)),
        keywords: &[],
        maximum_match_distance: 50,
        ignore_words: &[],
    },
    ManagedIdentifier {
        type_name: "FRANCE_SIREN_NUMBER",
        category: Category::PersonalInformation,
        regex: r"\b\d{3}[ .]?\d{3}[ .]?\d{3}\b",
        check: Some(Check::Validator(Validator::FranceSiren)),
        // Nine digits pass Luhn one time in ten, so phone numbers and row ids would
        // drown real findings without a keyword.
        keywords: &["siren", "sirene", "numéro siren", "n° siren"],
        maximum_match_distance: 50,
        ignore_words: &[],
    },
    ManagedIdentifier {
        type_name: "FRANCE_SIRET_NUMBER",
        category: Category::PersonalInformation,
        regex: r"\b\d{3}[ .]?\d{3}[ .]?\d{3}[ .-]?\d{5}\b",
        check: Some(Check::Validator(Validator::FranceSiret)),
        keywords: &[],
        maximum_match_distance: 50,
        ignore_words: &[],
    },
    ManagedIdentifier {
        type_name: "IBAN",
        category: Category::FinancialInformation,
        regex: r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",
        check: Some(Check::Validator(Validator::Iban)),
        keywords: &[],
        maximum_match_distance: 50,
        ignore_words: &[],
    },
    ManagedIdentifier {
        type_name: "PRIVATE_KEY",
        category: Category::Credentials,
        regex: r"-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----",
        check: None,
        keywords: &[],
        maximum_match_distance: 50,
        ignore_words: &[],
    },
    ManagedIdentifier {
        type_name: "USA_SOCIAL_SECURITY_NUMBER",
        category: Category::PersonalInformation,
        regex: r"\b\d{3}[ -]?\d{2}[ -]?\d{4}\b",
        check: Some(Check::Validator(Validator::UsaSsn)),
        keywords: &[
            "ssn",
            "ss#",
            "social security",
            "soc sec",
            "sociale security",
        ],
        maximum_match_distance: 50,
        ignore_words: &[],
    },
];

/// Which managed identifiers a scan uses (`--managed none|all|NAME,...`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ManagedSelection {
    None,
    #[default]
    All,
    Only(Vec<&'static ManagedIdentifier>),
}

/// A `--managed` value naming a type ferret does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown managed identifier `{name}` (expected none, all, or a comma-separated list of: {known})")]
pub struct UnknownManaged {
    pub name: String,
    pub known: String,
}

impl ManagedSelection {
    /// Parses `none`, `all` or a comma-separated list of type names (case-insensitive).
    pub fn parse(text: &str) -> Result<ManagedSelection, UnknownManaged> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" | "" => return Ok(ManagedSelection::None),
            "all" => return Ok(ManagedSelection::All),
            _ => {}
        }
        let mut chosen: Vec<&'static ManagedIdentifier> = Vec::new();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let found = lookup(name).ok_or_else(|| UnknownManaged {
                name: name.to_owned(),
                known: MANAGED_IDENTIFIERS
                    .iter()
                    .map(|m| m.type_name)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            if !chosen.contains(&found) {
                chosen.push(found);
            }
        }
        Ok(ManagedSelection::Only(chosen))
    }

    /// The identifiers selected, in table order for `All`.
    pub fn identifiers(&self) -> Vec<&'static ManagedIdentifier> {
        match self {
            ManagedSelection::None => Vec::new(),
            ManagedSelection::All => MANAGED_IDENTIFIERS.iter().collect(),
            ManagedSelection::Only(list) => list.clone(),
        }
    }
}

impl fmt::Display for ManagedSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManagedSelection::None => f.write_str("none"),
            ManagedSelection::All => f.write_str("all"),
            ManagedSelection::Only(list) => {
                let names: Vec<&str> = list.iter().map(|m| m.type_name).collect();
                f.write_str(&names.join(","))
            }
        }
    }
}

/// Finds a managed identifier by type name, ignoring case.
pub fn lookup(name: &str) -> Option<&'static ManagedIdentifier> {
    MANAGED_IDENTIFIERS
        .iter()
        .find(|m| m.type_name.eq_ignore_ascii_case(name))
}
