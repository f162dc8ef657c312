//! `tcp stats`: the summary and compliance verdicts of a sample file, or the
//! comparison of two (Welch's t-test, effect size, power).
//!
//! Sample files hold one number per line; blank lines and `#` comments are
//! skipped. Every statistic comes from tcp-stats.

use std::process::ExitCode;

use clap::Args;
use serde_json::{Value, json};
use tcp_stats::{
    Alternative, ComplianceProfile, ComplianceReport, Moments, PowerTest, StatsError, Summary,
    SummaryOptions,
};

use crate::output::{json_line, read_input};

/// Arguments of `tcp stats`.
#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Sample file, one sample per line (`-` for stdin).
    #[arg(
        value_name = "FILE",
        required_unless_present = "compare",
        conflicts_with = "compare"
    )]
    pub file: Option<String>,
    /// Compare two sample files: Welch's t-test, effect size, power.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub compare: Option<Vec<String>>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Significance level of the tests and the power calculation.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Compliance profile to check (repeatable; default: every built-in one).
    #[arg(long = "profile", value_name = "NAME")]
    pub profiles: Vec<String>,
    /// Exit with status 1 when a compliance profile fails.
    #[arg(long)]
    pub strict: bool,
}

/// Runs `tcp stats`.
pub fn run(args: &StatsArgs) -> Result<ExitCode, String> {
    match (&args.compare, &args.file) {
        (Some(files), _) => match files.as_slice() {
            [a, b] => compare(args, a, b),
            _ => Err("--compare takes two files".to_owned()),
        },
        (None, Some(file)) => summary(args, file),
        (None, None) => Err("give a sample FILE or --compare A B".to_owned()),
    }
}

/// Parses one sample per line; `#` starts a comment.
fn parse_samples(text: &str, path: &str) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let x: f64 = line
            .parse()
            .map_err(|_| format!("{path}:{}: not a number: {line:?}", n + 1))?;
        if !x.is_finite() {
            return Err(format!("{path}:{}: sample is not finite: {line}", n + 1));
        }
        out.push(x);
    }
    Ok(out)
}

fn load(path: &str) -> Result<Vec<f64>, String> {
    let bytes = read_input(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| format!("{path}: not UTF-8 text"))?;
    parse_samples(text, path)
}

fn stats_err(path: &str) -> impl Fn(StatsError) -> String + '_ {
    move |e| format!("{path}: {e} ({})", e.code())
}

fn profiles(args: &StatsArgs) -> Result<Vec<ComplianceProfile>, String> {
    if args.profiles.is_empty() {
        return Ok(ComplianceProfile::builtin());
    }
    args.profiles
        .iter()
        .map(|name| {
            ComplianceProfile::by_name(name).ok_or_else(|| {
                let known: Vec<String> = ComplianceProfile::builtin()
                    .into_iter()
                    .map(|p| p.name)
                    .collect();
                format!("unknown profile {name:?} (known: {})", known.join(", "))
            })
        })
        .collect()
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| format!("serializing output: {e}"))
}

