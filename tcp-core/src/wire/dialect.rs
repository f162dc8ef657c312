//! Dialects: which layout a record is in, and the value all of them decode to.

use core::fmt;

use crate::error::{Error, Result};
use crate::risk::{Capabilities, RiskLevel};
use crate::wire::{canonical, v2_kb};

/// Strict checks, or the prototype's data as its own readers accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Every check; anything odd is an error.
    #[default]
    Strict,
    /// Tolerates what upstream readers tolerate, and records each tolerance.
    Lenient,
}

/// Something a lenient read tolerated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leniency {
    /// No risk bit was set: risk is unknown.
    NoRiskBit,
    /// Several risk bits were set: the highest was taken.
    MultipleRiskBits {
        /// The risk bits found.
        bits: u32,
    },
    /// Reserved bits were set and ignored.
    ReservedBitsSet {
        /// The bits ignored.
        bits: u32,
    },
}

impl fmt::Display for Leniency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoRiskBit => f.write_str("no risk bit set; risk unknown"),
            Self::MultipleRiskBits { bits } => {
                write!(f, "several risk bits {bits:#07b}; took the highest")
            }
            Self::ReservedBitsSet { bits } => write!(f, "reserved bits {bits:#x} ignored"),
        }
    }
}

/// A layout. Each has its own flag table and checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Dialect {
    /// libtcp's own C24 v1 (24 bytes, CRC-32C).
    Canonical,
    /// v1-core20: `tcp/core/descriptors.py` (20 bytes, CRC-32 at 4).
    V1Core20,
    /// v2-spec: the specification's generator (24 bytes, CRC-32 low 16, u16 exec).
    V2Spec,
    /// v2-mcp: the MCP server's layout (24 bytes, CRC-32 low 16, u32 exec).
    V2Mcp,
    /// v2-kb: the knowledge base (24 bytes, byte sum).
    V2Kb,
    /// v2-ingest: man-page ingestion (24 bytes, no version, numeric risk).
    V2Ingest,
    /// gen20: `tcp/generators` (20 bytes, no magic, CRC-16/MODBUS).
    Gen20,
    /// enriched22: `tcp/enrichment` (22 bytes, no magic, CRC-16/MODBUS).
    Enriched22,
    /// v3 hierarchical parent (16 bytes).
    V3Parent16,
    /// v3 hierarchical delta, 6-byte form (no checksum).
    V3Delta6,
    /// v3 hierarchical delta, 7-byte form (no checksum).
    V3Delta7,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 11] = [
        Self::Canonical,
        Self::V1Core20,
        Self::V2Spec,
        Self::V2Mcp,
        Self::V2Kb,
        Self::V2Ingest,
        Self::Gen20,
        Self::Enriched22,
        Self::V3Parent16,
        Self::V3Delta6,
        Self::V3Delta7,
    ];

    /// The stable name (as in FORMATS.md; ours is `c24`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Canonical => "c24",
            Self::V1Core20 => "v1-core20",
            Self::V2Spec => "v2-spec",
            Self::V2Mcp => "v2-mcp",
            Self::V2Kb => "v2-kb",
            Self::V2Ingest => "v2-ingest",
            Self::Gen20 => "gen20",
            Self::Enriched22 => "enriched22",
            Self::V3Parent16 => "v3-parent16",
            Self::V3Delta6 => "v3-delta6",
            Self::V3Delta7 => "v3-delta7",
        }
    }

    /// The dialect with a name.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::UnknownDialect {
                name: name.to_owned(),
            })
    }

    /// Record length in bytes.
    pub const fn record_len(self) -> usize {
        match self {
            Self::Canonical | Self::V2Spec | Self::V2Mcp | Self::V2Kb | Self::V2Ingest => 24,
            Self::V1Core20 | Self::Gen20 => 20,
            Self::Enriched22 => 22,
            Self::V3Parent16 => 16,
            Self::V3Delta6 => 6,
            Self::V3Delta7 => 7,
        }
    }

    /// True if the layout carries a checksum (v3 deltas do not).
    pub const fn has_checksum(self) -> bool {
        !matches!(self, Self::V3Delta6 | Self::V3Delta7)
    }

    /// The dialect's own names of the capability bits set in `flags`, in bit order.
    pub fn flag_names(self, flags: u32) -> Vec<&'static str> {
        match self {
            Self::Canonical => Capabilities::from_bits_truncate((flags & 0xFFFF) as u16).names(),
            Self::V2Kb => crate::wire::flag_names(flags, &v2_kb::FLAG_TABLE),
            _ => Vec::new(),
        }
    }

    /// Decodes one record in this dialect.
    pub fn decode(self, bytes: &[u8], mode: Mode) -> Result<Decoded> {
        match self {
            Self::Canonical => {
                let repr = canonical::Repr::parse(&canonical::Descriptor::new_checked(bytes)?)?;
                Ok(Decoded::from_canonical(&repr))
            }
            Self::V2Kb => v2_kb::Repr::parse(&v2_kb::Descriptor::new_checked(bytes)?)?.decode(mode),
            other => Err(Error::UnknownDialect {
                name: format!("{} (not implemented yet)", other.as_str()),
            }),
        }
    }

    /// True if the record's framing (length, magic, version, checksum) verifies
    /// under this dialect, whatever its flags say.
    pub fn framing_verifies(self, bytes: &[u8]) -> bool {
        match self.decode(bytes, Mode::Lenient) {
            Ok(_) => true,
            Err(e) => !matches!(
                e.code(),
                crate::ErrorCode::WrongLength
                    | crate::ErrorCode::BadMagic
                    | crate::ErrorCode::UnsupportedVersion
                    | crate::ErrorCode::ChecksumMismatch
                    | crate::ErrorCode::UnknownDialect
            ),
        }
    }

    /// Identifies a record by which dialects' framing verifies.
    ///
    /// v2-spec and v2-mcp share magic, version and checksum, so a record that
    /// verifies as one verifies as the other; [`Detection::Ambiguous`] says so
    /// and carries the plausibility heuristic's preference instead of hiding it.
    pub fn detect(bytes: &[u8]) -> Detection {
        let candidates: Vec<Dialect> = Self::ALL
            .iter()
            .copied()
            .filter(|d| d.has_checksum() && d.framing_verifies(bytes))
            .collect();
        match candidates.as_slice() {
            [] => Detection::None,
            [one] => Detection::Unique(*one),
            _ => Detection::Ambiguous(candidates),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of [`Dialect::detect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detection {
    /// No dialect's checksum verifies.
    None,
    /// Exactly one dialect verifies.
    Unique(Dialect),
    /// Several verify (in practice v2-spec and v2-mcp); listed in [`Dialect::ALL`] order.
    Ambiguous(Vec<Dialect>),
}

/// A record of any dialect, decoded into libtcp's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The layout it was read as.
    pub dialect: Dialect,
    /// `md5(name)[..4]`, where the layout carries it.
    pub command_hash: Option<[u8; 4]>,
    /// The risk level; `None` where the layout has none or a lenient read found none.
    pub risk: Option<RiskLevel>,
    /// Capabilities translated from the dialect's own table.
    pub capabilities: Capabilities,
    /// The raw flag word as stored.
    pub raw_flags: u32,
    /// Typical execution time, ms, where the layout has it.
    pub exec_ms: Option<u32>,
    /// Typical memory, MiB, where the layout has it.
    pub memory_mb: Option<u32>,
    /// Typical output, KiB, where the layout has it.
    pub output_kb: Option<u32>,
    /// What a lenient read tolerated (empty for strict reads).
    pub lenient: Vec<Leniency>,
}

impl Decoded {
    /// From libtcp's own format.
    pub fn from_canonical(r: &canonical::Repr) -> Self {
        Self {
            dialect: Dialect::Canonical,
            command_hash: Some(r.command_hash),
            risk: Some(r.risk),
            capabilities: r.capabilities,
            raw_flags: u32::from(r.capabilities.bits()),
            exec_ms: Some(r.exec_ms),
            memory_mb: Some(u32::from(r.memory_mb)),
            output_kb: Some(u32::from(r.output_kb)),
            lenient: Vec::new(),
        }
    }

    /// The dialect's own names of the set flag bits, in bit order.
    pub fn flag_names(&self) -> Vec<&'static str> {
        self.dialect.flag_names(self.raw_flags)
    }

    /// True if a lenient read tolerated anything.
    pub fn was_lenient(&self) -> bool {
        !self.lenient.is_empty()
    }
}
