//! v3 hierarchical encoding: a 16-byte family parent plus a 6- or 7-byte
//! delta per subcommand (`comprehensive_hierarchical_tcp.py`,
//! `tcp_hierarchical_encoding.py`, `mcp-server/hierarchical_encoder.py`).
//!
//! Parent:
//! ```text
//! off size field
//!  0   4   magic "TCP\x03"
//!  4   4   md5(family)[..4]
//!  8   2   common flags u16   0 ALL_REQUIRE_ROOT, 1 LARGE_FAMILY (> 10),
//!                             2 HAS_DESTRUCTIVE, 3 HAS_SAFE_OPS
//! 10   1   subcommand count u8 (saturated at 255)
//! 11   1   risk floor u8: the lowest member level, 0 SAFE .. 4 CRITICAL
//! 12   2   family props u16   0 VERSION_CONTROL, 1 FILESYSTEM, 2 SYSTEM_MANAGEMENT
//! 14   2   crc32(b[0..14]) & 0xFFFF
//! ```
//! Delta (Python `struct.pack('BBHBB[B]')` in native order, so the flags are
//! **little-endian**; no checksum):
//! ```text
//! off size field
//!  0   1   hash(subcommand) & 0xFF: Python's salted str hash, not reproducible
//!  1   1   risk delta = level - floor
//!  2   2   specific flags u16 LE  0 DESTRUCTIVE, 1 FILE_MOD, 2 SYSTEM_MOD,
//!                                 3 NETWORK, 4 PRIV_ESC
//!  4   1   perf = exec_log << 4 | mem_log
//!  5   1   len(subcommand)   (text after the first space, or the whole command)
//!  6   1   len(command)      (7-byte form only)
//! ```
//! A delta cannot be verified: nothing checks its bytes, and its hash byte
//! depends on the producing process's hash seed, so it names no command
//! reproducibly ([`DeltaRepr::verify_name`] checks only the length bytes).
//! A parent decodes with risk `None` (its floor bounds its members, it is
//! not a command's level); [`reconstruct`] combines parent and delta into a
//! member's risk and capabilities as the upstream decoder does.
//! Provenance: FORMATS.md §5; 2 parents and 172 deltas of real data.

use crate::checksum::crc32_low16;
use crate::error::{Error, Result};
use crate::hash::command_hash;
use crate::risk::{Capabilities, RiskLevel};
use crate::wire::{
    Decoded, Dialect, Field, Leniency, Mode, check_checksum16, check_magic, check_reserved,
    read_u8, read_u16, read_u32, translate_flags, v2_spec, write_u8, write_u16, write_u32,
};

/// The parent's magic bytes.
pub const PARENT_MAGIC: [u8; 4] = *b"TCP\x03";
/// Parent length in bytes.
pub const PARENT_LEN: usize = 16;
/// Delta length, short form (`tcp_hierarchical_encoding.py`, MCP encoder).
pub const DELTA6_LEN: usize = 6;
/// Delta length, long form (`comprehensive_hierarchical_tcp.py`).
pub const DELTA7_LEN: usize = 7;

/// Common-flag bits the parent defines.
pub const PARENT_COMMON_BITS: u16 = 0x000F;
/// Family-property bits the parent defines.
pub const PARENT_PROPS_BITS: u16 = 0x0007;
/// Specific-flag bits the delta defines.
pub const DELTA_DEFINED_BITS: u16 = 0x001F;

/// Parent flags: common flags in bits 0..16, family properties in bits 16..32
/// of [`Decoded::raw_flags`]. ALL_REQUIRE_ROOT holds for every member;
/// HAS_DESTRUCTIVE says the family can destroy data (some member does).
pub const PARENT_FLAG_TABLE: [(u32, &str, Capabilities); 7] = [
    (1 << 0, "ALL_REQUIRE_ROOT", Capabilities::REQUIRES_ROOT),
    (1 << 1, "LARGE_FAMILY", Capabilities::EMPTY),
    (1 << 2, "HAS_DESTRUCTIVE", Capabilities::DESTRUCTIVE),
    (1 << 3, "HAS_SAFE_OPS", Capabilities::EMPTY),
    (1 << 16, "VERSION_CONTROL", Capabilities::EMPTY),
    (1 << 17, "FILESYSTEM", Capabilities::EMPTY),
    (1 << 18, "SYSTEM_MANAGEMENT", Capabilities::EMPTY),
];

