//! The labelled corpus scorecard: lines an agent must never run unasked
//! (`corpus/must_gate.jsonl`) and lines it runs all day (`corpus/everyday.jsonl`),
//! decided from the workspace `/home/dev/project` with home `/home/dev`.
//!
//! Prints both numbers. The goal is no must-gate line APPROVED or
//! CAUTION_MODE and at most 5 % of everyday lines stricter than their label;
//! until the knowledge gets there, `corpus/known_gaps.txt` lists the lines that
//! still miss, and the test fails on any miss not listed (a regression) and on
//! any listed line that now passes (so the list only shrinks).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use std::collections::{BTreeMap, BTreeSet};

use tcp_core::Decision;
use tcp_core::command_line::Checker;

const MUST_GATE: &str = include_str!("corpus/must_gate.jsonl");
const EVERYDAY: &str = include_str!("corpus/everyday.jsonl");
const KNOWN_GAPS: &str = include_str!("corpus/known_gaps.txt");

struct Row {
    line: String,
    class: String,
    want: Decision,
}

fn rows(text: &str) -> Vec<Row> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("corpus row is JSON");
            Row {
                line: v["line"].as_str().expect("line").to_owned(),
                class: v["class"].as_str().unwrap_or("").to_owned(),
                want: Decision::parse(v["decision"].as_str().expect("decision"))
                    .expect("a decision name"),
            }
        })
        .collect()
}

fn checker() -> Checker {
    Checker::builtin()
        .with_working_dir("/home/dev/project")
        .with_home_dir("/home/dev")
        .with_workspace_roots(["/home/dev/project"])
}

/// Misses (class, line, decision) and, per class, (lines, misses).
type Misses = (
    Vec<(String, String, Decision)>,
    BTreeMap<String, (usize, usize)>,
);

/// A miss: a must-gate line let through, or an everyday line held stricter.
fn misses(rows: &[Row], gate: bool, checker: &Checker) -> Misses {
    let mut out = Vec::new();
    let mut by_class: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in rows {
        let got = checker.check(&r.line).decision;
        let miss = if gate {
            got < Decision::RequireApproval
        } else {
            got > r.want
        };
        let e = by_class.entry(r.class.clone()).or_default();
        e.0 += 1;
        if miss {
            e.1 += 1;
            out.push((r.class.clone(), r.line.clone(), got));
        }
    }
    (out, by_class)
}

#[test]
fn scorecard() {
    let checker = checker();
    let gate = rows(MUST_GATE);
    let everyday = rows(EVERYDAY);
    let (gate_misses, gate_classes) = misses(&gate, true, &checker);
    let (day_misses, day_classes) = misses(&everyday, false, &checker);
    println!(
        "must-gate: {} lines, {} let through (APPROVED or CAUTION_MODE)",
        gate.len(),
        gate_misses.len()
    );
    for (class, (n, m)) in &gate_classes {
        println!("  {class:<12} {m:>4} of {n:>4} let through");
    }
    println!(
        "everyday: {} lines, {} stricter than their label ({:.1} %)",
        everyday.len(),
        day_misses.len(),
        100.0 * day_misses.len() as f64 / everyday.len().max(1) as f64
    );
    for (class, (n, m)) in &day_classes {
        println!("  {class:<12} {m:>4} of {n:>4} held");
    }
    let known: BTreeSet<&str> = KNOWN_GAPS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    let found: BTreeSet<String> = gate_misses
        .iter()
        .chain(&day_misses)
        .map(|(_, line, _)| serde_json::to_string(line).unwrap())
        .collect();
    let new: Vec<&String> = found
        .iter()
        .filter(|l| !known.contains(l.as_str()))
        .collect();
    let fixed: Vec<&&str> = known.iter().filter(|l| !found.contains(**l)).collect();
    if std::env::var_os("TCP_SCORECARD_WRITE").is_some() {
        let mut text = String::from(
            "# Corpus lines libtcp still decides wrongly (JSON strings), kept by tests/scorecard.rs.\n\
             # Regenerate: TCP_SCORECARD_WRITE=1 cargo test -p tcp-core --test scorecard\n",
        );
        for l in &found {
            text.push_str(l);
            text.push('\n');
        }
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/known_gaps.txt"),
            text,
        )
        .unwrap();
        return;
    }
    assert!(
        new.is_empty() && fixed.is_empty(),
        "{} new misses:\n{}\n{} listed gaps now decided right (remove them from known_gaps.txt):\n{}",
        new.len(),
        new.iter()
            .take(40)
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        fixed.len(),
        fixed
            .iter()
            .take(40)
            .map(|s| **s)
            .collect::<Vec<_>>()
            .join("\n"),
    );
}
