//! Bounded work: no line up to the size limit aborts, hangs, or takes time or
//! memory beyond a linear budget. Adversarial shapes (products, nesting,
//! repetition) are decided and measured; a counting allocator gives the peak
//! memory. Release-build timings are in `cargo bench -p tcp-benches --bench check`;
//! here the bounds are for a debug build.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tcp_core::Decision;
use tcp_core::command_line::{Checker, MAX_LINE_BYTES};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's contract is forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Lines just under the size limit, built to multiply work.
fn adversarial() -> Vec<(&'static str, String)> {
    let n = MAX_LINE_BYTES - 64;
    let fill = |unit: &str| unit.repeat(n / unit.len());
    let roots = fill("a ");
    let holders = fill("{} ");
    vec![
        ("open braces", fill("{")),
        ("brace lists", fill("{a,b}")),
        (
            "nested braces",
            format!("echo {}x{}", "{a,".repeat(n / 8), "}".repeat(n / 8)),
        ),
        ("sequences", fill("{1..99}")),
        (
            "find roots x placeholders",
            format!(
                "find {} -exec rm {} \\;",
                &roots[..n / 2],
                &holders[..n / 2 - 40]
            ),
        ),
        (
            "nested substitutions",
            format!("{}x{}", "$(".repeat(n / 3), ")".repeat(n / 3)),
        ),
        ("nested backquotes", fill("`echo ")),
        ("arithmetic", format!("(( {} ))", fill("a[$(rm)]+"))),
        ("deep groups", fill("{ ")),
        ("deep subshells", fill("(")),
        ("many segments", fill("ls;")),
        ("long pipeline", fill("ls|")),
        ("here-documents", fill("cat <<E\n")),
        ("variables", format!("{}git push $F", fill("F=--force;"))),
        ("cd chain", fill("cd ..;")),
        ("launchers", fill("sudo ")),
        ("bash -c nesting", "bash -c ".repeat(n / 9)),
        ("quotes", fill("'a'\"b\"")),
        ("ansi-c", fill("$'\\x41'")),
        ("glob words", fill("*?[a] ")),
        ("assignments", fill("a=b ")),
        ("conditionals", format!("[[ {} ]]", fill("a == b && "))),
        ("case arms", format!("case x in {} esac", fill("a) ls;; "))),
        ("redirections", fill(">a ")),
        ("long option words", format!("git push {}", fill("--forc "))),
        ("one huge word", "a".repeat(n)),
    ]
}

#[test]
fn every_adversarial_line_is_decided_within_bounds() {
    let checker = Checker::builtin()
        .with_working_dir("/home/dev/project")
        .with_home_dir("/home/dev");
    // Debug builds are 10-30x slower than release; release figures are in BENCHMARKS.md.
    let time_limit = Duration::from_millis(if cfg!(debug_assertions) { 1500 } else { 5 * 4 });
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (name, line) in adversarial() {
        assert!(line.len() <= MAX_LINE_BYTES, "{name}: {} bytes", line.len());
        PEAK.store(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
        let base = CURRENT.load(Ordering::Relaxed);
        let t = Instant::now();
        let v = checker.check(&line);
        let took = t.elapsed();
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        report.push(format!(
            "{name:<28} {:>9.3} ms {:>8} KiB {}",
            took.as_secs_f64() * 1e3,
            peak / 1024,
            v.decision
        ));
        if took > time_limit {
            failures.push(format!("{name}: {took:?}"));
        }
        if peak > 64 << 20 {
            failures.push(format!("{name}: {} MiB", peak >> 20));
        }
        // Nothing this shaped is approved by accident.
        // Shapes built from dangerous parts are never approved.
        let dangerous = [
            "find roots x placeholders",
            "arithmetic",
            "variables",
            "launchers",
            "long option words",
        ];
        if dangerous.contains(&name) && v.decision == Decision::Approved {
            failures.push(format!("{name}: approved"));
        }
    }
    println!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "{}\n{}",
        failures.join("\n"),
        report.join("\n")
    );
}

#[test]
fn over_the_limit_asks_without_parsing() {
    let checker = Checker::builtin();
    let line = "ls ".repeat(MAX_LINE_BYTES / 3 + 10);
    assert_eq!(checker.check(&line).decision, Decision::RequireApproval);
}
