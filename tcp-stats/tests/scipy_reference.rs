//! Every case in `tests/data/scipy_reference.json` (generated from scipy,
//! numpy and statsmodels by `gen_scipy_reference.py`) within its tolerance.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    reason = "tests"
)]

use serde_json::Value;
use tcp_stats::special::{nct_cdf, nct_sf, norm_cdf, norm_ppf, norm_sf, t_cdf, t_pdf, t_ppf, t_sf};
use tcp_stats::{
    Alternative, Moments, PowerTest, StatsError, SummaryOptions, effect_size, mann_whitney_u,
    minimal_detectable_effect, power, ratio_of_means, sample_size, student, summarize_with, welch,
};

fn reference() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/scipy_reference.json"
    ))
    .expect("reference file");
    serde_json::from_str(&text).expect("valid json")
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "nan" => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

/// Samples: a list, or the "weyl" generator spec (see the generator's docstring).
fn samples(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(xs) => xs.iter().map(num).collect(),
        Value::Object(spec) => {
            assert_eq!(spec["generator"], "weyl");
            let n = spec["n"].as_u64().unwrap();
            let offset = num(&spec["offset"]);
            let scale = num(&spec["scale"]);
            let round = spec["round"].as_bool().unwrap();
            (0..n)
                .map(|i| {
                    let u = ((i * 2_654_435_761) % (1u64 << 32)) as f64 / 4_294_967_296.0;
                    if round {
                        offset + (scale * u).floor()
                    } else {
                        offset + scale * u
                    }
                })
                .collect()
        }
        other => panic!("bad samples: {other}"),
    }
}

fn alternative(v: &Value) -> Alternative {
    match v.as_str().unwrap() {
        "two_sided" => Alternative::TwoSided,
        "less" => Alternative::Less,
        "greater" => Alternative::Greater,
        other => panic!("alternative {other}"),
    }
}

fn power_test(input: &Value) -> PowerTest {
    match input["test"].as_str().unwrap() {
        "one_sample" => PowerTest::OneSample,
        _ => PowerTest::TwoSample {
            ratio: num(&input["ratio"]),
        },
    }
}

fn moments(v: &Value) -> Moments {
    Moments {
        n: v["n"].as_u64().unwrap(),
        mean: num(&v["mean"]),
        variance: num(&v["variance"]),
    }
}

/// Computes the case's outputs, as (name, value) pairs named like `expected`.
fn compute(kind: &str, input: &Value) -> Result<Vec<(String, f64)>, StatsError> {
    let pairs = |v: Vec<(&str, f64)>| {
        v.into_iter()
            .map(|(k, x)| (k.to_owned(), x))
            .collect::<Vec<_>>()
    };
    Ok(match kind {
        "summary" => {
            let qs: Vec<f64> = input
                .get("quantiles")
                .map_or(vec![], |q| q.as_array().unwrap().iter().map(num).collect());
            let confidence = input.get("confidence").map_or(0.95, num);
            let s = summarize_with(
                &samples(&input["samples"]),
                &SummaryOptions {
                    confidence,
                    quantiles: qs,
                },
            )?;
            let mut out = pairs(vec![
                ("n", s.n as f64),
                ("mean", s.mean),
                ("variance", s.variance),
                ("std_dev", s.std_dev),
                ("sem", s.sem),
                ("cv", s.cv.unwrap_or(f64::NAN)),
                ("min", s.min),
                ("max", s.max),
                ("p50", s.p50),
                ("p95", s.p95),
                ("p99", s.p99),
                ("mad", s.mad),
                ("mad_normal", s.mad_normal),
                ("ci_lower", s.mean_ci.lower),
                ("ci_upper", s.mean_ci.upper),
            ]);
            for (i, q) in s.quantiles.iter().enumerate() {
                out.push((format!("quantiles[{i}]"), q.value));
            }
            out
        }
        "quantile" => {
            let xs = samples(&input["samples"]);
            let qs: Vec<f64> = input["q"].as_array().unwrap().iter().map(num).collect();
            let mut data = xs.clone();
            let v = tcp_stats::percentile::quantiles_in_place(&mut data, &qs)?;
            v.into_iter()
                .enumerate()
                .map(|(i, x)| (format!("values[{i}]"), x))
                .collect()
        }
        "t_dist" => {
            let (t, df) = (num(&input["t"]), num(&input["df"]));
            pairs(vec![
                ("sf", t_sf(t, df)?),
                ("cdf", t_cdf(t, df)?),
                ("pdf", t_pdf(t, df)?),
            ])
        }
        "t_quantile" => pairs(vec![("ppf", t_ppf(num(&input["p"]), num(&input["df"]))?)]),
        "norm" => {
            let x = num(&input["x"]);
            pairs(vec![("cdf", norm_cdf(x)), ("sf", norm_sf(x))])
        }
        "norm_quantile" => pairs(vec![("ppf", norm_ppf(num(&input["p"]))?)]),
        "nct" => {
            let (t, df, nc) = (num(&input["t"]), num(&input["df"]), num(&input["nc"]));
            pairs(vec![
                ("cdf", nct_cdf(t, df, nc)?),
                ("sf", nct_sf(t, df, nc)?),
            ])
        }
        "welch" | "student" => {
            let (a, b) = (samples(&input["a"]), samples(&input["b"]));
            let r = if kind == "welch" {
                welch(&a, &b)?
            } else {
                student(&a, &b)?
            };
            let ci = r.difference_interval(0.95)?;
            pairs(vec![
                ("t", r.t),
                ("df", r.df),
                ("p_two_sided", r.p_two_sided),
                ("p_less", r.p_less),
                ("p_greater", r.p_greater),
                ("ci95_lower", ci.lower),
                ("ci95_upper", ci.upper),
            ])
        }
        "welch_moments" => {
            let (a, b) = (moments(&input["a"]), moments(&input["b"]));
            let w = tcp_stats::welch_from_moments(&a, &b)?;
            let s = tcp_stats::ttest::student_from_moments(&a, &b)?;
            pairs(vec![
                ("t", w.t),
                ("p_two_sided", w.p_two_sided),
                ("df", w.df),
                ("student_t", s.t),
                ("student_p_two_sided", s.p_two_sided),
            ])
        }
        "one_sample" => {
            let m = Moments::from_samples(&samples(&input["samples"]))?;
            let r = tcp_stats::ttest::one_sample_from_moments(&m, num(&input["mu"]))?;
            pairs(vec![
                ("t", r.t),
                ("df", r.df),
                ("p_two_sided", r.p_two_sided),
            ])
        }
        "mann_whitney" => {
            let r = mann_whitney_u(&samples(&input["a"]), &samples(&input["b"]))?;
            pairs(vec![
                ("u1", r.u1),
                ("p_two_sided", r.p_two_sided),
                ("p_less", r.p_less),
                ("p_greater", r.p_greater),
            ])
        }
        "effect_size" => {
            let a = Moments::from_samples(&samples(&input["a"]))?;
            let b = Moments::from_samples(&samples(&input["b"]))?;
            let e = effect_size(&a, &b)?;
            pairs(vec![
                ("cohen_d", e.cohen_d),
                ("hedges_g", e.hedges_g),
                ("j", e.j),
            ])
        }
        "ratio_of_means" => {
            let a = Moments::from_samples(&samples(&input["a"]))?;
            let b = Moments::from_samples(&samples(&input["b"]))?;
            let r = ratio_of_means(&a, &b, num(&input["level"]))?;
            pairs(vec![
                ("ratio", r.ratio),
                ("df", r.df),
                ("lower", r.interval.lower),
                ("upper", r.interval.upper),
            ])
        }
        "power" => pairs(vec![(
            "power",
            power(
                power_test(input),
                num(&input["effect_size"]),
                num(&input["nobs"]),
                num(&input["alpha"]),
                alternative(&input["alternative"]),
            )?,
        )]),
        "sample_size" => pairs(vec![(
            "nobs",
            sample_size(
                power_test(input),
                num(&input["effect_size"]),
                num(&input["power"]),
                num(&input["alpha"]),
                alternative(&input["alternative"]),
            )?,
        )]),
        "mde" => pairs(vec![(
            "effect_size",
            minimal_detectable_effect(
                power_test(input),
                num(&input["nobs"]),
                num(&input["power"]),
                num(&input["alpha"]),
                alternative(&input["alternative"]),
            )?,
        )]),
        other => panic!("unknown kind {other}"),
    })
}

