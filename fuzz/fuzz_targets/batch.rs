//! Fuzz target: see `tcp_hw::testing::fuzz_batch` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcp_hw::testing::fuzz_batch(data));
