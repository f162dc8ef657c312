#!/usr/bin/env python3
"""Generate scipy_reference.json: expected values for tcp-stats from scipy,
numpy and statsmodels.

Run by hand when cases change (CI only reads the JSON):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scipy statsmodels numpy
    /tmp/venv/bin/python tcp-stats/tests/data/gen_scipy_reference.py

Each case has an id, a kind, inputs, expected outputs, the tolerance it is
checked to (relative, with an absolute floor for values that are ~0), and the
function that produced the expected values. Samples are either listed or given
as a deterministic generator spec that Rust reproduces bit for bit:

    {"generator": "weyl", "n": N, "offset": o, "scale": s, "round": bool}
    x_i = o + s * u_i,  u_i = ((i * 2654435761) mod 2^32) / 2^32,  i = 0..N-1
    (with "round": x_i = o + floor(s * u_i), giving ties)

Non-finite sample values are written as the strings "nan", "inf", "-inf".
"""

import json
import math
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy
import statsmodels
from scipy import optimize, special, stats
from statsmodels.stats.power import TTestIndPower, TTestPower

EXACT = 1e-9       # the issue's bound for statistics and distributions
POWER = 1e-6       # ... for power, sample size and minimal detectable effect
cases = []


def weyl(n, offset, scale, rnd=False):
    k = (np.arange(n, dtype=np.uint64) * np.uint64(2654435761)) % np.uint64(2**32)
    u = k.astype(np.float64) / 4294967296.0
    if rnd:
        return offset + np.floor(scale * u)
    return offset + scale * u


def spec(n, offset, scale, rnd=False):
    return {"generator": "weyl", "n": n, "offset": offset, "scale": scale, "round": rnd}


def samples_of(s):
    if isinstance(s, dict):
        return weyl(s["n"], s["offset"], s["scale"], s["round"])
    return np.array(s, dtype=np.float64)


