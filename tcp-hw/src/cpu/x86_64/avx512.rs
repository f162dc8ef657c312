//! AVX-512 (F, BW, VL, VBMI): v2-kb records in steps of 32, two steps per
//! loop iteration, each step four blocks of eight.
//!
//! Same checks and precedence as [`crate::cpu::generic`], arranged for Zen 4,
//! where a 512-bit permute, `vpsadbw` or multiply-add each take a cycle and
//! compete for the same pipes, while blends, adds and logic ops run beside
//! them (measured with instruction-mix loops; `BENCHMARKS.md`).
//!
//! - **Three picks per block** ([`super::lanes`]), record `j` in lane `j`:
//!   `framing` = record bytes 23, 22, 0..6 (the stored big-endian checksum as
//!   a little-endian word, then magic and version), `flags` = bytes 6..14
//!   (hash tail and the four flag bytes) and `numbers` = bytes 14..22.
//! - **Checksum and header in one comparison.** `sad(flags) + sad(numbers) -
//!   framing` equals [`EXPECTED`] exactly when the header is right and the
//!   checksum matches (proved there): two `vpsadbw`, an add and a
//!   subtract per block, where the previous kernel needed five multiply-port
//!   operations (`vpsadbw`, two `vpdpbusd`, `vpdpwssds`, `vpmadd52luq`).
//! - **Framing checked once per step**: the residues and the reserved flag
//!   bits of the four blocks are OR-ed and tested once.
//! - **Decisions looked up once per step**: two byte gathers pull the
//!   capability and risk bytes of all 32 records into one vector, in record
//!   order; one lookup gives the capability class, a second (128 entries,
//!   indexed by class and risk bits) the status byte.
//! - **Faults off the fast path.** A step with any fault is worked out again
//!   from memory by [`step_errors`] (cold), so the fast loop keeps only two
//!   vectors per block live and two steps fit in the registers; interleaving
//!   two steps gave 8-10 % on L1- and L2-resident batches.

use core::arch::x86_64::*;

use tcp_core::ErrorCode;

use super::lanes::{Pick, Picker, gather, gather_indices};
use crate::cpu::generic::{MAGIC_MASK, RESERVED_MASK, V2_KB_HEADER, VERSION_MASK};
use crate::cpu::tables::invalid;
use crate::cpu::{CpuLevel, V2KbTables};

/// Records per step.
const STEP: usize = 32;
/// Bytes per block of eight records.
const BLOCK: usize = 8 * 24;

/// Record bytes 23, 22 (the checksum, low byte first), then 0..6 (magic, version).
const FRAMING: Pick = Pick::new([23, 22, 0, 1, 2, 3, 4, 5], 0);
/// Record bytes 6..14: hash bytes 6..10, flag bytes 10..14.
const FLAGS: Pick = Pick::new([6, 7, 8, 9, 10, 11, 12, 13], 1);
/// Record bytes 14..22: execution time, memory, output.
const NUMBERS: Pick = Pick::new([14, 15, 16, 17, 18, 19, 20, 21], 2);

/// Gather indices: capability byte (flag byte 12, lane byte 6 of `flags`)
/// and risk byte (flag byte 13, lane byte 7).
const GATHER_CAPS_RISK: [u8; 64] = gather_indices([6, 7]);

/// Magic and version as they sit in a `framing` lane (bytes 2..8).
const FRAMING_HEADER: u64 = V2_KB_HEADER << 16;
/// Reserved flag bits as they sit in a `flags` lane (`RESERVED_MASK` is the
/// same bits in record bytes 8..16; `flags` starts two bytes earlier).
const FLAGS_RESERVED: u64 = RESERVED_MASK << 16;

/// The sum of the magic and version bytes.
#[allow(clippy::indexing_slicing, reason = "const evaluation")]
const HEADER_SUM: u64 = {
    let bytes = V2_KB_HEADER.to_le_bytes();
    let mut sum = 0;
    let mut i = 0;
    while i < 8 {
        sum += bytes[i] as u64;
        i += 1;
    }
    sum
};

