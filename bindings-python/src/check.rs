//! Whole command lines: tcp-core's `command_line::Checker`, and its verdicts as
//! picklable Python values (`LineVerdict`, `Segment`).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};
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

/// The places a line is decided in: the working directory, the home
/// directory `~` stands for and the workspace roots, as the CLI's
/// `tcp check --cwd DIR --home DIR --workspace DIR...` takes them.
#[derive(Debug, Clone, Default)]
pub struct Context {
    cwd: Option<PathBuf>,
    home: Option<PathBuf>,
    workspace: Vec<PathBuf>,
}

impl Context {
    /// The context from the keyword arguments, with the CLI's defaults for
    /// what is `None`: the process's current directory, `$HOME` (unset or
    /// empty: none) and the working directory as the only workspace root.
    pub fn from_args(
        cwd: Option<PathBuf>,
        home: Option<PathBuf>,
        workspace: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let cwd = cwd.or_else(|| std::env::current_dir().ok());
        let home = home.or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from)
        });
        let workspace = match workspace {
            None => Vec::new(),
            Some(w) => workspace_roots(w)?,
        };
        Ok(Self {
            cwd,
            home,
            workspace,
        })
    }

    /// `checker` deciding in this context (what the CLI's `check` builds).
    pub fn apply(&self, mut checker: Checker) -> Checker {
        if let Some(dir) = &self.cwd {
            checker = checker.with_working_dir(dir.clone());
        }
        if let Some(dir) = &self.home {
            checker = checker.with_home_dir(dir.clone());
        }
        // None given: tcp-core takes the working directory, as the CLI does.
        if !self.workspace.is_empty() {
            checker = checker.with_workspace_roots(self.workspace.iter().cloned());
        }
        checker
    }
}

/// `workspace`: one path (str or os.PathLike) or an iterable of them.
fn workspace_roots(w: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    let type_error = |what: String| {
        PyTypeError::new_err(format!(
            "workspace: expected a str or os.PathLike, or a sequence of them; got {what}"
        ))
    };
    let type_name = |o: &Bound<'_, PyAny>| {
        o.get_type()
            .name()
            .map_or_else(|_| "?".to_owned(), |n| n.to_string())
    };
    if w.is_instance_of::<PyString>() || w.hasattr("__fspath__")? {
        return Ok(vec![w.extract::<PathBuf>()?]);
    }
    // Bytes are iterable (as ints): refuse them rather than report an int.
    if w.is_instance_of::<PyBytes>() {
        return Err(type_error(type_name(w)));
    }
    let Ok(items) = w.try_iter() else {
        return Err(type_error(type_name(w)));
    };
    let mut roots = Vec::new();
    for (i, item) in items.enumerate() {
        let item = item?;
        if !(item.is_instance_of::<PyString>() || item.hasattr("__fspath__")?) {
            return Err(type_error(format!("{} at index {i}", type_name(&item))));
        }
        roots.push(item.extract::<PathBuf>()?);
    }
    Ok(roots)
}

/// Checks `line` with `checker` in `context`, under `policy` when given.
pub fn run(
    checker: &Checker,
    line: &str,
    policy: Option<&PyPolicy>,
    context: &Context,
) -> PyLineVerdict {
    let mut checker = checker.clone();
    if let Some(p) = policy {
        checker = checker.with_policy(p.inner().clone());
    }
    PyLineVerdict::from_core(&context.apply(checker).check(line))
}

/// Decides a whole shell line with the built-in registry and argument rules:
/// it is split into the simple commands it runs, launchers (`sudo`, `env`,
/// `bash -c`, ...) are seen through, and the strictest segment decides.
///
/// `cwd` is the directory the line runs in (default: the process's current
/// directory), `home` the directory `~` stands for (default: `$HOME`), and
/// `workspace` the workspace root or roots, where writes and deletes are the
/// agent's own work (default: `[cwd]`); they are what the CLI's `--cwd`,
/// `--home` and `--workspace` take, with the same defaults.
///
/// Raises `TypeError` for a `cwd`, `home` or `workspace` (or an item of it)
/// that is not a str or os.PathLike, and nothing for any line: what cannot
/// be analysed is decided fail-closed (`TcpError` only if the built-in
/// tables failed their self-test, a bug).
#[pyfunction]
#[pyo3(signature = (line, policy=None, *, cwd=None, home=None, workspace=None))]
pub fn check(
    line: &str,
    policy: Option<PyRef<'_, PyPolicy>>,
    cwd: Option<PathBuf>,
    home: Option<PathBuf>,
    workspace: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyLineVerdict> {
    builtin_registry()?;
    let context = Context::from_args(cwd, home, workspace)?;
    Ok(run(builtin_checker(), line, policy.as_deref(), &context))
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
