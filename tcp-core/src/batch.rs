//! Batch validation: the scalar reference every backend is checked against.
//!
//! Input is one contiguous byte slice of fixed-length records; output is one
//! status byte per record, written into a caller-provided slice:
//!
//! ```text
//! valid:   0b00DD_0RRR   RRR = risk level 0..=4, DD = decision 0..=3 under the policy
//! invalid: 0b1EEE_EEEE   EEE_EEEE = ErrorCode (never 0)
//! ```
//!
//! The status of a record is exactly what [`Dialect::decode`] in strict mode
//! and [`Policy::decide`] give it; backends must reproduce it bit for bit.

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
            match Status(b).outcome() {
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
}
