//! `tcp_policy`: how risk and capabilities turn into decisions (tcp-core's `Policy`).

use core::ffi::c_char;

use tcp_core::{Capabilities, Policy};

use crate::error::{fail, fail_core};
use crate::ptr::{Castable, free_box, to_boxed_mut_ptr};
use crate::status::tcp_status;
use crate::types::{decision_from_c, decision_to_c, risk_from_c, tcp_decision};

/// A policy. Opaque; made by `tcp_policy_new_default` or
/// `tcp_policy_from_toml`, released by `tcp_policy_free`.
pub struct tcp_policy {
    _private: [u8; 0],
}

impl Castable for tcp_policy {
    type RustType = Policy;
}

/// Replaces `*policy` with `f(policy)`, or records the error.
fn update(policy: &mut Policy, f: impl FnOnce(Policy) -> tcp_core::Result<Policy>) -> tcp_status {
    match f(policy.clone()) {
        Ok(p) => {
            *policy = p;
            tcp_status::Ok
        }
        Err(e) => fail_core(&e),
    }
}

/// Capability bits from C; undefined bits are an error.
fn capabilities_from_c(bits: u16) -> Result<Capabilities, tcp_status> {
    Capabilities::from_bits(bits).ok_or_else(|| {
        fail(
            tcp_status::InvalidArgument,
            format_args!("undefined capability bits {bits:#06x}"),
        )
    })
}

/// Makes the default policy (CRITICAL rejects, HIGH asks, MEDIUM cautions,
/// LOW and SAFE approve, unknown commands ask) into `*out`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`).
///
/// Free it with `tcp_policy_free`. Thread safety: may be called from any thread.
///
/// # Safety
///
/// `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_policy_new_default(out: *mut *mut tcp_policy) -> tcp_status {
    ffi_panic_boundary! {
        let out = try_out!(out);
        out.write(to_boxed_mut_ptr::<tcp_policy>(Policy::default()));
        tcp_status::Ok
    }
}

/// Reads a policy from TOML text (`max_approved_risk`, `require_approval`,
/// `deny`, `unknown_command`, `[risk]`; see tcp-core's `Policy::from_toml`)
/// into `*out`.
///
/// Returns `TCP_STATUS_BAD_INPUT` for text that is not a valid policy
/// (`tcp_last_error_message` says why). Free the policy with
/// `tcp_policy_free`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`; `toml` with a non-zero `len`),
/// `TCP_STATUS_INVALID_UTF8`, `TCP_STATUS_BAD_INPUT` (TOML that does not parse,
/// an unknown key, level, decision or capability, or a non-monotone risk table;
/// the last error says which).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `toml` is valid for reads of `len` bytes; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_policy_from_toml(
    toml: *const c_char,
    len: usize,
    out: *mut *mut tcp_policy,
) -> tcp_status {
    ffi_panic_boundary! {
        let text = try_str!(toml, len);
        let out = try_out!(out);
        match Policy::from_toml(text) {
            Ok(p) => {
                out.write(to_boxed_mut_ptr::<tcp_policy>(p));
                tcp_status::Ok
            }
            Err(e) => fail_core(&e),
        }
    }
}

/// Approves every risk level up to and including `level`; higher levels keep
/// the stricter of their decision and CAUTION_MODE.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`policy`),
/// `TCP_STATUS_INVALID_ARGUMENT` (an unknown `level`); the policy is unchanged
/// on an error.
///
/// Thread safety: changes the policy; no other thread may use it meanwhile.
/// Checkers made from the policy earlier keep the policy they copied.
///
/// # Safety
///
/// `policy` is a live policy handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_policy_set_max_approved(
    policy: *mut tcp_policy,
    level: u32,
) -> tcp_status {
    ffi_panic_boundary! {
        let policy = try_handle_mut!(policy);
        let Some(level) = risk_from_c(level) else {
            return fail(tcp_status::InvalidArgument, format_args!("no risk level {level}"));
        };
        update(policy, |p| Ok(p.with_max_approved(level)))
    }
}

