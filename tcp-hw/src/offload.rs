//! Host-side pieces shared by the offload backends (OpenCL, XRT).
//!
//! The device kernels check framing (magic, version, checksum, reserved
//! bits, risk encoding) themselves, in tcp-core's order, but never decide:
//! the decision for a valid record comes from a [`DecisionTable`] that the
//! host fills by running tcp-core's own [`record_status`] on one synthetic
//! valid record per (risk, capability bits) pair. A policy therefore means
//! on the device exactly what it means in tcp-core, with no second copy of
//! the policy logic.

use tcp_core::batch::record_status;
use tcp_core::wire::{canonical, v2_kb};
use tcp_core::{Capabilities, Dialect, Error, Policy, Result, RiskLevel};

use crate::last_built::LastBuilt;

/// Entries per risk level: one per value of the 8 capability bits.
pub(crate) const CAPS_PER_RISK: usize = 256;
/// Bytes in a decision table: 5 risk levels × 256 capability patterns.
pub(crate) const TABLE_LEN: usize = 5 * CAPS_PER_RISK;

/// The dialects the kernels implement, and the number each kernel expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum KernelDialect {
    /// libtcp's C24 (CRC-32C).
    Canonical = 0,
    /// The knowledge base's v2-kb (byte sum).
    V2Kb = 1,
}

impl KernelDialect {
    /// The kernel dialect for a tcp-core dialect, if the kernels implement it.
    pub(crate) fn of(dialect: Dialect) -> Option<Self> {
        match dialect {
            Dialect::Canonical => Some(Self::Canonical),
            Dialect::V2Kb => Some(Self::V2Kb),
            _ => None,
        }
    }

    /// The code passed to the kernel.
    pub(crate) const fn code(self) -> u32 {
        self as u32
    }
}

/// The error an offload backend returns for a dialect its kernel lacks.
pub(crate) fn unsupported(backend: &str, dialect: Dialect) -> Error {
    Error::UnknownDialect {
        name: format!(
            "{} (the {backend} kernel implements only c24 and v2-kb)",
            dialect.as_str()
        ),
    }
}

/// Status bytes of valid records, indexed `risk * 256 + capability bits`
/// (C24: the 8 capability bits as stored; v2-kb: flag bits 8..13).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct DecisionTable {
    bytes: Vec<u8>,
}

impl DecisionTable {
    /// Fills the table with tcp-core's verdicts under `policy`.
    pub(crate) fn new(dialect: KernelDialect, policy: &Policy) -> Self {
        let mut bytes = vec![0u8; TABLE_LEN];
        for (risk_index, row) in bytes.chunks_exact_mut(CAPS_PER_RISK).enumerate() {
            let Some(risk) = RiskLevel::from_u8(risk_index as u8) else {
                continue;
            };
            for (caps, slot) in row.iter_mut().enumerate() {
                let record = synthetic_record(dialect, risk, caps as u8);
                let d = match dialect {
                    KernelDialect::Canonical => Dialect::Canonical,
                    KernelDialect::V2Kb => Dialect::V2Kb,
                };
                *slot = record_status(d, &record, policy).0;
            }
        }
        Self { bytes }
    }

    /// The table as bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A valid record with the given risk and raw capability bits. v2-kb defines
/// only 6 capability bits: higher bits are dropped (the kernel never indexes them).
fn synthetic_record(dialect: KernelDialect, risk: RiskLevel, caps: u8) -> [u8; 24] {
    match dialect {
        KernelDialect::Canonical => canonical::Repr {
            risk,
            capabilities: Capabilities::from_bits_truncate(u16::from(caps)),
            command_hash: [0; 4],
            exec_ms: 0,
            memory_mb: 0,
            output_kb: 0,
        }
        .to_bytes(),
        KernelDialect::V2Kb => v2_kb::Repr {
            command_hash: [0; 4],
            flags: (1u32 << (risk as u32)) | (u32::from(caps & 0x3F) << 8),
            exec_ms: 0,
            memory_mb: 0,
            output_kb: 0,
        }
        .to_bytes(),
    }
}

/// The last table built, reused while dialect and policy stay the same.
pub(crate) type TableCache = LastBuilt<(KernelDialect, Policy), DecisionTable>;

impl TableCache {
    /// The table for `dialect` under `policy`, and whether it was (re)built.
    pub(crate) fn table(
        &mut self,
        dialect: KernelDialect,
        policy: &Policy,
    ) -> (&DecisionTable, bool) {
        self.get(
            |(d, p)| *d == dialect && p == policy,
            || {
                (
                    (dialect, policy.clone()),
                    DecisionTable::new(dialect, policy),
                )
            },
        )
    }
}

/// Checks the batch shape the way tcp-core does; returns the record count.
pub(crate) fn check_shape(dialect: Dialect, input: &[u8], out: &[u8]) -> Result<usize> {
    tcp_core::batch::check_batch_shape(dialect, input, out.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcp_core::{Decision, Status};

    #[test]
    fn table_matches_policy() {
        let policy = Policy::default()
            .with_deny(Capabilities::NETWORK_ACCESS)
            .with_require_approval(Capabilities::REQUIRES_ROOT);
        let t = DecisionTable::new(KernelDialect::V2Kb, &policy);
        let at = |risk: usize, caps: usize| Status(t.as_bytes()[risk * 256 + caps]).outcome();
        assert_eq!(at(0, 0), Ok((RiskLevel::Safe, Decision::Approved)));
        // v2-kb bit 9 (NETWORK) is NETWORK_ACCESS: denied.
        assert_eq!(at(0, 0x02), Ok((RiskLevel::Safe, Decision::Reject)));
        // v2-kb bit 10 (SUDO) is REQUIRES_ROOT: approval.
        assert_eq!(at(1, 0x04), Ok((RiskLevel::Low, Decision::RequireApproval)));
        let c = DecisionTable::new(KernelDialect::Canonical, &policy);
        let at = |risk: usize, caps: usize| Status(c.as_bytes()[risk * 256 + caps]).outcome();
        assert_eq!(at(4, 0), Ok((RiskLevel::Critical, Decision::Reject)));
        assert_eq!(
            at(0, 0x02),
            Ok((RiskLevel::Safe, Decision::RequireApproval))
        );
        assert_eq!(at(0, 0x04), Ok((RiskLevel::Safe, Decision::Reject)));
    }

    #[test]
    fn cache_rebuilds_only_on_change() {
        let mut cache = TableCache::default();
        let p = Policy::default();
        assert!(cache.table(KernelDialect::Canonical, &p).1);
        assert!(!cache.table(KernelDialect::Canonical, &p).1);
        assert!(cache.table(KernelDialect::V2Kb, &p).1);
        let strict = p.with_deny(Capabilities::DESTRUCTIVE);
        assert!(cache.table(KernelDialect::V2Kb, &strict).1);
    }
}
