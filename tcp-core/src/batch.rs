//! Batch validation: the scalar reference every backend is checked against.
//!
//! Input is one contiguous byte slice of fixed-length records; output is one
//! status byte per record, written into a caller-provided slice:
//!
//! ```text
//! valid:   0b00DD_0RRR   RRR = risk level 0..=4, DD = decision 0..=3 under the policy
//!                        (RRR = 7: no risk level, lenient mode only)
//! invalid: 0b1EEE_EEEE   EEE_EEEE = ErrorCode (never 0)
//! ```
//!
//! The status of a record is exactly what [`Dialect::decode`] in strict mode
//! and [`Policy::decide`] give it; backends must reproduce it bit for bit.
//!
//! Lenient mode ([`validate_batch_mode`]) is strict mode followed by
//! [`relax`]: only the records strict mode rejected are read again, leniently,
//! so every backend stays strict-only and fast. A lenient record without a
//! risk level (the prototype's knowledge base has 15) is decided as the
//! registry's checker decides it: the policy's unknown-command decision,
//! raised by its capability rules.

use crate::decision::Decision;
use crate::error::{Error, ErrorCode, Result};
use crate::policy::Policy;
use crate::risk::RiskLevel;
use crate::wire::{Dialect, Mode};

/// One record's outcome, as a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Status(pub u8);

impl Status {
    /// Bit 7: the record is invalid.
    pub const INVALID_BIT: u8 = 0x80;

    /// The status of a valid record.
    pub const fn valid(risk: RiskLevel, decision: Decision) -> Self {
        Self((risk as u8) | ((decision as u8) << 4))
    }

    /// The status of an invalid record.
    pub const fn invalid(code: ErrorCode) -> Self {
        Self(Self::INVALID_BIT | code as u8)
    }

    /// The risk nibble of a valid record that has no risk level (lenient mode only).
    pub const RISK_UNKNOWN: u8 = 0x07;

    /// The status of a record read leniently that has no risk level.
    pub const fn valid_unknown_risk(decision: Decision) -> Self {
        Self(Self::RISK_UNKNOWN | ((decision as u8) << 4))
    }

    /// True if the record validated.
    pub const fn is_valid(self) -> bool {
        self.0 & Self::INVALID_BIT == 0
    }

    /// Risk and decision of a valid record, or the error code.
    pub fn outcome(self) -> core::result::Result<(RiskLevel, Decision), Option<ErrorCode>> {
        if self.is_valid() {
            match (
                RiskLevel::from_u8(self.0 & 0x07),
                Decision::from_u8((self.0 >> 4) & 0x03),
            ) {
                (Some(r), Some(d)) if self.0 & 0x48 == 0 => Ok((r, d)),
                _ => Err(None),
            }
        } else {
            Err(ErrorCode::from_u8(self.0 & !Self::INVALID_BIT))
        }
    }

    /// Like [`Status::outcome`], and also reads lenient mode's valid records
    /// without a risk level (risk `None`).
    pub fn read(self) -> core::result::Result<(Option<RiskLevel>, Decision), Option<ErrorCode>> {
        if self.is_valid() && self.0 & 0x07 == Self::RISK_UNKNOWN && self.0 & 0x48 == 0 {
            return Decision::from_u8((self.0 >> 4) & 0x03)
                .map(|d| (None, d))
                .ok_or(None);
        }
        self.outcome().map(|(r, d)| (Some(r), d))
    }
}

/// Counts over a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchSummary {
    /// Records seen.
    pub records: usize,
    /// Records that failed validation.
    pub invalid: usize,
    /// Valid records per decision, indexed by `Decision as usize`.
    pub by_decision: [usize; 4],
}

impl BatchSummary {
    /// Counts the statuses in `out`.
    pub fn count(out: &[u8]) -> Self {
        let mut s = Self {
            records: out.len(),
            ..Self::default()
        };
        for &b in out {
            match Status(b).read() {
                Ok((_, d)) => {
                    if let Some(slot) = s.by_decision.get_mut(d as usize) {
                        *slot += 1;
                    }
                }
                Err(_) => s.invalid += 1,
            }
        }
        s
    }
}