/// Delta specific flags: bit, the producer's name, libtcp capability.
pub const DELTA_FLAG_TABLE: [(u32, &str, Capabilities); 5] = [
    (1 << 0, "DESTRUCTIVE", Capabilities::DESTRUCTIVE),
    (1 << 1, "FILE_MOD", Capabilities::FILE_MODIFICATION),
    (1 << 2, "SYSTEM_MOD", Capabilities::SYSTEM_MODIFICATION),
    (1 << 3, "NETWORK", Capabilities::NETWORK_ACCESS),
    (1 << 4, "PRIV_ESC", Capabilities::PRIVILEGE_ESCALATION),
];

/// Which v2-spec flag bit each delta bit comes from (`(delta bit, spec bit)`).
const DELTA_FROM_SPEC: [(u16, u32); 5] = [
    (1 << 0, 1 << 7),
    (1 << 1, 1 << 9),
    (1 << 2, 1 << 10),
    (1 << 3, 1 << 8),
    (1 << 4, 1 << 11),
];

/// Byte ranges of the parent's fields.
pub mod parent_field {
    use super::Field;
    /// Magic.
    pub const MAGIC: Field = 0..4;
    /// Family-name hash.
    pub const HASH: Field = 4..8;
    /// Common flags.
    pub const COMMON_FLAGS: Field = 8..10;
    /// Subcommand count.
    pub const SUBCOMMAND_COUNT: usize = 10;
    /// Risk floor.
    pub const RISK_FLOOR: usize = 11;
    /// Family properties.
    pub const FAMILY_PROPS: Field = 12..14;
    /// Bytes the checksum covers.
    pub const COVERED: Field = 0..14;
    /// CRC-32 low half.
    pub const CHECKSUM: Field = 14..16;
}

/// Byte offsets of the delta's fields.
pub mod delta_field {
    use super::Field;
    /// Salted hash byte.
    pub const SALTED_HASH: usize = 0;
    /// Risk delta.
    pub const RISK_DELTA: usize = 1;
    /// Specific flags, little-endian.
    pub const SPECIFIC_FLAGS: Field = 2..4;
    /// Performance nibbles.
    pub const PERF: usize = 4;
    /// Subcommand length.
    pub const SUBCOMMAND_LEN: usize = 5;
    /// Full command length (7-byte form).
    pub const COMMAND_LEN: usize = 6;
}

/// A read/write view of a v3 parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParentDescriptor<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ParentDescriptor<T> {
    view_boilerplate!(PARENT_LEN);

    /// The magic bytes.
    pub fn magic(&self) -> [u8; 4] {
        read_u32(self.bytes(), parent_field::MAGIC).to_be_bytes()
    }
    /// The family-name hash.
    pub fn family_hash(&self) -> [u8; 4] {
        read_u32(self.bytes(), parent_field::HASH).to_be_bytes()
    }
    /// The common flags.
    pub fn common_flags(&self) -> u16 {
        read_u16(self.bytes(), parent_field::COMMON_FLAGS)
    }
    /// The subcommand count.
    pub fn subcommand_count(&self) -> u8 {
        read_u8(self.bytes(), parent_field::SUBCOMMAND_COUNT)
    }
    /// The raw risk floor.
    pub fn risk_floor(&self) -> u8 {
        read_u8(self.bytes(), parent_field::RISK_FLOOR)
    }
    /// The family properties.
    pub fn family_props(&self) -> u16 {
        read_u16(self.bytes(), parent_field::FAMILY_PROPS)
    }
    /// The stored checksum.
    pub fn checksum(&self) -> u16 {
        read_u16(self.bytes(), parent_field::CHECKSUM)
    }
    /// The checksum computed over the covered bytes.
    pub fn compute_checksum(&self) -> u16 {
        crc32_low16(self.bytes().get(parent_field::COVERED).unwrap_or(&[]))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> ParentDescriptor<T> {
    /// Recomputes and stores the checksum.
    pub fn fill_checksum(&mut self) {
        let c = self.compute_checksum();
        write_u16(self.buffer.as_mut(), parent_field::CHECKSUM, c);
    }
}

/// The value of a v3 parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParentRepr {
    /// `md5(family)[..4]`.
    pub family_hash: [u8; 4],
    /// Common flags.
    pub common_flags: u16,
    /// Number of subcommands (saturated at 255).
    pub subcommand_count: u8,
    /// Lowest member level, raw (0..=4 when valid).
    pub risk_floor: u8,
    /// Family properties.
    pub family_props: u16,
}

