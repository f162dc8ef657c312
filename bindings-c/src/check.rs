//! `tcp_checker`: whole shell command lines decided by tcp-core's `Checker`
//! (pipes, `&&`, `sudo`, `bash -c`, substitutions, argument rules), and the
//! built-in registry it knows.

use core::ffi::c_char;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use tcp_core::command_line::{Checker, LineVerdict, RuleSet, builtin};

use crate::descriptor::policy_or_default;
use crate::error::{fail, fail_core};
use crate::policy::tcp_policy;
use crate::ptr::{
    Castable, free_box, invalid_utf8, null_parameter, slice, to_boxed_mut_ptr, write_string,
    write_string_named,
};
use crate::registry::tcp_registry;
use crate::status::tcp_status;
use crate::types::{decision_to_c, tcp_decision};

/// A command-line checker. Opaque; made by `tcp_checker_new_builtin`,
/// `tcp_checker_new` or `tcp_checker_new_layered`, released by
/// `tcp_checker_free`. It keeps its registry alive and a copy of its policy,
/// and the working directory, home and workspace roots set with
/// `tcp_checker_set_context` (none until then).
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

/// A working directory, home directory and workspace roots read from C
/// arguments; `None` for each one not given (left as it was).
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    cwd: Option<PathBuf>,
    home: Option<PathBuf>,
    workspace: Option<Vec<PathBuf>>,
}

impl Context {
    /// True if nothing was given.
    pub(crate) fn is_empty(&self) -> bool {
        self.cwd.is_none() && self.home.is_none() && self.workspace.is_none()
    }

    /// `self` with what `later` gives replacing what it had.
    pub(crate) fn merge(&mut self, later: Context) {
        if later.cwd.is_some() {
            self.cwd = later.cwd;
        }
        if later.home.is_some() {
            self.home = later.home;
        }
        if later.workspace.is_some() {
            self.workspace = later.workspace;
        }
    }

    /// `checker` with what was given set on it (what `tcp check --cwd
    /// --home --workspace` builds).
    pub(crate) fn apply(&self, mut checker: Checker) -> Checker {
        if let Some(dir) = &self.cwd {
            checker = checker.with_working_dir(dir.clone());
        }
        if let Some(dir) = &self.home {
            checker = checker.with_home_dir(dir.clone());
        }
        if let Some(roots) = &self.workspace {
            checker = checker.with_workspace_roots(roots.iter().cloned());
        }
        checker
    }

    /// Reads the arguments of `tcp_checker_set_context`; on an error its
    /// status (the last error names the parameter).
    ///
    /// # Safety
    ///
    /// As `tcp_checker_set_context`'s contract for the same arguments.
    #[allow(
        clippy::too_many_arguments,
        reason = "the C function's arguments, pointer and length pairs"
    )]
    pub(crate) unsafe fn read(
        cwd: *const c_char,
        cwd_len: usize,
        home: *const c_char,
        home_len: usize,
        workspace: *const *const c_char,
        workspace_lens: *const usize,
        workspace_n: usize,
    ) -> Result<Context, tcp_status> {
        // SAFETY: forwarded from this function's own contract.
        let cwd = unsafe { optional_path(cwd, cwd_len, "cwd") }?;
        // SAFETY: as above.
        let home = unsafe { optional_path(home, home_len, "home") }?;
        let workspace = if workspace_n == 0 {
            None
        } else {
            // SAFETY: non-NULL arrays hold `workspace_n` elements by contract.
            let ptrs = unsafe { slice(workspace, workspace_n) }
                .ok_or_else(|| null_parameter("workspace"))?;
            // SAFETY: as above.
            let lens = unsafe { slice(workspace_lens, workspace_n) }
                .ok_or_else(|| null_parameter("workspace_lens"))?;
            let mut roots = Vec::with_capacity(workspace_n);
            for (i, (&ptr, &len)) in ptrs.iter().zip(lens).enumerate() {
                let name = format!("workspace[{i}]");
                if ptr.is_null() {
                    return Err(null_parameter(&name));
                }
                // SAFETY: each entry is valid for `len` bytes by contract.
                match unsafe { optional_path(ptr, len, &name) }? {
                    Some(root) => roots.push(root),
                    None => return Err(null_parameter(&name)),
                }
            }
            Some(roots)
        };
        Ok(Context {
            cwd,
            home,
            workspace,
        })
    }
}

