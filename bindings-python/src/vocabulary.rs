//! `RiskLevel`, `Decision` and capability names: tcp-core's vocabulary as Python values.
//!
//! Arguments accept the enum, its number or its name (as tcp-core parses
//! names); capabilities are lists of names or the raw bit mask.

use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use tcp_core::{Capabilities, Decision, RiskLevel};

use crate::errors::bad_input;

/// `(getattr, (cls, name))`: pickles an enum member as a lookup on its class,
/// so it unpickles to the same member.
fn reduce_member<'py>(
    py: Python<'py>,
    cls: Bound<'py, pyo3::types::PyType>,
    name: &'static str,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
    let getattr = py.import("builtins")?.getattr("getattr")?;
    let args = PyTuple::new(py, [cls.into_any(), PyString::new(py, name).into_any()])?;
    Ok((getattr, args))
}

/// How dangerous a command is, from SAFE to CRITICAL (ordered).
#[pyclass(module = "libtcp", name = "RiskLevel", eq, eq_int, ord, hash, frozen)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PyRiskLevel {
    /// Reads only; no lasting effect.
    #[pyo3(name = "SAFE")]
    Safe = 0,
    /// Small, easily undone effects.
    #[pyo3(name = "LOW_RISK")]
    Low = 1,
    /// Modifies state in ways that need care.
    #[pyo3(name = "MEDIUM_RISK")]
    Medium = 2,
    /// Can destroy data or change the system.
    #[pyo3(name = "HIGH_RISK")]
    High = 3,
    /// Can destroy the system or escalate privileges.
    #[pyo3(name = "CRITICAL")]
    Critical = 4,
}

impl From<RiskLevel> for PyRiskLevel {
    fn from(r: RiskLevel) -> Self {
        match r {
            RiskLevel::Safe => Self::Safe,
            RiskLevel::Low => Self::Low,
            RiskLevel::Medium => Self::Medium,
            RiskLevel::High => Self::High,
            RiskLevel::Critical => Self::Critical,
        }
    }
}

impl From<PyRiskLevel> for RiskLevel {
    fn from(r: PyRiskLevel) -> Self {
        match r {
            PyRiskLevel::Safe => Self::Safe,
            PyRiskLevel::Low => Self::Low,
            PyRiskLevel::Medium => Self::Medium,
            PyRiskLevel::High => Self::High,
            PyRiskLevel::Critical => Self::Critical,
        }
    }
}

#[pymethods]
impl PyRiskLevel {
    /// The prototype's name (`SAFE`, `LOW_RISK`, ...).
    #[getter]
    pub fn name(&self) -> &'static str {
        RiskLevel::from(*self).as_str()
    }

    /// The number 0..=4.
    #[getter]
    fn value(&self) -> u8 {
        *self as u8
    }

    /// Parses a name (`"high"`, `"HIGH_RISK"`, ...) or a number 0..=4.
    /// Raises `BadInputError` for an unknown name or number.
    #[staticmethod]
    fn parse(value: RiskArg) -> Self {
        value.0.into()
    }

    fn __str__(&self) -> &'static str {
        self.name()
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce_member(py, py.get_type::<Self>(), self.name())
    }
}

/// What an agent may do with a command, from APPROVED to REJECT (ordered).
#[pyclass(module = "libtcp", name = "Decision", eq, eq_int, ord, hash, frozen)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PyDecision {
    /// Run it.
    #[pyo3(name = "APPROVED")]
    Approved = 0,
    /// Run it with care.
    #[pyo3(name = "CAUTION_MODE")]
    CautionMode = 1,
    /// Ask a human first.
    #[pyo3(name = "REQUIRE_APPROVAL")]
    RequireApproval = 2,
    /// Do not run it.
    #[pyo3(name = "REJECT")]
    Reject = 3,
}

impl From<Decision> for PyDecision {
    fn from(d: Decision) -> Self {
        match d {
            Decision::Approved => Self::Approved,
            Decision::CautionMode => Self::CautionMode,
            Decision::RequireApproval => Self::RequireApproval,
            Decision::Reject => Self::Reject,
        }
    }
}

