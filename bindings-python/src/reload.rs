//! `LiveChecker`: a registry and policy loaded from files and reloaded while
//! in use (tcp-core's `LiveChecker`).

use std::path::PathBuf;
use std::time::UNIX_EPOCH;

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tcp_core::registry::{CheckerSource, LiveChecker};

use crate::check::{Context, PyLineVerdict, run};
use crate::errors::IntoPyResult;
use crate::registry::PyEntry;

/// A command-line checker over a registry file and a policy file that can
/// be reloaded while other threads use it.
///
/// `LiveChecker(registry=None, policy=None)`: `registry` is a registry file
/// (as `Registry.open` reads; `None`: the built-in registry), `policy` a TOML
/// policy file (`None`: the default policy). `reload()` reads both again and
/// swaps them in atomically: a `check` or `lookup` under way finishes on the
/// old ones. A reload that fails (missing file, bad digest, bad policy)
/// raises the `TcpError` subclass of the problem and keeps the old ones.
#[pyclass(module = "libtcp", name = "LiveChecker", frozen, skip_from_py_object)]
#[derive(Debug)]
pub struct PyLiveChecker {
    live: LiveChecker,
}

fn path_str(p: Option<&std::path::Path>) -> Option<String> {
    p.map(|p| p.to_string_lossy().into_owned())
}

fn unix_seconds(t: Option<std::time::SystemTime>) -> Option<f64> {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs_f64())
}

#[pymethods]
impl PyLiveChecker {
    #[new]
    #[pyo3(signature = (registry=None, policy=None))]
    fn new(py: Python<'_>, registry: Option<PathBuf>, policy: Option<PathBuf>) -> PyResult<Self> {
        py.detach(|| LiveChecker::open(CheckerSource { registry, policy }))
            .map(|live| Self { live })
            .into_py_result()
    }

    /// Reads the registry and policy files again and swaps them in; on
    /// failure raises and keeps the ones in use.
    fn reload(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.live.reload()).into_py_result()
    }

    /// Decides a whole shell line with the registry and policy in use now, in
    /// the working directory `cwd`, home `home` and workspace root(s)
    /// `workspace` (defaults as `libtcp.check`: the process's current
    /// directory, `$HOME`, `[cwd]`). Raises `TypeError` for a `cwd`, `home`
    /// or `workspace` that is not a str or os.PathLike (or a sequence of
    /// them, for `workspace`), and nothing for any line.
    #[pyo3(signature = (line, *, cwd=None, home=None, workspace=None))]
    fn check(
        &self,
        py: Python<'_>,
        line: &str,
        cwd: Option<PathBuf>,
        home: Option<PathBuf>,
        workspace: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyLineVerdict> {
        let context = Context::from_args(cwd, home, workspace)?;
        let checker = self.live.checker();
        Ok(py.detach(|| run(&checker, line, None, &context)))
    }

    /// The entry for a command name in the registry in use now, or `None`.
    fn lookup(&self, name: &str) -> Option<PyEntry> {
        let checker = self.live.checker();
        checker.registry().get(name).map(|e| PyEntry::from_core(&e))
    }

    /// The registry file (`None`: the built-in registry).
    #[getter]
    fn registry_path(&self) -> Option<String> {
        path_str(self.live.source().registry.as_deref())
    }

    /// The policy file (`None`: the default policy).
    #[getter]
    fn policy_path(&self) -> Option<String> {
        path_str(self.live.source().policy.as_deref())
    }

    /// Successful reloads so far.
    #[getter]
    fn reloads(&self) -> u64 {
        self.live.status().reloads
    }

    /// Failed reloads so far (each kept the registry and policy in use).
    #[getter]
    fn failures(&self) -> u64 {
        self.live.status().failures
    }

    /// Why the last reload failed; `None` if it succeeded or none was tried.
    #[getter]
    fn last_error(&self) -> Option<String> {
        self.live.status().last_error
    }

    /// When the last reload was tried (seconds since the Unix epoch), or `None`.
    #[getter]
    fn last_reload_time(&self) -> Option<f64> {
        unix_seconds(self.live.status().last_attempt)
    }

    /// Entries in the registry in use now.
    fn __len__(&self) -> usize {
        self.live.checker().registry().len()
    }

    fn __contains__(&self, name: &str) -> bool {
        self.live.checker().registry().get(name).is_some()
    }

    fn __repr__(&self) -> String {
        let s = self.live.source();
        format!(
            "LiveChecker(registry={:?}, policy={:?}, entries={}, reloads={})",
            s.registry,
            s.policy,
            self.live.checker().registry().len(),
            self.live.status().reloads
        )
    }

    /// Pickles as its file names: unpickling loads the files as they are then.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let s = slf.get().live.source();
        let args = (
            path_str(s.registry.as_deref()),
            path_str(s.policy.as_deref()),
        )
            .into_pyobject(py)?;
        Ok((slf.get_type().into_any(), args))
    }
}