impl ParentRepr {
    /// Builds the parent as `comprehensive_hierarchical_tcp.py` does from its
    /// members (full command, v2-spec record): ALL_REQUIRE_ROOT if every
    /// member has REQUIRES_ROOT, LARGE_FAMILY above 10 members, HAS_DESTRUCTIVE
    /// if any is DESTRUCTIVE, HAS_SAFE_OPS if any is SAFE; the floor is the
    /// lowest member level. Members must decode strictly.
    pub fn derive(family: &str, members: &[v2_spec::Repr], family_props: u16) -> Result<Self> {
        let mut floor = RiskLevel::Critical;
        let (mut all_root, mut any_destructive, mut any_safe) = (true, false, false);
        for m in members {
            let level = m.decode(Mode::Strict)?.risk.ok_or(Error::NoRiskBit)?;
            floor = floor.min(level);
            all_root &= m.flags & (1 << 6) != 0;
            any_destructive |= m.flags & (1 << 7) != 0;
            any_safe |= m.flags & 1 != 0;
        }
        let common_flags = u16::from(all_root && !members.is_empty())
            | (u16::from(members.len() > 10) << 1)
            | (u16::from(any_destructive) << 2)
            | (u16::from(any_safe) << 3);
        Ok(Self {
            family_hash: command_hash(family),
            common_flags,
            subcommand_count: u8::try_from(members.len()).unwrap_or(u8::MAX),
            risk_floor: if members.is_empty() { 0 } else { floor as u8 },
            family_props,
        })
    }

    /// Checks length, magic and checksum (the framing every mode demands).
    pub fn parse<T: AsRef<[u8]>>(d: &ParentDescriptor<T>) -> Result<Self> {
        d.check_len()?;
        check_magic(&d.magic(), &PARENT_MAGIC)?;
        check_checksum16(d.checksum(), d.compute_checksum())?;
        Ok(Self {
            family_hash: d.family_hash(),
            common_flags: d.common_flags(),
            subcommand_count: d.subcommand_count(),
            risk_floor: d.risk_floor(),
            family_props: d.family_props(),
        })
    }

    /// Writes the parent exactly as the producers do.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, d: &mut ParentDescriptor<T>) {
        let b = d.buffer.as_mut();
        write_u32(b, parent_field::MAGIC, u32::from_be_bytes(PARENT_MAGIC));
        write_u32(b, parent_field::HASH, u32::from_be_bytes(self.family_hash));
        write_u16(b, parent_field::COMMON_FLAGS, self.common_flags);
        write_u8(b, parent_field::SUBCOMMAND_COUNT, self.subcommand_count);
        write_u8(b, parent_field::RISK_FLOOR, self.risk_floor);
        write_u16(b, parent_field::FAMILY_PROPS, self.family_props);
        d.fill_checksum();
    }

    /// The parent as bytes.
    pub fn to_bytes(&self) -> [u8; PARENT_LEN] {
        let mut out = [0u8; PARENT_LEN];
        self.emit(&mut ParentDescriptor::new_unchecked(&mut out[..]));
        out
    }

    /// Bytes [`emit`](Self::emit) writes.
    pub const fn buffer_len(&self) -> usize {
        PARENT_LEN
    }

    /// The floor as a level, if valid.
    pub fn floor(&self) -> Option<RiskLevel> {
        RiskLevel::from_u8(self.risk_floor)
    }

    /// Common flags and family properties as one word (props in the high half).
    pub fn raw_flags(&self) -> u32 {
        u32::from(self.common_flags) | (u32::from(self.family_props) << 16)
    }

    /// Checks the floor and reserved bits; risk is `None` (see the module docs).
    pub fn decode(&self, mode: Mode) -> Result<Decoded> {
        let mut lenient = Vec::new();
        if self.floor().is_none() {
            return Err(Error::InvalidRiskLevel {
                raw: u32::from(self.risk_floor),
            });
        }
        let reserved = u32::from(self.common_flags & !PARENT_COMMON_BITS)
            | (u32::from(self.family_props & !PARENT_PROPS_BITS) << 16);
        check_reserved(reserved, mode, &mut lenient)?;
        Ok(Decoded {
            dialect: Dialect::V3Parent16,
            command_hash: Some(self.family_hash),
            risk: None,
            capabilities: translate_flags(self.raw_flags(), &PARENT_FLAG_TABLE),
            raw_flags: self.raw_flags(),
            exec_ms: None,
            memory_mb: None,
            output_kb: None,
            lenient,
        })
    }
}

