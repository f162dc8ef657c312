//! v2-kb: the knowledge base's 24-byte layout (`generate_complete_binary_db.py`).
//!
//! ```text
//! off size field
//!  0   4   magic "TCP\x02"
//!  4   2   version u16 = 2
//!  6   4   md5(command)[..4]
//! 10   4   security flags u32 (table below)
//! 14   4   exec_ms u32
//! 18   2   memory_mb u16
//! 20   2   output_kb u16
//! 22   2   sum(b[0..22]) & 0xFFFF ("simple CRC16": a byte sum)
//! ```
//! Flags: bits 0..4 one-hot risk, 8 FILE_OPS, 9 NETWORK, 10 SUDO,
//! 11 DESTRUCTIVE, 12 SYSTEM, 13 PROCESS (names as the export writes them).
//! Provenance: FORMATS.md §2.3; all 1567 records of the export follow it.

use crate::checksum::sum16;
use crate::error::{Error, Result};
use crate::hash::{ct_eq, ct_eq_u16};
use crate::risk::{Capabilities, RiskLevel};
use crate::wire::{
    Decoded, Dialect, Field, Leniency, Mode, read_u16, read_u32, risk_from_onehot, translate_flags,
    write_u16, write_u32,
};

/// The magic bytes.
pub const MAGIC: [u8; 4] = *b"TCP\x02";
/// The version field's value.
pub const VERSION: u16 = 2;
/// Record length in bytes.
pub const LEN: usize = 24;
/// Every bit the layout defines (risk 0..4, capabilities 8..13).
pub const DEFINED_BITS: u32 = 0x1F | 0x3F00;

/// The flag table: bit, the export's name, libtcp capability.
pub const FLAG_TABLE: [(u32, &str, Capabilities); 6] = [
    (0x0100, "FILE_OPS", Capabilities::FILE_MODIFICATION),
    (0x0200, "NETWORK", Capabilities::NETWORK_ACCESS),
    (0x0400, "SUDO", Capabilities::REQUIRES_ROOT),
    (0x0800, "DESTRUCTIVE", Capabilities::DESTRUCTIVE),
    (0x1000, "SYSTEM", Capabilities::SYSTEM_MODIFICATION),
    (0x2000, "PROCESS", Capabilities::PROCESS_CONTROL),
];

/// Byte ranges of the fields.
pub mod field {
    use super::Field;
    /// Magic.
    pub const MAGIC: Field = 0..4;
    /// Version.
    pub const VERSION: Field = 4..6;
    /// Command hash.
    pub const HASH: Field = 6..10;
    /// Security flags.
    pub const FLAGS: Field = 10..14;
    /// Execution time (ms).
    pub const EXEC_MS: Field = 14..18;
    /// Memory (MiB).
    pub const MEMORY_MB: Field = 18..20;
    /// Output (KiB).
    pub const OUTPUT_KB: Field = 20..22;
    /// Bytes the checksum covers.
    pub const COVERED: Field = 0..22;
    /// Byte-sum checksum.
    pub const CHECKSUM: Field = 22..24;
}

/// A read/write view of a v2-kb record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Descriptor<T> {
    /// Wraps a buffer without checks.
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
        crate::wire::check_exact_len(self.buffer.as_ref(), LEN)
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
    /// The version field.
    pub fn version(&self) -> u16 {
        read_u16(self.bytes(), field::VERSION)
    }
    /// The command hash.
    pub fn command_hash(&self) -> [u8; 4] {
        read_u32(self.bytes(), field::HASH).to_be_bytes()
    }
    /// The raw security flags.
    pub fn flags(&self) -> u32 {
        read_u32(self.bytes(), field::FLAGS)
    }
    /// Execution time in ms (100 in all KB data).
    pub fn exec_ms(&self) -> u32 {
        read_u32(self.bytes(), field::EXEC_MS)
    }
    /// Memory in MiB (10 in all KB data).
    pub fn memory_mb(&self) -> u16 {
        read_u16(self.bytes(), field::MEMORY_MB)
    }
    /// Output in KiB (1 in all KB data).
    pub fn output_kb(&self) -> u16 {
        read_u16(self.bytes(), field::OUTPUT_KB)
    }
    /// The stored checksum.
    pub fn checksum(&self) -> u16 {
        read_u16(self.bytes(), field::CHECKSUM)
    }
    /// The checksum computed over the covered bytes.
    pub fn compute_checksum(&self) -> u16 {
        sum16(self.bytes().get(field::COVERED).unwrap_or(&[]))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Descriptor<T> {
    /// Recomputes and stores the checksum.
    pub fn fill_checksum(&mut self) {
        let c = self.compute_checksum();
        write_u16(self.buffer.as_mut(), field::CHECKSUM, c);
    }
}

/// The value of a v2-kb record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// `md5(command)[..4]`.
    pub command_hash: [u8; 4],
    /// Raw security flags (risk bits and capability bits).
    pub flags: u32,
    /// Execution time, ms.
    pub exec_ms: u32,
    /// Memory, MiB.
    pub memory_mb: u16,
    /// Output, KiB.
    pub output_kb: u16,
}

