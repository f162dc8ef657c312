//! Entry points for the fuzz targets in `fuzz/` and their regression replay.
//!
//! Each function takes arbitrary bytes, exercises one parser completely and
//! panics only if a property is violated (which is what a fuzzer looks for):
//! decoding never panics, whatever decodes re-encodes to the same bytes, and a
//! registry that opens finds every entry it lists.
#![allow(clippy::panic, reason = "a violated property must crash the fuzzer")]

use crate::registry::Registry;
use crate::wire::{Dialect, Mode};

/// Every dialect's decoder (strict and lenient) and detection on the same bytes.
pub fn wire(data: &[u8]) {
    let _ = Dialect::detect(data);
    for dialect in Dialect::ALL {
        let strict = dialect.decode(data, Mode::Strict);
        let lenient = dialect.decode(data, Mode::Lenient);
        if let Ok(s) = &strict {
            // Whatever strict mode accepts, lenient mode reads the same, without tolerances.
            match &lenient {
                Ok(l) if l == s => {}
                other => panic!("{dialect}: strict {s:?} but lenient {other:?}"),
            }
            if !s.lenient.is_empty() {
                panic!("{dialect}: strict decode recorded leniency {:?}", s.lenient);
            }
        }
        let _ = dialect.flag_names(u32::from_le_bytes(
            data.get(..4)
                .and_then(|b| b.try_into().ok())
                .unwrap_or([0; 4]),
        ));
    }
}

/// Like [`wire`], after recomputing each dialect's checksum over the input,
/// so the fuzzer reaches the field checks behind the checksum.
pub fn wire_sealed(data: &[u8]) {
    for dialect in Dialect::ALL {
        let mut bytes = data.to_vec();
        if !dialect.seal(&mut bytes) {
            continue;
        }
        if let Err(e) = dialect.decode(&bytes, Mode::Strict) {
            if e.code() == crate::ErrorCode::ChecksumMismatch {
                panic!("{dialect}: sealed record fails its checksum: {e}");
            }
        }
        wire(&bytes);
    }
}

/// Opens a registry from the bytes (TCPR, TCPDB or JSON) and looks up every entry.
pub fn registry(data: &[u8]) {
    let opened = if data.first() == Some(&b'{') {
        Registry::from_json(&mut data.to_vec())
    } else {
        Registry::from_bytes(data.to_vec())
    };
    if let Ok(reg) = opened {
        let mut n = 0;
        for e in reg.iter() {
            n += 1;
            match reg.get(e.name) {
                Some(found) if found.descriptor == e.descriptor => {}
                other => panic!("entry {:?} listed but lookup gives {other:?}", e.name),
            }
            let _ = e.decode();
        }
        if n != reg.len() {
            panic!("registry lists {n} entries, len() says {}", reg.len());
        }
    }
}

/// Runs `run` on every saved input of one fuzz target: the files in
/// `<fuzz_dir>/regressions/<target>` (minimised failures) and
/// `<fuzz_dir>/seeds/<target>`, where `fuzz_dir` is the repository's `fuzz/`.
/// Returns how many inputs it replayed (a missing folder counts as none), so
/// a test can insist on at least one. An unreadable entry panics, naming it.
pub fn replay_saved(fuzz_dir: &std::path::Path, target: &str, run: fn(&[u8])) -> usize {
    let mut n = 0;
    for dir in [
        fuzz_dir.join("regressions").join(target),
        fuzz_dir.join("seeds").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
                .path();
            let data = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            eprintln!("replaying {}", path.display());
            run(&data);
            n += 1;
        }
    }
    n
}
