//! AVX-512 (F, BW, VL, VBMI, VNNI, IFMA): 32 v2-kb records per step, in four blocks of eight.
//!
//! Same checks and precedence as [`crate::cpu::generic`], arranged around the
//! one bottleneck of a 512-bit core: two vector ports, one of which does every
//! shuffle. The previous kernel spent about 16 shuffle-port operations per
//! eight records; this one about 8, and 15 operations on both ports together.
//!
//! - **Deinterleaving, three permutes.** A block is three 64-byte vectors of
//!   24 words; record `j` is words `3j..3j+3`. Its records are put in a lane
//!   order ([`LANE_RECORD`]) where word `t` of some records is already in
//!   block vector `t` at the right lane, so each of `A`, `B`, `C` (words 0, 1,
//!   2 of every record, lane by lane) is one two-source permute of the other
//!   two vectors plus a blend.
//! - **Checksum on the multiply port.** `vpsadbw` and `vpdpbusd` sum bytes
//!   into the two 32-bit halves of each lane, with weight 0 for byte 22 and
//!   -1 for byte 23; `vpdpwssds` adds `-256 * byte 22`; one `vpmadd52luq` by
//!   `2^32 + 1` adds the halves. Bits 32..48 are then `sum - checksum (mod
//!   2^16)`, zero exactly when the checksum matches.
//! - **Framing checked once per step.** Header bytes, reserved bits and
//!   checksum residues of the four blocks are OR-ed and tested once; the
//!   per-record error codes are only worked out for a step that has an error.
//! - **Decisions looked up once per step.** Two byte gathers pull the
//!   capability and risk bytes of all 32 records into one vector, in record
//!   order; one lookup gives the capability class, a second (128 entries,
//!   indexed by class and risk bits) the status byte.

use core::arch::x86_64::*;

use tcp_core::ErrorCode;

use super::lanes::{Layout, gather, gather_indices};
use crate::cpu::generic::{MAGIC_MASK, RESERVED_MASK, V2_KB_HEADER, VERSION_MASK};
use crate::cpu::tables::invalid;
use crate::cpu::{CpuLevel, V2KbTables};

/// Gather indices: capability byte (4 of `B`) and risk byte (5).
const GATHER_CAPS_RISK: [u8; 64] = gather_indices([4, 5]);

/// Records per step.
const STEP: usize = 32;
/// Bytes per block of eight records.
const BLOCK: usize = 8 * 24;

/// `vpdpbusd` weights for `C` (record bytes 16..24): data bytes count once,
/// byte 22 (checksum high) is added by `vpdpwssd`, byte 23 (checksum low) subtracts.
const C_WEIGHTS: u64 = u64::from_le_bytes([1, 1, 1, 1, 1, 1, 0, 0xFF]);
/// `vpdpwssd` weights for `C`: the 16-bit word of bytes 22..24 times -256, which is
/// `-256 * byte 22` modulo 2^16.
const C_HIGH_WEIGHTS: u64 = 0xFF00_0000_0000_0000;
/// Bits of `acc * (2^32 + 1)` that hold the two 32-bit halves' sum modulo 2^16.
const RESIDUE_MASK: u64 = 0x0000_FFFF_0000_0000;

/// `vpternlogq` truth tables (operands a, b, c are 0xF0, 0xCC, 0xAA).
const OR3: i32 = 0xFE;
/// `(a | b) & c`.
const OR_THEN_AND: i32 = 0xA8;
/// `(a ^ c) | (b ^ c)`.
const XOR_EACH_THEN_OR: i32 = 0x7E;

/// Validates whole steps of 32 records; returns how many records it wrote.
pub(crate) fn validate_v2_kb(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    if !CpuLevel::Avx512.is_supported() {
        return 0;
    }
    // SAFETY: the CPU has every feature the kernel enables (checked just above).
    unsafe { kernel(input, tables, out) }
}

