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

use crate::cpu::generic::{MAGIC_MASK, RESERVED_MASK, V2_KB_HEADER, VERSION_MASK};
use crate::cpu::tables::invalid;
use crate::cpu::{CpuLevel, V2KbTables};

/// Records per step.
const STEP: usize = 32;
/// Bytes per block of eight records.
const BLOCK: usize = 8 * 24;

/// The record each lane of the block vectors `A`, `B`, `C` holds. Chosen so
/// that word `t` of the records in lanes `NATURAL_LANES[t]` already sits there
/// in block vector `t`, and the words of `t` in the two other vectors lie in
/// disjoint lanes of those: each of `A`, `B`, `C` is then one blend of the two
/// other vectors ([`merge_lanes`]) and one permute merged into block vector
/// `t` itself, which no other output needs afterwards (so no register copies).
const LANE_RECORD: [usize; 8] = [0, 5, 3, 1, 6, 4, 2, 7];
/// Lanes of `A`, `B`, `C` taken from block vector 0, 1, 2 in place.
const NATURAL_LANES: [u8; 3] = [0b0100_1001, 0b0010_0100, 0b1001_0010];

/// The lane of record `j` (0..8) in the block vectors `A`, `B`, `C`.
fn lane_of(j: usize) -> usize {
    LANE_RECORD.iter().position(|&r| r == j).unwrap_or(0)
}

/// The two block vectors other than `t`, lower-numbered first.
const fn others(t: usize) -> (usize, usize) {
    match t {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    }
}

/// Lanes where the blend for output `t` takes the second of [`others`]`(t)`:
/// word `w` of `t` from another vector is then at lane `w % 8` of the blend.
fn merge_lanes(t: usize) -> u8 {
    let (_, second) = others(t);
    LANE_RECORD
        .iter()
        .map(|record| 3 * record + t)
        .filter(|w| w / 8 == second)
        .fold(0, |m, w| m | (1 << (w % 8)))
}

/// `vpermt2q` indices for output `t`: lane `L` takes word `w` from lane
/// `w % 8` of the blend (table 2). Lanes kept in place by the mask get 0.
fn permute_indices(t: usize) -> [u64; 8] {
    let mut idx = [0u64; 8];
    for (slot, record) in idx.iter_mut().zip(LANE_RECORD) {
        let w = 3 * record + t;
        if w / 8 != t {
            *slot = (8 + w % 8) as u64;
        }
    }
    idx
}

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
    /// `vpermt2q` indices for `A`, `B`, `C`.
    permute: [__m512i; 3],
    /// Blend masks for `A`, `B`, `C` ([`merge_lanes`]).
    merge: [u8; 3],
    /// Byte gather indices: capability bytes of records 0..32 to bytes 0..32,
    /// risk bytes to 32..64 (first pass: blocks 0, 1; second: blocks 2, 3).
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
        let [n0, n1, n2] = NATURAL_LANES;
        let [i0, i1, i2] = k.permute;
        let [m0, m1, m2] = k.merge;
        // All three blends first, so that each permute is the last use of
        // the block vector it merges into.
        let t0 = _mm512_mask_mov_epi64(v1, m0, v2);
        let t1 = _mm512_mask_mov_epi64(v0, m1, v2);
        let t2 = _mm512_mask_mov_epi64(v0, m2, v1);
        let a = _mm512_mask_permutex2var_epi64(v0, !n0, i0, t0);
        let b = _mm512_mask_permutex2var_epi64(v1, !n1, i1, t1);
        let c = _mm512_mask_permutex2var_epi64(v2, !n2, i2, t2);
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

/// Bytes 4 and 5 of every lane of four block vectors, in record order: byte 4 to bytes 0..32, byte 5 to bytes 32..64.
#[inline(always)]
unsafe fn gather(v: [__m512i; 4], k: &Consts) -> __m512i {
    // SAFETY: the caller guarantees AVX-512 VBMI; no memory is touched.
    unsafe {
        // Both passes use the same indices; each keeps the half it fills.
        const FIRST: u64 = 0x0000_FFFF_0000_FFFF;
        let first = _mm512_permutex2var_epi8(v[0], k.gather, v[1]);
        let second = _mm512_permutex2var_epi8(v[2], k.gather, v[3]);
        _mm512_mask_blend_epi8(FIRST, second, first)
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
            permute: [0, 1, 2].map(|t| _mm512_loadu_epi64(permute_indices(t).as_ptr().cast())),
            merge: [0, 1, 2].map(merge_lanes),
            gather: _mm512_loadu_epi8(gather_indices().as_ptr().cast()),
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
            let bytes = gather([w0.b, w1.b, w2.b, w3.b], &k);
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
                    &k,
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

/// The gather's index bytes (see [`Consts::gather`]).
fn gather_indices() -> [u8; 64] {
    let mut idx = [0u8; 64];
    for (i, slot) in idx.iter_mut().enumerate() {
        // Bytes 0..32 take byte 4 of record i % 32's lane, 32..64 byte 5.
        let byte = 4 + i / 32;
        // Records 0..16 come from the first pass (blocks 0, 1 = table bytes
        // 0..128), 16..32 from the second (blocks 2, 3, also as 0..128).
        let record = (i % 32) % 16;
        let block = record / 8;
        *slot = (64 * block + 8 * lane_of(record % 8) + byte) as u8;
    }
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_are_consistent() {
        for (t, natural_lanes) in NATURAL_LANES.into_iter().enumerate() {
            let idx = permute_indices(t);
            let (first, second) = others(t);
            let merge = merge_lanes(t);
            for (lane, &record) in LANE_RECORD.iter().enumerate() {
                let w = 3 * record + t;
                let natural = natural_lanes & (1 << lane) != 0;
                // In place exactly where the word is in its own block vector's lane.
                assert_eq!(natural, w / 8 == t && w % 8 == lane, "word {t}, lane {lane}");
                if !natural {
                    // Table 2 (the blend), at a lane holding word w.
                    let from = idx[lane] as usize - 8;
                    let source = if merge & (1 << from) != 0 { second } else { first };
                    assert_eq!((source, from), (w / 8, w % 8), "word {t}, lane {lane}");
                }
            }
        }
        let mut seen = LANE_RECORD;
        seen.sort_unstable();
        assert_eq!(seen, [0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn ternary_logic_tables() {
        let (a, b, c) = (0xF0u8, 0xCCu8, 0xAAu8);
        assert_eq!(i32::from(a | b | c), OR3);
        assert_eq!(i32::from((a | b) & c), OR_THEN_AND);
        assert_eq!(i32::from((a ^ c) | (b ^ c)), XOR_EACH_THEN_OR);
    }

    #[test]
    fn gather_reads_capability_then_risk_bytes() {
        let idx = gather_indices();
        // First pass (blocks 0, 1): record 9 is record 1 of block 1, in lane 3.
        assert_eq!(idx[9], 64 + 8 * 3 + 4);
        assert_eq!(idx[32 + 9], 64 + 8 * 3 + 5);
        // Second pass (blocks 2, 3): record 16 + 9 likewise.
        assert_eq!(idx[16 + 9], 64 + 8 * 3 + 4);
        assert_eq!(idx[48 + 9], 64 + 8 * 3 + 5);
    }
}
