#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::contain_decoder_panics();
    common::read_as("table.parquet", data);
});
