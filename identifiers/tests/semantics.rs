//! The matching rules of docs/identifiers.md, rule by rule, through the public API an analyst's file goes through.

use std::path::Path;

use ferret_identifiers::{
    Candidate, IdentifierFile, IdentifierSet, KeywordSource, ManagedSelection, Rejection,
    UnitContext, Verdict,
};

fn set(toml: &str) -> IdentifierSet {
    let file = IdentifierFile::parse(Path::new("test.toml"), toml)
        .unwrap_or_else(|e| panic!("test identifiers must load: {e}"));
    IdentifierSet::new(&file, &ManagedSelection::None).expect("set builds")
}

/// (matched text, kept?, rejection code) for every candidate, in order.
fn run(
    set: &IdentifierSet,
    unit: &str,
    context: UnitContext<'_>,
) -> Vec<(String, Result<(), &'static str>)> {
    let mut out = Vec::new();
    set.scan(unit.as_bytes(), context, |c: Candidate<'_, '_>| {
        let text = unit[c.span.clone()].to_owned();
        let verdict = match c.verdict {
            Verdict::Kept(_) => Ok(()),
            Verdict::Rejected(r) => Err(r.code()),
        };
        out.push((text, verdict));
    });
    out
}

fn kept(set: &IdentifierSet, unit: &str, context: UnitContext<'_>) -> Vec<String> {
    run(set, unit, context)
        .into_iter()
        .filter(|(_, v)| v.is_ok())
        .map(|(t, _)| t)
        .collect()
}

const SIRET: &str = r#"
[[identifier]]
name = "SIRET-NIC"
regex = '\b(\d{3}\s?){2}\d{3}\-\d{5}\b'
keywords = ["siret", "avril 2020"]
ignore_words = ["12345789-12345", "000000000-00000"]
maximum_match_distance = 20
"#;

// ---- rule 1: leftmost-first, non-overlapping, no empty matches ------------------------

#[test]
fn matches_are_leftmost_first_and_non_overlapping() {
    let s = set("[[identifier]]\nname = \"ab\"\nregex = 'ab|abab'\n");
    assert_eq!(kept(&s, "ababab", UnitContext::None), ["ab", "ab", "ab"]);
    let s = set("[[identifier]]\nname = \"digits\"\nregex = '\\d{3}'\n");
    assert_eq!(kept(&s, "12345678", UnitContext::None), ["123", "456"]);
}

#[test]
fn empty_matches_are_dropped() {
    let s = set("[[identifier]]\nname = \"maybe\"\nregex = 'x*'\n");
    assert_eq!(kept(&s, "aaxxa", UnitContext::None), ["xx"]);
    assert!(kept(&s, "aaa", UnitContext::None).is_empty());
}

#[test]
fn identifiers_match_independently_of_each_other() {
    let s = set("[[identifier]]\nname = \"long\"\nregex = '\\d{6}'\n\
         [[identifier]]\nname = \"short\"\nregex = '\\d{3}'\n");
    assert_eq!(
        kept(&s, "123456", UnitContext::None),
        ["123456", "123", "456"]
    );
}

#[test]
fn classes_are_ascii_and_case_sensitive_unless_asked() {
    let s = set("[[identifier]]\nname = \"d\"\nregex = '\\b\\d{3}\\b'\n");
    assert!(
        kept(&s, "١٢٣", UnitContext::None).is_empty(),
        "Arabic-Indic digits are not \\d"
    );
    assert_eq!(
        kept(&s, "é123é", UnitContext::None),
        ["123"],
        "é is not a word character"
    );
    let s = set("[[identifier]]\nname = \"p\"\nregex = '\\bP\\-[A-Z]{2}\\d{4}\\b'\n");
    assert!(kept(&s, "p-ab1234", UnitContext::None).is_empty());
    let s = set("[[identifier]]\nname = \"p\"\nregex = '(?i)\\bP\\-[A-Z]{2}\\d{4}\\b'\n");
    assert_eq!(kept(&s, "p-ab1234", UnitContext::None), ["p-ab1234"]);
}

