#![no_main]

use std::path::Path;

use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection, UnitContext};

// Any text as an identifier file: loading either fails with located problems or yields
// identifiers whose set compiles and scans its own source without panicking.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match IdentifierFile::parse(Path::new("fuzz.toml"), text) {
        Ok(file) => {
            if let Ok(set) = IdentifierSet::new(&file, &ManagedSelection::None) {
                set.scan(data, UnitContext::None, |_| {});
            }
        }
        Err(error) => assert!(!error.problems.is_empty()),
    }
});
