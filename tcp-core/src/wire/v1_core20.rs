//! v1-core20: `tcp/core/descriptors.py: BinaryCapabilityDescriptor` (20 bytes).
//!
//! ```text
//! off size field
//!  0   4   magic "TCP\x01"
//!  4   4   crc32(b[0..4] ++ b[8..20]) u32   (zlib's CRC-32, skipping itself)
//!  8   4   capability flags u32              (table below; bits 24..31 undefined)
//! 12   1   command_count u8                  (saturated at 255)
//! 13   1   format_count u8                   (saturated at 255)
//! 14   2   max_file_size_mb u16              (saturated at 65535)
//! 16   2   avg_processing_time_ms u16        (saturated at 65535)
//! 18   2   reserved = 0                      (covered by the CRC)
//! ```
//! There is no risk and no command hash in v1: a record decodes with risk
//! `None` in both modes, and a name cannot be verified against it. The flags
//! describe features (formats, processing modes), so only the two network
//! bits and FILE_OUTPUT translate to libtcp capabilities.
//! Provenance: FORMATS.md §1 (vectors computed by running upstream).

use crate::checksum::crc32;
use crate::error::Result;
use crate::risk::Capabilities;
use crate::wire::{
    Decoded, Dialect, Field, Leniency, Mode, check_checksum32, check_magic, check_reserved,
    read_u8, read_u16, read_u32, translate_flags, write_u8, write_u16, write_u32,
};

/// The magic bytes.
pub const MAGIC: [u8; 4] = *b"TCP\x01";
/// Record length in bytes.
pub const LEN: usize = 20;
/// Every flag bit the layout defines (0..=23).
pub const DEFINED_BITS: u32 = 0x00FF_FFFF;

/// `CapabilityFlags`: bit, upstream's name, libtcp capability (empty where
/// the bit names a feature, not a power).
pub const FLAG_TABLE: [(u32, &str, Capabilities); 24] = [
    (1 << 0, "SUPPORTS_FILES", Capabilities::EMPTY),
    (1 << 1, "SUPPORTS_STDIN", Capabilities::EMPTY),
    (1 << 2, "SUPPORTS_NETWORK", Capabilities::NETWORK_ACCESS),
    (1 << 3, "SUPPORTS_BASE64", Capabilities::EMPTY),
    (1 << 4, "AUTO_DETECTION", Capabilities::EMPTY),
    (1 << 5, "BATCH_PROCESSING", Capabilities::EMPTY),
    (1 << 6, "PARALLEL_PROCESSING", Capabilities::EMPTY),
    (1 << 7, "GPU_ACCELERATION", Capabilities::EMPTY),
    (1 << 8, "REALTIME_PROCESSING", Capabilities::EMPTY),
    (1 << 9, "ASYNC_PROCESSING", Capabilities::EMPTY),
    (1 << 10, "STREAM_PROCESSING", Capabilities::EMPTY),
    (1 << 11, "CACHING_SUPPORT", Capabilities::EMPTY),
    (1 << 12, "RATE_LIMITING", Capabilities::EMPTY),
    (1 << 13, "AUTH_REQUIRED", Capabilities::EMPTY),
    (1 << 14, "STATELESS", Capabilities::EMPTY),
    (1 << 15, "IDEMPOTENT", Capabilities::EMPTY),
    (1 << 16, "JSON_OUTPUT", Capabilities::EMPTY),
    (1 << 17, "XML_OUTPUT", Capabilities::EMPTY),
    (1 << 18, "BINARY_OUTPUT", Capabilities::EMPTY),
    (1 << 19, "STREAMING_OUTPUT", Capabilities::EMPTY),
    (1 << 20, "FILE_OUTPUT", Capabilities::FILE_MODIFICATION),
    (1 << 21, "NETWORK_OUTPUT", Capabilities::NETWORK_ACCESS),
    (1 << 22, "COMPRESSED_OUTPUT", Capabilities::EMPTY),
    (1 << 23, "ENCRYPTED_OUTPUT", Capabilities::EMPTY),
];

/// Byte ranges of the fields.
pub mod field {
    use super::Field;
    /// Magic.
    pub const MAGIC: Field = 0..4;
    /// CRC-32 over [`MAGIC`] and [`COVERED_TAIL`].
    pub const CHECKSUM: Field = 4..8;
    /// Capability flags.
    pub const FLAGS: Field = 8..12;
    /// Command count.
    pub const COMMAND_COUNT: usize = 12;
    /// Format count.
    pub const FORMAT_COUNT: usize = 13;
    /// Maximum file size (MB).
    pub const MAX_FILE_SIZE_MB: Field = 14..16;
    /// Average processing time (ms).
    pub const AVG_PROCESSING_MS: Field = 16..18;
    /// Reserved.
    pub const RESERVED: Field = 18..20;
    /// The bytes after the checksum that it covers.
    pub const COVERED_TAIL: Field = 8..20;
}

