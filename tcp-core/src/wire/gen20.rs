//! gen20: `tcp/analysis/tcp_generator.py: generate_binary_descriptor` and
//! `tcp/generators/binary.py` (20 bytes, no magic).
//!
//! ```text
//! off size field
//!  0   4   md5(tool_name)[..4]          (no "TCP" magic at all)
//!  4   2   version u16 = major*100 + minor (0 if unparsable)
//!  6   4   capability flags u32        (table below)
//! 10   2   memory_mb u16
//! 12   1   cpu percent u8
//! 13   2   tcp_generator.py: streaming u8, parallel u8;
//!          binary.py: throughput u16
//! 15   3   zero
//! 18   2   CRC-16/MODBUS(b[0..18])
//! ```
//! Flags are `tcp_generator.py`'s, the producer of the only data
//! (`sandbox/tool_registry.json`): 0 STDIN, 1 FILES, 2 DIRECTORIES,
//! 3 RECURSION, 4 PARALLEL, 5 STREAMING, 8 LOW_MEMORY, 9 LOW_CPU, 10 NETWORK.
//! (`binary.py` gives bits 0..7 other meanings; upstream readers a third.)
//! They describe features, so only NETWORK translates to a capability. There
//! is no risk information: a record decodes with risk `None`.
//! Provenance: FORMATS.md §3; 9 real records.

use crate::checksum::crc16_modbus;
use crate::error::Result;
use crate::risk::Capabilities;
use crate::wire::{
    Decoded, Dialect, Field, Mode, check_checksum16, check_reserved, read_array, read_u8, read_u16,
    read_u32, translate_flags, write_bytes, write_u8, write_u16, write_u32,
};

/// Record length in bytes.
pub const LEN: usize = 20;
/// Every flag bit the layout defines.
pub const DEFINED_BITS: u32 = 0x3F | 0x0700;

/// `tcp_generator.py`'s flags: bit, name, libtcp capability.
pub const FLAG_TABLE: [(u32, &str, Capabilities); 9] = [
    (1 << 0, "STDIN", Capabilities::EMPTY),
    (1 << 1, "FILES", Capabilities::EMPTY),
    (1 << 2, "DIRECTORIES", Capabilities::EMPTY),
    (1 << 3, "RECURSION", Capabilities::EMPTY),
    (1 << 4, "PARALLEL", Capabilities::EMPTY),
    (1 << 5, "STREAMING", Capabilities::EMPTY),
    (1 << 8, "LOW_MEMORY", Capabilities::EMPTY),
    (1 << 9, "LOW_CPU", Capabilities::EMPTY),
    (1 << 10, "NETWORK", Capabilities::NETWORK_ACCESS),
];

/// Byte ranges of the fields.
pub mod field {
    use super::Field;
    /// Tool-name hash.
    pub const HASH: Field = 0..4;
    /// Version (major*100 + minor).
    pub const VERSION: Field = 4..6;
    /// Capability flags.
    pub const FLAGS: Field = 6..10;
    /// Memory (MiB).
    pub const MEMORY_MB: Field = 10..12;
    /// CPU percent.
    pub const CPU_PERCENT: usize = 12;
    /// Producer-specific performance bytes.
    pub const EXTRA: Field = 13..15;
    /// Zero padding.
    pub const RESERVED: Field = 15..18;
    /// Bytes the checksum covers.
    pub const COVERED: Field = 0..18;
    /// CRC-16/MODBUS.
    pub const CHECKSUM: Field = 18..20;
}

