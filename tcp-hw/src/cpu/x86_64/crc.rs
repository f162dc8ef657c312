//! Canonical (C24) records with the SSE4.2 `crc32` instruction (see [`crate::cpu::c24`]).

use core::arch::x86_64::{_mm_crc32_u32, _mm_crc32_u64};

use crate::cpu::{CanonicalTables, c24};

/// Validates whole groups of 4 records; returns how many records it wrote.
pub(crate) fn validate_canonical(input: &[u8], tables: &CanonicalTables, out: &mut [u8]) -> usize {
    if !std::is_x86_feature_detected!("sse4.2") {
        return 0;
    }
    // SAFETY: the CPU has SSE4.2 (checked just above).
    unsafe { kernel(input, tables, out) }
}

#[target_feature(enable = "sse4.2")]
fn kernel(input: &[u8], tables: &CanonicalTables, out: &mut [u8]) -> usize {
    c24::validate(
        input,
        tables,
        out,
        |c, w| _mm_crc32_u64(u64::from(c), w) as u32,
        |c, w| _mm_crc32_u32(c, w),
    )
}
