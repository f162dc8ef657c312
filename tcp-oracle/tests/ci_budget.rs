//! The CI budget: a fixed seeded set of lines through two sandboxes. Fails on
//! any divergence not in `known-divergences.txt`, and on any line listed
//! there that no longer diverges (the list only shrinks).
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

use std::collections::BTreeSet;
use std::path::Path;

use tcp_oracle::checks::TcpDecider;
use tcp_oracle::run::{Lines, RunConfig, run_lines};
use tcp_oracle::sandbox::Config;

/// The seed of the CI budget.
const SEED: u64 = 20_261_208;
/// Lines in the CI budget: about three minutes in the debug profile on two
/// cores shared with other builds (56 lines/s measured at load 10).
const BUDGET: u64 = 10_000;

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
    let mut report = String::new();
    for (_, d) in out
        .divergences
        .iter()
        .filter(|(_, d)| !known.contains(&d.line))
    {
        report.push_str(&format!(
            "NEW {}: {:?}\n    observed {:?} ({}), line decided {}\n",
            d.check.as_str(),
            d.line,
            d.observed,
            d.observed_decision.as_deref().unwrap_or("-"),
            d.line_decision
        ));
    }
    if lines == BUDGET {
        for l in known.difference(&found) {
            report.push_str(&format!(
                "FIXED (remove from known-divergences.txt): {l:?}\n"
            ));
        }
    }
    assert!(report.is_empty(), "oracle divergences changed:\n{report}");
}
