//! `tcp_live_checker`: a command-line checker loaded from a registry file and
//! a policy file that can be reloaded while other threads decide with it
//! (tcp-core's `LiveChecker`).

use core::ffi::c_char;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use tcp_core::registry::{CheckerSource, LiveChecker};

use crate::check::{Context, tcp_check_result, tcp_checker};
use crate::error::fail_core;
use crate::ptr::{Castable, free_box, to_boxed_mut_ptr, write_string};
use crate::status::tcp_status;

/// A checker whose registry and policy are reloaded from their files on
/// request. Opaque; made by `tcp_live_checker_open`, released by
/// `tcp_live_checker_free`.
pub struct tcp_live_checker {
    _private: [u8; 0],
}

impl Castable for tcp_live_checker {
    type RustType = Live;
}

/// What a `tcp_live_checker` handle points at: the reloading checker and
/// the context set with `tcp_live_checker_set_context`, applied to whichever
/// checker is in use when a line is decided (a reload does not lose it).
#[derive(Debug)]
pub(crate) struct Live {
    live: LiveChecker,
    context: Context,
}

impl Live {
    /// The checker in use now with the context applied; `held` keeps the
    /// one in use alive (a reload meanwhile cannot free it), and the result
    /// borrows it when no context was set (no copy).
    fn checker<'a>(
        &self,
        held: &'a std::sync::Arc<tcp_core::command_line::Checker>,
        applied: &'a mut Option<tcp_core::command_line::Checker>,
    ) -> &'a tcp_core::command_line::Checker {
        if self.context.is_empty() {
            held
        } else {
            applied.insert(self.context.apply((**held).clone()))
        }
    }
}

/// What the reloads of a live checker did so far.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tcp_reload_status {
    /// Successful reloads (each swapped in a new registry and policy).
    pub reloads: u64,
    /// Failed reloads (each kept the registry and policy in use).
    pub failures: u64,
    /// When the last reload was tried, in seconds since the Unix epoch; 0 if never.
    pub last_attempt_unix: f64,
    /// When the registry in use was loaded by a reload, in seconds since the
    /// Unix epoch; 0 if it is still the one loaded by `tcp_live_checker_open`.
    pub last_success_unix: f64,
    /// True if the last reload failed (`tcp_live_checker_last_error` says why).
    pub last_failed: bool,
}

fn unix_seconds(t: Option<SystemTime>) -> f64 {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Makes a live checker into `*out`: the registry file `registry_path`
/// (`registry_path_len` bytes of UTF-8; NULL with length 0: the built-in
/// registry) with the built-in argument rules, as `tcp_checker_new` makes
/// it, under the TOML policy file `policy_path` (NULL with length 0: the
/// default policy). The files are read now and again on each
/// `tcp_live_checker_reload`.
///
/// A missing file gives `TCP_STATUS_IO`; a corrupt registry or policy its
/// tcp-core status; `tcp_last_error_message` says more. Free the checker
/// with `tcp_live_checker_free`.
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `registry_path` is NULL (with length 0) or valid for reads of
/// `registry_path_len` bytes; likewise `policy_path`; `out` is valid for one
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_live_checker_open(
    registry_path: *const c_char,
    registry_path_len: usize,
    policy_path: *const c_char,
    policy_path_len: usize,
    out: *mut *mut tcp_live_checker,
) -> tcp_status {
    ffi_panic_boundary! {
        let registry = if registry_path.is_null() && registry_path_len == 0 {
            None
        } else {
            Some(PathBuf::from(try_str!(registry_path, registry_path_len)))
        };
        let policy = if policy_path.is_null() && policy_path_len == 0 {
            None
        } else {
            Some(PathBuf::from(try_str!(policy_path, policy_path_len)))
        };
        let out = try_out!(out);
        match LiveChecker::open(CheckerSource { registry, policy }) {
            Ok(live) => {
                out.write(to_boxed_mut_ptr::<tcp_live_checker>(Live {
                    live,
                    context: Context::default(),
                }));
                tcp_status::Ok
            }
            Err(e) => fail_core(&e),
        }
    }
}

/// Sets the working directory, home directory and workspace roots lines
/// are decided in, exactly as `tcp_checker_set_context` does (same
/// arguments after the handle, same errors): they apply to the registry and
/// policy in use at each decision, across reloads, and to snapshots.
///
/// Thread safety: changes the checker; no other thread may use it meanwhile.
///
/// # Safety
///
/// As `tcp_checker_set_context`, with `live` a live-checker handle.
#[unsafe(no_mangle)]
#[allow(
    clippy::too_many_arguments,
    reason = "three paths and a list of them, each a pointer and a length"
)]
pub unsafe extern "C" fn tcp_live_checker_set_context(
    live: *mut tcp_live_checker,
    cwd: *const c_char,
    cwd_len: usize,
    home: *const c_char,
    home_len: usize,
    workspace: *const *const c_char,
    workspace_lens: *const usize,
    workspace_n: usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let live = try_handle_mut!(live);
        // SAFETY: forwarded from this function's own contract.
        let context = match unsafe {
            Context::read(cwd, cwd_len, home, home_len, workspace, workspace_lens, workspace_n)
        } {
            Ok(c) => c,
            Err(status) => return status,
        };
        live.context.merge(context);
        tcp_status::Ok
    }
}

