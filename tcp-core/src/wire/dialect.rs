//! Dialects: which layout a record is in, and the value all of them decode to.

use core::fmt;

use crate::error::{Error, Result};
use crate::risk::{Capabilities, RiskLevel};
use crate::wire::{canonical, enriched22, gen20, v1_core20, v2_ingest, v2_kb, v2_mcp, v2_spec, v3};

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
    /// v2-ingest: the flags' score and the score field disagree (or one is
    /// invalid); the higher valid reading was taken.
    RiskFieldsDisagree {
        /// `(flags >> 1) & 0xF`.
        flags_score: u32,
        /// The u16 at offset 8 (score times 1000).
        field: u32,
    },
    /// v3: parent floor plus delta exceeded CRITICAL; CRITICAL was taken.
    RiskSaturated {
        /// The sum.
        raw: u32,
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
            Self::RiskFieldsDisagree { flags_score, field } => write!(
                f,
                "risk fields disagree (flags score {flags_score}, field {field}); took the higher"
            ),
            Self::RiskSaturated { raw } => write!(f, "risk {raw} above CRITICAL; took CRITICAL"),
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

    /// True if the layout carries a command hash that can be checked
    /// against a name (not v1-core20; not v3 deltas, whose hash byte is salted).
    pub const fn carries_command_hash(self) -> bool {
        !matches!(self, Self::V1Core20 | Self::V3Delta6 | Self::V3Delta7)
    }

    /// The dialect's own names of the capability bits set in `flags`, in bit order.
    /// Risk bits are not named (they become [`Decoded::risk`]).
    pub fn flag_names(self, flags: u32) -> Vec<&'static str> {
        use crate::wire::flag_names as names;
        match self {
            Self::Canonical => Capabilities::from_bits_truncate((flags & 0xFFFF) as u16).names(),
            Self::V1Core20 => names(flags, &v1_core20::FLAG_TABLE),
            Self::V2Spec => names(flags, &v2_spec::FLAG_TABLE),
            Self::V2Mcp => names(flags, &v2_mcp::FLAG_TABLE),
            Self::V2Kb => names(flags, &v2_kb::FLAG_TABLE),
            Self::V2Ingest => names(flags, &v2_ingest::FLAG_TABLE),
            Self::Gen20 => names(flags, &gen20::FLAG_TABLE),
            Self::Enriched22 => names(flags, &enriched22::FLAG_TABLE),
            Self::V3Parent16 => names(flags, &v3::PARENT_FLAG_TABLE),
            Self::V3Delta6 | Self::V3Delta7 => names(flags, &v3::DELTA_FLAG_TABLE),
        }
    }

    /// Decodes one record in this dialect.
    ///
    /// Framing (length, magic, version, checksum) is checked in both modes;
    /// `mode` decides what happens with odd flags (see [`Mode`]).
    pub fn decode(self, bytes: &[u8], mode: Mode) -> Result<Decoded> {
        match self {
            Self::Canonical => {
                let repr = canonical::Repr::parse(&canonical::Descriptor::new_checked(bytes)?)?;
                Ok(Decoded::from_canonical(&repr))
            }
            Self::V1Core20 => {
                v1_core20::Repr::parse(&v1_core20::Descriptor::new_checked(bytes)?)?.decode(mode)
            }
            Self::V2Spec => {
                v2_spec::Repr::parse(&v2_spec::Descriptor::new_checked(bytes)?)?.decode(mode)
            }
            Self::V2Mcp => {
                v2_mcp::Repr::parse(&v2_mcp::Descriptor::new_checked(bytes)?)?.decode(mode)
            }
            Self::V2Kb => v2_kb::Repr::parse(&v2_kb::Descriptor::new_checked(bytes)?)?.decode(mode),
            Self::V2Ingest => {
                v2_ingest::Repr::parse(&v2_ingest::Descriptor::new_checked(bytes)?)?.decode(mode)
            }
            Self::Gen20 => {
                gen20::Repr::parse(&gen20::Descriptor::new_checked(bytes)?)?.decode(mode)
            }
            Self::Enriched22 => {
                enriched22::Repr::parse(&enriched22::Descriptor::new_checked(bytes)?)?.decode(mode)
            }
            Self::V3Parent16 => {
                v3::ParentRepr::parse(&v3::ParentDescriptor::new_checked(bytes)?)?.decode(mode)
            }
            Self::V3Delta6 | Self::V3Delta7 => {
                crate::wire::check_exact_len(bytes, self.record_len())?;
                v3::DeltaRepr::parse(&v3::DeltaDescriptor::new_checked(bytes)?)?.decode(mode)
            }
        }
    }

    /// Decodes a record and checks it describes `name` (the md5 prefix, in
    /// constant time; for v2-spec also the length field). Layouts without a
    /// verifiable hash fail with [`Error::BadName`]: they cannot vouch for a name.
    pub fn decode_named(self, bytes: &[u8], name: &str, mode: Mode) -> Result<Decoded> {
        let decoded = self.decode(bytes, mode)?;
        if self == Self::V2Spec {
            v2_spec::Repr::parse(&v2_spec::Descriptor::new_checked(bytes)?)?.verify_name(name)?;
        }
        decoded.verify_name(name)?;
        Ok(decoded)
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

    /// Identifies a record by which dialects' framing (length, magic,
    /// version, checksum) verifies. v3 deltas have no checksum and are never
    /// detected.
    ///
    /// v2-spec and v2-mcp share magic, version and checksum, and v2-ingest
    /// shares magic and checksum with both: a record of one verifies as all
    /// three. Then [`Detection::Ambiguous`] lists every candidate and a
    /// [`Hint`] from documented plausibility rules ([`Hint`]); the choice
    /// stays the caller's.
    pub fn detect(bytes: &[u8]) -> Detection {
        let candidates: Vec<Dialect> = Self::ALL
            .iter()
            .copied()
            .filter(|d| d.has_checksum() && d.framing_verifies(bytes))
            .collect();
        match candidates.as_slice() {
            [] => Detection::None,
            [one] => Detection::Unique(*one),
            _ => {
                let mut hint = Hint {
                    plausible: Vec::new(),
                    implausible: Vec::new(),
                };
                for d in &candidates {
                    match implausibility(*d, bytes) {
                        None => hint.plausible.push(*d),
                        Some(why) => hint.implausible.push((*d, why)),
                    }
                }
                Detection::Ambiguous { candidates, hint }
            }
        }
    }
}