#[test]
fn prototype_pattern_of_the_walkthrough() {
    let s = set("[[identifier]]\nname = \"p\"\nregex = '\\bP\\-[A-Z]{2}\\d{4}\\b'\n");
    let unit = "P-AB1234 and STEP-AB123456 and P-XY123";
    assert_eq!(kept(&s, unit, UnitContext::None), ["P-AB1234"]);
}

#[test]
fn anchors_mean_the_ends_of_the_unit() {
    let s = set("[[identifier]]\nname = \"a\"\nregex = '^ID\\d+$'\n");
    assert_eq!(kept(&s, "ID42", UnitContext::None), ["ID42"]);
    assert!(kept(&s, "x\nID42\ny", UnitContext::None).is_empty());
}

#[test]
fn a_match_may_cross_lines_in_text() {
    let s = set(SIRET);
    let unit = "siret 123 456\n789-00012";
    assert_eq!(kept(&s, unit, UnitContext::None), ["123 456\n789-00012"]);
}

// ---- rule 2: ignore words ---------------------------------------------------------------

#[test]
fn ignore_word_as_substring_drops_the_match() {
    let s = set(SIRET);
    let unit = "siret 000000000-00000";
    assert_eq!(
        run(&s, unit, UnitContext::None),
        [("000000000-00000".to_owned(), Err("ignore_word"))]
    );
    let s =
        set("[[identifier]]\nname = \"code\"\nregex = '[A-Z]+-\\d+'\nignore_words = [\"TEST\"]\n");
    assert_eq!(run(&s, "XTESTX-1 PROD-2", UnitContext::None).len(), 2);
    assert_eq!(kept(&s, "XTESTX-1 PROD-2", UnitContext::None), ["PROD-2"]);
}

#[test]
fn ignore_words_are_case_sensitive() {
    let s = set(
        "[[identifier]]\nname = \"code\"\nregex = '[A-Za-z]+-\\d+'\nignore_words = [\"TEST\"]\n",
    );
    assert_eq!(kept(&s, "test-1 TEST-2", UnitContext::None), ["test-1"]);
}

#[test]
fn ignore_word_outside_the_match_does_not_count() {
    let s = set("[[identifier]]\nname = \"code\"\nregex = 'C-\\d+'\nignore_words = [\"TEST\"]\n");
    assert_eq!(kept(&s, "TEST C-1", UnitContext::None), ["C-1"]);
}

// ---- rule 3: validators -----------------------------------------------------------------

#[test]
fn validator_drops_matches_that_fail_the_checksum() {
    let s = set(
        "[[identifier]]\nname = \"CPF\"\nregex = '\\b(\\d{3}\\.){2}\\d{3}\\-\\d{2}\\b'\nvalidator = \"brazil_cpf\"\n",
    );
    let out = run(&s, "529.982.247-25 529.982.247-24", UnitContext::None);
    assert_eq!(out[0], ("529.982.247-25".to_owned(), Ok(())));
    assert_eq!(out[1], ("529.982.247-24".to_owned(), Err("checksum")));
}

#[test]
fn validator_ignores_separators() {
    let s = set("[[identifier]]\nname = \"card\"\nregex = '[\\d /.-]{19}'\nvalidator = \"luhn\"\n");
    assert_eq!(
        kept(&s, "4111 1111-1111.1111", UnitContext::None),
        ["4111 1111-1111.1111"]
    );
}

#[test]
fn ignore_words_are_checked_before_validators() {
    let s = set(
        "[[identifier]]\nname = \"CPF\"\nregex = '\\b(\\d{3}\\.){2}\\d{3}\\-\\d{2}\\b'\n\
         validator = \"brazil_cpf\"\nignore_words = [\"111.111\"]\n",
    );
    assert_eq!(
        run(&s, "111.111.111-11", UnitContext::None)[0].1,
        Err("ignore_word")
    );
}

// ---- rule 4: allow lists ----------------------------------------------------------------

#[test]
fn allow_list_words_match_the_whole_text_case_insensitively() {
    let s = set(
        "[[identifier]]\nname = \"p\"\nregex = '(?i)\\bP-[A-Z]{2}\\d{4}\\b'\n\
         [[allow_list]]\nname = \"public\"\nwords = [\"P-AA0000\"]\n",
    );
    let out = run(&s, "p-aa0000 P-AA00001 P-AB1234", UnitContext::None);
    assert_eq!(out[0], ("p-aa0000".to_owned(), Err("allow_list")));
    assert_eq!(
        kept(&s, "p-aa0000 P-AB1234", UnitContext::None),
        ["P-AB1234"]
    );
}

