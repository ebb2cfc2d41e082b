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

/// Deterministic generated inputs: the workspace's one seeded random source
/// (`fastrand`), so a failing case comes back on every run.
pub(crate) struct Rng(fastrand::Rng);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(fastrand::Rng::with_seed(seed))
    }

    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0.usize(..n)
    }
}
