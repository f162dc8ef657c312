//! `tcp_registry`: command name to descriptor (tcp-core's `Registry`).

use core::ffi::c_char;
use std::sync::Arc;

use tcp_core::Registry;
use tcp_core::command_line::builtin;

use crate::error::{fail, fail_core};
use crate::ptr::{Castable, free_box, to_boxed_mut_ptr};
use crate::status::tcp_status;
use crate::types::{dialect_to_c, risk_to_c, tcp_dialect, tcp_risk_level};

/// The longest descriptor any dialect has, in bytes.
pub const TCP_DESCRIPTOR_MAX_LEN: usize = 24;

/// A read-only registry. Opaque; made by `tcp_registry_open` (or
/// `tcp_registry_new_builtin`), released by `tcp_registry_free`.
pub struct tcp_registry {
    _private: [u8; 0],
}

/// A registry handle: shared, so checkers made from it outlive the handle.
pub(crate) type RegistryHandle = Arc<Registry>;

impl Castable for tcp_registry {
    type RustType = RegistryHandle;
}

/// One registry entry, copied out of the registry.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tcp_entry_info {
    /// The dialect of the stored descriptor.
    pub dialect: tcp_dialect,
    /// True if the descriptor has a risk level (some of the prototype's
    /// knowledge-base entries have none).
    pub has_risk: bool,
    /// The risk level; meaningful only if `has_risk`.
    pub risk: tcp_risk_level,
    /// Capabilities, as `TCP_CAPABILITY_*` bits.
    pub capabilities: u16,
    /// Length of the descriptor in `descriptor`.
    pub descriptor_len: usize,
    /// The descriptor bytes as stored (first `descriptor_len` bytes).
    pub descriptor: [u8; TCP_DESCRIPTOR_MAX_LEN],
}

/// Opens a registry file (`path_len` bytes of UTF-8, no NUL needed) into
/// `*out`: libtcp's TCPR, the prototype's TCPDB v1/v2 (by magic) or JSON.
/// Every entry is checked at open.
///
/// A missing or unreadable file gives `TCP_STATUS_IO`; a corrupt one its
/// tcp-core status (`TCP_STATUS_BAD_MAGIC`, `TCP_STATUS_TRUNCATED`,
/// `TCP_STATUS_DIGEST_MISMATCH`, …); `tcp_last_error_message` says more.
/// Files up to 64 MiB are read into memory, so the registry keeps its
/// contents whatever happens to the file later; larger ones are mapped, and
/// may then be replaced (renamed over, as libtcp's writers do) but not
/// rewritten in place while the registry (or a checker made from it) is
/// alive. To pick up a new file, use `tcp_live_checker_reload`. Free with
/// `tcp_registry_free`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`; `path` with a non-zero
/// `path_len`), `TCP_STATUS_INVALID_UTF8` (`path`), `TCP_STATUS_IO`
/// (unreadable, or a directory; the last error names the path),
/// `TCP_STATUS_BAD_INPUT` (JSON of neither schema; the last error names the
/// path and what was found), `TCP_STATUS_BAD_MAGIC` (no registry format), and
/// the status of the check an entry or the file's structure fails
/// (`TCP_STATUS_TRUNCATED`, `TCP_STATUS_BAD_INDEX`,
/// `TCP_STATUS_DIGEST_MISMATCH`, `TCP_STATUS_HASH_MISMATCH`,
/// `TCP_STATUS_DUPLICATE_NAME`, `TCP_STATUS_CHECKSUM_MISMATCH`, ...).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `path` is valid for reads of `path_len` bytes; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_registry_open(
    path: *const c_char,
    path_len: usize,
    out: *mut *mut tcp_registry,
) -> tcp_status {
    ffi_panic_boundary! {
        let path = try_str!(path, path_len);
        let out = try_out!(out);
        match Registry::open(path) {
            Ok(r) => {
                out.write(to_boxed_mut_ptr::<tcp_registry>(Arc::new(r)));
                tcp_status::Ok
            }
            Err(e) => fail_core(&e),
        }
    }
}

