//! `tcp_checker`: whole shell command lines decided by tcp-core's `Checker`
//! (pipes, `&&`, `sudo`, `bash -c`, substitutions, argument rules), and the
//! built-in registry it knows.

use core::ffi::c_char;
use std::fmt::Write as _;
use std::sync::Arc;

use tcp_core::command_line::{Checker, LineVerdict, RuleSet, builtin};

use crate::descriptor::policy_or_default;
use crate::error::{fail, fail_core};
use crate::policy::tcp_policy;
use crate::ptr::{
    Castable, free_box, null_parameter, to_boxed_mut_ptr, write_string, write_string_named,
};
use crate::registry::tcp_registry;
use crate::status::tcp_status;
use crate::types::{decision_to_c, tcp_decision};

/// A command-line checker. Opaque; made by `tcp_checker_new_builtin`,
/// `tcp_checker_new` or `tcp_checker_new_layered`, released by
/// `tcp_checker_free`. It keeps its registry alive and a copy of its policy.
pub struct tcp_checker {
    _private: [u8; 0],
}

impl Castable for tcp_checker {
    type RustType = Checker;
}

/// The decision for a whole command line.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tcp_check_result {
    /// The strictest decision of the line's simple commands and of the line itself.
    pub decision: tcp_decision,
    /// How many simple commands the line runs (nested code included).
    pub segments: usize,
    /// How many reasons were found (the lines of the reasons text).
    pub reasons: usize,
}

/// Makes a checker with the built-in registry and argument rules under
/// `policy` (NULL: the default policy) into `*out`. Free it with `tcp_checker_free`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`); `TCP_STATUS_RULE_SELF_TEST` or
/// another tcp-core status only if the built-in tables failed to load (a libtcp
/// bug).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `policy` is NULL or a live policy handle; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_checker_new_builtin(
    policy: *const tcp_policy,
    out: *mut *mut tcp_checker,
) -> tcp_status {
    ffi_panic_boundary! {
        let out = try_out!(out);
        let policy = policy_or_default(opt_handle!(policy)).into_owned();
        if let Some(e) = builtin::load_error() {
            return fail_core(e);
        }
        out.write(to_boxed_mut_ptr::<tcp_checker>(Checker::builtin().with_policy(policy)));
        tcp_status::Ok
    }
}

/// Makes a checker that decides from `registry` instead of the built-in one
/// (with the built-in argument rules and shell knowledge), under `policy`
/// (NULL: the default policy), into `*out`. Commands `registry` does not
/// know get the policy's unknown-command decision. Free it with
/// `tcp_checker_free`; `registry` and `policy` may be freed right away.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`registry`, `out`); as
/// `tcp_checker_new_builtin` for the built-in tables.
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `registry` is a live registry handle; `policy` is NULL or a live policy
/// handle; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_checker_new(
    registry: *const tcp_registry,
    policy: *const tcp_policy,
    out: *mut *mut tcp_checker,
) -> tcp_status {
    ffi_panic_boundary! {
        let registry = try_handle!(registry);
        let out = try_out!(out);
        let policy = policy_or_default(opt_handle!(policy)).into_owned();
        if let Some(e) = builtin::load_error() {
            return fail_core(e);
        }
        let checker = Checker::new(Arc::clone(registry), RuleSet::builtin(), policy);
        out.write(to_boxed_mut_ptr::<tcp_checker>(checker));
        tcp_status::Ok
    }
}

