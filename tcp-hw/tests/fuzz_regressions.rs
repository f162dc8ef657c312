//! Replays every saved input of the `batch` fuzz target (seeds and minimised
//! failures) through `tcp_hw::testing::fuzz_batch`, as the target calls it.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::PathBuf;

#[test]
fn batch_inputs() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut n = 0;
    for dir in [root.join("regressions/batch"), root.join("seeds/batch")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            eprintln!("replaying {}", path.display());
            tcp_hw::testing::fuzz_batch(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    assert!(n > 0, "no saved inputs for batch");
}
