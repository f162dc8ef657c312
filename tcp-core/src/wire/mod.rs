//! Wire formats: one module per layout, typed views over `&[u8]`.
//!
//! As in smoltcp's `wire`, each layout has two levels:
//! - a view `Descriptor<T: AsRef<[u8]>>` with `new_unchecked`, `check_len`,
//!   `new_checked`, one accessor per field (and setters when `T: AsMut<[u8]>`);
//!   after `check_len()` succeeds no accessor panics, and none panics before
//!   either (they read zeros past the end). Untrusted input goes through
//!   `new_checked`.
//! - a value `Repr` with `parse` (every check) and `emit` (bytes exactly as
//!   the producer writes them).
//!
//! The prototype's layouts are dialects, each with its own flag table:
//! bits are translated to [`Capabilities`] by name, never by position. The
//! magic does not identify a layout; [`Dialect::detect`] says which checksum
//! verifies and what stays ambiguous.

use crate::error::{Error, Result};
use crate::hash::{ct_eq, ct_eq_u16, ct_eq_u32};
use crate::risk::{Capabilities, RiskLevel};

/// The view boilerplate every layout shares (smoltcp writes it by hand; one
/// copy here keeps the eight views identical). Expands inside
/// `impl<T: AsRef<[u8]>> Descriptor<T>` for a struct with a `buffer: T` field.
macro_rules! view_boilerplate {
    ($len:expr) => {
        /// Wraps a buffer without checks; accessors read zeros past its end.
        pub const fn new_unchecked(buffer: T) -> Self {
            Self { buffer }
        }
        /// Wraps a buffer after [`check_len`](Self::check_len).
        pub fn new_checked(buffer: T) -> $crate::error::Result<Self> {
            let d = Self::new_unchecked(buffer);
            d.check_len()?;
            Ok(d)
        }
        /// Fails unless the buffer is exactly the record length.
        pub fn check_len(&self) -> $crate::error::Result<()> {
            $crate::wire::check_exact_len(self.buffer.as_ref(), $len)
        }
        /// Returns the underlying buffer.
        pub fn into_inner(self) -> T {
            self.buffer
        }
        fn bytes(&self) -> &[u8] {
            self.buffer.as_ref()
        }
    };
}

pub mod canonical;
mod dialect;
pub mod enriched22;
pub mod gen20;
mod seal;
pub mod v1_core20;
pub mod v2_ingest;
pub mod v2_kb;
pub mod v2_mcp;
pub mod v2_spec;
pub mod v3;

pub use dialect::{Decoded, Detection, Dialect, Hint, Leniency, Mode, PLAUSIBLE_COMMAND_LEN};

/// A byte range inside a record.
pub type Field = core::ops::Range<usize>;

/// Reads a big-endian u16 (zero if the range is out of bounds).
pub(crate) fn read_u16(b: &[u8], f: Field) -> u16 {
    b.get(f)
        .and_then(|s| <[u8; 2]>::try_from(s).ok())
        .map_or(0, u16::from_be_bytes)
}

/// Reads a big-endian u32 (zero if the range is out of bounds).
pub(crate) fn read_u32(b: &[u8], f: Field) -> u32 {
    b.get(f)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map_or(0, u32::from_be_bytes)
}

/// Writes a big-endian u16 (nothing if the range is out of bounds).
pub(crate) fn write_u16(b: &mut [u8], f: Field, v: u16) {
    if let Some(s) = b.get_mut(f) {
        if s.len() == 2 {
            s.copy_from_slice(&v.to_be_bytes());
        }
    }
}

/// Writes a big-endian u32 (nothing if the range is out of bounds).
pub(crate) fn write_u32(b: &mut [u8], f: Field, v: u32) {
    if let Some(s) = b.get_mut(f) {
        if s.len() == 4 {
            s.copy_from_slice(&v.to_be_bytes());
        }
    }
}

/// Reads one byte (zero if out of bounds).
pub(crate) fn read_u8(b: &[u8], off: usize) -> u8 {
    b.get(off).copied().unwrap_or(0)
}

/// Writes one byte (nothing if out of bounds).
pub(crate) fn write_u8(b: &mut [u8], off: usize, v: u8) {
    if let Some(x) = b.get_mut(off) {
        *x = v;
    }
}

/// Reads `N` raw bytes (zeros if the range is out of bounds).
pub(crate) fn read_array<const N: usize>(b: &[u8], f: Field) -> [u8; N] {
    b.get(f)
        .and_then(|s| <[u8; N]>::try_from(s).ok())
        .unwrap_or([0; N])
}

/// Writes raw bytes (nothing if the range is out of bounds or lengths differ).
pub(crate) fn write_bytes(b: &mut [u8], f: Field, v: &[u8]) {
    if let Some(s) = b.get_mut(f) {
        if s.len() == v.len() {
            s.copy_from_slice(v);
        }
    }
}

/// Fails unless the magic matches (compared in constant time).
pub(crate) fn check_magic(found: &[u8], expected: &[u8]) -> Result<()> {
    if ct_eq(found, expected) {
        Ok(())
    } else {
        Err(Error::BadMagic {
            found: found.to_vec(),
        })
    }
}

