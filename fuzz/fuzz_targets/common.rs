//! What every reader target does: read the bytes as the named object, with small limits,
//! and run the managed identifiers over each unit, checking the invariants a sink relies
//! on. The sink offers the set's block filter, so tables are read by the filtered
//! reader, as scans read them.

use std::io::Cursor;
use std::sync::OnceLock;

use ferret_identifiers::{BlockFilter, IdentifierFile, IdentifierSet, ManagedSelection};
use ferret_scanner::object::{read_object, Input};
use ferret_scanner::{Limits, TextUnit, UnitSink};

fn set() -> &'static IdentifierSet {
    static SET: OnceLock<IdentifierSet> = OnceLock::new();
    SET.get_or_init(|| {
        IdentifierSet::new(&IdentifierFile::default(), &ManagedSelection::All)
            .expect("managed identifiers compile")
    })
}

/// For readers whose decoder crate panics on some corrupt input (Parquet's, Avro's):
/// they contain those panics and report the file as malformed, so a contained panic
/// must not end the run. libFuzzer's harness aborts in its panic hook, which runs
/// before any `catch_unwind`; with a silent hook, a panic that a reader contains is
/// no crash, and one that escapes it still is (the harness aborts on it).
#[allow(dead_code)]
pub fn contain_decoder_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}

pub fn read_as(name: &str, data: &[u8]) {
    let limits = Limits {
        max_extracted_bytes: 4 << 20,
        max_ooxml_bytes: 4 << 20,
        max_unit_bytes: 1 << 20,
        ..Limits::default()
    };
    let _ = read_object(
        name,
        Input::Seekable(&mut Cursor::new(data)),
        &limits,
        &mut Checked,
    );
}

/// Runs every detector over each unit and checks what a sink relies on.
struct Checked;

impl UnitSink for Checked {
    fn unit(&mut self, unit: TextUnit<'_>) {
        assert!(unit.search.start <= unit.search.end && unit.search.end <= unit.bytes.len());
        if let Some(span) = &unit.span {
            assert_eq!(span.end - span.start, unit.bytes.len() as u64);
        }
        set().scan_range(unit.bytes, unit.search.clone(), unit.context, |candidate| {
            assert!(candidate.span.start < candidate.span.end);
            assert!(candidate.span.end <= unit.bytes.len());
        });
    }

    fn block_filter(&self, delimiter: u8) -> Option<BlockFilter> {
        set().block_filter(delimiter)
    }
}
