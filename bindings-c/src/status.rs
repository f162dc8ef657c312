//! `tcp_status`: the numbered result of every fallible function.
//!
//! Numbers never change and are never reused. 0 is success; 1..=99 are the C
//! layer's own failures; 1000 + n is tcp-core's [`ErrorCode`] n, so a new
//! tcp-core code gets its number here by construction (and a test fails
//! until it is added).

use core::ffi::c_char;

use tcp_core::ErrorCode;

/// The result of a libtcp call. Values are stable across versions.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum tcp_status {
    /// Success.
    Ok = 0,
    /// A pointer that must not be NULL was NULL (or a buffer was NULL with a
    /// non-zero length).
    NullParameter = 1,
    /// libtcp panicked; this is a bug in libtcp. The call had no effect on
    /// out-parameters.
    Panic = 2,
    /// Input text was not valid UTF-8.
    InvalidUtf8 = 3,
    /// A string did not fit the caller's buffer; `*out_n` holds its length
    /// (the buffer needs one more byte for the NUL).
    BufferTooSmall = 4,
    /// An enum value, index or number was out of range.
    InvalidArgument = 5,
    /// The name looked up is not there.
    NotFound = 6,
    /// The backend asked for cannot run on this machine (see
    /// `tcp_last_error_message` for why).
    Unavailable = 7,
    /// tcp-core reported an error these bindings do not have a number for
    /// yet; `tcp_last_error_message` has the message.
    UnknownError = 99,
    /// tcp-core `wrong_length`: the input does not have the length the layout requires.
    WrongLength = 1001,
    /// tcp-core `bad_magic`: the magic bytes are not the layout's.
    BadMagic = 1002,
    /// tcp-core `unsupported_version`.
    UnsupportedVersion = 1003,
    /// tcp-core `checksum_mismatch`.
    ChecksumMismatch = 1004,
    /// tcp-core `multiple_risk_bits`.
    MultipleRiskBits = 1005,
    /// tcp-core `no_risk_bit`.
    NoRiskBit = 1006,
    /// tcp-core `reserved_bits_set`.
    ReservedBitsSet = 1007,
    /// tcp-core `hash_mismatch`.
    HashMismatch = 1008,
    /// tcp-core `invalid_risk_level`.
    InvalidRiskLevel = 1009,
    /// tcp-core `truncated`: a container ends before a record it announces.
    Truncated = 1010,
    /// tcp-core `bad_index`.
    BadIndex = 1011,
    /// tcp-core `digest_mismatch`.
    DigestMismatch = 1012,
    /// tcp-core `unknown_dialect` (also: a dialect not implemented yet).
    UnknownDialect = 1013,
    /// tcp-core `ambiguous_dialect`.
    AmbiguousDialect = 1014,
    /// tcp-core `bad_name`.
    BadName = 1015,
    /// tcp-core `bad_input`: text (TOML, JSON, hex) could not be parsed.
    BadInput = 1016,
    /// tcp-core `io`: an I/O operation failed (e.g. a file could not be read).
    Io = 1017,
    /// tcp-core `output_too_small`: an output array has fewer elements than records.
    OutputTooSmall = 1018,
    /// tcp-core `duplicate_name`.
    DuplicateName = 1019,
    /// tcp-core `rule_self_test`.
    RuleSelfTest = 1020,
}

/// Offset of tcp-core's error codes in [`tcp_status`].
pub const CORE_OFFSET: u32 = 1000;

impl tcp_status {
    /// Every status, in numeric order.
    pub const ALL: [tcp_status; 29] = [
        Self::Ok,
        Self::NullParameter,
        Self::Panic,
        Self::InvalidUtf8,
        Self::BufferTooSmall,
        Self::InvalidArgument,
        Self::NotFound,
        Self::Unavailable,
        Self::UnknownError,
        Self::WrongLength,
        Self::BadMagic,
        Self::UnsupportedVersion,
        Self::ChecksumMismatch,
        Self::MultipleRiskBits,
        Self::NoRiskBit,
        Self::ReservedBitsSet,
        Self::HashMismatch,
        Self::InvalidRiskLevel,
        Self::Truncated,
        Self::BadIndex,
        Self::DigestMismatch,
        Self::UnknownDialect,
        Self::AmbiguousDialect,
        Self::BadName,
        Self::BadInput,
        Self::Io,
        Self::OutputTooSmall,
        Self::DuplicateName,
        Self::RuleSelfTest,
    ];

