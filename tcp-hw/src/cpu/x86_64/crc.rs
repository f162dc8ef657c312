//! Canonical (C24) records with the SSE4.2 `crc32` instruction, four records interleaved.
//!
//! CRC-32C over 20 bytes is three dependent `crc32` steps (8 + 8 + 4 bytes);
//! each has a latency of 3 cycles, so four independent records keep the unit
//! busy. The instruction's throughput (one step per cycle) bounds this kernel
//! at about three cycles per record, whatever the vector width: that is why
//! the canonical path is slower than the v2-kb byte-sum path.

use core::arch::x86_64::*;

use crate::cpu::CanonicalTables;

/// Validates whole groups of 4 records; returns how many records it wrote.
pub(crate) fn validate_canonical(input: &[u8], tables: &CanonicalTables, out: &mut [u8]) -> usize {
    if !std::is_x86_feature_detected!("sse4.2") {
        return 0;
    }
    // SAFETY: the CPU has SSE4.2 (checked just above).
    unsafe { kernel(input, tables, out) }
}

/// A record's words: bytes 0..8 and 8..16 (little-endian, as `crc32` consumes
/// them), 16..20, and the stored big-endian checksum.
#[inline(always)]
fn words(r: &[u8; 24]) -> (u64, u64, u32, u32) {
    let [b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23] =
        *r;
    (
        u64::from_le_bytes([b0, b1, b2, b3, b4, b5, b6, b7]),
        u64::from_le_bytes([b8, b9, b10, b11, b12, b13, b14, b15]),
        u32::from_le_bytes([b16, b17, b18, b19]),
        u32::from_be_bytes([b20, b21, b22, b23]),
    )
}

/// The status of a record from its first word and whether its CRC matched.
#[inline(always)]
fn status(first: u64, crc_ok: bool, tables: &CanonicalTables) -> u8 {
    use crate::cpu::tables::invalid;
    use tcp_core::ErrorCode;
    let [m0, m1, m2, m3, version, risk, reserved, caps] = first.to_le_bytes();
    if [m0, m1, m2, m3] != tcp_core::wire::canonical::MAGIC {
        invalid(ErrorCode::BadMagic)
    } else if version != tcp_core::wire::canonical::VERSION {
        invalid(ErrorCode::UnsupportedVersion)
    } else if !crc_ok {
        invalid(ErrorCode::ChecksumMismatch)
    } else {
        tables.status(risk, reserved, caps)
    }
}

#[target_feature(enable = "sse4.2")]
fn kernel(input: &[u8], tables: &CanonicalTables, out: &mut [u8]) -> usize {
    let (groups, _) = input.as_chunks::<{ 4 * 24 }>();
    let (outs, _) = out.as_chunks_mut::<4>();
    let mut done = 0;
    for (group, dst) in groups.iter().zip(outs.iter_mut()) {
        let (records, _) = group.as_chunks::<24>();
        let [r0, r1, r2, r3] = records else {
            break;
        };
        let w = [words(r0), words(r1), words(r2), words(r3)];
        // Three rounds over four independent records.
        let mut c = [!0u64; 4];
        for (c, w) in c.iter_mut().zip(&w) {
            *c = _mm_crc32_u64(*c, w.0);
        }
        for (c, w) in c.iter_mut().zip(&w) {
            *c = _mm_crc32_u64(*c, w.1);
        }
        for ((slot, c), w) in dst.iter_mut().zip(&c).zip(&w) {
            let crc = !_mm_crc32_u32(*c as u32, w.2);
            *slot = status(w.0, crc == w.3, tables);
        }
        done += 4;
    }
    done
}
