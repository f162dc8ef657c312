//! `Descriptor`: one record of any dialect, decoded by tcp-core, and `validate`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use tcp_core::wire::{Detection, canonical};
use tcp_core::{Decoded, Dialect, Error, Mode};

use crate::buffer::with_bytes;
use crate::errors::{IntoPyResult, bad_input, to_py};
use crate::policy::PyPolicy;
use crate::verdict::PyVerdict;
use crate::vocabulary::{CapabilitiesArg, PyRiskLevel, RiskArg};

/// `"auto"` or a dialect name.
pub fn parse_dialect(name: &str) -> PyResult<Option<Dialect>> {
    if name.eq_ignore_ascii_case("auto") {
        Ok(None)
    } else {
        Dialect::parse(name).map(Some).into_py_result()
    }
}

/// `"strict"` or `"lenient"`.
pub fn parse_mode(name: &str) -> PyResult<Mode> {
    match name.to_ascii_lowercase().as_str() {
        "strict" => Ok(Mode::Strict),
        "lenient" => Ok(Mode::Lenient),
        _ => Err(bad_input(format!(
            "mode must be \"strict\" or \"lenient\", not {name:?}"
        ))),
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Strict => "strict",
        Mode::Lenient => "lenient",
    }
}

/// Decodes `bytes` as `dialect`, or as the one dialect whose framing verifies.
fn decode(bytes: &[u8], dialect: Option<Dialect>, mode: Mode) -> tcp_core::Result<Decoded> {
    match dialect {
        Some(d) => d.decode(bytes, mode),
        None => match Dialect::detect(bytes) {
            Detection::Unique(d) => d.decode(bytes, mode),
            Detection::Ambiguous { candidates, .. } => Err(Error::AmbiguousDialect {
                candidates: candidates.iter().map(|d| d.as_str()).collect(),
            }),
            Detection::None => Err(Error::BadInput {
                detail: format!(
                    "no dialect's framing verifies these {} bytes; name the dialect to see why",
                    bytes.len()
                ),
            }),
        },
    }
}

/// One descriptor record, decoded into libtcp's vocabulary.
#[pyclass(module = "libtcp", name = "Descriptor", frozen, skip_from_py_object)]
#[derive(Debug, PartialEq, Eq)]
pub struct PyDescriptor {
    bytes: Vec<u8>,
    decoded: Decoded,
    mode: Mode,
}

impl PyDescriptor {
    /// tcp-core's decoded value.
    pub fn decoded(&self) -> &Decoded {
        &self.decoded
    }

    /// Decodes a record.
    pub fn decode(bytes: Vec<u8>, dialect: Option<Dialect>, mode: Mode) -> PyResult<Self> {
        let decoded = decode(&bytes, dialect, mode).into_py_result()?;
        Ok(Self {
            bytes,
            decoded,
            mode,
        })
    }

    /// The verdict a policy gives this descriptor (risk must be known).
    pub fn verdict(slf: &Bound<'_, Self>, policy: &tcp_core::Policy) -> PyResult<PyVerdict> {
        let d = slf.get();
        let risk = d.decoded.risk.ok_or_else(|| to_py(&Error::NoRiskBit))?;
        // A lenient read's tolerances stay visible in `descriptor.lenient`;
        // deciding on them is the policy's business, not the binding's.
        let verdict = policy.decide(risk, d.decoded.capabilities);
        Ok(PyVerdict::from_core(&verdict, Some(slf.clone().unbind())))
    }
}

