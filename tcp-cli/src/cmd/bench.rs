//! `tcp bench`: measures the backends here, on generated records, against the
//! memory-read pass measured in the same run (medians of real timings).

use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use serde_json::json;
use tcp_core::{Dialect, Policy};
use tcp_hw::Backend;
use tcp_hw::measure::measure;

use crate::output::json_line;

/// Largest batch accepted (records): 24 bytes each, plus the output.
const MAX_RECORDS: usize = 200_000_000;

/// Arguments of `tcp bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// One JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Measure only this backend (`tcp backends` lists them); all available ones if absent.
    #[arg(long)]
    backend: Option<String>,
    /// Records per batch.
    #[arg(long, default_value_t = 1_000_000)]
    n: usize,
    /// Record layout of the generated batch (`v2-kb` or `c24`).
    #[arg(long, default_value = "v2-kb")]
    dialect: String,
    /// Timed rounds; the median is reported.
    #[arg(long, default_value_t = 11)]
    rounds: usize,
}

/// Runs `tcp bench`.
pub fn run(args: &BenchArgs) -> Result<ExitCode, String> {
    if args.n == 0 || args.n > MAX_RECORDS {
        return Err(format!("--n must be between 1 and {MAX_RECORDS}"));
    }
    let dialect = Dialect::parse(&args.dialect).map_err(|e| e.to_string())?;
    let candidates: Vec<Arc<dyn Backend>> = match &args.backend {
        Some(name) => vec![
            tcp_hw::select::backend_by_name(name)
                .ok_or_else(|| format!("no backend named {name:?} (see `tcp backends`)"))?,
        ],
        None => tcp_hw::select::all_backends(),
    };
    let mut chosen = Vec::new();
    let mut skipped = Vec::new();
    for b in &candidates {
        match b.availability() {
            tcp_hw::Availability::Unavailable { reason } => skipped.push((b.name(), reason)),
            tcp_hw::Availability::Available if !b.supports(dialect) => {
                skipped.push((b.name(), format!("does not support {dialect}")));
            }
            tcp_hw::Availability::Available => chosen.push(b.as_ref()),
        }
    }
    if chosen.is_empty() {
        let why: Vec<String> = skipped.iter().map(|(n, r)| format!("{n}: {r}")).collect();
        return Err(format!("nothing to measure: {}", why.join("; ")));
    }
    let report = measure(&chosen, dialect, args.n, &Policy::default(), args.rounds)
        .map_err(|e| e.to_string())?;
    let record_len = dialect.record_len() as f64;
    let read_rate = report.read.records_per_second();
    if args.json {
        let backends: Vec<_> = report
            .backends
            .iter()
            .zip(&chosen)
            .map(|(t, b)| {
                json!({
                    "name": t.name,
                    "device": b.device(),
                    "threads": t.threads,
                    "median_ns": t.median.as_nanos() as u64,
                    "records_per_s": t.records_per_second(),
                    "ratio_to_read": report.ratio_to_read(t),
                })
            })
            .collect();
        let skipped: Vec<_> = skipped
            .iter()
            .map(|(n, r)| json!({"name": n, "reason": r}))
            .collect();
        json_line(&json!({
            "dialect": dialect.as_str(),
            "records": args.n,
            "rounds": report.read.rounds,
            "read": {
                "pass": report.read.name,
                "median_ns": report.read.median.as_nanos() as u64,
                "records_per_s": read_rate,
                "bytes_per_s": read_rate * record_len,
            },
            "read_passes": report.reads.iter().map(|t| json!({
                "name": t.name,
                "threads": t.threads,
                "median_ns": t.median.as_nanos() as u64,
                "records_per_s": t.records_per_second(),
            })).collect::<Vec<_>>(),
            "backends": backends,
            "skipped": skipped,
        }))?;
    } else {
        println!(
            "{} records of {dialect} ({:.1} MB), median of {} rounds",
            args.n,
            args.n as f64 * record_len / 1e6,
            report.read.rounds
        );
        let mut thread_counts: Vec<usize> = report.reads.iter().map(|t| t.threads).collect();
        thread_counts.dedup();
        for threads in thread_counts {
            let Some(ceiling) = report.ceiling(threads) else {
                continue;
            };
            let rate = ceiling.records_per_second();
            println!(
                "{:<9} {:>10.1} M records/s  ({:.2} GB/s memory read on {threads} thread{}, the ceiling: {})",
                read_label(threads),
                rate / 1e6,
                rate * record_len / 1e9,
                if threads == 1 { "" } else { "s" },
                report
                    .reads
                    .iter()
                    .filter(|t| t.threads == threads)
                    .map(|t| format!("{} {:.1} M/s", t.name, t.records_per_second() / 1e6))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for (t, b) in report.backends.iter().zip(&chosen) {
            println!(
                "{:<9} {:>10.1} M records/s  {:>5.1}% of {}   {}",
                t.name,
                t.records_per_second() / 1e6,
                100.0 * report.ratio_to_read(t),
                read_label(t.threads),
                b.device()
            );
        }
        for (n, r) in &skipped {
            println!("{n:<9} skipped: {r}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The name of the read ceiling on `threads` threads, as printed.
fn read_label(threads: usize) -> String {
    if threads == 1 {
        "read".to_owned()
    } else {
        format!("read x{threads}")
    }
}