impl Repr {
    /// Checks header and checksum (the framing every mode demands).
    pub fn parse<T: AsRef<[u8]>>(d: &Descriptor<T>) -> Result<Self> {
        d.check_len()?;
        let magic = d.magic();
        if !ct_eq(&magic, &MAGIC) {
            return Err(Error::BadMagic {
                found: magic.to_vec(),
            });
        }
        if d.version() != VERSION {
            return Err(Error::UnsupportedVersion {
                found: u32::from(d.version()),
            });
        }
        let (stored, computed) = (d.checksum(), d.compute_checksum());
        if !ct_eq_u16(stored, computed) {
            return Err(Error::ChecksumMismatch {
                stored: u32::from(stored),
                computed: u32::from(computed),
            });
        }
        Ok(Self {
            command_hash: d.command_hash(),
            flags: d.flags(),
            exec_ms: d.exec_ms(),
            memory_mb: d.memory_mb(),
            output_kb: d.output_kb(),
        })
    }

    /// Writes the record exactly as the knowledge-base generator does.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, d: &mut Descriptor<T>) {
        let b = d.buffer.as_mut();
        write_u32(b, field::MAGIC, u32::from_be_bytes(MAGIC));
        write_u16(b, field::VERSION, VERSION);
        write_u32(b, field::HASH, u32::from_be_bytes(self.command_hash));
        write_u32(b, field::FLAGS, self.flags);
        write_u32(b, field::EXEC_MS, self.exec_ms);
        write_u16(b, field::MEMORY_MB, self.memory_mb);
        write_u16(b, field::OUTPUT_KB, self.output_kb);
        d.fill_checksum();
    }

    /// The record as bytes.
    pub fn to_bytes(&self) -> [u8; LEN] {
        let mut out = [0u8; LEN];
        self.emit(&mut Descriptor::new_unchecked(&mut out[..]));
        out
    }

    /// Bytes [`emit`](Self::emit) writes.
    pub const fn buffer_len(&self) -> usize {
        LEN
    }

    /// Interprets the flags: risk (one-hot) and capabilities.
    pub fn decode(&self, mode: Mode) -> Result<Decoded> {
        let mut lenient = Vec::new();
        let reserved = self.flags & !DEFINED_BITS;
        if reserved != 0 {
            match mode {
                Mode::Strict => return Err(Error::ReservedBitsSet { bits: reserved }),
                Mode::Lenient => lenient.push(Leniency::ReservedBitsSet { bits: reserved }),
            }
        }
        let risk: Option<RiskLevel> = risk_from_onehot(self.flags, mode, &mut lenient)?;
        let capabilities = translate_flags(self.flags, &FLAG_TABLE);
        Ok(Decoded {
            dialect: Dialect::V2Kb,
            command_hash: Some(self.command_hash),
            risk,
            capabilities,
            raw_flags: self.flags,
            exec_ms: Some(self.exec_ms),
            memory_mb: Some(u32::from(self.memory_mb)),
            output_kb: Some(u32::from(self.output_kb)),
            lenient,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // kb_expected.jsonl, command "NF": SAFE, SUDO + PROCESS.
    const NF: &str = "544350020002227dc2510000240100000064000a00010331";

    #[test]
    fn deconstruct_real_record() {
        let bytes = hex::decode(NF).unwrap();
        let repr = Repr::parse(&Descriptor::new_checked(&bytes[..]).unwrap()).unwrap();
        assert_eq!(repr.flags, 9217);
        assert_eq!(repr.command_hash, crate::hash::command_hash("NF"));
        let d = repr.decode(Mode::Strict).unwrap();
        assert_eq!(d.risk, Some(RiskLevel::Safe));
        assert_eq!(d.flag_names(), vec!["SUDO", "PROCESS"]);
        assert_eq!(
            d.capabilities,
            Capabilities::REQUIRES_ROOT | Capabilities::PROCESS_CONTROL
        );
        assert_eq!(repr.to_bytes().to_vec(), bytes);
    }

    #[test]
    fn strict_and_lenient() {
        let mut repr =
            Repr::parse(&Descriptor::new_unchecked(&hex::decode(NF).unwrap()[..])).unwrap();
        repr.flags = 0x0400;
        assert_eq!(repr.decode(Mode::Strict), Err(Error::NoRiskBit));
        let d = repr.decode(Mode::Lenient).unwrap();
        assert_eq!(d.risk, None);
        assert_eq!(d.lenient, vec![Leniency::NoRiskBit]);
        repr.flags = 0x0006;
        assert_eq!(
            repr.decode(Mode::Strict),
            Err(Error::MultipleRiskBits { bits: 6 })
        );
        assert_eq!(
            repr.decode(Mode::Lenient).unwrap().risk,
            Some(RiskLevel::Medium)
        );
        repr.flags = 0x8001;
        assert_eq!(
            repr.decode(Mode::Strict),
            Err(Error::ReservedBitsSet { bits: 0x8000 })
        );
    }
}