/// The residue of a well-framed record with a matching checksum.
///
/// [`block`] computes, lane by lane, the residue `s - f` of a record, where
/// `s` is the sum of its bytes 6..22 and `f` its `framing` lane. With `c` the
/// stored checksum and `h` the 48-bit header word, `f = c + 2^16 h`, so the
/// residue equals `EXPECTED = -HEADER_SUM - 2^16 H` (mod 2^64, `H` the right
/// header) exactly when `d + 2^16 (H - h) = 0` with `d = s + HEADER_SUM - c`.
/// Since `|d| < 2^16` and `|H - h| < 2^48`, that integer is zero only when
/// `d = 0` and `h = H`: the header is right, and the sum of bytes 0..22 (at
/// most 22 * 255, so never reduced mod 2^16) is the stored checksum, which is
/// tcp-core's check.
const EXPECTED: u64 = 0u64.wrapping_sub(HEADER_SUM).wrapping_sub(FRAMING_HEADER);

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
    framing: Picker,
    flags: Picker,
    numbers: Picker,
    expected: __m512i,
    reserved: __m512i,
    /// Gathers capability bytes of records 0..32 to bytes 0..32, risk bytes to 32..64.
    gather: __m512i,
    /// Class of a capability byte, shifted to bits 5..7 (64 entries).
    class: __m512i,
    /// Status by `class << 5 | risk bits` (128 entries, two halves).
    status: [__m512i; 2],
}

/// What the fast path keeps of a block.
#[derive(Clone, Copy)]
struct Block {
    /// Record bytes 6..14, record `j` in lane `j`.
    flags: __m512i,
    /// Residue of every record (see [`EXPECTED`]).
    residue: __m512i,
}

/// The three picks of the block at `p`.
///
/// # Safety
///
/// The CPU must have the kernel's instruction sets, and `p` must point to a
/// whole block (three 64-byte vectors).
#[inline(always)]
unsafe fn picks(p: *const u8, k: &Consts) -> [__m512i; 3] {
    // SAFETY: as the caller guarantees.
    unsafe {
        let v = [
            _mm512_loadu_epi64(p.cast()),
            _mm512_loadu_epi64(p.add(64).cast()),
            _mm512_loadu_epi64(p.add(128).cast()),
        ];
        [k.framing.apply(&v), k.flags.apply(&v), k.numbers.apply(&v)]
    }
}

/// Every record's residue (see [`EXPECTED`]) from a block's three picks.
///
/// # Safety
///
/// The CPU must have the kernel's instruction sets.
#[inline(always)]
unsafe fn residues([framing, flags, numbers]: [__m512i; 3]) -> __m512i {
    // SAFETY: the caller guarantees the instruction sets; no memory is touched.
    unsafe {
        let zero = _mm512_setzero_si512();
        let sum = _mm512_add_epi64(_mm512_sad_epu8(flags, zero), _mm512_sad_epu8(numbers, zero));
        _mm512_sub_epi64(sum, framing)
    }
}

/// Loads a block and computes its residues. Safety as for [`picks`].
#[inline(always)]
unsafe fn block(p: *const u8, k: &Consts) -> Block {
    // SAFETY: as the caller guarantees.
    unsafe {
        let picked = picks(p, k);
        let [_, flags, _] = picked;
        Block {
            flags,
            residue: residues(picked),
        }
    }
}

/// The four blocks of the step at `p`. Safety as for [`picks`], for a whole step.
#[inline(always)]
unsafe fn blocks(p: *const u8, k: &Consts) -> [Block; 4] {
    // SAFETY: as the caller guarantees.
    unsafe {
        [
            block(p, k),
            block(p.add(BLOCK), k),
            block(p.add(2 * BLOCK), k),
            block(p.add(3 * BLOCK), k),
        ]
    }
}

/// The statuses of a step's 32 records as if every one were well framed, and
/// a vector that is zero exactly when all of them are.
///
/// # Safety
///
/// The CPU must have the kernel's instruction sets.
#[inline(always)]
unsafe fn decide(b: [Block; 4], k: &Consts) -> (__m256i, __m512i) {
    let [b0, b1, b2, b3] = b;
    // SAFETY: the caller guarantees the instruction sets; no memory is touched.
    unsafe {
        let unframed = _mm512_ternarylogic_epi64::<OR3>(
            _mm512_ternarylogic_epi64::<XOR_EACH_THEN_OR>(b0.residue, b1.residue, k.expected),
            _mm512_ternarylogic_epi64::<XOR_EACH_THEN_OR>(b2.residue, b3.residue, k.expected),
            _mm512_ternarylogic_epi64::<OR_THEN_AND>(
                _mm512_ternarylogic_epi64::<OR3>(b0.flags, b1.flags, b2.flags),
                b3.flags,
                k.reserved,
            ),
        );
        // Class of the capability byte, then status by class and risk.
        let bytes = gather([b0.flags, b1.flags, b2.flags, b3.flags], k.gather);
        let class = _mm512_permutexvar_epi8(bytes, k.class);
        let risk = _mm512_shuffle_i64x2::<0b0100_1110>(bytes, bytes);
        let index = _mm512_or_si512(class, risk);
        let [lo, hi] = k.status;
        let status = _mm512_castsi512_si256(_mm512_permutex2var_epi8(lo, index, hi));
        (status, unframed)
    }
}

