//! `tcp_status`: the numbered result of every fallible function.
//!
//! Numbers never change and are never reused. 0 is success; 1..=99 are the C
//! layer's own failures; 1000 + n is tcp-core's [`ErrorCode`] n, so a new
//! tcp-core code gets its number here by construction (and a test fails
//! until it is added); 2001.. are tcp-stats' errors, which have names but no
//! numbers, numbered here in the order they were added.

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
    /// The call did its work and wrote its results, but a text did not fit
    /// its buffer: the buffer holds as much of it as fits (cut at a character
    /// boundary, NUL-terminated) and its length out-parameter the full length.
    /// Only `tcp_checker_check` returns it (its decision is written).
    ReasonsTruncated = 8,
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
    /// tcp-stats `too_few_samples`: the statistic needs more samples.
    TooFewSamples = 2001,
    /// tcp-stats `non_finite`: a sample is NaN or infinite.
    NonFinite = 2002,
    /// tcp-stats `zero_variance`: the samples have no variance, leaving the statistic undefined.
    ZeroVariance = 2003,
    /// tcp-stats `invalid_parameter`: a parameter (alpha, power, confidence, …) is out of its domain.
    InvalidParameter = 2004,
    /// tcp-stats `unbounded_interval`: the confidence interval has no finite bounds.
    UnboundedInterval = 2005,
    /// tcp-stats `overflow`: the sum of the samples overflows.
    Overflow = 2006,
    /// tcp-stats `no_convergence`: an iterative algorithm did not reach full precision.
    NoConvergence = 2007,
}

/// The status of tcp-core error code `n` is `TCP_STATUS_CORE_OFFSET + n`.
pub const TCP_STATUS_CORE_OFFSET: u32 = 1000;

/// Every status, in numeric order.
const ALL_STATUSES: [tcp_status; 37] = [
    tcp_status::Ok,
    tcp_status::NullParameter,
    tcp_status::Panic,
    tcp_status::InvalidUtf8,
    tcp_status::BufferTooSmall,
    tcp_status::InvalidArgument,
    tcp_status::NotFound,
    tcp_status::Unavailable,
    tcp_status::ReasonsTruncated,
    tcp_status::UnknownError,
    tcp_status::WrongLength,
    tcp_status::BadMagic,
    tcp_status::UnsupportedVersion,
    tcp_status::ChecksumMismatch,
    tcp_status::MultipleRiskBits,
    tcp_status::NoRiskBit,
    tcp_status::ReservedBitsSet,
    tcp_status::HashMismatch,
    tcp_status::InvalidRiskLevel,
    tcp_status::Truncated,
    tcp_status::BadIndex,
    tcp_status::DigestMismatch,
    tcp_status::UnknownDialect,
    tcp_status::AmbiguousDialect,
    tcp_status::BadName,
    tcp_status::BadInput,
    tcp_status::Io,
    tcp_status::OutputTooSmall,
    tcp_status::DuplicateName,
    tcp_status::RuleSelfTest,
    tcp_status::TooFewSamples,
    tcp_status::NonFinite,
    tcp_status::ZeroVariance,
    tcp_status::InvalidParameter,
    tcp_status::UnboundedInterval,
    tcp_status::Overflow,
    tcp_status::NoConvergence,
];

impl tcp_status {
    /// Every status, in numeric order.
    pub fn all() -> &'static [tcp_status] {
        &ALL_STATUSES
    }

    /// The status with a number, if there is one.
    pub fn from_u32(raw: u32) -> Option<Self> {
        ALL_STATUSES.iter().copied().find(|s| *s as u32 == raw)
    }

    /// The tcp-core code this status carries, if it carries one.
    pub fn core_code(self) -> Option<ErrorCode> {
        (self as u32)
            .checked_sub(TCP_STATUS_CORE_OFFSET)
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
            Self::ReasonsTruncated => "reasons truncated",
            Self::TooFewSamples => "too_few_samples",
            Self::NonFinite => "non_finite",
            Self::ZeroVariance => "zero_variance",
            Self::InvalidParameter => "invalid_parameter",
            Self::UnboundedInterval => "unbounded_interval",
            Self::Overflow => "overflow",
            Self::NoConvergence => "no_convergence",
            _ => "unknown error",
        }
    }
}

