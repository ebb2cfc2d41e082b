//! Writing results to stdout.

use std::io::Write;

/// Prints `value` as pretty JSON on stdout, with a final newline.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
