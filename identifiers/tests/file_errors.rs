//! Broken identifier files: every kind of error names the file, the entry and the line.
//! The cases are the files in `samples/bad/`, which analysts can also try by hand.

use std::path::{Path, PathBuf};

use ferret_identifiers::file::{Entry, ProblemKind};
use ferret_identifiers::IdentifierFile;

fn bad(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../samples/bad")
        .join(name)
}

/// Loads a bad sample and returns its single problem's (line, entry name, message).
fn single_problem(name: &str) -> (usize, Option<Entry>, ProblemKind, String) {
    let error = IdentifierFile::load(&bad(name)).expect_err("the sample is broken");
    assert_eq!(error.problems.len(), 1, "{name}: {error}");
    let message = error.to_string();
    assert!(message.contains(name), "message names the file: {message}");
    let p = error.problems.into_iter().next().expect("one problem");
    (p.line, p.entry, p.kind, message)
}

fn identifier(name: &str) -> Option<Entry> {
    Some(Entry::Identifier(name.to_owned()))
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let (line, entry, kind, message) = single_problem("unknown_key.toml");
    assert_eq!((line, entry), (6, identifier("Employee ID")));
    assert!(matches!(kind, ProblemKind::Toml(_)));
    assert!(message.contains("keyword"), "{message}");
    assert!(message.contains(":6:"), "{message}");
}

#[test]
fn invalid_regex_is_reported() {
    let (line, entry, kind, _) = single_problem("bad_regex.toml");
    assert_eq!((line, entry), (4, identifier("Unbalanced")));
    assert!(
        matches!(kind, ProblemKind::Pattern { field: "regex", .. }),
        "{kind}"
    );
}

#[test]
fn backreference_is_unsupported() {
    let (line, entry, kind, message) = single_problem("backreference.toml");
    assert_eq!((line, entry), (4, identifier("Repeated digits")));
    assert!(matches!(kind, ProblemKind::Pattern { .. }));
    assert!(message.contains("backreference"), "{message}");
}

#[test]
fn look_around_is_unsupported() {
    let (line, entry, _, message) = single_problem("lookaround.toml");
    assert_eq!((line, entry), (4, identifier("Card not followed by CVV")));
    assert!(message.to_lowercase().contains("look"), "{message}");
}

#[test]
fn global_flags_are_unsupported() {
    let (line, entry, _, message) = single_problem("global_flag.toml");
    assert_eq!((line, entry), (4, identifier("Multiline")));
    assert!(message.contains("flag"), "{message}");
}

#[test]
fn distance_over_300_is_refused() {
    let (line, entry, kind, _) = single_problem("distance_too_large.toml");
    assert_eq!((line, entry), (6, identifier("Far keyword")));
    assert!(matches!(
        kind,
        ProblemKind::Limit {
            field: "maximum_match_distance",
            ..
        }
    ));
}

#[test]
fn keyword_shorter_than_three_characters_is_refused() {
    let (line, entry, kind, _) = single_problem("keyword_too_short.toml");
    assert_eq!((line, entry), (5, identifier("Short keyword")));
    assert!(matches!(
        kind,
        ProblemKind::Limit {
            field: "keywords",
            ..
        }
    ));
}

#[test]
fn duplicate_name_points_at_both_definitions() {
    let (line, entry, kind, _) = single_problem("duplicate_name.toml");
    assert_eq!((line, entry), (7, identifier("Badge")));
    assert_eq!(kind, ProblemKind::DuplicateName { first_line: 3 });
}

#[test]
fn severity_levels_must_ascend() {
    let (line, entry, kind, _) = single_problem("severity_not_ascending.toml");
    assert_eq!((line, entry), (7, identifier("Order")));
    assert!(matches!(kind, ProblemKind::SeverityLevels(_)));
}

#[test]
fn unknown_validator_lists_the_known_ones() {
    let (line, entry, kind, message) = single_problem("unknown_validator.toml");
    assert_eq!((line, entry), (5, identifier("Account")));
    assert!(matches!(kind, ProblemKind::UnknownValidator { .. }));
    assert!(message.contains("brazil_cpf"), "{message}");
}