def f(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def add(id_, kind, inputs, expected, source, rel=EXACT, abs_=0.0):
    case = {"id": id_, "kind": kind, "input": inputs, "expected": {}, "rel_tol": rel, "abs_tol": abs_,
            "source": source}
    for k, v in expected.items():
        if k.startswith("statsmodels_"):
            case.setdefault("info", {})[k] = f(v)  # recorded for comparison, not checked
        else:
            case["expected"][k] = f(v) if not isinstance(v, (dict, list)) else v
    cases.append(case)


warnings.simplefilter("ignore", RuntimeWarning)  # scipy warns on the degenerate cases we record

# ---------------------------------------------------------------- summary
def summary_case(id_, s, confidence=0.95, quantiles=()):
    x = samples_of(s)
    n = x.size
    mean = np.mean(x)
    sem = stats.sem(x)
    lo, hi = stats.t.interval(confidence, n - 1, loc=mean, scale=sem)
    if sem == 0:
        lo = hi = mean
    p = np.percentile(x, [50, 95, 99])
    exp = {
        "n": n, "mean": mean, "variance": np.var(x, ddof=1), "std_dev": np.std(x, ddof=1),
        "sem": sem, "cv": stats.variation(x, ddof=1), "min": np.min(x), "max": np.max(x),
        "p50": p[0], "p95": p[1], "p99": p[2],
        "mad": stats.median_abs_deviation(x),
        "mad_normal": stats.median_abs_deviation(x, scale="normal"),
        "ci_lower": lo, "ci_upper": hi,
        "quantiles": [float(v) for v in np.quantile(x, list(quantiles))] if quantiles else [],
    }
    add(id_, "summary", {"samples": s, "confidence": confidence, "quantiles": list(quantiles)},
        exp, "numpy mean/var/std/percentile/quantile; scipy.stats sem, variation(ddof=1), "
        "median_abs_deviation, t.interval", abs_=1e-300)


summary_case("summary/n2", [3.0, 5.0])
summary_case("summary/small", [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 0.99, [0.0, 0.1, 0.25, 0.75, 1.0])
summary_case("summary/timings", [101.0, 99.5, 100.25, 180.0, 100.0, 98.75, 102.5, 100.0, 99.0, 250.0, 100.5],
             0.9, [0.333, 0.5, 0.999])
summary_case("summary/large_offset", spec(10001, 1e9, 1.0), 0.95, [0.01, 0.5])
summary_case("summary/n1e6", spec(1_000_000, 250.0, 40.0), 0.95, [0.001, 0.9, 0.999])
summary_case("summary/ties", spec(5000, 10.0, 7.0, True), 0.95, [0.5, 0.9])
# Zero variance: a summary is still defined (CV 0, degenerate interval).
summary_case("summary/zero_variance", [7.0, 7.0, 7.0, 7.0])

# ---------------------------------------------------------------- quantiles alone
for id_, s, qs in [("quantile/odd", [5.0, 1.0, 4.0, 2.0, 3.0], [0.0, 0.1, 0.5, 0.77, 1.0]),
                   ("quantile/n1", [42.0], [0.0, 0.5, 1.0]),
                   ("quantile/weyl", spec(12345, -3.0, 9.0), [0.05, 0.5, 0.95, 0.99, 0.9999])]:
    add(id_, "quantile", {"samples": s, "q": qs},
        {"values": [float(v) for v in np.quantile(samples_of(s), qs)]}, "numpy.quantile (linear)")

# ---------------------------------------------------------------- distributions
for t, df in [(2.5, 10.0), (-1.3, 3.0), (0.0, 7.0), (1.0, 1.0), (0.7, 2.0), (2.5, 2e6), (-4.0, 29.5),
              (40.0, 50.0), (8.0, 1e5), (1e-3, 1e9), (12.0, 4.5), (-37.0, 120.0), (3.1, 31.0)]:
    add(f"t/sf/{t}/{df}", "t_dist", {"t": t, "df": df},
        {"sf": stats.t.sf(t, df), "cdf": stats.t.cdf(t, df), "pdf": stats.t.pdf(t, df)},
        "scipy.stats.t sf/cdf/pdf", abs_=1e-300)
for p, df in [(0.975, 10.0), (0.975, 1.0), (0.975, 2.0), (0.995, 3.5), (0.5, 5.0), (0.025, 40.0),
              (0.9, 1e6), (1e-10, 5.0), (1e-300, 30.0), (0.999999, 2.0), (0.6, 1e12)]:
    add(f"t/ppf/{p}/{df}", "t_quantile", {"p": p, "df": df}, {"ppf": stats.t.ppf(p, df)},
        "scipy.stats.t.ppf")
for x in [-40.0, -8.0, -1.96, -0.5, 0.0, 0.3, 1.1, 1.96, 3.0, 5.0, 10.0, 27.0]:
    add(f"norm/{x}", "norm", {"x": x}, {"cdf": stats.norm.cdf(x), "sf": stats.norm.sf(x)},
        "scipy.stats.norm cdf/sf", abs_=1e-300)
for p in [1e-300, 1e-20, 1e-5, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999999]:
    add(f"norm/ppf/{p}", "norm_quantile", {"p": p}, {"ppf": stats.norm.ppf(p)}, "scipy.stats.norm.ppf",
        abs_=1e-15)
for t, df, nc in [(1.3, 7.0, 0.5), (2.0, 30.0, 3.0), (-2.0, 30.0, 3.0), (1.98, 98.0, 2.5),
                  (2.0, 1.0, 1.0), (1.65, 2e5, 4.0), (0.0, 10.0, -1.0), (5.0, 12.0, 0.0),
                  (3.0, 60.0, 8.0), (-1.97, 300.0, 0.1)]:
    add(f"nct/{t}/{df}/{nc}", "nct", {"t": t, "df": df, "nc": nc},
        {"cdf": stats.nct.cdf(t, df, nc), "sf": stats.nct.sf(t, df, nc)}, "scipy.stats.nct cdf/sf",
        rel=1e-9, abs_=1e-14)

# ---------------------------------------------------------------- t-tests
def ttest_case(id_, a, b, equal_var):
    xa, xb = samples_of(a), samples_of(b)
    r = stats.ttest_ind(xa, xb, equal_var=equal_var)
    ci = r.confidence_interval(0.95)
    exp = {"t": r.statistic, "df": r.df, "p_two_sided": r.pvalue,
           "p_less": stats.ttest_ind(xa, xb, equal_var=equal_var, alternative="less").pvalue,
           "p_greater": stats.ttest_ind(xa, xb, equal_var=equal_var, alternative="greater").pvalue,
           "ci95_lower": ci.low, "ci95_upper": ci.high}
    kind = "student" if equal_var else "welch"
    add(id_, kind, {"a": a, "b": b}, exp, f"scipy.stats.ttest_ind(equal_var={equal_var})", abs_=1e-300)


for eq in (False, True):
    k = "student" if eq else "welch"
    ttest_case(f"{k}/n2", [1.0, 2.0], [3.0, 5.0], eq)
    ttest_case(f"{k}/small", [19.1, 20.3, 18.7, 21.0, 19.9], [22.4, 21.1, 23.0, 22.8, 21.7, 24.9, 20.5], eq)
    ttest_case(f"{k}/equal_means", [1.0, 2.0, 3.0], [1.5, 2.0, 2.5], eq)
    ttest_case(f"{k}/large", spec(20000, 100.0, 10.0), spec(15000, 100.08, 14.0), eq)
    ttest_case(f"{k}/far_apart", spec(400, 10.0, 1.0), spec(300, 14.0, 3.0), eq)

for id_, m1, s1, n1, m2, s2, n2 in [("welch_moments/huge_n", 100.0, 10.0, 10**9, 100.001, 12.0, 8 * 10**8),
                                    ("welch_moments/unbalanced", 5.0, 1.0, 3, 4.0, 0.2, 5000)]:
    r = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)
    rs = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=True)
    va, vb = s1 * s1 / n1, s2 * s2 / n2
    df = (va + vb) ** 2 / (va * va / (n1 - 1) + vb * vb / (n2 - 1))
    add(id_, "welch_moments", {"a": {"n": n1, "mean": m1, "variance": s1 * s1},
                               "b": {"n": n2, "mean": m2, "variance": s2 * s2}},
        {"t": r.statistic, "p_two_sided": r.pvalue, "df": df, "student_t": rs.statistic,
         "student_p_two_sided": rs.pvalue},
        "scipy.stats.ttest_ind_from_stats (df by the Welch-Satterthwaite formula)", abs_=1e-300)

