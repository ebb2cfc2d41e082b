//! Catching the panics of a parser that is not written for hostile input, without
//! printing them.
//!
//! A caught panic is still reported by the process's panic hook, which prints its
//! message to standard error, and a parser's message may quote the content it failed
//! on: document text, which must never reach logs. [`catch_quietly`] runs a call with
//! the hook silenced for the current thread only. The hook is wrapped once per process:
//! the wrapper stays silent while the flag of its thread is set and otherwise calls the
//! hook that was installed before it, so panics anywhere else are reported as before
//! (and a fuzzer's hook still sees every panic no reader catches).

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside [`catch_quietly`].
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `call`, turning a panic inside it into `Err` without reporting it.
///
/// The caller must not use what `call` left half-done after a panic except to drop it
/// (the reason the call is wrapped in `AssertUnwindSafe`).
pub(crate) fn catch_quietly<T>(call: impl FnOnce() -> T) -> Result<T, ()> {
    static WRAP_HOOK: Once = Once::new();
    WRAP_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = QUIET.with(|quiet| quiet.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(call));
    QUIET.with(|quiet| quiet.set(outer));
    result.map_err(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_errors_and_values_pass_through() {
        assert_eq!(catch_quietly(|| 7), Ok(7));
        let secret = "529.982.247-25";
        assert_eq!(
            catch_quietly(|| -> u8 { panic!("bad operand {secret}") }),
            Err(())
        );
        // The flag is down again: the thread's later panics are reported.
        assert!(!QUIET.with(Cell::get));
    }
}
