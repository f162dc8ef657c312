//! The calling thread's last error message.
//!
//! A status number says what kind of failure happened; the message says
//! which file, which bytes, which value. Like `errno`, it is per thread and
//! kept until the next failure that carries a message.

use core::cell::RefCell;
use core::ffi::c_char;

use crate::status::tcp_status;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records `message` as this thread's last error and returns `status`.
pub(crate) fn fail(status: tcp_status, message: impl core::fmt::Display) -> tcp_status {
    let text = message.to_string();
    LAST_ERROR.with(|last| {
        // Only `tcp_last_error_message` borrows the message, and it records
        // nothing; should it ever be borrowed here, keep the older message.
        if let Ok(mut slot) = last.try_borrow_mut() {
            *slot = text;
        }
    });
    status
}

/// Records a tcp-core error and returns its status.
pub(crate) fn fail_core(e: &tcp_core::Error) -> tcp_status {
    fail(tcp_status::from(e.code()), e)
}

/// Writes the message of the calling thread's last failed call (which
/// parameter was NULL, which file could not be read, which byte was wrong)
/// into `buf`, following the string convention. Every call that returns a
/// status other than `TCP_STATUS_OK` sets it, except this function itself;
/// successful calls leave it as it was. It is empty before the first failure.
///
/// `tcp_last_error_message(NULL, 0, &n)` is a length query: it returns
/// `TCP_STATUS_OK` with the message's length (without the NUL) in `n`, as
/// `snprintf(NULL, 0, ...)` does; allocate `n + 1` bytes and call again.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (a NULL `out_n`, or a NULL `buf`
/// with a non-zero `len`), `TCP_STATUS_BUFFER_TOO_SMALL` (a `buf` of fewer
/// than `*out_n + 1` bytes: nothing is copied, `*out_n` holds the length).
/// Neither changes the message.
///
/// Thread safety: may be called from any thread; each thread has its own message.
///
/// # Safety
///
/// `buf` is NULL (with `len` 0) or valid for writes of `len` bytes; `out_n`
/// is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_last_error_message(
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        LAST_ERROR.with(|last| {
            let text = last.borrow();
            // SAFETY: forwarded from this function's own contract. The
            // unrecorded variant leaves the message (borrowed here) alone.
            unsafe { crate::ptr::write_string_unrecorded(&text, buf, len, out_n) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_error_is_per_thread() {
        let e = tcp_core::Error::NoRiskBit;
        assert_eq!(fail_core(&e), tcp_status::NoRiskBit);
        let mut buf = [0 as c_char; 64];
        let mut n = 0;
        // SAFETY: the buffer is a local array of the length passed; `n` is a local.
        let s = unsafe { tcp_last_error_message(buf.as_mut_ptr(), buf.len(), &mut n) };
        assert_eq!(s, tcp_status::Ok);
        assert_eq!(n, "no risk bit set".len());
        std::thread::spawn(|| {
            let mut buf = [0 as c_char; 8];
            let mut n = 99;
            // SAFETY: the buffer is a local array of the length passed; `n` is a local.
            let s = unsafe { tcp_last_error_message(buf.as_mut_ptr(), buf.len(), &mut n) };
            assert_eq!(s, tcp_status::Ok);
            assert_eq!(n, 0);
        })
        .join()
        .unwrap();
    }
}
