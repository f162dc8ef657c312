//! tcp-stats hot paths: the summary (selection-based percentiles) against a
//! sort-based baseline in the same run, streaming accumulation, the t-tests and
//! special functions behind them, and power / sample size.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "bench"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tcp_stats::special::{nct_sf, t_ppf, t_sf};
use tcp_stats::{
    Accumulator, Alternative, Moments, PowerTest, power, sample_size, summarize, welch,
};

/// Timing-like samples: a fixed pseudo-random walk around 1000 with a tail.
fn samples(n: usize, seed: u64) -> Vec<f64> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            1000.0 + 50.0 * u + if u > 0.99 { 5000.0 * (u - 0.99) } else { 0.0 }
        })
        .collect()
}

/// Baseline: the same percentiles by a full sort (what selection avoids).
fn sort_percentiles(xs: &[f64]) -> [f64; 3] {
    let mut s = xs.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    let at = |q: f64| {
        let h = (s.len() - 1) as f64 * q;
        let i = h.floor() as usize;
        let j = (i + 1).min(s.len() - 1);
        s[i] + (h - i as f64) * (s[j] - s[i])
    };
    [at(0.5), at(0.95), at(0.99)]
}

fn bench_summary(c: &mut Criterion) {
    let mut g = c.benchmark_group("summary");
    for n in [10_000usize, 1_000_000] {
        let xs = samples(n, 7);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("summarize", n), &xs, |b, xs| {
            b.iter(|| summarize(black_box(xs)).unwrap())
        });
        g.bench_with_input(
            BenchmarkId::new("percentiles_by_sort_baseline", n),
            &xs,
            |b, xs| b.iter(|| sort_percentiles(black_box(xs))),
        );
        g.bench_with_input(BenchmarkId::new("moments", n), &xs, |b, xs| {
            b.iter(|| Moments::from_samples(black_box(xs)).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("accumulator_push", n), &xs, |b, xs| {
            b.iter(|| {
                let mut acc = Accumulator::new();
                for &x in black_box(xs) {
                    acc.push(x).unwrap();
                }
                acc
            })
        });
        g.bench_with_input(
            BenchmarkId::new("accumulator_slices_of_4096", n),
            &xs,
            |b, xs| {
                b.iter(|| {
                    let mut acc = Accumulator::new();
                    for chunk in black_box(xs).chunks(4096) {
                        acc.extend_from_slice(chunk).unwrap();
                    }
                    acc
                })
            },
        );
    }
    g.finish();
}

fn bench_tests(c: &mut Criterion) {
    let mut g = c.benchmark_group("tests");
    let a = samples(10_000, 1);
    let b = samples(10_000, 2);
    g.bench_function("welch_10k_vs_10k", |bch| {
        bch.iter(|| welch(black_box(&a), black_box(&b)).unwrap())
    });
    g.bench_function("mann_whitney_10k_vs_10k", |bch| {
        bch.iter(|| tcp_stats::mann_whitney_u(black_box(&a), black_box(&b)).unwrap())
    });
    g.finish();
}

fn bench_special(c: &mut Criterion) {
    let mut g = c.benchmark_group("special");
    g.bench_function("t_sf_df30", |b| {
        b.iter(|| t_sf(black_box(2.1), black_box(30.0)).unwrap())
    });
    g.bench_function("t_sf_df2e6", |b| {
        b.iter(|| t_sf(black_box(2.1), black_box(2e6)).unwrap())
    });
    g.bench_function("t_ppf_df30", |b| {
        b.iter(|| t_ppf(black_box(0.975), black_box(30.0)).unwrap())
    });
    g.bench_function("nct_sf_df98", |b| {
        b.iter(|| nct_sf(black_box(1.98), black_box(98.0), black_box(2.5)).unwrap())
    });
    g.bench_function("power_two_sample", |b| {
        b.iter(|| {
            power(
                PowerTest::TwoSample { ratio: 1.0 },
                black_box(0.5),
                64.0,
                0.05,
                Alternative::TwoSided,
            )
            .unwrap()
        })
    });
    g.bench_function("sample_size_two_sample", |b| {
        b.iter(|| {
            sample_size(
                PowerTest::TwoSample { ratio: 1.0 },
                black_box(0.5),
                0.8,
                0.05,
                Alternative::TwoSided,
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench_summary, bench_tests, bench_special);
criterion_main!(benches);
