//! `validate_batch`: many records from any buffer, without copying, GIL released.

use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tcp_core::batch::{BatchSummary, Status, check_batch_shape, relax};
use tcp_core::{Decision, Dialect, ErrorCode, Mode, Policy};

use crate::backends::resolve;
use crate::buffer::ByteView;
use crate::descriptor::parse_mode;
use crate::errors::{IntoPyResult, bad_input, with_code};
use crate::policy::PyPolicy;

/// The batch validation behind `libtcp.validate_batch` (which wraps the
/// status array with the backend's name): `(status, backend)`.
///
/// Raises `UnknownDialectError` or `BadInputError` (`"auto"`, a bad mode, an
/// unknown or unavailable backend), `WrongLengthError` (not whole records),
/// and `BadMagicError` / `UnsupportedVersionError` when every record of a
/// non-empty batch fails the dialect's framing (the data is another
/// dialect's: the message names the dialects whose framing fits).
#[pyfunction]
#[pyo3(signature = (data, dialect="c24", policy=None, backend=None, mode="strict"))]
pub fn _validate_batch<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    dialect: &str,
    policy: Option<PyRef<'py, PyPolicy>>,
    backend: Option<&str>,
    mode: &str,
) -> PyResult<(Bound<'py, PyArray1<u8>>, &'static str)> {
    if dialect.eq_ignore_ascii_case("auto") {
        return Err(bad_input(
            "validate_batch needs a named dialect: records of a batch share one layout",
        ));
    }
    let dialect = Dialect::parse(dialect).into_py_result()?;
    let mode = parse_mode(mode)?;
    let view = ByteView::new(data)?;
    let input = view.as_slice();
    let n = check_batch_shape(dialect, input, usize::MAX).into_py_result()?;
    let chosen = resolve(backend, dialect, n)?;
    let default_policy;
    let policy: &Policy = match &policy {
        Some(p) => p.inner(),
        None => {
            default_policy = Policy::default();
            &default_policy
        }
    };
    let mut out = vec![0u8; n];
    py.detach(|| {
        chosen
            .backend()
            .validate(dialect, input, policy, &mut out)?;
        // Backends are strict; lenient mode re-reads only what strict mode rejected.
        if mode == Mode::Lenient {
            relax(dialect, input, policy, &mut out);
        }
        Ok(())
    })
    .into_py_result()?;
    if let Some(e) = wrong_dialect(dialect, input, &out) {
        return Err(e);
    }
    Ok((PyArray1::from_vec(py, out), chosen.backend().name()))
}

/// The error for a batch whose every record fails `dialect`'s framing (bad
/// magic or version): almost always data of another dialect, which a status
/// array of nothing but errors would hide.
fn wrong_dialect(dialect: Dialect, input: &[u8], out: &[u8]) -> Option<PyErr> {
    let framing = |b: &u8| match Status(*b).outcome() {
        Err(Some(code)) => {
            matches!(code, ErrorCode::BadMagic | ErrorCode::UnsupportedVersion).then_some(code)
        }
        _ => None,
    };
    let code = framing(out.first()?)?;
    if !out.iter().all(|b| framing(b).is_some()) {
        return None;
    }
    // Which dialects' framing the first record (at their own length) passes.
    let fits: Vec<&str> = Dialect::ALL
        .iter()
        .filter(|d| **d != dialect && d.has_checksum())
        .filter(|d| input.len() % d.record_len() == 0)
        .filter(|d| {
            input
                .get(..d.record_len())
                .is_some_and(|r| d.framing_verifies(r))
        })
        .map(|d| d.as_str())
        .collect();
    let hint = match fits.as_slice() {
        [] => "no other dialect's framing verifies the first record either".to_owned(),
        [one] => format!("the data looks like {one}: pass dialect=\"{one}\""),
        many => format!(
            "the first record's framing fits {}: pass one as dialect=",
            many.join(", ")
        ),
    };
    Some(with_code(
        code,
        format!(
            "all {} records fail {dialect}'s framing ({code}); {hint}",
            out.len()
        ),
    ))
}

/// `(risk, decision, error)` arrays.
type Unpacked<'py> = (
    Bound<'py, PyArray1<i8>>,
    Bound<'py, PyArray1<i8>>,
    Bound<'py, PyArray1<u8>>,
);

/// Splits status bytes into `(risk, decision, error)` arrays (`int8`, `int8`,
/// `uint8`): risk and decision are -1 for invalid records (risk also for a
/// lenient batch's valid records without a risk level), error is the error
/// code's number (0 for valid records).
///
/// Raises `TypeError` or `BufferError` if `status` is not a byte buffer.
#[pyfunction]
pub fn unpack_status<'py>(py: Python<'py>, status: &Bound<'py, PyAny>) -> PyResult<Unpacked<'py>> {
    let view = ByteView::new(status)?;
    let status = view.as_slice();
    let (risk, decision, error) = py.detach(|| {
        let mut risk = Vec::with_capacity(status.len());
        let mut decision = Vec::with_capacity(status.len());
        let mut error = Vec::with_capacity(status.len());
        for &b in status {
            let (r, d, e) = match Status(b).read() {
                Ok((r, d)) => (r.map_or(-1, |r| r as i8), d as i8, 0),
                Err(Some(code)) => (-1, -1, code as u8),
                Err(None) => (-1, -1, b & !Status::INVALID_BIT),
            };
            risk.push(r);
            decision.push(d);
            error.push(e);
        }
        (risk, decision, error)
    });
    Ok((
        PyArray1::from_vec(py, risk),
        PyArray1::from_vec(py, decision),
        PyArray1::from_vec(py, error),
    ))
}

/// Counts over status bytes: `records`, `invalid`, and valid records per decision name.
///
/// Raises `TypeError` or `BufferError` if `status` is not a byte buffer.
#[pyfunction]
pub fn summarize<'py>(py: Python<'py>, status: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let view = ByteView::new(status)?;
    let status = view.as_slice();
    let summary = py.detach(|| BatchSummary::count(status));
    let out = PyDict::new(py);
    out.set_item("records", summary.records)?;
    out.set_item("invalid", summary.invalid)?;
    let by_decision = PyDict::new(py);
    for (d, count) in Decision::ALL.iter().zip(summary.by_decision) {
        by_decision.set_item(d.as_str(), count)?;
    }
    out.set_item("by_decision", by_decision)?;
    Ok(out)
}