/// Makes the built-in registry (over 300 commands and their families, with
/// reviewed risk, capabilities and justifications) into `*out`. Free it with
/// `tcp_registry_free`.
///
/// Fails (with the tcp-core status of the problem) only if the built-in
/// tables did not load, which tcp-core's tests rule out.
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`); a tcp-core status only if the
/// built-in tables failed to load (a libtcp bug).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_registry_new_builtin(out: *mut *mut tcp_registry) -> tcp_status {
    ffi_panic_boundary! {
        let out = try_out!(out);
        if let Some(e) = builtin::load_error() {
            return fail_core(e);
        }
        out.write(to_boxed_mut_ptr::<tcp_registry>(builtin::shared_registry()));
        tcp_status::Ok
    }
}

/// The number of entries, into `*out`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`registry`, `out`).
///
/// Thread safety: reads the registry; may be called from many threads at once.
///
/// # Safety
///
/// `registry` is a live registry handle; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_registry_len(
    registry: *const tcp_registry,
    out: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let registry = try_handle!(registry);
        let out = try_out!(out);
        out.write(registry.len());
        tcp_status::Ok
    }
}

/// Looks up a command by exact name (`name_len` bytes of UTF-8) into `*out`.
///
/// Returns `TCP_STATUS_NOT_FOUND` if the registry has no such command.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`registry`, `out`; `name` with a
/// non-zero `name_len`), `TCP_STATUS_INVALID_UTF8` (`name`),
/// `TCP_STATUS_NOT_FOUND` (no such command), `TCP_STATUS_INVALID_ARGUMENT` (an
/// entry these bindings cannot describe).
///
/// Thread safety: reads the registry; may be called from many threads at once.
///
/// # Safety
///
/// `registry` is a live registry handle; `name` is valid for reads of
/// `name_len` bytes; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_registry_lookup(
    registry: *const tcp_registry,
    name: *const c_char,
    name_len: usize,
    out: *mut tcp_entry_info,
) -> tcp_status {
    ffi_panic_boundary! {
        let registry = try_handle!(registry);
        let name = try_str!(name, name_len);
        let out = try_out!(out);
        let Some(entry) = registry.get(name) else {
            return fail(tcp_status::NotFound, format_args!("no command {name:?} in the registry"));
        };
        let mut descriptor = [0u8; TCP_DESCRIPTOR_MAX_LEN];
        let Some(dest) = descriptor.get_mut(..entry.descriptor.len()) else {
            return fail(
                tcp_status::InvalidArgument,
                format_args!("descriptor of {} bytes is longer than {TCP_DESCRIPTOR_MAX_LEN}", entry.descriptor.len()),
            );
        };
        dest.copy_from_slice(entry.descriptor);
        let Some(dialect) = dialect_to_c(entry.dialect) else {
            return fail(
                tcp_status::UnknownDialect,
                format_args!("dialect {} has no number in these bindings", entry.dialect),
            );
        };
        out.write(tcp_entry_info {
            dialect,
            has_risk: entry.risk.is_some(),
            risk: entry.risk.map_or(tcp_risk_level::Safe, risk_to_c),
            capabilities: entry.capabilities.bits(),
            descriptor_len: entry.descriptor.len(),
            descriptor,
        });
        tcp_status::Ok
    }
}

/// Writes why the entry for `name` says what it says (its justification; empty
/// for the prototype's data) into `buf`, following the string convention.
///
/// Returns `TCP_STATUS_NOT_FOUND` if the registry has no such command.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`registry`, `out_n`; `name` or `buf`
/// with a non-zero length), `TCP_STATUS_INVALID_UTF8` (`name`),
/// `TCP_STATUS_NOT_FOUND`, `TCP_STATUS_BUFFER_TOO_SMALL`.
///
/// Thread safety: reads the registry; may be called from many threads at once.
///
/// # Safety
///
/// `registry` is a live registry handle; `name` is valid for reads of
/// `name_len` bytes; `buf` is NULL (with `len` 0) or valid for writes of
/// `len` bytes; `out_n` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_registry_justification(
    registry: *const tcp_registry,
    name: *const c_char,
    name_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let registry = try_handle!(registry);
        let name = try_str!(name, name_len);
        let Some(entry) = registry.get(name) else {
            return fail(tcp_status::NotFound, format_args!("no command {name:?} in the registry"));
        };
        // SAFETY: forwarded from this function's own contract.
        unsafe { crate::ptr::write_string(entry.justification(), buf, len, out_n) }
    }
}

/// Releases a registry handle. NULL is a no-op. Checkers made from it keep
/// the registry alive until they are freed.
///
/// Errors: none.
///
/// Thread safety: no other thread may use this handle meanwhile or after.
///
/// # Safety
///
/// `registry` is NULL or a registry handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_registry_free(registry: *mut tcp_registry) {
    ffi_panic_boundary! {
        // SAFETY: by this function's contract the handle is NULL or live and
        // owned by the caller, who gives it up here.
        unsafe { free_box(registry) }
    }
}
