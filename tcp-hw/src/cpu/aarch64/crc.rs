//! Canonical (C24) records with the ARMv8 `crc32cx`/`crc32cw` instructions (see [`crate::cpu::c24`]).

use core::arch::aarch64::{__crc32cd, __crc32cw};

use crate::cpu::{CanonicalTables, c24};

/// Validates whole groups of 4 records; returns how many records it wrote.
pub(crate) fn validate_canonical(input: &[u8], tables: &CanonicalTables, out: &mut [u8]) -> usize {
    if !std::arch::is_aarch64_feature_detected!("crc") {
        return 0;
    }
    // SAFETY: the CPU has the CRC extension (checked just above).
    unsafe { kernel(input, tables, out) }
}

#[target_feature(enable = "crc")]
fn kernel(input: &[u8], tables: &CanonicalTables, out: &mut [u8]) -> usize {
    c24::validate(
        input,
        tables,
        out,
        |c, w| __crc32cd(c, w),
        |c, w| __crc32cw(c, w),
    )
}
