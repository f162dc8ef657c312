//! x86_64 kernels: one module per instruction set, plus the CRC-32C kernel.

pub(crate) mod avx2;
pub(crate) mod avx512;
pub(crate) mod avx512_c24;
pub(crate) mod crc;
mod lanes;
pub(crate) mod sse41;

use core::arch::x86_64::{_MM_HINT_T0, _MM_HINT_T2, _mm_prefetch};

/// How far ahead of the current step the kernels (and, for DRAM-sized
/// batches, the read pass that measures their ceiling) ask for data: into L1
/// from `PREFETCH_NEAR` bytes ahead, and for batches of at least
/// [`PREFETCH_FAR_MIN_BYTES`] also into L2 from `PREFETCH_FAR`. Measured with
/// `tcp bench`: the hardware prefetcher alone left about 10% of the DRAM
/// bandwidth unused, a single L1 prefetch (best at 4096 of 1024..8192) still
/// 13% for the AVX-512 kernel, the two stages under 5% (12288/3072 beat
/// 16384/2048 and 32768/4096; A/B builds alternated, on the Xeon model 207 of
/// BENCHMARKS.md). On L2-resident batches the far stage only costs load
/// slots (the read pass lost a quarter), hence the size threshold.
pub(crate) const PREFETCH_FAR: usize = 12288;
/// See [`PREFETCH_FAR`].
pub(crate) const PREFETCH_NEAR: usize = 3072;
/// Batches this large (more than an L2 cache) get the far prefetch stage.
pub(crate) const PREFETCH_FAR_MIN_BYTES: usize = 4 << 20;

/// Whether a batch of `len` bytes gets the far prefetch stage.
#[inline]
pub(crate) fn prefetch_far(len: usize) -> bool {
    len >= PREFETCH_FAR_MIN_BYTES
}

/// Prefetches the `LINES` cache lines that start `PREFETCH_NEAR` bytes after
/// `p` into L1, and with `far` those `PREFETCH_FAR` bytes after it into L2.
/// A hint only: it never faults, whatever the address.
#[inline(always)]
pub(crate) fn prefetch_ahead<const LINES: usize>(p: *const u8, far: bool) {
    for line in 0..LINES {
        // SAFETY: SSE is part of the x86_64 baseline, and a prefetch reads no
        // memory architecturally (any address is allowed).
        unsafe {
            if far {
                _mm_prefetch::<_MM_HINT_T2>(p.wrapping_add(PREFETCH_FAR + 64 * line).cast());
            }
            _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(PREFETCH_NEAR + 64 * line).cast());
        }
    }
}
