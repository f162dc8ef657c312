//! Typed errors with stable codes.
//!
//! Every failure has an [`ErrorCode`]: a number that never changes (used in
//! batch status bytes and across FFI) and a snake_case name (used in JSON and
//! Python). Messages are lowercase and carry the offending values.

use core::fmt;

/// Stable code of an [`Error`]. Numbers are never reused; new codes are appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The input does not have the length the layout requires.
    WrongLength = 1,
    /// The magic bytes are not the layout's.
    BadMagic = 2,
    /// The version field names a version this layout does not define.
    UnsupportedVersion = 3,
    /// The stored checksum does not match the computed one.
    ChecksumMismatch = 4,
    /// More than one one-hot risk bit is set.
    MultipleRiskBits = 5,
    /// No risk bit is set.
    NoRiskBit = 6,
    /// A bit or byte the layout reserves is not zero.
    ReservedBitsSet = 7,
    /// The command hash does not match the name it was looked up by.
    HashMismatch = 8,
    /// A numeric risk level is out of range.
    InvalidRiskLevel = 9,
    /// A container ends before a record it announces.
    Truncated = 10,
    /// A container's index is inconsistent with its entries.
    BadIndex = 11,
    /// A registry's content digest does not match its contents.
    DigestMismatch = 12,
    /// A dialect name is not known.
    UnknownDialect = 13,
    /// Several dialects verify the same bytes and the caller asked for one.
    AmbiguousDialect = 14,
    /// A name is not valid UTF-8 or is empty or too long.
    BadName = 15,
    /// Input text (hex, JSON, TOML) could not be parsed.
    BadInput = 16,
    /// An I/O operation failed.
    Io = 17,
    /// A buffer handed in for output is too small.
    OutputTooSmall = 18,
    /// A record appears twice where names must be unique.
    DuplicateName = 19,
    /// A rule's self-test examples do not behave as declared.
    RuleSelfTest = 20,
}