/// A read/write view of a v1-core20 record.
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
    /// The stored checksum.
    pub fn checksum(&self) -> u32 {
        read_u32(self.bytes(), field::CHECKSUM)
    }
    /// The raw capability flags.
    pub fn flags(&self) -> u32 {
        read_u32(self.bytes(), field::FLAGS)
    }
    /// Number of commands (saturated).
    pub fn command_count(&self) -> u8 {
        read_u8(self.bytes(), field::COMMAND_COUNT)
    }
    /// Number of input and output formats (saturated).
    pub fn format_count(&self) -> u8 {
        read_u8(self.bytes(), field::FORMAT_COUNT)
    }
    /// Maximum file size in MB.
    pub fn max_file_size_mb(&self) -> u16 {
        read_u16(self.bytes(), field::MAX_FILE_SIZE_MB)
    }
    /// Average processing time in ms.
    pub fn avg_processing_ms(&self) -> u16 {
        read_u16(self.bytes(), field::AVG_PROCESSING_MS)
    }
    /// The reserved field.
    pub fn reserved(&self) -> u16 {
        read_u16(self.bytes(), field::RESERVED)
    }
    /// The checksum computed over magic and tail (`zlib.crc32(b[0:4] + b[8:20])`).
    pub fn compute_checksum(&self) -> u32 {
        let mut covered = [0u8; 16];
        let (head, tail) = covered.split_at_mut(4);
        head.copy_from_slice(&self.magic());
        if let Some(t) = self.bytes().get(field::COVERED_TAIL) {
            if t.len() == tail.len() {
                tail.copy_from_slice(t);
            }
        }
        crc32(&covered)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Descriptor<T> {
    /// Recomputes and stores the checksum.
    pub fn fill_checksum(&mut self) {
        let c = self.compute_checksum();
        write_u32(self.buffer.as_mut(), field::CHECKSUM, c);
    }
}

/// The value of a v1-core20 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Capability flags.
    pub flags: u32,
    /// Number of commands (saturated at 255).
    pub command_count: u8,
    /// Number of formats (saturated at 255).
    pub format_count: u8,
    /// Maximum file size, MB.
    pub max_file_size_mb: u16,
    /// Average processing time, ms.
    pub avg_processing_ms: u16,
    /// The reserved field (0 as written).
    pub reserved: u16,
}

impl Repr {
    /// Checks length, magic and checksum (what upstream `from_bytes` checks).
    pub fn parse<T: AsRef<[u8]>>(d: &Descriptor<T>) -> Result<Self> {
        d.check_len()?;
        check_magic(&d.magic(), &MAGIC)?;
        check_checksum32(d.checksum(), d.compute_checksum())?;
        Ok(Self {
            flags: d.flags(),
            command_count: d.command_count(),
            format_count: d.format_count(),
            max_file_size_mb: d.max_file_size_mb(),
            avg_processing_ms: d.avg_processing_ms(),
            reserved: d.reserved(),
        })
    }

    /// Writes the record exactly as upstream `to_bytes` does.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, d: &mut Descriptor<T>) {
        let b = d.buffer.as_mut();
        write_u32(b, field::MAGIC, u32::from_be_bytes(MAGIC));
        write_u32(b, field::FLAGS, self.flags);
        write_u8(b, field::COMMAND_COUNT, self.command_count);
        write_u8(b, field::FORMAT_COUNT, self.format_count);
        write_u16(b, field::MAX_FILE_SIZE_MB, self.max_file_size_mb);
        write_u16(b, field::AVG_PROCESSING_MS, self.avg_processing_ms);
        write_u16(b, field::RESERVED, self.reserved);
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

    /// Interprets the flags. Strict mode rejects a non-zero reserved field
    /// and undefined flag bits; risk is always `None` (v1 has none).
    pub fn decode(&self, mode: Mode) -> Result<Decoded> {
        let mut lenient: Vec<Leniency> = Vec::new();
        check_reserved(u32::from(self.reserved), mode, &mut lenient)?;
        check_reserved(self.flags & !DEFINED_BITS, mode, &mut lenient)?;
        Ok(Decoded {
            dialect: Dialect::V1Core20,
            command_hash: None,
            risk: None,
            capabilities: translate_flags(self.flags, &FLAG_TABLE),
            raw_flags: self.flags,
            exec_ms: Some(u32::from(self.avg_processing_ms)),
            memory_mb: None,
            output_kb: None,
            lenient,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    // FORMATS.md §1: tests/conftest.py sample_binary_descriptor.
    const SAMPLE: &str = "544350018bdf297a000000010102006401b40000";

    #[test]
    fn deconstruct_upstream_vector() {
        let bytes = hex::decode(SAMPLE).unwrap();
        let repr = Repr::parse(&Descriptor::new_checked(&bytes[..]).unwrap()).unwrap();
        assert_eq!(
            repr,
            Repr {
                flags: 1,
                command_count: 1,
                format_count: 2,
                max_file_size_mb: 100,
                avg_processing_ms: 436,
                reserved: 0,
            }
        );
        assert_eq!(repr.to_bytes().to_vec(), bytes);
        let d = repr.decode(Mode::Strict).unwrap();
        assert_eq!((d.risk, d.flag_names()), (None, vec!["SUPPORTS_FILES"]));
    }

    #[test]
    fn checksum_covers_offset_10_and_reserved() {
        let good = hex::decode(SAMPLE).unwrap();
        for off in [10, 18] {
            let mut b = good.clone();
            b[off] ^= 1;
            assert!(matches!(
                Repr::parse(&Descriptor::new_unchecked(&b[..])),
                Err(Error::ChecksumMismatch { .. })
            ));
        }
        let mut repr = Repr::parse(&Descriptor::new_unchecked(&good[..])).unwrap();
        repr.reserved = 1;
        assert_eq!(
            repr.decode(Mode::Strict),
            Err(Error::ReservedBitsSet { bits: 1 })
        );
        assert!(repr.decode(Mode::Lenient).unwrap().was_lenient());
    }
}