/// A read/write view of a v3 delta (6 or 7 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeltaDescriptor<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> DeltaDescriptor<T> {
    /// Wraps a buffer without checks; accessors read zeros past its end.
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }
    /// Wraps a buffer after [`check_len`](Self::check_len).
    pub fn new_checked(buffer: T) -> Result<Self> {
        let d = Self::new_unchecked(buffer);
        d.check_len()?;
        Ok(d)
    }
    /// Fails unless the buffer is 6 or 7 bytes.
    pub fn check_len(&self) -> Result<()> {
        match self.buffer.as_ref().len() {
            DELTA6_LEN | DELTA7_LEN => Ok(()),
            found => Err(Error::WrongLength {
                expected: if found < DELTA6_LEN {
                    DELTA6_LEN
                } else {
                    DELTA7_LEN
                },
                found,
            }),
        }
    }
    /// Returns the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
    fn bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }
    /// True for the 7-byte form.
    pub fn is_long(&self) -> bool {
        self.bytes().len() == DELTA7_LEN
    }
    /// The salted hash byte (unverifiable).
    pub fn salted_hash(&self) -> u8 {
        read_u8(self.bytes(), delta_field::SALTED_HASH)
    }
    /// The risk delta.
    pub fn risk_delta(&self) -> u8 {
        read_u8(self.bytes(), delta_field::RISK_DELTA)
    }
    /// The specific flags (stored little-endian).
    pub fn specific_flags(&self) -> u16 {
        read_u16(self.bytes(), delta_field::SPECIFIC_FLAGS).swap_bytes()
    }
    /// The performance byte.
    pub fn perf(&self) -> u8 {
        read_u8(self.bytes(), delta_field::PERF)
    }
    /// The subcommand length.
    pub fn subcommand_len(&self) -> u8 {
        read_u8(self.bytes(), delta_field::SUBCOMMAND_LEN)
    }
    /// The full command length (7-byte form only).
    pub fn command_len(&self) -> Option<u8> {
        self.is_long()
            .then(|| read_u8(self.bytes(), delta_field::COMMAND_LEN))
    }
}

/// The value of a v3 delta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeltaRepr {
    /// Python `hash(subcommand) & 0xFF` (salted; kept only to re-emit the bytes).
    pub salted_hash: u8,
    /// Member level minus the parent's floor.
    pub risk_delta: u8,
    /// Specific flags (native value; stored little-endian).
    pub specific_flags: u16,
    /// `exec_log << 4 | mem_log`.
    pub perf: u8,
    /// Characters in the subcommand.
    pub subcommand_len: u8,
    /// Characters in the full command; `Some` exactly for the 7-byte form.
    pub command_len: Option<u8>,
}

/// `min(15, floor(log2(max(1, value / unit))))`, the producers' nibble.
fn log_nibble(value: u32, unit: u32) -> u8 {
    let q = (value / unit).max(1);
    // ilog2 of a u32 is at most 31; the producers clamp to 15.
    u8::try_from(q.ilog2().min(15)).unwrap_or(15)
}

impl DeltaRepr {
    /// Builds the delta as `comprehensive_hierarchical_tcp.py` (7-byte form,
    /// `long = true`) or the other producers (6-byte form) do, from the
    /// member's v2-spec record and full command. The hash byte cannot be
    /// recomputed (Python's salted `hash()`), so the caller supplies it.
    pub fn derive(
        floor: RiskLevel,
        member: &v2_spec::Repr,
        command: &str,
        salted_hash: u8,
        long: bool,
    ) -> Result<Self> {
        let level = member.decode(Mode::Strict)?.risk.ok_or(Error::NoRiskBit)?;
        let specific_flags = DELTA_FROM_SPEC
            .iter()
            .filter(|(_, spec)| member.flags & spec != 0)
            .fold(0u16, |acc, (bit, _)| acc | bit);
        let perf = (log_nibble(u32::from(member.exec_ms), 100) << 4)
            | log_nibble(u32::from(member.memory_mb), 10);
        let subcommand = command.split_once(' ').map_or(command, |(_, rest)| rest);
        let len_u8 = |s: &str| {
            u8::try_from(s.chars().count()).map_err(|_| Error::BadName {
                detail: format!("{s:?} is longer than a delta's length byte holds"),
            })
        };
        Ok(Self {
            salted_hash,
            risk_delta: (level as u8).saturating_sub(floor as u8),
            specific_flags,
            perf,
            subcommand_len: len_u8(subcommand)?,
            command_len: if long { Some(len_u8(command)?) } else { None },
        })
    }

