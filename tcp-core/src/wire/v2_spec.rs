//! v2-spec: the specification's 24-byte layout (`TCP_SPECIFICATION.md` §7.1
//! and the research scripts, e.g. `comprehensive_hierarchical_tcp.py`).
//!
//! ```text
//! off size field
//!  0   4   magic "TCP\x02"
//!  4   2   version u16 = 2
//!  6   4   md5(command)[..4]           (command = the full string, "git add")
//! 10   4   security flags u32          (table below)
//! 14   2   exec_ms u16
//! 16   2   memory_mb u16
//! 18   2   output_kb u16               (research scripts: binary size / 1024)
//! 20   2   len(command) u16            (Python `len`: characters, not bytes)
//! 22   2   crc32(b[0..22]) & 0xFFFF    (the low half of zlib's CRC-32)
//! ```
//! Flags (spec §2.2): bits 0..4 one-hot risk, 6 REQUIRES_ROOT, 7 DESTRUCTIVE,
//! 8 NETWORK_ACCESS, 9 FILE_MODIFICATION, 10 SYSTEM_MODIFICATION,
//! 11 PRIVILEGE_ESCALATION; 5 and 12..15 reserved, 16..31 "vendor-specific"
//! (undefined, so strict mode rejects them too).
//!
//! v2-mcp has the same magic, version, flags and checksum with other
//! performance offsets; the two cannot be told apart by their framing
//! (see [`Dialect::detect`](crate::wire::Dialect::detect)).
//! Provenance: FORMATS.md §2.1, §2.5; all 184 records of
//! `comprehensive_tcp_analysis_20250703_141403.json` follow it.

use crate::checksum::crc32_low16;
use crate::error::{Error, Result};
use crate::risk::Capabilities;
use crate::wire::{
    Decoded, Dialect, Field, Mode, check_checksum16, check_magic, decode_onehot, read_u16,
    read_u32, translate_flags, write_u16, write_u32,
};

/// The magic bytes.
pub const MAGIC: [u8; 4] = *b"TCP\x02";
/// The version field's value.
pub const VERSION: u16 = 2;
/// Record length in bytes.
pub const LEN: usize = 24;
/// Every bit the layout defines (risk 0..4, capabilities 6..11).
pub const DEFINED_BITS: u32 = 0x1F | 0x0FC0;

/// The flag table of spec §2.2 (shared by v2-mcp): bit, the spec's name, libtcp capability.
pub const FLAG_TABLE: [(u32, &str, Capabilities); 6] = [
    (1 << 6, "REQUIRES_ROOT", Capabilities::REQUIRES_ROOT),
    (1 << 7, "DESTRUCTIVE", Capabilities::DESTRUCTIVE),
    (1 << 8, "NETWORK_ACCESS", Capabilities::NETWORK_ACCESS),
    (1 << 9, "FILE_MODIFICATION", Capabilities::FILE_MODIFICATION),
    (
        1 << 10,
        "SYSTEM_MODIFICATION",
        Capabilities::SYSTEM_MODIFICATION,
    ),
    (
        1 << 11,
        "PRIVILEGE_ESCALATION",
        Capabilities::PRIVILEGE_ESCALATION,
    ),
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
    pub const EXEC_MS: Field = 14..16;
    /// Memory (MiB).
    pub const MEMORY_MB: Field = 16..18;
    /// Output (KiB).
    pub const OUTPUT_KB: Field = 18..20;
    /// Length of the command string in characters.
    pub const COMMAND_LEN: Field = 20..22;
    /// Bytes the checksum covers.
    pub const COVERED: Field = 0..22;
    /// CRC-32 low half.
    pub const CHECKSUM: Field = 22..24;
}