#[test]
fn allow_list_regex_must_match_the_whole_text() {
    let s = set("[[identifier]]\nname = \"id\"\nregex = '\\bID-\\d+\\b'\n\
         [[allow_list]]\nname = \"test ids\"\nregex = 'ID-9+'\n");
    assert_eq!(
        kept(&s, "ID-999 ID-9990 ID-123", UnitContext::None),
        ["ID-9990", "ID-123"]
    );
}

#[test]
fn allow_lists_apply_to_managed_identifiers_too() {
    let file = IdentifierFile::parse(
        Path::new("allow.toml"),
        "[[allow_list]]\nname = \"our cards\"\nwords = [\"4539 1488 0343 6467\"]\n",
    )
    .expect("loads");
    let managed = ManagedSelection::parse("CREDIT_CARD_NUMBER").expect("known");
    let s = IdentifierSet::new(&file, &managed).expect("builds");
    let out = run(
        &s,
        "visa 4539 1488 0343 6467 and amex 3782 822463 10013",
        UnitContext::None,
    );
    assert_eq!(out[0].1, Err("allow_list"));
    assert_eq!(out[1], ("3782 822463 10013".to_owned(), Ok(())));
}

// ---- rule 5: keywords -------------------------------------------------------------------

fn distance_set(distance: u32) -> IdentifierSet {
    set(&format!(
        "[[identifier]]\nname = \"k\"\nregex = 'X\\d{{3}}'\nkeywords = [\"code\"]\nmaximum_match_distance = {distance}\n"
    ))
}

#[test]
fn keyword_exactly_at_the_distance_is_kept_one_past_is_not() {
    // From the keyword's end to the match's end: 16 spaces + 4 characters = 20.
    let s = distance_set(20);
    let at = format!("code{}X123", " ".repeat(16));
    assert_eq!(kept(&s, &at, UnitContext::None), ["X123"]);
    let past = format!("code{}X123", " ".repeat(17));
    assert_eq!(
        run(&s, &past, UnitContext::None)[0].1,
        Err("no_keyword_in_range")
    );
}

#[test]
fn keyword_right_before_the_match_is_kept() {
    let s = distance_set(4);
    assert_eq!(kept(&s, "codeX123", UnitContext::None), ["X123"]);
    assert!(kept(&s, "code X123", UnitContext::None).is_empty());
}

#[test]
fn keyword_after_the_match_does_not_count() {
    let s = distance_set(50);
    assert_eq!(
        run(&s, "X123 code", UnitContext::None)[0].1,
        Err("no_keyword_in_range")
    );
}

#[test]
fn keyword_overlapping_the_match_does_not_count() {
    let s = set("[[identifier]]\nname = \"k\"\nregex = 'ab\\d+'\nkeywords = [\"ab1\"]\n");
    assert_eq!(
        run(&s, "ab12", UnitContext::None)[0].1,
        Err("no_keyword_in_range")
    );
}

#[test]
fn distance_counts_characters_not_bytes() {
    // 16 two-byte characters between the keyword and a 4-character match: 20 characters
    // but 36 bytes.
    let s = distance_set(20);
    let unit = format!("code{}X123", "é".repeat(16));
    assert_eq!(kept(&s, &unit, UnitContext::None), ["X123"]);
    let unit = format!("code{}X123", "日".repeat(17));
    assert!(kept(&s, &unit, UnitContext::None).is_empty());
}

#[test]
fn keywords_are_case_insensitive_including_accents() {
    let s = set("[[identifier]]\nname = \"k\"\nregex = 'X\\d{3}'\nkeywords = [\"numéro\"]\nmaximum_match_distance = 10\n");
    assert_eq!(kept(&s, "NUMÉRO X123", UnitContext::None), ["X123"]);
    assert_eq!(kept(&s, "Numéro X123", UnitContext::None), ["X123"]);
}