/// Fails unless a 16-bit checksum matches (compared in constant time).
pub(crate) fn check_checksum16(stored: u16, computed: u16) -> Result<()> {
    if ct_eq_u16(stored, computed) {
        Ok(())
    } else {
        Err(Error::ChecksumMismatch {
            stored: u32::from(stored),
            computed: u32::from(computed),
        })
    }
}

/// Fails unless a 32-bit checksum matches (compared in constant time).
pub(crate) fn check_checksum32(stored: u32, computed: u32) -> Result<()> {
    if ct_eq_u32(stored, computed) {
        Ok(())
    } else {
        Err(Error::ChecksumMismatch { stored, computed })
    }
}

/// Reserved bits or bytes: an error in strict mode, a recorded tolerance in lenient mode.
pub(crate) fn check_reserved(bits: u32, mode: Mode, lenient: &mut Vec<Leniency>) -> Result<()> {
    if bits == 0 {
        return Ok(());
    }
    match mode {
        Mode::Strict => Err(Error::ReservedBitsSet { bits }),
        Mode::Lenient => {
            lenient.push(Leniency::ReservedBitsSet { bits });
            Ok(())
        }
    }
}

/// The one-hot flag words of the prototype (v2-spec, v2-mcp, enriched22):
/// undefined bits first, then the risk bits 0..=4.
pub(crate) fn decode_onehot(
    flags: u32,
    defined_bits: u32,
    mode: Mode,
    lenient: &mut Vec<Leniency>,
) -> Result<Option<RiskLevel>> {
    check_reserved(flags & !defined_bits, mode, lenient)?;
    risk_from_onehot(flags, mode, lenient)
}

/// Compares a stored `md5(name)[..4]` with `name`'s in constant time.
///
/// A layout without a verifiable hash (v1-core20; v3 deltas, whose hash byte
/// is Python's salted `hash()`) cannot vouch for any name: that is a
/// [`Error::BadName`], never a silent success.
pub(crate) fn verify_hash(stored: Option<[u8; 4]>, dialect: Dialect, name: &str) -> Result<()> {
    let Some(stored) = stored else {
        return Err(Error::BadName {
            detail: format!("{dialect} carries no verifiable command hash; cannot check {name:?}"),
        });
    };
    let expected = crate::hash::command_hash(name);
    if ct_eq(&stored, &expected) {
        Ok(())
    } else {
        Err(Error::HashMismatch { stored, expected })
    }
}

/// Fails unless `b` is exactly `len` bytes.
pub(crate) fn check_exact_len(b: &[u8], len: usize) -> Result<()> {
    if b.len() == len {
        Ok(())
    } else {
        Err(Error::WrongLength {
            expected: len,
            found: b.len(),
        })
    }
}

/// The highest of the one-hot risk bits 0..=4, as every upstream decoder reads
/// them (`None` if no bit is set).
pub(crate) fn highest_risk_bit(flags: u32) -> Option<RiskLevel> {
    let bits = flags & 0x1F;
    (bits != 0)
        .then(|| RiskLevel::from_u8((31 - bits.leading_zeros()) as u8))
        .flatten()
}

/// One-hot risk bits 0..=4 shared by the prototype's 24-byte dialects:
/// strict mode demands exactly one; lenient mode takes the highest (as every
/// upstream decoder does) or none, and says so.
pub(crate) fn risk_from_onehot(
    flags: u32,
    mode: Mode,
    lenient: &mut Vec<Leniency>,
) -> Result<Option<RiskLevel>> {
    let bits = flags & 0x1F;
    match bits.count_ones() {
        1 => Ok(highest_risk_bit(bits)),
        0 => match mode {
            Mode::Strict => Err(Error::NoRiskBit),
            Mode::Lenient => {
                lenient.push(Leniency::NoRiskBit);
                Ok(None)
            }
        },
        _ => match mode {
            Mode::Strict => Err(Error::MultipleRiskBits { bits }),
            Mode::Lenient => {
                lenient.push(Leniency::MultipleRiskBits { bits });
                Ok(highest_risk_bit(bits))
            }
        },
    }
}

/// A dialect's flag table: bit mask, the dialect's own name, libtcp capability.
pub type FlagTable = [(u32, &'static str, Capabilities)];

/// Translates a dialect's flag bits to capabilities through its table.
pub(crate) fn translate_flags(flags: u32, table: &FlagTable) -> Capabilities {
    table
        .iter()
        .filter(|(bit, _, _)| flags & bit != 0)
        .fold(Capabilities::EMPTY, |acc, (_, _, cap)| acc | *cap)
}

/// The dialect's own names of the bits set in `flags`, in table order.
pub(crate) fn flag_names(flags: u32, table: &FlagTable) -> Vec<&'static str> {
    table
        .iter()
        .filter(|(bit, _, _)| flags & bit != 0)
        .map(|(_, name, _)| *name)
        .collect()
}