#[pymethods]
impl PyDescriptor {
    /// Decodes one record: `dialect` is a name (`"c24"`, `"v2-kb"`, ...) or
    /// `"auto"` (the one dialect whose framing verifies); `mode` is
    /// `"strict"` (every check) or `"lenient"` (what upstream readers accept).
    ///
    /// Raises the `TcpError` subclass of the first failing check
    /// (`WrongLengthError`, `BadMagicError`, `ChecksumMismatchError`, ...),
    /// `UnknownDialectError` for an unknown dialect name,
    /// `AmbiguousDialectError` or `BadInputError` when `"auto"` finds several
    /// or no dialects, `BadInputError` for a bad mode, and `TypeError` or
    /// `BufferError` if `data` is not a byte buffer.
    #[new]
    #[pyo3(signature = (data, dialect="auto", mode="strict"))]
    fn new(data: &Bound<'_, PyAny>, dialect: &str, mode: &str) -> PyResult<Self> {
        let dialect = parse_dialect(dialect)?;
        let mode = parse_mode(mode)?;
        let bytes = with_bytes(data, <[u8]>::to_vec)?;
        Self::decode(bytes, dialect, mode)
    }

    /// Same as the constructor (and raises the same errors).
    #[staticmethod]
    #[pyo3(signature = (data, dialect="auto", mode="strict"))]
    fn from_bytes(data: &Bound<'_, PyAny>, dialect: &str, mode: &str) -> PyResult<Self> {
        Self::new(data, dialect, mode)
    }

    /// Builds a record in libtcp's own C24 format. The command is named by
    /// `command` (hashed as every dialect does) or by a 4-byte `command_hash`.
    ///
    /// Raises `BadInputError` for a risk, capability or field out of range
    /// (the message names the parameter: `exec_ms` 0..=2**32-1, `memory_mb`
    /// and `output_kb` 0..=65535), a `command_hash` not 4 bytes, or both
    /// `command` and `command_hash`; `TypeError` for a non-integer field.
    #[staticmethod]
    #[pyo3(signature = (risk, capabilities=CapabilitiesArg::default(), *, command=None, command_hash=None, exec_ms=0, memory_mb=0, output_kb=0))]
    #[allow(clippy::too_many_arguments, reason = "mirrors the record's fields")]
    fn c24(
        risk: RiskArg,
        capabilities: CapabilitiesArg,
        command: Option<&str>,
        command_hash: Option<Vec<u8>>,
        exec_ms: i128,
        memory_mb: i128,
        output_kb: i128,
    ) -> PyResult<Self> {
        let exec_ms = field::<u32>(exec_ms, "exec_ms", u32::MAX)?;
        let memory_mb = field::<u16>(memory_mb, "memory_mb", u16::MAX.into())?;
        let output_kb = field::<u16>(output_kb, "output_kb", u16::MAX.into())?;
        let command_hash = match (command, command_hash) {
            (Some(name), None) => tcp_core::hash::command_hash(name),
            (None, Some(h)) => <[u8; 4]>::try_from(h.as_slice())
                .map_err(|_| bad_input(format!("command_hash must be 4 bytes, not {}", h.len())))?,
            (None, None) => [0; 4],
            (Some(_), Some(_)) => {
                return Err(bad_input("give command or command_hash, not both"));
            }
        };
        let repr = canonical::Repr {
            risk: risk.0,
            capabilities: capabilities.0,
            command_hash,
            exec_ms,
            memory_mb,
            output_kb,
        };
        Self::decode(
            repr.to_bytes().to_vec(),
            Some(Dialect::Canonical),
            Mode::Strict,
        )
    }