    /// Checks the length (6 or 7); there is nothing else to check.
    pub fn parse<T: AsRef<[u8]>>(d: &DeltaDescriptor<T>) -> Result<Self> {
        d.check_len()?;
        Ok(Self {
            salted_hash: d.salted_hash(),
            risk_delta: d.risk_delta(),
            specific_flags: d.specific_flags(),
            perf: d.perf(),
            subcommand_len: d.subcommand_len(),
            command_len: d.command_len(),
        })
    }

    /// Bytes [`emit`](Self::emit) writes: 7 with a command length, else 6.
    pub const fn buffer_len(&self) -> usize {
        if self.command_len.is_some() {
            DELTA7_LEN
        } else {
            DELTA6_LEN
        }
    }

    /// The dialect of this form.
    pub const fn dialect(&self) -> Dialect {
        if self.command_len.is_some() {
            Dialect::V3Delta7
        } else {
            Dialect::V3Delta6
        }
    }

    /// Writes the delta exactly as the producers do (flags little-endian).
    /// The buffer must be [`buffer_len`](Self::buffer_len) bytes.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, d: &mut DeltaDescriptor<T>) {
        let b = d.buffer.as_mut();
        write_u8(b, delta_field::SALTED_HASH, self.salted_hash);
        write_u8(b, delta_field::RISK_DELTA, self.risk_delta);
        write_u16(
            b,
            delta_field::SPECIFIC_FLAGS,
            self.specific_flags.swap_bytes(),
        );
        write_u8(b, delta_field::PERF, self.perf);
        write_u8(b, delta_field::SUBCOMMAND_LEN, self.subcommand_len);
        if let Some(n) = self.command_len {
            write_u8(b, delta_field::COMMAND_LEN, n);
        }
    }

    /// The delta as bytes (6 or 7).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.buffer_len()];
        self.emit(&mut DeltaDescriptor::new_unchecked(&mut out[..]));
        out
    }

    /// `exec_log`, the high nibble of the perf byte.
    pub const fn exec_log(&self) -> u8 {
        self.perf >> 4
    }
    /// `mem_log`, the low nibble of the perf byte.
    pub const fn mem_log(&self) -> u8 {
        self.perf & 0x0F
    }

    /// Checks the delta alone: reserved flag bits and a delta of at most 4.
    /// Risk is `None` (it is relative to a parent; see [`reconstruct`]).
    pub fn decode(&self, mode: Mode) -> Result<Decoded> {
        let mut lenient = Vec::new();
        if self.risk_delta > 4 {
            return Err(Error::InvalidRiskLevel {
                raw: u32::from(self.risk_delta),
            });
        }
        check_reserved(
            u32::from(self.specific_flags & !DELTA_DEFINED_BITS),
            mode,
            &mut lenient,
        )?;
        Ok(Decoded {
            dialect: self.dialect(),
            command_hash: None,
            risk: None,
            capabilities: translate_flags(u32::from(self.specific_flags), &DELTA_FLAG_TABLE),
            raw_flags: u32::from(self.specific_flags),
            exec_ms: Some(100u32 << self.exec_log()),
            memory_mb: Some(10u32 << self.mem_log()),
            output_kb: None,
            lenient,
        })
    }

    /// Checks the length bytes against a full command (`"git reset"`). The
    /// hash byte is Python's salted `hash()` and cannot be checked, so a match
    /// here is weak evidence, never proof, that the delta describes `command`.
    pub fn verify_name(&self, command: &str) -> Result<()> {
        let subcommand = command.split_once(' ').map_or(command, |(_, rest)| rest);
        let sub_ok = usize::from(self.subcommand_len) == subcommand.chars().count();
        let cmd_ok = self
            .command_len
            .is_none_or(|n| usize::from(n) == command.chars().count());
        if sub_ok && cmd_ok {
            Ok(())
        } else {
            Err(Error::BadName {
                detail: format!("length bytes do not match {command:?}"),
            })
        }
    }
}

