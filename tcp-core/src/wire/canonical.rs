//! libtcp's own descriptor, C24 version 1 (see `SPEC.md`).
//!
//! ```text
//! off size field
//!  0   4   magic "TCP\x04"
//!  4   1   format version = 1
//!  5   1   risk level 0..=4 (SAFE..CRITICAL), a number, not one-hot
//!  6   2   capability flags u16 BE (libtcp's table; bits 8..15 reserved, zero)
//!  8   4   command hash md5(name)[..4]
//! 12   4   typical execution time, ms, u32 BE
//! 16   2   typical memory, MiB, u16 BE
//! 18   2   typical output, KiB, u16 BE
//! 20   4   CRC-32C (Castagnoli) of bytes 0..20, u32 BE
//! ```
//!
//! Every field has one meaning and is checked: a record either validates
//! completely or is rejected with the first failing check, in the order
//! length, magic, version, checksum, risk, reserved bits.

use crate::checksum::crc32c;
use crate::error::{Error, Result};
use crate::hash::{ct_eq, ct_eq_u32};
use crate::risk::{Capabilities, RiskLevel};
use crate::wire::{Field, read_u16, read_u32, write_u16, write_u32};

/// The magic bytes.
pub const MAGIC: [u8; 4] = *b"TCP\x04";
/// The format version this module reads and writes.
pub const VERSION: u8 = 1;
/// Record length in bytes.
pub const LEN: usize = 24;

/// Byte ranges of the fields.
pub mod field {
    use super::Field;
    /// Magic.
    pub const MAGIC: Field = 0..4;
    /// Format version.
    pub const VERSION: usize = 4;
    /// Risk level.
    pub const RISK: usize = 5;
    /// Capability flags.
    pub const FLAGS: Field = 6..8;
    /// Command hash.
    pub const HASH: Field = 8..12;
    /// Execution time (ms).
    pub const EXEC_MS: Field = 12..16;
    /// Memory (MiB).
    pub const MEMORY_MB: Field = 16..18;
    /// Output (KiB).
    pub const OUTPUT_KB: Field = 18..20;
    /// Bytes the checksum covers.
    pub const COVERED: Field = 0..20;
    /// CRC-32C.
    pub const CHECKSUM: Field = 20..24;
}

/// A read/write view of a C24 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Descriptor<T> {
    /// Wraps a buffer without checks; accessors may return zeros on a short buffer.
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len).
    pub fn new_checked(buffer: T) -> Result<Self> {
        let d = Self::new_unchecked(buffer);
        d.check_len()?;
        Ok(d)
    }

    /// Fails unless the buffer is exactly [`LEN`] bytes.
    pub fn check_len(&self) -> Result<()> {
        let found = self.buffer.as_ref().len();
        if found == LEN {
            Ok(())
        } else {
            Err(Error::WrongLength {
                expected: LEN,
                found,
            })
        }
    }

    /// Returns the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The magic bytes.
    pub fn magic(&self) -> [u8; 4] {
        read_u32(self.bytes(), field::MAGIC).to_be_bytes()
    }
    /// The format version.
    pub fn version(&self) -> u8 {
        self.bytes().get(field::VERSION).copied().unwrap_or(0)
    }
    /// The raw risk byte.
    pub fn risk_raw(&self) -> u8 {
        self.bytes().get(field::RISK).copied().unwrap_or(0)
    }
    /// The raw capability bits.
    pub fn flags_raw(&self) -> u16 {
        read_u16(self.bytes(), field::FLAGS)
    }
    /// The command hash.
    pub fn command_hash(&self) -> [u8; 4] {
        read_u32(self.bytes(), field::HASH).to_be_bytes()
    }
    /// Typical execution time in milliseconds.
    pub fn exec_ms(&self) -> u32 {
        read_u32(self.bytes(), field::EXEC_MS)
    }
    /// Typical memory use in MiB.
    pub fn memory_mb(&self) -> u16 {
        read_u16(self.bytes(), field::MEMORY_MB)
    }
    /// Typical output size in KiB.
    pub fn output_kb(&self) -> u16 {
        read_u16(self.bytes(), field::OUTPUT_KB)
    }
    /// The stored checksum.
    pub fn checksum(&self) -> u32 {
        read_u32(self.bytes(), field::CHECKSUM)
    }
    /// The checksum computed over the covered bytes.
    pub fn compute_checksum(&self) -> u32 {
        crc32c(self.bytes().get(field::COVERED).unwrap_or(&[]))
    }

    /// Runs every check; after `Ok`, [`Repr::parse`] cannot fail.
    pub fn check(&self) -> Result<()> {
        self.check_len()?;
        let magic = self.magic();
        if !ct_eq(&magic, &MAGIC) {
            return Err(Error::BadMagic {
                found: magic.to_vec(),
            });
        }
        if self.version() != VERSION {
            return Err(Error::UnsupportedVersion {
                found: u32::from(self.version()),
            });
        }
        let (stored, computed) = (self.checksum(), self.compute_checksum());
        if !ct_eq_u32(stored, computed) {
            return Err(Error::ChecksumMismatch { stored, computed });
        }
        if RiskLevel::from_u8(self.risk_raw()).is_none() {
            return Err(Error::InvalidRiskLevel {
                raw: u32::from(self.risk_raw()),
            });
        }
        let reserved = self.flags_raw() & !Capabilities::ALL_BITS;
        if reserved != 0 {
            return Err(Error::ReservedBitsSet {
                bits: u32::from(reserved),
            });
        }
        Ok(())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Descriptor<T> {
    fn bytes_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }
    /// Sets the magic and version.
    pub fn set_header(&mut self) {
        write_u32(self.bytes_mut(), field::MAGIC, u32::from_be_bytes(MAGIC));
        if let Some(b) = self.bytes_mut().get_mut(field::VERSION) {
            *b = VERSION;
        }
    }
    /// Sets the risk level.
    pub fn set_risk(&mut self, risk: RiskLevel) {
        if let Some(b) = self.bytes_mut().get_mut(field::RISK) {
            *b = risk as u8;
        }
    }
    /// Sets the capability flags.
    pub fn set_capabilities(&mut self, caps: Capabilities) {
        write_u16(self.bytes_mut(), field::FLAGS, caps.bits());
    }
    /// Sets the command hash.
    pub fn set_command_hash(&mut self, hash: [u8; 4]) {
        write_u32(self.bytes_mut(), field::HASH, u32::from_be_bytes(hash));
    }
    /// Sets the performance estimates.
    pub fn set_performance(&mut self, exec_ms: u32, memory_mb: u16, output_kb: u16) {
        write_u32(self.bytes_mut(), field::EXEC_MS, exec_ms);
        write_u16(self.bytes_mut(), field::MEMORY_MB, memory_mb);
        write_u16(self.bytes_mut(), field::OUTPUT_KB, output_kb);
    }
    /// Recomputes and stores the checksum.
    pub fn fill_checksum(&mut self) {
        let c = self.compute_checksum();
        write_u32(self.bytes_mut(), field::CHECKSUM, c);
    }
}