/// A path argument: NULL with length 0 is `None`; otherwise UTF-8 text.
///
/// # Safety
///
/// A non-NULL `ptr` is valid for reads of `len` bytes.
unsafe fn optional_path(
    ptr: *const c_char,
    len: usize,
    name: &str,
) -> Result<Option<PathBuf>, tcp_status> {
    if ptr.is_null() && len == 0 {
        return Ok(None);
    }
    // SAFETY: forwarded from this function's own contract.
    let bytes = unsafe { slice(ptr.cast::<u8>(), len) }.ok_or_else(|| null_parameter(name))?;
    match core::str::from_utf8(bytes) {
        Ok(text) => Ok(Some(PathBuf::from(text))),
        Err(e) => Err(invalid_utf8(name, &e)),
    }
}

/// Sets the places `checker` decides lines in, as `tcp check --cwd DIR
/// --home DIR --workspace DIR...` does:
///
/// - `cwd` (`cwd_len` bytes of UTF-8): the directory lines run in. Relative
///   paths and redirections are resolved in it, and `>` to a file that does
///   not exist there is the agent's own work. A new checker has none (libtcp
///   never reads the process's current directory): then every `>` to a
///   relative path is CAUTION_MODE.
/// - `home` (`home_len` bytes): the directory `~` stands for. A new checker
///   has none (libtcp never reads `$HOME`): then `~` is a path outside every
///   workspace.
/// - `workspace` (`workspace_n` paths, entry `i` being `workspace_lens[i]`
///   bytes at `workspace[i]`): the workspace roots, where writes and deletes
///   are the agent's own work. A new checker has none: then the working
///   directory is the one root.
///
/// An argument left out (NULL with length 0; for `workspace`, `workspace_n`
/// 0) keeps what the checker had, so pass all three for the CLI's verdicts:
/// its defaults are the current directory, `$HOME` and the working
/// directory. Paths are taken as given (not made absolute or checked to
/// exist).
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`checker`; `cwd` or `home` with a
/// non-zero length; `workspace` or `workspace_lens` with a non-zero
/// `workspace_n`; a NULL `workspace[i]`; the last error names it),
/// `TCP_STATUS_INVALID_UTF8` (a path). Nothing is changed on an error.
///
/// Thread safety: changes the checker; no other thread may use it meanwhile.
///
/// # Safety
///
/// `checker` is a live checker handle; `cwd` is NULL (with length 0) or
/// valid for reads of `cwd_len` bytes; likewise `home`; with a non-zero
/// `workspace_n`, `workspace` and `workspace_lens` are valid for reads of
/// `workspace_n` elements and each `workspace[i]` for reads of
/// `workspace_lens[i]` bytes.
#[unsafe(no_mangle)]
#[allow(
    clippy::too_many_arguments,
    reason = "three paths and a list of them, each a pointer and a length"
)]
pub unsafe extern "C" fn tcp_checker_set_context(
    checker: *mut tcp_checker,
    cwd: *const c_char,
    cwd_len: usize,
    home: *const c_char,
    home_len: usize,
    workspace: *const *const c_char,
    workspace_lens: *const usize,
    workspace_n: usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let checker = try_handle_mut!(checker);
        // SAFETY: forwarded from this function's own contract.
        let context = match unsafe {
            Context::read(cwd, cwd_len, home, home_len, workspace, workspace_lens, workspace_n)
        } {
            Ok(c) => c,
            Err(status) => return status,
        };
        *checker = context.apply(checker.clone());
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
