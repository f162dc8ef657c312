//! Python bindings for libtcp: the `libtcp._libtcp` extension module.
//!
//! The bindings translate and never re-implement: every check, decision and
//! statistic is tcp-core's, tcp-hw's or tcp-stats'. The Python package
//! (`python/libtcp`) re-exports this module with type stubs.
//!
//! - errors: the `TcpError` hierarchy, one class per stable error code.
//! - vocabulary: `RiskLevel`, `Decision`, capability names.
//! - descriptor: `Descriptor`, `validate`, `command_hash`.
//! - batch: `_validate_batch` (wrapped by `libtcp.validate_batch`) over any
//!   buffer, zero-copy, GIL released.
//! - policy, verdict: `Policy`, `Verdict`, `Reason`.
//! - backends: tcp-hw's backends, `warm_up`.
//! - registry, check: `Registry`, `Entry`, `check`, `LineVerdict`, `Segment`.
//! - reload: `LiveChecker`, a registry and policy reloaded while in use.
//! - stats: tcp-stats' statistics (re-exported as `libtcp.stats`).
//!
//! Every class is immutable (`frozen`) and `Send + Sync`, so the module
//! declares itself free-threading safe, and every value pickles.

use pyo3::prelude::*;

mod backends;
mod batch;
mod buffer;
mod check;
mod descriptor;
mod errors;
mod policy;
mod registry;
mod reload;
mod stats;
mod verdict;
mod vocabulary;

/// The extension module.
#[pymodule(gil_used = false)]
fn _libtcp(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<vocabulary::PyRiskLevel>()?;
    m.add_class::<vocabulary::PyDecision>()?;
    m.add_class::<descriptor::PyDescriptor>()?;
    m.add_class::<policy::PyPolicy>()?;
    m.add_class::<verdict::PyReason>()?;
    m.add_class::<verdict::PyVerdict>()?;
    m.add_class::<backends::PyBackendInfo>()?;
    m.add_class::<registry::PyRegistry>()?;
    m.add_class::<registry::PyEntry>()?;
    m.add_class::<reload::PyLiveChecker>()?;
    m.add_class::<check::PySegment>()?;
    m.add_class::<check::PyLineVerdict>()?;
    m.add_function(wrap_pyfunction!(check::check, m)?)?;
    m.add_function(wrap_pyfunction!(registry::_restore_registry, m)?)?;
    m.add_function(wrap_pyfunction!(registry::_restore_entry, m)?)?;
    m.add_function(wrap_pyfunction!(errors::error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(vocabulary::capability_names, m)?)?;
    m.add_function(wrap_pyfunction!(descriptor::validate, m)?)?;
    m.add_function(wrap_pyfunction!(descriptor::command_hash, m)?)?;
    m.add_function(wrap_pyfunction!(batch::_validate_batch, m)?)?;
    m.add_function(wrap_pyfunction!(batch::unpack_status, m)?)?;
    m.add_function(wrap_pyfunction!(batch::summarize, m)?)?;
    m.add_function(wrap_pyfunction!(backends::backends, m)?)?;
    m.add_function(wrap_pyfunction!(backends::warm_up, m)?)?;
    stats::register_errors(m)?;
    m.add_function(wrap_pyfunction!(stats::summary, m)?)?;
    m.add_function(wrap_pyfunction!(stats::welch, m)?)?;
    m.add_function(wrap_pyfunction!(stats::power, m)?)?;
    m.add_function(wrap_pyfunction!(stats::sample_size, m)?)?;
    m.add_function(wrap_pyfunction!(stats::compliance, m)?)?;
    m.add_function(wrap_pyfunction!(stats::compliance_profiles, m)?)?;
    m.add_function(wrap_pyfunction!(stats::leakage, m)?)?;
    m.add(
        "DIALECTS",
        tcp_core::Dialect::ALL
            .iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>(),
    )?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
