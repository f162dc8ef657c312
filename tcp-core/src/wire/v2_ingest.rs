//! v2-ingest: the man-page ingestion layout (`tcp-server-full/tcp_man_ingestion.py:
//! create_tcp_descriptor`).
//!
//! ```text
//! off size field
//!  0   4   magic "TCP\x02"             (no version field)
//!  4   4   md5(command)[..4]
//!  8   2   risk_score * 1000 u16       (0, 1000 .. 4000)
//! 10   4   flags u32 = risk_score << 1 | capabilities
//! 14   3   exec: the HIGH three bytes of exec_ms as u32 BE (100 ms -> 0)
//! 17   2   memory_mb u16
//! 19   2   output_kb u16
//! 21   1   reserved = 0
//! 22   2   crc32(b[0..22]) & 0xFFFF
//! ```
//! The risk is a number, not one-hot: bits 1..=4 of the flags hold the score
//! (0 SAFE .. 4 CRITICAL), and bytes 8..10 hold it again times 1000. Strict
//! mode demands both agree; lenient mode takes the higher valid reading and
//! says so. Capabilities (dict order of the producer): 5 REQUIRES_ROOT,
//! 6 DESTRUCTIVE, 7 NETWORK_ACCESS, 8 FILE_MODIFICATION, 9 SYSTEM_MODIFICATION,
//! 10 PRIVILEGE_ESCALATION. Bit 0 and bits 11..31 are undefined.
//!
//! The checksum demos that reuse this layout put `risk_value >> 8` in the
//! flags (CRITICAL -> 0x0F) and other bit meanings; strict mode rejects those
//! records (bit 0 set, score 7), lenient mode reads the risk from bytes 8..10.
//! Provenance: FORMATS.md §2.4. No real data exists in this layout.

use crate::checksum::crc32_low16;
use crate::error::{Error, Result};
use crate::risk::{Capabilities, RiskLevel};
use crate::wire::{
    Decoded, Dialect, Field, Leniency, Mode, check_checksum16, check_magic, check_reserved,
    read_array, read_u8, read_u16, read_u32, translate_flags, write_bytes, write_u8, write_u16,
    write_u32,
};

/// The magic bytes.
pub const MAGIC: [u8; 4] = *b"TCP\x02";
/// Record length in bytes.
pub const LEN: usize = 24;
/// The flag bits holding the numeric risk score (`score << 1`).
pub const SCORE_MASK: u32 = 0x1E;
/// Every bit the layout defines (score 1..4, capabilities 5..10).
pub const DEFINED_BITS: u32 = SCORE_MASK | 0x07E0;
/// The largest value the 24-bit exec field holds.
pub const EXEC_FIELD_MAX: u32 = 0x00FF_FFFF;

/// The capability table: bit, the producer's name, libtcp capability.
pub const FLAG_TABLE: [(u32, &str, Capabilities); 6] = [
    (1 << 5, "REQUIRES_ROOT", Capabilities::REQUIRES_ROOT),
    (1 << 6, "DESTRUCTIVE", Capabilities::DESTRUCTIVE),
    (1 << 7, "NETWORK_ACCESS", Capabilities::NETWORK_ACCESS),
    (1 << 8, "FILE_MODIFICATION", Capabilities::FILE_MODIFICATION),
    (
        1 << 9,
        "SYSTEM_MODIFICATION",
        Capabilities::SYSTEM_MODIFICATION,
    ),
    (
        1 << 10,
        "PRIVILEGE_ESCALATION",
        Capabilities::PRIVILEGE_ESCALATION,
    ),
];

/// Byte ranges of the fields.
pub mod field {
    use super::Field;
    /// Magic.
    pub const MAGIC: Field = 0..4;
    /// Command hash.
    pub const HASH: Field = 4..8;
    /// Risk score times 1000.
    pub const RISK_MILLI: Field = 8..10;
    /// Flags (score and capabilities).
    pub const FLAGS: Field = 10..14;
    /// The high three bytes of the execution time.
    pub const EXEC_HIGH: Field = 14..17;
    /// Memory (MiB).
    pub const MEMORY_MB: Field = 17..19;
    /// Output (KiB).
    pub const OUTPUT_KB: Field = 19..21;
    /// Reserved byte.
    pub const RESERVED: usize = 21;
    /// Bytes the checksum covers.
    pub const COVERED: Field = 0..22;
    /// CRC-32 low half.
    pub const CHECKSUM: Field = 22..24;
}

