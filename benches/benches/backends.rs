//! Batch validation backends, every one at every size, against two baselines
//! measured in the same run: the memory-read passes (sums of the batch's
//! u64s with the widest loads the CPU has, `tcp_hw::measure::READ_PASSES`:
//! the ceiling is the faster of `read` and `read-paced`) and the obvious
//! scalar loop. The `parallel` backend has its own ceiling: the read passes
//! on as many threads (`read-x2`, `read-paced-x2` on two), split as it splits.
//!
//! Sizes: 1, 1K, 32K (768 KB: in L2 everywhere), 64K (1.5 MB: in L2 on the
//! Xeons, in L2 and L3 on Zen 4's 1 MiB L2) and 10M records (240 MB: DRAM).
//! Throughput is in records (criterion's "elements"), so the read pass reads
//! as "records the memory delivers per second" and ratios are direct.
//!
//! Run: `cargo bench -p tcp-benches --bench backends` (about 3 minutes on 2 cores).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "bench harness"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
    measurement::WallTime,
};
use tcp_core::{Capabilities, Dialect, Policy, RiskLevel};
use tcp_hw::measure::{READ_PASSES, read_pass_threads};
use tcp_hw::testing::{Mix, records};
use tcp_hw::{Backend, CpuLevel, ParallelBackend, ScalarBackend, SimdBackend};

const SIZES: [usize; 5] = [1, 1024, 32 * 1024, 64 * 1024, 10_000_000];

/// The obvious scalar loop for v2-kb, written out by hand as a baseline
/// (its output is checked against tcp-core's reference before timing).
fn naive_v2_kb(input: &[u8], policy: &Policy, out: &mut [u8]) {
    let table = [
        Capabilities::FILE_MODIFICATION,
        Capabilities::NETWORK_ACCESS,
        Capabilities::REQUIRES_ROOT,
        Capabilities::DESTRUCTIVE,
        Capabilities::SYSTEM_MODIFICATION,
        Capabilities::PROCESS_CONTROL,
    ];
    for (r, o) in input.chunks_exact(24).zip(out.iter_mut()) {
        let sum = r[..22].iter().map(|&b| u32::from(b)).sum::<u32>() & 0xFFFF;
        let flags = u32::from_be_bytes([r[10], r[11], r[12], r[13]]);
        let risk_bits = flags & 0x1F;
        *o = if r[..4] != *b"TCP\x02" {
            0x82
        } else if r[4..6] != [0, 2] {
            0x83
        } else if sum != u32::from(u16::from_be_bytes([r[22], r[23]])) {
            0x84
        } else if flags & !0x3F1F != 0 {
            0x87
        } else if risk_bits == 0 {
            0x86
        } else if risk_bits.count_ones() > 1 {
            0x85
        } else {
            let risk = RiskLevel::from_u8(risk_bits.trailing_zeros() as u8).unwrap();
            let mut caps = Capabilities::EMPTY;
            for (i, c) in table.iter().enumerate() {
                if flags & (0x100 << i) != 0 {
                    caps |= *c;
                }
            }
            (risk as u8) | ((policy.decide_fast(risk, caps) as u8) << 4)
        };
    }
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    if n >= 1_000_000 {
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
    } else {
        group
            .sample_size(20)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
    }
}

fn bench_backend(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    backend: &dyn Backend,
    dialect: Dialect,
    input: &[u8],
    policy: &Policy,
    out: &mut [u8],
) {
    let n = out.len();
    // Never time a wrong backend.
    let mut want = vec![0u8; n];
    tcp_core::validate_batch(dialect, input, policy, &mut want).unwrap();
    backend.validate(dialect, input, policy, out).unwrap();
    assert_eq!(want, out, "{id} disagrees with the reference");
    group.bench_function(BenchmarkId::new(id, n), |b| {
        b.iter(|| backend.validate(dialect, black_box(input), policy, black_box(&mut *out)))
    });
}

fn backends(c: &mut Criterion) {
    let policy = Policy::default();
    let accelerators: Vec<_> = tcp_hw::select::all_backends()
        .into_iter()
        .filter(|b| {
            matches!(
                b.kind(),
                tcp_hw::BackendKind::OpenCl | tcp_hw::BackendKind::Fpga
            )
        })
        .collect();
    for a in &accelerators {
        if let tcp_hw::Availability::Unavailable { reason } = a.availability() {
            eprintln!("skipping {}: {reason}", a.name());
        }
    }
    for dialect in [Dialect::V2Kb, Dialect::Canonical] {
        for n in SIZES {
            let input = records(dialect, n, Mix::Valid, 42);
            let mut out = vec![0u8; n];
            let mut group = c.benchmark_group(format!("backends/{dialect}"));
            configure(&mut group, n);
            group.throughput(Throughput::Elements(n as u64));
            for (name, pass) in READ_PASSES {
                group.bench_function(BenchmarkId::new(name, n), |b| {
                    b.iter(|| pass(black_box(&input)))
                });
            }
            if dialect == Dialect::V2Kb {
                let mut want = vec![0u8; n];
                tcp_core::validate_batch(dialect, &input, &policy, &mut want).unwrap();
                naive_v2_kb(&input, &policy, &mut out);
                assert_eq!(want, out, "the naive loop disagrees with the reference");
                group.bench_function(BenchmarkId::new("naive", n), |b| {
                    b.iter(|| naive_v2_kb(black_box(&input), &policy, black_box(&mut out)))
                });
            }
            bench_backend(
                &mut group,
                "scalar",
                &ScalarBackend,
                dialect,
                &input,
                &policy,
                &mut out,
            );
            for level in CpuLevel::available() {
                let Some(simd) = SimdBackend::with_level(level) else {
                    continue;
                };
                if simd.supports(dialect) {
                    let id = format!("simd-{}", level.name());
                    bench_backend(&mut group, &id, &simd, dialect, &input, &policy, &mut out);
                }
            }
            let parallel = ParallelBackend::simd();
            if parallel.supports(dialect) && n >= 64 * 1024 {
                // Its ceiling: the read passes on as many threads, split as it splits.
                let threads = parallel.threads();
                for (name, pass) in READ_PASSES {
                    let id = format!("{name}-x{threads}");
                    group.bench_function(BenchmarkId::new(id, n), |b| {
                        b.iter(|| {
                            read_pass_threads(
                                pass,
                                black_box(&input),
                                dialect.record_len(),
                                threads,
                            )
                        })
                    });
                }
                bench_backend(
                    &mut group, "parallel", &parallel, dialect, &input, &policy, &mut out,
                );
            }
            for a in &accelerators {
                if a.availability().is_available() && a.supports(dialect) {
                    bench_backend(
                        &mut group,
                        a.name(),
                        a.as_ref(),
                        dialect,
                        &input,
                        &policy,
                        &mut out,
                    );
                }
            }
            group.finish();
        }
    }
}

criterion_group!(benches, backends);
criterion_main!(benches);