#[test]
fn the_nearest_keyword_decides() {
    let s = distance_set(10);
    let unit = format!("code{}code X123", " ".repeat(40));
    assert_eq!(kept(&s, &unit, UnitContext::None), ["X123"]);
}

#[test]
fn keyword_in_the_column_name_keeps_every_cell_of_the_column() {
    let s = set(SIRET);
    let cell = "123 456 789-00012";
    assert_eq!(
        run(&s, cell, UnitContext::None)[0].1,
        Err("no_keyword_in_range")
    );
    assert_eq!(kept(&s, cell, UnitContext::Column("Numero SIRET")), [cell]);
    assert!(kept(&s, cell, UnitContext::Column("numero")).is_empty());
}

#[test]
fn keyword_in_any_key_on_the_json_path_keeps_the_value() {
    let s = set(SIRET);
    let value = "123 456 789-00012";
    let path = [
        "company".to_owned(),
        "siretNumber".to_owned(),
        "value".to_owned(),
    ];
    assert_eq!(kept(&s, value, UnitContext::JsonKeys(&path)), [value]);
    let path = ["company".to_owned(), "id".to_owned()];
    assert!(kept(&s, value, UnitContext::JsonKeys(&path)).is_empty());
}

#[test]
fn the_kept_match_names_its_keyword_and_where_it_was_found() {
    let s = set(SIRET);
    let unit = "immatriculée le 3 avril 2020 : 732 829 320-00074";
    let mut hits = Vec::new();
    s.scan(unit.as_bytes(), UnitContext::None, |c| {
        if let Verdict::Kept(Some(hit)) = c.verdict {
            hits.push((hit.keyword.to_owned(), hit.source));
        }
    });
    let start = unit.find("avril").expect("present");
    assert_eq!(
        hits,
        [(
            "avril 2020".to_owned(),
            KeywordSource::Text(start..start + "avril 2020".len())
        )]
    );
}

#[test]
fn seed_identifier_keeps_keyword_at_twenty_and_rejects_far_ones() {
    let s = set(SIRET);
    assert_eq!(
        kept(&s, "avril 2020 : 732 829 320-00074", UnitContext::None).len(),
        1
    );
    assert!(kept(&s, "avril 2020 :  732 829 320-00074", UnitContext::None).is_empty());
}

#[test]
fn rejection_codes_are_the_documented_ones() {
    assert_eq!(Rejection::IgnoreWord("x").code(), "ignore_word");
    assert_eq!(Rejection::Checksum.code(), "checksum");
    assert_eq!(Rejection::AllowList("x").code(), "allow_list");
    assert_eq!(Rejection::NoKeywordInRange.code(), "no_keyword_in_range");
    assert_eq!(Rejection::Example.code(), "example");
    assert_eq!(Rejection::KeywordInRange.code(), "keyword_in_range");
}

#[test]
fn scan_range_finds_only_matches_starting_in_the_range_but_sees_context() {
    let s = set(SIRET);
    let unit = "avril 2020 : 732 829 320-00074";
    let start = unit.find("732").expect("present");
    let mut found = Vec::new();
    s.scan_range(unit.as_bytes(), start..unit.len(), UnitContext::None, |c| {
        found.push(c.is_kept())
    });
    assert_eq!(found, [true], "the keyword before the range still counts");
    let mut found = 0;
    s.scan_range(
        unit.as_bytes(),
        start + 1..unit.len(),
        UnitContext::None,
        |_| found += 1,
    );
    assert_eq!(
        found, 0,
        "a word boundary is judged with the byte before the range"
    );
}

