//! The C names of tcp-core's vocabulary: risk levels, decisions, dialects,
//! modes and capability bits, with fixed numbers, and their names as static
//! strings.
//!
//! Numbers come in as `uint32_t` and are checked here, so an out-of-range
//! value from C is an error, never an invalid Rust enum.

use core::ffi::{CStr, c_char};
use std::ffi::CString;
use std::sync::OnceLock;

use tcp_core::{Decision, Dialect, Mode, RiskLevel};

/// How dangerous a command is. Same numbers as tcp-core's `RiskLevel`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tcp_risk_level {
    /// Reads only; no lasting effect.
    Safe = 0,
    /// Small, easily undone effects.
    Low = 1,
    /// Modifies state in ways that need care.
    Medium = 2,
    /// Can destroy data or change the system; needs a human.
    High = 3,
    /// Can destroy the system or escalate privileges irrecoverably.
    Critical = 4,
}

/// What an agent may do with a command, most permissive first. Same numbers
/// as tcp-core's `Decision`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tcp_decision {
    /// Run it.
    Approved = 0,
    /// Run it with care (sandbox, logging).
    CautionMode = 1,
    /// Ask a human first.
    RequireApproval = 2,
    /// Do not run it.
    Reject = 3,
}

/// A descriptor layout. Numbers are fixed by these bindings.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tcp_dialect {
    /// libtcp's own C24 v1 (24 bytes, CRC-32C).
    C24 = 0,
    /// v1-core20 (20 bytes).
    V1Core20 = 1,
    /// v2-spec (24 bytes).
    V2Spec = 2,
    /// v2-mcp (24 bytes).
    V2Mcp = 3,
    /// v2-kb, the knowledge base (24 bytes).
    V2Kb = 4,
    /// v2-ingest (24 bytes).
    V2Ingest = 5,
    /// gen20 (20 bytes).
    Gen20 = 6,
    /// enriched22 (22 bytes).
    Enriched22 = 7,
    /// v3 hierarchical parent (16 bytes).
    V3Parent16 = 8,
    /// v3 hierarchical delta, 6-byte form.
    V3Delta6 = 9,
    /// v3 hierarchical delta, 7-byte form.
    V3Delta7 = 10,
}

/// How strictly a descriptor is read.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tcp_mode {
    /// Every check; anything odd is an error.
    Strict = 0,
    /// Tolerates what the prototype's own readers tolerate, and counts each tolerance.
    Lenient = 1,
}

/// Capability bit: deletes or overwrites data irrecoverably.
pub const TCP_CAPABILITY_DESTRUCTIVE: u16 = 1 << 0;
/// Capability bit: needs root.
pub const TCP_CAPABILITY_REQUIRES_ROOT: u16 = 1 << 1;
/// Capability bit: talks to the network.
pub const TCP_CAPABILITY_NETWORK_ACCESS: u16 = 1 << 2;
/// Capability bit: creates, changes or removes files.
pub const TCP_CAPABILITY_FILE_MODIFICATION: u16 = 1 << 3;
/// Capability bit: changes system configuration, services, devices or the kernel.
pub const TCP_CAPABILITY_SYSTEM_MODIFICATION: u16 = 1 << 4;
/// Capability bit: gains privileges the caller did not have.
pub const TCP_CAPABILITY_PRIVILEGE_ESCALATION: u16 = 1 << 5;
/// Capability bit: signals, stops or starts other processes.
pub const TCP_CAPABILITY_PROCESS_CONTROL: u16 = 1 << 6;
/// Capability bit: runs code it is given.
pub const TCP_CAPABILITY_CODE_EXECUTION: u16 = 1 << 7;

/// A risk level from C.
pub(crate) fn risk_from_c(raw: u32) -> Option<RiskLevel> {
    u8::try_from(raw).ok().and_then(RiskLevel::from_u8)
}

/// A risk level for C.
pub(crate) fn risk_to_c(level: RiskLevel) -> tcp_risk_level {
    match level {
        RiskLevel::Safe => tcp_risk_level::Safe,
        RiskLevel::Low => tcp_risk_level::Low,
        RiskLevel::Medium => tcp_risk_level::Medium,
        RiskLevel::High => tcp_risk_level::High,
        RiskLevel::Critical => tcp_risk_level::Critical,
    }
}

/// A decision from C.
pub(crate) fn decision_from_c(raw: u32) -> Option<Decision> {
    u8::try_from(raw).ok().and_then(Decision::from_u8)
}

