//! AVX-512 (F, BW, VL, VBMI): eight v2-kb records per 512-bit block, two blocks per step.
//!
//! Same checks as [`crate::cpu::generic`], with AVX-512's own tools: the
//! three record words are deinterleaved with `vpermt2q`, checks produce mask
//! registers, the policy tables are 64-entry `vpermb` lookups, and the error
//! codes are merged into the compacted status bytes under those masks.

use core::arch::x86_64::*;

use tcp_core::ErrorCode;

use crate::cpu::generic::{
    CHECKSUM_CTL, MAGIC_MASK, RESERVED_MASK, SUM_MASK, V2_KB_HEADER, VERSION_MASK,
};
use crate::cpu::tables::invalid;
use crate::cpu::{CpuLevel, V2KbTables};

/// Validates whole steps of 16 records; returns how many records it wrote.
pub(crate) fn validate_v2_kb(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    if !CpuLevel::Avx512.is_supported() {
        return 0;
    }
    // SAFETY: the CPU has AVX-512 F, BW, VL and VBMI (checked just above).
    unsafe { kernel(input, tables, out) }
}

/// Block constants, loaded once per call.
struct Consts {
    /// `vpermt2q` indices of words a, b, c among the first 16 words.
    first: [__m512i; 3],
    /// `vpermq` indices of the remaining words a, b, c in the third vector.
    last: [__m512i; 3],
    header: __m512i,
    header_mask: __m512i,
    magic_mask: __m512i,
    version_mask: __m512i,
    sum_mask: __m512i,
    checksum_ctl: __m512i,
    reserved: __m512i,
    low_nibbles: __m512i,
    risk: __m512i,
    caps: __m512i,
}

/// A block's statuses (byte 5 of each lane), before error merging, and the
/// masks of the records that passed each check.
struct Block {
    status: __m512i,
    /// `a` xor the expected header: zero where magic and version are right.
    header_diff: __m512i,
    header_ok: u8,
    checksum_ok: u8,
    reserved_ok: u8,
}

#[inline(always)]
unsafe fn load64(words: [u64; 8]) -> __m512i {
    // SAFETY: reads the 64 bytes of a local array; the caller guarantees AVX-512F.
    unsafe { _mm512_loadu_epi64(words.as_ptr().cast()) }
}

