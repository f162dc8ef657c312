//! NEON: two v2-kb records per 128-bit block, four blocks per step.
//!
//! Compiled only for aarch64; it has not run on hardware in this project's
//! CI (x86_64 only). It implements the same [`Vector`] contract as the x86
//! modules, and the shared tests check it wherever it runs.

use core::arch::aarch64::*;

use crate::cpu::generic::{Consts, Vector, v2_kb_block};
use crate::cpu::{CpuLevel, V2KbTables};

impl Vector for uint8x16_t {
    #[inline(always)]
    unsafe fn splat64(x: u64) -> Self {
        // SAFETY (this and every method below): only called from `kernel`, which
        // is compiled for, and entered only on, CPUs with NEON.
        unsafe { vreinterpretq_u8_u64(vdupq_n_u64(x)) }
    }
    #[inline(always)]
    unsafe fn splat8(x: u8) -> Self {
        unsafe { vdupq_n_u8(x) }
    }
    #[inline(always)]
    unsafe fn table(t: [u8; 16]) -> Self {
        unsafe { vld1q_u8(t.as_ptr()) }
    }
    #[inline(always)]
    unsafe fn and(self, o: Self) -> Self {
        unsafe { vandq_u8(self, o) }
    }
    #[inline(always)]
    unsafe fn or(self, o: Self) -> Self {
        unsafe { vorrq_u8(self, o) }
    }
    #[inline(always)]
    unsafe fn xor(self, o: Self) -> Self {
        unsafe { veorq_u8(self, o) }
    }
    #[inline(always)]
    unsafe fn cmpeq64(self, o: Self) -> Self {
        unsafe {
            vreinterpretq_u8_u64(vceqq_u64(
                vreinterpretq_u64_u8(self),
                vreinterpretq_u64_u8(o),
            ))
        }
    }
    #[inline(always)]
    unsafe fn byte_sums(self) -> Self {
        unsafe { vreinterpretq_u8_u64(vpaddlq_u32(vpaddlq_u16(vpaddlq_u8(self)))) }
    }
    #[inline(always)]
    unsafe fn add64(self, o: Self) -> Self {
        unsafe {
            vreinterpretq_u8_u64(vaddq_u64(
                vreinterpretq_u64_u8(self),
                vreinterpretq_u64_u8(o),
            ))
        }
    }
    #[inline(always)]
    unsafe fn shuffle(self, idx: Self) -> Self {
        // `tbl` gives 0 for indices >= 16; masking to 0x8F keeps pshufb's
        // meaning (bit 7 zeroes, bits 4..6 ignored).
        unsafe { vqtbl1q_u8(self, vandq_u8(idx, vdupq_n_u8(0x8F))) }
    }
    #[inline(always)]
    unsafe fn shl16_3(self) -> Self {
        unsafe { vreinterpretq_u8_u16(vshlq_n_u16::<3>(vreinterpretq_u16_u8(self))) }
    }
    #[inline(always)]
    unsafe fn shr16_4(self) -> Self {
        unsafe { vreinterpretq_u8_u16(vshrq_n_u16::<4>(vreinterpretq_u16_u8(self))) }
    }
    #[inline(always)]
    unsafe fn shl64_8(self) -> Self {
        unsafe { vreinterpretq_u8_u64(vshlq_n_u64::<8>(vreinterpretq_u64_u8(self))) }
    }
    #[inline(always)]
    unsafe fn blend(self, o: Self, mask: Self) -> Self {
        unsafe {
            let select = vreinterpretq_u8_s8(vshrq_n_s8::<7>(vreinterpretq_s8_u8(mask)));
            vbslq_u8(select, o, self)
        }
    }
    #[inline(always)]
    unsafe fn max_u8(self, o: Self) -> Self {
        unsafe { vmaxq_u8(self, o) }
    }
    #[inline(always)]
    unsafe fn all_ones(self) -> bool {
        unsafe { vminvq_u8(self) == 0xFF }
    }
}

/// Validates whole steps of 8 records; returns how many records it wrote.
pub(crate) fn validate_v2_kb(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    if !CpuLevel::Neon.is_supported() {
        return 0;
    }
    // SAFETY: the CPU has NEON (checked just above).
    unsafe { kernel(input, tables, out) }
}

#[target_feature(enable = "neon")]
unsafe fn kernel(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    // SAFETY: the caller guarantees NEON; loads stay inside each 192-byte chunk.
    unsafe {
        let k = Consts::<uint8x16_t>::new(tables);
        let (chunks, _) = input.as_chunks::<{ 8 * 24 }>();
        let (outs, _) = out.as_chunks_mut::<8>();
        let mut done = 0;
        for (chunk, dst) in chunks.iter().zip(outs.iter_mut()) {
            let p = chunk.as_ptr();
            let (pairs, _) = dst.as_chunks_mut::<2>();
            for (j, pair) in pairs.iter_mut().enumerate() {
                let q = p.add(48 * j);
                let x0 = vld1q_u8(q);
                let x1 = vld1q_u8(q.add(16));
                let x2 = vld1q_u8(q.add(32));
                // Records r0 = x0 | x1.lo and r1 = x1.hi | x2, as lanes of words a, b, c.
                let a = vcombine_u8(vget_low_u8(x0), vget_high_u8(x1));
                let b = vextq_u8::<8>(x0, x2);
                let c = vcombine_u8(vget_low_u8(x1), vget_high_u8(x2));
                let status = v2_kb_block(a, b, c, &k);
                *pair = [vgetq_lane_u8::<5>(status), vgetq_lane_u8::<13>(status)];
            }
            done += 8;
        }
        done
    }
}
