//! Bank account numbers in their domestic form (BBAN), which Macie reports for France,
//! Germany, Italy, Spain and the UK under the same `<COUNTRY>_BANK_ACCOUNT_NUMBER` as
//! the country's IBANs, and the US/Canadian `BANK_ACCOUNT_NUMBER`.
//!
//! The BBANs and their one-edit near misses come from `testdata/bban-cases.tsv`, which
//! `make-bban-cases.py` makes and judges with schwifty and python-stdnum, independently
//! of ferret's validators. Each valid BBAN is placed after every keyword of its type,
//! under a column named by one, and alone; each near miss after a keyword.

use ferret_identifiers::managed::{lookup, ManagedIdentifier};
use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection, UnitContext};

const CASES: &str = include_str!("../testdata/bban-cases.tsv");

struct Case {
    type_name: &'static str,
    value: &'static str,
    iban: &'static str,
    valid: bool,
    note: &'static str,
}

fn cases() -> Vec<Case> {
    CASES
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 5, "{line}");
            Case {
                type_name: fields[0],
                value: fields[1],
                iban: fields[2],
                valid: fields[3] == "valid",
                note: fields[4],
            }
        })
        .collect()
}

fn only(type_name: &str) -> IdentifierSet {
    let selection = ManagedSelection::parse(type_name).expect("known type");
    IdentifierSet::new(&IdentifierFile::default(), &selection).expect("builds")
}

fn row(type_name: &str) -> &'static ManagedIdentifier {
    lookup(type_name).expect("in the catalogue")
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
fn the_cases_cover_every_type_with_a_domestic_form() {
    let cases = cases();
    for type_name in [
        "FRANCE_BANK_ACCOUNT_NUMBER",
        "GERMANY_BANK_ACCOUNT_NUMBER",
        "ITALY_BANK_ACCOUNT_NUMBER",
        "SPAIN_BANK_ACCOUNT_NUMBER",
        "UK_BANK_ACCOUNT_NUMBER",
    ] {
        assert!(row(type_name).domestic().is_some(), "{type_name}");
        let of_type = |valid: bool| {
            cases
                .iter()
                .filter(|c| c.type_name == type_name && c.valid == valid)
                .count()
        };
        assert!(of_type(true) >= 8 && of_type(false) >= 6, "{type_name}");
    }
}

#[test]
fn a_bban_is_reported_after_each_of_its_keywords() {
    let mut failures = Vec::new();
    for case in cases().iter().filter(|c| c.valid) {
        let set = only(case.type_name);
        let keywords = row(case.type_name)
            .domestic()
            .expect("domestic form")
            .keywords;
        for keyword in keywords {
            let unit = format!("{keyword}: {}", case.value);
            if kept_in(&set, &unit, UnitContext::None) != [case.value] {
                failures.push(format!("{}: {unit:?}", case.type_name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_bban_is_reported_under_a_keyword_column_or_json_key() {
    let mut failures = Vec::new();
    for case in cases().iter().filter(|c| c.valid) {
        let set = only(case.type_name);
        let column = "Account Number";
        if kept_in(&set, case.value, UnitContext::Column(column)) != [case.value] {
            failures.push(format!(
                "{}: {:?} under {column:?}",
                case.type_name, case.value
            ));
        }
        let keys = vec!["supplier".to_owned(), "bban".to_owned()];
        if kept_in(&set, case.value, UnitContext::JsonKeys(&keys)) != [case.value] {
            failures.push(format!(
                "{}: {:?} under {keys:?}",
                case.type_name, case.value
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Without a keyword a BBAN is a bare run of digits, as order and tracking numbers are:
/// not reported. Its IBAN, which announces itself, is.
#[test]
fn a_bban_alone_is_not_reported_but_its_iban_is() {
    let mut failures = Vec::new();
    for case in cases().iter().filter(|c| c.valid) {
        let set = only(case.type_name);
        let alone = format!("ref {} ok", case.value);
        let kept = kept_in(&set, &alone, UnitContext::None);
        if !kept.is_empty() {
            failures.push(format!("{}: {alone:?} gave {kept:?}", case.type_name));
        }
        let column = "tracking_number";
        let kept = kept_in(&set, case.value, UnitContext::Column(column));
        if !kept.is_empty() {
            failures.push(format!(
                "{}: {:?} under {column}",
                case.type_name, case.value
            ));
        }
        let unit = format!("virement {} merci", case.iban);
        if kept_in(&set, &unit, UnitContext::None) != [case.iban] {
            failures.push(format!("{}: {unit:?}", case.type_name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An IBAN printed in groups of four holds its BBAN in groups of four: with an account
/// keyword in front, the account is still one occurrence, the IBAN.
#[test]
fn an_iban_after_a_keyword_is_one_occurrence_not_two() {
    for case in cases().iter().filter(|c| c.valid) {
        let set = only(case.type_name);
        let unit = format!("account number: {}", case.iban);
        assert_eq!(
            kept_in(&set, &unit, UnitContext::None),
            [case.iban],
            "{}",
            case.type_name
        );
    }
}

#[test]
fn a_near_miss_is_not_reported_even_after_a_keyword() {
    let mut failures = Vec::new();
    for case in cases().iter().filter(|c| !c.valid) {
        let set = only(case.type_name);
        for unit in [
            format!("account number: {}", case.value),
            format!("bban {}", case.value),
        ] {
            let kept = kept_in(&set, &unit, UnitContext::None);
            if !kept.is_empty() {
                failures.push(format!(
                    "{} ({}): {unit:?} gave {kept:?}",
                    case.type_name, case.note
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// With the whole catalogue, a BBAN after its keyword is reported under its country's
/// type only.
#[test]
fn with_the_whole_catalogue_a_bban_is_its_country_s() {
    let set =
        IdentifierSet::new(&IdentifierFile::default(), &ManagedSelection::All).expect("builds");
    let mut failures = Vec::new();
    for case in cases().iter().filter(|c| c.valid) {
        let unit = format!("bban {}", case.value);
        let mut types = Vec::new();
        set.scan(unit.as_bytes(), UnitContext::None, |c| {
            if c.is_kept() {
                types.push(set.detector(c.detector).name().to_owned());
            }
        });
        if types != [case.type_name] {
            failures.push(format!("{unit:?} gave {types:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Macie's `BANK_ACCOUNT_NUMBER` (Canada, US): 9 to 17 digits without spaces, after one
/// of its own keywords (`bank account`, `checking account`, `chequing acct`, ...).
#[test]
fn us_and_canadian_account_numbers_take_9_to_17_digits_after_their_keywords() {
    let set = only("BANK_ACCOUNT_NUMBER");
    for unit in [
        "checking account 123456789",
        "Chequing acct: 12345678901234567",
        "savings_account=000123456789",
    ] {
        assert_eq!(kept_in(&set, unit, UnitContext::None).len(), 1, "{unit}");
    }
    for unit in [
        "checking account 12345678",
        "checking account 123456789012345678",
        "checking account 1234 5678 9",
        "ref 123456789",
        // Not one of Macie's keywords for this type.
        "invoice number 123456789",
    ] {
        assert!(kept_in(&set, unit, UnitContext::None).is_empty(), "{unit}");
    }
}