/// The status of one record in strict mode.
pub fn record_status(dialect: Dialect, record: &[u8], policy: &Policy) -> Status {
    match dialect.decode(record, Mode::Strict) {
        Ok(d) => match d.risk {
            Some(risk) => Status::valid(risk, policy.decide_fast(risk, d.capabilities)),
            // Strict decoding of a layout without risk information (v1-core20, gen20):
            // the record is well-formed but cannot be decided on its own.
            None => Status::invalid(ErrorCode::NoRiskBit),
        },
        Err(e) => Status::invalid(e.code()),
    }
}

/// The status of one record in `mode`: strict as [`record_status`]; lenient
/// tolerates what [`Dialect::decode`] tolerates, and decides a record without a
/// risk level as an unknown command (the policy's unknown-command decision,
/// raised by its capability rules).
pub fn record_status_mode(dialect: Dialect, record: &[u8], policy: &Policy, mode: Mode) -> Status {
    if mode == Mode::Strict {
        return record_status(dialect, record, policy);
    }
    match dialect.decode(record, Mode::Lenient) {
        Ok(d) => match d.risk {
            Some(risk) => Status::valid(risk, policy.decide_fast(risk, d.capabilities)),
            None => {
                let mut decision = policy.unknown_command();
                if d.capabilities.intersects(policy.require_approval()) {
                    decision = decision.max(Decision::RequireApproval);
                }
                if d.capabilities.intersects(policy.deny()) {
                    decision = Decision::Reject;
                }
                Status::valid_unknown_risk(decision)
            }
        },
        Err(e) => Status::invalid(e.code()),
    }
}

/// Turns a strict batch's statuses into lenient ones: reads every record that
/// strict mode rejected again in lenient mode. `out` holds the strict statuses
/// of `input`'s records (as any backend writes them).
pub fn relax(dialect: Dialect, input: &[u8], policy: &Policy, out: &mut [u8]) {
    for (record, slot) in input.chunks_exact(dialect.record_len()).zip(out.iter_mut()) {
        if !Status(*slot).is_valid() {
            *slot = record_status_mode(dialect, record, policy, Mode::Lenient).0;
        }
    }
}

/// [`validate_batch`] in `mode`: lenient mode accepts what a lenient
/// [`Dialect::decode`] accepts (see [`record_status_mode`]).
pub fn validate_batch_mode(
    dialect: Dialect,
    input: &[u8],
    policy: &Policy,
    mode: Mode,
    out: &mut [u8],
) -> Result<BatchSummary> {
    let n = check_batch_shape(dialect, input, out.len())?;
    for (record, slot) in input.chunks_exact(dialect.record_len()).zip(out.iter_mut()) {
        *slot = record_status_mode(dialect, record, policy, mode).0;
    }
    Ok(BatchSummary::count(out.get(..n).unwrap_or(&[])))
}

/// Checks that `input` holds whole records and `out` has room for them; returns the count.
pub fn check_batch_shape(dialect: Dialect, input: &[u8], out_len: usize) -> Result<usize> {
    let len = dialect.record_len();
    if input.len() % len != 0 {
        return Err(Error::WrongLength {
            expected: input.len() / len * len + len,
            found: input.len(),
        });
    }
    let n = input.len() / len;
    if out_len < n {
        return Err(Error::OutputTooSmall {
            needed: n,
            available: out_len,
        });
    }
    Ok(n)
}

/// Views a buffer of 24-byte records as an array of records, without copying.
///
/// Fails with [`Error::WrongLength`] unless the length is a multiple of 24.
pub fn as_records(input: &[u8]) -> Result<&[[u8; 24]]> {
    bytemuck::try_cast_slice(input).map_err(|_| Error::WrongLength {
        expected: input.len() / 24 * 24 + 24,
        found: input.len(),
    })
}

