//! x86_64 kernels: one module per instruction set, plus the CRC-32C kernel.

pub(crate) mod avx2;
pub(crate) mod avx512;
pub(crate) mod crc;
pub(crate) mod sse41;

use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};

/// How far ahead of the current step the kernels (and the read pass that
/// measures their ceiling) ask for data: the hardware prefetcher alone left
/// about 10% of the DRAM bandwidth unused in measurements (`tcp bench --n 10000000`; 4096 beat 1024, 2048 and 8192).
pub(crate) const PREFETCH_DISTANCE: usize = 4096;

/// Prefetches the `LINES` cache lines that start `PREFETCH_DISTANCE` bytes after `p`.
/// A hint only: it never faults, whatever the address.
#[inline(always)]
pub(crate) fn prefetch_ahead<const LINES: usize>(p: *const u8) {
    for line in 0..LINES {
        let at = p.wrapping_add(PREFETCH_DISTANCE + 64 * line);
        // SAFETY: SSE is part of the x86_64 baseline, and a prefetch reads no
        // memory architecturally (any address is allowed).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast()) };
    }
}