/// A read/write view of a v2-ingest record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Descriptor<T> {
    view_boilerplate!(LEN);

    /// The magic bytes.
    pub fn magic(&self) -> [u8; 4] {
        read_u32(self.bytes(), field::MAGIC).to_be_bytes()
    }
    /// The command hash.
    pub fn command_hash(&self) -> [u8; 4] {
        read_u32(self.bytes(), field::HASH).to_be_bytes()
    }
    /// The risk field (score times 1000).
    pub fn risk_milli(&self) -> u16 {
        read_u16(self.bytes(), field::RISK_MILLI)
    }
    /// The raw flags.
    pub fn flags(&self) -> u32 {
        read_u32(self.bytes(), field::FLAGS)
    }
    /// The exec field as stored: `exec_ms >> 8` (24 bits).
    pub fn exec_high(&self) -> u32 {
        let [a, b, c] = read_array::<3>(self.bytes(), field::EXEC_HIGH);
        u32::from_be_bytes([0, a, b, c])
    }
    /// Memory in MiB.
    pub fn memory_mb(&self) -> u16 {
        read_u16(self.bytes(), field::MEMORY_MB)
    }
    /// Output in KiB.
    pub fn output_kb(&self) -> u16 {
        read_u16(self.bytes(), field::OUTPUT_KB)
    }
    /// The reserved byte.
    pub fn reserved(&self) -> u8 {
        read_u8(self.bytes(), field::RESERVED)
    }
    /// The stored checksum.
    pub fn checksum(&self) -> u16 {
        read_u16(self.bytes(), field::CHECKSUM)
    }
    /// The checksum computed over the covered bytes.
    pub fn compute_checksum(&self) -> u16 {
        crc32_low16(self.bytes().get(field::COVERED).unwrap_or(&[]))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Descriptor<T> {
    /// Recomputes and stores the checksum.
    pub fn fill_checksum(&mut self) {
        let c = self.compute_checksum();
        write_u16(self.buffer.as_mut(), field::CHECKSUM, c);
    }
}

/// The value of a v2-ingest record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// `md5(command)[..4]`.
    pub command_hash: [u8; 4],
    /// Bytes 8..10: risk score times 1000.
    pub risk_milli: u16,
    /// Raw flags (score in bits 1..4, capabilities from bit 5).
    pub flags: u32,
    /// `exec_ms >> 8`, as the producer's `pack('>I', exec)[:3]` keeps it (24 bits).
    pub exec_high: u32,
    /// Memory, MiB.
    pub memory_mb: u16,
    /// Output, KiB.
    pub output_kb: u16,
    /// Byte 21 (0 as written).
    pub reserved: u8,
}

impl Repr {
    /// Builds a record as the ingestion producer does from a score 0..=4.
    pub fn new(
        command: &str,
        risk: RiskLevel,
        capabilities: u32,
        exec_ms: u32,
        memory_mb: u16,
        output_kb: u16,
    ) -> Self {
        let score = risk as u8;
        Self {
            command_hash: crate::hash::command_hash(command),
            risk_milli: u16::from(score) * 1000,
            flags: (u32::from(score) << 1) | (capabilities & !SCORE_MASK),
            exec_high: exec_ms >> 8,
            memory_mb,
            output_kb,
            reserved: 0,
        }
    }

    /// Checks length, magic and checksum (the framing every mode demands).
    pub fn parse<T: AsRef<[u8]>>(d: &Descriptor<T>) -> Result<Self> {
        d.check_len()?;
        check_magic(&d.magic(), &MAGIC)?;
        check_checksum16(d.checksum(), d.compute_checksum())?;
        Ok(Self {
            command_hash: d.command_hash(),
            risk_milli: d.risk_milli(),
            flags: d.flags(),
            exec_high: d.exec_high(),
            memory_mb: d.memory_mb(),
            output_kb: d.output_kb(),
            reserved: d.reserved(),
        })
    }

    /// Writes the record exactly as the ingestion producer does.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, d: &mut Descriptor<T>) {
        let b = d.buffer.as_mut();
        write_u32(b, field::MAGIC, u32::from_be_bytes(MAGIC));
        write_u32(b, field::HASH, u32::from_be_bytes(self.command_hash));
        write_u16(b, field::RISK_MILLI, self.risk_milli);
        write_u32(b, field::FLAGS, self.flags);
        let [_, hi @ ..] = (self.exec_high & EXEC_FIELD_MAX).to_be_bytes();
        write_bytes(b, field::EXEC_HIGH, &hi);
        write_u16(b, field::MEMORY_MB, self.memory_mb);
        write_u16(b, field::OUTPUT_KB, self.output_kb);
        write_u8(b, field::RESERVED, self.reserved);
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

