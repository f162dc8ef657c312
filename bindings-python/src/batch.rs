//! `validate_batch`: many records from any buffer, without copying, GIL released.

use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tcp_core::batch::{BatchSummary, Status, check_batch_shape};
use tcp_core::{Decision, Dialect, Policy};

use crate::backends::resolve;
use crate::buffer::ByteView;
use crate::errors::{IntoPyResult, bad_input};
use crate::policy::PyPolicy;

/// Validates and decides every record of `data` (contiguous records of one
/// dialect), returning one status byte per record as a `numpy.uint8` array:
/// `0b00DD_0RRR` for a valid record (risk RRR, decision DD) and
/// `0b1EEE_EEEE` (error code) for an invalid one; `unpack_status` splits them.
///
/// `data` is any C-contiguous byte buffer and is read in place; the GIL is
/// released while the backend (default: the best available) runs.
#[pyfunction]
#[pyo3(signature = (data, dialect="c24", policy=None, backend=None))]
pub fn validate_batch<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    dialect: &str,
    policy: Option<PyRef<'py, PyPolicy>>,
    backend: Option<&str>,
) -> PyResult<Bound<'py, PyArray1<u8>>> {
    if dialect.eq_ignore_ascii_case("auto") {
        return Err(bad_input(
            "validate_batch needs a named dialect: records of a batch share one layout",
        ));
    }
    let dialect = Dialect::parse(dialect).into_py_result()?;
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
    py.detach(|| chosen.backend().validate(dialect, input, policy, &mut out))
        .into_py_result()?;
    Ok(PyArray1::from_vec(py, out))
}

/// `(risk, decision, error)` arrays.
type Unpacked<'py> = (
    Bound<'py, PyArray1<i8>>,
    Bound<'py, PyArray1<i8>>,
    Bound<'py, PyArray1<u8>>,
);

/// Splits status bytes into `(risk, decision, error)` arrays (`int8`, `int8`,
/// `uint8`): risk and decision are -1 for invalid records, error is the
/// error code's number (0 for valid records).
#[pyfunction]
pub fn unpack_status<'py>(py: Python<'py>, status: &Bound<'py, PyAny>) -> PyResult<Unpacked<'py>> {
    let view = ByteView::new(status)?;
    let status = view.as_slice();
    let (risk, decision, error) = py.detach(|| {
        let mut risk = Vec::with_capacity(status.len());
        let mut decision = Vec::with_capacity(status.len());
        let mut error = Vec::with_capacity(status.len());
        for &b in status {
            let (r, d, e) = match Status(b).outcome() {
                Ok((r, d)) => (r as i8, d as i8, 0),
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
