//! One copy of the identifier set per thread of a pool.
//!
//! A regex keeps its search caches in a pool that favours the thread that used it
//! first; the other threads take a lock, and cores fight over the pool's cache lines.
//! Scans sharing one set across threads ran about 20% slower per thread. Copies have
//! pools of their own and share the compiled automata, so one costs microseconds.

use ferret_identifiers::IdentifierSet;

/// The set, and a copy of it for each thread of the current pool.
pub(crate) struct PerThread<'s> {
    shared: &'s IdentifierSet,
    copies: Vec<IdentifierSet>,
}

impl<'s> PerThread<'s> {
    /// Copies for each of the current rayon pool's threads (call it from inside the
    /// pool that will use them).
    pub(crate) fn new(shared: &'s IdentifierSet) -> Self {
        let threads = rayon::current_num_threads();
        PerThread {
            shared,
            copies: (0..threads).map(|_| shared.clone()).collect(),
        }
    }

    /// The calling thread's copy; the shared set outside the pool.
    pub(crate) fn get(&self) -> &IdentifierSet {
        rayon::current_thread_index()
            .and_then(|thread| self.copies.get(thread))
            .unwrap_or(self.shared)
    }
}
