//! Whole command lines: tcp-core's `command_line::Checker`, and its verdicts as
//! picklable Python values (`LineVerdict`, `Segment`).

use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tcp_core::command_line::{Checker, LineVerdict, RuleSet, SegmentVerdict, builtin};
use tcp_core::{Policy, Registry};

use crate::errors::to_py;
use crate::policy::PyPolicy;
use crate::verdict::PyReason;
use crate::vocabulary::{PyDecision, PyRiskLevel};

/// The built-in registry, or the error its tables failed to load with.
pub fn builtin_registry() -> PyResult<Arc<Registry>> {
    match builtin::load_error() {
        Some(e) => Err(to_py(e)),
        None => Ok(builtin::shared_registry()),
    }
}

/// The built-in checker under the default policy, built once (it clones the rule set).
pub fn builtin_checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(Checker::builtin)
}

/// The default-policy checker cached in `cache`, built over `registry` on first use.
pub fn checker_in<'a>(registry: &Arc<Registry>, cache: &'a OnceLock<Checker>) -> &'a Checker {
    cache.get_or_init(|| Checker::new(Arc::clone(registry), RuleSet::builtin(), Policy::default()))
}

/// Checks `line` with `checker`, under `policy` when given.
pub fn run(checker: &Checker, line: &str, policy: Option<&PyPolicy>) -> PyLineVerdict {
    let verdict = match policy {
        None => checker.check(line),
        Some(p) => checker.clone().with_policy(p.inner().clone()).check(line),
    };
    PyLineVerdict::from_core(&verdict)
}

/// Decides a whole shell line with the built-in registry and argument rules:
/// it is split into the simple commands it runs, launchers (`sudo`, `env`,
/// `bash -c`, ...) are seen through, and the strictest segment decides.
///
/// Raises nothing for any text: what cannot be analysed is decided
/// fail-closed (`TcpError` only if the built-in tables failed their
/// self-test, a bug).
#[pyfunction]
#[pyo3(signature = (line, policy=None))]
pub fn check(line: &str, policy: Option<PyRef<'_, PyPolicy>>) -> PyResult<PyLineVerdict> {
    builtin_registry()?;
    Ok(run(builtin_checker(), line, policy.as_deref()))
}

/// The decision for one simple command of a line.
#[pyclass(module = "libtcp", name = "Segment", frozen, eq, skip_from_py_object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PySegment {
    /// The segment's source text.
    #[pyo3(get)]
    text: String,
    /// The resolved command (`rm`, `git push`); empty when the segment runs none.
    #[pyo3(get)]
    command: String,
    /// The command and its arguments after the launchers, quotes removed.
    #[pyo3(get)]
    argv: Vec<String>,
    /// The launchers removed, outermost first.
    #[pyo3(get)]
    wrappers: Vec<String>,
    /// The risk (`None` for an unknown command).
    #[pyo3(get)]
    risk: Option<PyRiskLevel>,
    /// Capability names, launchers' and rules' included.
    #[pyo3(get)]
    capabilities: Vec<String>,
    /// Identifiers of the rules that fired.
    #[pyo3(get)]
    rules: Vec<String>,
    reasons: Vec<PyReason>,
    /// The strictest decision of the reasons.
    #[pyo3(get)]
    decision: PyDecision,
    /// A safer command doing what was likely intended, when one is known.
    #[pyo3(get)]
    safer_alternative: Option<String>,
}

impl PySegment {
    fn from_core(s: &SegmentVerdict) -> Self {
        Self {
            text: s.text.clone(),
            command: s.command.clone(),
            argv: s.argv.clone(),
            wrappers: s.wrappers.clone(),
            risk: s.risk.map(PyRiskLevel::from),
            capabilities: s
                .capabilities
                .names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            rules: s.rules.clone(),
            reasons: s.reasons.iter().map(PyReason::from).collect(),
            decision: s.decision.into(),
            safer_alternative: s.safer_alternative.clone(),
        }
    }
}

#[pymethods]
impl PySegment {
    #[new]
    #[pyo3(signature = (text, command, argv, wrappers, risk, capabilities, rules, reasons, decision, safer_alternative=None))]
    #[allow(
        clippy::too_many_arguments,
        reason = "mirrors the segment's fields for unpickling"
    )]
    fn new(
        text: String,
        command: String,
        argv: Vec<String>,
        wrappers: Vec<String>,
        risk: Option<PyRiskLevel>,
        capabilities: Vec<String>,
        rules: Vec<String>,
        reasons: Vec<PyRef<'_, PyReason>>,
        decision: PyDecision,
        safer_alternative: Option<String>,
    ) -> Self {
        Self {
            text,
            command,
            argv,
            wrappers,
            risk,
            capabilities,
            rules,
            reasons: reasons.iter().map(|r| (**r).clone()).collect(),
            decision,
            safer_alternative,
        }
    }

    /// Every reason, in the order found.
    #[getter]
    fn reasons(&self) -> Vec<PyReason> {
        self.reasons.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "Segment({:?}, command={:?}, {})",
            self.text,
            self.command,
            self.decision.name()
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let s = slf.get().clone();
        let args = (
            s.text,
            s.command,
            s.argv,
            s.wrappers,
            s.risk,
            s.capabilities,
            s.rules,
            s.reasons,
            s.decision,
            s.safer_alternative,
        )
            .into_pyobject(slf.py())?;
        Ok((slf.get_type().into_any(), args))
    }
}

/// The decision for a whole command line.
#[pyclass(
    module = "libtcp",
    name = "LineVerdict",
    frozen,
    eq,
    skip_from_py_object
)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyLineVerdict {
    /// The strictest decision of the segments and the line's own reasons.
    #[pyo3(get)]
    decision: PyDecision,
    segments: Vec<PySegment>,
    reasons: Vec<PyReason>,
    json: String,
}

impl PyLineVerdict {
    fn from_core(v: &LineVerdict) -> Self {
        Self {
            decision: v.decision.into(),
            segments: v.segments.iter().map(PySegment::from_core).collect(),
            reasons: v.reasons.iter().map(PyReason::from).collect(),
            json: v.to_json(),
        }
    }
}

#[pymethods]
impl PyLineVerdict {
    #[new]
    fn new(
        decision: PyDecision,
        segments: Vec<PyRef<'_, PySegment>>,
        reasons: Vec<PyRef<'_, PyReason>>,
        json: String,
    ) -> Self {
        Self {
            decision,
            segments: segments.iter().map(|s| (**s).clone()).collect(),
            reasons: reasons.iter().map(|r| (**r).clone()).collect(),
            json,
        }
    }

    /// Every simple command the line runs, nested code included, in order.
    #[getter]
    fn segments(&self) -> Vec<PySegment> {
        self.segments.clone()
    }

    /// Reasons about the line as a whole (syntax errors, subshells, length).
    #[getter]
    fn reasons(&self) -> Vec<PyReason> {
        self.reasons.clone()
    }

    /// The verdict as tcp-core's JSON (the CLI's `--json` output).
    fn to_json(&self) -> &str {
        &self.json
    }

    fn __repr__(&self) -> String {
        let commands: Vec<&str> = self.segments.iter().map(|s| s.command.as_str()).collect();
        format!(
            "LineVerdict({}, commands={commands:?})",
            self.decision.name()
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let v = slf.get().clone();
        let args = (v.decision, v.segments, v.reasons, v.json).into_pyobject(slf.py())?;
        Ok((slf.get_type().into_any(), args))
    }
}
