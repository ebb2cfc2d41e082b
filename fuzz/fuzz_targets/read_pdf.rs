#![no_main]

#[path = "common.rs"]
mod common;

// pdf-extract panics on some malformed content; the reader catches those panics with
// the panic hook silenced for its thread (a page that panics is skipped, the object
// PARTIAL), so libFuzzer's aborting hook sees only the panics no reader catches.
libfuzzer_sys::fuzz_target!(|data: &[u8]| common::read_as("letter.pdf", data));
