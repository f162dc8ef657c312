//! AVX-512 canonical (C24) records: the CRC-32C with the `crc32` instruction,
//! everything else 32 records at a time in vectors.
//!
//! The scalar loop ([`crate::cpu::c24`]) spends about 7.5 cycles per record,
//! of which the three `crc32` steps need 3; the rest is the per-record
//! header, reserved-byte and table work. Here the checksums of 32 records go
//! into one bit mask (four records interleaved, as in the scalar loop), and
//! word 0 of the 32 records (magic, version, risk, flags) is laid out by
//! [`super::lanes`]: one test checks magic, version and reserved byte of all
//! of them, one gather pulls the risk and capability bytes, and two lookups
//! give the statuses. A step with any framing, checksum or reserved-byte
//! fault is redone record by record with the scalar code, whose order of
//! checks is tcp-core's.

use core::arch::x86_64::*;

use tcp_core::wire::canonical::{MAGIC, VERSION};

use super::lanes::{Layout, gather, gather_indices};
use crate::cpu::{CanonicalTables, CpuLevel, c24};

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
        let layout = Layout::new();
        let frame = _mm512_set1_epi64(FRAME as i64);
        let frame_mask = _mm512_set1_epi64(FRAME_MASK as i64);
        let indices = _mm512_loadu_epi8(GATHER_CAPS_RISK.as_ptr().cast());
        let class_lo = _mm512_broadcast_i32x4(_mm_loadu_si128(class_lo.as_ptr().cast()));
        let class_hi = _mm512_broadcast_i32x4(_mm_loadu_si128(class_hi.as_ptr().cast()));
        let nibble = _mm512_set1_epi8(0x0F);
        let highest_risk = _mm256_set1_epi8(31);
        let status_lo = _mm512_loadu_epi8(status.as_ptr().cast());
        let status_hi = _mm512_loadu_epi8(status.as_ptr().add(64).cast());

        let far = super::prefetch_far(input.len());
        let (chunks, _) = input.as_chunks::<{ STEP * 24 }>();
        let (outs, _) = out.as_chunks_mut::<STEP>();
        let mut done = 0;
        for (chunk, dst) in chunks.iter().zip(outs.iter_mut()) {
            let p = chunk.as_ptr();
            super::prefetch_ahead::<12>(p, far);

            let (groups, _) = chunk.as_chunks::<{ 4 * 24 }>();
            let checksums_ok = groups.iter().enumerate().fold(0u32, |ok, (g, group)| {
                ok | (u32::from(c24::checksums_ok(group, step64, step32)) << (4 * g))
            });

            let block = |b: usize| {
                let at = p.add(b * BLOCK);
                layout.first_words([
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

            if checksums_ok == u32::MAX && _mm512_test_epi64_mask(unframed, unframed) == 0 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
