//! What every reader target does: read the bytes as the named object, with small limits,
//! and run the managed identifiers over each unit, checking the invariants a sink relies
//! on.

use std::io::Cursor;
use std::sync::OnceLock;

use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};
use ferret_scanner::object::{read_object, Input};
use ferret_scanner::{Limits, TextUnit};

fn set() -> &'static IdentifierSet {
    static SET: OnceLock<IdentifierSet> = OnceLock::new();
    SET.get_or_init(|| {
        IdentifierSet::new(&IdentifierFile::default(), &ManagedSelection::All)
            .expect("managed identifiers compile")
    })
}

pub fn read_as(name: &str, data: &[u8]) {
    let limits = Limits {
        max_extracted_bytes: 4 << 20,
        max_ooxml_bytes: 4 << 20,
        max_unit_bytes: 1 << 20,
        ..Limits::default()
    };
    let mut sink = |unit: TextUnit<'_>| {
        assert!(unit.search.start <= unit.search.end && unit.search.end <= unit.bytes.len());
        set().scan_range(unit.bytes, unit.search.clone(), unit.context, |candidate| {
            assert!(candidate.span.start < candidate.span.end);
            assert!(candidate.span.end <= unit.bytes.len());
        });
    };
    let _ = read_object(
        name,
        Input::Seekable(&mut Cursor::new(data)),
        &limits,
        &mut sink,
    );
}
