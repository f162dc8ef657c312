//! `include/tcp.h` must be exactly what cbindgen generates from this crate.
//!
//! Generation runs in-process with the cbindgen crate pinned by Cargo.lock
//! (0.29.4, the same version as the pinned binary), so the test works
//! offline and gives the same bytes as
//! `cbindgen --quiet --config bindings-c/cbindgen.toml --output include/tcp.h bindings-c`.
//! `TCP_BLESS=1` rewrites the header instead of failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;

#[test]
fn header_is_fresh() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header_path = crate_dir.join("../include/tcp.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen failed to generate the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);

    if std::env::var_os("TCP_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&header_path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read(&header_path).unwrap_or_default();
    if committed != generated {
        let committed = String::from_utf8_lossy(&committed);
        let generated = String::from_utf8_lossy(&generated);
        let first_difference = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || "one is a prefix of the other".to_owned(),
                |i| format!("first difference at line {}", i + 1),
            );
        panic!(
            "include/tcp.h is stale ({first_difference}); regenerate with \
             `cbindgen --quiet --config bindings-c/cbindgen.toml --output include/tcp.h bindings-c` \
             or `TCP_BLESS=1 cargo test -p tcp-ffi --test header_fresh`"
        );
    }
}
