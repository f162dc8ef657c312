//! Pointer checks and handle ownership.
//!
//! The macros here turn C pointers into Rust references, returning early
//! from the enclosing [`ffi_panic_boundary!`] body with
//! `TCP_STATUS_NULL_PARAMETER` (or `TCP_STATUS_INVALID_UTF8`) when a pointer
//! is NULL where it must not be. Each exported function documents, in its
//! `# Safety` section, that non-NULL pointers must be valid for the given
//! lengths; that promise is what every `unsafe` block here relies on.
//!
//! Handles are opaque C types ([`Castable`]) that point at a boxed Rust value.

use core::mem::MaybeUninit;
use core::ptr::NonNull;

/// An opaque C handle type and the Rust value its pointers point at.
pub(crate) trait Castable {
    /// The Rust value behind the handle.
    type RustType;
}

/// Moves `value` to the heap and returns it as a handle pointer.
pub(crate) fn to_boxed_mut_ptr<C: Castable>(value: C::RustType) -> *mut C {
    Box::into_raw(Box::new(value)).cast::<C>()
}

/// Frees a handle made by [`to_boxed_mut_ptr`]; NULL is a no-op.
///
/// # Safety
///
/// `ptr` is NULL or came from [`to_boxed_mut_ptr`] for the same `C` and has
/// not been freed.
pub(crate) unsafe fn free_box<C: Castable>(ptr: *mut C) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: by this function's contract the pointer came from Box::into_raw
    // of a C::RustType and is freed once.
    drop(unsafe { Box::from_raw(ptr.cast::<C::RustType>()) });
}

/// The value behind a handle, or `None` for NULL.
///
/// # Safety
///
/// `ptr` is NULL or a live handle made by [`to_boxed_mut_ptr`] for the same
/// `C`; the value is not mutated while the reference lives.
pub(crate) unsafe fn castable_ref<'a, C: Castable>(ptr: *const C) -> Option<&'a C::RustType> {
    // SAFETY: by this function's contract a non-NULL pointer points at a live
    // C::RustType.
    unsafe { ptr.cast::<C::RustType>().as_ref() }
}

/// The value behind a handle, mutably, or `None` for NULL.
///
/// # Safety
///
/// As [`castable_ref`], and no other reference to the value exists meanwhile.
pub(crate) unsafe fn castable_mut<'a, C: Castable>(ptr: *mut C) -> Option<&'a mut C::RustType> {
    // SAFETY: by this function's contract a non-NULL pointer points at a live
    // C::RustType with no other reference to it.
    unsafe { ptr.cast::<C::RustType>().as_mut() }
}