for id_, s, mu in [("one_sample/small", [5.1, 4.9, 5.6, 5.8, 6.0, 5.2], 5.0),
                   ("one_sample/n2", [1.0, 4.0], 0.0)]:
    r = stats.ttest_1samp(samples_of(s), mu)
    add(id_, "one_sample", {"samples": s, "mu": mu},
        {"t": r.statistic, "df": r.df, "p_two_sided": r.pvalue}, "scipy.stats.ttest_1samp")

# ---------------------------------------------------------------- Mann-Whitney
for id_, a, b in [("mwu/small_ties", [1.0, 2.0, 3.0, 3.0], [3.0, 4.0, 5.0]),
                  ("mwu/large_ties", spec(3000, 0.0, 50.0, True), spec(2500, 2.0, 50.0, True)),
                  ("mwu/no_ties", spec(700, 0.0, 1.0), spec(800, 0.05, 1.0))]:
    xa, xb = samples_of(a), samples_of(b)
    r2 = stats.mannwhitneyu(xa, xb, alternative="two-sided", method="asymptotic")
    rl = stats.mannwhitneyu(xa, xb, alternative="less", method="asymptotic")
    rg = stats.mannwhitneyu(xa, xb, alternative="greater", method="asymptotic")
    add(id_, "mann_whitney", {"a": a, "b": b},
        {"u1": r2.statistic, "p_two_sided": r2.pvalue, "p_less": rl.pvalue, "p_greater": rg.pvalue},
        "scipy.stats.mannwhitneyu(method='asymptotic', use_continuity=True)", abs_=1e-300)

# ---------------------------------------------------------------- effect sizes, ratio of means
def effect_case(id_, a, b):
    xa, xb = samples_of(a), samples_of(b)
    na, nb = xa.size, xb.size
    df = na + nb - 2
    sp = math.sqrt(((na - 1) * np.var(xa, ddof=1) + (nb - 1) * np.var(xb, ddof=1)) / df)
    d = (np.mean(xa) - np.mean(xb)) / sp
    j = math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    add(id_, "effect_size", {"a": a, "b": b}, {"cohen_d": d, "hedges_g": d * j, "j": j},
        "numpy (pooled sd, ddof=1); Hedges' J from scipy.special.gammaln")


effect_case("effect/n2", [1.0, 2.0], [3.0, 5.0])
effect_case("effect/small", [19.1, 20.3, 18.7, 21.0, 19.9], [22.4, 21.1, 23.0, 22.8, 21.7, 24.9, 20.5])
effect_case("effect/large", spec(20000, 100.0, 10.0), spec(15000, 100.08, 14.0))


def ratio_case(id_, a, b, level):
    xa, xb = samples_of(a), samples_of(b)
    ma, mb = np.mean(xa), np.mean(xb)
    va, vb = np.var(xa, ddof=1) / xa.size, np.var(xb, ddof=1) / xb.size
    r = ma / mb
    wa, wb = va, r * r * vb
    df = (wa + wb) ** 2 / (wa * wa / (xa.size - 1) + wb * wb / (xb.size - 1))
    t = stats.t.isf((1 - level) / 2, df)
    g = t * t * vb / (mb * mb)
    half = t / abs(mb) * math.sqrt(va + r * r * vb - g * va)
    add(id_, "ratio_of_means", {"a": a, "b": b, "level": level},
        {"ratio": r, "df": df, "lower": (r - half) / (1 - g), "upper": (r + half) / (1 - g)},
        "Fieller's interval (formula in interval.rs) with scipy.stats.t.isf")