/// Sets the decision for one risk level. Returns `TCP_STATUS_BAD_INPUT` (and
/// leaves the policy as it was) if a higher risk would get a more permissive
/// decision than a lower one.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`policy`),
/// `TCP_STATUS_INVALID_ARGUMENT` (an unknown `level` or `decision`),
/// `TCP_STATUS_BAD_INPUT` (the decisions would fall as risk rises); the policy
/// is unchanged on an error.
///
/// Thread safety: changes the policy; no other thread may use it meanwhile.
///
/// # Safety
///
/// `policy` is a live policy handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_policy_set_risk_decision(
    policy: *mut tcp_policy,
    level: u32,
    decision: u32,
) -> tcp_status {
    ffi_panic_boundary! {
        let policy = try_handle_mut!(policy);
        let (Some(level), Some(decision)) = (risk_from_c(level), decision_from_c(decision)) else {
            return fail(
                tcp_status::InvalidArgument,
                format_args!("no risk level {level} or no decision {decision}"),
            );
        };
        update(policy, |p| p.with_risk_decision(level, decision))
    }
}

/// Adds capabilities (`TCP_CAPABILITY_*` bits) that always need approval.
/// Undefined bits give `TCP_STATUS_INVALID_ARGUMENT`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`policy`),
/// `TCP_STATUS_INVALID_ARGUMENT` (undefined capability bits); the policy is
/// unchanged on an error.
///
/// Thread safety: changes the policy; no other thread may use it meanwhile.
///
/// # Safety
///
/// `policy` is a live policy handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_policy_add_require_approval(
    policy: *mut tcp_policy,
    capabilities: u16,
) -> tcp_status {
    ffi_panic_boundary! {
        let policy = try_handle_mut!(policy);
        match capabilities_from_c(capabilities) {
            Ok(caps) => update(policy, |p| Ok(p.with_require_approval(caps))),
            Err(status) => status,
        }
    }
}

/// Adds capabilities (`TCP_CAPABILITY_*` bits) that are always rejected.
/// Undefined bits give `TCP_STATUS_INVALID_ARGUMENT`.
///
/// Errors: as `tcp_policy_add_require_approval`.
///
/// Thread safety: changes the policy; no other thread may use it meanwhile.
///
/// # Safety
///
/// `policy` is a live policy handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_policy_add_deny(
    policy: *mut tcp_policy,
    capabilities: u16,
) -> tcp_status {
    ffi_panic_boundary! {
        let policy = try_handle_mut!(policy);
        match capabilities_from_c(capabilities) {
            Ok(caps) => update(policy, |p| Ok(p.with_deny(caps))),
            Err(status) => status,
        }
    }
}

/// Sets what commands the registry does not know get (a `TCP_DECISION_*`).
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`policy`),
/// `TCP_STATUS_INVALID_ARGUMENT` (an unknown `decision`); the policy is
/// unchanged on an error.
///
/// Thread safety: changes the policy; no other thread may use it meanwhile.
///
/// # Safety
///
/// `policy` is a live policy handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_policy_set_unknown_command(
    policy: *mut tcp_policy,
    decision: u32,
) -> tcp_status {
    ffi_panic_boundary! {
        let policy = try_handle_mut!(policy);
        let Some(decision) = decision_from_c(decision) else {
            return fail(tcp_status::InvalidArgument, format_args!("no decision {decision}"));
        };
        update(policy, |p| Ok(p.with_unknown_command(decision)))
    }
}

/// The decision the policy gives a risk level and capability set, into `*out`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`policy`, `out`),
/// `TCP_STATUS_INVALID_ARGUMENT` (an unknown `level` or undefined capability
/// bits).
///
/// Thread safety: reads the policy; may be called from many threads at once.
///
/// # Safety
///
/// `policy` is a live policy handle; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_policy_decide(
    policy: *const tcp_policy,
    level: u32,
    capabilities: u16,
    out: *mut tcp_decision,
) -> tcp_status {
    ffi_panic_boundary! {
        let policy = try_handle!(policy);
        let out = try_out!(out);
        let Some(level) = risk_from_c(level) else {
            return fail(tcp_status::InvalidArgument, format_args!("no risk level {level}"));
        };
        let caps = match capabilities_from_c(capabilities) {
            Ok(caps) => caps,
            Err(status) => return status,
        };
        out.write(decision_to_c(policy.decide_fast(level, caps)));
        tcp_status::Ok
    }
}

/// Releases a policy. NULL is a no-op.
///
/// Errors: none.
///
/// Thread safety: no other thread may use the policy meanwhile or after.
///
/// # Safety
///
/// `policy` is NULL or a policy handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_policy_free(policy: *mut tcp_policy) {
    ffi_panic_boundary! {
        // SAFETY: by this function's contract the handle is NULL or live and
        // owned by the caller, who gives it up here.
        unsafe { free_box(policy) }
    }
}