fn summary(args: &StatsArgs, path: &str) -> Result<ExitCode, String> {
    let samples = load(path)?;
    let options = SummaryOptions {
        confidence: args.confidence,
        quantiles: Vec::new(),
    };
    let s = tcp_stats::summarize_with(&samples, &options).map_err(stats_err(path))?;
    let reports = profiles(args)?
        .iter()
        .map(|p| p.check(&s.moments()))
        .collect::<Result<Vec<ComplianceReport>, _>>()
        .map_err(stats_err(path))?;
    let all_pass = reports.iter().all(|r| r.passed);
    if args.json {
        json_line(
            &json!({ "file": path, "summary": to_json(&s)?, "compliance": to_json(&reports)? }),
        )?;
    } else {
        print_summary(path, &s, &reports);
    }
    Ok(if args.strict && !all_pass {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A float for people: 6 significant digits, trailing zeros dropped
/// (`20.251467969117908` prints as `20.2515`); very large or small
/// magnitudes in exponent form. `--json` keeps every digit.
fn sig(x: f64) -> String {
    const DIGITS: i32 = 6;
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-4..DIGITS).contains(&magnitude) {
        let text = format!("{:.*e}", (DIGITS - 1) as usize, x);
        return match text.split_once('e') {
            Some((mantissa, exp)) => format!("{}e{exp}", trim_zeros(mantissa)),
            None => text,
        };
    }
    let decimals = (DIGITS - 1 - magnitude).max(0) as usize;
    trim_zeros(&format!("{x:.decimals$}")).to_owned()
}

/// `1.50000` -> `1.5`, `2.000` -> `2`; text without a decimal point is kept.
fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

fn print_summary(path: &str, s: &Summary, reports: &[ComplianceReport]) {
    println!("{path}");
    println!("  n          {}", s.n);
    println!("  mean       {}", sig(s.mean));
    println!("  std dev    {}  (ddof = 1)", sig(s.std_dev));
    match s.cv {
        Some(cv) => println!("  cv         {}", sig(cv)),
        None => println!("  cv         undefined (mean is 0)"),
    }
    println!("  min / max  {} / {}", sig(s.min), sig(s.max));
    println!(
        "  p50 / p95 / p99  {} / {} / {}",
        sig(s.p50),
        sig(s.p95),
        sig(s.p99)
    );
    println!(
        "  mad        {}  (normal-scaled {})",
        sig(s.mad),
        sig(s.mad_normal)
    );
    println!(
        "  mean {:.0}% CI  [{}, {}]",
        s.mean_ci.level * 100.0,
        sig(s.mean_ci.lower),
        sig(s.mean_ci.upper)
    );
    for r in reports {
        println!(
            "compliance {}: {}",
            r.profile,
            if r.passed { "pass" } else { "FAIL" }
        );
        for c in &r.criteria {
            println!("  {} {}", if c.passed { "ok  " } else { "FAIL" }, c.message);
        }
    }
}

fn compare(args: &StatsArgs, path_a: &str, path_b: &str) -> Result<ExitCode, String> {
    let a = load(path_a)?;
    let b = load(path_b)?;
    let ma = Moments::from_samples(&a).map_err(stats_err(path_a))?;
    let mb = Moments::from_samples(&b).map_err(stats_err(path_b))?;
    let both = |e: StatsError| format!("{path_a} vs {path_b}: {e} ({})", e.code());
    let welch = tcp_stats::welch_from_moments(&ma, &mb).map_err(both)?;
    let diff_ci = welch.difference_interval(args.confidence).map_err(both)?;
    let effect = tcp_stats::effect_size(&ma, &mb).map_err(both)?;
    let mwu = tcp_stats::mann_whitney_u(&a, &b).ok();
    // Fieller's interval is unbounded when mean B is not distinguishable from 0.
    let ratio = tcp_stats::ratio_of_means(&ma, &mb, args.confidence);
    let test = PowerTest::TwoSample {
        ratio: mb.n as f64 / ma.n as f64,
    };
    let n1 = ma.n as f64;
    let observed_power = tcp_stats::power(
        test,
        effect.cohen_d.abs(),
        n1,
        args.alpha,
        Alternative::TwoSided,
    )
    .map_err(both)?;
    let mde =
        tcp_stats::minimal_detectable_effect(test, n1, 0.8, args.alpha, Alternative::TwoSided)
            .map_err(both)?;
    let significant = welch.p_two_sided < args.alpha;
    if args.json {
        json_line(&json!({
            "a": { "file": path_a, "moments": to_json(&ma)? },
            "b": { "file": path_b, "moments": to_json(&mb)? },
            "welch": to_json(&welch)?,
            "difference_ci": to_json(&diff_ci)?,
            "significant": significant,
            "alpha": args.alpha,
            "mann_whitney": to_json(&mwu)?,
            "effect_size": to_json(&effect)?,
            "ratio_of_means": match &ratio { Ok(r) => to_json(r)?, Err(_) => Value::Null },
            "ratio_of_means_error": ratio.as_ref().err().map(StatsError::code),
            "power": { "observed_effect": observed_power, "minimal_detectable_effect_at_0.8": mde },
        }))?;
    } else {
        println!(
            "A: {path_a}  n = {}  mean = {}  sd = {}",
            ma.n,
            sig(ma.mean),
            sig(ma.variance.sqrt())
        );
        println!(
            "B: {path_b}  n = {}  mean = {}  sd = {}",
            mb.n,
            sig(mb.mean),
            sig(mb.variance.sqrt())
        );
        println!(
            "Welch t = {}  df = {}  p (two-sided) = {}  -> {} at alpha {}",
            sig(welch.t),
            sig(welch.df),
            sig(welch.p_two_sided),
            if significant {
                "significant"
            } else {
                "not significant"
            },
            args.alpha
        );
        println!(
            "mean A - mean B = {}  {:.0}% CI [{}, {}]",
            sig(welch.mean_difference),
            diff_ci.level * 100.0,
            sig(diff_ci.lower),
            sig(diff_ci.upper)
        );
        if let Some(m) = mwu {
            println!(
                "Mann-Whitney U = {}  p (two-sided) = {}",
                sig(m.u1),
                sig(m.p_two_sided)
            );
        }
        println!(
            "Cohen's d = {}  Hedges' g = {}",
            sig(effect.cohen_d),
            sig(effect.hedges_g)
        );
        match ratio {
            Ok(r) => println!(
                "mean A / mean B = {}  {:.0}% CI [{}, {}] (Fieller)",
                sig(r.ratio),
                r.interval.level * 100.0,
                sig(r.interval.lower),
                sig(r.interval.upper)
            ),
            Err(e) => println!("mean A / mean B: {e}"),
        }
        println!(
            "power to detect |d| = {}: {}; minimal detectable effect at power 0.8: d = {}",
            sig(effect.cohen_d.abs()),
            sig(observed_power),
            sig(mde)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_for_people_have_six_significant_digits() {
        assert_eq!(sig(20.251467969117908), "20.2515");
        assert_eq!(sig(0.000123456789), "0.000123457");
        assert_eq!(sig(123456.789), "123457");
        assert_eq!(sig(1234567.89), "1.23457e6");
        assert_eq!(sig(-0.00001234567), "-1.23457e-5");
        assert_eq!(sig(2.5), "2.5");
        assert_eq!(sig(100.0), "100");
        assert_eq!(sig(0.0), "0");
        assert_eq!(sig(f64::INFINITY), "inf");
        // Rounding up to the next power of ten stays at six digits.
        assert_eq!(sig(9.9999996), "10");
    }

    #[test]
    fn parses_numbers_comments_and_blank_lines() {
        let xs = parse_samples("# header\n1.5\n\n  2e3 # trailing\n-4\n", "f").unwrap();
        assert_eq!(xs, vec![1.5, 2000.0, -4.0]);
    }

    #[test]
    fn rejects_garbage_and_non_finite_with_line_numbers() {
        assert_eq!(
            parse_samples("1\nabc\n", "f").unwrap_err(),
            "f:2: not a number: \"abc\""
        );
        assert!(
            parse_samples("1\nNaN\n", "f")
                .unwrap_err()
                .starts_with("f:2: sample is not finite")
        );
        assert!(parse_samples("inf\n", "f").is_err());
    }
}