/// `status` with the framing errors of the step at `p` applied, record by
/// record in tcp-core's order (magic, version, checksum, reserved bits).
///
/// # Safety
///
/// As for [`blocks`].
#[cold]
#[inline(never)]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
unsafe fn step_errors(p: *const u8, k: &Consts, status: __m256i) -> __m256i {
    // SAFETY: as the caller guarantees.
    unsafe {
        let errors = |at: *const u8| {
            let picked = picks(at, k);
            let [framing, flags, _] = picked;
            let residue = residues(picked);
            let err = |code| _mm512_set1_epi8(invalid(code) as i8);
            let header = _mm512_xor_si512(framing, _mm512_set1_epi64(FRAMING_HEADER as i64));
            let magic_ok =
                _mm512_testn_epi64_mask(header, _mm512_set1_epi64((MAGIC_MASK << 16) as i64));
            let version_ok =
                _mm512_testn_epi64_mask(header, _mm512_set1_epi64((VERSION_MASK << 16) as i64));
            // Only meaningful where the header is right; the header errors win elsewhere.
            let checksum_ok = _mm512_cmpeq_epi64_mask(residue, k.expected);
            let reserved_ok = _mm512_testn_epi64_mask(flags, k.reserved);
            // Earlier checks win: apply them last.
            let e = _mm512_maskz_mov_epi64(!reserved_ok, err(ErrorCode::ReservedBitsSet));
            let e = _mm512_mask_mov_epi64(e, !checksum_ok, err(ErrorCode::ChecksumMismatch));
            let e = _mm512_mask_mov_epi64(e, !version_ok, err(ErrorCode::UnsupportedVersion));
            _mm512_mask_mov_epi64(e, !magic_ok, err(ErrorCode::BadMagic))
        };
        // Error bytes fill their lanes, so the capability-byte gather orders them.
        let errors = gather(
            [
                errors(p),
                errors(p.add(BLOCK)),
                errors(p.add(2 * BLOCK)),
                errors(p.add(3 * BLOCK)),
            ],
            k.gather,
        );
        let errors = _mm512_castsi512_si256(errors);
        _mm256_mask_mov_epi8(status, _mm256_test_epi8_mask(errors, errors), errors)
    }
}

