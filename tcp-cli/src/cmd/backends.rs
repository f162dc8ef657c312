//! `tcp backends`: the batch validation backends this build has, and whether they run here.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use tcp_core::Dialect;
use tcp_hw::{Availability, BackendKind, CpuLevel};

use crate::output::json_line;

/// Arguments of `tcp backends`.
#[derive(Args, Debug)]
pub struct BackendsArgs {
    /// One JSON object per backend instead of a table.
    #[arg(long)]
    json: bool,
}

fn kind_name(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Cpu => "cpu",
        BackendKind::Simd => "simd",
        BackendKind::OpenCl => "opencl",
        BackendKind::Fpga => "fpga",
    }
}

/// Runs `tcp backends`.
pub fn run(args: &BackendsArgs) -> Result<ExitCode, String> {
    let levels: Vec<&str> = CpuLevel::available().iter().map(|l| l.name()).collect();
    for b in tcp_hw::select::all_backends() {
        let dialects: Vec<&str> = Dialect::ALL
            .iter()
            .filter(|d| b.supports(**d))
            .map(|d| d.as_str())
            .collect();
        let (available, reason) = match b.availability() {
            Availability::Available => (true, None),
            Availability::Unavailable { reason } => (false, Some(reason)),
        };
        if args.json {
            let simd = b.name() == "simd";
            let v = json!({
                "name": b.name(),
                "kind": kind_name(b.kind()),
                "device": b.device(),
                "available": available,
                "reason": reason,
                "dialects": dialects,
                "level": simd.then(|| CpuLevel::detect().name()),
                "levels_available": simd.then(|| levels.clone()),
            });
            json_line(&v)?;
        } else {
            let state = if available {
                "available"
            } else {
                "unavailable"
            };
            println!(
                "{:<9} {:<7} {:<12} {}",
                b.name(),
                kind_name(b.kind()),
                state,
                b.device()
            );
            if let Some(reason) = reason {
                println!("{:<30}why: {reason}", "");
            } else if !dialects.is_empty() && dialects.len() < Dialect::ALL.len() {
                println!("{:<30}dialects: {}", "", dialects.join(", "));
            }
        }
    }
    if !args.json {
        println!(
            "cpu levels here: {} (running: {}; cap with TCP_HW_MAX_LEVEL)",
            levels.join(", "),
            CpuLevel::detect().name()
        );
    }
    Ok(ExitCode::SUCCESS)
}