impl From<ErrorCode> for tcp_status {
    fn from(code: ErrorCode) -> Self {
        Self::from_u32(TCP_STATUS_CORE_OFFSET + u32::from(code as u8)).unwrap_or(Self::UnknownError)
    }
}

/// Writes the description of `status` into `buf`.
///
/// For tcp-core errors it is tcp-core's stable snake_case code name
/// (`checksum_mismatch`); use `tcp_last_error_message` for the full message
/// of the last failure.
///
/// Errors: `TCP_STATUS_INVALID_ARGUMENT` for a number that is not a status
/// (and the last error says which number); otherwise the string convention's
/// (`TCP_STATUS_NULL_PARAMETER` for a NULL `out_n`, or a NULL `buf` with a
/// non-zero `len`; `TCP_STATUS_BUFFER_TOO_SMALL`).
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
            return crate::error::fail(
                tcp_status::InvalidArgument,
                format_args!("{status} is not a tcp_status value"),
            );
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
        let fixed: [(tcp_status, u32); 17] = [
            (tcp_status::Ok, 0),
            (tcp_status::NullParameter, 1),
            (tcp_status::Panic, 2),
            (tcp_status::InvalidUtf8, 3),
            (tcp_status::BufferTooSmall, 4),
            (tcp_status::InvalidArgument, 5),
            (tcp_status::NotFound, 6),
            (tcp_status::Unavailable, 7),
            (tcp_status::ReasonsTruncated, 8),
            (tcp_status::UnknownError, 99),
            (tcp_status::TooFewSamples, 2001),
            (tcp_status::NonFinite, 2002),
            (tcp_status::ZeroVariance, 2003),
            (tcp_status::InvalidParameter, 2004),
            (tcp_status::UnboundedInterval, 2005),
            (tcp_status::Overflow, 2006),
            (tcp_status::NoConvergence, 2007),
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
        let core_statuses = tcp_status::all()
            .iter()
            .filter(|s| s.core_code().is_some())
            .count();
        assert_eq!(core_statuses, ErrorCode::ALL.len());
    }

    #[test]
    fn all_is_sorted_and_unique() {
        assert!(
            tcp_status::all()
                .windows(2)
                .all(|w| (w[0] as u32) < (w[1] as u32))
        );
        assert_eq!(tcp_status::from_u32(9), None);
        assert_eq!(tcp_status::from_u32(1000), None);
    }

    #[test]
    fn message_follows_the_string_convention() {
        let mut buf = [0 as c_char; 32];
        let mut n = 0usize;
        // SAFETY: the buffer is a local array of the length passed; `n` is a local.
        let s = unsafe { tcp_status_message(1004, buf.as_mut_ptr(), buf.len(), &mut n) };
        assert_eq!(s, tcp_status::Ok);
        assert_eq!(n, "checksum_mismatch".len());
        // SAFETY: the call above succeeded, so the buffer holds a NUL-terminated string.
        let text = unsafe { core::ffi::CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(text.to_str().unwrap(), "checksum_mismatch");

        let mut small = [0x55 as c_char; 4];
        // SAFETY: the buffer is a local array of the length passed; `n` is a local.
        let s = unsafe { tcp_status_message(1004, small.as_mut_ptr(), small.len(), &mut n) };
        assert_eq!(s, tcp_status::BufferTooSmall);
        assert_eq!(n, "checksum_mismatch".len());
        assert!(
            small.iter().all(|&b| b == 0x55),
            "nothing written on failure"
        );

        // SAFETY: a NULL buffer with length 0 is a length query; `n` is a local.
        n = 0;
        let s = unsafe { tcp_status_message(1004, core::ptr::null_mut(), 0, &mut n) };
        assert_eq!(s, tcp_status::Ok);
        assert_eq!(n, "checksum_mismatch".len());
        // SAFETY: a NULL buffer is checked before its length is used; `n` is a local.
        let s = unsafe { tcp_status_message(1004, core::ptr::null_mut(), 4, &mut n) };
        assert_eq!(s, tcp_status::NullParameter);
        // SAFETY: the buffer is a local array of the length passed; `n` is a local.
        let s = unsafe { tcp_status_message(12345, buf.as_mut_ptr(), buf.len(), &mut n) };
        assert_eq!(s, tcp_status::InvalidArgument);
    }
}
