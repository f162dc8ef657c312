//! Replays every saved fuzz input (seeds and minimised crashes) through the
//! same entry points the fuzz targets call, so a fixed crash stays fixed.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::PathBuf;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let fuzz_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    tcp_core::fuzz::replay_saved(&fuzz_dir, target, run)
}

#[test]
fn wire_inputs() {
    assert!(
        replay("wire", tcp_core::fuzz::wire) > 0,
        "no saved inputs for wire"
    );
}

#[test]
fn wire_sealed_inputs() {
    assert!(
        replay("wire_sealed", tcp_core::fuzz::wire_sealed) > 0,
        "no saved inputs for wire_sealed"
    );
}

#[test]
fn registry_inputs() {
    assert!(
        replay("registry", tcp_core::fuzz::registry) > 0,
        "no saved inputs for registry"
    );
}

#[test]
fn command_line_inputs() {
    assert!(
        replay("command_line", tcp_core::command_line::fuzz_line) > 0,
        "no saved inputs for command_line"
    );
}
