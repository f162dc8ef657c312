//! Runs a seeded budget of lines through parallel sandboxes and the checks.

use std::collections::BTreeMap;
use std::io;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use proptest::strategy::BoxedStrategy;

use crate::checks::{Decider, Divergence, check_line};
use crate::fixture::Layout;
use crate::generate::{line, value_for};
use crate::mutate::mutated;
use crate::sandbox::{self, Sandbox};
use crate::seeds;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The seed: the same seed gives the same lines.
    pub seed: u64,
    /// How many lines.
    pub lines: u64,
    /// Parallel sandboxes.
    pub jobs: usize,
    /// Every `mutate_every`-th line is a mutated seed line (0: none).
    pub mutate_every: u64,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Lines run.
    pub lines: u64,
    /// Every divergence, in line order.
    pub divergences: Vec<(u64, Divergence)>,
    /// Lines that hit the wall-clock limit.
    pub timeouts: u64,
    /// Lines whose observation failed (driver or sandbox errors).
    pub errors: Vec<(u64, String)>,
    /// Wall time.
    pub elapsed: Duration,
}

impl Outcome {
    /// Divergences counted by check.
    pub fn by_check(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for (_, d) in &self.divergences {
            *m.entry(d.check.as_str()).or_insert(0) += 1;
        }
        m
    }

    /// The distinct lines that diverged, sorted.
    pub fn divergent_lines(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .divergences
            .iter()
            .map(|(_, d)| d.line.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Lines per second.
    pub fn rate(&self) -> f64 {
        self.lines as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The line sources of a run: generated lines and mutated seeds.
pub struct Lines {
    generated: BoxedStrategy<String>,
    mutated: Option<BoxedStrategy<String>>,
    seed: u64,
    mutate_every: u64,
}

impl Lines {
    /// The sources for `cfg` (mutation only when seed lines exist).
    pub fn new(cfg: &RunConfig) -> Self {
        let seeds = seeds::load();
        Self {
            generated: line(),
            mutated: (!seeds.is_empty() && cfg.mutate_every > 0).then(|| mutated(seeds)),
            seed: cfg.seed,
            mutate_every: cfg.mutate_every,
        }
    }

    /// Line `i` of the run.
    pub fn get(&self, i: u64) -> String {
        match &self.mutated {
            Some(m) if i % self.mutate_every == self.mutate_every - 1 => {
                value_for(m, self.seed, i).unwrap_or_default()
            }
            _ => value_for(&self.generated, self.seed, i).unwrap_or_default(),
        }
    }
}

/// Runs `count` lines (made by index by what `lines` makes, once per
/// sandbox thread) through `jobs` sandboxes; `decider` makes each
/// sandbox's decider from its fixture layout.
pub fn run_lines<D, F, G, L>(
    sandbox_cfg: &sandbox::Config,
    jobs: usize,
    count: u64,
    lines: L,
    decider: F,
) -> io::Result<Outcome>
where
    D: Decider,
    F: Fn(&Layout) -> D + Sync,
    G: Fn(u64) -> String,
    L: Fn() -> G + Sync,
{
    let start = Instant::now();
    let result = Mutex::new(Outcome::default());
    let jobs = jobs.max(1) as u64;
    let first_err: Mutex<Option<io::Error>> = Mutex::new(None);
    std::thread::scope(|s| {
        for w in 0..jobs {
            let result = &result;
            let first_err = &first_err;
            let decider = &decider;
            let lines = &lines;
            s.spawn(move || {
                let line_at = lines();
                let mut sb = match Sandbox::start(sandbox_cfg) {
                    Ok(sb) => sb,
                    Err(e) => {
                        *first_err.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        return;
                    }
                };
                let mut dec = decider(sb.layout());
                let mut i = w;
                while i < count {
                    let l = line_at(i);
                    match sb.run(&l) {
                        Ok(obs) => {
                            let divs = check_line(&dec, sb.layout(), &l, &obs);
                            let mut r = result.lock().unwrap_or_else(|e| e.into_inner());
                            r.lines += 1;
                            r.timeouts += u64::from(obs.timed_out);
                            if let Some(e) = obs.error {
                                r.errors.push((i, e));
                            }
                            r.divergences.extend(divs.into_iter().map(|d| (i, d)));
                        }
                        Err(e) => {
                            result
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .errors
                                .push((i, format!("sandbox: {e}")));
                            // The driver died: start a fresh sandbox for the rest.
                            match Sandbox::start(sandbox_cfg) {
                                Ok(n) => {
                                    sb = n;
                                    dec = decider(sb.layout());
                                }
                                Err(e) => {
                                    *first_err.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                                    return;
                                }
                            }
                        }
                    }
                    i += jobs;
                }
            });
        }
    });
    if let Some(e) = first_err.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    let mut out = result.into_inner().unwrap_or_else(|e| e.into_inner());
    out.divergences.sort_by_key(|(i, _)| *i);
    out.errors.sort();
    out.elapsed = start.elapsed();
    Ok(out)
}
