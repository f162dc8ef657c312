//! The panic boundary every exported function runs inside.
//!
//! A panic must never unwind into C. [`ffi_panic_boundary!`] runs a function
//! body under `catch_unwind` and turns a panic into the function's "panic
//! value": `TCP_STATUS_PANIC` for functions returning a status, NULL for
//! pointers, zero or false otherwise ([`PanicOrDefault`]).

use core::ptr;
use std::ffi::c_char;

use crate::status::tcp_status;

/// The value a function returns when its body panicked.
pub(crate) trait PanicOrDefault {
    /// The panic value.
    fn value() -> Self;
}

impl PanicOrDefault for tcp_status {
    fn value() -> Self {
        tcp_status::Panic
    }
}

impl PanicOrDefault for () {
    fn value() -> Self {}
}

impl PanicOrDefault for usize {
    fn value() -> Self {
        0
    }
}

impl PanicOrDefault for bool {
    fn value() -> Self {
        false
    }
}

impl PanicOrDefault for *const c_char {
    fn value() -> Self {
        ptr::null()
    }
}

/// Records a caught panic as the thread's last error.
pub(crate) fn record(payload: &(dyn core::any::Any + Send)) {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    let _ = crate::error::fail(
        tcp_status::Panic,
        format_args!("panic inside libtcp: {what}"),
    );
}

/// Runs a function body, turning a panic into the function's panic value.
///
/// `return` inside the body returns from the body (it is a closure), which is
/// how the pointer-checking macros in `ptr.rs` bail out early.
macro_rules! ffi_panic_boundary {
    ( $($body:tt)* ) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($body)* })) {
            Ok(ret) => ret,
            Err(payload) => {
                $crate::panic::record(payload.as_ref());
                $crate::panic::PanicOrDefault::value()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panics_inside(flag: bool) -> tcp_status {
        ffi_panic_boundary! {
            if flag {
                panic!("deliberate");
            }
            tcp_status::Ok
        }
    }

    fn pointer_panics() -> *const c_char {
        ffi_panic_boundary! {
            let v: Vec<u8> = Vec::new();
            let _ = v[3];
            c"unreachable".as_ptr()
        }
    }

    #[test]
    fn a_panic_becomes_the_panic_value() {
        assert_eq!(panics_inside(false), tcp_status::Ok);
        assert_eq!(panics_inside(true), tcp_status::Panic);
        assert!(pointer_panics().is_null());
        let mut buf = [0 as c_char; 128];
        let mut n = 0;
        let s =
            // SAFETY: the buffer is a local array of the length passed; `n` is a local.
            unsafe { crate::error::tcp_last_error_message(buf.as_mut_ptr(), buf.len(), &mut n) };
        assert_eq!(s, tcp_status::Ok);
        // SAFETY: the call above succeeded, so the buffer holds a NUL-terminated string.
        let text = unsafe { core::ffi::CStr::from_ptr(buf.as_ptr()) }
            .to_str()
            .unwrap();
        assert!(
            text.starts_with("panic inside libtcp: index out of bounds"),
            "{text}"
        );
    }
}
