//! `Reason` and `Verdict`: tcp-core's decisions with their reasons, as plain
//! picklable Python values.

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tcp_core::{Reason, Verdict};

use crate::descriptor::PyDescriptor;
use crate::vocabulary::PyDecision;

/// Why a decision came out as it did.
#[pyclass(module = "libtcp", name = "Reason", frozen, eq, skip_from_py_object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyReason {
    /// Stable snake_case kind (`risk`, `capability`, `unknown_command`, `rule`, ...).
    #[pyo3(get)]
    kind: String,
    /// The decision this reason asks for.
    #[pyo3(get)]
    decision: PyDecision,
    /// What the reason is about: the risk level, capability, command, rule id or
    /// what could not be analysed.
    #[pyo3(get)]
    subject: Option<String>,
    /// Why a rule exists (rules only).
    #[pyo3(get)]
    justification: Option<String>,
    /// tcp-core's one-line description.
    #[pyo3(get)]
    message: String,
}

impl From<&Reason> for PyReason {
    fn from(r: &Reason) -> Self {
        let (subject, justification) = match r {
            Reason::Risk { level, .. } => (Some(level.as_str().to_owned()), None),
            Reason::Capability { capability, .. } => (Some((*capability).to_owned()), None),
            Reason::UnknownCommand { command, .. } => (Some(command.clone()), None),
            Reason::Rule {
                id, justification, ..
            } => (Some(id.clone()), Some(justification.clone())),
            Reason::FailClosed { what, .. } | Reason::Lenient { what, .. } => {
                (Some(what.clone()), None)
            }
            _ => (None, None),
        };
        Self {
            kind: r.kind().to_owned(),
            decision: r.decision().into(),
            subject,
            justification,
            message: r.to_string(),
        }
    }
}

#[pymethods]
impl PyReason {
    #[new]
    #[pyo3(signature = (kind, decision, message, subject=None, justification=None))]
    fn new(
        kind: String,
        decision: PyDecision,
        message: String,
        subject: Option<String>,
        justification: Option<String>,
    ) -> Self {
        Self {
            kind,
            decision,
            subject,
            justification,
            message,
        }
    }

    fn __str__(&self) -> &str {
        &self.message
    }

    fn __repr__(&self) -> String {
        format!(
            "Reason({:?}, {}, {:?})",
            self.kind,
            self.decision.name(),
            self.message
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let r = slf.get();
        let args = (
            r.kind.clone(),
            r.decision,
            r.message.clone(),
            r.subject.clone(),
            r.justification.clone(),
        )
            .into_pyobject(py)?;
        Ok((slf.get_type().into_any(), args))
    }
}

/// A decision with every reason that contributed to it.
#[pyclass(module = "libtcp", name = "Verdict", frozen, skip_from_py_object)]
#[derive(Debug)]
pub struct PyVerdict {
    /// The strictest decision among the reasons.
    #[pyo3(get)]
    decision: PyDecision,
    reasons: Vec<PyReason>,
    /// The descriptor decided on, when the verdict came from one.
    #[pyo3(get)]
    descriptor: Option<Py<PyDescriptor>>,
}

impl PyVerdict {
    /// From tcp-core's verdict.
    pub fn from_core(v: &Verdict, descriptor: Option<Py<PyDescriptor>>) -> Self {
        Self {
            decision: v.decision.into(),
            reasons: v.reasons.iter().map(PyReason::from).collect(),
            descriptor,
        }
    }
}

#[pymethods]
impl PyVerdict {
    #[new]
    #[pyo3(signature = (decision, reasons, descriptor=None))]
    fn new(
        decision: PyDecision,
        reasons: Vec<PyRef<'_, PyReason>>,
        descriptor: Option<Py<PyDescriptor>>,
    ) -> Self {
        Self {
            decision,
            reasons: reasons.iter().map(|r| (**r).clone()).collect(),
            descriptor,
        }
    }

    /// Every reason, in the order found.
    #[getter]
    fn reasons(&self) -> Vec<PyReason> {
        self.reasons.clone()
    }

    fn __repr__(&self) -> String {
        let reasons: Vec<&str> = self.reasons.iter().map(|r| r.message.as_str()).collect();
        format!("Verdict({}, reasons={reasons:?})", self.decision.name())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(other) = other.cast::<Self>() else {
            return Ok(false);
        };
        let other = other.get();
        let same_descriptor = match (&self.descriptor, &other.descriptor) {
            (None, None) => true,
            (Some(a), Some(b)) => a.get() == b.get(),
            _ => false,
        };
        Ok(self.decision == other.decision && self.reasons == other.reasons && same_descriptor)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let v = slf.get();
        let descriptor = v.descriptor.as_ref().map(|d| d.clone_ref(py));
        let args = (v.decision, v.reasons.clone(), descriptor).into_pyobject(py)?;
        Ok((slf.get_type().into_any(), args))
    }
}
