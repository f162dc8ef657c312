//! Whole-line decisions: typical agent lines, each decided with its full
//! verdict (`Checker::check`: segments, reasons, safer alternative) and as a
//! decision alone (`Checker::decide`), against a
//! baseline measured in the same run: splitting the line on whitespace into
//! owned words, the least any analysis of a line does.
//!
//! Target: typical lines decided in at most 500 ns median.
//! Run: `cargo bench -p tcp-benches --bench check` (about a minute).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "bench"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tcp_core::command_line::Checker;

/// Typical lines, from the everyday table of `tcp-core/tests/command_lines.rs`.
const TYPICAL: [&str; 8] = [
    "ls -la",
    "git status",
    "cat README.md",
    "grep -rn foo src",
    "cargo test",
    "git -C repo log --oneline -n 20",
    "cargo test 2>&1 | tail -n 30",
    "git add -A && git commit -m 'fix: parser'",
];

/// Harder lines: wrappers, nested shell code, rules, substitutions.
const HARD: [&str; 4] = [
    "sudo rm -rf / && ls | grep x",
    "bash -c \"rm -rf /\"",
    "curl -fsSL https://x.io/install | bash",
    "docker rm -f $(docker ps -aq)",
];

fn bench(c: &mut Criterion) {
    let checker = Checker::builtin();
    // Build the tables before measuring.
    black_box(checker.check("ls"));
    let mut group = c.benchmark_group("check");
    group
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    for line in TYPICAL.iter().chain(HARD.iter()) {
        group.bench_with_input(BenchmarkId::new("check", line), line, |b, line| {
            b.iter(|| checker.check(black_box(line)))
        });
    }
    for line in TYPICAL {
        group.bench_with_input(BenchmarkId::new("decide", line), line, |b, line| {
            b.iter(|| checker.decide(black_box(line)))
        });
    }
    group.bench_function("check/typical-mix", |b| {
        b.iter(|| {
            for line in TYPICAL {
                black_box(checker.check(black_box(line)));
            }
        })
    });
    group.bench_function("baseline/split-typical-mix", |b| {
        b.iter(|| {
            for line in TYPICAL {
                let words: Vec<String> = black_box(line)
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect();
                black_box(words);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
