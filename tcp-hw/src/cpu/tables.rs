//! A policy as lookup tables, in the shape the vector kernels index them.
//!
//! [`Policy::decide_fast`] is `max(by_risk[risk], class(caps))`, where the
//! capability class is REJECT if any denied capability is present, else
//! REQUIRE_APPROVAL if any approval-requiring one is, else APPROVED. The class
//! of a set is the maximum over its single bits, so it splits into nibble
//! tables. The unit tests below check the composition against `decide_fast`
//! for every risk level and capability set.

use tcp_core::wire::v2_kb;
use tcp_core::{Capabilities, Decision, ErrorCode, Policy, RiskLevel, Status};

/// Status byte of an invalid record.
pub(crate) const fn invalid(code: ErrorCode) -> u8 {
    Status::invalid(code).0
}

/// The capability class of a set under a policy (see the module doc).
fn class(policy: &Policy, caps: Capabilities) -> Decision {
    if caps.intersects(policy.deny()) {
        Decision::Reject
    } else if caps.intersects(policy.require_approval()) {
        Decision::RequireApproval
    } else {
        Decision::Approved
    }
}

/// Capabilities of the v2-kb capability byte (flag bits 8..15, shifted down).
fn v2_kb_caps(byte: u8) -> Capabilities {
    let flags = u32::from(byte) << 8;
    v2_kb::FLAG_TABLE
        .iter()
        .filter(|(bit, _, _)| flags & bit != 0)
        .fold(Capabilities::EMPTY, |acc, (_, _, cap)| acc | *cap)
}

/// `status[class << 5 | r]` for the risk entries `risk[r]` (r < 32) and a
/// capability class (a [`Decision`] value): the second level of the vector
/// kernels' two-level lookup. An invalid risk entry (bit 7 set) wins the max.
fn status_by_class_and_risk(risk: &[u8]) -> [u8; 128] {
    let mut status = [0u8; 128];
    for (i, slot) in status.iter_mut().enumerate() {
        let t = risk.get(i & 0x1F).copied().unwrap_or(0xFF);
        let class = ((i >> 5) as u8) << 4;
        *slot = t.max((t & 0x0F) | class);
    }
    status
}

/// Tables for v2-kb (flags at bytes 10..14, big-endian).
///
/// - `risk[i]`, `i` = flag byte 13 & 0x3F (risk bits 0..4, reserved bit 5):
///   `risk | by_risk[risk] << 4` if exactly one risk bit is set, else the
///   NoRiskBit / MultipleRiskBits status.
/// - `caps[i]`, `i` = flag byte 12 & 0x3F: `class << 4`.
///
/// A valid record's status is `max(risk[r], (risk[r] & 0x0F) | caps[c])`;
/// an invalid risk entry (bit 7 set) wins the max.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct V2KbTables {
    pub risk: [u8; 64],
    pub caps: [u8; 64],
    /// See [`V2KbTables::composed`].
    class: [u8; 64],
    /// See [`V2KbTables::composed`].
    status: [u8; 128],
}

impl V2KbTables {
    pub(crate) fn new(policy: &Policy) -> Self {
        let by_risk = policy.decisions_by_risk();
        let mut risk = [0u8; 64];
        for (i, slot) in risk.iter_mut().enumerate() {
            let bits = (i & 0x1F) as u32;
            *slot = match bits.count_ones() {
                0 => invalid(ErrorCode::NoRiskBit),
                1 => {
                    let level = bits.trailing_zeros() as usize;
                    let d = by_risk.get(level).copied().unwrap_or(Decision::Reject);
                    (level as u8) | ((d as u8) << 4)
                }
                _ => invalid(ErrorCode::MultipleRiskBits),
            };
        }
        let mut caps = [0u8; 64];
        for (i, slot) in caps.iter_mut().enumerate() {
            *slot = (class(policy, v2_kb_caps(i as u8)) as u8) << 4;
        }
        let mut class = [0u8; 64];
        for (slot, caps) in class.iter_mut().zip(caps) {
            // `caps` holds the class in bits 4..5.
            *slot = caps << 1;
        }
        let status = status_by_class_and_risk(&risk);
        Self {
            risk,
            caps,
            class,
            status,
        }
    }

    /// `risk[lo]` for records without risk bit 4, and with it (16-entry tables for `pshufb`).
    pub(crate) fn risk_halves(&self) -> ([u8; 16], [u8; 16]) {
        let mut lo = [0u8; 16];
        let mut hi = [0u8; 16];
        lo.copy_from_slice(self.risk.get(..16).unwrap_or(&[0; 16]));
        hi.copy_from_slice(self.risk.get(16..32).unwrap_or(&[0; 16]));
        (lo, hi)
    }

    /// Capability class by low nibble and by high nibble (bits 4..5) of the capability byte.
    pub(crate) fn caps_nibbles(&self) -> ([u8; 16], [u8; 16]) {
        let mut lo = [0u8; 16];
        let mut hi = [0u8; 16];
        for (i, (l, h)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
            *l = self.caps.get(i).copied().unwrap_or(0);
            *h = self.caps.get((i & 0x3) << 4).copied().unwrap_or(0);
        }
        (lo, hi)
    }

    /// The tables as one two-level lookup: `class[c]` is the capability
    /// class (a [`Decision`] value, two bits) of byte `c` (bits 6..7 ignored)
    /// in bits 5..6, and `status[class[c] | r]` the status for risk bits `r`
    /// (bits 5..7 zero).
    pub(crate) fn composed(&self) -> (&[u8; 64], &[u8; 128]) {
        (&self.class, &self.status)
    }

