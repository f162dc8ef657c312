//! AVX2: four v2-kb records per 256-bit block (two per 128-bit lane), two blocks per step.

use core::arch::x86_64::*;

use crate::cpu::generic::{Consts, Vector, v2_kb_block};
use crate::cpu::{CpuLevel, V2KbTables};

impl Vector for __m256i {
    #[inline(always)]
    unsafe fn splat64(x: u64) -> Self {
        // SAFETY (this and every method below): only called from `kernel`, which
        // is compiled for, and entered only on, CPUs with AVX2.
        unsafe { _mm256_set1_epi64x(x as i64) }
    }
    #[inline(always)]
    unsafe fn splat8(x: u8) -> Self {
        unsafe { _mm256_set1_epi8(x as i8) }
    }
    #[inline(always)]
    unsafe fn table(t: [u8; 16]) -> Self {
        unsafe { _mm256_broadcastsi128_si256(_mm_loadu_si128(t.as_ptr().cast())) }
    }
    #[inline(always)]
    unsafe fn and(self, o: Self) -> Self {
        unsafe { _mm256_and_si256(self, o) }
    }
    #[inline(always)]
    unsafe fn or(self, o: Self) -> Self {
        unsafe { _mm256_or_si256(self, o) }
    }
    #[inline(always)]
    unsafe fn xor(self, o: Self) -> Self {
        unsafe { _mm256_xor_si256(self, o) }
    }
    #[inline(always)]
    unsafe fn cmpeq64(self, o: Self) -> Self {
        unsafe { _mm256_cmpeq_epi64(self, o) }
    }
    #[inline(always)]
    unsafe fn byte_sums(self) -> Self {
        unsafe { _mm256_sad_epu8(self, _mm256_setzero_si256()) }
    }
    #[inline(always)]
    unsafe fn add64(self, o: Self) -> Self {
        unsafe { _mm256_add_epi64(self, o) }
    }
    #[inline(always)]
    unsafe fn shuffle(self, idx: Self) -> Self {
        unsafe { _mm256_shuffle_epi8(self, idx) }
    }
    #[inline(always)]
    unsafe fn shl16_3(self) -> Self {
        unsafe { _mm256_slli_epi16::<3>(self) }
    }
    #[inline(always)]
    unsafe fn shr16_4(self) -> Self {
        unsafe { _mm256_srli_epi16::<4>(self) }
    }
    #[inline(always)]
    unsafe fn shl64_8(self) -> Self {
        unsafe { _mm256_slli_epi64::<8>(self) }
    }
    #[inline(always)]
    unsafe fn blend(self, o: Self, mask: Self) -> Self {
        unsafe { _mm256_blendv_epi8(self, o, mask) }
    }
    #[inline(always)]
    unsafe fn max_u8(self, o: Self) -> Self {
        unsafe { _mm256_max_epu8(self, o) }
    }
    #[inline(always)]
    unsafe fn all_ones(self) -> bool {
        unsafe { _mm256_movemask_epi8(self) == -1 }
    }
}

/// Validates whole steps of 8 records; returns how many records it wrote.
pub(crate) fn validate_v2_kb(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    if !CpuLevel::Avx2.is_supported() {
        return 0;
    }
    // SAFETY: the CPU has AVX2 (checked just above).
    unsafe { kernel(input, tables, out) }
}

/// Compaction of block `j` (0 or 1): lane 0's status bytes (records 4j, 4j+1)
/// to bytes 4j, 4j+1 of lane 0; lane 1's (records 4j+2, 4j+3) to bytes 4j+2,
/// 4j+3 of lane 1. Or-ing the two lanes then gives records 0..8 in order.
#[allow(
    clippy::indexing_slicing,
    reason = "only evaluated in constants: an index out of range fails the build"
)]
const fn compaction(j: usize) -> [u8; 32] {
    let mut ctl = [0x80u8; 32];
    ctl[4 * j] = 5;
    ctl[4 * j + 1] = 13;
    ctl[16 + 4 * j + 2] = 5;
    ctl[16 + 4 * j + 3] = 13;
    ctl
}

#[target_feature(enable = "avx2")]
unsafe fn kernel(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    // SAFETY: the caller guarantees AVX2; loads stay inside each 192-byte chunk
    // and the store writes exactly its 8-byte output chunk.
    unsafe {
        let k = Consts::<__m256i>::new(tables);
        const C0: [u8; 32] = compaction(0);
        const C1: [u8; 32] = compaction(1);
        let ctl = [
            _mm256_loadu_si256(C0.as_ptr().cast()),
            _mm256_loadu_si256(C1.as_ptr().cast()),
        ];
        let (chunks, _) = input.as_chunks::<{ 8 * 24 }>();
        let (outs, _) = out.as_chunks_mut::<8>();
        let mut done = 0;
        let plan = super::prefetch_plan(input.len());
        for (chunk, dst) in chunks.iter().zip(outs.iter_mut()) {
            let p = chunk.as_ptr();
            super::prefetch_ahead::<3>(p, plan);
            let mut acc = _mm256_setzero_si256();
            for (j, ctl) in ctl.iter().enumerate() {
                let q = p.add(96 * j);
                // Lane 0 holds records 0..2 (bytes 0..48), lane 1 records 2..4 (48..96).
                let y0 = _mm256_loadu2_m128i(q.add(48).cast(), q.cast());
                let y1 = _mm256_loadu2_m128i(q.add(64).cast(), q.add(16).cast());
                let y2 = _mm256_loadu2_m128i(q.add(80).cast(), q.add(32).cast());
                let a = _mm256_blend_epi16::<0xF0>(y0, y1);
                let b = _mm256_alignr_epi8::<8>(y2, y0);
                let c = _mm256_blend_epi16::<0xF0>(y1, y2);
                let status = v2_kb_block(a, b, c, &k);
                acc = _mm256_or_si256(acc, _mm256_shuffle_epi8(status, *ctl));
            }
            let both = _mm_or_si128(
                _mm256_castsi256_si128(acc),
                _mm256_extracti128_si256::<1>(acc),
            );
            _mm_storel_epi64(dst.as_mut_ptr().cast(), both);
            done += 8;
        }
        done
    }
}
