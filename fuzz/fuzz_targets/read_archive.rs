#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::read_as("bundle.zip", data);
    common::read_as("stream.jsonl.gz", data);
});
