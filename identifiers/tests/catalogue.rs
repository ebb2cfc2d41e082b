//! Every managed identifier of the catalogue, exercised: one value it must report (after
//! a keyword where it requires one) and one near miss it must not (no keyword, a wrong
//! check digit, a published example, a broken format), from `testdata/managed-cases.tsv`.
//! The values there come from `make-managed-cases.py`, which makes or checks them with
//! python-stdnum, independently of ferret's validators.

use std::collections::HashMap;

use ferret_identifiers::managed::{Keywords, MANAGED_IDENTIFIERS};
use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection, UnitContext};

const CASES: &str = include_str!("../testdata/managed-cases.tsv");

struct Case {
    positive: String,
    expected: String,
    negative: String,
}

fn cases() -> HashMap<&'static str, Case> {
    let unescape = |s: &str| s.replace("\\n", "\n");
    CASES
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "{line}");
            (
                fields[0],
                Case {
                    positive: unescape(fields[1]),
                    expected: unescape(fields[2]),
                    negative: unescape(fields[3]),
                },
            )
        })
        .collect()
}

fn only(type_name: &str) -> IdentifierSet {
    let selection = ManagedSelection::parse(type_name).expect("known type");
    IdentifierSet::new(&IdentifierFile::default(), &selection).expect("builds")
}

fn kept_in(set: &IdentifierSet, unit: &str, context: UnitContext<'_>) -> Vec<String> {
    let mut out = Vec::new();
    set.scan(unit.as_bytes(), context, |c| {
        if c.is_kept() {
            out.push(unit[c.span.clone()].to_owned());
        }
    });
    out
}

#[test]
fn every_identifier_has_a_case_and_every_case_an_identifier() {
    let cases = cases();
    for row in MANAGED_IDENTIFIERS {
        assert!(
            cases.contains_key(row.type_name),
            "no case for {}",
            row.type_name
        );
    }
    for name in cases.keys() {
        assert!(
            MANAGED_IDENTIFIERS.iter().any(|row| row.type_name == *name),
            "case for unknown {name}"
        );
    }
}