impl ErrorCode {
    /// Every code, in numeric order.
    pub const ALL: [ErrorCode; 20] = [
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

    /// The stable snake_case name, as used in JSON output and the bindings.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WrongLength => "wrong_length",
            Self::BadMagic => "bad_magic",
            Self::UnsupportedVersion => "unsupported_version",
            Self::ChecksumMismatch => "checksum_mismatch",
            Self::MultipleRiskBits => "multiple_risk_bits",
            Self::NoRiskBit => "no_risk_bit",
            Self::ReservedBitsSet => "reserved_bits_set",
            Self::HashMismatch => "hash_mismatch",
            Self::InvalidRiskLevel => "invalid_risk_level",
            Self::Truncated => "truncated",
            Self::BadIndex => "bad_index",
            Self::DigestMismatch => "digest_mismatch",
            Self::UnknownDialect => "unknown_dialect",
            Self::AmbiguousDialect => "ambiguous_dialect",
            Self::BadName => "bad_name",
            Self::BadInput => "bad_input",
            Self::Io => "io",
            Self::OutputTooSmall => "output_too_small",
            Self::DuplicateName => "duplicate_name",
            Self::RuleSelfTest => "rule_self_test",
        }
    }

    /// The code for a number, if it is one.
    pub fn from_u8(raw: u8) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| *c as u8 == raw)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from parsing, validating or loading TCP data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The input does not have the length the layout requires.
    WrongLength {
        /// Bytes required (the smallest acceptable length for variable layouts).
        expected: usize,
        /// Bytes given.
        found: usize,
    },
    /// The magic bytes are not the layout's.
    BadMagic {
        /// The bytes found where the magic should be (up to 8).
        found: Vec<u8>,
    },
    /// The version field names a version this layout does not define.
    UnsupportedVersion {
        /// The version found.
        found: u32,
    },
    /// The stored checksum does not match the computed one.
    ChecksumMismatch {
        /// The stored value.
        stored: u32,
        /// The value computed over the covered bytes.
        computed: u32,
    },
    /// More than one one-hot risk bit is set.
    MultipleRiskBits {
        /// The risk bits found.
        bits: u32,
    },
    /// No risk bit is set.
    NoRiskBit,
    /// Reserved bits are set.
    ReservedBitsSet {
        /// The reserved bits that were set.
        bits: u32,
    },
    /// The command hash does not match the name.
    HashMismatch {
        /// The hash stored in the descriptor.
        stored: [u8; 4],
        /// The hash of the name.
        expected: [u8; 4],
    },
    /// A numeric risk level is out of range.
    InvalidRiskLevel {
        /// The raw value.
        raw: u32,
    },
    /// A container ends before a record it announces.
    Truncated {
        /// Offset at which more bytes were needed.
        offset: usize,
        /// Bytes needed from there.
        needed: usize,
    },
    /// A container's index is inconsistent with its entries.
    BadIndex {
        /// What is wrong.
        detail: String,
    },
    /// A registry's content digest does not match its contents.
    DigestMismatch,
    /// A dialect name is not known.
    UnknownDialect {
        /// The name given.
        name: String,
    },
    /// Several dialects verify the same bytes.
    AmbiguousDialect {
        /// The dialects that verify, by name.
        candidates: Vec<&'static str>,
    },
    /// A name is unusable.
    BadName {
        /// What is wrong.
        detail: String,
    },
    /// Input text (hex, JSON, TOML) could not be parsed.
    BadInput {
        /// What is wrong.
        detail: String,
    },
    /// An I/O operation failed.
    Io {
        /// The operating system's message.
        detail: String,
    },
    /// A caller's output buffer is too small.
    OutputTooSmall {
        /// Elements needed.
        needed: usize,
        /// Elements available.
        available: usize,
    },
    /// A name appears twice.
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A rule's self-test failed.
    RuleSelfTest {
        /// What failed.
        detail: String,
    },
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::WrongLength { .. } => ErrorCode::WrongLength,
            Self::BadMagic { .. } => ErrorCode::BadMagic,
            Self::UnsupportedVersion { .. } => ErrorCode::UnsupportedVersion,
            Self::ChecksumMismatch { .. } => ErrorCode::ChecksumMismatch,
            Self::MultipleRiskBits { .. } => ErrorCode::MultipleRiskBits,
            Self::NoRiskBit => ErrorCode::NoRiskBit,
            Self::ReservedBitsSet { .. } => ErrorCode::ReservedBitsSet,
            Self::HashMismatch { .. } => ErrorCode::HashMismatch,
            Self::InvalidRiskLevel { .. } => ErrorCode::InvalidRiskLevel,
            Self::Truncated { .. } => ErrorCode::Truncated,
            Self::BadIndex { .. } => ErrorCode::BadIndex,
            Self::DigestMismatch => ErrorCode::DigestMismatch,
            Self::UnknownDialect { .. } => ErrorCode::UnknownDialect,
            Self::AmbiguousDialect { .. } => ErrorCode::AmbiguousDialect,
            Self::BadName { .. } => ErrorCode::BadName,
            Self::BadInput { .. } => ErrorCode::BadInput,
            Self::Io { .. } => ErrorCode::Io,
            Self::OutputTooSmall { .. } => ErrorCode::OutputTooSmall,
            Self::DuplicateName { .. } => ErrorCode::DuplicateName,
            Self::RuleSelfTest { .. } => ErrorCode::RuleSelfTest,
        }
    }

    pub(crate) fn io(e: &std::io::Error) -> Self {
        Self::Io {
            detail: e.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongLength { expected, found } => {
                write!(f, "wrong length: expected {expected} bytes, found {found}")
            }
            Self::BadMagic { found } => write!(f, "bad magic: found {}", HexBytes(found)),
            Self::UnsupportedVersion { found } => write!(f, "unsupported version {found}"),
            Self::ChecksumMismatch { stored, computed } => write!(
                f,
                "checksum mismatch: stored {stored:#010x}, computed {computed:#010x}"
            ),
            Self::MultipleRiskBits { bits } => {
                write!(f, "more than one risk bit set: {bits:#07b}")
            }
            Self::NoRiskBit => f.write_str("no risk bit set"),
            Self::ReservedBitsSet { bits } => write!(f, "reserved bits set: {bits:#010x}"),
            Self::HashMismatch { stored, expected } => write!(
                f,
                "command hash mismatch: stored {}, name hashes to {}",
                HexBytes(stored),
                HexBytes(expected)
            ),
            Self::InvalidRiskLevel { raw } => write!(f, "invalid risk level {raw}"),
            Self::Truncated { offset, needed } => {
                write!(
                    f,
                    "truncated: {needed} more bytes needed at offset {offset}"
                )
            }
            Self::BadIndex { detail } => write!(f, "bad index: {detail}"),
            Self::DigestMismatch => f.write_str("content digest mismatch"),
            Self::UnknownDialect { name } => write!(f, "unknown dialect {name:?}"),
            Self::AmbiguousDialect { candidates } => {
                write!(
                    f,
                    "ambiguous dialect: verifies as {}",
                    candidates.join(" and ")
                )
            }
            Self::BadName { detail } => write!(f, "bad name: {detail}"),
            Self::BadInput { detail } => write!(f, "bad input: {detail}"),
            Self::Io { detail } => write!(f, "i/o error: {detail}"),
            Self::OutputTooSmall { needed, available } => write!(
                f,
                "output too small: {needed} elements needed, {available} available"
            ),
            Self::DuplicateName { name } => write!(f, "duplicate name {name:?}"),
            Self::RuleSelfTest { detail } => write!(f, "rule self-test failed: {detail}"),
        }
    }
}

impl std::error::Error for Error {}

struct HexBytes<'a>(&'a [u8]);

impl fmt::Display for HexBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c as u8));
            assert_eq!(ErrorCode::from_u8(c as u8), Some(c));
            assert!(
                c.as_str()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '_')
            );
        }
        assert_eq!(ErrorCode::from_u8(0), None);
    }

    #[test]
    fn messages_are_lowercase() {
        let e = Error::ChecksumMismatch {
            stored: 1,
            computed: 2,
        };
        assert_eq!(e.code(), ErrorCode::ChecksumMismatch);
        assert!(e.to_string().starts_with("checksum mismatch"));
    }
}
