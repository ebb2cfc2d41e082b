#![no_main]

#[path = "common.rs"]
mod common;

// The spreadsheets calamine reads: XLS (an OLE2 compound file), XLSB and ODS (zips).
// calamine panics on some malformed content; the reader catches those panics with the
// panic hook silenced for its thread and reports the file as malformed, so libFuzzer's
// aborting hook sees only the panics no reader catches.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::read_as("book.xls", data);
    common::read_as("book.xlsb", data);
    common::read_as("book.ods", data);
});