#[test]
fn every_identifier_reports_its_value_and_not_its_near_miss() {
    let cases = cases();
    let mut failures = Vec::new();
    for row in MANAGED_IDENTIFIERS {
        let case = &cases[row.type_name];
        let set = only(row.type_name);
        let kept = kept_in(&set, &case.positive, UnitContext::None);
        if kept != [case.expected.clone()] {
            failures.push(format!(
                "{}: {:?} gave {kept:?}",
                row.type_name, case.positive
            ));
        }
        let kept = kept_in(&set, &case.negative, UnitContext::None);
        if !kept.is_empty() {
            failures.push(format!(
                "{}: near miss {:?} gave {kept:?}",
                row.type_name, case.negative
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A required keyword may also be the column's name, in any of its spellings; alone,
/// the value is not reported.
#[test]
fn required_keywords_work_from_the_column_name_and_in_every_spelling() {
    let cases = cases();
    let mut failures = Vec::new();
    for row in MANAGED_IDENTIFIERS {
        let Keywords::Required(words) = row.keywords else {
            continue;
        };
        let value = &cases[row.type_name].expected;
        let set = only(row.type_name);
        if !kept_in(&set, value, UnitContext::None).is_empty() {
            failures.push(format!("{}: {value:?} kept without keyword", row.type_name));
        }
        for word in words.iter().take(3) {
            let column = format!("customer {}", word.replace(' ', "_"));
            if kept_in(&set, value, UnitContext::Column(&column)) != [value.clone()] {
                failures.push(format!(
                    "{}: {value:?} under column {column:?}",
                    row.type_name
                ));
            }
            let keys = vec!["record".to_owned(), word.replace(' ', "-").to_uppercase()];
            if kept_in(&set, value, UnitContext::JsonKeys(&keys)) != [value.clone()] {
                failures.push(format!("{}: {value:?} under keys {keys:?}", row.type_name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Macie's distance for managed identifiers: the keyword ends at most 30 characters
/// before the match starts, however long the match.
#[test]
fn a_keyword_counts_up_to_30_characters_before_the_match() {
    let set = only("USA_PASSPORT_NUMBER");
    let at = |gap: usize| format!("passport{}C12345678", " ".repeat(gap));
    assert_eq!(kept_in(&set, &at(30), UnitContext::None), ["C12345678"]);
    assert!(kept_in(&set, &at(31), UnitContext::None).is_empty());
    // Characters, not bytes.
    let accented = format!("passport {}C12345678", "é".repeat(29));
    assert_eq!(kept_in(&set, &accented, UnitContext::None), ["C12345678"]);
    // A keyword after the match does not count.
    assert!(kept_in(&set, "C12345678 passport", UnitContext::None).is_empty());
}

#[test]
fn a_keyword_with_a_space_matches_its_joined_spellings() {
    let set = only("DATE_OF_BIRTH");
    for keyword in [
        "date of birth",
        "date_of_birth",
        "date-of-birth",
        "DateOfBirth",
    ] {
        assert_eq!(
            kept_in(&set, &format!("{keyword}: 1984-12-07"), UnitContext::None),
            ["1984-12-07"],
            "{keyword}"
        );
    }
}

/// Macie matches common variations of a keyword: its plural counts as the keyword, and
/// the 30 characters are counted from the plural's end. A keyword inside another word
/// still does not count.
#[test]
fn a_keyword_s_plural_counts_but_not_a_longer_word() {
    let passport = only("USA_PASSPORT_NUMBER");
    for unit in ["passports: C12345678", "PASSPORTS C12345678"] {
        assert_eq!(
            kept_in(&passport, unit, UnitContext::None),
            ["C12345678"],
            "{unit}"
        );
    }
    let at = |gap: usize| format!("passports{}C12345678", " ".repeat(gap));
    assert_eq!(
        kept_in(&passport, &at(30), UnitContext::None),
        ["C12345678"]
    );
    assert!(kept_in(&passport, &at(31), UnitContext::None).is_empty());
    for unit in ["passporting C12345678", "passportss C12345678"] {
        assert!(
            kept_in(&passport, unit, UnitContext::None).is_empty(),
            "{unit}"
        );
    }

    let phone = only("PHONE_NUMBER");
    for unit in ["faxes: (206) 555-0123", "tels (206) 555-0123"] {
        assert_eq!(
            kept_in(&phone, unit, UnitContext::None),
            ["(206) 555-0123"],
            "{unit}"
        );
    }
    for unit in [
        "hotel (206) 555-0123",
        "hotels (206) 555-0123",
        "telex (206) 555-0123",
    ] {
        assert!(
            kept_in(&phone, unit, UnitContext::None).is_empty(),
            "{unit}"
        );
    }
}

/// Cards near a keyword are `CREDIT_CARD_NUMBER`, the others
/// `CREDIT_CARD_NUMBER_(NO_KEYWORD)`: with both selected, a card is reported once.
#[test]
fn each_card_is_reported_under_exactly_one_card_type() {
    let set = IdentifierSet::new(
        &IdentifierFile::default(),
        &ManagedSelection::parse("CREDIT_CARD_NUMBER,CREDIT_CARD_NUMBER_(NO_KEYWORD)")
            .expect("parses"),
    )
    .expect("builds");
    let kept_names = |unit: &str| {
        let mut names = Vec::new();
        set.scan(unit.as_bytes(), UnitContext::None, |c| {
            if c.is_kept() {
                names.push(set.detector(c.detector).name().to_owned());
            }
        });
        names
    };
    assert_eq!(
        kept_names("mastercard 4539 1488 0343 6467"),
        ["CREDIT_CARD_NUMBER"]
    );
    assert_eq!(
        kept_names("order 4539148803436467"),
        ["CREDIT_CARD_NUMBER_(NO_KEYWORD)"]
    );
}

/// The issuers' published test cards are never reported, with or without keyword.
#[test]
fn issuer_test_cards_are_never_reported() {
    let set =
        IdentifierSet::new(&IdentifierFile::default(), &ManagedSelection::All).expect("builds");
    for unit in [
        "credit card 5555 5555 5555 4444",
        "5555555555554444",
        "visa 4111-1111-1111-1111",
        "amex 378282246310005",
    ] {
        let mut kept = Vec::new();
        set.scan(unit.as_bytes(), UnitContext::None, |c| {
            if c.is_kept() {
                kept.push(set.detector(c.detector).name().to_owned());
            }
        });
        assert!(
            !kept
                .iter()
                .any(|name| name.starts_with("CREDIT_CARD_NUMBER")),
            "{unit}: {kept:?}"
        );
    }
}

/// The cases a new user tries first, with third-party values.
#[test]
fn third_party_cases_behave_as_macie_documents() {
    // An issuer's test card is never reported (see above); an alphanumeric CNPJ (Receita
    // Federal's published example, valid from July 2026) is.
    assert_eq!(
        kept_in(
            &only("BRAZIL_CNPJ_NUMBER"),
            "CNPJ 12.ABC.345/01DE-35",
            UnitContext::None
        ),
        ["12.ABC.345/01DE-35"]
    );
    // IBANs whose mod 97 holds but whose BBAN breaks the country's structure in SWIFT's
    // registry (made with python-stdnum's calc_check_digits): a letter in the French
    // bank code, which is five digits; a letter in the UK account number, eight digits.
    for (type_name, number) in [
        ("FRANCE_BANK_ACCOUNT_NUMBER", "FR223000A600001123456789018"),
        ("UK_BANK_ACCOUNT_NUMBER", "GB59WEST1234569876543Z"),
    ] {
        assert!(
            kept_in(
                &only(type_name),
                &format!("IBAN {number}"),
                UnitContext::None
            )
            .is_empty(),
            "{number}"
        );
    }
}
