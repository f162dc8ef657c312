//! libtcp's C API: a thin layer over tcp-core, tcp-hw and tcp-stats.
//!
//! Every function here translates between C and the Rust crates and decides
//! nothing itself. The header `include/tcp.h` is generated from this crate by
//! cbindgen (`bindings-c/cbindgen.toml`) and checked by `tests/header_fresh.rs`.
//!
//! # C API conventions
//!
//! These follow rustls-ffi:
//!
//! - **Status.** Fallible functions return a [`tcp_status`]. Its values never
//!   change and are never reused: `TCP_STATUS_OK` is 0, the C layer's own
//!   failures are 1..=99, tcp-core's stable error codes appear at
//!   1000 + code, and tcp-stats' errors at 2001 and up. `tcp_status_message` names any status;
//!   `tcp_last_error_message` gives the full message of the calling thread's
//!   last failure.
//! - **Out-parameters.** Results go to out-parameters, which are written only
//!   when the function returns `TCP_STATUS_OK`, with two documented
//!   exceptions: on `TCP_STATUS_BUFFER_TOO_SMALL` a string function writes
//!   the length it needed to `*out_n`, and on `TCP_STATUS_REASONS_TRUNCATED`
//!   `tcp_checker_check` has written its decision and as much of the reasons
//!   as fit.
//! - **Pointers.** A NULL pointer where one is required gives
//!   `TCP_STATUS_NULL_PARAMETER`. A buffer is always followed by its length in
//!   bytes (or elements); a buffer may be NULL only when its length is 0.
//!   Input text is UTF-8 with an explicit length (no NUL terminator needed);
//!   invalid UTF-8 gives `TCP_STATUS_INVALID_UTF8`.
//! - **Strings out.** Strings are copied whole into a caller buffer and
//!   NUL-terminated, or not at all: `*out_n` is the string's length without
//!   the NUL, so the buffer needs `*out_n + 1` bytes. A NULL buffer with
//!   length 0 is a length query, as `snprintf(NULL, 0, ...)`: the call
//!   returns `TCP_STATUS_OK` with the length in `*out_n`. A real buffer that
//!   is too small gives `TCP_STATUS_BUFFER_TOO_SMALL` (with the length in
//!   `*out_n`) and is left untouched.
//! - **Errors.** Each function's documentation lists, under "Errors", the
//!   statuses it returns besides `TCP_STATUS_OK`; `TCP_STATUS_PANIC` can come
//!   from any of them and is not repeated. Every status other than
//!   `TCP_STATUS_OK` sets the thread's last error message.
//! - **Enums in.** Enum values passed in (risk levels, decisions, dialects)
//!   are `uint32_t` and checked; an out-of-range value gives
//!   `TCP_STATUS_INVALID_ARGUMENT`, never undefined behaviour.
//! - **Handles.** Opaque handles (`tcp_policy`, `tcp_registry`, `tcp_checker`,
//!   `tcp_backend`) are created by `_new`/`_open` functions and released by
//!   their `_free` function, which accepts NULL. Nothing allocated by libtcp is
//!   handed over without a `_free` function; static strings are never freed.
//! - **Panics.** Every exported function runs inside a panic boundary: a
//!   panic becomes `TCP_STATUS_PANIC` (or NULL / 0 where no status is
//!   returned) and never unwinds into C.
//! - **Threads.** Each function's documentation says whether it may be called
//!   concurrently. In short: handles are immutable after creation except
//!   through `tcp_policy_set_*` / `tcp_policy_add_*` and
//!   `tcp_checker_set_context` / `tcp_live_checker_set_context`, and every function that only reads a handle
//!   may be called from many threads at once on the same handle.
#![allow(
    non_camel_case_types,
    reason = "C type names follow the C API's snake_case convention"
)]

#[macro_use]
mod panic;
#[macro_use]
mod ptr;

pub mod backend;
pub mod check;
pub mod descriptor;
pub mod error;
pub mod policy;
pub mod registry;
pub mod reload;
pub mod stats;
pub mod status;
pub mod types;

pub use status::tcp_status;
