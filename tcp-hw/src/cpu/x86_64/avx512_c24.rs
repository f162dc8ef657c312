//! AVX-512 canonical (C24) records: the CRC-32C with the `crc32` instruction,
//! everything else 32 records at a time in vectors.
//!
//! The scalar loop ([`crate::cpu::c24`]) spends about 7.5 cycles per record,
//! of which the three `crc32` steps need 3; the rest is the per-record
//! header, reserved-byte and table work. Here the checksums of 32 records are
//! checked together, eight interleaved, with no per-record result and two
//! `crc32` steps per record, the magic's share being a constant
//! ([`all_checksums_match_after_magic`]: 1.5 times the throughput of the
//! three-step, per-record-bit loop on 64K records). Word 0 of the 32 records
//! (magic, version, risk, flags) is laid out by [`super::lanes`]: one test
//! checks magic, version and reserved byte of all of them, one gather pulls
//! the risk and capability bytes, and two lookups
//! give the statuses. A step with any framing, checksum or reserved-byte
//! fault is redone record by record with the scalar code, whose order of
//! checks is tcp-core's.

use core::arch::x86_64::*;

use tcp_core::wire::canonical::{MAGIC, VERSION};

use super::lanes::{Pick, gather, gather_indices};
use crate::cpu::{CanonicalTables, CpuLevel, c24};

/// Record bytes 0..8: magic, version, risk, reserved flag byte, capabilities.
const WORD0: Pick = Pick::new([0, 1, 2, 3, 4, 5, 6, 7], 0);

/// Gather indices: capability byte (7) of record i to byte i, risk byte (5) to 32 + i.
const GATHER_CAPS_RISK: [u8; 64] = gather_indices([7, 5]);

/// Records per step.
const STEP: usize = 32;
/// Bytes per block of eight records.
const BLOCK: usize = 8 * 24;

/// Word 0 of a well-framed record: magic, version, and a zero reserved flag byte.
const FRAME: u64 = u64::from_le_bytes([MAGIC[0], MAGIC[1], MAGIC[2], MAGIC[3], VERSION, 0, 0, 0]);
/// The bytes of word 0 that [`FRAME`] fixes (0..5 and 6; 5 is the risk, 7 the capabilities).
const FRAME_MASK: u64 = 0x00FF_00FF_FFFF_FFFF;