    /// The dialect's name.
    #[getter]
    fn dialect(&self) -> &'static str {
        self.decoded.dialect.as_str()
    }

    /// `"strict"` or `"lenient"`.
    #[getter]
    fn mode(&self) -> &'static str {
        mode_name(self.mode)
    }

    /// `md5(name)[:4]`, where the layout carries it.
    #[getter]
    fn command_hash<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.decoded.command_hash.map(|h| PyBytes::new(py, &h))
    }

    /// The risk level (`None` where the layout has none or a lenient read found none).
    #[getter]
    fn risk(&self) -> Option<PyRiskLevel> {
        self.decoded.risk.map(PyRiskLevel::from)
    }

    /// libtcp's capability names, translated from the dialect's own table.
    #[getter]
    fn capabilities(&self) -> Vec<&'static str> {
        self.decoded.capabilities.names()
    }

    /// libtcp's capability bits.
    #[getter]
    fn capability_bits(&self) -> u16 {
        self.decoded.capabilities.bits()
    }

    /// The flag word as stored.
    #[getter]
    fn raw_flags(&self) -> u32 {
        self.decoded.raw_flags
    }

    /// The dialect's own names of the set flag bits.
    #[getter]
    fn flag_names(&self) -> Vec<&'static str> {
        self.decoded.flag_names()
    }

    /// Typical execution time, ms (where the layout has it).
    #[getter]
    fn exec_ms(&self) -> Option<u32> {
        self.decoded.exec_ms
    }

    /// Typical memory, MiB (where the layout has it).
    #[getter]
    fn memory_mb(&self) -> Option<u32> {
        self.decoded.memory_mb
    }

    /// Typical output, KiB (where the layout has it).
    #[getter]
    fn output_kb(&self) -> Option<u32> {
        self.decoded.output_kb
    }

    /// What a lenient read tolerated (empty for strict reads).
    #[getter]
    fn lenient(&self) -> Vec<String> {
        self.decoded
            .lenient
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// The record's bytes, exactly as given.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.bytes)
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.to_bytes(py)
    }

    fn __len__(&self) -> usize {
        self.bytes.len()
    }

    /// The verdict a policy (default: `Policy()`) gives this descriptor.
    ///
    /// Raises `NoRiskBitError` if the descriptor has no risk level (a
    /// layout without one, or a lenient read that found none).
    #[pyo3(signature = (policy=None))]
    fn decide(slf: &Bound<'_, Self>, policy: Option<PyRef<'_, PyPolicy>>) -> PyResult<PyVerdict> {
        match policy {
            Some(p) => Self::verdict(slf, p.inner()),
            None => Self::verdict(slf, &tcp_core::Policy::default()),
        }
    }

    fn __repr__(&self) -> String {
        let risk = self.decoded.risk.map_or("None", |r| r.as_str());
        let hash = self
            .decoded
            .command_hash
            .map_or_else(|| "None".to_owned(), |h| format!("'{}'", hex(&h)));
        format!(
            "Descriptor(dialect='{}', risk={risk}, capabilities={:?}, command_hash={hash}, mode='{}')",
            self.decoded.dialect,
            self.decoded.capabilities.names(),
            mode_name(self.mode)
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| o.get() == self)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.bytes.hash(&mut h);
        self.decoded.dialect.hash(&mut h);
        h.finish()
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let d = slf.get();
        let args = (
            PyBytes::new(py, &d.bytes),
            d.decoded.dialect.as_str(),
            mode_name(d.mode),
        )
            .into_pyobject(py)?;
        Ok((slf.get_type().into_any(), args))
    }
}

/// An unsigned record field, or a `BadInputError` naming it (pyo3's own
/// narrowing raises an `OverflowError` that names neither field nor range).
/// The arguments arrive as `i128` so that any plausible mistake (-1, 70000,
/// 2**40) reaches this check.
fn field<T: TryFrom<i128>>(value: i128, name: &str, max: u32) -> PyResult<T> {
    T::try_from(value).map_err(|_| bad_input(format!("{name} must be in 0..={max}, not {value}")))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes one record strictly and decides it under `policy` (default `Policy()`).
///
/// Raises the `TcpError` subclass of the first failing check (as
/// `Descriptor(data, dialect)` does), `NoRiskBitError` for a layout without
/// a risk level, and `TypeError` or `BufferError` if `data` is not a byte buffer.
#[pyfunction]
#[pyo3(signature = (data, dialect="auto", policy=None))]
pub fn validate(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dialect: &str,
    policy: Option<PyRef<'_, PyPolicy>>,
) -> PyResult<PyVerdict> {
    let descriptor = Bound::new(py, PyDescriptor::new(data, dialect, "strict")?)?;
    PyDescriptor::decide(&descriptor, policy)
}

/// `md5(name)[:4]`, the command hash every dialect uses. Raises nothing
/// (`TypeError` if `name` is not a `str`).
#[pyfunction]
pub fn command_hash<'py>(py: Python<'py>, name: &str) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &tcp_core::hash::command_hash(name))
}
