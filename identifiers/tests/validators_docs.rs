//! The validator table of `docs/identifiers.md` is current: it lists every
//! name an identifier file may use, in the code's order, and nothing else.

use std::path::PathBuf;

use ferret_identifiers::Validator;

#[test]
fn docs_list_every_validator_name_in_order() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/identifiers.md");
    let docs = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let table = docs
        .split("| name | checks |")
        .nth(1)
        .expect("docs/identifiers.md has the validator table");
    let documented: Vec<&str> = table
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            line.split('`')
                .nth(1)
                .unwrap_or_else(|| panic!("row without a `name`: {line}"))
        })
        .collect();
    let names: Vec<&str> = Validator::FILE_NAMES
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(documented, names);
}
