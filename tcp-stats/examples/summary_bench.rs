//! Times `tcp_stats::summarize` on samples read from a file of little-endian
//! f64 (as written by numpy's `tofile`), for `benches/python/bench_stats_numpy.py`.
//!
//! Usage: `summary_bench FILE [REPETITIONS]`. Prints one JSON object: the
//! median and every repetition's wall time (seconds, computation only; the
//! file is read once beforehand) and the summary itself, for cross-checking.

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: summary_bench FILE [REPETITIONS]");
        return ExitCode::from(2);
    };
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let samples: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(<[u8; 8]>::try_from(c).unwrap_or([0; 8])))
        .collect();
    let mut times = Vec::with_capacity(reps);
    let mut last = None;
    for _ in 0..reps {
        let start = Instant::now();
        let summary = tcp_stats::summarize(std::hint::black_box(&samples));
        times.push(start.elapsed().as_secs_f64());
        last = Some(summary);
    }
    let summary = match last {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            eprintln!("summary failed: {e}");
            return ExitCode::FAILURE;
        }
        None => {
            eprintln!("no repetitions");
            return ExitCode::from(2);
        }
    };
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
    let out = serde_json::json!({ "n": samples.len(), "median_s": median, "times_s": times, "summary": summary });
    println!("{out}");
    ExitCode::SUCCESS
}