/// The statuses of the step at `p`. Safety as for [`blocks`].
#[inline(always)]
unsafe fn finish(p: *const u8, b: [Block; 4], k: &Consts) -> __m256i {
    // SAFETY: as the caller guarantees.
    unsafe {
        let (status, unframed) = decide(b, k);
        if _mm512_test_epi64_mask(unframed, unframed) == 0 {
            status
        } else {
            step_errors(p, k, status)
        }
    }
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
unsafe fn kernel(input: &[u8], tables: &V2KbTables, out: &mut [u8]) -> usize {
    let (class, status) = tables.composed();
    // SAFETY: the caller guarantees the instruction sets; every load reads a
    // local array or a whole step of `input`, every store writes exactly one
    // 32-byte chunk of `out`.
    unsafe {
        let k = Consts {
            framing: FRAMING.load(),
            flags: FLAGS.load(),
            numbers: NUMBERS.load(),
            expected: _mm512_set1_epi64(EXPECTED as i64),
            reserved: _mm512_set1_epi64(FLAGS_RESERVED as i64),
            gather: _mm512_loadu_epi8(GATHER_CAPS_RISK.as_ptr().cast()),
            class: _mm512_loadu_epi8(class.as_ptr().cast()),
            status: [
                _mm512_loadu_epi8(status.as_ptr().cast()),
                _mm512_loadu_epi8(status.as_ptr().add(64).cast()),
            ],
        };
        let steps = (input.len() / (STEP * 24)).min(out.len() / STEP);
        let (input, _) = input.split_at(steps * STEP * 24);
        let (out, _) = out.split_at_mut(steps * STEP);
        let plan = super::prefetch_plan(input.len());
        let (pairs, last) = input.as_chunks::<{ 2 * STEP * 24 }>();
        let (out_pairs, out_last) = out.as_chunks_mut::<{ 2 * STEP }>();
        for (pair, dst) in pairs.iter().zip(out_pairs.iter_mut()) {
            let p = pair.as_ptr();
            let q = p.add(STEP * 24);
            super::prefetch_ahead::<24>(p, plan);
            // Both steps' blocks first: their work is independent, and the
            // decisions' long dependency chains then overlap.
            let (bp, bq) = (blocks(p, &k), blocks(q, &k));
            let (sp, sq) = (finish(p, bp, &k), finish(q, bq, &k));
            let (d0, d1) = dst.split_at_mut(STEP);
            _mm256_storeu_si256(d0.as_mut_ptr().cast(), sp);
            _mm256_storeu_si256(d1.as_mut_ptr().cast(), sq);
        }
        if let (Some(p), Some(d)) = (last.get(..STEP * 24), out_last.get_mut(..STEP)) {
            let p = p.as_ptr();
            let s = finish(p, blocks(p, &k), &k);
            _mm256_storeu_si256(d.as_mut_ptr().cast(), s);
        }
        steps * STEP
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Mix, Rng, records};
    use tcp_core::Dialect;

    /// One record's residue, as [`block`] computes it lane by lane.
    fn residue(record: &[u8; 24]) -> u64 {
        let s: u64 = record[6..22].iter().map(|&b| u64::from(b)).sum();
        let framing = u64::from_le_bytes([
            record[23], record[22], record[0], record[1], record[2], record[3], record[4],
            record[5],
        ]);
        s.wrapping_sub(framing)
    }

    #[test]
    fn ternary_logic_tables() {
        let (a, b, c) = (0xF0u8, 0xCCu8, 0xAAu8);
        assert_eq!(i32::from(a | b | c), OR3);
        assert_eq!(i32::from((a | b) & c), OR_THEN_AND);
        assert_eq!(i32::from((a ^ c) | (b ^ c)), XOR_EACH_THEN_OR);
    }

    #[test]
    fn lane_constants_sit_where_the_picks_put_the_bytes() {
        assert_eq!(
            FRAMING_HEADER.to_le_bytes(),
            [0, 0, b'T', b'C', b'P', 0x02, 0x00, 0x02]
        );
        // Flag bytes 10, 11 whole, 12 bits 6..7, 13 bits 5..7, at lane bytes 4..8.
        assert_eq!(
            FLAGS_RESERVED.to_le_bytes(),
            [0, 0, 0, 0, 0xFF, 0xFF, 0xC0, 0xE0]
        );
        assert_eq!(HEADER_SUM, u64::from(b'T' + b'C' + b'P') + 2 + 2);
    }

    /// The residue test is tcp-core's header and checksum checks together,
    /// including faults that a plain sum would hide: a header byte raised and
    /// the checksum raised with it, or a checksum off by a whole 2^16.
    #[test]
    fn residue_is_expected_exactly_for_good_header_and_checksum() {
        let mut rng = Rng::new(11);
        let batch = records(Dialect::V2Kb, 64, Mix::Valid, 12);
        for (i, good) in batch.chunks_exact(24).enumerate() {
            let good: [u8; 24] = good.try_into().unwrap();
            assert_eq!(residue(&good), EXPECTED, "record {i}");
            let mut faults = vec![];
            // Any single byte changed.
            let mut r = good;
            let at = rng.below(24) as usize;
            r[at] ^= 1 + rng.below(255) as u8;
            faults.push(r);
            // A header byte raised by one and the stored checksum with it.
            let mut r = good;
            let at = rng.below(6) as usize;
            r[at] = r[at].wrapping_add(1);
            tcp_core::wire::v2_kb::Descriptor::new_unchecked(&mut r[..]).fill_checksum();
            faults.push(r);
            for r in faults {
                let want_ok = tcp_core::Dialect::V2Kb
                    .decode(&r, tcp_core::Mode::Strict)
                    .map(|_| true)
                    .unwrap_or_else(|e| {
                        !matches!(
                            e.code(),
                            ErrorCode::BadMagic
                                | ErrorCode::UnsupportedVersion
                                | ErrorCode::ChecksumMismatch
                        )
                    });
                assert_eq!(residue(&r) == EXPECTED, want_ok, "{r:02x?}");
            }
        }
    }
}