/// Command lengths the v2-spec plausibility rule accepts (u16 at offset 20).
pub const PLAUSIBLE_COMMAND_LEN: core::ops::RangeInclusive<u16> = 1..=255;

/// Why a candidate that verifies is implausible, if it is (see [`Hint`]).
fn implausibility(dialect: Dialect, bytes: &[u8]) -> Option<&'static str> {
    let specific = match dialect {
        Dialect::V2Spec => {
            let v = v2_spec::Descriptor::new_unchecked(bytes);
            if !PLAUSIBLE_COMMAND_LEN.contains(&v.command_len()) {
                Some(
                    "v2-spec: length field (u16 at 20) is not a plausible command length (1..=255)",
                )
            } else if v.exec_ms() == 0 {
                Some("v2-spec: exec (u16 at 14) is 0, as a v2-mcp exec below 65536 ms reads")
            } else {
                None
            }
        }
        Dialect::V2Mcp => {
            let v = v2_mcp::Descriptor::new_unchecked(bytes);
            (v.exec_ms() > u32::from(u16::MAX)).then_some(
                "v2-mcp: exec (u32 at 14) above 65535 ms, as a v2-spec exec/memory pair reads",
            )
        }
        Dialect::V2Ingest => {
            let v = v2_ingest::Descriptor::new_unchecked(bytes);
            let repr = v2_ingest::Repr::parse(&v).ok()?;
            match (repr.flags_risk(), repr.field_risk()) {
                (Some(a), Some(b)) if a == b => None,
                _ => Some("v2-ingest: risk score in the flags and the u16 at 8 disagree"),
            }
        }
        _ => None,
    };
    specific.or_else(|| {
        dialect
            .decode(bytes, Mode::Strict)
            .err()
            .map(|e| e.code().as_str())
    })
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
    /// Several verify (in practice v2-spec, v2-mcp and v2-ingest).
    Ambiguous {
        /// Every dialect whose framing verifies, in [`Dialect::ALL`] order.
        candidates: Vec<Dialect>,
        /// What the plausibility rules say about each: a hint, never a verdict.
        hint: Hint,
    },
}

impl Detection {
    /// The dialects whose framing verifies.
    pub fn candidates(&self) -> Vec<Dialect> {
        match self {
            Self::None => Vec::new(),
            Self::Unique(d) => vec![*d],
            Self::Ambiguous { candidates, .. } => candidates.clone(),
        }
    }

    /// The one dialect, or a typed error: [`Error::AmbiguousDialect`] when
    /// several verify (whatever the hint says), [`Error::UnknownDialect`] when none does.
    pub fn unique(&self) -> Result<Dialect> {
        match self {
            Self::Unique(d) => Ok(*d),
            Self::None => Err(Error::UnknownDialect {
                name: "auto (no dialect's checksum verifies)".to_owned(),
            }),
            Self::Ambiguous { candidates, .. } => Err(Error::AmbiguousDialect {
                candidates: candidates.iter().map(|d| d.as_str()).collect(),
            }),
        }
    }
}