/// A decision for C.
pub(crate) fn decision_to_c(decision: Decision) -> tcp_decision {
    match decision {
        Decision::Approved => tcp_decision::Approved,
        Decision::CautionMode => tcp_decision::CautionMode,
        Decision::RequireApproval => tcp_decision::RequireApproval,
        Decision::Reject => tcp_decision::Reject,
    }
}

/// A dialect from C.
pub(crate) fn dialect_from_c(raw: u32) -> Option<Dialect> {
    Some(match raw {
        0 => Dialect::Canonical,
        1 => Dialect::V1Core20,
        2 => Dialect::V2Spec,
        3 => Dialect::V2Mcp,
        4 => Dialect::V2Kb,
        5 => Dialect::V2Ingest,
        6 => Dialect::Gen20,
        7 => Dialect::Enriched22,
        8 => Dialect::V3Parent16,
        9 => Dialect::V3Delta6,
        10 => Dialect::V3Delta7,
        _ => return None,
    })
}

/// A dialect for C; `None` for a dialect tcp-core added after these bindings.
pub(crate) fn dialect_to_c(dialect: Dialect) -> Option<tcp_dialect> {
    Some(match dialect {
        Dialect::Canonical => tcp_dialect::C24,
        Dialect::V1Core20 => tcp_dialect::V1Core20,
        Dialect::V2Spec => tcp_dialect::V2Spec,
        Dialect::V2Mcp => tcp_dialect::V2Mcp,
        Dialect::V2Kb => tcp_dialect::V2Kb,
        Dialect::V2Ingest => tcp_dialect::V2Ingest,
        Dialect::Gen20 => tcp_dialect::Gen20,
        Dialect::Enriched22 => tcp_dialect::Enriched22,
        Dialect::V3Parent16 => tcp_dialect::V3Parent16,
        Dialect::V3Delta6 => tcp_dialect::V3Delta6,
        Dialect::V3Delta7 => tcp_dialect::V3Delta7,
        _ => return None,
    })
}

/// A read mode from C.
pub(crate) fn mode_from_c(raw: u32) -> Option<Mode> {
    match raw {
        0 => Some(Mode::Strict),
        1 => Some(Mode::Lenient),
        _ => None,
    }
}

/// NUL-terminated copies of tcp-core's names, made once.
struct Names {
    risk: Vec<CString>,
    decision: Vec<CString>,
    dialect: Vec<(u32, CString)>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let c = |s: &str| CString::new(s).unwrap_or_default();
        Names {
            risk: RiskLevel::ALL.iter().map(|r| c(r.as_str())).collect(),
            decision: Decision::ALL.iter().map(|d| c(d.as_str())).collect(),
            dialect: Dialect::ALL
                .iter()
                .filter_map(|d| dialect_to_c(*d).map(|n| (n as u32, c(d.as_str()))))
                .collect(),
        }
    })
}

fn as_ptr(name: Option<&CString>) -> *const c_char {
    name.map_or(core::ptr::null(), |n| n.as_ptr())
}

/// The name of a risk level (`SAFE`, `LOW_RISK`, `MEDIUM_RISK`, `HIGH_RISK`,
/// `CRITICAL`), or NULL for a number that is not one. The string is static:
/// never free it.
///
/// Errors: none; NULL for an unknown level (and the last error is left alone).
///
/// Thread safety: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn tcp_risk_level_name(level: u32) -> *const c_char {
    ffi_panic_boundary! {
        let index = risk_from_c(level).map(|r| r as usize);
        as_ptr(index.and_then(|i| names().risk.get(i)))
    }
}

/// The name of a decision (`APPROVED`, `CAUTION_MODE`, `REQUIRE_APPROVAL`,
/// `REJECT`), or NULL for a number that is not one. The string is static:
/// never free it.
///
/// Errors: none; NULL for an unknown decision (and the last error is left
/// alone).
///
/// Thread safety: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn tcp_decision_name(decision: u32) -> *const c_char {
    ffi_panic_boundary! {
        let index = decision_from_c(decision).map(|d| d as usize);
        as_ptr(index.and_then(|i| names().decision.get(i)))
    }
}

/// The name of a dialect (`c24`, `v2-kb`, …), or NULL for a number that is
/// not one. The string is static: never free it.
///
/// Errors: none; NULL for an unknown dialect (and the last error is left
/// alone).
///
/// Thread safety: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn tcp_dialect_name(dialect: u32) -> *const c_char {
    ffi_panic_boundary! {
        as_ptr(names().dialect.iter().find(|(n, _)| *n == dialect).map(|(_, name)| name))
    }
}

