//! x86_64 kernels: one module per instruction set, plus the CRC-32C kernel.

pub(crate) mod avx2;
pub(crate) mod avx512;
pub(crate) mod avx512_c24;
pub(crate) mod crc;
mod lanes;
pub(crate) mod sse41;

use core::arch::x86_64::{__cpuid, _MM_HINT_T0, _MM_HINT_T2, _mm_prefetch};
use std::sync::OnceLock;

/// How far ahead of the current step the kernels (and, for DRAM-sized
/// batches, the read pass that measures their ceiling) ask for data, where
/// [`prefetch_plan`] says to: into L1 from `PREFETCH_NEAR` bytes ahead, and
/// for batches of at least [`PREFETCH_FAR_MIN_BYTES`] also into L2 from
/// `PREFETCH_FAR`. Measured with `tcp bench` on Intel (the Xeon model 207 of
/// BENCHMARKS.md): the hardware prefetcher alone left about 10% of the DRAM
/// bandwidth unused, a single L1 prefetch (best at 4096 of 1024..8192) still
/// 13% for the AVX-512 kernel, the two stages under 5% (12288/3072 beat
/// 16384/2048 and 32768/4096; A/B builds alternated). On L2-resident batches
/// the far stage only costs load slots (the read pass lost a quarter), hence
/// the size threshold.
pub(crate) const PREFETCH_FAR: usize = 12288;
/// See [`PREFETCH_FAR`].
pub(crate) const PREFETCH_NEAR: usize = 3072;
/// Batches this large (more than an L2 cache) get the far prefetch stage.
pub(crate) const PREFETCH_FAR_MIN_BYTES: usize = 4 << 20;

/// Which software prefetch stages a batch gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prefetch {
    /// Into L1, `PREFETCH_NEAR` bytes ahead.
    pub(crate) near: bool,
    /// Into L2, `PREFETCH_FAR` bytes ahead.
    pub(crate) far: bool,
}

/// The prefetch stages for a batch of `len` bytes on this CPU.
///
/// Intel CPUs get the stages above. Elsewhere the hardware prefetcher is left
/// alone: on Zen 4 (the AMD EPYC of BENCHMARKS.md) every software stage
/// measured slower, the near one by 8 % on L2-resident v2-kb batches and the
/// two together by 5-20 % on DRAM-sized ones, for the kernels and for the
/// read pass alike (A/B runs of `tcp bench`, alternated).
#[inline]
pub(crate) fn prefetch_plan(len: usize) -> Prefetch {
    let on = software_prefetch_pays();
    Prefetch {
        near: on,
        far: on && len >= PREFETCH_FAR_MIN_BYTES,
    }
}

/// True on Intel CPUs (detected once, from the CPUID vendor string).
fn software_prefetch_pays() -> bool {
    static INTEL: OnceLock<bool> = OnceLock::new();
    *INTEL.get_or_init(|| {
        let id = __cpuid(0);
        [id.ebx, id.edx, id.ecx] == [0x756E_6547, 0x4965_6E69, 0x6C65_746E]
    })
}

/// Prefetches the `LINES` cache lines that start `PREFETCH_NEAR` bytes after
/// `p` into L1, and those `PREFETCH_FAR` bytes after it into L2, as `plan`
/// says. A hint only: it never faults, whatever the address.
#[inline(always)]
pub(crate) fn prefetch_ahead<const LINES: usize>(p: *const u8, plan: Prefetch) {
    for line in 0..LINES {
        // SAFETY: SSE is part of the x86_64 baseline, and a prefetch reads no
        // memory architecturally (any address is allowed).
        unsafe {
            if plan.far {
                _mm_prefetch::<_MM_HINT_T2>(p.wrapping_add(PREFETCH_FAR + 64 * line).cast());
            }
            if plan.near {
                _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(PREFETCH_NEAR + 64 * line).cast());
            }
        }
    }
}
