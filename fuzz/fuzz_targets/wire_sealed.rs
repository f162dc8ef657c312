//! Fuzz target: see `tcp_core::fuzz::wire_sealed` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcp_core::fuzz::wire_sealed(data));