/// Constants of one call, loaded once.
struct Consts {
    header: __m512i,
    header_mask: __m512i,
    reserved: __m512i,
    ones: __m512i,
    c_weights: __m512i,
    c_high_weights: __m512i,
    halves: __m512i,
    residue_mask: __m512i,
    /// How `A`, `B`, `C` are built.
    layout: Layout,
    /// Gathers capability bytes (byte 4 of `B`) of records 0..32 to bytes
    /// 0..32, risk bytes (byte 5) to 32..64.
    gather: __m512i,
    /// Class of a capability byte, shifted to bits 5..7 (64 entries).
    class: __m512i,
    /// Status by `class << 5 | risk bits` (128 entries, two halves).
    status: [__m512i; 2],
}

/// One block's record words.
#[derive(Clone, Copy)]
struct Words {
    /// Word 0 of record `j` in lane `lane_of(j)`.
    a: __m512i,
    /// Word 1, likewise.
    b: __m512i,
    /// `sum - checksum (mod 2^16)` in bits 32..48 of each lane; other bits are noise.
    residue: __m512i,
}

/// Loads a block and computes its checksum residues.
#[inline(always)]
unsafe fn block(p: *const u8, k: &Consts) -> Words {
    // SAFETY: the caller guarantees the instruction sets and a whole block
    // (three 64-byte vectors) at `p`.
    unsafe {
        let v0 = _mm512_loadu_epi64(p.cast());
        let v1 = _mm512_loadu_epi64(p.add(64).cast());
        let v2 = _mm512_loadu_epi64(p.add(128).cast());
        let [a, b, c] = k.layout.words([v0, v1, v2]);
        let acc = _mm512_sad_epu8(a, _mm512_setzero_si512());
        let acc = _mm512_dpbusd_epi32(acc, b, k.ones);
        let acc = _mm512_dpbusd_epi32(acc, c, k.c_weights);
        // The saturating form: LLVM splits the plain one into two instructions;
        // the sums here are far from saturating.
        let acc = _mm512_dpwssds_epi32(acc, c, k.c_high_weights);
        let residue = _mm512_madd52lo_epu64(_mm512_setzero_si512(), acc, k.halves);
        Words { a, b, residue }
    }
}

