"""libtcp.stats: tcp-stats through numpy arrays and lists, typed errors."""

from __future__ import annotations

import math
import pickle
import statistics

import numpy as np
import pytest

import libtcp
from libtcp import stats


def test_summary_of_list_and_array_agree_with_python() -> None:
    xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    s = stats.summary(xs)
    assert s == stats.summary(np.array(xs)) == stats.summary(np.array(xs, dtype=np.float32))
    assert s["n"] == 8
    assert s["mean"] == pytest.approx(statistics.fmean(xs), rel=1e-12)
    assert s["variance"] == pytest.approx(statistics.variance(xs), rel=1e-12)
    assert s["p50"] == pytest.approx(float(np.percentile(xs, 50)), rel=1e-12)
    assert s["p95"] == pytest.approx(float(np.percentile(xs, 95)), rel=1e-12)
    lo, hi = s["mean_ci"]["lower"], s["mean_ci"]["upper"]
    assert lo < s["mean"] < hi and s["mean_ci"]["level"] == 0.95
    q = stats.summary(xs, quantiles=[0.25])["quantiles"]
    assert q[0]["q"] == 0.25 and q[0]["value"] == pytest.approx(float(np.percentile(xs, 25)))


def test_welch_matches_the_textbook_formula() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(10, 1, 200), rng.normal(10.3, 2, 150)
    r = stats.welch(a, b)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    assert r["t"] == pytest.approx(t, rel=1e-9) and r["df"] == pytest.approx(df, rel=1e-9)
    assert 0 <= r["p_two_sided"] <= 1 and r["p_value"] == r["p_two_sided"]
    assert stats.welch(a, b, alternative="less")["p_value"] == pytest.approx(r["p_less"])
    assert r["p_less"] + r["p_greater"] == pytest.approx(1.0)


def test_power_and_sample_size_are_inverse() -> None:
    n = stats.sample_size(0.5, power=0.8)
    # statsmodels TTestIndPower().solve_power(0.5, power=0.8, alpha=0.05) = 63.77
    assert n == pytest.approx(63.7656, rel=1e-4)
    assert stats.power(0.5, n) == pytest.approx(0.8, rel=1e-6)
    assert stats.power(0.5, 20, test="one_sample") > stats.power(0.5, 20)


def test_compliance_and_leakage() -> None:
    rng = np.random.default_rng(5)
    steady = rng.normal(100, 1, 2000)
    report = stats.compliance(steady, profile="measurement")
    assert report["profile"] == "measurement" and report["passed"] is True
    assert {c["criterion"] for c in report["criteria"]} >= {"cv", "n"}
    noisy = rng.normal(100, 50, 50)
    assert stats.compliance(noisy)["passed"] is False
    assert "timing_consistency" in stats.compliance_profiles()
    same = stats.leakage(rng.normal(100, 5, 5000), rng.normal(100, 5, 5000))
    assert same["leaky"] is False
    shifted = stats.leakage(rng.normal(100, 5, 5000), rng.normal(110, 5, 5000))
    assert shifted["leaky"] is True and shifted["max_abs_t"] > shifted["threshold"]


def test_bad_input_is_typed() -> None:
    with pytest.raises(stats.TooFewSamplesError) as e:
        stats.summary([1.0])
    assert isinstance(e.value, libtcp.TcpError) and e.value.code == "too_few_samples"
    with pytest.raises(stats.NonFiniteError):
        stats.summary([1.0, float("nan"), 3.0])
    with pytest.raises(stats.InvalidParameterError):
        stats.power(0.5, 30, alpha=1.5)
    with pytest.raises(stats.InvalidParameterError):
        stats.welch([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], alternative="sideways")
    with pytest.raises(stats.InvalidParameterError):
        stats.compliance([1.0, 2.0], profile="nope")
    with pytest.raises(stats.InvalidParameterError):
        stats.summary(np.ones((3, 3)))
    with pytest.raises((TypeError, ValueError)):
        stats.summary(["a", "b"])
    err = pickle.loads(pickle.dumps(e.value))
    assert type(err) is stats.TooFewSamplesError and str(err) == str(e.value)
