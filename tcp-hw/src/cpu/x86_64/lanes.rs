//! How the AVX-512 kernels take a block of eight 24-byte records apart.
//!
//! A block is three 64-byte vectors `v0, v1, v2`; record `j` is block bytes
//! `24j..24j + 24`. A [`Pick`] names eight bytes of a record; [`Picker::apply`]
//! makes the vector whose lane `j` (bytes `8j..8j + 8`) holds those bytes of
//! record `j`, in the order named. It costs one byte blend and one two-source
//! byte permute (`vpermt2b`): the permute's first table is one block vector,
//! its second a blend of the other two. That works because a pick of eight
//! bytes that are consecutive in the record (modulo 24) never wants the same
//! position of two block vectors: such positions are 64 or 128 bytes apart in
//! the block, and bytes that far apart belong to records at least two apart,
//! where a pick's bytes are more than eight bytes from each other
//! ([`Pick::new`] checks this at compile time).
//!
//! Why bytes and not 64-bit words: on Zen 4 a byte permute costs the same as a
//! word permute, and choosing the bytes lets a kernel lay out its lanes for
//! its arithmetic (the v2-kb kernel puts its big-endian checksum where it can
//! subtract it as a little-endian word). The previous word layout needed a
//! masked `vpermt2q`, which LLVM emitted as a copy, a permute and a masked
//! move: three instructions where one was meant.
//!
//! [`gather`] then pulls two chosen bytes of every lane of four such vectors
//! (32 records) into one vector, in record order.

use core::arch::x86_64::*;

/// Eight record bytes to put in every lane, as permute indices and a blend
/// mask, computed at compile time.
#[derive(Clone, Copy)]
pub(super) struct Pick {
    /// The block vector that is the permute's first table.
    table: usize,
    /// Bytes of the second of the other two vectors in the blend (bit per position).
    blend: u64,
    /// `vpermt2b` indices: below 64 from `table`, 64 and up from the blend.
    index: [u8; 64],
}

/// The two block vectors other than `t`, lower-numbered first.
const fn others(t: usize) -> (usize, usize) {
    match t {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    }
}

// Indexing in these `const fn`s cannot go out of range at run time: they run
// at compile time, where a bad index (or a failed check) is a compile error.
impl Pick {
    /// The pick of record bytes `bytes` (each below 24), permuting from block
    /// vector `table` (0..3) and a blend of the other two.
    #[allow(clippy::indexing_slicing, reason = "const evaluation")]
    pub(super) const fn new(bytes: [usize; 8], table: usize) -> Self {
        let (_, second) = others(table);
        let mut index = [0u8; 64];
        // Which of the other two vectors each position is wanted from (0: none).
        let mut wanted = [0usize; 64];
        let mut blend = 0u64;
        let mut i = 0;
        while i < 64 {
            let (record, k) = (i / 8, i % 8);
            assert!(bytes[k] < 24, "a record has 24 bytes");
            let at = 24 * record + bytes[k];
            let (vector, position) = (at / 64, at % 64);
            if vector == table {
                index[i] = position as u8;
            } else {
                index[i] = (64 + position) as u8;
                assert!(
                    wanted[position] == 0 || wanted[position] == vector + 1,
                    "the blend would need one position of both other vectors"
                );
                wanted[position] = vector + 1;
                if vector == second {
                    blend |= 1 << position;
                }
            }
            i += 1;
        }
        Self {
            table,
            blend,
            index,
        }
    }

    /// The pick with its indices in a register (once per kernel call).
    ///
    /// # Safety
    ///
    /// The CPU must have AVX-512 F.
    #[inline(always)]
    pub(super) unsafe fn load(&self) -> Picker {
        Picker {
            table: self.table,
            blend: self.blend,
            // SAFETY: reads a local 64-byte array; the caller guarantees AVX-512F.
            index: unsafe { _mm512_loadu_epi8(self.index.as_ptr().cast()) },
        }
    }
}

