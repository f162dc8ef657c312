//! Replays every saved input of the `batch` fuzz target (seeds and minimised
//! failures) through `tcp_hw::testing::fuzz_batch`, as the target calls it.

use std::path::PathBuf;

#[test]
fn batch_inputs() {
    let fuzz_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let n = tcp_core::fuzz::replay_saved(&fuzz_dir, "batch", tcp_hw::testing::fuzz_batch);
    assert!(n > 0, "no saved inputs for batch");
}
