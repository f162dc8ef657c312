//! Fuzz target: see `tcp_core::command_line::fuzz_line` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tcp_core::command_line::fuzz_line(data));