/// Error status of each record of a block (0 where its framing is fine), in
/// byte 4 of its lane like the capability byte, so the same gather orders it.
#[inline(always)]
unsafe fn block_errors(w: &Words, k: &Consts) -> __m512i {
    // SAFETY: the caller guarantees the instruction sets; no memory is touched.
    unsafe {
        let err = |code| _mm512_set1_epi8(invalid(code) as i8);
        let diff = _mm512_xor_si512(w.a, k.header);
        let magic_ok = _mm512_testn_epi64_mask(diff, _mm512_set1_epi64(MAGIC_MASK as i64));
        let version_ok = _mm512_testn_epi64_mask(diff, _mm512_set1_epi64(VERSION_MASK as i64));
        let checksum_ok = _mm512_testn_epi64_mask(w.residue, k.residue_mask);
        let reserved_ok = _mm512_testn_epi64_mask(w.b, k.reserved);
        // Earlier checks win: apply them last.
        let e = _mm512_maskz_mov_epi64(!reserved_ok, err(ErrorCode::ReservedBitsSet));
        let e = _mm512_mask_mov_epi64(e, !checksum_ok, err(ErrorCode::ChecksumMismatch));
        let e = _mm512_mask_mov_epi64(e, !version_ok, err(ErrorCode::UnsupportedVersion));
        _mm512_mask_mov_epi64(e, !magic_ok, err(ErrorCode::BadMagic))
    }
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi,avx512vnni,avx512ifma")]
unsafe fn kernel(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    let (class, status) = tables.composed();
    // SAFETY: the caller guarantees the instruction sets; every load reads a
    // local array or a whole step of `input` (see `word`), every store writes
    // exactly one 32-byte chunk of `out`.
    unsafe {
        let k = Consts {
            header: _mm512_set1_epi64(V2_KB_HEADER as i64),
            header_mask: _mm512_set1_epi64((MAGIC_MASK | VERSION_MASK) as i64),
            reserved: _mm512_set1_epi64(RESERVED_MASK as i64),
            ones: _mm512_set1_epi8(1),
            c_weights: _mm512_set1_epi64(C_WEIGHTS as i64),
            c_high_weights: _mm512_set1_epi64(C_HIGH_WEIGHTS as i64),
            halves: _mm512_set1_epi64((1u64 << 32 | 1) as i64),
            residue_mask: _mm512_set1_epi64(RESIDUE_MASK as i64),
            layout: Layout::new(),
            gather: _mm512_loadu_epi8(GATHER_CAPS_RISK.as_ptr().cast()),
            class: _mm512_loadu_epi8(class.as_ptr().cast()),
            status: [
                _mm512_loadu_epi8(status.as_ptr().cast()),
                _mm512_loadu_epi8(status.as_ptr().add(64).cast()),
            ],
        };
        let (chunks, _) = input.as_chunks::<{ STEP * 24 }>();
        let (outs, _) = out.as_chunks_mut::<STEP>();
        let mut done = 0;
        let far = super::prefetch_far(input.len());
        for (chunk, dst) in chunks.iter().zip(outs.iter_mut()) {
            let p = chunk.as_ptr();
            super::prefetch_ahead::<12>(p, far);
            let w = [
                block(p, &k),
                block(p.add(BLOCK), &k),
                block(p.add(2 * BLOCK), &k),
                block(p.add(3 * BLOCK), &k),
            ];
            let [w0, w1, w2, w3] = w;

            // Framing of all 32 records at once: the header bytes of A, the
            // reserved bits of B and the checksum residues, OR-ed and masked.
            let headers = _mm512_ternarylogic_epi64::<OR_THEN_AND>(
                _mm512_ternarylogic_epi64::<XOR_EACH_THEN_OR>(w0.a, w1.a, k.header),
                _mm512_ternarylogic_epi64::<XOR_EACH_THEN_OR>(w2.a, w3.a, k.header),
                k.header_mask,
            );
            let reserved = _mm512_ternarylogic_epi64::<OR_THEN_AND>(
                _mm512_ternarylogic_epi64::<OR3>(w0.b, w1.b, w2.b),
                w3.b,
                k.reserved,
            );
            let residues = _mm512_ternarylogic_epi64::<OR_THEN_AND>(
                _mm512_ternarylogic_epi64::<OR3>(w0.residue, w1.residue, w2.residue),
                w3.residue,
                k.residue_mask,
            );
            let bad = _mm512_ternarylogic_epi64::<OR3>(headers, reserved, residues);

            // Decisions: class of the capability byte, then status by class and risk.
            let bytes = gather([w0.b, w1.b, w2.b, w3.b], k.gather);
            let class = _mm512_permutexvar_epi8(bytes, k.class);
            let risk = _mm512_shuffle_i64x2::<0b0100_1110>(bytes, bytes);
            let index = _mm512_or_si512(class, risk);
            let [lo, hi] = k.status;
            let mut s = _mm512_castsi512_si256(_mm512_permutex2var_epi8(lo, index, hi));

            if _mm512_test_epi64_mask(bad, bad) != 0 {
                let errors = gather(
                    [
                        block_errors(&w0, &k),
                        block_errors(&w1, &k),
                        block_errors(&w2, &k),
                        block_errors(&w3, &k),
                    ],
                    k.gather,
                );
                let errors = _mm512_castsi512_si256(errors);
                s = _mm256_mask_mov_epi8(s, _mm256_test_epi8_mask(errors, errors), errors);
            }
            _mm256_storeu_si256(dst.as_mut_ptr().cast(), s);
            done += STEP;
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ternary_logic_tables() {
        let (a, b, c) = (0xF0u8, 0xCCu8, 0xAAu8);
        assert_eq!(i32::from(a | b | c), OR3);
        assert_eq!(i32::from((a | b) & c), OR_THEN_AND);
        assert_eq!(i32::from((a ^ c) | (b ^ c)), XOR_EACH_THEN_OR);
    }
}