/// Makes a checker with the built-in knowledge plus a user layer on top: a
/// registry (`user_registry`, or NULL) and argument rules (`rules_toml`,
/// `rules_len` bytes of TOML as tcp-core's `RuleSet::from_toml` reads, or
/// NULL with length 0), under `policy` (NULL: the default), into `*out`.
///
/// The layer counts together with the built-in knowledge and the strictest
/// decision wins: it can ask or deny more, and approve commands nothing else
/// knows, but cannot approve what the built-in knowledge asks about. Bad
/// rules give `TCP_STATUS_BAD_INPUT` or `TCP_STATUS_DUPLICATE_NAME` or
/// `TCP_STATUS_RULE_SELF_TEST` (`tcp_last_error_message` says why). Free the
/// checker with `tcp_checker_free`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`; `rules_toml` with a non-zero
/// `rules_len`), `TCP_STATUS_INVALID_UTF8` (`rules_toml`),
/// `TCP_STATUS_BAD_INPUT`, `TCP_STATUS_DUPLICATE_NAME`,
/// `TCP_STATUS_RULE_SELF_TEST` (bad rules, as above).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `user_registry` is NULL or a live registry handle; `rules_toml` is valid
/// for reads of `rules_len` bytes; `policy` is NULL or a live policy handle;
/// `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_checker_new_layered(
    user_registry: *const tcp_registry,
    rules_toml: *const c_char,
    rules_len: usize,
    policy: *const tcp_policy,
    out: *mut *mut tcp_checker,
) -> tcp_status {
    ffi_panic_boundary! {
        let user_registry = opt_handle!(user_registry).map(Arc::clone);
        let rules = if rules_toml.is_null() && rules_len == 0 {
            None
        } else {
            let text = try_str!(rules_toml, rules_len);
            match RuleSet::from_toml(text) {
                Ok(r) => Some(r),
                Err(e) => return fail_core(&e),
            }
        };
        let out = try_out!(out);
        let policy = policy_or_default(opt_handle!(policy)).into_owned();
        if let Some(e) = builtin::load_error() {
            return fail_core(e);
        }
        let checker = Checker::builtin()
            .with_policy(policy)
            .with_user_layer(user_registry, rules);
        out.write(to_boxed_mut_ptr::<tcp_checker>(checker));
        tcp_status::Ok
    }
}

/// The verdict's reasons as text: the line's own reasons, then each
/// segment's, prefixed by the command it is about; one per line.
fn reasons_text(verdict: &LineVerdict) -> (String, usize) {
    let mut text = String::new();
    let mut count = 0;
    let mut push = |prefix: &str, reason: &dyn core::fmt::Display| {
        if count > 0 {
            text.push('\n');
        }
        count += 1;
        // Writing to a String cannot fail.
        let _ = if prefix.is_empty() {
            write!(text, "{reason}")
        } else {
            write!(text, "{prefix}: {reason}")
        };
    };
    for r in &verdict.reasons {
        push("", r);
    }
    for segment in &verdict.segments {
        let prefix = if segment.command.is_empty() {
            segment.text.as_str()
        } else {
            segment.command.as_str()
        };
        for r in &segment.reasons {
            push(prefix, r);
        }
    }
    (text, count)
}

