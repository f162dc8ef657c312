//! `Policy`: tcp-core's policy, built from keyword arguments or TOML.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use tcp_core::{Decision, Policy, RiskLevel};

use crate::errors::IntoPyResult;
use crate::verdict::PyVerdict;
use crate::vocabulary::{CapabilitiesArg, DecisionArg, PyDecision, RiskArg};

/// How risk and capabilities turn into decisions (immutable; `with_*` return new policies).
#[pyclass(module = "libtcp", name = "Policy", frozen, eq, skip_from_py_object)]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PyPolicy {
    inner: Policy,
}

impl PyPolicy {
    /// tcp-core's policy.
    pub fn inner(&self) -> &Policy {
        &self.inner
    }

    /// Wraps a tcp-core policy.
    pub fn from_core(inner: Policy) -> Self {
        Self { inner }
    }
}

/// `policy` with its per-level decisions replaced by `table`, through tcp-core's
/// own builder: starting from all-APPROVED and setting levels from the top down
/// keeps every intermediate table monotone, so only a non-monotone `table` fails.
fn with_risk_table(policy: Policy, table: [Decision; 5]) -> tcp_core::Result<Policy> {
    let mut p = policy.with_max_approved(RiskLevel::Critical);
    for (level, decision) in RiskLevel::ALL.iter().rev().zip(table.iter().rev()) {
        p = p.with_risk_decision(*level, *decision)?;
    }
    Ok(p)
}

#[pymethods]
impl PyPolicy {
    /// The prototype's default policy, adjusted by the same keys as the TOML form:
    /// `max_approved_risk`, `risk` (level → decision), `require_approval`,
    /// `deny` (capability names) and `unknown_command`.
    ///
    /// Raises `BadInputError` for an unknown level, decision or capability,
    /// or a `risk` table whose decisions fall as risk rises.
    #[new]
    #[pyo3(signature = (*, max_approved_risk=None, risk=None, require_approval=CapabilitiesArg::default(), deny=CapabilitiesArg::default(), unknown_command=None))]
    fn new(
        max_approved_risk: Option<RiskArg>,
        risk: Option<BTreeMap<String, Bound<'_, PyAny>>>,
        require_approval: CapabilitiesArg,
        deny: CapabilitiesArg,
        unknown_command: Option<DecisionArg>,
    ) -> PyResult<Self> {
        let mut p = Policy::default();
        if let Some(level) = max_approved_risk {
            p = p.with_max_approved(level.0);
        }
        if let Some(overrides) = risk {
            let mut table = p.decisions_by_risk();
            for (level, decision) in overrides {
                let level = RiskArg::extract_str(&level)?;
                let decision: DecisionArg = decision.extract()?;
                if let Some(slot) = table.get_mut(level as usize) {
                    *slot = decision.0;
                }
            }
            p = with_risk_table(p, table).into_py_result()?;
        }
        p = p
            .with_require_approval(require_approval.0)
            .with_deny(deny.0);
        if let Some(d) = unknown_command {
            p = p.with_unknown_command(d.0);
        }
        Ok(Self { inner: p })
    }