/// The dialect with a name (case-insensitive), into `*out`.
///
/// Returns `TCP_STATUS_UNKNOWN_DIALECT` for a name that is not a dialect.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`; `name` with a non-zero `len`),
/// `TCP_STATUS_INVALID_UTF8`, `TCP_STATUS_UNKNOWN_DIALECT` (no such name),
/// `TCP_STATUS_INVALID_ARGUMENT` (a dialect without a C value).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `name` is valid for reads of `len` bytes; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_dialect_from_name(
    name: *const c_char,
    len: usize,
    out: *mut tcp_dialect,
) -> crate::tcp_status {
    ffi_panic_boundary! {
        let name = try_str!(name, len);
        let out = try_out!(out);
        match Dialect::parse(name) {
            Ok(d) => match dialect_to_c(d) {
                Some(c) => {
                    out.write(c);
                    crate::tcp_status::Ok
                }
                None => crate::error::fail(
                    crate::tcp_status::UnknownDialect,
                    format_args!("dialect {d} has no number in these bindings"),
                ),
            },
            Err(e) => crate::error::fail_core(&e),
        }
    }
}

/// The version of libtcp, e.g. `0.1.0`. The string is static: never free it.
///
/// Errors: none.
///
/// Thread safety: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn tcp_version() -> *const c_char {
    ffi_panic_boundary! {
        const VERSION: &CStr = match CStr::from_bytes_with_nul(
            concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
        ) {
            Ok(v) => v,
            Err(_) => c"unknown",
        };
        VERSION.as_ptr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcp_core::Capabilities;

    fn name(p: *const c_char) -> &'static str {
        // SAFETY: the name functions return NULL or a static NUL-terminated
        // string; callers pass only numbers that have names (NULL would fail here).
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    #[test]
    fn numbers_match_tcp_core() {
        for r in RiskLevel::ALL {
            assert_eq!(risk_to_c(r) as u32, u32::from(r as u8));
            assert_eq!(risk_from_c(r as u32), Some(r));
            assert_eq!(name(tcp_risk_level_name(r as u32)), r.as_str());
        }
        for d in Decision::ALL {
            assert_eq!(decision_to_c(d) as u32, u32::from(d as u8));
            assert_eq!(decision_from_c(d as u32), Some(d));
            assert_eq!(name(tcp_decision_name(d as u32)), d.as_str());
        }
        assert!(tcp_risk_level_name(5).is_null());
        assert!(tcp_decision_name(4).is_null());
        assert!(tcp_decision_name(u32::MAX).is_null());
    }

    #[test]
    fn every_dialect_has_a_number() {
        for d in Dialect::ALL {
            let c = dialect_to_c(d).unwrap();
            assert_eq!(dialect_from_c(c as u32), Some(d));
            assert_eq!(name(tcp_dialect_name(c as u32)), d.as_str());
        }
        assert!(tcp_dialect_name(11).is_null());
    }

    #[test]
    fn capability_bits_match_tcp_core() {
        let pairs = [
            (TCP_CAPABILITY_DESTRUCTIVE, Capabilities::DESTRUCTIVE),
            (TCP_CAPABILITY_REQUIRES_ROOT, Capabilities::REQUIRES_ROOT),
            (TCP_CAPABILITY_NETWORK_ACCESS, Capabilities::NETWORK_ACCESS),
            (
                TCP_CAPABILITY_FILE_MODIFICATION,
                Capabilities::FILE_MODIFICATION,
            ),
            (
                TCP_CAPABILITY_SYSTEM_MODIFICATION,
                Capabilities::SYSTEM_MODIFICATION,
            ),
            (
                TCP_CAPABILITY_PRIVILEGE_ESCALATION,
                Capabilities::PRIVILEGE_ESCALATION,
            ),
            (
                TCP_CAPABILITY_PROCESS_CONTROL,
                Capabilities::PROCESS_CONTROL,
            ),
            (TCP_CAPABILITY_CODE_EXECUTION, Capabilities::CODE_EXECUTION),
        ];
        let mut all = 0;
        for (c, rust) in pairs {
            assert_eq!(c, rust.bits());
            all |= c;
        }
        assert_eq!(all, Capabilities::ALL_BITS);
    }

    #[test]
    fn version_is_the_crates() {
        assert_eq!(name(tcp_version()), env!("CARGO_PKG_VERSION"));
    }
}
