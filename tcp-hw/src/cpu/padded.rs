//! The records a vector kernel's whole steps leave over, run as one step of a
//! padded copy, and the head records before a batch reaches a cache line.
//!
//! Kernels validate whole steps (32 records at AVX-512). Before this, the
//! records left over went through tcp-core's reference one by one, about
//! 27 ns each here: a batch of 1023 records took three times as long as one
//! of 1024 (`tcp bench --n 1023`). Copying them into an aligned step-sized
//! buffer filled out with a valid record, and running the kernel once over
//! it, costs about one step.
//!
//! The same copy lets the AVX-512 v2-kb kernel start on a 64-byte boundary:
//! a 24-byte record stream from the allocator is rarely aligned, and its
//! 64-byte loads then split across two cache lines, which cost that kernel
//! about a sixth of its throughput on L2-resident batches.

use std::sync::OnceLock;

use tcp_core::wire::{canonical, v2_kb};
use tcp_core::{Capabilities, Dialect, RiskLevel};

/// Records in a padded step: the longest step of any kernel (AVX-512's 32).
pub(crate) const RECORDS: usize = 32;
/// The record length the vector kernels handle.
const LEN: usize = 24;

/// One step of records, aligned to a cache line.
#[repr(C, align(64))]
struct Step([u8; RECORDS * LEN]);

/// A step of valid records of `dialect` (so that padding keeps a kernel on
/// its fast path), where the vector kernels handle the dialect.
fn filler(dialect: Dialect) -> Option<&'static Step> {
    static V2_KB: OnceLock<Step> = OnceLock::new();
    static C24: OnceLock<Step> = OnceLock::new();
    let (cell, record): (_, fn() -> [u8; LEN]) = match dialect {
        Dialect::V2Kb => (&V2_KB, v2_kb_record),
        Dialect::Canonical => (&C24, canonical_record),
        _ => return None,
    };
    Some(cell.get_or_init(|| {
        let record = record();
        Step(std::array::from_fn(|i| {
            record.get(i % LEN).copied().unwrap_or_default()
        }))
    }))
}

/// A valid v2-kb record: SAFE, no capabilities.
fn v2_kb_record() -> [u8; LEN] {
    v2_kb::Repr {
        command_hash: [0; 4],
        flags: 1,
        exec_ms: 0,
        memory_mb: 0,
        output_kb: 0,
    }
    .to_bytes()
}

/// A valid C24 record: SAFE, no capabilities.
fn canonical_record() -> [u8; LEN] {
    canonical::Repr {
        risk: RiskLevel::Safe,
        capabilities: Capabilities::EMPTY,
        command_hash: [0; 4],
        exec_ms: 0,
        memory_mb: 0,
        output_kb: 0,
    }
    .to_bytes()
}

/// Validates `records` (fewer than [`RECORDS`] whole records of `dialect`)
/// by running `kernel` over one padded, aligned step; returns how many
/// statuses it wrote to `out`: all of them, or 0 if the kernel did not take
/// the whole step (then the caller falls back to the reference).
pub(crate) fn run(
    dialect: Dialect,
    records: &[u8],
    out: &mut [u8],
    kernel: impl FnOnce(&[u8], &mut [u8]) -> usize,
) -> usize {
    let n = (records.len() / LEN).min(out.len());
    let (Some(filler), true) = (filler(dialect), dialect.record_len() == LEN && n < RECORDS) else {
        return 0;
    };
    let mut step = Step(filler.0);
    if let (Some(slots), Some(given)) = (step.0.get_mut(..n * LEN), records.get(..n * LEN)) {
        slots.copy_from_slice(given);
    }
    let mut statuses = [0u8; RECORDS];
    if kernel(&step.0, &mut statuses) < RECORDS {
        return 0;
    }
    for (o, s) in out.iter_mut().zip(statuses).take(n) {
        *o = s;
    }
    n
}

/// How many records of `len` bytes from `addr` come before one that starts
/// on a 64-byte boundary (0 where none within a step does).
pub(crate) fn records_to_cache_line(addr: usize, len: usize) -> usize {
    (0..RECORDS)
        .find(|k| (addr + k * len).is_multiple_of(64))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcp_core::Mode;

    #[test]
    fn fillers_are_valid_records() {
        for dialect in [Dialect::V2Kb, Dialect::Canonical] {
            let step = filler(dialect).unwrap();
            for record in step.0.chunks_exact(LEN) {
                assert!(dialect.decode(record, Mode::Strict).is_ok(), "{dialect}");
            }
        }
        assert!(filler(Dialect::V2Spec).is_none());
    }

    #[test]
    fn run_pads_and_keeps_only_the_given_records() {
        let records = [7u8; 3 * LEN];
        let mut out = [0u8; 3];
        let wrote = run(Dialect::V2Kb, &records, &mut out, |step, statuses| {
            assert_eq!(step.len(), RECORDS * LEN);
            assert_eq!(step.as_ptr() as usize % 64, 0);
            assert_eq!(step[..3 * LEN], records);
            assert_eq!(
                step[3 * LEN..4 * LEN],
                filler(Dialect::V2Kb).unwrap().0[..LEN]
            );
            for (i, s) in statuses.iter_mut().enumerate() {
                *s = i as u8;
            }
            RECORDS
        });
        assert_eq!((wrote, out), (3, [0, 1, 2]));
        // A kernel that leaves the step unfinished: nothing is written.
        assert_eq!(run(Dialect::V2Kb, &records, &mut out, |_, _| 8), 0);
    }

    #[test]
    fn records_to_cache_line_reaches_64_bytes() {
        for addr in (0..64).step_by(8) {
            let k = records_to_cache_line(addr, 24);
            assert!(k < 8);
            assert_eq!((addr + 24 * k) % 64, 0, "{addr}");
        }
        assert_eq!(records_to_cache_line(3, 24), 0, "no multiple of 8: never");
    }
}