    /// The status with a number, if there is one.
    pub fn from_u32(raw: u32) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| *s as u32 == raw)
    }

    /// The tcp-core code this status carries, if it carries one.
    pub fn core_code(self) -> Option<ErrorCode> {
        (self as u32)
            .checked_sub(CORE_OFFSET)
            .and_then(|n| u8::try_from(n).ok())
            .and_then(ErrorCode::from_u8)
    }

    /// A short lowercase description.
    pub fn message(self) -> &'static str {
        if let Some(code) = self.core_code() {
            return code.as_str();
        }
        match self {
            Self::Ok => "ok",
            Self::NullParameter => "null parameter",
            Self::Panic => "panic inside libtcp",
            Self::InvalidUtf8 => "invalid utf-8",
            Self::BufferTooSmall => "buffer too small",
            Self::InvalidArgument => "invalid argument",
            Self::NotFound => "not found",
            Self::Unavailable => "unavailable",
            _ => "unknown error",
        }
    }
}

impl From<ErrorCode> for tcp_status {
    fn from(code: ErrorCode) -> Self {
        Self::from_u32(CORE_OFFSET + u32::from(code as u8)).unwrap_or(Self::UnknownError)
    }
}

/// Writes the description of `status` into `buf`.
///
/// For tcp-core errors it is tcp-core's stable snake_case code name
/// (`checksum_mismatch`); use `tcp_last_error_message` for the full message
/// of the last failure. Returns `TCP_STATUS_INVALID_ARGUMENT` for a number
/// that is not a status, and follows the string convention otherwise.
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `buf` is NULL (with `len` 0) or valid for writes of `len` bytes; `out_n`
/// is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_status_message(
    status: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> tcp_status {
    ffi_panic_boundary! {
        let Some(status) = tcp_status::from_u32(status) else {
            return tcp_status::InvalidArgument;
        };
        // SAFETY: forwarded from this function's own contract.
        unsafe { crate::ptr::write_string(status.message(), buf, len, out_n) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_fixed() {
        // These numbers are ABI: changing one breaks every compiled C program.
        let fixed: [(tcp_status, u32); 9] = [
            (tcp_status::Ok, 0),
            (tcp_status::NullParameter, 1),
            (tcp_status::Panic, 2),
            (tcp_status::InvalidUtf8, 3),
            (tcp_status::BufferTooSmall, 4),
            (tcp_status::InvalidArgument, 5),
            (tcp_status::NotFound, 6),
            (tcp_status::Unavailable, 7),
            (tcp_status::UnknownError, 99),
        ];
        for (s, n) in fixed {
            assert_eq!(s as u32, n, "{s:?}");
            assert_eq!(tcp_status::from_u32(n), Some(s));
        }
    }

    #[test]
    fn every_core_code_has_its_number() {
        for code in ErrorCode::ALL {
            let s = tcp_status::from(code);
            assert_eq!(s as u32, 1000 + u32::from(code as u8), "{code}");
            assert_eq!(s.core_code(), Some(code));
            assert_eq!(s.message(), code.as_str());
        }
        let core_statuses = tcp_status::ALL.iter().filter(|s| s.core_code().is_some()).count();
        assert_eq!(core_statuses, ErrorCode::ALL.len());
    }

    #[test]
    fn all_is_sorted_and_unique() {
        assert!(tcp_status::ALL.windows(2).all(|w| (w[0] as u32) < (w[1] as u32)));
        assert_eq!(tcp_status::from_u32(8), None);
        assert_eq!(tcp_status::from_u32(1000), None);
    }

    #[test]
    fn message_follows_the_string_convention() {
        let mut buf = [0 as c_char; 32];
        let mut n = 0usize;
        let s = unsafe {
            tcp_status_message(1004, buf.as_mut_ptr(), buf.len(), &mut n)
        };
        assert_eq!(s, tcp_status::Ok);
        assert_eq!(n, "checksum_mismatch".len());
        let text = unsafe { core::ffi::CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(text.to_str().unwrap(), "checksum_mismatch");

        let mut small = [0x55 as c_char; 4];
        let s = unsafe { tcp_status_message(1004, small.as_mut_ptr(), small.len(), &mut n) };
        assert_eq!(s, tcp_status::BufferTooSmall);
        assert_eq!(n, "checksum_mismatch".len());
        assert!(small.iter().all(|&b| b == 0x55), "nothing written on failure");

        let s = unsafe { tcp_status_message(1004, core::ptr::null_mut(), 0, &mut n) };
        assert_eq!(s, tcp_status::BufferTooSmall);
        let s = unsafe { tcp_status_message(1004, core::ptr::null_mut(), 4, &mut n) };
        assert_eq!(s, tcp_status::NullParameter);
        let s = unsafe { tcp_status_message(12345, buf.as_mut_ptr(), buf.len(), &mut n) };
        assert_eq!(s, tcp_status::InvalidArgument);
    }
}
