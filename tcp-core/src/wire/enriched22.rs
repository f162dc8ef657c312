//! enriched22: `tcp/enrichment/tcp_encoder.py: EnrichedTCPEncoder.to_binary` (22 bytes, no magic).
//!
//! ```text
//! off size field
//!  0   4   md5(command)[..4]
//!  4   2   version u16 = major*100 + minor (0 if unknown)
//!  6   4   operation flags u32        (OperationFlags, bits 0..15)
//! 10   4   security flags u32         (table below)
//! 14   2   memory_mb u16
//! 16   1   cpu percent u8
//! 17   2   throughput ops/s u16
//! 19   1   reserved = 0
//! 20   2   CRC-16/MODBUS(b[0..20])
//! ```
//! Security flags: bits 0..4 one-hot risk, 5 REQUIRES_USER, 6 REQUIRES_SUDO,
//! 7 REQUIRES_ROOT, 8 DESTRUCTIVE, 9 NETWORK_ACCESS, 10 FILE_WRITE,
//! 11 FILE_DELETE, 12 SYSTEM_MODIFY, 13 PROCESS_CONTROL,
//! 14 PRIVILEGE_ESCALATION, 15 IRREVERSIBLE. Capabilities come from these
//! only; the operation flags describe features (text processing, JSON …)
//! and are kept as raw bits with their own names ([`OPERATION_FLAGS`]).
//! Upstream's `from_binary` demands 24 bytes (it cannot read its own output)
//! and maps "no risk bit" to LOW_RISK; we read the 22 bytes written and
//! report a missing risk bit as unknown (lenient) or an error (strict).
//! Provenance: FORMATS.md §4, §2.5; 8 real records.

use crate::checksum::crc16_modbus;
use crate::error::Result;
use crate::risk::Capabilities;
use crate::wire::{
    Decoded, Dialect, Field, Mode, check_checksum16, check_reserved, decode_onehot, read_array,
    read_u8, read_u16, read_u32, translate_flags, write_bytes, write_u8, write_u16, write_u32,
};

/// Record length in bytes.
pub const LEN: usize = 22;
/// Every security-flag bit the layout defines (0..=15).
pub const DEFINED_BITS: u32 = 0xFFFF;
/// Every operation-flag bit the layout defines (0..=15).
pub const DEFINED_OPERATION_BITS: u32 = 0xFFFF;

/// Security flags 5..15: bit, the encoder's name, libtcp capability.
///
/// REQUIRES_USER is the absence of elevated privilege, so it maps to nothing;
/// IRREVERSIBLE is libtcp's DESTRUCTIVE ("irrecoverably").
pub const FLAG_TABLE: [(u32, &str, Capabilities); 11] = [
    (1 << 5, "REQUIRES_USER", Capabilities::EMPTY),
    (1 << 6, "REQUIRES_SUDO", Capabilities::REQUIRES_ROOT),
    (1 << 7, "REQUIRES_ROOT", Capabilities::REQUIRES_ROOT),
    (1 << 8, "DESTRUCTIVE", Capabilities::DESTRUCTIVE),
    (1 << 9, "NETWORK_ACCESS", Capabilities::NETWORK_ACCESS),
    (1 << 10, "FILE_WRITE", Capabilities::FILE_MODIFICATION),
    (1 << 11, "FILE_DELETE", Capabilities::FILE_MODIFICATION),
    (1 << 12, "SYSTEM_MODIFY", Capabilities::SYSTEM_MODIFICATION),
    (1 << 13, "PROCESS_CONTROL", Capabilities::PROCESS_CONTROL),
    (
        1 << 14,
        "PRIVILEGE_ESCALATION",
        Capabilities::PRIVILEGE_ESCALATION,
    ),
    (1 << 15, "IRREVERSIBLE", Capabilities::DESTRUCTIVE),
];

/// `OperationFlags` names, by bit (0..15).
pub const OPERATION_FLAGS: [(u32, &str); 16] = [
    (1 << 0, "TEXT_PROCESSING"),
    (1 << 1, "JSON_HANDLING"),
    (1 << 2, "FILE_OPERATIONS"),
    (1 << 3, "STDIN_SUPPORT"),
    (1 << 4, "RECURSIVE_OPERATIONS"),
    (1 << 5, "PARALLEL_PROCESSING"),
    (1 << 6, "STREAMING_SUPPORT"),
    (1 << 7, "PATTERN_MATCHING"),
    (1 << 8, "CASE_HANDLING"),
    (1 << 9, "WORD_BOUNDARIES"),
    (1 << 10, "LINE_NUMBERING"),
    (1 << 11, "CONTEXT_AWARE"),
    (1 << 12, "BINARY_SUPPORT"),
    (1 << 13, "COMPRESSION"),
    (1 << 14, "NETWORK_OPERATIONS"),
    (1 << 15, "REAL_TIME_PROCESSING"),
];

/// Byte ranges of the fields.
pub mod field {
    use super::Field;
    /// Command hash.
    pub const HASH: Field = 0..4;
    /// Version (major*100 + minor).
    pub const VERSION: Field = 4..6;
    /// Operation flags.
    pub const OPERATION_FLAGS: Field = 6..10;
    /// Security flags.
    pub const SECURITY_FLAGS: Field = 10..14;
    /// Memory (MiB).
    pub const MEMORY_MB: Field = 14..16;
    /// CPU percent.
    pub const CPU_PERCENT: usize = 16;
    /// Throughput (operations per second).
    pub const THROUGHPUT: Field = 17..19;
    /// Reserved byte.
    pub const RESERVED: usize = 19;
    /// Bytes the checksum covers.
    pub const COVERED: Field = 0..20;
    /// CRC-16/MODBUS.
    pub const CHECKSUM: Field = 20..22;
}