fn expected_pairs(expected: &Value) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (k, v) in expected.as_object().unwrap() {
        match v {
            Value::Array(xs) => out.extend(
                xs.iter()
                    .enumerate()
                    .map(|(i, x)| (format!("{k}[{i}]"), num(x))),
            ),
            v => out.push((k.clone(), num(v))),
        }
    }
    out
}

#[test]
fn every_reference_case_within_tolerance() {
    let reference = reference();
    let cases = reference["cases"].as_array().unwrap();
    assert!(
        cases.len() > 100,
        "reference file has {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    let mut checked = 0usize;
    // Worst relative error per kind, printed for the record (`--nocapture`).
    let mut worst: std::collections::BTreeMap<String, (f64, String)> = Default::default();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let kind = case["kind"].as_str().unwrap();
        let got = compute(kind, &case["input"]);
        if let Some(code) = case.get("expected_error") {
            match got {
                Err(e) if e.code() == code.as_str().unwrap() => checked += 1,
                other => failures.push(format!("{id}: expected error {code}, got {other:?}")),
            }
            continue;
        }
        let got = match got {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{id}: unexpected error {e}"));
                continue;
            }
        };
        let rel = num(&case["rel_tol"]);
        let abs = num(&case["abs_tol"]);
        for (name, want) in expected_pairs(&case["expected"]) {
            let Some((_, have)) = got.iter().find(|(k, _)| *k == name) else {
                failures.push(format!("{id}: no output {name}"));
                continue;
            };
            checked += 1;
            if want != 0.0 && want.is_finite() && want.abs() > abs {
                let err = ((have - want) / want).abs();
                let entry = worst.entry(kind.to_owned()).or_insert((0.0, String::new()));
                if err > entry.0 {
                    *entry = (err, format!("{id}: {name}"));
                }
            }
            let ok = if want.is_nan() {
                have.is_nan()
            } else {
                (have - want).abs() <= (rel * want.abs()).max(abs)
            };
            if !ok {
                let err = ((have - want) / want).abs();
                failures.push(format!(
                    "{id}: {name} = {have:e}, scipy {want:e} (rel err {err:.2e}, tol {rel:e})"
                ));
            }
        }
    }
    for (kind, (err, at)) in &worst {
        eprintln!("worst relative error {kind:>16}: {err:.2e} ({at})");
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 380, "only {checked} values checked");
}

#[test]
fn reference_records_versions_and_tolerances() {
    let reference = reference();
    for key in ["python", "numpy", "scipy", "statsmodels"] {
        assert!(
            reference["versions"][key].is_string(),
            "missing version of {key}"
        );
    }
    assert_eq!(
        num(&reference["tolerances"]["statistics_and_distributions"]),
        1e-9
    );
    assert_eq!(num(&reference["tolerances"]["power_and_sample_size"]), 1e-6);
}
