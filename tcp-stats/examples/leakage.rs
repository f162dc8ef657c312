//! dudect-style timing-leakage check, with a positive control.
//!
//! Class A compares the secret with an equal copy of it; class B with random
//! bytes (which differ from the first byte, with overwhelming probability).
//! Classes are chosen at random and interleaved, inputs prepared beforehand
//! in one array so both classes touch memory the same way, and each
//! measurement times a batch of calls (to rise above the timer's resolution).
//!
//! - positive control: an early-exit byte compare must be flagged (|t| > 4.5),
//!   over 512 bytes and over the 4 bytes of a command hash;
//! - `tcp_core::hash::ct_eq` and `ct_eq_u32` must not be.
//!
//! Run: `cargo run --release -p tcp-stats --example leakage [measurements]`.
//! Exits 0 when every verdict is as expected, 1 otherwise.
#![allow(clippy::indexing_slicing, reason = "example over fixed-size arrays")]

use std::hint::black_box;
use std::process::ExitCode;

use tcp_stats::leakage::{LeakageConfig, assess_interleaved, measure, random_classes};

const LEN: usize = 512;
const BATCH: usize = 16;

/// The positive control: returns at the first differing byte.
#[inline(never)]
fn leaky_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    for (x, y) in a.iter().zip(b) {
        if black_box(*x) != black_box(*y) {
            return false;
        }
    }
    true
}

fn random_bytes(state: &mut u64) -> u8 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 24) as u8
}

fn run(name: &str, count: usize, expect_leak: bool, op: &dyn Fn(&[u8], &[u8]) -> bool) -> bool {
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let secret: Vec<u8> = (0..LEN).map(|_| random_bytes(&mut rng)).collect();
    let classes = random_classes(count, 0xC0FF_EE00 ^ name.len() as u64);
    // One input per measurement, in one allocation: class A = the secret, class B = random.
    let inputs: Vec<u8> = classes
        .iter()
        .flat_map(|&is_b| {
            let row: Vec<u8> = if is_b {
                (0..LEN).map(|_| random_bytes(&mut rng)).collect()
            } else {
                secret.clone()
            };
            row
        })
        .collect();
    let times = measure(count, |i| {
        let input = &inputs[i * LEN..(i + 1) * LEN];
        for _ in 0..BATCH {
            black_box(op(black_box(&secret), black_box(input)));
        }
    });
    match assess_interleaved(&times, &classes, &LeakageConfig::default()) {
        Ok(report) => {
            let verdict = if report.leaky {
                "LEAKY"
            } else {
                "no leak detected"
            };
            let ok = report.leaky == expect_leak;
            println!(
                "{name:<28} max |t| = {:>8.2} over {} tests -> {verdict} ({})",
                report.max_abs_t,
                report.tests.len(),
                if ok { "as expected" } else { "UNEXPECTED" }
            );
            ok
        }
        Err(e) => {
            println!("{name}: {e}");
            false
        }
    }
}

fn main() -> ExitCode {
    let count = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000usize);
    println!(
        "{count} interleaved measurements per function, {BATCH} calls each, {LEN}-byte inputs"
    );
    let mut ok = run("leaky early-exit compare", count, true, &leaky_eq);
    // The same control at the size tcp-core really compares (4-byte hashes).
    ok &= run("leaky compare, 4 bytes", count, true, &|a, b| {
        leaky_eq(&a[..4], &b[..4])
    });
    ok &= run(
        "tcp_core::hash::ct_eq",
        count,
        false,
        &tcp_core::hash::ct_eq,
    );
    ok &= run("tcp_core::hash::ct_eq_u32", count, false, &|a, b| {
        let x = u32::from_le_bytes([a[0], a[1], a[2], a[3]]);
        let y = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        tcp_core::hash::ct_eq_u32(x, y)
    });
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