/// The value of a C24 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Risk level.
    pub risk: RiskLevel,
    /// Capabilities.
    pub capabilities: Capabilities,
    /// `md5(name)[..4]`.
    pub command_hash: [u8; 4],
    /// Typical execution time, ms.
    pub exec_ms: u32,
    /// Typical memory, MiB.
    pub memory_mb: u16,
    /// Typical output, KiB.
    pub output_kb: u16,
}

impl Repr {
    /// Parses a view, running every check.
    pub fn parse<T: AsRef<[u8]>>(d: &Descriptor<T>) -> Result<Self> {
        d.check()?;
        Ok(Self {
            risk: RiskLevel::from_u8(d.risk_raw()).ok_or(Error::InvalidRiskLevel {
                raw: u32::from(d.risk_raw()),
            })?,
            capabilities: Capabilities::from_bits_truncate(d.flags_raw()),
            command_hash: d.command_hash(),
            exec_ms: d.exec_ms(),
            memory_mb: d.memory_mb(),
            output_kb: d.output_kb(),
        })
    }

    /// Bytes [`emit`](Self::emit) writes.
    pub const fn buffer_len(&self) -> usize {
        LEN
    }

    /// Writes the record, checksum included.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, d: &mut Descriptor<T>) {
        d.set_header();
        d.set_risk(self.risk);
        d.set_capabilities(self.capabilities);
        d.set_command_hash(self.command_hash);
        d.set_performance(self.exec_ms, self.memory_mb, self.output_kb);
        d.fill_checksum();
    }

    /// The record as bytes.
    pub fn to_bytes(&self) -> [u8; LEN] {
        let mut out = [0u8; LEN];
        self.emit(&mut Descriptor::new_unchecked(&mut out[..]));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::command_hash;

    fn rm() -> Repr {
        Repr {
            risk: RiskLevel::High,
            capabilities: Capabilities::DESTRUCTIVE | Capabilities::FILE_MODIFICATION,
            command_hash: command_hash("rm"),
            exec_ms: 50,
            memory_mb: 4,
            output_kb: 1,
        }
    }

    #[test]
    fn construct_and_deconstruct() {
        let bytes = rm().to_bytes();
        assert_eq!(&bytes[..6], b"TCP\x04\x01\x03");
        let d = Descriptor::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&d).unwrap(), rm());
    }

    #[test]
    fn impossible_len() {
        assert_eq!(
            Descriptor::new_checked(&[0u8; 23][..]).unwrap_err(),
            Error::WrongLength {
                expected: 24,
                found: 23
            }
        );
    }

    #[test]
    fn each_check_fires() {
        let good = rm().to_bytes();
        let mut b = good;
        b[0] = b'X';
        assert!(matches!(
            Repr::parse(&Descriptor::new_unchecked(&b[..])),
            Err(Error::BadMagic { .. })
        ));
        let mut b = good;
        b[4] = 2;
        assert!(matches!(
            Repr::parse(&Descriptor::new_unchecked(&b[..])),
            Err(Error::UnsupportedVersion { found: 2 })
        ));
        let mut b = good;
        b[13] ^= 1;
        assert!(matches!(
            Repr::parse(&Descriptor::new_unchecked(&b[..])),
            Err(Error::ChecksumMismatch { .. })
        ));
        let mut b = good;
        b[5] = 5;
        Descriptor::new_unchecked(&mut b[..]).fill_checksum();
        assert!(matches!(
            Repr::parse(&Descriptor::new_unchecked(&b[..])),
            Err(Error::InvalidRiskLevel { raw: 5 })
        ));
        let mut b = good;
        b[6] = 0x80;
        Descriptor::new_unchecked(&mut b[..]).fill_checksum();
        assert!(matches!(
            Repr::parse(&Descriptor::new_unchecked(&b[..])),
            Err(Error::ReservedBitsSet { bits: 0x8000 })
        ));
    }
}
