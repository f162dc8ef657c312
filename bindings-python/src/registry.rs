//! `Registry` and `Entry`: tcp-core's registries, looked up from Python.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use tcp_core::command_line::Checker;
use tcp_core::{Capabilities, Registry};

use crate::check::{Context, PyLineVerdict, builtin_checker, builtin_registry, checker_in, run};
use crate::descriptor::PyDescriptor;
use crate::errors::{IntoPyResult, bad_input};
use crate::policy::PyPolicy;
use crate::vocabulary::PyRiskLevel;

/// Where a registry's contents came from (and so how it pickles).
#[derive(Debug)]
enum Source {
    /// tcp-core's built-in command registry (pickles by name).
    Builtin(Arc<Registry>),
    /// A file or bytes (pickles as the registry's bytes), with its checker once built.
    Loaded(Arc<Registry>, OnceLock<Checker>),
}

/// A read-only registry of command descriptors.
#[pyclass(module = "libtcp", name = "Registry", frozen, skip_from_py_object)]
#[derive(Debug)]
pub struct PyRegistry {
    source: Source,
}

impl PyRegistry {
    /// tcp-core's registry.
    pub fn registry(&self) -> &Registry {
        match &self.source {
            Source::Builtin(r) | Source::Loaded(r, _) => r,
        }
    }

    /// The command-line checker over this registry (built-in argument rules, default policy).
    fn checker(&self) -> &Checker {
        match &self.source {
            Source::Builtin(_) => builtin_checker(),
            Source::Loaded(r, cache) => checker_in(r, cache),
        }
    }

    fn loaded(r: Registry) -> Self {
        Self {
            source: Source::Loaded(Arc::new(r), OnceLock::new()),
        }
    }
}

#[pymethods]
impl PyRegistry {
    /// Opens a registry file: libtcp's TCPR, the prototype's TCPDB v1/v2
    /// (by magic) or JSON (`format` is then `"json"`). Every entry is
    /// checked. The file is read into memory (up to 64 MiB; larger ones are
    /// mapped and must be replaced, not rewritten), so later changes to it do
    /// not reach this registry; `LiveChecker` reloads a file.
    ///
    /// Raises `IoError` (unreadable, or a directory; the message names the
    /// path), `BadInputError` (JSON of neither schema: the message names the
    /// path, what was expected and what was found), `BadMagicError` (a binary
    /// file of no registry format), or the check an entry or the file's
    /// structure fails (`TruncatedError`, `BadIndexError`,
    /// `DigestMismatchError`, `HashMismatchError`, `DuplicateNameError`, ...).
    #[staticmethod]
    fn open(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        py.detach(|| Registry::open(&path))
            .map(Self::loaded)
            .into_py_result()
    }

    /// Reads a registry from the bytes of a TCPR or TCPDB file.
    ///
    /// Raises as `Registry.open` does for a binary file.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = crate::buffer::with_bytes(data, <[u8]>::to_vec)?;
        py.detach(|| Registry::from_bytes(bytes))
            .map(Self::loaded)
            .into_py_result()
    }

    /// Reads a registry from JSON text (libtcp's schema or the prototype's export).
    ///
    /// Raises `BadInputError` (not JSON, neither schema, or a bad field) or
    /// the check an entry fails (`DuplicateNameError`, `HashMismatchError`, ...).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        let mut text = text.as_bytes().to_vec();
        py.detach(|| Registry::from_json(&mut text))
            .map(Self::loaded)
            .into_py_result()
    }

    /// libtcp's built-in registry of common commands (the one `libtcp.check` uses).
    ///
    /// Raises `TcpError` only if the built-in tables failed their self-test (a bug).
    #[staticmethod]
    fn builtin() -> PyResult<Self> {
        Ok(Self {
            source: Source::Builtin(builtin_registry()?),
        })
    }

    /// Decides a whole shell line against this registry, with the built-in
    /// argument rules and launchers, under `policy` (default `Policy()`), in
    /// the working directory `cwd`, home `home` and workspace root(s)
    /// `workspace` (defaults as `libtcp.check`: the process's current
    /// directory, `$HOME`, `[cwd]`). Raises `TypeError` for a `cwd`, `home`
    /// or `workspace` that is not a str or os.PathLike (or a sequence of
    /// them, for `workspace`), and nothing for any line: what cannot be
    /// analysed is decided fail-closed.
    #[pyo3(signature = (line, policy=None, *, cwd=None, home=None, workspace=None))]
    fn check(
        &self,
        line: &str,
        policy: Option<PyRef<'_, PyPolicy>>,
        cwd: Option<PathBuf>,
        home: Option<PathBuf>,
        workspace: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyLineVerdict> {
        let context = Context::from_args(cwd, home, workspace)?;
        Ok(run(self.checker(), line, policy.as_deref(), &context))
    }

    /// The entry for a command name, or `None`.
    fn lookup(&self, name: &str) -> Option<PyEntry> {
        self.registry().get(name).map(|e| PyEntry::from_core(&e))
    }

    /// The entry for a 4-byte command hash (`md5(name)[:4]`), or `None`.
    ///
    /// Raises `BadInputError` if `hash` is not 4 bytes.
    fn lookup_hash(&self, hash: &[u8]) -> PyResult<Option<PyEntry>> {
        let hash = <[u8; 4]>::try_from(hash)
            .map_err(|_| bad_input(format!("a command hash is 4 bytes, not {}", hash.len())))?;
        Ok(self
            .registry()
            .get_by_hash(hash)
            .map(|e| PyEntry::from_core(&e)))
    }

    /// Every command name, in the registry's order.
    fn names(&self) -> Vec<String> {
        self.registry().iter().map(|e| e.name.to_owned()).collect()
    }

    /// Every entry, in the registry's order.
    fn entries(&self) -> Vec<PyEntry> {
        self.registry()
            .iter()
            .map(|e| PyEntry::from_core(&e))
            .collect()
    }

    /// The source format: `tcpr-v1`, `tcpdb-v1`, `tcpdb-v2`, or `json` for a
    /// registry read from JSON (held as TCPR: `to_bytes()` and pickles carry
    /// the TCPR bytes, so an unpickled copy says `tcpr-v1`).
    #[getter]
    fn format(&self) -> &'static str {
        self.registry().format().as_str()
    }

    /// The registry's bytes (the file, for TCPR and TCPDB sources).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.registry().as_bytes())
    }

    fn __len__(&self) -> usize {
        self.registry().len()
    }

    fn __contains__(&self, name: &str) -> bool {
        self.registry().get(name).is_some()
    }

    fn __repr__(&self) -> String {
        let r = self.registry();
        match self.source {
            Source::Builtin(_) => format!("Registry.builtin(<{} entries>)", r.len()),
            Source::Loaded(..) => {
                format!("Registry({}, <{} entries>)", r.format().as_str(), r.len())
            }
        }
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let restore = py.import("libtcp._libtcp")?.getattr("_restore_registry")?;
        let args = match &slf.get().source {
            Source::Builtin(_) => ("builtin", py.None()).into_pyobject(py)?,
            Source::Loaded(r, _) => ("bytes", PyBytes::new(py, r.as_bytes())).into_pyobject(py)?,
        };
        Ok((restore, args))
    }
}

