//! `tcp_backend`: batch validation backends (tcp-hw): list, pick by name or
//! let tcp-hw select one for a batch, and validate with it.
//!
//! Which backends exist depends on the build: `scalar`, `simd` and
//! `parallel` always; `opencl` when bindings-c is built with its `opencl`
//! feature. Every backend writes exactly tcp-core's status bytes.

use core::ffi::c_char;
use std::sync::Arc;

use tcp_hw::{Availability, Backend, BackendKind, Selection};

use crate::descriptor::policy_or_default;
use crate::error::{fail, fail_core};
use crate::policy::tcp_policy;
use crate::ptr::{Castable, free_box, to_boxed_mut_ptr, write_string};
use crate::status::tcp_status;
use crate::types::dialect_from_c;

/// What kind of hardware a backend runs on.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tcp_backend_kind {
    /// Portable CPU code.
    Cpu = 0,
    /// CPU vector instructions.
    Simd = 1,
    /// A GPU or other OpenCL device (including PoCL on the CPU).
    Opencl = 2,
    /// A Xilinx FPGA through XRT (or its emulation, labelled as such).
    Fpga = 3,
}

/// A backend. Opaque; made by `tcp_backend_get`, `tcp_backend_by_name` or
/// `tcp_backend_select`, released by `tcp_backend_free`.
pub struct tcp_backend {
    _private: [u8; 0],
}

/// A backend handle: picked by the caller, or selected by tcp-hw together
/// with a reservation that is held until the handle is freed.
pub(crate) enum BackendHandle {
    /// Picked by index or name.
    Picked(Arc<dyn Backend>),
    /// Selected for a batch, reservation held.
    Selected(Selection),
}

impl BackendHandle {
    fn backend(&self) -> &dyn Backend {
        match self {
            Self::Picked(b) => b.as_ref(),
            Self::Selected(s) => s.backend.as_ref(),
        }
    }
}

impl Castable for tcp_backend {
    type RustType = BackendHandle;
}

/// The number of backends this build of libtcp knows, available here or not.
///
/// Errors: none (returns a count).
///
/// Thread safety: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn tcp_backend_count() -> usize {
    ffi_panic_boundary! {
        tcp_hw::select::all_backends().len()
    }
}