/// Reloads the registry and policy files given to `tcp_live_checker_open`
/// and swaps them in atomically: decisions already under way finish on the
/// old ones, later ones use the new ones. If a file is missing or does not
/// load (bad digest, truncated, bad policy), the registry and policy in use
/// stay, the failure is counted (`tcp_live_checker_reload_status`) and its
/// status returned; `tcp_last_error_message` and
/// `tcp_live_checker_last_error` say why.
///
/// Thread safety: may be called from any thread while others decide with
/// the same checker; concurrent reloads are serialised.
///
/// # Safety
///
/// `live` is a live-checker handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_live_checker_reload(live: *const tcp_live_checker) -> tcp_status {
    ffi_panic_boundary! {
        let live = try_handle!(live);
        match live.live.reload() {
            Ok(()) => tcp_status::Ok,
            Err(e) => fail_core(&e),
        }
    }
}

/// Decides a command line with the registry and policy in use now, exactly
/// as `tcp_checker_check` does (same arguments after the handle, same
/// results and string convention).
///
/// Thread safety: may be called from many threads at once, and while
/// another thread reloads.
///
/// # Safety
///
/// As `tcp_checker_check`, with `live` a live-checker handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_live_checker_check(
    live: *const tcp_live_checker,
    line: *const c_char,
    len: usize,
    out: *mut tcp_check_result,
    reasons: *mut c_char,
    reasons_len: usize,
    reasons_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let live = try_handle!(live);
        // Held for the whole decision: a reload meanwhile cannot free it.
        let held = live.live.checker();
        let mut applied = None;
        let checker = live.checker(&held, &mut applied);
        // The pointer is to a live `Checker`, what a `tcp_checker` handle points at.
        let handle = core::ptr::from_ref(checker).cast::<tcp_checker>();
        // SAFETY: `handle` is valid while `checker` lives; the rest is
        // forwarded from this function's own contract.
        unsafe {
            crate::check::tcp_checker_check(handle, line, len, out, reasons, reasons_len, reasons_n)
        }
    }
}

/// Decides a command line like `tcp_checker_check_json` (the whole verdict
/// as JSON) with the registry and policy in use now.
///
/// Thread safety: as `tcp_live_checker_check`.
///
/// # Safety
///
/// As `tcp_checker_check_json`, with `live` a live-checker handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_live_checker_check_json(
    live: *const tcp_live_checker,
    line: *const c_char,
    len: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let live = try_handle!(live);
        let held = live.live.checker();
        let mut applied = None;
        let checker = live.checker(&held, &mut applied);
        let handle = core::ptr::from_ref(checker).cast::<tcp_checker>();
        // SAFETY: as in `tcp_live_checker_check`.
        unsafe { crate::check::tcp_checker_check_json(handle, line, len, buf, buf_len, out_n) }
    }
}

/// A plain checker with the registry and policy in use now, into `*out`: it
/// never changes, whatever reloads follow. Free it with `tcp_checker_free`.
///
/// Thread safety: as `tcp_live_checker_check`.
///
/// # Safety
///
/// `live` is a live-checker handle; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_live_checker_snapshot(
    live: *const tcp_live_checker,
    out: *mut *mut tcp_checker,
) -> tcp_status {
    ffi_panic_boundary! {
        let live = try_handle!(live);
        let out = try_out!(out);
        let held = live.live.checker();
        let mut applied = None;
        let checker = live.checker(&held, &mut applied).clone();
        out.write(to_boxed_mut_ptr::<tcp_checker>(checker));
        tcp_status::Ok
    }
}

/// What the reloads did so far (counts, times, whether the last failed), into `*out`.
///
/// Thread safety: as `tcp_live_checker_check`.
///
/// # Safety
///
/// `live` is a live-checker handle; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_live_checker_reload_status(
    live: *const tcp_live_checker,
    out: *mut tcp_reload_status,
) -> tcp_status {
    ffi_panic_boundary! {
        let live = try_handle!(live);
        let out = try_out!(out);
        let s = live.live.status();
        out.write(tcp_reload_status {
            reloads: s.reloads,
            failures: s.failures,
            last_attempt_unix: unix_seconds(s.last_attempt),
            last_success_unix: unix_seconds(s.last_success),
            last_failed: s.last_error.is_some(),
        });
        tcp_status::Ok
    }
}

/// Why the last reload failed (empty if it succeeded or none was tried) into
/// `buf`, following the string convention.
///
/// Thread safety: as `tcp_live_checker_check`.
///
/// # Safety
///
/// `live` is a live-checker handle; `buf` is NULL (with `len` 0) or valid
/// for writes of `len` bytes; `out_n` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_live_checker_last_error(
    live: *const tcp_live_checker,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let live = try_handle!(live);
        let message = live.live.status().last_error.unwrap_or_default();
        // SAFETY: forwarded from this function's own contract.
        unsafe { write_string(&message, buf, len, out_n) }
    }
}

/// Releases a live checker. NULL is a no-op. Snapshots taken from it stay valid.
///
/// Thread safety: no other thread may use the checker meanwhile or after.
///
/// # Safety
///
/// `live` is NULL or a live-checker handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_live_checker_free(live: *mut tcp_live_checker) {
    ffi_panic_boundary! {
        // SAFETY: by this function's contract the handle is NULL or live and
        // owned by the caller, who gives it up here.
        unsafe { free_box(live) }
    }
}