/// Validates whole steps of 32 records; returns how many records it wrote.
pub(crate) fn validate_canonical(input: &[u8], tables: &CanonicalTables, out: &mut [u8]) -> usize {
    if !CpuLevel::Avx512.is_supported() || !std::is_x86_feature_detected!("sse4.2") {
        return 0;
    }
    // SAFETY: the CPU has every feature the kernel enables (checked just above).
    unsafe { kernel(input, tables, out) }
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi,sse4.2")]
unsafe fn kernel(input: &[u8], tables: &CanonicalTables, out: &mut [u8]) -> usize {
    let ([class_lo, class_hi], status) = tables.composed();
    let step64 = |c: u32, w: u64| _mm_crc32_u64(u64::from(c), w) as u32;
    let step32 = |c: u32, w: u32| _mm_crc32_u32(c, w);
    // SAFETY: the caller guarantees the instruction sets; every load reads a
    // local array or one 64-byte vector inside the current step of `input`,
    // every store writes exactly one 32-byte chunk of `out`.
    unsafe {
        let word0 = WORD0.load();
        let frame = _mm512_set1_epi64(FRAME as i64);
        let frame_mask = _mm512_set1_epi64(FRAME_MASK as i64);
        let indices = _mm512_loadu_epi8(GATHER_CAPS_RISK.as_ptr().cast());
        let class_lo = _mm512_broadcast_i32x4(_mm_loadu_si128(class_lo.as_ptr().cast()));
        let class_hi = _mm512_broadcast_i32x4(_mm_loadu_si128(class_hi.as_ptr().cast()));
        let nibble = _mm512_set1_epi8(0x0F);
        let highest_risk = _mm256_set1_epi8(31);
        let status_lo = _mm512_loadu_epi8(status.as_ptr().cast());
        let status_hi = _mm512_loadu_epi8(status.as_ptr().add(64).cast());

        let plan = super::prefetch_plan(input.len());
        let (chunks, _) = input.as_chunks::<{ STEP * 24 }>();
        let (outs, _) = out.as_chunks_mut::<STEP>();
        let mut done = 0;
        for (chunk, dst) in chunks.iter().zip(outs.iter_mut()) {
            let p = chunk.as_ptr();
            super::prefetch_ahead::<12>(p, plan);

            let checksums_match = all_checksums_match_after_magic(chunk);

            let block = |b: usize| {
                let at = p.add(b * BLOCK);
                word0.apply(&[
                    _mm512_loadu_epi64(at.cast()),
                    _mm512_loadu_epi64(at.add(64).cast()),
                    _mm512_loadu_epi64(at.add(128).cast()),
                ])
            };
            let words = [block(0), block(1), block(2), block(3)];
            let [w0, w1, w2, w3] = words;
            // (w ^ FRAME) | ..., masked to the fixed bytes: zero when all 32 are well framed.
            let unframed = _mm512_ternarylogic_epi64::<0xA8>(
                _mm512_ternarylogic_epi64::<0x7E>(w0, w1, frame),
                _mm512_ternarylogic_epi64::<0x7E>(w2, w3, frame),
                frame_mask,
            );

            if checksums_match && _mm512_test_epi64_mask(unframed, unframed) == 0 {
                let bytes = gather(words, indices);
                let low = _mm512_and_si512(bytes, nibble);
                let high = _mm512_and_si512(_mm512_srli_epi16::<4>(bytes), nibble);
                let class = _mm512_max_epu8(
                    _mm512_shuffle_epi8(class_lo, low),
                    _mm512_shuffle_epi8(class_hi, high),
                );
                let risk = _mm256_min_epu8(_mm512_extracti64x4_epi64::<1>(bytes), highest_risk);
                let index = _mm512_or_si512(class, _mm512_castsi256_si512(risk));
                let s = _mm512_permutex2var_epi8(status_lo, index, status_hi);
                _mm256_storeu_si256(dst.as_mut_ptr().cast(), _mm512_castsi512_si256(s));
            } else {
                // Redone record by record: which records failed, and how.
                let (groups, _) = chunk.as_chunks::<{ 4 * 24 }>();
                let checksums_ok = groups.iter().enumerate().fold(0u32, |ok, (g, group)| {
                    ok | (u32::from(c24::checksums_ok(group, step64, step32)) << (4 * g))
                });
                let (records, _) = chunk.as_chunks::<24>();
                for (i, (slot, r)) in dst.iter_mut().zip(records).enumerate() {
                    *slot = c24::status(c24::words(r).0, checksums_ok & (1 << i) != 0, tables);
                }
            }
            done += STEP;
        }
        done
    }
}

/// Whether every record's CRC-32C matches, for records whose magic is known
/// to be [`MAGIC`] (the kernel checks it, and a step where it is not is
/// redone with [`c24::checksums_ok`]). The CRC state after the magic is then
/// a constant, so the 16 bytes that follow take two 8-byte `crc32` steps
/// instead of three steps over 20 bytes. The computed value XOR the stored
/// one is all ones for a match (the stored value is the inverted CRC), so the
/// AND over all records is all ones exactly when every one matches; no
/// per-record result is kept. Eight records are interleaved.
///
/// # Safety
///
/// The CPU must have SSE4.2.
#[inline(always)]
unsafe fn all_checksums_match_after_magic(step: &[u8; STEP * 24]) -> bool {
    // SAFETY (every `crc32` here): the caller guarantees SSE4.2.
    let after_magic = unsafe { _mm_crc32_u32(!0, u32::from_le_bytes(MAGIC)) };
    let (groups, _) = step.as_chunks::<{ 8 * 24 }>();
    let mut all = u32::MAX;
    for group in groups {
        let (records, _) = group.as_chunks::<24>();
        let mut state = [u64::from(after_magic); 8];
        for (c, r) in state.iter_mut().zip(records) {
            let (lo, _, _) = after_magic_words(r);
            *c = unsafe { _mm_crc32_u64(*c, lo) };
        }
        // LLVM compares these in vectors (results and stored values gathered
        // with `vpinsrd`), which measured faster than scalar compares: an
        // `asm!` variant ran at about 0.5 against 0.65 G records/s.
        for (c, r) in state.iter().zip(records) {
            let (_, hi, stored) = after_magic_words(r);
            all &= unsafe { _mm_crc32_u64(*c, hi) } as u32 ^ stored;
        }
    }
    all == u32::MAX
}

/// A record's bytes 4..12 and 12..20 as the `crc32` steps after the magic
/// consume them (little-endian), and its stored big-endian checksum.
#[inline(always)]
fn after_magic_words(r: &[u8; 24]) -> (u64, u64, u32) {
    let (w, _) = r.as_chunks::<4>();
    let words: [[u8; 4]; 6] = w.try_into().unwrap_or_default();
    let [_, w1, w2, w3, w4, stored] = words.map(u32::from_le_bytes);
    let pair = |lo: u32, hi: u32| u64::from(lo) | u64::from(hi) << 32;
    (pair(w1, w2), pair(w3, w4), stored.swap_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::{Mix, records};
    use tcp_core::{Dialect, Policy};

    #[test]
    fn checksums_after_magic_catch_every_covered_byte() {
        if !CpuLevel::Avx512.is_supported() || !std::is_x86_feature_detected!("sse4.2") {
            return;
        }
        let batch = records(Dialect::Canonical, STEP, Mix::Valid, 5);
        let step: &[u8; STEP * 24] = batch.as_slice().try_into().unwrap();
        // SAFETY: SSE4.2 is present (checked above).
        assert!(unsafe { all_checksums_match_after_magic(step) });
        // Any bit of bytes 4..24 of any record, flipped, is a mismatch.
        for (record, byte, bit) in [
            (0, 4, 0),
            (7, 11, 3),
            (8, 12, 7),
            (19, 19, 1),
            (31, 20, 0),
            (31, 23, 7),
        ] {
            let mut bad = *step;
            bad[record * 24 + byte] ^= 1 << bit;
            // SAFETY: SSE4.2 is present (checked above).
            let matched = unsafe { all_checksums_match_after_magic(&bad) };
            assert!(!matched, "{record}/{byte}/{bit}");
        }
    }

    /// The fast CRC check assumes the magic: a record whose magic is wrong
    /// but whose checksum is right for the true magic passes it, and must
    /// still come out BadMagic (from the framing test), like tcp-core says.
    #[test]
    fn wrong_magic_with_the_checksum_of_the_right_one() {
        if !CpuLevel::Avx512.is_supported() || !std::is_x86_feature_detected!("sse4.2") {
            return;
        }
        let mut batch = records(Dialect::Canonical, 2 * STEP, Mix::Valid, 6);
        batch[37 * 24] = b'X';
        let step: &[u8; STEP * 24] = batch[STEP * 24..].try_into().unwrap();
        // SAFETY: SSE4.2 is present (checked above).
        assert!(unsafe { all_checksums_match_after_magic(step) });
        let policy = Policy::default();
        let tables = CanonicalTables::new(&policy);
        let mut got = vec![0u8; 2 * STEP];
        assert_eq!(validate_canonical(&batch, &tables, &mut got), 2 * STEP);
        let mut want = vec![0u8; 2 * STEP];
        tcp_core::validate_batch(Dialect::Canonical, &batch, &policy, &mut want).unwrap();
        assert_eq!(got, want);
        assert_eq!(
            got[37],
            crate::cpu::tables::invalid(tcp_core::ErrorCode::BadMagic)
        );
    }

    #[test]
    fn frame_fixes_magic_version_and_reserved_byte() {
        let bytes = FRAME.to_le_bytes();
        assert_eq!(bytes[..4], MAGIC);
        assert_eq!(bytes[4], VERSION);
        assert_eq!(
            FRAME_MASK.to_le_bytes(),
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0]
        );
    }
}