/// Validates and decides every record of `input` into `out` (one [`Status`] byte each).
///
/// `input.len()` must be a multiple of the dialect's record length and `out`
/// at least as long as the record count; otherwise a typed error and nothing written.
pub fn validate_batch(
    dialect: Dialect,
    input: &[u8],
    policy: &Policy,
    out: &mut [u8],
) -> Result<BatchSummary> {
    let n = check_batch_shape(dialect, input, out.len())?;
    for (record, slot) in input.chunks_exact(dialect.record_len()).zip(out.iter_mut()) {
        *slot = record_status(dialect, record, policy).0;
    }
    Ok(BatchSummary::count(out.get(..n).unwrap_or(&[])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::Capabilities;
    use crate::wire::canonical;

    fn record(risk: RiskLevel, caps: Capabilities) -> [u8; 24] {
        canonical::Repr {
            risk,
            capabilities: caps,
            command_hash: [1, 2, 3, 4],
            exec_ms: 1,
            memory_mb: 1,
            output_kb: 1,
        }
        .to_bytes()
    }

    #[test]
    fn statuses_encode_and_decode() {
        for r in RiskLevel::ALL {
            for d in Decision::ALL {
                assert_eq!(Status::valid(r, d).outcome(), Ok((r, d)));
            }
        }
        for c in ErrorCode::ALL {
            assert_eq!(Status::invalid(c).outcome(), Err(Some(c)));
        }
    }

    #[test]
    fn batch_matches_single_records() {
        let mut input = Vec::new();
        input.extend_from_slice(&record(RiskLevel::Safe, Capabilities::EMPTY));
        input.extend_from_slice(&record(RiskLevel::Critical, Capabilities::DESTRUCTIVE));
        let mut bad = record(RiskLevel::Low, Capabilities::EMPTY);
        bad[10] ^= 0xFF;
        input.extend_from_slice(&bad);
        let mut out = [0u8; 3];
        let s = validate_batch(Dialect::Canonical, &input, &Policy::default(), &mut out).unwrap();
        assert_eq!(
            Status(out[0]).outcome(),
            Ok((RiskLevel::Safe, Decision::Approved))
        );
        assert_eq!(
            Status(out[1]).outcome(),
            Ok((RiskLevel::Critical, Decision::Reject))
        );
        assert_eq!(
            Status(out[2]).outcome(),
            Err(Some(ErrorCode::ChecksumMismatch))
        );
        assert_eq!(s.invalid, 1);
        assert_eq!(s.by_decision, [1, 0, 0, 1]);
    }

    #[test]
    fn records_view_without_copying() {
        let input = [7u8; 48];
        let recs = as_records(&input).unwrap();
        assert_eq!(recs.len(), 2);
        assert!(core::ptr::eq(recs.as_ptr().cast::<u8>(), input.as_ptr()));
        assert!(as_records(&input[..47]).is_err());
        assert!(as_records(&[]).unwrap().is_empty());
    }

    #[test]
    fn bad_shapes_are_typed_errors() {
        let mut out = [0u8; 1];
        assert!(matches!(
            validate_batch(Dialect::Canonical, &[0u8; 25], &Policy::default(), &mut out),
            Err(Error::WrongLength { .. })
        ));
        assert!(matches!(
            validate_batch(Dialect::Canonical, &[0u8; 48], &Policy::default(), &mut out),
            Err(Error::OutputTooSmall {
                needed: 2,
                available: 1
            })
        ));
    }

    fn hex(h: &str) -> Vec<u8> {
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn lenient_batches_accept_what_a_lenient_read_accepts() {
        // The prototype's `col3` (no risk bit), `!` (SAFE), and `!` with a broken checksum.
        let no_risk = hex("544350020002cc9d079e0000000000000064000a00010368");
        let safe = hex("5443500200029033e0e30000040100000064000a000103e5");
        let mut broken = safe.clone();
        broken[23] ^= 1;
        let input = [no_risk, safe, broken].concat();
        let policy = Policy::default();
        let mut strict = [0u8; 3];
        validate_batch(Dialect::V2Kb, &input, &policy, &mut strict).unwrap();
        assert_eq!(Status(strict[0]).outcome(), Err(Some(ErrorCode::NoRiskBit)));

        let mut lenient = [0u8; 3];
        let s = validate_batch_mode(Dialect::V2Kb, &input, &policy, Mode::Lenient, &mut lenient)
            .unwrap();
        assert_eq!(
            Status(lenient[0]).read(),
            Ok((None, policy.unknown_command()))
        );
        assert_eq!(lenient[1], strict[1], "valid records are unchanged");
        assert_eq!(lenient[2], strict[2], "a broken checksum stays invalid");
        assert_eq!(s.invalid, 1);
        assert_eq!(s.by_decision.iter().sum::<usize>(), 2);

        // relax() after a strict pass gives the same bytes.
        relax(Dialect::V2Kb, &input, &policy, &mut strict);
        assert_eq!(strict, lenient);

        // The policy's unknown-command decision is what decides it.
        let reject = Policy::default().with_unknown_command(Decision::Reject);
        validate_batch_mode(Dialect::V2Kb, &input, &reject, Mode::Lenient, &mut lenient).unwrap();
        assert_eq!(Status(lenient[0]).read(), Ok((None, Decision::Reject)));
    }
}
