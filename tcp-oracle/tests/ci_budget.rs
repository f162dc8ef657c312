//! The CI budget: a fixed seeded set of lines through two sandboxes. Fails on
//! any divergence not in `known-divergences.txt`, and on any line listed
//! there that no longer diverges (the list only shrinks), each confirmed by
//! reruns (lines that race background jobs can flip; those are printed).
//!
//! `TCP_ORACLE_BLESS=1` rewrites the list from what the run finds;
//! `TCP_ORACLE_LINES=N` runs another budget (then listed lines beyond it are
//! not required to diverge).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use tcp_oracle::checks::TcpDecider;
use tcp_oracle::run::{Lines, RunConfig, run_lines};
use tcp_oracle::sandbox::Config;

/// The seed of the CI budget.
const SEED: u64 = 20_261_208;
/// Lines in the CI budget: about three minutes in the debug profile on two
/// cores (10 000 lines took 120 s at 83 lines/s, 210 s with other builds running).
const BUDGET: u64 = 15_000;
/// Reruns of a line whose status changed, to tell a change from a race.
const RERUNS: usize = 4;

/// How many of `RERUNS` runs of each line diverge.
fn divergent_runs(cfg: &Config, lines: Vec<String>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    if lines.is_empty() {
        return counts;
    }
    let total = (lines.len() * RERUNS) as u64;
    let out = run_lines(
        cfg,
        2,
        total,
        || {
            let lines = lines.clone();
            move |i| lines[usize::try_from(i).unwrap() / RERUNS].clone()
        },
        TcpDecider::new,
    )
    .expect("sandbox");
    let mut runs = BTreeSet::new();
    for (i, d) in &out.divergences {
        if runs.insert(*i) {
            *counts.entry(d.line.clone()).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
#[ignore = "the CI budget (minutes): scripts/test-all.sh oracle runs it"]
fn ci_budget_has_no_new_divergences() {
    let lines: u64 = std::env::var("TCP_ORACLE_LINES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(BUDGET);
    let cfg = RunConfig {
        seed: SEED,
        lines,
        jobs: 2,
        mutate_every: 4,
    };
    let dir = Path::new(env!("CARGO_BIN_EXE_tcp-oracle-shim"))
        .parent()
        .unwrap();
    let out = run_lines(
        &Config::in_dir(dir),
        cfg.jobs,
        cfg.lines,
        || {
            let l = Lines::new(&cfg);
            move |i| l.get(i)
        },
        TcpDecider::new,
    )
    .expect("sandbox (is bubblewrap installed?)");
    eprintln!(
        "oracle CI budget: {} lines in {:.1} s ({:.1} lines/s), {} timeouts, divergences {:?}",
        out.lines,
        out.elapsed.as_secs_f64(),
        out.rate(),
        out.timeouts,
        out.by_check()
    );
    assert!(out.errors.is_empty(), "harness errors: {:?}", out.errors);
    assert_eq!(out.lines, lines);

    let known_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("known-divergences.txt");
    let found: BTreeSet<String> = out.divergent_lines().into_iter().collect();
    if std::env::var_os("TCP_ORACLE_BLESS").is_some() {
        let mut text = String::from(
            "# Lines the CI budget (tests/ci_budget.rs) finds divergent today: one JSON string a line.\n\
             # The test fails on a divergence not listed and on a listed line that no longer diverges.\n",
        );
        for l in &found {
            text.push_str(&serde_json::to_string(l).unwrap());
            text.push('\n');
        }
        std::fs::write(&known_path, text).unwrap();
        return;
    }
    let known: BTreeSet<String> = std::fs::read_to_string(&known_path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| serde_json::from_str::<String>(l).expect("a JSON string per line"))
        .collect();
    // Lines racing background jobs against `kill -9 -1` or the time limit can
    // diverge on one run and not the next: a change is only reported when
    // RERUNS more runs confirm it (all diverge for a new line, none for a
    // fixed one); lines that flip are printed, not failed.
    let new: Vec<String> = found.difference(&known).cloned().collect();
    let fixed: Vec<String> = if lines == BUDGET {
        known.difference(&found).cloned().collect()
    } else {
        Vec::new()
    };
    let dir2 = Config::in_dir(dir);
    let counts = divergent_runs(&dir2, new.iter().chain(&fixed).cloned().collect());
    let mut report = String::new();
    for l in &new {
        let n = counts.get(l).copied().unwrap_or(0);
        let first = out.divergences.iter().find(|(_, d)| &d.line == l);
        if n < RERUNS {
            eprintln!("flaky (diverged in {n} of {RERUNS} reruns): {l:?}");
            continue;
        }
        if let Some((_, d)) = first {
            report.push_str(&format!(
                "NEW {}: {:?}\n    observed {:?} ({}), line decided {}\n",
                d.check.as_str(),
                d.line,
                d.observed,
                d.observed_decision.as_deref().unwrap_or("-"),
                d.line_decision
            ));
        }
    }
    for l in &fixed {
        let n = counts.get(l).copied().unwrap_or(0);
        if n > 0 {
            eprintln!("flaky (diverged in {n} of {RERUNS} reruns): {l:?}");
            continue;
        }
        report.push_str(&format!(
            "FIXED (remove from known-divergences.txt): {l:?}\n"
        ));
    }
    assert!(report.is_empty(), "oracle divergences changed:\n{report}");
}