/// Backend number `index` (0 to `tcp_backend_count() - 1`), available or
/// not, into `*out`. Free it with `tcp_backend_free`.
///
/// Returns `TCP_STATUS_INVALID_ARGUMENT` for an index out of range.
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`), `TCP_STATUS_INVALID_ARGUMENT`
/// (`index` out of range).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_backend_get(index: usize, out: *mut *mut tcp_backend) -> tcp_status {
    ffi_panic_boundary! {
        let out = try_out!(out);
        match tcp_hw::select::all_backends().into_iter().nth(index) {
            Some(b) => {
                out.write(to_boxed_mut_ptr::<tcp_backend>(BackendHandle::Picked(b)));
                tcp_status::Ok
            }
            None => fail(tcp_status::InvalidArgument, format_args!("no backend number {index}")),
        }
    }
}

/// The backend with a name (`scalar`, `simd`, `parallel`, `opencl`;
/// case-insensitive), available or not, into `*out`. Free it with
/// `tcp_backend_free`.
///
/// Returns `TCP_STATUS_NOT_FOUND` if this build has no such backend.
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`name` with a non-zero `len`, `out`),
/// `TCP_STATUS_INVALID_UTF8` (`name`), `TCP_STATUS_NOT_FOUND` (no such backend
/// in this build).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `name` is valid for reads of `len` bytes; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_backend_by_name(
    name: *const c_char,
    len: usize,
    out: *mut *mut tcp_backend,
) -> tcp_status {
    ffi_panic_boundary! {
        let name = try_str!(name, len);
        let out = try_out!(out);
        match tcp_hw::select::backend_by_name(name) {
            Some(b) => {
                out.write(to_boxed_mut_ptr::<tcp_backend>(BackendHandle::Picked(b)));
                tcp_status::Ok
            }
            None => fail(tcp_status::NotFound, format_args!("no backend named {name:?}")),
        }
    }
}

/// Lets tcp-hw choose the backend for a batch of `records` records of
/// `dialect` (accelerators for the largest batches, then `parallel`, `simd`,
/// `scalar`; only available ones that support the dialect), into `*out`.
///
/// The handle holds the chosen backend's reservation (accelerators and
/// `parallel` have one slot, so a second concurrent selection falls back to
/// the next backend): free it as soon as the batch is done. If `rejected` is
/// not NULL, the backends passed over and why, one per line
/// (`name: reason`), are written there following the string convention.
/// `rejected` and `rejected_n` may both be NULL (with `rejected_len` 0) when
/// the reasons are not wanted.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`; `rejected` with a non-zero
/// `rejected_len`), `TCP_STATUS_INVALID_ARGUMENT` (an unknown `dialect`),
/// `TCP_STATUS_UNAVAILABLE` (no backend can take the batch; the last error
/// lists why each was passed over), `TCP_STATUS_BUFFER_TOO_SMALL` (`rejected`).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `out` is valid for one write; `rejected` is NULL or valid for writes of
/// `rejected_len` bytes; `rejected_n` is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_backend_select(
    dialect: u32,
    records: usize,
    out: *mut *mut tcp_backend,
    rejected: *mut c_char,
    rejected_len: usize,
    rejected_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let out = try_out!(out);
        let Some(dialect) = dialect_from_c(dialect) else {
            return fail(tcp_status::InvalidArgument, format_args!("no dialect {dialect}"));
        };
        let reasons_wanted = !(rejected.is_null() && rejected_len == 0 && rejected_n.is_null());
        match tcp_hw::select(dialect, records) {
            Ok(selection) => {
                if reasons_wanted {
                    let text = selection
                        .rejected
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n");
                    // SAFETY: forwarded from this function's own contract.
                    let status = unsafe { write_string(&text, rejected, rejected_len, rejected_n) };
                    if status != tcp_status::Ok {
                        return status;
                    }
                }
                out.write(to_boxed_mut_ptr::<tcp_backend>(BackendHandle::Selected(selection)));
                tcp_status::Ok
            }
            Err(all_rejected) => {
                let text = all_rejected
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                fail(tcp_status::Unavailable, format_args!("no backend can take the batch: {text}"))
            }
        }
    }
}

/// Writes the backend's short stable name (`scalar`, `simd`, …) into `buf`,
/// following the string convention.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`backend`, `out_n`, or `buf` with a
/// non-zero `len`), `TCP_STATUS_BUFFER_TOO_SMALL`.
///
/// Thread safety: may be called from many threads at once on the same backend.
///
/// # Safety
///
/// `backend` is a live backend handle; `buf` is NULL (with `len` 0) or valid
/// for writes of `len` bytes; `out_n` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_backend_name(
    backend: *const tcp_backend,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let backend = try_handle!(backend).backend();
        // SAFETY: forwarded from this function's own contract.
        unsafe { write_string(backend.name(), buf, len, out_n) }
    }
}

/// Writes what the backend runs on, for humans (CPU model and ISA level,
/// device name), into `buf`, following the string convention.
///
/// Errors: as `tcp_backend_name`.
///
/// Thread safety: may be called from many threads at once on the same backend.
///
/// # Safety
///
/// As `tcp_backend_name`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_backend_device(
    backend: *const tcp_backend,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let backend = try_handle!(backend).backend();
        // SAFETY: forwarded from this function's own contract.
        unsafe { write_string(&backend.device(), buf, len, out_n) }
    }
}

/// The kind of hardware the backend runs on, into `*out`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`backend`, `out`).
///
/// Thread safety: may be called from many threads at once on the same backend.
///
/// # Safety
///
/// `backend` is a live backend handle; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_backend_get_kind(
    backend: *const tcp_backend,
    out: *mut tcp_backend_kind,
) -> tcp_status {
    ffi_panic_boundary! {
        let backend = try_handle!(backend).backend();
        let out = try_out!(out);
        out.write(match backend.kind() {
            BackendKind::Cpu => tcp_backend_kind::Cpu,
            BackendKind::Simd => tcp_backend_kind::Simd,
            BackendKind::OpenCl => tcp_backend_kind::Opencl,
            BackendKind::Fpga => tcp_backend_kind::Fpga,
        });
        tcp_status::Ok
    }
}

