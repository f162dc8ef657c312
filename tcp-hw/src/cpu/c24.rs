//! The canonical (C24) kernel loop, shared by the architectures' CRC-32C instructions.
//!
//! CRC-32C over 20 bytes is three dependent steps (8 + 8 + 4 bytes); each
//! step of the hardware instruction has a latency of about 3 cycles and a
//! throughput of one per cycle, so four independent records are interleaved
//! to keep the unit busy. That throughput bounds the kernel at about three
//! cycles per record whatever the vector width: the canonical path is
//! slower than the v2-kb byte-sum path by construction.

use tcp_core::ErrorCode;
use tcp_core::wire::canonical::{MAGIC, VERSION};

use super::CanonicalTables;
use super::tables::invalid;

/// A record's words: bytes 0..8 and 8..16 (little-endian, as the CRC
/// instructions consume them), 16..20, and the stored big-endian checksum.
#[inline(always)]
pub(crate) fn words(r: &[u8; 24]) -> Words {
    let [
        b0,
        b1,
        b2,
        b3,
        b4,
        b5,
        b6,
        b7,
        b8,
        b9,
        b10,
        b11,
        b12,
        b13,
        b14,
        b15,
        b16,
        b17,
        b18,
        b19,
        b20,
        b21,
        b22,
        b23,
    ] = *r;
    (
        u64::from_le_bytes([b0, b1, b2, b3, b4, b5, b6, b7]),
        u64::from_le_bytes([b8, b9, b10, b11, b12, b13, b14, b15]),
        u32::from_le_bytes([b16, b17, b18, b19]),
        u32::from_be_bytes([b20, b21, b22, b23]),
    )
}

/// The status of a record from its first word and whether its CRC matched,
/// in tcp-core's order: magic, version, checksum, risk, reserved bits.
#[inline(always)]
pub(crate) fn status(first: u64, crc_ok: bool, tables: &CanonicalTables) -> u8 {
    let [m0, m1, m2, m3, version, risk, reserved, caps] = first.to_le_bytes();
    if [m0, m1, m2, m3] != MAGIC {
        invalid(ErrorCode::BadMagic)
    } else if version != VERSION {
        invalid(ErrorCode::UnsupportedVersion)
    } else if !crc_ok {
        invalid(ErrorCode::ChecksumMismatch)
    } else {
        tables.status(risk, reserved, caps)
    }
}

/// A record's words as [`words`] gives them.
type Words = (u64, u64, u32, u32);

/// Whether each of four records' CRC-32C matches its stored checksum, the
/// four computed side by side with the given raw CRC-32C steps (no pre- or
/// post-inversion).
#[inline(always)]
fn checksums_match(
    w: &[Words; 4],
    step64: impl Fn(u32, u64) -> u32,
    step32: impl Fn(u32, u32) -> u32,
) -> [bool; 4] {
    // Three rounds over four independent records.
    let mut c = [!0u32; 4];
    for (c, w) in c.iter_mut().zip(w) {
        *c = step64(*c, w.0);
    }
    for (c, w) in c.iter_mut().zip(w) {
        *c = step64(*c, w.1);
    }
    let mut ok = [false; 4];
    for ((ok, c), w) in ok.iter_mut().zip(c).zip(w) {
        *ok = !step32(c, w.2) == w.3;
    }
    ok
}

/// [`checksums_match`] for four consecutive records, as bits (bit `i` for record `i`).
#[inline(always)]
pub(crate) fn checksums_ok(
    group: &[u8; 4 * 24],
    step64: impl Fn(u32, u64) -> u32,
    step32: impl Fn(u32, u32) -> u32,
) -> u8 {
    let (records, _) = group.as_chunks::<24>();
    let [r0, r1, r2, r3] = records else {
        return 0;
    };
    let ok = checksums_match(
        &[words(r0), words(r1), words(r2), words(r3)],
        step64,
        step32,
    );
    ok.iter()
        .enumerate()
        .fold(0, |bits, (i, &ok)| bits | (u8::from(ok) << i))
}

/// Validates whole groups of 4 records with the given raw CRC-32C steps (no
/// pre- or post-inversion); returns how many records it wrote. Inlined into
/// each architecture's `#[target_feature]` kernel.
#[inline(always)]
pub(crate) fn validate(
    input: &[u8],
    tables: &CanonicalTables,
    out: &mut [u8],
    step64: impl Fn(u32, u64) -> u32 + Copy,
    step32: impl Fn(u32, u32) -> u32 + Copy,
) -> usize {
    let (groups, _) = input.as_chunks::<{ 4 * 24 }>();
    let (outs, _) = out.as_chunks_mut::<4>();
    let mut done = 0;
    for (group, dst) in groups.iter().zip(outs.iter_mut()) {
        let (records, _) = group.as_chunks::<24>();
        let [r0, r1, r2, r3] = records else {
            break;
        };
        let w = [words(r0), words(r1), words(r2), words(r3)];
        let ok = checksums_match(&w, step64, step32);
        for ((slot, w), ok) in dst.iter_mut().zip(&w).zip(ok) {
            *slot = status(w.0, ok, tables);
        }
        done += 4;
    }
    done
}
