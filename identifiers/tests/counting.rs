//! `IdentifierSet::count_kept` (what cell and JSON readers use) against the candidates
//! of `scan_masked` it stands for: the same kept count per detector, on every set shape
//! (identifiers whose matches are only counted, ones whose keyword the context holds,
//! with and without rules that need the matched text, allow lists, patterns that may
//! match the empty string).

use std::collections::BTreeMap;
use std::path::Path;

use ferret_identifiers::{
    DetectorId, IdentifierFile, IdentifierSet, ManagedSelection, Narrowing, UnitContext,
};

const CUSTOM: &str = r#"
[[identifier]]
name = "SIRET-NIC"
regex = '\b(\d{3}\s?){2}\d{3}\-\d{5}\b'
keywords = ["siret"]
maximum_match_distance = 20
# The units are judged in a `siret` column, which satisfies the keyword rule: the
# ignore word is then the rule that decides.
ignore_words = ["123 456 789-12345"]

[[identifier]]
name = "ab"
regex = 'ab|abab'

[[identifier]]
name = "three digits"
regex = '\d{3}'

[[identifier]]
name = "whole number"
regex = '^\d+$'

[[identifier]]
name = "maybe digits"
regex = 'x\d*'

[[identifier]]
name = "prototype"
regex = '\bP\-[A-Z]{2}\d{4}\b'
ignore_words = ["P-AA0000"]
"#;

const ALLOW: &str = r#"
[[allow_list]]
name = "examples"
regex = '.*@example\.org'
"#;

fn set(toml: &str) -> IdentifierSet {
    let file = IdentifierFile::parse(Path::new("test.toml"), toml).expect("identifiers load");
    IdentifierSet::new(&file, &ManagedSelection::All).expect("set builds")
}

fn expected(set: &IdentifierSet, unit: &[u8], mask: &Narrowing) -> BTreeMap<usize, u64> {
    let mut kept = BTreeMap::new();
    set.scan_masked(unit, UnitContext::Column("siret"), mask, |c| {
        if c.is_kept() {
            *kept.entry(c.detector.0).or_insert(0) += 1;
        }
    });
    kept
}

fn counted(set: &IdentifierSet, unit: &[u8], mask: &Narrowing) -> BTreeMap<usize, u64> {
    let mut kept = BTreeMap::new();
    set.count_kept(unit, UnitContext::Column("siret"), mask, |detector, n| {
        assert!(n > 0, "only detectors with kept matches are reported");
        assert!(kept.insert(detector.0, n).is_none(), "each detector once");
    });
    kept
}

#[test]
fn counts_equal_the_kept_candidates() {
    let pieces: &[&[u8]] = &[
        b"ana.lima@example.fr",
        b"a@b.org",
        b"x@example.org",
        b"123 456 789-12345",
        b"123.456.789-09",
        b"P-AB1234",
        b"P-AA0000",
        b"ababab",
        b"x12",
        b"x",
        b"4111 1111 1111 1111",
        b"AKIAIOSFODNN7EXAMPLE",
        b"FR76 3000 6000 0112 3456 7890 189",
        b"123-45-6789",
        b"12345678",
        b" ",
        b".",
        b"-",
        b"\n",
        b"caf\xc3\xa9",
        b"\xff",
    ];
    let mut rng = fastrand::Rng::with_seed(5);
    for toml in [CUSTOM.to_owned(), format!("{CUSTOM}{ALLOW}")] {
        let set = set(&toml);
        let mask = Narrowing::all(&set);
        for _ in 0..3000 {
            let mut unit = Vec::new();
            for _ in 0..rng.usize(1..=16) {
                unit.extend_from_slice(pieces[rng.usize(..pieces.len())]);
            }
            assert_eq!(
                counted(&set, &unit, &mask),
                expected(&set, &unit, &mask),
                "{:?}",
                String::from_utf8_lossy(&unit)
            );
        }
    }
}

#[test]
fn only_masked_detectors_are_counted() {
    let set = set(CUSTOM);
    let mask = Narrowing::of(&set, [DetectorId(2)]);
    let unit = b"123456 ababab";
    assert_eq!(counted(&set, unit, &mask), BTreeMap::from([(2, 2)]));
}