/// A read/write view of an enriched22 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Descriptor<T> {
    view_boilerplate!(LEN);

    /// The command hash.
    pub fn command_hash(&self) -> [u8; 4] {
        read_array(self.bytes(), field::HASH)
    }
    /// The version field.
    pub fn version(&self) -> u16 {
        read_u16(self.bytes(), field::VERSION)
    }
    /// The raw operation flags.
    pub fn operation_flags(&self) -> u32 {
        read_u32(self.bytes(), field::OPERATION_FLAGS)
    }
    /// The raw security flags.
    pub fn security_flags(&self) -> u32 {
        read_u32(self.bytes(), field::SECURITY_FLAGS)
    }
    /// Memory in MiB.
    pub fn memory_mb(&self) -> u16 {
        read_u16(self.bytes(), field::MEMORY_MB)
    }
    /// CPU percent.
    pub fn cpu_percent(&self) -> u8 {
        read_u8(self.bytes(), field::CPU_PERCENT)
    }
    /// Throughput in operations per second.
    pub fn throughput(&self) -> u16 {
        read_u16(self.bytes(), field::THROUGHPUT)
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
        crc16_modbus(self.bytes().get(field::COVERED).unwrap_or(&[]))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Descriptor<T> {
    /// Recomputes and stores the checksum.
    pub fn fill_checksum(&mut self) {
        let c = self.compute_checksum();
        write_u16(self.buffer.as_mut(), field::CHECKSUM, c);
    }
}

/// The value of an enriched22 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// `md5(command)[..4]`.
    pub command_hash: [u8; 4],
    /// `major*100 + minor`.
    pub version: u16,
    /// Raw operation flags.
    pub operation_flags: u32,
    /// Raw security flags.
    pub security_flags: u32,
    /// Memory, MiB.
    pub memory_mb: u16,
    /// CPU percent.
    pub cpu_percent: u8,
    /// Throughput, operations per second.
    pub throughput: u16,
    /// Byte 19 (0 as written).
    pub reserved: u8,
}

impl Repr {
    /// Checks length and checksum (the only framing the layout has).
    pub fn parse<T: AsRef<[u8]>>(d: &Descriptor<T>) -> Result<Self> {
        d.check_len()?;
        check_checksum16(d.checksum(), d.compute_checksum())?;
        Ok(Self {
            command_hash: d.command_hash(),
            version: d.version(),
            operation_flags: d.operation_flags(),
            security_flags: d.security_flags(),
            memory_mb: d.memory_mb(),
            cpu_percent: d.cpu_percent(),
            throughput: d.throughput(),
            reserved: d.reserved(),
        })
    }

    /// Writes the record exactly as `to_binary` does.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, d: &mut Descriptor<T>) {
        let b = d.buffer.as_mut();
        write_bytes(b, field::HASH, &self.command_hash);
        write_u16(b, field::VERSION, self.version);
        write_u32(b, field::OPERATION_FLAGS, self.operation_flags);
        write_u32(b, field::SECURITY_FLAGS, self.security_flags);
        write_u16(b, field::MEMORY_MB, self.memory_mb);
        write_u8(b, field::CPU_PERCENT, self.cpu_percent);
        write_u16(b, field::THROUGHPUT, self.throughput);
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

    /// The names of the set operation flags, in bit order.
    pub fn operation_flag_names(&self) -> Vec<&'static str> {
        OPERATION_FLAGS
            .iter()
            .filter(|(bit, _)| self.operation_flags & bit != 0)
            .map(|(_, name)| *name)
            .collect()
    }

    /// Interprets the security flags: risk (one-hot) and capabilities.
    pub fn decode(&self, mode: Mode) -> Result<Decoded> {
        let mut lenient = Vec::new();
        check_reserved(u32::from(self.reserved), mode, &mut lenient)?;
        check_reserved(
            self.operation_flags & !DEFINED_OPERATION_BITS,
            mode,
            &mut lenient,
        )?;
        let risk = decode_onehot(self.security_flags, DEFINED_BITS, mode, &mut lenient)?;
        Ok(Decoded {
            dialect: Dialect::Enriched22,
            command_hash: Some(self.command_hash),
            risk,
            capabilities: translate_flags(self.security_flags, &FLAG_TABLE),
            raw_flags: self.security_flags,
            exec_ms: None,
            memory_mb: Some(u32::from(self.memory_mb)),
            output_kb: None,
            lenient,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::RiskLevel;

    // tcp_security_demo/artifacts/tcp_descriptors.json, "chmod".
    const CHMOD: &str = "417e248f00000000400000003f48003c0a01f40075f7";

    #[test]
    fn deconstruct_real_record() {
        let bytes = hex::decode(CHMOD).unwrap();
        let repr = Repr::parse(&Descriptor::new_checked(&bytes[..]).unwrap()).unwrap();
        assert_eq!(
            (repr.operation_flags, repr.security_flags),
            (0x4000, 0x3f48)
        );
        assert_eq!(
            (repr.memory_mb, repr.cpu_percent, repr.throughput),
            (60, 10, 500)
        );
        assert_eq!(repr.operation_flag_names(), vec!["NETWORK_OPERATIONS"]);
        assert_eq!(repr.to_bytes().to_vec(), bytes);
        let d = repr.decode(Mode::Strict).unwrap();
        assert_eq!(d.risk, Some(RiskLevel::High));
        assert!(d.capabilities.contains(Capabilities::REQUIRES_ROOT));
        assert_eq!(d.flag_names()[0], "REQUIRES_SUDO");
    }
}