/// A read/write view of a gen20 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Descriptor<T> {
    view_boilerplate!(LEN);

    /// The tool-name hash.
    pub fn command_hash(&self) -> [u8; 4] {
        read_array(self.bytes(), field::HASH)
    }
    /// The version field.
    pub fn version(&self) -> u16 {
        read_u16(self.bytes(), field::VERSION)
    }
    /// The raw flags.
    pub fn flags(&self) -> u32 {
        read_u32(self.bytes(), field::FLAGS)
    }
    /// Memory in MiB.
    pub fn memory_mb(&self) -> u16 {
        read_u16(self.bytes(), field::MEMORY_MB)
    }
    /// CPU percent.
    pub fn cpu_percent(&self) -> u8 {
        read_u8(self.bytes(), field::CPU_PERCENT)
    }
    /// Bytes 13..15 (producer-specific).
    pub fn extra(&self) -> [u8; 2] {
        read_array(self.bytes(), field::EXTRA)
    }
    /// Bytes 15..18 (zero as written).
    pub fn reserved(&self) -> [u8; 3] {
        read_array(self.bytes(), field::RESERVED)
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

/// The value of a gen20 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// `md5(tool_name)[..4]`.
    pub command_hash: [u8; 4],
    /// `major*100 + minor`.
    pub version: u16,
    /// Raw flags.
    pub flags: u32,
    /// Memory, MiB.
    pub memory_mb: u16,
    /// CPU percent.
    pub cpu_percent: u8,
    /// Bytes 13..15: streaming, parallel (`tcp_generator.py`) or throughput u16 (`binary.py`).
    pub extra: [u8; 2],
    /// Bytes 15..18 (zero as written).
    pub reserved: [u8; 3],
}

impl Repr {
    /// `tcp_generator.py`'s streaming byte.
    pub fn streaming(&self) -> u8 {
        let [streaming, _] = self.extra;
        streaming
    }
    /// `tcp_generator.py`'s parallel byte.
    pub fn parallel(&self) -> u8 {
        let [_, parallel] = self.extra;
        parallel
    }
    /// `binary.py`'s throughput.
    pub fn throughput(&self) -> u16 {
        u16::from_be_bytes(self.extra)
    }

    /// Checks length and checksum (the only framing the layout has).
    pub fn parse<T: AsRef<[u8]>>(d: &Descriptor<T>) -> Result<Self> {
        d.check_len()?;
        check_checksum16(d.checksum(), d.compute_checksum())?;
        Ok(Self {
            command_hash: d.command_hash(),
            version: d.version(),
            flags: d.flags(),
            memory_mb: d.memory_mb(),
            cpu_percent: d.cpu_percent(),
            extra: d.extra(),
            reserved: d.reserved(),
        })
    }

    /// Writes the record exactly as the generator does.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, d: &mut Descriptor<T>) {
        let b = d.buffer.as_mut();
        write_bytes(b, field::HASH, &self.command_hash);
        write_u16(b, field::VERSION, self.version);
        write_u32(b, field::FLAGS, self.flags);
        write_u16(b, field::MEMORY_MB, self.memory_mb);
        write_u8(b, field::CPU_PERCENT, self.cpu_percent);
        write_bytes(b, field::EXTRA, &self.extra);
        write_bytes(b, field::RESERVED, &self.reserved);
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

    /// Interprets the flags (risk is always `None`).
    pub fn decode(&self, mode: Mode) -> Result<Decoded> {
        let mut lenient = Vec::new();
        let [a, b, c] = self.reserved;
        check_reserved(u32::from_be_bytes([0, a, b, c]), mode, &mut lenient)?;
        check_reserved(self.flags & !DEFINED_BITS, mode, &mut lenient)?;
        Ok(Decoded {
            dialect: Dialect::Gen20,
            command_hash: Some(self.command_hash),
            risk: None,
            capabilities: translate_flags(self.flags, &FLAG_TABLE),
            raw_flags: self.flags,
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

    // sandbox/tool_registry.json, "curl" (version 8.13 -> 813).
    const CURL: &str = "f6e57c9d032d00000300000a0a0000000000fab0";

    #[test]
    fn deconstruct_real_record() {
        let bytes = hex::decode(CURL).unwrap();
        let repr = Repr::parse(&Descriptor::new_checked(&bytes[..]).unwrap()).unwrap();
        assert_eq!(repr.command_hash, crate::hash::command_hash("curl"));
        assert_eq!(
            (repr.version, repr.flags, repr.memory_mb, repr.cpu_percent),
            (813, 0x300, 10, 10)
        );
        assert_eq!(repr.to_bytes().to_vec(), bytes);
        let d = repr.decode(Mode::Strict).unwrap();
        assert_eq!(d.risk, None);
        assert_eq!(d.flag_names(), vec!["LOW_MEMORY", "LOW_CPU"]);
    }
}
