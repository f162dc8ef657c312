"""Measurement statistics for timing studies (tcp-stats), on numpy arrays or lists.

Every function reads its samples as contiguous float64 (numpy converts lists
and other dtypes), computes with the GIL released, and returns plain values or
dicts with tcp-stats' fields. Bad input (too few samples, NaN or infinity, an
out-of-range parameter) raises a ``libtcp.StatsError`` subclass, never a NaN.

- ``summary(samples, confidence=0.95, quantiles=())``
- ``welch(a, b, alternative="two-sided")``
- ``power(effect_size, nobs, alpha=0.05, alternative="two-sided", test="two_sample", ratio=1.0)``
- ``sample_size(effect_size, power=0.8, alpha=0.05, ...)``
- ``compliance(samples, profile="measurement")``, ``compliance_profiles()``
- ``leakage(class_a, class_b, threshold=None, crop_percentiles=None, min_per_class=None)``
"""

from libtcp._libtcp import (
    InvalidParameterError,
    NoConvergenceError,
    NonFiniteError,
    StatsError,
    StatsOverflowError,
    TooFewSamplesError,
    UnboundedIntervalError,
    ZeroVarianceError,
    compliance,
    compliance_profiles,
    leakage,
    power,
    sample_size,
    summary,
    welch,
)

__all__ = [
    "InvalidParameterError",
    "NoConvergenceError",
    "NonFiniteError",
    "StatsError",
    "StatsOverflowError",
    "TooFewSamplesError",
    "UnboundedIntervalError",
    "ZeroVarianceError",
    "compliance",
    "compliance_profiles",
    "leakage",
    "power",
    "sample_size",
    "summary",
    "welch",
]