/// Whether the backend can run here, into `*available`; if it cannot, why
/// (in the words of the layer that refused) into `reason`, following the
/// string convention (an empty string when it can). `reason` and
/// `reason_n` may both be NULL (with `reason_len` 0) when the reason is not
/// wanted.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`backend`, `available`; `reason` with a
/// non-zero `reason_len`), `TCP_STATUS_BUFFER_TOO_SMALL` (`reason`).
///
/// Thread safety: may be called from many threads at once on the same backend.
///
/// # Safety
///
/// `backend` is a live backend handle; `available` is valid for one write;
/// `reason` is NULL or valid for writes of `reason_len` bytes; `reason_n`
/// is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_backend_availability(
    backend: *const tcp_backend,
    available: *mut bool,
    reason: *mut c_char,
    reason_len: usize,
    reason_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let backend = try_handle!(backend).backend();
        let available = try_out!(available);
        let availability = backend.availability();
        if !(reason.is_null() && reason_len == 0 && reason_n.is_null()) {
            let text = match &availability {
                Availability::Available => "",
                Availability::Unavailable { reason } => reason.as_str(),
            };
            // SAFETY: forwarded from this function's own contract.
            let status = unsafe { write_string(text, reason, reason_len, reason_n) };
            if status != tcp_status::Ok {
                return status;
            }
        }
        available.write(availability.is_available());
        tcp_status::Ok
    }
}

/// Validates and decides a batch with this backend: the same contract and
/// the same status bytes as `tcp_validate_batch` (without the summary).
///
/// Returns `TCP_STATUS_UNAVAILABLE` if the backend cannot run here and
/// `TCP_STATUS_UNKNOWN_DIALECT` if it does not handle the dialect
/// (`tcp_last_error_message` says why).
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`backend`; `input` or `out` with a
/// non-zero length), `TCP_STATUS_INVALID_ARGUMENT` (an unknown `dialect`),
/// `TCP_STATUS_UNAVAILABLE`, `TCP_STATUS_UNKNOWN_DIALECT` (as above),
/// `TCP_STATUS_WRONG_LENGTH`, `TCP_STATUS_OUTPUT_TOO_SMALL` (as
/// `tcp_validate_batch`). Strict mode only: for lenient batches use
/// `tcp_validate_batch_mode`.
///
/// Thread safety: may be called from many threads at once on the same
/// backend; a selected backend's reservation is meant for one batch at a time.
///
/// # Safety
///
/// `backend` is a live backend handle; `input` is valid for reads of
/// `input_len` bytes; `out` for writes of `out_len` bytes and not overlapping
/// `input`; `policy` is NULL or a live policy handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_backend_validate_batch(
    backend: *const tcp_backend,
    dialect: u32,
    input: *const u8,
    input_len: usize,
    policy: *const tcp_policy,
    out: *mut u8,
    out_len: usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let backend = try_handle!(backend).backend();
        let input = try_slice!(input, input_len);
        let out = try_slice_mut!(out, out_len);
        let policy = policy_or_default(opt_handle!(policy));
        let Some(dialect) = dialect_from_c(dialect) else {
            return fail(tcp_status::InvalidArgument, format_args!("no dialect {dialect}"));
        };
        if let Availability::Unavailable { reason } = backend.availability() {
            return fail(
                tcp_status::Unavailable,
                format_args!("backend {} is unavailable: {reason}", backend.name()),
            );
        }
        if !backend.supports(dialect) {
            return fail(
                tcp_status::UnknownDialect,
                format_args!("backend {} does not support {dialect}", backend.name()),
            );
        }
        match backend.validate(dialect, input, &policy, out) {
            Ok(()) => tcp_status::Ok,
            Err(e) => fail_core(&e),
        }
    }
}

/// Releases a backend handle (and a selected backend's reservation). NULL is
/// a no-op.
///
/// Errors: none.
///
/// Thread safety: no other thread may use this handle meanwhile or after.
///
/// # Safety
///
/// `backend` is NULL or a backend handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_backend_free(backend: *mut tcp_backend) {
    ffi_panic_boundary! {
        // SAFETY: by this function's contract the handle is NULL or live and
        // owned by the caller, who gives it up here.
        unsafe { free_box(backend) }
    }
}