/// Decides a shell command line (`len` bytes of UTF-8; no NUL needed) into
/// `*out`, and writes every reason, one per line (`command: reason`), into
/// `reasons`, following the string convention, with one difference: the
/// decision is never lost to a short buffer.
///
/// - `reasons`, `reasons_n` both NULL (with `reasons_len` 0): only the decision.
/// - `reasons` NULL with `reasons_len` 0, `reasons_n` not NULL: the decision,
///   and the reasons' length in `*reasons_n` (a length query).
/// - `reasons` too small: returns `TCP_STATUS_REASONS_TRUNCATED`, with `*out` written,
///   `reasons` holding as many whole characters of the text as fit (and a
///   NUL, if `reasons_len` > 0) and `*reasons_n` the full length; call again
///   with `*reasons_n + 1` bytes for all of it.
///
/// Lines that are not UTF-8 give `TCP_STATUS_INVALID_UTF8`: treat that as
/// not approved. Anything the checker cannot see through is decided
/// fail-closed by tcp-core, never approved.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (a NULL `checker`, `line` with a
/// non-zero `len`, `out`, `reasons` with a non-zero `reasons_len`, or
/// `reasons_n` when `reasons` is given; the last error names it),
/// `TCP_STATUS_INVALID_UTF8`; `TCP_STATUS_REASONS_TRUNCATED` as above (not a
/// failure of the decision, but not `TCP_STATUS_OK` either, so callers that
/// test for OK stay fail-closed). Nothing is written on an error.
///
/// Thread safety: reads the checker; may be called from many threads at
/// once on the same checker.
///
/// # Safety
///
/// `checker` is a live checker handle; `line` is valid for reads of `len`
/// bytes; `out` is valid for one write; `reasons` is NULL or valid for
/// writes of `reasons_len` bytes; `reasons_n` is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_checker_check(
    checker: *const tcp_checker,
    line: *const c_char,
    len: usize,
    out: *mut tcp_check_result,
    reasons: *mut c_char,
    reasons_len: usize,
    reasons_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let checker = try_handle!(checker);
        let line = try_str!(line, len);
        let out = try_out!(out);
        if reasons.is_null() && reasons_len != 0 {
            return null_parameter("reasons");
        }
        if !reasons.is_null() && reasons_n.is_null() {
            return null_parameter("reasons_n");
        }
        let verdict = checker.check(line);
        let (text, count) = reasons_text(&verdict);
        let mut status = tcp_status::Ok;
        if !reasons_n.is_null() {
            // SAFETY: forwarded from this function's own contract.
            status = unsafe {
                write_string_named(&text, reasons, reasons_len, reasons_n, ("reasons", "reasons_n"))
            };
            if status == tcp_status::BufferTooSmall {
                // SAFETY: `reasons` is not NULL here (a NULL one with length 0 is a
                // length query, which succeeds) and valid for `reasons_len` writes.
                let buf = unsafe { core::slice::from_raw_parts_mut(reasons.cast::<u8>(), reasons_len) };
                write_prefix(&text, buf);
                status = fail(
                    tcp_status::ReasonsTruncated,
                    format_args!(
                        "reasons: {} bytes cut to fit `reasons` ({reasons_len} bytes); the decision is written",
                        text.len()
                    ),
                );
            }
        }
        out.write(tcp_check_result {
            decision: decision_to_c(verdict.decision),
            segments: verdict.segments.len(),
            reasons: count,
        });
        status
    }
}

/// Writes as many whole characters of `text` as fit `buf` with a NUL after them.
fn write_prefix(text: &str, buf: &mut [u8]) {
    let Some(room) = buf.len().checked_sub(1) else {
        return;
    };
    let mut cut = room.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if let (Some(dest), Some(src)) = (buf.get_mut(..cut), text.as_bytes().get(..cut)) {
        dest.copy_from_slice(src);
    }
    if let Some(nul) = buf.get_mut(cut) {
        *nul = 0;
    }
}

/// Decides a shell command line like `tcp_checker_check` and writes the
/// whole verdict as JSON (tcp-core's format: decision, segments with
/// command, argv, launchers, risk, capabilities, rules, reasons and safer
/// alternatives) into `buf`, following the string convention.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`checker`, `out_n`; `line` or `buf`
/// with a non-zero length), `TCP_STATUS_INVALID_UTF8` (`line`),
/// `TCP_STATUS_BUFFER_TOO_SMALL` (`buf`; the decision is not returned: size it
/// with a length query, `buf` NULL and `buf_len` 0).
///
/// Thread safety: reads the checker; may be called from many threads at
/// once on the same checker.
///
/// # Safety
///
/// `checker` is a live checker handle; `line` is valid for reads of `len`
/// bytes; `buf` is NULL (with `buf_len` 0) or valid for writes of `buf_len`
/// bytes; `out_n` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_checker_check_json(
    checker: *const tcp_checker,
    line: *const c_char,
    len: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let checker = try_handle!(checker);
        let line = try_str!(line, len);
        let json = checker.check(line).to_json();
        // SAFETY: forwarded from this function's own contract.
        unsafe { write_string(&json, buf, buf_len, out_n) }
    }
}

/// Releases a checker. NULL is a no-op.
///
/// Errors: none.
///
/// Thread safety: no other thread may use the checker meanwhile or after.
///
/// # Safety
///
/// `checker` is NULL or a checker handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_checker_free(checker: *mut tcp_checker) {
    ffi_panic_boundary! {
        // SAFETY: by this function's contract the handle is NULL or live and
        // owned by the caller, who gives it up here.
        unsafe { free_box(checker) }
    }
}