impl From<PyDecision> for Decision {
    fn from(d: PyDecision) -> Self {
        match d {
            PyDecision::Approved => Self::Approved,
            PyDecision::CautionMode => Self::CautionMode,
            PyDecision::RequireApproval => Self::RequireApproval,
            PyDecision::Reject => Self::Reject,
        }
    }
}

#[pymethods]
impl PyDecision {
    /// The prototype's name (`APPROVED`, `CAUTION_MODE`, ...).
    #[getter]
    pub fn name(&self) -> &'static str {
        Decision::from(*self).as_str()
    }

    /// The number 0..=3.
    #[getter]
    fn value(&self) -> u8 {
        *self as u8
    }

    /// Parses a name (`"reject"`, `"deny"`, `"ask"`, ...) or a number 0..=3.
    /// Raises `BadInputError` for an unknown name or number.
    #[staticmethod]
    fn parse(value: DecisionArg) -> Self {
        value.0.into()
    }

    fn __str__(&self) -> &'static str {
        self.name()
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce_member(py, py.get_type::<Self>(), self.name())
    }
}

/// A risk level argument: `RiskLevel`, its number or its name.
pub struct RiskArg(pub RiskLevel);

impl<'a, 'py> FromPyObject<'a, 'py> for RiskArg {
    type Error = PyErr;

    fn extract(ob: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(r) = ob.extract::<PyRiskLevel>() {
            return Ok(Self(r.into()));
        }
        if let Ok(n) = ob.extract::<i64>() {
            return u8::try_from(n)
                .ok()
                .and_then(RiskLevel::from_u8)
                .map(Self)
                .ok_or_else(|| bad_input(format!("risk level {n} is not in 0..=4")));
        }
        let name: String = ob.extract()?;
        RiskLevel::parse(&name)
            .map(Self)
            .ok_or_else(|| bad_input(format!("unknown risk level {name:?}")))
    }
}

/// A decision argument: `Decision`, its number or its name.
pub struct DecisionArg(pub Decision);

impl<'a, 'py> FromPyObject<'a, 'py> for DecisionArg {
    type Error = PyErr;

    fn extract(ob: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(d) = ob.extract::<PyDecision>() {
            return Ok(Self(d.into()));
        }
        if let Ok(n) = ob.extract::<i64>() {
            return u8::try_from(n)
                .ok()
                .and_then(Decision::from_u8)
                .map(Self)
                .ok_or_else(|| bad_input(format!("decision {n} is not in 0..=3")));
        }
        let name: String = ob.extract()?;
        Decision::parse(&name)
            .map(Self)
            .ok_or_else(|| bad_input(format!("unknown decision {name:?}")))
    }
}

/// A capability set argument: an iterable of names, one name, or the bit mask.
#[derive(Default)]
pub struct CapabilitiesArg(pub Capabilities);

impl<'a, 'py> FromPyObject<'a, 'py> for CapabilitiesArg {
    type Error = PyErr;

    fn extract(ob: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(bits) = ob.extract::<i64>() {
            return u16::try_from(bits)
                .ok()
                .and_then(Capabilities::from_bits)
                .map(Self)
                .ok_or_else(|| bad_input(format!("capability bits {bits:#x} are not defined")));
        }
        if let Ok(name) = ob.extract::<String>() {
            return capability(&name).map(Self);
        }
        let mut caps = Capabilities::EMPTY;
        for item in ob.try_iter()? {
            let name: String = item?.extract()?;
            caps |= capability(&name)?;
        }
        Ok(Self(caps))
    }
}

fn capability(name: &str) -> PyResult<Capabilities> {
    Capabilities::from_name(name).ok_or_else(|| bad_input(format!("unknown capability {name:?}")))
}

/// Every capability name, in bit order.
#[pyfunction]
pub fn capability_names() -> Vec<&'static str> {
    Capabilities::from_bits_truncate(Capabilities::ALL_BITS).names()
}