/// A read/write view of a v2-spec record.
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
    pub fn exec_ms(&self) -> u16 {
        read_u16(self.bytes(), field::EXEC_MS)
    }
    /// Memory in MiB.
    pub fn memory_mb(&self) -> u16 {
        read_u16(self.bytes(), field::MEMORY_MB)
    }
    /// Output in KiB.
    pub fn output_kb(&self) -> u16 {
        read_u16(self.bytes(), field::OUTPUT_KB)
    }
    /// The command's length in characters.
    pub fn command_len(&self) -> u16 {
        read_u16(self.bytes(), field::COMMAND_LEN)
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

/// The value of a v2-spec record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// `md5(command)[..4]`.
    pub command_hash: [u8; 4],
    /// Raw security flags.
    pub flags: u32,
    /// Execution time, ms.
    pub exec_ms: u16,
    /// Memory, MiB.
    pub memory_mb: u16,
    /// Output, KiB.
    pub output_kb: u16,
    /// The command's length in characters.
    pub command_len: u16,
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
            command_len: d.command_len(),
        })
    }

    /// Writes the record exactly as the specification's generator does.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, d: &mut Descriptor<T>) {
        let b = d.buffer.as_mut();
        write_u32(b, field::MAGIC, u32::from_be_bytes(MAGIC));
        write_u16(b, field::VERSION, VERSION);
        write_u32(b, field::HASH, u32::from_be_bytes(self.command_hash));
        write_u32(b, field::FLAGS, self.flags);
        write_u16(b, field::EXEC_MS, self.exec_ms);
        write_u16(b, field::MEMORY_MB, self.memory_mb);
        write_u16(b, field::OUTPUT_KB, self.output_kb);
        write_u16(b, field::COMMAND_LEN, self.command_len);
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
            dialect: Dialect::V2Spec,
            command_hash: Some(self.command_hash),
            risk,
            capabilities: translate_flags(self.flags, &FLAG_TABLE),
            raw_flags: self.flags,
            exec_ms: Some(u32::from(self.exec_ms)),
            memory_mb: Some(u32::from(self.memory_mb)),
            output_kb: Some(u32::from(self.output_kb)),
            lenient,
        })
    }

    /// Checks the record against the command it is said to describe: the md5
    /// prefix (constant time) and the length field, which this layout also carries.
    pub fn verify_name(&self, name: &str) -> Result<()> {
        crate::wire::verify_hash(Some(self.command_hash), Dialect::V2Spec, name)?;
        let chars = name.chars().count();
        if usize::from(self.command_len) == chars {
            Ok(())
        } else {
            Err(Error::BadName {
                detail: format!(
                    "length field {} does not match {name:?} ({chars} characters)",
                    self.command_len
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::RiskLevel;

    // comprehensive_tcp_analysis_20250703_141403.json, "rm" (FORMATS.md §2.2).
    const RM: &str = "544350020002d67f249b000006d0271003e800320002ef04";

    #[test]
    fn deconstruct_real_record() {
        let bytes = hex::decode(RM).unwrap();
        let repr = Repr::parse(&Descriptor::new_checked(&bytes[..]).unwrap()).unwrap();
        assert_eq!(
            (repr.exec_ms, repr.memory_mb, repr.output_kb),
            (10_000, 1000, 50)
        );
        assert_eq!(repr.command_len, 2);
        repr.verify_name("rm").unwrap();
        assert!(matches!(
            repr.verify_name("rmdir"),
            Err(Error::HashMismatch { .. })
        ));
        let d = repr.decode(Mode::Strict).unwrap();
        assert_eq!(d.risk, Some(RiskLevel::Critical));
        assert_eq!(
            d.flag_names(),
            vec![
                "REQUIRES_ROOT",
                "DESTRUCTIVE",
                "FILE_MODIFICATION",
                "SYSTEM_MODIFICATION"
            ]
        );
        assert_eq!(repr.to_bytes().to_vec(), bytes);
    }

    #[test]
    fn reserved_bit_five() {
        let mut repr =
            Repr::parse(&Descriptor::new_unchecked(&hex::decode(RM).unwrap()[..])).unwrap();
        repr.flags |= 1 << 5;
        assert_eq!(
            repr.decode(Mode::Strict),
            Err(Error::ReservedBitsSet { bits: 0x20 })
        );
        assert!(repr.decode(Mode::Lenient).unwrap().was_lenient());
    }
}
