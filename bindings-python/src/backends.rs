//! tcp-hw's batch backends: listing them and picking one by name.

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::Arc;

use tcp_core::Dialect;
use tcp_hw::{Availability, Backend, BackendKind};

use crate::errors::bad_input;

/// A backend chosen for one batch; a selected one holds its reservation until dropped.
pub struct Chosen {
    backend: Arc<dyn Backend>,
    _reservation: Option<tcp_hw::Reservation>,
}

impl Chosen {
    /// The backend.
    pub fn backend(&self) -> &dyn Backend {
        &*self.backend
    }
}

/// The backend named `name`, or tcp-hw's selection for `records` records of `dialect`.
pub fn resolve(name: Option<&str>, dialect: Dialect, records: usize) -> PyResult<Chosen> {
    let Some(name) = name else {
        return match tcp_hw::select(dialect, records) {
            Ok(selection) => Ok(Chosen {
                backend: selection.backend,
                _reservation: Some(selection.reservation),
            }),
            Err(rejected) => {
                let why: Vec<String> = rejected.iter().map(ToString::to_string).collect();
                Err(bad_input(format!(
                    "no backend can take this batch: {}",
                    why.join("; ")
                )))
            }
        };
    };
    let backend = tcp_hw::select::backend_by_name(name).ok_or_else(|| {
        let known: Vec<&str> = tcp_hw::select::all_backends()
            .iter()
            .map(|b| b.name())
            .collect();
        bad_input(format!(
            "unknown backend {name:?}; known: {}",
            known.join(", ")
        ))
    })?;
    if let Availability::Unavailable { reason } = backend.availability() {
        return Err(bad_input(format!(
            "backend {} is unavailable: {reason}",
            backend.name()
        )));
    }
    if !backend.supports(dialect) {
        return Err(bad_input(format!(
            "backend {} does not support {dialect}",
            backend.name()
        )));
    }
    Ok(Chosen {
        backend,
        _reservation: None,
    })
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
#[pyclass(
    module = "libtcp",
    name = "BackendInfo",
    frozen,
    eq,
    skip_from_py_object
)]
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
    fn new(
        name: String,
        kind: String,
        device: String,
        available: bool,
        reason: Option<String>,
    ) -> Self {
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
            None => format!(
                "BackendInfo({:?}, {}, {:?}, available)",
                self.name, self.kind, self.device
            ),
            Some(r) => format!(
                "BackendInfo({:?}, {}, unavailable: {r:?})",
                self.name, self.kind
            ),
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
        tcp_hw::select::all_backends()
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

/// Pays every backend's one-time set-up now rather than in the first
/// `validate_batch`: probes each backend (an OpenCL context and kernel
/// build, an XRT device), runs one small batch on each available one (thread
/// pools, kernel dispatch) and builds the process-wide selector. Returns the
/// seconds each available backend took, by name. Safe to call more than once
/// (later calls are cheap).
///
/// Raises nothing: a backend that cannot run is left out of the result
/// (`backends()` says why).
#[pyfunction]
pub fn warm_up(py: Python<'_>) -> Vec<(&'static str, f64)> {
    py.detach(|| {
        // A C24 batch of zeros: every record fails on its magic, which still
        // runs each backend's whole dispatch path.
        let input = vec![0u8; 4096 * Dialect::Canonical.record_len()];
        let mut out = vec![0u8; 4096];
        let policy = tcp_core::Policy::default();
        let mut took = Vec::new();
        for b in tcp_hw::select::all_backends() {
            let start = std::time::Instant::now();
            let Some(shared) = tcp_hw::select::backend_by_name(b.name()) else {
                continue;
            };
            if !shared.availability().is_available() || !shared.supports(Dialect::Canonical) {
                continue;
            }
            if shared
                .validate(Dialect::Canonical, &input, &policy, &mut out)
                .is_ok()
            {
                took.push((shared.name(), start.elapsed().as_secs_f64()));
            }
        }
        // The selector is built on first use; a zero-record selection builds it.
        drop(tcp_hw::select(Dialect::Canonical, 0));
        took
    })
}