ratio_case("ratio/small", [19.1, 20.3, 18.7, 21.0, 19.9], [22.4, 21.1, 23.0, 22.8, 21.7, 24.9, 20.5], 0.95)
ratio_case("ratio/large", spec(20000, 150.0, 10.0), spec(15000, 100.0, 14.0), 0.99)

# ---------------------------------------------------------------- power
ALT = {"two-sided": "two_sided", "larger": "greater", "smaller": "less"}
for d, n, alpha, alt in [(0.5, 30.0, 0.05, "two-sided"), (0.2, 200.0, 0.01, "two-sided"),
                         (0.3, 50.0, 0.05, "larger"), (-0.3, 50.0, 0.05, "smaller"),
                         (3.0, 5.0, 0.05, "two-sided"), (0.01, 100.0, 0.05, "two-sided"),
                         (0.0, 40.0, 0.05, "two-sided"), (0.05, 4000.0, 0.05, "two-sided"),
                         (1.2, 2.0, 0.1, "two-sided"), (0.1, 1000.0, 0.05, "two-sided")]:
    p1 = TTestPower().power(effect_size=d, nobs=n, alpha=alpha, alternative=alt)
    add(f"power/one/{d}/{n}/{alpha}/{alt}", "power",
        {"test": "one_sample", "effect_size": d, "nobs": n, "alpha": alpha, "alternative": ALT[alt]},
        {"power": p1}, "statsmodels TTestPower.power", rel=POWER, abs_=1e-12)
for d, n1, ratio, alpha, alt in [(0.5, 64.0, 1.0, 0.05, "two-sided"), (0.2, 300.0, 2.0, 0.05, "two-sided"),
                                 (0.8, 20.0, 0.5, 0.01, "larger"), (-0.4, 80.0, 1.0, 0.05, "smaller"),
                                 (2.5, 10.0, 1.0, 0.05, "two-sided"), (0.02, 50000.0, 1.0, 0.05, "two-sided")]:
    p2 = TTestIndPower().power(effect_size=d, nobs1=n1, alpha=alpha, ratio=ratio, alternative=alt)
    add(f"power/two/{d}/{n1}/{ratio}/{alpha}/{alt}", "power",
        {"test": "two_sample", "ratio": ratio, "effect_size": d, "nobs": n1, "alpha": alpha,
         "alternative": ALT[alt]}, {"power": p2}, "statsmodels TTestIndPower.power", rel=POWER, abs_=1e-12)

# statsmodels' solve_power stops early (e.g. its minimal detectable effect for n=1000
# has power 0.8000172, not 0.8); so the expected value is the root of statsmodels'
# own power function found by scipy.optimize.brentq to 1e-15, and solve_power's
# answer is recorded beside it.
def polish(fun, x0):
    lo, hi = x0 * 0.9, x0 * 1.1
    return optimize.brentq(fun, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)


for d, pw, alpha, alt in [(0.5, 0.8, 0.05, "two-sided"), (0.1, 0.9, 0.05, "two-sided"),
                          (0.01, 0.8, 0.05, "two-sided"), (0.3, 0.8, 0.01, "larger"), (2.0, 0.95, 0.05, "two-sided")]:
    n0 = float(np.asarray(TTestPower().solve_power(effect_size=d, nobs=None, alpha=alpha, power=pw,
                                                   alternative=alt)).item())
    n = polish(lambda x: TTestPower().power(d, x, alpha, alternative=alt) - pw, n0)
    add(f"sample_size/one/{d}/{pw}/{alpha}/{alt}", "sample_size",
        {"test": "one_sample", "effect_size": d, "power": pw, "alpha": alpha, "alternative": ALT[alt]},
        {"nobs": n, "statsmodels_solve_power": n0},
        "root of statsmodels TTestPower.power by scipy brentq (statsmodels_solve_power: its solve_power)", rel=POWER)
