//! The `[redaction]` table: parsed into operators per identifier, and every mistake
//! reported with the file, the table and the line, like the rest of the file.

use std::path::Path;

use ferret_identifiers::file::{Entry, ProblemKind};
use ferret_identifiers::{IdentifierFile, Operator};

const IDENTIFIER: &str = "[[identifier]]\nname = \"EMP\"\nregex = 'EMP-\\d{5}'\n";

fn parse(table: &str) -> Result<IdentifierFile, ferret_identifiers::FileError> {
    IdentifierFile::parse(Path::new("dir/ids.toml"), &format!("{IDENTIFIER}{table}"))
}

#[test]
fn operators_apply_per_identifier_with_a_default() {
    let file = parse(
        r#"
[redaction]
default = { with = "mask", keep_first = 1 }
key_file = "secret.key"
[[redaction.rule]]
identifiers = ["EMP", "BRAZIL_CPF_NUMBER"]
with = "mask"
keep_last = 2
[[redaction.rule]]
identifiers = ["EMAIL_ADDRESS"]
with = "hash"
"#,
    )
    .expect("valid");
    let r = &file.redaction;
    assert_eq!(
        r.operator_for("EMP"),
        Operator::Mask {
            keep_first: 0,
            keep_last: 2
        }
    );
    assert_eq!(r.operator_for("EMAIL_ADDRESS"), Operator::Hash);
    assert_eq!(
        r.operator_for("IBAN"),
        Operator::Mask {
            keep_first: 1,
            keep_last: 0
        }
    );
    assert!(r.needs_key());
    // A relative key file is read beside the identifier file.
    assert_eq!(r.key_file.as_deref(), Some(Path::new("dir/secret.key")));
}

#[test]
fn without_a_table_every_match_is_replaced() {
    let file = parse("").expect("valid");
    assert_eq!(file.redaction.operator_for("EMP"), Operator::Replace);
    assert!(!file.redaction.needs_key());
}

fn single_problem(table: &str) -> (usize, ProblemKind, String) {
    let error = parse(table).expect_err("broken");
    assert_eq!(error.problems.len(), 1, "{error}");
    let message = error.to_string();
    let problem = error.problems.into_iter().next().expect("one");
    assert_eq!(problem.entry, Some(Entry::Redaction));
    (problem.line, problem.kind, message)
}

#[test]
fn an_unknown_operator_is_located() {
    let (line, kind, message) = single_problem("[redaction]\ndefault = { with = \"scramble\" }\n");
    assert_eq!(line, 5);
    assert_eq!(kind, ProblemKind::UnknownOperator("scramble".to_owned()));
    assert!(
        message.starts_with("dir/ids.toml:5: redaction: unknown operator"),
        "{message}"
    );
}

#[test]
fn keep_counts_belong_to_mask_only() {
    let (line, kind, _) = single_problem(
        "[[redaction.rule]]\nidentifiers = [\"EMP\"]\nwith = \"hash\"\nkeep_last = 2\n",
    );
    assert_eq!(line, 7);
    assert_eq!(kind, ProblemKind::MaskOnly("keep_last"));
}

#[test]
fn a_negative_keep_count_is_a_limit_error() {
    let (line, kind, _) = single_problem(
        "[[redaction.rule]]\nidentifiers = [\"EMP\"]\nwith = \"mask\"\nkeep_first = -1\n",
    );
    assert_eq!(line, 7);
    assert!(matches!(
        kind,
        ProblemKind::Limit {
            field: "keep_first",
            ..
        }
    ));
}

#[test]
fn an_identifier_named_by_two_rules_is_refused() {
    let (line, kind, _) = single_problem(
        "[[redaction.rule]]\nidentifiers = [\"EMP\"]\nwith = \"mask\"\n\
         [[redaction.rule]]\nidentifiers = [\"EMP\"]\nwith = \"hash\"\n",
    );
    assert_eq!(line, 8);
    assert_eq!(
        kind,
        ProblemKind::DuplicateRule {
            name: "EMP".to_owned(),
            first_line: 4
        }
    );
}

#[test]
fn an_unknown_key_in_the_table_is_refused() {
    let error = parse("[redaction]\nkey = \"inline secrets are not read\"\n").expect_err("broken");
    assert!(error.to_string().contains(":5:"), "{error}");
}
