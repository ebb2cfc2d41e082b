//! ferret's validators against an independent implementation, python-stdnum.
//!
//! `validators_stdnum.py` generates, with a fixed seed, valid numbers for each
//! validator stdnum also implements and one-edit near misses of them (two
//! substitutions of a character by another of its kind, one transposition of
//! neighbours), each with stdnum's verdict, adjusted where ferret's rule is
//! knowingly stricter or more lenient (the script says where and why). This
//! test asserts that ferret agrees on every case.
//!
//! It runs the script with the project's Python: `FERRET_MOTO_PYTHON` if set,
//! else `.venv/bin/python`, which `scripts/setup-test-env` creates with the
//! pinned python-stdnum. Without it the test fails, naming the fix; it never
//! skips.
//!
//! Validators stdnum lacks (`uk_nino`, `australia_medicare`, `usa_dea`,
//! `usa_npi`, `usa_mbi`, `vin`, `vin_structure`, `spain_nuss`, `credit_card`, `france_rib`,
//! `germany_id_card`, `singapore_nric`, `hong_kong_hkid`,
//! `taiwan_national_id`, `hungary_taj`, `hungary_tax_id`) are tested on their specifications' published
//! examples in their modules' unit tests.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use ferret_identifiers::Validator;

/// The fewest valid numbers and near misses expected per validator, so that
/// a script that stopped generating cannot pass unnoticed.
const MIN_VALID: usize = 40;
const MIN_INVALID: usize = 15;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the identifiers crate sits in the workspace")
        .to_path_buf()
}

fn python() -> PathBuf {
    std::env::var_os("FERRET_MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin/python"))
}

/// Runs the generator and returns its cases: (validator name, value, valid).
fn cases() -> Vec<(String, String, bool)> {
    let python = python();
    assert!(
        python.exists(),
        "Python not found at {}: run scripts/setup-test-env first",
        python.display()
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/validators_stdnum.py");
    let output = Command::new(&python)
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "{} failed (is python-stdnum installed? run scripts/setup-test-env): {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("the script prints UTF-8");
    stdout
        .lines()
        .map(|line| {
            let fields: Vec<_> = line.split('\t').collect();
            let [name, value, verdict] = fields[..] else {
                panic!("malformed line {line:?}");
            };
            let valid = match verdict {
                "1" => true,
                "0" => false,
                other => panic!("malformed verdict {other:?} in {line:?}"),
            };
            (name.to_owned(), value.to_owned(), valid)
        })
        .collect()
}

#[test]
fn every_validator_agrees_with_python_stdnum_on_valid_numbers_and_near_misses() {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for (name, value, expected) in cases() {
        let validator = Validator::from_file_name(&name)
            .unwrap_or_else(|| panic!("the script names an unknown validator {name:?}"));
        let count = counts.entry(name.clone()).or_default();
        if expected {
            count.0 += 1;
        } else {
            count.1 += 1;
        }
        if validator.is_valid(&value) != expected {
            disagreements.push(format!("{name} {value:?}: stdnum says {expected}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements with python-stdnum:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    for (name, &(valid, invalid)) in &counts {
        assert!(valid >= MIN_VALID, "{name}: only {valid} valid cases");
        assert!(
            invalid >= MIN_INVALID,
            "{name}: only {invalid} invalid cases"
        );
    }
    // Every validator is covered here or named above as tested on
    // published examples instead.
    let vectors_only = [
        "uk_nino",
        "australia_medicare",
        "usa_dea",
        "usa_npi",
        "usa_mbi",
        "vin",
        "vin_structure",
        "spain_nuss",
        "credit_card",
        "france_rib",
        "germany_id_card",
        "singapore_nric",
        "hong_kong_hkid",
        "taiwan_national_id",
        "hungary_taj",
        "hungary_tax_id",
    ];
    for &(name, _) in Validator::FILE_NAMES {
        assert!(
            counts.contains_key(name) || vectors_only.contains(&name),
            "{name} is neither compared with stdnum nor listed as tested on published examples"
        );
    }
}
