//! The long run: `tcp-oracle --lines N --seed S --out divergences.jsonl [--jobs 2]`
//! runs N generated (and mutated) lines through the sandboxes and the checks,
//! writes every divergence as a JSON line and prints counts. `--print-lines`
//! prints the lines instead; `--repeat-line L` runs one line N times (to
//! time the sandbox). `--minimise FILE` shrinks the first `--lines` divergences
//! of a divergence file (same check kind kept) and writes them to `--out`.

use std::io::Write;

use tcp_oracle::checks::{Divergence, TcpDecider, check_line};
use tcp_oracle::minimise::minimise;
use tcp_oracle::run::{Lines, RunConfig, run_lines};
use tcp_oracle::sandbox::{Config, Sandbox};

fn main() {
    if let Err(e) = real_main() {
        eprintln!("tcp-oracle: {e}");
        std::process::exit(2);
    }
}

fn real_main() -> Result<(), Box<dyn std::error::Error>> {
    let mut cfg = RunConfig {
        seed: 1,
        lines: 1000,
        jobs: 2,
        mutate_every: 4,
    };
    let mut out_path: Option<String> = None;
    let mut print_lines = false;
    let mut repeat: Option<String> = None;
    let mut minimise_in: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--lines" => cfg.lines = val()?.parse()?,
            "--seed" => cfg.seed = val()?.parse()?,
            "--jobs" => cfg.jobs = val()?.parse()?,
            "--mutate-every" => cfg.mutate_every = val()?.parse()?,
            "--out" => out_path = Some(val()?),
            "--print-lines" => print_lines = true,
            "--repeat-line" => repeat = Some(val()?),
            "--minimise" => minimise_in = Some(val()?),
            "-h" | "--help" => {
                println!(
                    "tcp-oracle --lines N --seed S [--jobs J] [--mutate-every K] [--out FILE] [--print-lines] [--repeat-line LINE]\n       tcp-oracle --minimise DIVERGENCES.jsonl [--lines MAX] [--out FILE]"
                );
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if let Some(input) = minimise_in {
        return minimise_file(&input, out_path.as_deref(), cfg.lines);
    }
    let lines = Lines::new(&cfg);
    if print_lines {
        let mut so = std::io::stdout().lock();
        for i in 0..cfg.lines {
            writeln!(so, "{}", serde_json::to_string(&lines.get(i))?)?;
        }
        return Ok(());
    }
    let sb = Config::beside_current_exe()?;
    let out = run_lines(
        &sb,
        cfg.jobs,
        cfg.lines,
        || {
            let lines = Lines::new(&cfg);
            let repeat = repeat.clone();
            move |i| repeat.clone().unwrap_or_else(|| lines.get(i))
        },
        TcpDecider::new,
    )?;
    if let Some(p) = out_path {
        let mut f = std::io::BufWriter::new(std::fs::File::create(p)?);
        for (i, d) in &out.divergences {
            let mut v = serde_json::to_value(d)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("index".into(), (*i).into());
                o.insert("seed".into(), cfg.seed.into());
            }
            writeln!(f, "{}", serde_json::to_string(&v)?)?;
        }
    }
    println!("lines: {}", out.lines);
    println!("divergent lines: {}", out.divergent_lines().len());
    for (k, n) in out.by_check() {
        println!("divergences {k}: {n}");
    }
    println!("timeouts: {}", out.timeouts);
    println!("errors: {}", out.errors.len());
    for (i, e) in out.errors.iter().take(5) {
        println!("  error at line {i}: {e}");
    }
    println!(
        "wall: {:.1} s, {:.1} lines/s ({} sandboxes)",
        out.elapsed.as_secs_f64(),
        out.rate(),
        cfg.jobs
    );
    Ok(())
}

/// Shrinks each divergence of `input` (at most `max`) with the sandbox.
fn minimise_file(
    input: &str,
    out: Option<&str>,
    max: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let sb_cfg = Config::beside_current_exe()?;
    let mut sb = Sandbox::start(&sb_cfg)?;
    let layout = sb.layout().clone();
    let dec = TcpDecider::new(&layout);
    let mut w: Box<dyn Write> = match out {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => Box::new(std::io::stdout()),
    };
    let text = std::fs::read_to_string(input)?;
    for l in text
        .lines()
        .take(usize::try_from(max).unwrap_or(usize::MAX))
    {
        let d: Divergence = serde_json::from_str(l)?;
        let mut still = |cand: &str| {
            sb.run(cand)
                .map(|obs| {
                    check_line(&dec, &layout, cand, &obs)
                        .iter()
                        .any(|x| x.check == d.check)
                })
                .unwrap_or(false)
        };
        let small = minimise(&d.line, 400, &mut still);
        let obs = sb.run(&small)?;
        let found = check_line(&dec, &layout, &small, &obs);
        if let Some(m) = found.iter().find(|x| x.check == d.check) {
            let mut v = serde_json::to_value(m)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("original".into(), d.line.clone().into());
            }
            writeln!(w, "{}", serde_json::to_string(&v)?)?;
        }
    }
    Ok(())
}
