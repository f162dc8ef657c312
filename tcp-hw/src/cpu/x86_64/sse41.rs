//! SSSE3 + SSE4.1: two v2-kb records per 128-bit block, four blocks per step.

use core::arch::x86_64::*;

use crate::cpu::generic::{Consts, Vector, v2_kb_block};
use crate::cpu::{CpuLevel, V2KbTables};

impl Vector for __m128i {
    #[inline(always)]
    unsafe fn splat64(x: u64) -> Self {
        // SAFETY (this and every method below): only called from `kernel`, which
        // is compiled for, and entered only on, CPUs with SSSE3 and SSE4.1.
        unsafe { _mm_set1_epi64x(x as i64) }
    }
    #[inline(always)]
    unsafe fn splat8(x: u8) -> Self {
        unsafe { _mm_set1_epi8(x as i8) }
    }
    #[inline(always)]
    unsafe fn table(t: [u8; 16]) -> Self {
        unsafe { _mm_loadu_si128(t.as_ptr().cast()) }
    }
    #[inline(always)]
    unsafe fn and(self, o: Self) -> Self {
        unsafe { _mm_and_si128(self, o) }
    }
    #[inline(always)]
    unsafe fn or(self, o: Self) -> Self {
        unsafe { _mm_or_si128(self, o) }
    }
    #[inline(always)]
    unsafe fn xor(self, o: Self) -> Self {
        unsafe { _mm_xor_si128(self, o) }
    }
    #[inline(always)]
    unsafe fn cmpeq64(self, o: Self) -> Self {
        unsafe { _mm_cmpeq_epi64(self, o) }
    }
    #[inline(always)]
    unsafe fn byte_sums(self) -> Self {
        unsafe { _mm_sad_epu8(self, _mm_setzero_si128()) }
    }
    #[inline(always)]
    unsafe fn add64(self, o: Self) -> Self {
        unsafe { _mm_add_epi64(self, o) }
    }
    #[inline(always)]
    unsafe fn shuffle(self, idx: Self) -> Self {
        unsafe { _mm_shuffle_epi8(self, idx) }
    }
    #[inline(always)]
    unsafe fn shl16_3(self) -> Self {
        unsafe { _mm_slli_epi16::<3>(self) }
    }
    #[inline(always)]
    unsafe fn shr16_4(self) -> Self {
        unsafe { _mm_srli_epi16::<4>(self) }
    }
    #[inline(always)]
    unsafe fn shl64_8(self) -> Self {
        unsafe { _mm_slli_epi64::<8>(self) }
    }
    #[inline(always)]
    unsafe fn blend(self, o: Self, mask: Self) -> Self {
        unsafe { _mm_blendv_epi8(self, o, mask) }
    }
    #[inline(always)]
    unsafe fn max_u8(self, o: Self) -> Self {
        unsafe { _mm_max_epu8(self, o) }
    }
    #[inline(always)]
    unsafe fn all_ones(self) -> bool {
        unsafe { _mm_movemask_epi8(self) == 0xFFFF }
    }
}

/// Validates whole steps of 8 records; returns how many records it wrote.
pub(crate) fn validate_v2_kb(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    if !CpuLevel::Sse41.is_supported() {
        return 0;
    }
    // SAFETY: the CPU has SSSE3 and SSE4.1 (checked just above).
    unsafe { kernel(input, tables, out) }
}

/// Compaction: block `j`'s status bytes (5 and 13) go to bytes `2j`, `2j + 1`.
#[allow(
    clippy::indexing_slicing,
    reason = "only evaluated in constants: an index out of range fails the build"
)]
const fn compaction(j: usize) -> [u8; 16] {
    let mut ctl = [0x80u8; 16];
    ctl[2 * j] = 5;
    ctl[2 * j + 1] = 13;
    ctl
}

#[target_feature(enable = "ssse3,sse4.1")]
unsafe fn kernel(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    // SAFETY: the caller guarantees SSSE3 and SSE4.1; loads stay inside each
    // 192-byte chunk and the store writes exactly its 8-byte output chunk.
    unsafe {
        let k = Consts::<__m128i>::new(tables);
        const CTL: [[u8; 16]; 4] = [compaction(0), compaction(1), compaction(2), compaction(3)];
        let ctl = CTL.map(|c| __m128i::table(c));
        let (chunks, _) = input.as_chunks::<{ 8 * 24 }>();
        let (outs, _) = out.as_chunks_mut::<8>();
        let mut done = 0;
        let plan = super::prefetch_plan(input.len());
        for (chunk, dst) in chunks.iter().zip(outs.iter_mut()) {
            let p = chunk.as_ptr();
            super::prefetch_ahead::<3>(p, plan);
            let mut acc = _mm_setzero_si128();
            for (j, ctl) in ctl.iter().enumerate() {
                let q = p.add(48 * j);
                let x0 = _mm_loadu_si128(q.cast());
                let x1 = _mm_loadu_si128(q.add(16).cast());
                let x2 = _mm_loadu_si128(q.add(32).cast());
                // Records r0 = x0 | x1.lo and r1 = x1.hi | x2, as lanes of words a, b, c.
                let a = _mm_blend_epi16::<0xF0>(x0, x1);
                let b = _mm_alignr_epi8::<8>(x2, x0);
                let c = _mm_blend_epi16::<0xF0>(x1, x2);
                let status = v2_kb_block(a, b, c, &k);
                acc = _mm_or_si128(acc, _mm_shuffle_epi8(status, *ctl));
            }
            _mm_storel_epi64(dst.as_mut_ptr().cast(), acc);
            done += 8;
        }
        done
    }
}