    /// Reads a policy from TOML (see tcp-core's `Policy::from_toml`).
    ///
    /// Raises `BadInputError` for TOML that does not parse, an unknown key,
    /// level, decision or capability, or a non-monotone risk table.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<Self> {
        Policy::from_toml(text)
            .map(Self::from_core)
            .into_py_result()
    }

    /// Approve every level up to `level`; levels above at least CAUTION_MODE.
    /// Raises `BadInputError` for an unknown level.
    fn with_max_approved(&self, level: RiskArg) -> Self {
        Self::from_core(self.inner.clone().with_max_approved(level.0))
    }

    /// Sets one level's decision (must stay monotone in risk). Raises
    /// `BadInputError` for an unknown level or decision, or a non-monotone result.
    fn with_risk_decision(&self, level: RiskArg, decision: DecisionArg) -> PyResult<Self> {
        self.inner
            .clone()
            .with_risk_decision(level.0, decision.0)
            .map(Self::from_core)
            .into_py_result()
    }

    /// Adds capabilities that always need approval. Raises `BadInputError`
    /// for an unknown capability.
    fn with_require_approval(&self, capabilities: CapabilitiesArg) -> Self {
        Self::from_core(self.inner.clone().with_require_approval(capabilities.0))
    }

    /// Adds capabilities that are always rejected. Raises `BadInputError`
    /// for an unknown capability.
    fn with_deny(&self, capabilities: CapabilitiesArg) -> Self {
        Self::from_core(self.inner.clone().with_deny(capabilities.0))
    }

    /// Sets what unknown commands get. Raises `BadInputError` for an unknown decision.
    fn with_unknown_command(&self, decision: DecisionArg) -> Self {
        Self::from_core(self.inner.clone().with_unknown_command(decision.0))
    }

    /// The decision per risk level, SAFE first.
    #[getter]
    fn decisions_by_risk(&self) -> Vec<PyDecision> {
        self.inner
            .decisions_by_risk()
            .iter()
            .map(|d| PyDecision::from(*d))
            .collect()
    }

    /// Capabilities that always need approval.
    #[getter]
    fn require_approval(&self) -> Vec<&'static str> {
        self.inner.require_approval().names()
    }

    /// Capabilities that are always rejected.
    #[getter]
    fn deny(&self) -> Vec<&'static str> {
        self.inner.deny().names()
    }

    /// What unknown commands get.
    #[getter]
    fn unknown_command(&self) -> PyDecision {
        self.inner.unknown_command().into()
    }

    /// Decides for a risk level and capabilities, with reasons. Raises
    /// `BadInputError` for an unknown level or capability.
    #[pyo3(signature = (risk, capabilities=CapabilitiesArg::default()))]
    fn decide(&self, risk: RiskArg, capabilities: CapabilitiesArg) -> PyVerdict {
        PyVerdict::from_core(&self.inner.decide(risk.0, capabilities.0), None)
    }

    /// Decides for a command the registry does not know.
    fn decide_unknown(&self, command: &str) -> PyVerdict {
        PyVerdict::from_core(&self.inner.decide_unknown(command), None)
    }

    fn __repr__(&self) -> String {
        let table: Vec<&str> = self
            .inner
            .decisions_by_risk()
            .iter()
            .map(|d| d.as_str())
            .collect();
        format!(
            "Policy(risk={table:?}, require_approval={:?}, deny={:?}, unknown_command={})",
            self.inner.require_approval().names(),
            self.inner.deny().names(),
            self.inner.unknown_command()
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        // Rebuilt through the keyword constructor: `Policy.__new__(Policy, **state)`.
        let py = slf.py();
        let p = &slf.get().inner;
        let kwargs = PyDict::new(py);
        let risk = PyDict::new(py);
        for (level, decision) in RiskLevel::ALL.iter().zip(p.decisions_by_risk()) {
            risk.set_item(level.as_str(), decision.as_str())?;
        }
        kwargs.set_item("risk", risk)?;
        kwargs.set_item("require_approval", p.require_approval().bits())?;
        kwargs.set_item("deny", p.deny().bits())?;
        kwargs.set_item("unknown_command", p.unknown_command().as_str())?;
        let newobj_ex = py.import("copyreg")?.getattr("__newobj_ex__")?;
        let args = (slf.get_type(), PyTuple::empty(py), kwargs).into_pyobject(py)?;
        Ok((newobj_ex, args))
    }
}

impl RiskArg {
    /// A level from its name.
    fn extract_str(name: &str) -> PyResult<RiskLevel> {
        RiskLevel::parse(name)
            .ok_or_else(|| crate::errors::bad_input(format!("unknown risk level {name:?}")))
    }
}
