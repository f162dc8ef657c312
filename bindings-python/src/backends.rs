//! tcp-hw's batch backends: listing them and picking one by name.

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tcp_core::{Dialect, Policy};
use tcp_hw::{Availability, Backend, BackendKind};

use crate::errors::bad_input;

/// Every backend tcp-hw builds, in its order of preference.
fn all_backends() -> Vec<Box<dyn Backend>> {
    vec![Box::new(tcp_hw::ScalarBackend)]
}

/// The backend named `name` (or the preferred available one for `dialect` when `None`).
pub fn resolve(name: Option<&str>, dialect: Dialect) -> PyResult<Box<dyn Backend>> {
    let mut candidates = all_backends().into_iter();
    let chosen = match name {
        Some(name) => candidates.find(|b| b.name().eq_ignore_ascii_case(name)).ok_or_else(|| {
            let known: Vec<&str> = all_backends().iter().map(|b| b.name()).collect();
            bad_input(format!("unknown backend {name:?}; known: {}", known.join(", ")))
        })?,
        None => candidates
            .find(|b| b.availability().is_available() && b.supports(dialect))
            .ok_or_else(|| bad_input(format!("no available backend supports {dialect}")))?,
    };
    if let Availability::Unavailable { reason } = chosen.availability() {
        return Err(bad_input(format!("backend {} is unavailable: {reason}", chosen.name())));
    }
    if !chosen.supports(dialect) {
        return Err(bad_input(format!("backend {} does not support {dialect}", chosen.name())));
    }
    Ok(chosen)
}

/// Runs a backend (a seam so the batch entry point does not care which).
pub fn validate_with(
    backend: &dyn Backend,
    dialect: Dialect,
    input: &[u8],
    policy: &Policy,
    out: &mut [u8],
) -> tcp_core::Result<()> {
    backend.validate(dialect, input, policy, out)
}

fn kind_name(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Cpu => "cpu",
        BackendKind::Simd => "simd",
        BackendKind::OpenCl => "opencl",
        BackendKind::Fpga => "fpga",
    }
}

/// A batch validation backend as tcp-hw describes it.
#[pyclass(module = "libtcp", name = "BackendInfo", frozen, eq, skip_from_py_object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyBackendInfo {
    /// Short stable name (pass it as `validate_batch(..., backend=name)`).
    #[pyo3(get)]
    name: String,
    /// `cpu`, `simd`, `opencl` or `fpga`.
    #[pyo3(get)]
    kind: String,
    /// What it runs on.
    #[pyo3(get)]
    device: String,
    /// True if it can run here.
    #[pyo3(get)]
    available: bool,
    /// Why it cannot run here (`None` when available).
    #[pyo3(get)]
    reason: Option<String>,
}

#[pymethods]
impl PyBackendInfo {
    #[new]
    #[pyo3(signature = (name, kind, device, available, reason=None))]
    fn new(name: String, kind: String, device: String, available: bool, reason: Option<String>) -> Self {
        Self {
            name,
            kind,
            device,
            available,
            reason,
        }
    }

    fn __repr__(&self) -> String {
        match &self.reason {
            None => format!("BackendInfo({:?}, {}, {:?}, available)", self.name, self.kind, self.device),
            Some(r) => format!("BackendInfo({:?}, {}, unavailable: {r:?})", self.name, self.kind),
        }
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let b = slf.get();
        let args = (
            b.name.clone(),
            b.kind.clone(),
            b.device.clone(),
            b.available,
            b.reason.clone(),
        )
            .into_pyobject(slf.py())?;
        Ok((slf.get_type().into_any(), args))
    }
}

/// Every backend tcp-hw builds, available or not (with the reason).
#[pyfunction]
pub fn backends(py: Python<'_>) -> Vec<PyBackendInfo> {
    // Probing a device (OpenCL, XRT) can take a while: let other threads run.
    py.detach(|| {
        all_backends()
            .iter()
            .map(|b| {
                let availability = b.availability();
                PyBackendInfo {
                    name: b.name().to_owned(),
                    kind: kind_name(b.kind()).to_owned(),
                    device: b.device(),
                    available: availability.is_available(),
                    reason: match availability {
                        Availability::Available => None,
                        Availability::Unavailable { reason } => Some(reason),
                    },
                }
            })
            .collect()
    })
}
