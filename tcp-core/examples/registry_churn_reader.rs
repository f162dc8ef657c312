//! A reader for the registry churn test (`scripts/test-registry-churn.sh`).
//!
//!   registry_churn_reader PATH A.tcpr B.tcpr STOP_FILE
//!
//! Looks commands up in the registry at PATH in a loop, while another
//! process replaces PATH again and again with the contents of A or B, until
//! STOP_FILE exists. Every answer must come from a whole registry: a registry
//! opened once (read into memory, and mapped) keeps answering as it did at
//! first; a fresh open and a hot-reloaded `LiveChecker` answer as A or as B.
//! Prints one summary line; exits 1 if any answer was from neither.
//! `CHURN_READER_PAUSE_US` (default 0) pauses between rounds.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tcp_core::registry::{CheckerSource, LiveChecker};
use tcp_core::{Decision, Registry, RiskLevel};

/// Names whose answers tell the two registries apart.
const PROBES: [&str; 2] = ["aa-status", "churn-probe"];

/// What a registry answers for the probes, and its size.
type Signature = (usize, [Option<RiskLevel>; 2], [bool; 2]);

fn signature(r: &Registry) -> Signature {
    let [a, b] = PROBES.map(|n| r.get(n));
    (
        r.len(),
        [a.and_then(|e| e.risk), b.and_then(|e| e.risk)],
        [a.is_some(), b.is_some()],
    )
}

fn open(path: &Path) -> Result<Registry, String> {
    Registry::open(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn decision(live: &LiveChecker) -> Decision {
    live.check(PROBES[0]).decision
}

fn run() -> Result<ExitCode, String> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [path, a, b, stop] = args.as_slice() else {
        return Err("usage: registry_churn_reader PATH A.tcpr B.tcpr STOP_FILE".into());
    };
    let (sig_a, sig_b) = (signature(&open(a)?), signature(&open(b)?));
    if sig_a == sig_b {
        return Err("A and B answer alike: the test could not tell them apart".into());
    }
    let decided = |p: &Path| {
        LiveChecker::open(CheckerSource {
            registry: Some(p.to_path_buf()),
            policy: None,
        })
        .map(|l| decision(&l))
        .map_err(|e| e.to_string())
    };
    let (dec_a, dec_b) = (decided(a)?, decided(b)?);

    let held = open(path)?;
    let held_sig = signature(&held);
    let mapped = Registry::open_mapped(path).map_err(|e| e.to_string())?;
    let mapped_sig = signature(&mapped);
    let live = LiveChecker::open(CheckerSource {
        registry: Some(path.clone()),
        policy: None,
    })
    .map_err(|e| e.to_string())?;

    let (mut lookups, mut opens, mut reloads, mut decisions) = (0u64, 0u64, 0u64, 0u64);
    let (mut seen_a, mut seen_b, mut bad) = (0u64, 0u64, 0u64);
    let mut whole = |sig: Signature, what: &str, bad: &mut u64| {
        if sig == sig_a {
            seen_a += 1;
        } else if sig == sig_b {
            seen_b += 1;
        } else {
            *bad += 1;
            eprintln!("rust-reader: {what} answered {sig:?}, from neither registry");
        }
    };
    let pause = std::time::Duration::from_micros(
        std::env::var("CHURN_READER_PAUSE_US")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    );
    let mut i = 0u64;
    while !stop.exists() {
        i += 1;
        std::thread::sleep(pause);
        // Registries opened once never change, whatever happens to the file.
        for (r, sig, what) in [(&held, held_sig, "held"), (&mapped, mapped_sig, "mapped")] {
            let now = signature(r);
            lookups += 2;
            if now != sig {
                whole(now, what, &mut bad);
                eprintln!("rust-reader: the {what} registry changed under us");
            }
        }
        let sig = signature(live.checker().registry());
        lookups += 2;
        whole(sig, "live", &mut bad);
        let d = decision(&live);
        decisions += 1;
        if d != dec_a && d != dec_b {
            bad += 1;
            eprintln!("rust-reader: live decision {d:?} is neither {dec_a:?} nor {dec_b:?}");
        }
        if i % 4 == 0 {
            match live.reload() {
                Ok(()) => reloads += 1,
                Err(e) => {
                    bad += 1;
                    eprintln!("rust-reader: reload failed: {e}");
                }
            }
            match open(path) {
                Ok(r) => {
                    opens += 1;
                    lookups += 2;
                    whole(signature(&r), "fresh open", &mut bad);
                }
                Err(e) => {
                    bad += 1;
                    eprintln!("rust-reader: open failed: {e}");
                }
            }
        }
    }
    println!(
        "rust-reader: lookups={lookups} decisions={decisions} opens={opens} reloads={reloads} \
         answers_a={seen_a} answers_b={seen_b} bad={bad}"
    );
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn main() -> ExitCode {
    run().unwrap_or_else(|e| {
        eprintln!("rust-reader: {e}");
        ExitCode::FAILURE
    })
}
