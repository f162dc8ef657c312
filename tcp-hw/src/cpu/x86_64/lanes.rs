//! How the AVX-512 kernels lay out a block of eight 24-byte records.
//!
//! A block is three 64-byte vectors, 24 little-endian words; record `j` is
//! words `3j..3j+3`. [`Layout::words`] turns them into three vectors `A`,
//! `B`, `C` holding word 0, 1, 2 of one record per lane (record
//! [`LANE_RECORD`]`[L]` in lane `L`), and [`gather`] pulls chosen bytes of
//! those lanes for 32 records into one vector in record order. Both kernels
//! (v2-kb and canonical) use it.

use core::arch::x86_64::*;

/// The record each lane of the block vectors `A`, `B`, `C` holds. Chosen so
/// that word `t` of the records in lanes `NATURAL_LANES[t]` already sits there
/// in block vector `t`, and the words of `t` in the two other vectors lie in
/// disjoint lanes of those: each of `A`, `B`, `C` is then one blend of the two
/// other vectors ([`merge_lanes`]) and one permute merged into block vector
/// `t` itself, which no other output needs afterwards (so no register copies).
pub(super) const LANE_RECORD: [usize; 8] = [0, 5, 3, 1, 6, 4, 2, 7];
/// Lanes of `A`, `B`, `C` taken from block vector 0, 1, 2 in place.
const NATURAL_LANES: [u8; 3] = [0b0100_1001, 0b0010_0100, 0b1001_0010];

// The layout is computed at compile time (the kernels used to rebuild it on
// every call, about 170 ns, as long as validating 400 records). Indexing in
// these `const fn`s cannot go out of range at run time: a bad index is a
// compile error.

/// The lane of record `j` (0..8) in the block vectors `A`, `B`, `C`.
#[allow(clippy::indexing_slicing, reason = "const evaluation")]
pub(super) const fn lane_of(j: usize) -> usize {
    let mut lane = 0;
    while lane < 7 && LANE_RECORD[lane] != j {
        lane += 1;
    }
    lane
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
#[allow(clippy::indexing_slicing, reason = "const evaluation")]
const fn merge_lanes(t: usize) -> u8 {
    let (_, second) = others(t);
    let mut mask = 0;
    let mut lane = 0;
    while lane < 8 {
        let w = 3 * LANE_RECORD[lane] + t;
        if w / 8 == second {
            mask |= 1 << (w % 8);
        }
        lane += 1;
    }
    mask
}

/// `vpermt2q` indices for output `t`: lane `L` takes word `w` from lane
/// `w % 8` of the blend (table 2). Lanes kept in place by the mask get 0.
#[allow(clippy::indexing_slicing, reason = "const evaluation")]
const fn permute_indices(t: usize) -> [u64; 8] {
    let mut idx = [0u64; 8];
    let mut lane = 0;
    while lane < 8 {
        let w = 3 * LANE_RECORD[lane] + t;
        if w / 8 != t {
            idx[lane] = (8 + w % 8) as u64;
        }
        lane += 1;
    }
    idx
}

/// [`permute_indices`] of `A`, `B`, `C`.
const PERMUTE: [[u64; 8]; 3] = [permute_indices(0), permute_indices(1), permute_indices(2)];
/// [`merge_lanes`] of `A`, `B`, `C`.
const MERGE: [u8; 3] = [merge_lanes(0), merge_lanes(1), merge_lanes(2)];

/// The block constants: `vpermt2q` indices and blend masks for `A`, `B`, `C`.
#[derive(Clone, Copy)]
pub(super) struct Layout {
    permute: [__m512i; 3],
    merge: [u8; 3],
}

impl Layout {
    /// Loads the constants.
    ///
    /// # Safety
    ///
    /// The CPU must have AVX-512F.
    #[inline(always)]
    pub(super) unsafe fn new() -> Self {
        // SAFETY: reads local arrays; the caller guarantees AVX-512F.
        unsafe {
            Self {
                permute: PERMUTE.map(|idx| _mm512_loadu_epi64(idx.as_ptr().cast())),
                merge: MERGE,
            }
        }
    }

    /// `A`, `B`, `C` of the block whose three vectors are `v`.
    ///
    /// # Safety
    ///
    /// The CPU must have AVX-512F.
    #[inline(always)]
    pub(super) unsafe fn words(&self, v: [__m512i; 3]) -> [__m512i; 3] {
        let [v0, v1, v2] = v;
        let [n0, n1, n2] = NATURAL_LANES;
        let [i0, i1, i2] = self.permute;
        let [m0, m1, m2] = self.merge;
        // SAFETY: the caller guarantees AVX-512F; no memory is touched.
        unsafe {
            // All three blends first, so that each permute is the last use of
            // the block vector it merges into.
            let t0 = _mm512_mask_mov_epi64(v1, m0, v2);
            let t1 = _mm512_mask_mov_epi64(v0, m1, v2);
            let t2 = _mm512_mask_mov_epi64(v0, m2, v1);
            [
                _mm512_mask_permutex2var_epi64(v0, !n0, i0, t0),
                _mm512_mask_permutex2var_epi64(v1, !n1, i1, t1),
                _mm512_mask_permutex2var_epi64(v2, !n2, i2, t2),
            ]
        }
    }

    /// `A` alone (word 0 of every record).
    ///
    /// # Safety
    ///
    /// The CPU must have AVX-512F.
    #[inline(always)]
    pub(super) unsafe fn first_words(&self, v: [__m512i; 3]) -> __m512i {
        let [v0, v1, v2] = v;
        let [i0, _, _] = self.permute;
        let [m0, _, _] = self.merge;
        // SAFETY: the caller guarantees AVX-512F; no memory is touched.
        unsafe {
            let t0 = _mm512_mask_mov_epi64(v1, m0, v2);
            _mm512_mask_permutex2var_epi64(v0, !NATURAL_LANES[0], i0, t0)
        }
    }
}

/// Byte-gather indices for [`gather`]: byte `bytes[0]` of record `i`'s lane
/// to byte `i`, byte `bytes[1]` to byte `32 + i`, for records 0..32.
#[allow(clippy::indexing_slicing, reason = "const evaluation")]
pub(super) const fn gather_indices(bytes: [usize; 2]) -> [u8; 64] {
    let mut idx = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        let byte = if i < 32 { bytes[0] } else { bytes[1] };
        // Records 0..16 come from the first pass (blocks 0, 1 = table bytes
        // 0..128), 16..32 from the second (blocks 2, 3, also as 0..128).
        let record = (i % 32) % 16;
        let block = record / 8;
        idx[i] = (64 * block + 8 * lane_of(record % 8) + byte % 8) as u8;
        i += 1;
    }
    idx
}

