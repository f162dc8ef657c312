//! `libtcp.stats`: tcp-stats' measurement statistics on numpy arrays or lists.
//!
//! Samples are read as contiguous `float64` (converted by numpy when they are
//! anything else) and computed on with the GIL released. Results are plain
//! dicts: tcp-stats' serde output, field for field.

use numpy::{PyArray1, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::PyTypeInfo;
use pyo3::create_exception;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;
use serde_json::Value;
use tcp_stats::StatsError as CoreStatsError;
use tcp_stats::{Alternative, ComplianceProfile, LeakageConfig, Moments, PowerTest};

use crate::errors::TcpError;

create_exception!(
    libtcp,
    StatsError,
    TcpError,
    "A statistic could not be computed; `code` says why (tcp-stats' stable code)."
);

macro_rules! stats_error_classes {
    ($($code:literal => $class:ident),+ $(,)?) => {
        $(
            create_exception!(
                libtcp,
                $class,
                StatsError,
                concat!("tcp-stats error `", $code, "`.")
            );
        )+

        fn class_for<'py>(py: Python<'py>, code: &str) -> Bound<'py, pyo3::types::PyType> {
            match code {
                $($code => $class::type_object(py),)+
                _ => StatsError::type_object(py),
            }
        }

        /// Adds the classes to the module.
        pub(crate) fn register_errors(m: &Bound<'_, PyModule>) -> PyResult<()> {
            let py = m.py();
            let base = StatsError::type_object(py);
            base.setattr("code", py.None())?;
            base.setattr("number", py.None())?;
            m.add("StatsError", base)?;
            $(
                let class = $class::type_object(py);
                class.setattr("code", $code)?;
                class.setattr("number", py.None())?;
                m.add(stringify!($class), class)?;
            )+
            Ok(())
        }
    };
}

stats_error_classes! {
    "too_few_samples" => TooFewSamplesError,
    "non_finite" => NonFiniteError,
    "zero_variance" => ZeroVarianceError,
    "invalid_parameter" => InvalidParameterError,
    "unbounded_interval" => UnboundedIntervalError,
    "overflow" => StatsOverflowError,
    "no_convergence" => NoConvergenceError,
}

fn stats_err(e: &CoreStatsError) -> PyErr {
    let message = e.to_string();
    Python::attach(|py| PyErr::from_type(class_for(py, e.code()), message))
}

fn invalid(name: &'static str, detail: String) -> PyErr {
    Python::attach(|py| {
        PyErr::from_type(
            class_for(py, "invalid_parameter"),
            format!("invalid parameter {name}: {detail}"),
        )
    })
}

/// `samples` as a contiguous 1-D float64 numpy array: numpy converts lists
/// and other numeric dtypes; anything that is not real numbers (None, a
/// string, a list of strings, objects) is a `TypeError` naming the argument,
/// where `numpy.asarray(..., dtype=float64)` would silently parse strings.
fn samples<'py>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    what: &'static str,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let np = py.import("numpy")?;
    if obj.is_none()
        || obj.is_instance_of::<pyo3::types::PyString>()
        || obj.is_instance_of::<pyo3::types::PyBytes>()
    {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a sequence or array of real numbers, not {}",
            obj.get_type().name()?
        )));
    }
    let raw = np.call_method1("asarray", (obj,))?;
    let kind: String = raw.getattr("dtype")?.getattr("kind")?.extract()?;
    // b: bool, i/u: integers, f: floats. Not c (complex), U/S (text), O (objects), M/m (dates).
    if !matches!(kind.as_str(), "b" | "i" | "u" | "f") {
        return Err(PyTypeError::new_err(format!(
            "{what} must be real numbers, not an array of dtype {}",
            raw.getattr("dtype")?.str()?
        )));
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("dtype", np.getattr("float64")?)?;
    let arr = np.call_method("ascontiguousarray", (raw,), Some(&kwargs))?;
    let arr = arr.cast_into::<numpy::PyUntypedArray>()?;
    if arr.ndim() != 1 {
        return Err(invalid(
            what,
            format!("expected a 1-D sequence, got {} dimensions", arr.ndim()),
        ));
    }
    Ok(arr.cast_into::<PyArray1<f64>>()?)
}

