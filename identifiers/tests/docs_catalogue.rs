//! The catalogue table of `docs/managed-identifiers.md` is generated from the code's
//! table. This test fails when the page is stale; run it with `FERRET_BLESS=1` to
//! rewrite the table in place.

use std::path::Path;

use ferret_identifiers::managed::listing::markdown_table;

const BEGIN: &str = "<!-- catalogue:begin -->\n";
const END: &str = "<!-- catalogue:end -->";

#[test]
fn the_documented_catalogue_is_the_code_s() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/managed-identifiers.md");
    let page = std::fs::read_to_string(&path).expect("the page exists");
    let start = page.find(BEGIN).expect("begin marker") + BEGIN.len();
    let end = page.find(END).expect("end marker");
    let table = markdown_table();
    if std::env::var_os("FERRET_BLESS").is_some() {
        let updated = format!("{}{table}{}", &page[..start], &page[end..]);
        std::fs::write(&path, updated).expect("writes the page");
        return;
    }
    assert!(
        page[start..end] == table,
        "docs/managed-identifiers.md is stale: rerun this test with FERRET_BLESS=1"
    );
}