#[test]
fn a_set_finds_what_each_of_its_identifiers_finds_alone() {
    let patterns = [
        r"\b\d{3}\b",
        r"\d{2}-\d{2}",
        r"(?i)ab+c",
        r"x*",
        r"\bP\-[A-Z]{2}\d{4}\b",
        r"[a-z]+@[a-z]+\.com",
    ];
    let toml_for = |ps: &[&str]| {
        ps.iter()
            .enumerate()
            .map(|(i, p)| format!("[[identifier]]\nname = \"id{i}\"\nregex = '{p}'\n"))
            .collect::<String>()
    };
    let all = set(&toml_for(&patterns));
    let alone: Vec<IdentifierSet> = patterns.iter().map(|p| set(&toml_for(&[p]))).collect();
    let alphabet: &[u8] = b"0123456789-abcABCPx@. \n\xc3\xa9";
    let mut rng = fastrand::Rng::with_seed(0x9E37_79B9_7F4A_7C15);
    for _ in 0..300 {
        let mut unit = Vec::new();
        for _ in 0..rng.usize(..60) {
            unit.push(alphabet[rng.usize(..alphabet.len())]);
        }
        let unit = String::from_utf8_lossy(&unit).into_owned();
        let mut combined = Vec::new();
        all.scan(unit.as_bytes(), UnitContext::None, |c| {
            combined.push((c.detector.0, c.span))
        });
        let mut separate = Vec::new();
        for (i, one) in alone.iter().enumerate() {
            one.scan(unit.as_bytes(), UnitContext::None, |c| {
                separate.push((i, c.span))
            });
        }
        assert_eq!(combined, separate, "unit {unit:?}");
    }
}

#[test]
fn candidates_give_character_offsets() {
    let s = set("[[identifier]]\nname = \"p\"\nregex = 'P-[A-Z]{2}\\d{4}'\n");
    let unit = "çé日 P-AB1234";
    let mut spans = Vec::new();
    s.scan(unit.as_bytes(), UnitContext::None, |c| {
        spans.push((c.span.clone(), c.char_span(unit.as_bytes())))
    });
    let bytes_start = unit.find('P').expect("present");
    assert_eq!(spans, [(bytes_start..bytes_start + 8, 4..12)]);
}

// ---- text that is not a unit: does it hold a kept match? ------------------------------

#[test]
fn holds_kept_match_applies_every_rule_a_value_goes_through() {
    let s = set(&format!(
        "{SIRET}
[[identifier]]
name = \"CPF\"
regex = '\\b(\\d{{3}}\\.){{2}}\\d{{3}}\\-\\d{{2}}\\b'
validator = \"brazil_cpf\"

[[identifier]]
name = \"proto\"
regex = '\\bP\\-[A-Z]{{2}}\\d{{4}}\\b'

[[allow_list]]
name = \"public\"
words = [\"P-AA0000\"]
"
    ));
    let holds = |text: &str, context| s.holds_kept_match(text.as_bytes(), context);
    assert!(holds("owner P-AB1234", UnitContext::None));
    assert!(!holds("nothing here", UnitContext::None));
    // Validator, allow list and ignore words reject as they do for values.
    assert!(holds("529.982.247-25", UnitContext::None));
    assert!(!holds("529.982.247-26", UnitContext::None));
    assert!(!holds("P-AA0000", UnitContext::None));
    assert!(!holds("siret 000000000-00000", UnitContext::None));
    // Keywords: in the text itself, or in the keys around it.
    assert!(!holds("732 829 320-00074", UnitContext::None));
    assert!(holds("siret 732 829 320-00074", UnitContext::None));
    let keys = ["siret".to_owned()];
    assert!(holds("732 829 320-00074", UnitContext::JsonKeys(&keys)));
    // A rejected candidate before a kept one does not hide it.
    assert!(holds("529.982.247-26 529.982.247-25", UnitContext::None));
}

#[test]
fn holds_kept_match_sees_managed_identifiers_and_an_empty_set_holds_nothing() {
    let file = IdentifierFile::parse(Path::new("test.toml"), "").expect("empty file");
    let managed = IdentifierSet::new(&file, &ManagedSelection::All).expect("set builds");
    assert!(managed.holds_kept_match(b"4539148803436467", UnitContext::None));
    assert!(managed.holds_kept_match(b"jane.doe@example.com", UnitContext::None));
    assert!(!managed.holds_kept_match(b"4539148803436468", UnitContext::None));
    assert!(
        !managed.holds_kept_match(b"4111111111111111", UnitContext::None),
        "an issuer's test card"
    );
    assert!(!managed.holds_kept_match(b"employee", UnitContext::None));
    let none = IdentifierSet::new(&file, &ManagedSelection::None).expect("set builds");
    assert!(!none.holds_kept_match(b"4539148803436467", UnitContext::None));
}
