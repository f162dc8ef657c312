//! v2-mcp: the MCP server's 24-byte layout (`mcp-server/tcp_database.py:
//! _generate_tcp_descriptor`, `hierarchical_encoder.py`, `build_canonical_registry.py`).
//!
//! ```text
//! off size field
//!  0   4   magic "TCP\x02"
//!  4   2   version u16 = 2
//!  6   4   md5(command)[..4]
//! 10   4   security flags u32          (spec §2.2 table, as v2-spec)
//! 14   4   exec_ms u32
//! 18   2   memory_mb u16
//! 20   2   output_kb u16
//! 22   2   crc32(b[0..22]) & 0xFFFF
//! ```
//! Magic, version, flags and checksum are v2-spec's, so a record verifies
//! under both; only plausibility separates them
//! ([`Dialect::detect`](crate::wire::Dialect::detect)). The upstream reader
//! maps "no risk bit" to SAFE; we report it as unknown (lenient) or an error (strict).
//! Provenance: FORMATS.md §2.2, §2.5. No real data exists in this layout.

use crate::checksum::crc32_low16;
use crate::error::{Error, Result};
use crate::risk::Capabilities;
use crate::wire::{
    Decoded, Dialect, Field, Mode, check_checksum16, check_magic, decode_onehot, read_u16,
    read_u32, translate_flags, v2_spec, write_u16, write_u32,
};

/// The magic bytes.
pub const MAGIC: [u8; 4] = *b"TCP\x02";
/// The version field's value.
pub const VERSION: u16 = 2;
/// Record length in bytes.
pub const LEN: usize = 24;
/// Every bit the layout defines (the spec table's, as v2-spec).
pub const DEFINED_BITS: u32 = v2_spec::DEFINED_BITS;
/// The flag table: the spec §2.2 names, shared with v2-spec by name and bit.
pub const FLAG_TABLE: [(u32, &str, Capabilities); 6] = v2_spec::FLAG_TABLE;

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
    /// Execution time (ms), u32.
    pub const EXEC_MS: Field = 14..18;
    /// Memory (MiB).
    pub const MEMORY_MB: Field = 18..20;
    /// Output (KiB).
    pub const OUTPUT_KB: Field = 20..22;
    /// Bytes the checksum covers.
    pub const COVERED: Field = 0..22;
    /// CRC-32 low half.
    pub const CHECKSUM: Field = 22..24;
}

/// A read/write view of a v2-mcp record.
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
    /// Execution time in ms.
    pub fn exec_ms(&self) -> u32 {
        read_u32(self.bytes(), field::EXEC_MS)
    }
    /// Memory in MiB.
    pub fn memory_mb(&self) -> u16 {
        read_u16(self.bytes(), field::MEMORY_MB)
    }
    /// Output in KiB.
    pub fn output_kb(&self) -> u16 {
        read_u16(self.bytes(), field::OUTPUT_KB)
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

/// The value of a v2-mcp record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// `md5(command)[..4]`.
    pub command_hash: [u8; 4],
    /// Raw security flags.
    pub flags: u32,
    /// Execution time, ms.
    pub exec_ms: u32,
    /// Memory, MiB.
    pub memory_mb: u16,
    /// Output, KiB.
    pub output_kb: u16,
}

impl Repr {
    /// Checks length, magic, version and checksum (the framing every mode demands).
    pub fn parse<T: AsRef<[u8]>>(d: &Descriptor<T>) -> Result<Self> {
        d.check_len()?;
        check_magic(&d.magic(), &MAGIC)?;
        if d.version() != VERSION {
            return Err(Error::UnsupportedVersion {
                found: u32::from(d.version()),
            });
        }
        check_checksum16(d.checksum(), d.compute_checksum())?;
        Ok(Self {
            command_hash: d.command_hash(),
            flags: d.flags(),
            exec_ms: d.exec_ms(),
            memory_mb: d.memory_mb(),
            output_kb: d.output_kb(),
        })
    }

    /// Writes the record exactly as the MCP server does.
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
        let risk = decode_onehot(self.flags, DEFINED_BITS, mode, &mut lenient)?;
        Ok(Decoded {
            dialect: Dialect::V2Mcp,
            command_hash: Some(self.command_hash),
            risk,
            capabilities: translate_flags(self.flags, &FLAG_TABLE),
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
    use crate::risk::RiskLevel;

    #[test]
    fn construct_and_deconstruct() {
        let repr = Repr {
            command_hash: crate::hash::command_hash("curl"),
            flags: (1 << 2) | (1 << 8),
            exec_ms: 100_000,
            memory_mb: 50,
            output_kb: 1024,
        };
        let bytes = repr.to_bytes();
        assert_eq!(&bytes[14..18], &100_000u32.to_be_bytes());
        assert_eq!(
            Repr::parse(&Descriptor::new_checked(&bytes[..]).unwrap()).unwrap(),
            repr
        );
        let d = repr.decode(Mode::Strict).unwrap();
        assert_eq!(d.risk, Some(RiskLevel::Medium));
        assert_eq!(d.capabilities, Capabilities::NETWORK_ACCESS);
    }

    #[test]
    fn misreads_research_data_as_the_mcp_server_does() {
        // FORMATS.md §2.2: the research "rm" passes the CRC and decodes as 655 361 000 ms.
        let bytes = hex::decode("544350020002d67f249b000006d0271003e800320002ef04").unwrap();
        let repr = Repr::parse(&Descriptor::new_checked(&bytes[..]).unwrap()).unwrap();
        assert_eq!(
            (repr.exec_ms, repr.memory_mb, repr.output_kb),
            (655_361_000, 50, 2)
        );
    }
}