/// A member rebuilt from its family's parent and its delta, as upstream's
/// `decode_hierarchical` does: risk = floor + delta, capabilities from the
/// delta plus REQUIRES_ROOT when the parent says every member needs root,
/// exec = 100·2^exec_log ms and memory = 10·2^mem_log MiB (lower bounds).
///
/// Lossy by construction: the output size is not stored (upstream invents
/// 50 KiB; we report none) and the command hash cannot be recovered
/// (upstream hashes the subcommand instead), so `command_hash` is `None`.
/// A sum above CRITICAL is an error in strict mode; lenient mode caps it at
/// CRITICAL as upstream does, and says so.
pub fn reconstruct(parent: &ParentRepr, delta: &DeltaRepr, mode: Mode) -> Result<Decoded> {
    let parent_decoded = parent.decode(mode)?;
    let mut decoded = delta.decode(mode)?;
    decoded.lenient.extend(parent_decoded.lenient);
    let sum = u32::from(parent.risk_floor) + u32::from(delta.risk_delta);
    let risk = match RiskLevel::from_u8(u8::try_from(sum).unwrap_or(u8::MAX)) {
        Some(level) => level,
        None if mode == Mode::Lenient => {
            decoded.lenient.push(Leniency::RiskSaturated { raw: sum });
            RiskLevel::Critical
        }
        None => return Err(Error::InvalidRiskLevel { raw: sum }),
    };
    decoded.risk = Some(risk);
    if parent.common_flags & 1 != 0 {
        decoded.capabilities |= Capabilities::REQUIRES_ROOT;
    }
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    // FORMATS.md §10 / comprehensive JSON: the git parent and the `git reset` delta.
    const GIT_PARENT: &str = "54435003ba9f11ec000ea40000019745";
    const GIT_RESET: &str = "47030600550509";

    #[test]
    fn parent_as_the_spec_decodes_it() {
        let b = hex::decode(GIT_PARENT).unwrap();
        let p = ParentRepr::parse(&ParentDescriptor::new_checked(&b[..]).unwrap()).unwrap();
        assert_eq!(
            (
                p.common_flags,
                p.subcommand_count,
                p.risk_floor,
                p.family_props
            ),
            (0x000e, 164, 0, 1)
        );
        assert_eq!(p.family_hash, command_hash("git"));
        assert_eq!(p.to_bytes().to_vec(), b);
        let d = p.decode(Mode::Strict).unwrap();
        assert_eq!(
            d.flag_names(),
            vec![
                "LARGE_FAMILY",
                "HAS_DESTRUCTIVE",
                "HAS_SAFE_OPS",
                "VERSION_CONTROL"
            ]
        );
        assert_eq!(d.risk, None);
    }

    #[test]
    fn delta_is_little_endian_and_reconstructs() {
        let b = hex::decode(GIT_RESET).unwrap();
        let d = DeltaRepr::parse(&DeltaDescriptor::new_checked(&b[..]).unwrap()).unwrap();
        assert_eq!(d.specific_flags, 0x0006);
        assert_eq!(
            (d.risk_delta, d.perf, d.subcommand_len, d.command_len),
            (3, 0x55, 5, Some(9))
        );
        assert_eq!(d.to_bytes(), b);
        d.verify_name("git reset").unwrap();
        assert!(d.verify_name("git reset --hard").is_err());
        let parent = ParentRepr::parse(&ParentDescriptor::new_unchecked(
            &hex::decode(GIT_PARENT).unwrap()[..],
        ))
        .unwrap();
        let m = reconstruct(&parent, &d, Mode::Strict).unwrap();
        assert_eq!(m.risk, Some(RiskLevel::High));
        assert_eq!(
            m.capabilities,
            Capabilities::FILE_MODIFICATION | Capabilities::SYSTEM_MODIFICATION
        );
        assert_eq!((m.exec_ms, m.memory_mb), (Some(3200), Some(320)));
    }

    #[test]
    fn overflowing_sum_is_strict_error_lenient_critical() {
        let parent = ParentRepr {
            family_hash: [0; 4],
            common_flags: 0,
            subcommand_count: 1,
            risk_floor: 3,
            family_props: 0,
        };
        let delta = DeltaRepr {
            salted_hash: 0,
            risk_delta: 2,
            specific_flags: 0,
            perf: 0,
            subcommand_len: 1,
            command_len: None,
        };
        assert_eq!(
            reconstruct(&parent, &delta, Mode::Strict),
            Err(Error::InvalidRiskLevel { raw: 5 })
        );
        let m = reconstruct(&parent, &delta, Mode::Lenient).unwrap();
        assert_eq!(
            (m.risk, m.lenient),
            (
                Some(RiskLevel::Critical),
                vec![Leniency::RiskSaturated { raw: 5 }]
            )
        );
    }
}