#[test]
fn missing_regex_names_the_identifier() {
    let (line, entry, _, message) = single_problem("missing_regex.toml");
    assert_eq!(entry, identifier("No pattern"));
    assert!(line == 2 || line == 3, "line of the table: {line}");
    assert!(message.contains("regex"), "{message}");
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let text = "[[identifier]]\nname = \"a\"\nregex = '(?=x)'\nkeywords = [\"ab\"]\n\
                maximum_match_distance = 0\n";
    let error = IdentifierFile::parse(Path::new("many.toml"), text).expect_err("broken");
    let lines: Vec<usize> = error.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 4, 5]);
}

#[test]
fn limits_follow_macie() {
    let long = "k".repeat(91);
    let cases = [
        (
            format!("name = \"{}\"\nregex = 'a'", "n".repeat(129)),
            "name",
        ),
        (
            format!("name = \"a\"\nregex = '{}'", "a".repeat(513)),
            "regex",
        ),
        (
            format!("name = \"a\"\nregex = 'a'\nkeywords = [\"{long}\"]"),
            "keywords",
        ),
        (
            "name = \"a\"\nregex = 'a'\nignore_words = [\"abc\"]".to_owned(),
            "ignore_words",
        ),
        (
            format!(
                "name = \"a\"\nregex = 'a'\nkeywords = [{}]",
                ["\"abc\""; 51].join(",")
            ),
            "keywords",
        ),
        (
            format!(
                "name = \"a\"\nregex = 'a'\nignore_words = [{}]",
                ["\"abcd\""; 11].join(",")
            ),
            "ignore_words",
        ),
        (
            format!(
                "name = \"a\"\nregex = 'a'\ndescription = \"{}\"",
                "d".repeat(513)
            ),
            "description",
        ),
    ];
    for (body, field) in cases {
        let text = format!("[[identifier]]\n{body}\n");
        let error = IdentifierFile::parse(Path::new("limits.toml"), &text).expect_err(field);
        assert!(
            error
                .problems
                .iter()
                .any(|p| matches!(p.kind, ProblemKind::Limit { field: f, .. } if f == field)),
            "{field}: {error}"
        );
    }
}

#[test]
fn limits_at_their_edges_are_accepted() {
    let text = format!(
        "[[identifier]]\nname = \"{}\"\nregex = 'a'\nkeywords = [\"abc\", \"{}\"]\n\
         ignore_words = [\"abcd\"]\nmaximum_match_distance = 300\n\
         [[identifier]]\nname = \"b\"\nregex = 'b'\nmaximum_match_distance = 1\n",
        "n".repeat(128),
        "k".repeat(90)
    );
    let file = IdentifierFile::parse(Path::new("edges.toml"), &text).expect("valid");
    assert_eq!(file.identifiers.len(), 2);
    assert_eq!(file.identifiers[0].maximum_match_distance, 300);
}

#[test]
fn defaults_follow_macie() {
    let file = IdentifierFile::parse(
        Path::new("d.toml"),
        "[[identifier]]\nname = \"a\"\nregex = 'a'\n",
    )
    .expect("valid");
    assert_eq!(file.identifiers[0].maximum_match_distance, 50);
    assert!(file.identifiers[0].severity_levels.levels().is_empty());
}

#[test]
fn allow_list_needs_words_or_regex() {
    let error = IdentifierFile::parse(Path::new("a.toml"), "[[allow_list]]\nname = \"empty\"\n")
        .expect_err("neither words nor regex");
    assert_eq!(error.problems[0].kind, ProblemKind::AllowListShape);
    assert_eq!(
        error.problems[0].entry,
        Some(Entry::AllowList("empty".to_owned()))
    );
}

#[test]
fn toml_syntax_errors_give_the_line() {
    let error = IdentifierFile::parse(
        Path::new("s.toml"),
        "[[identifier]]\nname = \"a\nregex = 'a'\n",
    )
    .expect_err("unterminated string");
    assert_eq!(error.problems[0].line, 2);
}

#[test]
fn the_shipped_sample_file_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/identifiers.toml");
    let file = IdentifierFile::load(&path).expect("samples/identifiers.toml is valid");
    let names: Vec<&str> = file.identifiers.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["SIRET-NIC", "Brazil CPF", "Prototyping Naming"]);
}
