//! Helpers shared by the scanner's unit tests.

use std::path::Path;

use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};

use crate::aggregate::{Aggregator, Findings};
use crate::reader::{ReadError, Sink, TextUnit};

/// The identifiers of `toml` with every managed identifier.
pub(crate) fn identifier_set(toml: &str) -> IdentifierSet {
    let file = IdentifierFile::parse(Path::new("test.toml"), toml).expect("identifiers");
    IdentifierSet::new(&file, &ManagedSelection::All).expect("set")
}

/// What a scan with `set` concludes from the units `read` hands over, whether it saw a
/// unit, and whether the reading ended well. The sink is a closure, which has no block
/// filter: readers hand it every unit.
pub(crate) fn conclude(
    set: &IdentifierSet,
    read: impl FnOnce(&mut Sink<'_>) -> Result<(), ReadError>,
) -> (Findings, bool, bool) {
    let mut aggregator = Aggregator::new(set, 1000);
    let ok = read(&mut |unit: TextUnit<'_>| aggregator.judge(&unit)).is_ok();
    let seen = aggregator.units_seen() > 0;
    (aggregator.finish(), seen, ok)
}

/// Serves its bytes `step` at a time, to cut characters, code units and tokens across
/// reads.
pub(crate) struct Trickle<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// SplitMix64: deterministic generated inputs, the same on every machine.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