/// Runs `f` on the samples' slice with the GIL released.
fn with_samples<R: Send>(
    py: Python<'_>,
    arrays: &[&Bound<'_, PyArray1<f64>>],
    f: impl FnOnce(&[&[f64]]) -> R + Send,
) -> PyResult<R> {
    let readonly: Vec<_> = arrays.iter().map(|a| a.readonly()).collect();
    let slices = readonly
        .iter()
        .map(|r| r.as_slice())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(py.detach(|| f(&slices)))
}

/// A serde value as Python objects (dicts, lists, floats, ints, strings, None).
fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.into_pyobject(py)?.into_any(),
            (None, Some(i)) => i.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_python(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

fn result_dict<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(value)
        .map_err(|e| crate::errors::bad_input(format!("cannot represent the result: {e}")))?;
    to_python(py, &value)
}

fn alternative(name: &str) -> PyResult<Alternative> {
    match name.to_ascii_lowercase().replace('_', "-").as_str() {
        "two-sided" => Ok(Alternative::TwoSided),
        "less" | "smaller" => Ok(Alternative::Less),
        "greater" | "larger" => Ok(Alternative::Greater),
        _ => Err(invalid(
            "alternative",
            format!("{name:?} (expected two-sided, less or greater)"),
        )),
    }
}

fn power_test(test: &str, ratio: f64) -> PyResult<PowerTest> {
    match test.to_ascii_lowercase().replace('-', "_").as_str() {
        "two_sample" => Ok(PowerTest::TwoSample { ratio }),
        "one_sample" => Ok(PowerTest::OneSample),
        _ => Err(invalid(
            "test",
            format!("{test:?} (expected two_sample or one_sample)"),
        )),
    }
}

/// n, mean, variance and sd (ddof=1), sem, CV, min/max, p50/p95/p99 (numpy's
/// linear interpolation), MAD, the t interval of the mean at `confidence`,
/// and any extra `quantiles`.
///
/// Raises `TypeError` (samples that are None, text or not real numbers),
/// `TooFewSamplesError` (fewer than 2), `NonFiniteError` (NaN or infinity),
/// `InvalidParameterError` (`confidence` or a quantile outside (0, 1), or
/// samples that are not 1-D).
#[pyfunction]
#[pyo3(signature = (samples, confidence=0.95, quantiles=Vec::new()))]
pub fn summary<'py>(
    py: Python<'py>,
    samples: &Bound<'py, PyAny>,
    confidence: f64,
    quantiles: Vec<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let a = self::samples(py, samples, "samples")?;
    let options = tcp_stats::SummaryOptions {
        confidence,
        quantiles,
    };
    let s = with_samples(py, &[&a], |s| {
        tcp_stats::summarize_with(s.first().copied().unwrap_or(&[]), &options)
    })?
    .map_err(|e| stats_err(&e))?;
    result_dict(py, &s)
}

/// Welch's t-test of `a` against `b`: t, df, p-values for every alternative,
/// the mean difference and its standard error; `p_value` is for `alternative`.
///
/// Raises `TypeError` (`a` or `b` not real numbers), `TooFewSamplesError`,
/// `NonFiniteError`, `ZeroVarianceError`, `InvalidParameterError` (an
/// unknown `alternative`).
#[pyfunction]
#[pyo3(signature = (a, b, alternative="two-sided"))]
pub fn welch<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    alternative: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let alt = self::alternative(alternative)?;
    let (a, b) = (samples(py, a, "a")?, samples(py, b, "b")?);
    let t = with_samples(py, &[&a, &b], |s| match s {
        [a, b] => tcp_stats::welch(a, b),
        _ => Err(CoreStatsError::TooFewSamples {
            needed: 2,
            found: 0,
        }),
    })?
    .map_err(|e| stats_err(&e))?;
    let out = result_dict(py, &t)?;
    out.set_item("p_value", t.p_value(alt))?;
    Ok(out)
}

