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
use crate::risk::{Capabilities, RiskLevel};

pub mod canonical;
mod dialect;
pub mod v2_kb;

pub use dialect::{Decoded, Detection, Dialect, Leniency, Mode};

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
        1 => Ok(RiskLevel::from_u8(bits.trailing_zeros() as u8)),
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
                Ok(RiskLevel::from_u8((31 - bits.leading_zeros()) as u8))
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