    /// The status of a record whose framing and reserved bits are fine.
    #[cfg(test)]
    pub(crate) fn status(&self, risk_byte: u8, caps_byte: u8) -> u8 {
        let t = self.risk[usize::from(risk_byte & 0x3F)];
        t.max((t & 0x0F) | self.caps[usize::from(caps_byte & 0x3F)])
    }
}

/// Tables for the canonical layout: `risk[r] = r | by_risk[r] << 4` for r in
/// 0..=4 (InvalidRiskLevel above), `caps[c] = class << 4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CanonicalTables {
    pub risk: [u8; 256],
    pub caps: [u8; 256],
    /// See [`CanonicalTables::composed`].
    class_nibbles: [[u8; 16]; 2],
    /// See [`CanonicalTables::composed`].
    status: [u8; 128],
}

impl CanonicalTables {
    pub(crate) fn new(policy: &Policy) -> Self {
        let mut risk = [invalid(ErrorCode::InvalidRiskLevel); 256];
        for level in RiskLevel::ALL {
            if let Some(slot) = risk.get_mut(level as usize) {
                *slot = (level as u8) | ((policy.decision_for_risk(level) as u8) << 4);
            }
        }
        let mut caps = [0u8; 256];
        for (i, slot) in caps.iter_mut().enumerate() {
            *slot = (class(policy, Capabilities::from_bits_truncate(i as u16)) as u8) << 4;
        }
        // The class of a set is the maximum over its bits, so over its nibbles.
        let mut lo = [0u8; 16];
        let mut hi = [0u8; 16];
        for (n, (l, h)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
            *l = caps.get(n).copied().unwrap_or(0) << 1;
            *h = caps.get(n << 4).copied().unwrap_or(0) << 1;
        }
        let class_nibbles = [lo, hi];
        let status = status_by_class_and_risk(&risk);
        Self {
            risk,
            caps,
            class_nibbles,
            status,
        }
    }

    /// The tables as the vector kernels look them up, for records whose
    /// framing, checksum and reserved byte are fine: the capability class (a
    /// [`Decision`] value) in bits 5..6 by low and by high nibble of the
    /// capability byte, and `status[class << 5 | min(risk, 31)]`.
    pub(crate) fn composed(&self) -> (&[[u8; 16]; 2], &[u8; 128]) {
        (&self.class_nibbles, &self.status)
    }

    /// The status of a record whose framing and checksum are fine.
    #[inline(always)]
    pub(crate) fn status(&self, risk_byte: u8, reserved_byte: u8, caps_byte: u8) -> u8 {
        let t = self
            .risk
            .get(usize::from(risk_byte))
            .copied()
            .unwrap_or(0xFF);
        if t & 0x80 != 0 {
            t
        } else if reserved_byte != 0 {
            invalid(ErrorCode::ReservedBitsSet)
        } else {
            let class = self.caps.get(usize::from(caps_byte)).copied().unwrap_or(0);
            t.max((t & 0x0F) | class)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::policies;

    #[test]
    fn tables_compose_to_decide_fast() {
        for policy in policies() {
            let v2 = V2KbTables::new(&policy);
            let c24 = CanonicalTables::new(&policy);
            for level in RiskLevel::ALL {
                for caps_byte in 0..=255u8 {
                    let caps = Capabilities::from_bits_truncate(u16::from(caps_byte));
                    let want = Status::valid(level, policy.decide_fast(level, caps)).0;
                    assert_eq!(c24.status(level as u8, 0, caps_byte), want);
                    if caps_byte < 64 {
                        let want =
                            Status::valid(level, policy.decide_fast(level, v2_kb_caps(caps_byte)))
                                .0;
                        assert_eq!(v2.status(1 << level as u8, caps_byte), want);
                        let (lo, hi) = v2.caps_nibbles();
                        let split =
                            lo[usize::from(caps_byte & 0xF)].max(hi[usize::from(caps_byte >> 4)]);
                        assert_eq!(split, v2.caps[usize::from(caps_byte)]);
                        let (class, status) = v2.composed();
                        let two_level =
                            status[usize::from(class[usize::from(caps_byte)]) | (1 << level as u8)];
                        assert_eq!(two_level, want);
                    }
                }
            }
            let (class, status) = v2.composed();
            for &c in class {
                let c = usize::from(c);
                assert_eq!(status[c], invalid(ErrorCode::NoRiskBit));
                assert_eq!(status[c | 0b101], invalid(ErrorCode::MultipleRiskBits));
            }
            assert_eq!(v2.status(0, 0), invalid(ErrorCode::NoRiskBit));
            assert_eq!(v2.status(0b101, 0x3F), invalid(ErrorCode::MultipleRiskBits));
            assert_eq!(c24.status(5, 0, 0), invalid(ErrorCode::InvalidRiskLevel));
            let ([lo, hi], status) = c24.composed();
            for risk in 0..=255u8 {
                for caps_byte in 0..=255u8 {
                    let class =
                        lo[usize::from(caps_byte & 0xF)].max(hi[usize::from(caps_byte >> 4)]);
                    let two_level = status[usize::from(class | risk.min(31))];
                    assert_eq!(
                        two_level,
                        c24.status(risk, 0, caps_byte),
                        "{risk} {caps_byte}"
                    );
                }
            }
            assert_eq!(c24.status(4, 1, 0), invalid(ErrorCode::ReservedBitsSet));
        }
    }
}