    /// The risk the flags state (`(flags >> 1) & 0xF`), if it is a level.
    pub fn flags_risk(&self) -> Option<RiskLevel> {
        u8::try_from((self.flags & SCORE_MASK) >> 1)
            .ok()
            .and_then(RiskLevel::from_u8)
    }

    /// The risk bytes 8..10 state (`score * 1000`), if it is a level.
    pub fn field_risk(&self) -> Option<RiskLevel> {
        if self.risk_milli % 1000 != 0 {
            return None;
        }
        u8::try_from(self.risk_milli / 1000)
            .ok()
            .and_then(RiskLevel::from_u8)
    }

    /// Interprets the score fields and capability bits.
    ///
    /// Strict: byte 21 and undefined flag bits zero, the flags' score a
    /// level, and bytes 8..10 equal to it times 1000. Lenient: the higher
    /// valid reading wins ([`Leniency::RiskFieldsDisagree`]); with no valid
    /// reading at all the record is rejected in both modes.
    pub fn decode(&self, mode: Mode) -> Result<Decoded> {
        let mut lenient = Vec::new();
        check_reserved(u32::from(self.reserved), mode, &mut lenient)?;
        check_reserved(self.flags & !DEFINED_BITS, mode, &mut lenient)?;
        let score = (self.flags & SCORE_MASK) >> 1;
        let risk = match (self.flags_risk(), self.field_risk()) {
            (Some(a), Some(b)) if a == b => a,
            (None, _) if mode == Mode::Strict => {
                return Err(Error::InvalidRiskLevel { raw: score });
            }
            (_, _) if mode == Mode::Strict => {
                return Err(Error::InvalidRiskLevel {
                    raw: u32::from(self.risk_milli),
                });
            }
            (a, b) => {
                let taken = a.max(b).ok_or(Error::InvalidRiskLevel { raw: score })?;
                lenient.push(Leniency::RiskFieldsDisagree {
                    flags_score: score,
                    field: u32::from(self.risk_milli),
                });
                taken
            }
        };
        Ok(Decoded {
            dialect: Dialect::V2Ingest,
            command_hash: Some(self.command_hash),
            risk: Some(risk),
            capabilities: translate_flags(self.flags, &FLAG_TABLE),
            raw_flags: self.flags,
            // The low byte was dropped by the producer: this is a lower bound.
            exec_ms: Some((self.exec_high & EXEC_FIELD_MAX) << 8),
            memory_mb: Some(u32::from(self.memory_mb)),
            output_kb: Some(u32::from(self.output_kb)),
            lenient,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_as_the_producer_does() {
        // CRITICAL rm: score 4 -> flags 0x08 | DESTRUCTIVE (bit 6); exec 5000 -> 00 00 13.
        let repr = Repr::new("rm", RiskLevel::Critical, 1 << 6, 5000, 1, 1024);
        let b = repr.to_bytes();
        assert_eq!(&b[8..10], &4000u16.to_be_bytes());
        assert_eq!(&b[10..14], &0x48u32.to_be_bytes());
        assert_eq!(&b[14..17], &[0, 0, 0x13]);
        let d = Repr::parse(&Descriptor::new_checked(&b[..]).unwrap()).unwrap();
        assert_eq!(d, repr);
        let dec = d.decode(Mode::Strict).unwrap();
        assert_eq!(dec.risk, Some(RiskLevel::Critical));
        assert_eq!(dec.capabilities, Capabilities::DESTRUCTIVE);
        assert_eq!(dec.exec_ms, Some(0x1300));
        assert_eq!(
            Repr::new("ls", RiskLevel::Safe, 0, 100, 1, 1024).exec_high,
            0
        );
    }

    #[test]
    fn risk_fields_must_agree() {
        let mut repr = Repr::new("rm", RiskLevel::High, 0, 0, 1, 1);
        repr.risk_milli = 1000;
        assert_eq!(
            repr.decode(Mode::Strict),
            Err(Error::InvalidRiskLevel { raw: 1000 })
        );
        let d = repr.decode(Mode::Lenient).unwrap();
        assert_eq!(d.risk, Some(RiskLevel::High));
        assert!(d.was_lenient());
        // The checksum demos' CRITICAL: flags 0x0F (bit 0 set, score 7), field 4000.
        repr.flags = 0x0F;
        repr.risk_milli = 4000;
        assert_eq!(
            repr.decode(Mode::Strict),
            Err(Error::ReservedBitsSet { bits: 1 })
        );
        assert_eq!(
            repr.decode(Mode::Lenient).unwrap().risk,
            Some(RiskLevel::Critical)
        );
        repr.risk_milli = 4001;
        assert_eq!(
            repr.decode(Mode::Lenient),
            Err(Error::InvalidRiskLevel { raw: 7 })
        );
    }
}