/// Plausibility of each candidate of an ambiguous record, by documented
/// rules about what the producers write (FORMATS.md §12 item 5):
///
/// - v2-spec: the u16 at 20 is the command's length, so it must lie in
///   [`PLAUSIBLE_COMMAND_LEN`]; and its u16 exec at 14 is non-zero in every
///   known record (a v2-mcp record with exec < 65536 ms has 0 there).
/// - v2-mcp: the u32 exec at 14 is at most 65535 ms (a v2-spec record read
///   as v2-mcp has exec = spec exec × 65536 + memory).
/// - v2-ingest: the score in flag bits 1..=4 and the u16 at 8 (score × 1000)
///   agree (md5 bytes in the other layouts almost never do).
/// - every candidate: its strict decode succeeds.
///
/// The v2-spec and v2-mcp exec rules are complementary, so on a record of
/// either layout at most one of the two is plausible; a name, if known,
/// decides better ([`Dialect::decode_named`] checks v2-spec's length field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// Candidates that pass every rule, in [`Dialect::ALL`] order.
    pub plausible: Vec<Dialect>,
    /// Candidates that fail one, with the first rule failed.
    pub implausible: Vec<(Dialect, &'static str)>,
}

impl Hint {
    /// The single plausible candidate, if exactly one is.
    pub fn preferred(&self) -> Option<Dialect> {
        match self.plausible.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// A record of any dialect, decoded into libtcp's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The layout it was read as.
    pub dialect: Dialect,
    /// `md5(name)[..4]`, where the layout carries it.
    pub command_hash: Option<[u8; 4]>,
    /// The risk level; `None` where the layout has none (v1-core20, gen20; a v3
    /// parent or delta on its own, see `v3::reconstruct`) or a lenient read found none.
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

    /// Checks that the record describes `name`: its `md5(name)[..4]`
    /// (compared in constant time). Layouts without a verifiable hash
    /// (v1-core20, v3 deltas) fail with [`Error::BadName`]; a mismatch is
    /// [`Error::HashMismatch`]. For v3 parents the name is the family's.
    pub fn verify_name(&self, name: &str) -> Result<()> {
        crate::wire::verify_hash(self.command_hash, self.dialect, name)
    }

    /// True if a lenient read tolerated anything.
    pub fn was_lenient(&self) -> bool {
        !self.lenient.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn names_round_trip() {
        for d in Dialect::ALL {
            assert_eq!(Dialect::parse(d.as_str()), Ok(d));
        }
        assert!(Dialect::parse("v9").is_err());
    }

    #[test]
    fn detection_never_chooses_silently() {
        assert_eq!(Dialect::detect(&[0u8; 24]), Detection::None);
        assert_eq!(
            Detection::None.unique().map_err(|e| e.code()),
            Err(ErrorCode::UnknownDialect)
        );
        // A v2-spec record (comprehensive JSON "rm") verifies as three dialects.
        let rm = [
            0x54, 0x43, 0x50, 0x02, 0x00, 0x02, 0xd6, 0x7f, 0x24, 0x9b, 0x00, 0x00, 0x06, 0xd0,
            0x27, 0x10, 0x03, 0xe8, 0x00, 0x32, 0x00, 0x02, 0xef, 0x04,
        ];
        let det = Dialect::detect(&rm);
        assert_eq!(
            det.candidates(),
            vec![Dialect::V2Spec, Dialect::V2Mcp, Dialect::V2Ingest]
        );
        assert_eq!(
            det.unique().map_err(|e| e.code()),
            Err(ErrorCode::AmbiguousDialect)
        );
        let Detection::Ambiguous { hint, .. } = det else {
            unreachable!("checked above")
        };
        assert_eq!(hint.preferred(), Some(Dialect::V2Spec));
        assert_eq!(hint.implausible.len(), 2);
    }

    #[test]
    fn names_without_a_hash_cannot_be_verified() {
        let v1 = [
            0x54, 0x43, 0x50, 0x01, 0x8b, 0xdf, 0x29, 0x7a, 0, 0, 0, 1, 1, 2, 0, 0x64, 0x01, 0xb4,
            0, 0,
        ];
        let d = Dialect::V1Core20.decode(&v1, Mode::Strict).unwrap();
        assert_eq!(
            d.verify_name("x").map_err(|e| e.code()),
            Err(ErrorCode::BadName)
        );
        assert!(!Dialect::V1Core20.carries_command_hash());
    }
}