/// A [`Pick`] ready to apply.
#[derive(Clone, Copy)]
pub(super) struct Picker {
    table: usize,
    blend: u64,
    index: __m512i,
}

impl Picker {
    /// The picked bytes of the block whose vectors are `v`, record `j` in lane `j`.
    ///
    /// # Safety
    ///
    /// The CPU must have AVX-512 F, BW and VBMI.
    #[inline(always)]
    pub(super) unsafe fn apply(&self, v: &[__m512i; 3]) -> __m512i {
        let (first, second) = others(self.table);
        let [v0, v1, v2] = *v;
        let vector = |t| match t {
            0 => v0,
            1 => v1,
            _ => v2,
        };
        // SAFETY: the caller guarantees the instruction sets; no memory is touched.
        unsafe {
            let blended = _mm512_mask_blend_epi8(self.blend, vector(first), vector(second));
            _mm512_permutex2var_epi8(vector(self.table), self.index, blended)
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
        idx[i] = (8 * record + byte % 8) as u8;
        i += 1;
    }
    idx
}

/// Two chosen bytes of every lane of four picked vectors (one per block), in
/// record order ([`gather_indices`]).
///
/// # Safety
///
/// The CPU must have AVX-512 BW and VBMI.
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
    use crate::CpuLevel;

    /// What `apply` computes, byte by byte.
    fn model(pick: &Pick, block: &[u8; 192]) -> [u8; 64] {
        let (first, second) = others(pick.table);
        let vector = |t: usize| &block[64 * t..64 * t + 64];
        let mut blended = [0u8; 64];
        for (p, b) in blended.iter_mut().enumerate() {
            let from = if pick.blend & (1 << p) != 0 {
                second
            } else {
                first
            };
            *b = vector(from)[p];
        }
        let mut out = [0u8; 64];
        for (o, &i) in out.iter_mut().zip(&pick.index) {
            let i = usize::from(i);
            *o = if i < 64 {
                vector(pick.table)[i]
            } else {
                blended[i - 64]
            };
        }
        out
    }

    fn numbered_block() -> [u8; 192] {
        std::array::from_fn(|i| i as u8)
    }

    #[test]
    fn picks_put_record_bytes_in_their_lanes() {
        let block = numbered_block();
        for table in 0..3 {
            for start in 0..24 {
                let bytes = std::array::from_fn(|k| (start + k) % 24);
                let pick = Pick::new(bytes, table);
                let out = model(&pick, &block);
                for record in 0..8 {
                    for k in 0..8 {
                        assert_eq!(
                            usize::from(out[8 * record + k]),
                            24 * record + bytes[k],
                            "table {table}, start {start}, record {record}, byte {k}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_vector_permute_agrees_with_the_model() {
        if !CpuLevel::Avx512.is_supported() {
            return;
        }
        let block = numbered_block();
        let pick = Pick::new([23, 22, 0, 1, 2, 3, 4, 5], 0);
        // SAFETY: AVX-512 (F, BW, VBMI among the level's features) is present
        // (checked above); the loads read the local 192-byte block.
        let got: [u8; 64] = unsafe {
            let p = block.as_ptr();
            let v = [
                _mm512_loadu_epi8(p.cast()),
                _mm512_loadu_epi8(p.add(64).cast()),
                _mm512_loadu_epi8(p.add(128).cast()),
            ];
            core::mem::transmute(pick.load().apply(&v))
        };
        assert_eq!(got, model(&pick, &block));
    }

    #[test]
    fn gather_indices_read_the_chosen_bytes() {
        let idx = gather_indices([6, 7]);
        // First pass: record 9 is lane 1 of block 1, table bytes 64 + 8.
        assert_eq!(idx[9], 64 + 8 + 6);
        assert_eq!(idx[32 + 9], 64 + 8 + 7);
        // Second pass (blocks 2, 3): record 16 + 9 likewise.
        assert_eq!(idx[16 + 9], 64 + 8 + 6);
        assert_eq!(idx[48 + 9], 64 + 8 + 7);
    }
}