/// Power of a t-test (statsmodels' TTestIndPower / TTestPower) to detect the
/// standardized `effect_size` with `nobs` observations (n1 for two samples).
///
/// Raises `InvalidParameterError` (an argument out of its domain or not
/// finite, an unknown `alternative` or `test`), `NoConvergenceError`.
#[pyfunction]
#[pyo3(signature = (effect_size, nobs, alpha=0.05, alternative="two-sided", test="two_sample", ratio=1.0))]
pub fn power(
    effect_size: f64,
    nobs: f64,
    alpha: f64,
    alternative: &str,
    test: &str,
    ratio: f64,
) -> PyResult<f64> {
    let (test, alt) = (power_test(test, ratio)?, self::alternative(alternative)?);
    tcp_stats::power(test, effect_size, nobs, alpha, alt).map_err(|e| stats_err(&e))
}

/// Observations (n1 for two samples, fractional as statsmodels gives it) a
/// t-test needs to reach `power` for `effect_size`.
///
/// Raises `InvalidParameterError` (an argument out of its domain, an unknown
/// `alternative` or `test`), `NoConvergenceError`.
#[pyfunction]
#[pyo3(signature = (effect_size, power=0.8, alpha=0.05, alternative="two-sided", test="two_sample", ratio=1.0))]
pub fn sample_size(
    effect_size: f64,
    power: f64,
    alpha: f64,
    alternative: &str,
    test: &str,
    ratio: f64,
) -> PyResult<f64> {
    let (test, alt) = (power_test(test, ratio)?, self::alternative(alternative)?);
    tcp_stats::sample_size(test, effect_size, power, alpha, alt).map_err(|e| stats_err(&e))
}

/// The names of tcp-stats' built-in compliance profiles.
#[pyfunction]
pub fn compliance_profiles() -> Vec<String> {
    ComplianceProfile::builtin()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

/// Checks samples against a named compliance profile (`measurement`,
/// `timing_consistency`): each criterion with its threshold, observed value,
/// margin and verdict.
///
/// Raises `TypeError` (samples not real numbers), `InvalidParameterError`
/// (an unknown `profile`), `TooFewSamplesError`, `NonFiniteError`.
#[pyfunction]
#[pyo3(signature = (samples, profile="measurement"))]
pub fn compliance<'py>(
    py: Python<'py>,
    samples: &Bound<'py, PyAny>,
    profile: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let p = ComplianceProfile::by_name(profile).ok_or_else(|| {
        invalid(
            "profile",
            format!("{profile:?} (known: {})", compliance_profiles().join(", ")),
        )
    })?;
    let a = self::samples(py, samples, "samples")?;
    let report = with_samples(py, &[&a], |s| {
        Moments::from_samples(s.first().copied().unwrap_or(&[])).and_then(|m| p.check(&m))
    })?
    .map_err(|e| stats_err(&e))?;
    result_dict(py, &report)
}

/// dudect-style timing-leakage test of class A timings against class B:
/// Welch's t on the raw and cropped measurements; leaky if max |t| > threshold.
///
/// Raises `TypeError` (a class not real numbers), `TooFewSamplesError`
/// (fewer than `min_per_class` in a class), `NonFiniteError`,
/// `InvalidParameterError` (a bad crop percentile or threshold).
#[pyfunction]
#[pyo3(signature = (class_a, class_b, threshold=None, crop_percentiles=None, min_per_class=None))]
pub fn leakage<'py>(
    py: Python<'py>,
    class_a: &Bound<'py, PyAny>,
    class_b: &Bound<'py, PyAny>,
    threshold: Option<f64>,
    crop_percentiles: Option<Vec<f64>>,
    min_per_class: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let defaults = LeakageConfig::default();
    let config = LeakageConfig {
        crop_percentiles: crop_percentiles.unwrap_or(defaults.crop_percentiles),
        threshold: threshold.unwrap_or(defaults.threshold),
        min_per_class: min_per_class.unwrap_or(defaults.min_per_class),
    };
    let (a, b) = (
        samples(py, class_a, "class_a")?,
        samples(py, class_b, "class_b")?,
    );
    let report = with_samples(py, &[&a, &b], |s| match s {
        [a, b] => tcp_stats::leakage::assess(a, b, &config),
        _ => Err(CoreStatsError::TooFewSamples {
            needed: 2,
            found: 0,
        }),
    })?
    .map_err(|e| stats_err(&e))?;
    result_dict(py, &report)
}