/// Two chosen bytes of every lane of four block vectors (one per block), in
/// record order ([`gather_indices`]).
///
/// # Safety
///
/// The CPU must have AVX-512 VBMI.
#[inline(always)]
pub(super) unsafe fn gather(v: [__m512i; 4], indices: __m512i) -> __m512i {
    // SAFETY: the caller guarantees AVX-512 VBMI; no memory is touched.
    unsafe {
        // Both passes use the same indices; each keeps the half it fills.
        const FIRST: u64 = 0x0000_FFFF_0000_FFFF;
        let first = _mm512_permutex2var_epi8(v[0], indices, v[1]);
        let second = _mm512_permutex2var_epi8(v[2], indices, v[3]);
        _mm512_mask_blend_epi8(FIRST, second, first)
    }
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
                assert_eq!(
                    natural,
                    w / 8 == t && w % 8 == lane,
                    "word {t}, lane {lane}"
                );
                if !natural {
                    // Table 2 (the blend), at a lane holding word w.
                    let from = idx[lane] as usize - 8;
                    let source = if merge & (1 << from) != 0 {
                        second
                    } else {
                        first
                    };
                    assert_eq!((source, from), (w / 8, w % 8), "word {t}, lane {lane}");
                }
            }
        }
        let mut seen = LANE_RECORD;
        seen.sort_unstable();
        assert_eq!(seen, [0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn gather_reads_capability_then_risk_bytes() {
        let idx = gather_indices([4, 5]);
        // First pass (blocks 0, 1): record 9 is record 1 of block 1, in lane 3.
        assert_eq!(idx[9], 64 + 8 * 3 + 4);
        assert_eq!(idx[32 + 9], 64 + 8 * 3 + 5);
        // Second pass (blocks 2, 3): record 16 + 9 likewise.
        assert_eq!(idx[16 + 9], 64 + 8 * 3 + 4);
        assert_eq!(idx[48 + 9], 64 + 8 * 3 + 5);
    }
}
