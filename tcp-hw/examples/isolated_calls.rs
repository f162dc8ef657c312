//! `simd` against `parallel` on calls that come one at a time, with the
//! machine idle in between (a CLI run, a request now and then), where rayon's
//! threads have gone to sleep and must be woken; criterion and `tcp bench`
//! time calls back to back, with the threads awake. This is where
//! `select`'s `PARALLEL_MIN_RECORDS` comes from.
//!
//! ```text
//! cargo run --release -p tcp-hw --example isolated_calls -- [GAP_MS] [CALLS]
//! ```
//!
//! For each size: the median time of `CALLS` calls of each backend, each call
//! after `GAP_MS` ms of sleep (default 5 ms, 101 calls), alternating the
//! backends call by call.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "example"
)]

use std::time::{Duration, Instant};

use tcp_core::{Dialect, Policy};
use tcp_hw::testing::{Mix, records};
use tcp_hw::{Backend, ParallelBackend, SimdBackend};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let gap = Duration::from_millis(args.next().map_or(5, |a| a.parse().unwrap()));
    let calls: usize = args.next().map_or(101, |a| a.parse().unwrap());
    let simd = SimdBackend::new();
    let parallel = ParallelBackend::simd();
    let policy = Policy::default();
    println!(
        "v2-kb, {} ms idle before each call, median of {calls} calls; {} threads",
        gap.as_millis(),
        parallel.threads()
    );
    println!(
        "{:>9} {:>12} {:>12} {:>9}",
        "records", "simd", "parallel", "ratio"
    );
    for n in [32 << 10, 64 << 10, 128 << 10, 256 << 10, 512 << 10, 1 << 20] {
        let input = records(Dialect::V2Kb, n, Mix::Valid, 7);
        let mut out = vec![0u8; n];
        let mut times = [Vec::new(), Vec::new()];
        for _ in 0..calls {
            for (b, t) in [&simd as &dyn Backend, &parallel].iter().zip(&mut times) {
                std::thread::sleep(gap);
                let start = Instant::now();
                b.validate(Dialect::V2Kb, &input, &policy, &mut out)
                    .unwrap();
                t.push(start.elapsed());
            }
        }
        let [s, p] = times.map(median);
        println!(
            "{n:>9} {:>9.1} us {:>9.1} us {:>8.2}x",
            s.as_secs_f64() * 1e6,
            p.as_secs_f64() * 1e6,
            s.as_secs_f64() / p.as_secs_f64()
        );
    }
}