/// The statuses of the 8 records at `p` (192 bytes), before error merging.
#[inline(always)]
unsafe fn block(p: *const u8, k: &Consts) -> Block {
    // SAFETY: the caller guarantees the instruction sets and 192 readable bytes at `p`.
    unsafe {
        let z0 = _mm512_loadu_epi64(p.cast());
        let z1 = _mm512_loadu_epi64(p.add(64).cast());
        let z2 = _mm512_loadu_epi64(p.add(128).cast());
        let [fa, fb, fc] = &k.first;
        let [la, lb, lc] = &k.last;
        // Word w of the 24 is word w % 3 of record w / 3.
        let a =
            _mm512_mask_permutexvar_epi64(_mm512_permutex2var_epi64(z0, *fa, z1), 0xC0, *la, z2);
        let b =
            _mm512_mask_permutexvar_epi64(_mm512_permutex2var_epi64(z0, *fb, z1), 0xE0, *lb, z2);
        let c =
            _mm512_mask_permutexvar_epi64(_mm512_permutex2var_epi64(z0, *fc, z1), 0xE0, *lc, z2);

        let h = _mm512_xor_si512(a, k.header);
        let header_ok = _mm512_testn_epi64_mask(h, k.header_mask);

        let zero = _mm512_setzero_si512();
        let sum = _mm512_add_epi64(
            _mm512_add_epi64(_mm512_sad_epu8(a, zero), _mm512_sad_epu8(b, zero)),
            _mm512_sad_epu8(_mm512_and_si512(c, k.sum_mask), zero),
        );
        let checksum_ok = _mm512_cmpeq_epi64_mask(sum, _mm512_shuffle_epi8(c, k.checksum_ctl));
        let reserved_ok = _mm512_testn_epi64_mask(b, k.reserved);

        // vpermb uses the low 6 bits of each index byte: byte 4 of b is the
        // capability byte (bits 6..7 reserved), byte 5 the risk byte (bit 5 reserved).
        let class = _mm512_slli_epi64::<8>(_mm512_permutexvar_epi8(b, k.caps));
        let risk = _mm512_permutexvar_epi8(b, k.risk);
        // (risk & 0x0F) | class
        let valid = _mm512_ternarylogic_epi64::<0xEA>(risk, k.low_nibbles, class);
        Block {
            status: _mm512_max_epu8(risk, valid),
            header_diff: h,
            header_ok,
            checksum_ok,
            reserved_ok,
        }
    }
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
unsafe fn kernel(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    // SAFETY: the caller guarantees the instruction sets; `block` reads inside
    // each 384-byte chunk and the store writes exactly its 16-byte output chunk.
    unsafe {
        let k = Consts {
            first: [
                load64([0, 3, 6, 9, 12, 15, 0, 0]),
                load64([1, 4, 7, 10, 13, 0, 0, 0]),
                load64([2, 5, 8, 11, 14, 0, 0, 0]),
            ],
            last: [
                load64([0, 0, 0, 0, 0, 0, 2, 5]),
                load64([0, 0, 0, 0, 0, 0, 3, 6]),
                load64([0, 0, 0, 0, 0, 1, 4, 7]),
            ],
            header: _mm512_set1_epi64(V2_KB_HEADER as i64),
            header_mask: _mm512_set1_epi64((MAGIC_MASK | VERSION_MASK) as i64),
            magic_mask: _mm512_set1_epi64(MAGIC_MASK as i64),
            version_mask: _mm512_set1_epi64(VERSION_MASK as i64),
            sum_mask: _mm512_set1_epi64(SUM_MASK as i64),
            checksum_ctl: _mm512_broadcast_i32x4(_mm_loadu_si128(CHECKSUM_CTL.as_ptr().cast())),
            reserved: _mm512_set1_epi64(RESERVED_MASK as i64),
            low_nibbles: _mm512_set1_epi8(0x0F),
            risk: _mm512_loadu_epi8(tables.risk.as_ptr().cast()),
            caps: _mm512_loadu_epi8(tables.caps.as_ptr().cast()),
        };
        let err = |code| _mm_set1_epi8(invalid(code) as i8);
        let (e_magic, e_version, e_checksum, e_reserved) = (
            err(ErrorCode::BadMagic),
            err(ErrorCode::UnsupportedVersion),
            err(ErrorCode::ChecksumMismatch),
            err(ErrorCode::ReservedBitsSet),
        );
        let both = |lo: u8, hi: u8| u16::from(lo) | (u16::from(hi) << 8);
        // Byte 5 of every lane of two blocks: 16 statuses in record order.
        let mut gather = [0u8; 64];
        for (i, g) in gather.iter_mut().take(16).enumerate() {
            *g = (i * 8 + 5) as u8;
        }
        let gather = _mm512_loadu_epi8(gather.as_ptr().cast());
        let (chunks, _) = input.as_chunks::<{ 16 * 24 }>();
        let (outs, _) = out.as_chunks_mut::<16>();
        let mut done = 0;
        for (chunk, dst) in chunks.iter().zip(outs.iter_mut()) {
            let p = chunk.as_ptr();
            super::prefetch_ahead::<6>(p);
            let x = block(p, &k);
            let y = block(p.add(192), &k);
            let mut s =
                _mm512_castsi512_si128(_mm512_permutex2var_epi8(x.status, gather, y.status));
            let ok = |b: &Block| b.header_ok & b.checksum_ok & b.reserved_ok;
            // The common case, every record well framed, skips the merging.
            if both(ok(&x), ok(&y)) != 0xFFFF {
                let magic = |b: &Block| _mm512_testn_epi64_mask(b.header_diff, k.magic_mask);
                let version = |b: &Block| _mm512_testn_epi64_mask(b.header_diff, k.version_mask);
                // Earlier checks win: apply them last.
                s = _mm_mask_mov_epi8(e_reserved, both(x.reserved_ok, y.reserved_ok), s);
                s = _mm_mask_mov_epi8(e_checksum, both(x.checksum_ok, y.checksum_ok), s);
                s = _mm_mask_mov_epi8(e_version, both(version(&x), version(&y)), s);
                s = _mm_mask_mov_epi8(e_magic, both(magic(&x), magic(&y)), s);
            }
            _mm_storeu_si128(dst.as_mut_ptr().cast(), s);
            done += 16;
        }
        done
    }
}