for d, pw, ratio, alpha, alt in [(0.5, 0.8, 1.0, 0.05, "two-sided"), (0.2, 0.9, 2.0, 0.05, "two-sided"),
                                 (-0.4, 0.8, 1.0, 0.05, "smaller"), (0.02, 0.8, 1.0, 0.05, "two-sided")]:
    n0 = float(np.asarray(TTestIndPower().solve_power(effect_size=d, nobs1=None, alpha=alpha, power=pw,
                                                      ratio=ratio, alternative=alt)).item())
    n = polish(lambda x: TTestIndPower().power(d, x, alpha, ratio=ratio, alternative=alt) - pw, n0)
    add(f"sample_size/two/{d}/{pw}/{ratio}/{alpha}/{alt}", "sample_size",
        {"test": "two_sample", "ratio": ratio, "effect_size": d, "power": pw, "alpha": alpha,
         "alternative": ALT[alt]},
        {"nobs": n, "statsmodels_solve_power": n0},
        "root of statsmodels TTestIndPower.power by scipy brentq (statsmodels_solve_power: its solve_power)",
        rel=POWER)
for n, pw, alpha, alt in [(30.0, 0.8, 0.05, "two-sided"), (1000.0, 0.8, 0.05, "two-sided"),
                          (12.0, 0.9, 0.01, "larger")]:
    d0 = float(np.asarray(TTestPower().solve_power(effect_size=None, nobs=n, alpha=alpha, power=pw,
                                                   alternative=alt)).item())
    d = polish(lambda x: TTestPower().power(x, n, alpha, alternative=alt) - pw, d0)
    add(f"mde/one/{n}/{pw}/{alpha}/{alt}", "mde",
        {"test": "one_sample", "nobs": n, "power": pw, "alpha": alpha, "alternative": ALT[alt]},
        {"effect_size": d, "statsmodels_solve_power": d0},
        "root of statsmodels TTestPower.power by scipy brentq (statsmodels_solve_power: its solve_power)",
        rel=POWER)
for n1, pw, ratio, alpha, alt in [(64.0, 0.8, 1.0, 0.05, "two-sided"), (500.0, 0.9, 0.5, 0.05, "two-sided")]:
    d0 = float(np.asarray(TTestIndPower().solve_power(effect_size=None, nobs1=n1, alpha=alpha, power=pw,
                                                      ratio=ratio, alternative=alt)).item())
    d = polish(lambda x: TTestIndPower().power(x, n1, alpha, ratio=ratio, alternative=alt) - pw, d0)
    add(f"mde/two/{n1}/{pw}/{ratio}/{alpha}/{alt}", "mde",
        {"test": "two_sample", "ratio": ratio, "nobs": n1, "power": pw, "alpha": alpha, "alternative": ALT[alt]},
        {"effect_size": d, "statsmodels_solve_power": d0},
        "root of statsmodels TTestIndPower.power by scipy brentq (statsmodels_solve_power: its solve_power)",
        rel=POWER)

# ---------------------------------------------------------------- typed errors where scipy gives NaN
errors = [
    ("error/summary_n1", "summary", {"samples": [1.0]}, "too_few_samples", "numpy var(ddof=1) -> nan"),
    ("error/summary_nan", "summary", {"samples": [1.0, 2.0, "nan", 4.0]}, "non_finite", "numpy -> nan"),
    ("error/summary_inf", "summary", {"samples": [1.0, "inf"]}, "non_finite", "numpy -> nan/inf"),
    ("error/welch_zero_variance", "welch", {"a": [1.0, 1.0], "b": [2.0, 2.0]}, "zero_variance",
     "scipy ttest_ind -> t = -inf, p = 0"),
    ("error/welch_nan", "welch", {"a": [1.0, "-inf", 3.0], "b": [2.0, 2.5]}, "non_finite", "scipy -> nan"),
    ("error/mwu_all_tied", "mann_whitney", {"a": [3.0, 3.0], "b": [3.0]}, "zero_variance", "scipy -> nan"),
    ("error/t_df0", "t_dist", {"t": 1.0, "df": 0.0}, "invalid_parameter", "scipy -> nan"),
    ("error/power_n1", "power", {"test": "one_sample", "effect_size": 0.5, "nobs": 1.0, "alpha": 0.05,
                                 "alternative": "two_sided"}, "invalid_parameter", "statsmodels -> nan"),
]
for id_, kind, inputs, code, scipy_gives in errors:
    cases.append({"id": id_, "kind": kind, "input": inputs, "expected_error": code,
                  "source": f"typed error where {scipy_gives}"})

out = {
    "description": "Reference values for tcp-stats, generated by gen_scipy_reference.py; tests compare each "
                   "expected value within max(rel_tol * |expected|, abs_tol).",
    "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                 "statsmodels": statsmodels.__version__},
    "tolerances": {"statistics_and_distributions": EXACT, "power_and_sample_size": POWER},
    "cases": cases,
}
path = Path(__file__).with_name("scipy_reference.json")
path.write_text(json.dumps(out, indent=1, allow_nan=False) + "\n")
print(f"wrote {len(cases)} cases to {path}", file=sys.stderr)
