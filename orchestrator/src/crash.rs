//! Deterministic crash points, for proving crash safety.
//!
//! With `FERRET_CRASH_AFTER=N` in the environment the process kills itself with SIGKILL
//! at the N-th state-changing step (each copy, delete and write the pipeline makes), so a
//! test can stop a batch at every point it cares about, rerun it, and check that nothing
//! was lost or duplicated. With `FERRET_CRASH_SIGNAL=TERM` as well, the process sends
//! itself SIGTERM there instead, and goes on: a stop asked at an exact point in the
//! middle of a task, for proving that a worker stops cleanly. Without the variables this
//! costs one atomic increment.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

static STEPS: AtomicU64 = AtomicU64::new(0);

/// The signal to send, from `FERRET_CRASH_SIGNAL`: SIGKILL unless it says `TERM`.
fn signal() -> libc::c_int {
    static SIGNAL: OnceLock<libc::c_int> = OnceLock::new();
    *SIGNAL.get_or_init(|| match std::env::var("FERRET_CRASH_SIGNAL").as_deref() {
        Ok("TERM" | "SIGTERM") => libc::SIGTERM,
        _ => libc::SIGKILL,
    })
}

fn limit() -> Option<u64> {
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var("FERRET_CRASH_AFTER")
            .ok()
            .and_then(|v| v.parse().ok())
    })
}

/// Marks one state-changing step as done; dies (or is asked to stop) here if this is
/// the chosen step.
pub fn step() {
    let done = STEPS.fetch_add(1, Ordering::SeqCst) + 1;
    if limit() == Some(done) {
        // SAFETY: kill(2) on our own pid with a standard signal. SIGKILL cannot be
        // caught, so nothing after this line runs, exactly like an operator's kill -9
        // or a lost machine; SIGTERM goes to the process's handler, if any.
        unsafe {
            libc::kill(libc::getpid(), signal());
        }
    }
}