/// Unpickles a `Registry` (the built-in one by name, others from their bytes).
#[pyfunction]
#[pyo3(signature = (kind, data=None))]
pub fn _restore_registry(
    py: Python<'_>,
    kind: &str,
    data: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyRegistry> {
    match (kind, data) {
        ("builtin", _) => PyRegistry::builtin(),
        ("bytes", Some(d)) => PyRegistry::from_bytes(py, d),
        _ => Err(bad_input(format!(
            "cannot restore a registry from {kind:?}"
        ))),
    }
}

/// One registry entry, copied out of its registry.
#[pyclass(module = "libtcp", name = "Entry", frozen, skip_from_py_object)]
#[derive(Debug)]
pub struct PyEntry {
    /// Command name.
    #[pyo3(get)]
    name: String,
    /// The descriptor's dialect.
    #[pyo3(get)]
    dialect: &'static str,
    /// Why the entry says what it says (empty for the prototype's data).
    #[pyo3(get)]
    justification: String,
    /// Risk level (`None`: the descriptor has none).
    #[pyo3(get)]
    risk: Option<PyRiskLevel>,
    capabilities: Capabilities,
    descriptor_bytes: Vec<u8>,
}

impl PyEntry {
    pub(crate) fn from_core(e: &tcp_core::Entry<'_>) -> Self {
        Self {
            name: e.name.to_owned(),
            dialect: e.dialect.as_str(),
            justification: e.justification().to_owned(),
            risk: e.risk.map(PyRiskLevel::from),
            capabilities: e.capabilities,
            descriptor_bytes: e.descriptor.to_vec(),
        }
    }
}

#[pymethods]
impl PyEntry {
    /// libtcp's capability names.
    #[getter]
    fn capabilities(&self) -> Vec<&'static str> {
        self.capabilities.names()
    }

    /// The descriptor's bytes.
    #[getter]
    fn descriptor_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.descriptor_bytes)
    }

    /// The descriptor, decoded as the registry does (strict for c24, lenient
    /// for the prototype's dialects).
    fn descriptor(&self) -> PyResult<PyDescriptor> {
        let dialect = tcp_core::Dialect::parse(self.dialect).into_py_result()?;
        let mode = if dialect == tcp_core::Dialect::Canonical {
            tcp_core::Mode::Strict
        } else {
            tcp_core::Mode::Lenient
        };
        PyDescriptor::decode(self.descriptor_bytes.clone(), Some(dialect), mode)
    }

    fn __repr__(&self) -> String {
        format!(
            "Entry({:?}, dialect='{}', risk={}, capabilities={:?})",
            self.name,
            self.dialect,
            self.risk.map_or("None", |r| r.name()),
            self.capabilities.names()
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| {
            let o = o.get();
            o.name == self.name
                && o.dialect == self.dialect
                && o.descriptor_bytes == self.descriptor_bytes
                && o.justification == self.justification
        })
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let e = slf.get();
        let restore = py.import("libtcp._libtcp")?.getattr("_restore_entry")?;
        let args = (
            e.name.clone(),
            e.dialect,
            PyBytes::new(py, &e.descriptor_bytes),
            e.justification.clone(),
            e.risk,
            e.capabilities.bits(),
        )
            .into_pyobject(py)?;
        Ok((restore, args))
    }
}

/// Unpickles an `Entry`.
#[pyfunction]
pub fn _restore_entry(
    name: String,
    dialect: &str,
    descriptor: Vec<u8>,
    justification: String,
    risk: Option<PyRiskLevel>,
    capabilities: u16,
) -> PyResult<PyEntry> {
    let dialect = tcp_core::Dialect::parse(dialect).into_py_result()?;
    Ok(PyEntry {
        name,
        dialect: dialect.as_str(),
        justification,
        risk,
        capabilities: Capabilities::from_bits_truncate(capabilities),
        descriptor_bytes: descriptor,
    })
}
