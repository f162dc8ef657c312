//! Every backend this build has, against tcp-core's scalar reference.
//!
//! Backends that cannot run here are printed with their reason and skipped;
//! every CPU level this machine has is checked explicitly (and
//! `TCP_HW_MAX_LEVEL=sse41|avx2|avx512|portable` caps the default level the
//! whole suite runs at, so CI can step down the ladder).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    reason = "tests"
)]

#[path = "support/corpus.rs"]
mod corpus;

use std::sync::Arc;

use proptest::prelude::*;
use tcp_core::wire::{canonical, v2_kb};
use tcp_core::{Dialect, Policy};
use tcp_hw::testing::{Mix, check_backend, check_batch, policies, records};
use tcp_hw::{Backend, CpuLevel, ParallelBackend, ScalarBackend, SimdBackend};

/// Every backend of the build, plus each CPU level and parallel splits small
/// enough that a test batch is cut into several chunks.
fn everything() -> Vec<(String, Arc<dyn Backend>)> {
    let mut out: Vec<(String, Arc<dyn Backend>)> = tcp_hw::select::all_backends()
        .into_iter()
        .map(|b| (b.name().to_owned(), b))
        .collect();
    for level in CpuLevel::available() {
        let simd = SimdBackend::with_level(level).unwrap();
        out.push((format!("simd-{}", level.name()), Arc::new(simd)));
        out.push((
            format!("parallel-{}", level.name()),
            Arc::new(ParallelBackend::new(simd).with_min_chunk(13)),
        ));
    }
    out.push((
        "parallel-scalar".into(),
        Arc::new(ParallelBackend::new(ScalarBackend).with_min_chunk(13)),
    ));
    out
}

#[test]
fn every_available_backend_passes_the_harness() {
    let mut checked = 0;
    for (label, backend) in everything() {
        match check_backend(backend.as_ref()) {
            Ok(report) => {
                println!(
                    "{label}: {} batches, {} records, dialects {:?} ({})",
                    report.batches,
                    report.records,
                    report.dialects,
                    backend.device()
                );
                checked += 1;
            }
            Err(e) if e.is_unavailable() => println!("{label}: skipped: {e}"),
            Err(e) => panic!("{label}: {e}"),
        }
    }
    assert!(
        checked >= 2,
        "at least scalar and parallel-scalar run everywhere"
    );
}

#[test]
fn the_knowledge_base_corpus_with_every_policy() {
    let kb = corpus::kb_records();
    let kb_bad = corpus::kb_with_corruptions(&kb);
    let c24 = corpus::c24_records();
    for (label, backend) in everything() {
        if !backend.availability().is_available() {
            continue;
        }
        for (p, policy) in policies().iter().enumerate() {
            for (dialect, batch, what) in [
                (Dialect::V2Kb, &kb, "kb"),
                (Dialect::V2Kb, &kb_bad, "kb corrupted"),
                (Dialect::Canonical, &c24, "c24"),
            ] {
                if backend.supports(dialect) {
                    let case = format!("{what} policy #{p}");
                    check_batch(backend.as_ref(), dialect, batch, policy, &case)
                        .unwrap_or_else(|e| panic!("{label}: {e}"));
                }
            }
        }
    }
}

/// The level the process runs at follows `TCP_HW_MAX_LEVEL` (checked in a
/// child process per level, since detection happens once per process).
#[test]
fn the_max_level_switch_caps_detection() {
    if let Ok(expected) = std::env::var("TCP_HW_EXPECT_LEVEL") {
        assert_eq!(CpuLevel::detect().name(), expected);
        assert_eq!(SimdBackend::new().level().name(), expected);
        return;
    }
    let exe = std::env::current_exe().unwrap();
    for level in CpuLevel::available() {
        let child = std::process::Command::new(&exe)
            .args(["the_max_level_switch_caps_detection", "--exact"])
            .env("TCP_HW_MAX_LEVEL", level.name())
            .env("TCP_HW_EXPECT_LEVEL", level.name())
            .output()
            .unwrap();
        assert!(
            child.status.success(),
            "TCP_HW_MAX_LEVEL={}: {}",
            level.name(),
            String::from_utf8_lossy(&child.stdout)
        );
    }
}

/// One byte change: position, value, and whether to recompute the checksum
/// afterwards (so that the risk and reserved checks are reached).
fn mutation() -> impl Strategy<Value = (usize, u8, bool)> {
    (any::<usize>(), any::<u8>(), any::<bool>())
}

fn mutate(dialect: Dialect, batch: &mut [u8], muts: &[(usize, u8, bool)]) {
    let len = dialect.record_len();
    if batch.is_empty() {
        return;
    }
    for &(at, value, refill) in muts {
        let at = at % batch.len();
        batch[at] = value;
        let start = at / len * len;
        let record = &mut batch[start..start + len];
        if refill {
            match dialect {
                Dialect::V2Kb => v2_kb::Descriptor::new_unchecked(record).fill_checksum(),
                _ => canonical::Descriptor::new_unchecked(record).fill_checksum(),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Every CPU level agrees with the reference on random, corrupted and
    /// edge-length batches, at any alignment, under any test policy.
    #[test]
    fn every_cpu_level_matches_the_reference(
        seed in any::<u64>(),
        n in prop_oneof![0usize..40, 40usize..400],
        canonical in any::<bool>(),
        mix in 0usize..3,
        muts in proptest::collection::vec(mutation(), 0..24),
        policy in 0usize..7,
        shift in 0usize..8,
    ) {
        let dialect = if canonical { Dialect::Canonical } else { Dialect::V2Kb };
        let mix = [Mix::Valid, Mix::Corrupted, Mix::Random][mix];
        let mut batch = records(dialect, n, mix, seed);
        mutate(dialect, &mut batch, &muts);
        let mut buf = vec![0u8; shift];
        buf.extend_from_slice(&batch);
        let policies = policies();
        let policy = &policies[policy % policies.len()];
        for level in CpuLevel::available() {
            let simd = SimdBackend::with_level(level).unwrap();
            if simd.supports(dialect) {
                check_batch(&simd, dialect, &buf[shift..], policy, level.name())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
        }
    }

    /// Any byte string: same result (status bytes or typed shape error) as the reference.
    #[test]
    fn arbitrary_bytes_never_diverge(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        for level in CpuLevel::available() {
            let simd = SimdBackend::with_level(level).unwrap();
            for dialect in [Dialect::V2Kb, Dialect::Canonical] {
                if simd.supports(dialect) {
                    check_batch(&simd, dialect, &bytes, &Policy::default(), "arbitrary")
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
            }
        }
    }
}