/// A byte slice from a pointer and a length; NULL is allowed only for length 0.
///
/// # Safety
///
/// A non-NULL `ptr` is valid for reads of `len` elements for `'a`.
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> Option<&'a [T]> {
    if ptr.is_null() {
        return (len == 0).then_some(&[]);
    }
    // SAFETY: non-NULL, and by this function's contract valid for `len` reads.
    Some(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A mutable slice from a pointer and a length; NULL is allowed only for length 0.
///
/// # Safety
///
/// A non-NULL `ptr` is valid for reads and writes of `len` elements for `'a`
/// and not aliased meanwhile.
pub(crate) unsafe fn slice_mut<'a, T>(ptr: *mut T, len: usize) -> Option<&'a mut [T]> {
    if ptr.is_null() {
        return (len == 0).then_some(&mut []);
    }
    // SAFETY: non-NULL, and by this function's contract valid and unaliased
    // for `len` elements.
    Some(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// An out-parameter as `&mut MaybeUninit<T>`, or `None` for NULL.
///
/// # Safety
///
/// A non-NULL `ptr` is aligned and valid for writes of one `T` for `'a`.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T) -> Option<&'a mut MaybeUninit<T>> {
    let ptr = NonNull::new(ptr)?;
    // SAFETY: non-NULL; aligned and writable by this function's contract;
    // MaybeUninit makes no claim about the current contents.
    Some(unsafe { ptr.cast::<MaybeUninit<T>>().as_mut() })
}

/// The Rust value behind a handle, or return `TCP_STATUS_NULL_PARAMETER`.
macro_rules! try_handle {
    ($ptr:expr) => {{
        let ptr = $ptr;
        // SAFETY: the exported function's `# Safety` section requires a
        // non-NULL handle to be live and not being freed or mutated.
        match unsafe { $crate::ptr::castable_ref(ptr) } {
            Some(r) => r,
            None => return $crate::ptr::null_parameter(stringify!($ptr)),
        }
    }};
}

/// The Rust value behind a handle, mutably, or return `TCP_STATUS_NULL_PARAMETER`.
macro_rules! try_handle_mut {
    ($ptr:expr) => {{
        let ptr = $ptr;
        // SAFETY: the exported function's `# Safety` section requires a
        // non-NULL handle to be live and used by no other thread meanwhile.
        match unsafe { $crate::ptr::castable_mut(ptr) } {
            Some(r) => r,
            None => return $crate::ptr::null_parameter(stringify!($ptr)),
        }
    }};
}

/// An optional handle: NULL gives `None`.
macro_rules! opt_handle {
    ($ptr:expr) => {{
        let ptr = $ptr;
        // SAFETY: the exported function's `# Safety` section requires a
        // non-NULL handle to be live and not being freed or mutated.
        unsafe { $crate::ptr::castable_ref(ptr) }
    }};
}

/// `&[T]` from a pointer and a length, or return `TCP_STATUS_NULL_PARAMETER`.
macro_rules! try_slice {
    ($ptr:expr, $len:expr) => {{
        let (ptr, len) = ($ptr, $len);
        // SAFETY: the exported function's `# Safety` section requires a
        // non-NULL buffer to be valid for reads of its length.
        match unsafe { $crate::ptr::slice(ptr, len) } {
            Some(s) => s,
            None => return $crate::ptr::null_parameter(stringify!($ptr)),
        }
    }};
}

/// Records and returns `TCP_STATUS_NULL_PARAMETER` for the parameter named `what`.
pub(crate) fn null_parameter(what: &str) -> crate::status::tcp_status {
    crate::error::fail(
        crate::status::tcp_status::NullParameter,
        format_args!("parameter `{what}` is NULL"),
    )
}

/// Records and returns `TCP_STATUS_INVALID_UTF8` for the parameter named `what`.
pub(crate) fn invalid_utf8(what: &str, e: &core::str::Utf8Error) -> crate::status::tcp_status {
    crate::error::fail(
        crate::status::tcp_status::InvalidUtf8,
        format_args!("parameter `{what}` is not valid UTF-8: {e}"),
    )
}

/// `&mut [T]` from a pointer and a length, or return `TCP_STATUS_NULL_PARAMETER`.
macro_rules! try_slice_mut {
    ($ptr:expr, $len:expr) => {{
        let (ptr, len) = ($ptr, $len);
        // SAFETY: the exported function's `# Safety` section requires a
        // non-NULL buffer to be valid for writes of its length and unaliased.
        match unsafe { $crate::ptr::slice_mut(ptr, len) } {
            Some(s) => s,
            None => return $crate::ptr::null_parameter(stringify!($ptr)),
        }
    }};
}

/// UTF-8 text from a pointer and a length, or return NULL_PARAMETER / INVALID_UTF8.
macro_rules! try_str {
    ($ptr:expr, $len:expr) => {{
        let (ptr, len) = ($ptr.cast::<u8>(), $len);
        // SAFETY: the exported function's `# Safety` section requires a
        // non-NULL buffer to be valid for reads of its length.
        let bytes: &[u8] = match unsafe { $crate::ptr::slice(ptr, len) } {
            Some(s) => s,
            None => return $crate::ptr::null_parameter(stringify!($ptr)),
        };
        match ::core::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => return $crate::ptr::invalid_utf8(stringify!($ptr), &e),
        }
    }};
}

/// An out-parameter as `&mut MaybeUninit<T>`, or return `TCP_STATUS_NULL_PARAMETER`.
macro_rules! try_out {
    ($ptr:expr) => {{
        let ptr = $ptr;
        // SAFETY: the exported function's `# Safety` section requires a
        // non-NULL out-parameter to be aligned and valid for writes.
        match unsafe { $crate::ptr::out(ptr) } {
            Some(o) => o,
            None => return $crate::ptr::null_parameter(stringify!($ptr)),
        }
    }};
}

/// Copies `text` and a NUL into `buf` (of `len` bytes) and its length into `out_n`.
///
/// `buf` NULL with `len` 0 is a length query: `out_n` gets the length and the
/// result is `TCP_STATUS_OK` (as `snprintf(NULL, 0, ...)`). If `text` and the
/// NUL do not fit a real buffer, nothing is copied, `out_n` still gets the
/// length and the result is `TCP_STATUS_BUFFER_TOO_SMALL`. Failures are
/// recorded as the thread's last error, naming the parameters `buf` and `out_n`.
///
/// # Safety
///
/// A non-NULL `buf` is valid for writes of `len` bytes; a non-NULL `out_n`
/// is valid for one write.
pub(crate) unsafe fn write_string(
    text: &str,
    buf: *mut core::ffi::c_char,
    len: usize,
    out_n: *mut usize,
) -> crate::status::tcp_status {
    // SAFETY: forwarded from this function's own contract.
    unsafe { write_string_named(text, buf, len, out_n, ("buf", "out_n")) }
}

/// [`write_string`] for a function whose buffer and length parameters have
/// other names (`names`: the buffer's, then the length out-parameter's), so
/// that the last error names the caller's parameter.
///
/// # Safety
///
/// As [`write_string`].
pub(crate) unsafe fn write_string_named(
    text: &str,
    buf: *mut core::ffi::c_char,
    len: usize,
    out_n: *mut usize,
    names: (&str, &str),
) -> crate::status::tcp_status {
    use crate::status::tcp_status;
    // SAFETY: forwarded from this function's own contract.
    match unsafe { write_string_unrecorded(text, buf, len, out_n) } {
        tcp_status::NullParameter => {
            null_parameter(if out_n.is_null() { names.1 } else { names.0 })
        }
        tcp_status::BufferTooSmall => crate::error::fail(
            tcp_status::BufferTooSmall,
            format_args!(
                "a string of {} bytes and its NUL do not fit {len} bytes of `{}`",
                text.len(),
                names.0
            ),
        ),
        other => other,
    }
}

/// [`write_string`] without recording a failure as the thread's last error
/// (for `tcp_last_error_message`, which must not change what it reports).
///
/// # Safety
///
/// As [`write_string`].
pub(crate) unsafe fn write_string_unrecorded(
    text: &str,
    buf: *mut core::ffi::c_char,
    len: usize,
    out_n: *mut usize,
) -> crate::status::tcp_status {
    use crate::status::tcp_status;
    // SAFETY: by this function's contract a non-NULL `out_n` is valid for one write.
    let Some(out_n) = (unsafe { out(out_n) }) else {
        return tcp_status::NullParameter;
    };
    // A length query, as `snprintf(NULL, 0, ...)`.
    if buf.is_null() && len == 0 {
        out_n.write(text.len());
        return tcp_status::Ok;
    }
    // SAFETY: by this function's contract a non-NULL `buf` is valid for `len` writes.
    let Some(buf) = (unsafe { slice_mut(buf.cast::<u8>(), len) }) else {
        return tcp_status::NullParameter;
    };
    let bytes = text.as_bytes();
    out_n.write(bytes.len());
    let Some((text_part, nul)) = bytes
        .len()
        .checked_add(1)
        .filter(|&needed| needed <= buf.len())
        .and_then(|needed| buf.get_mut(..needed))
        .and_then(|dest| {
            dest.split_last_mut()
                .map(|(nul, text_part)| (text_part, nul))
        })
    else {
        return tcp_status::BufferTooSmall;
    };
    text_part.copy_from_slice(bytes);
    *nul = 0;
    tcp_status::Ok
}
