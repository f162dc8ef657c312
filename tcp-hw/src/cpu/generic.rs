//! The v2-kb block algorithm, written once over a vector of 64-bit lanes.
//!
//! A v2-kb record is three 64-bit words: `a` = bytes 0..8 (magic, version,
//! hash), `b` = bytes 8..16 (hash, flags, exec), `c` = bytes 16..24 (exec,
//! memory, output, checksum). Each ISA module loads a block of records and
//! deinterleaves it into one vector of `a` words, one of `b`, one of `c`
//! (record `i` in lane `i`); [`v2_kb_block`] then computes every record's
//! status byte into byte 5 of its lane, with tcp-core's check order:
//! magic, version, checksum, reserved bits, risk bits, decision.
//!
//! The ISA modules implement [`Vector`] with `#[inline(always)]` methods that
//! are only called from their `#[target_feature]` kernels (memchr's pattern).

use tcp_core::ErrorCode;

use super::V2KbTables;
use super::tables::invalid;

/// Operations the block algorithm needs, with x86 `pshufb`/`pblendvb` semantics.
///
/// # Safety
///
/// Every method is `unsafe`: callers must run on a CPU with the
/// implementation's instruction set (the kernels check it before entering).
pub(crate) trait Vector: Copy {
    /// Every 64-bit lane set to `x`.
    unsafe fn splat64(x: u64) -> Self;
    /// Every byte set to `x`.
    unsafe fn splat8(x: u8) -> Self;
    /// The 16 bytes repeated in every 128-bit lane.
    unsafe fn table(t: [u8; 16]) -> Self;
    /// Bitwise and.
    unsafe fn and(self, o: Self) -> Self;
    /// Bitwise or.
    unsafe fn or(self, o: Self) -> Self;
    /// Bitwise xor.
    unsafe fn xor(self, o: Self) -> Self;
    /// All ones in each 64-bit lane where the lanes are equal.
    unsafe fn cmpeq64(self, o: Self) -> Self;
    /// Sum of the 8 bytes of each 64-bit lane (`psadbw` against zero).
    unsafe fn byte_sums(self) -> Self;
    /// 64-bit lane addition.
    unsafe fn add64(self, o: Self) -> Self;
    /// Per 128-bit lane: byte `i` = `self[idx[i] & 15]`, or 0 where `idx[i]` has bit 7 set.
    unsafe fn shuffle(self, idx: Self) -> Self;
    /// 16-bit lanes shifted left by 3.
    unsafe fn shl16_3(self) -> Self;
    /// 16-bit lanes shifted right by 4.
    unsafe fn shr16_4(self) -> Self;
    /// 64-bit lanes shifted left by 8.
    unsafe fn shl64_8(self) -> Self;
    /// Byte `i` = `o[i]` where bit 7 of `mask[i]` is set, else `self[i]`.
    unsafe fn blend(self, o: Self, mask: Self) -> Self;
    /// Unsigned byte maximum.
    unsafe fn max_u8(self, o: Self) -> Self;
    /// True if every byte is 0xFF.
    unsafe fn all_ones(self) -> bool;
}

/// The constants of one kernel run (splatted once, outside the loop).
#[derive(Clone, Copy)]
pub(crate) struct Consts<V> {
    zero: V,
    header: V,
    header_mask: V,
    magic_mask: V,
    version_mask: V,
    sum_mask: V,
    checksum_ctl: V,
    reserved: V,
    low_nibbles: V,
    risk_lo: V,
    risk_hi: V,
    caps_lo: V,
    caps_hi: V,
    err_magic: V,
    err_version: V,
    err_checksum: V,
    err_reserved: V,
}

/// Magic and version as the first six bytes of a little-endian word.
pub(crate) const V2_KB_HEADER: u64 = u64::from_le_bytes([b'T', b'C', b'P', 0x02, 0x00, 0x02, 0, 0]);
/// The bytes of `a` that hold the magic.
pub(crate) const MAGIC_MASK: u64 = 0x0000_0000_FFFF_FFFF;
/// The bytes of `a` that hold the version.
pub(crate) const VERSION_MASK: u64 = 0x0000_FFFF_0000_0000;
/// The bytes of `c` the checksum covers (16..22).
pub(crate) const SUM_MASK: u64 = 0x0000_FFFF_FFFF_FFFF;
/// Reserved flag bits as they sit in `b`: flag bytes 10, 11 whole, byte 12
/// bits 6..7, byte 13 bits 5..7.
pub(crate) const RESERVED_MASK: u64 = 0x0000_E0C0_FFFF_0000;
/// `pshufb` control: the big-endian checksum (bytes 22, 23) as the low 16 bits of each lane.
pub(crate) const CHECKSUM_CTL: [u8; 16] = [
    7, 6, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 15, 14, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
];

impl<V: Vector> Consts<V> {
    /// Splats the constants and the policy tables.
    ///
    /// # Safety
    ///
    /// The CPU must support `V`'s instruction set.
    #[inline(always)]
    pub(crate) unsafe fn new(tables: &V2KbTables) -> Self {
        let (risk_lo, risk_hi) = tables.risk_halves();
        let (caps_lo, caps_hi) = tables.caps_nibbles();
        // SAFETY: the caller guarantees V's instruction set.
        unsafe {
            Self {
                zero: V::splat64(0),
                header: V::splat64(V2_KB_HEADER),
                header_mask: V::splat64(MAGIC_MASK | VERSION_MASK),
                magic_mask: V::splat64(MAGIC_MASK),
                version_mask: V::splat64(VERSION_MASK),
                sum_mask: V::splat64(SUM_MASK),
                checksum_ctl: V::table(CHECKSUM_CTL),
                reserved: V::splat64(RESERVED_MASK),
                low_nibbles: V::splat8(0x0F),
                risk_lo: V::table(risk_lo),
                risk_hi: V::table(risk_hi),
                caps_lo: V::table(caps_lo),
                caps_hi: V::table(caps_hi),
                err_magic: V::splat8(invalid(ErrorCode::BadMagic)),
                err_version: V::splat8(invalid(ErrorCode::UnsupportedVersion)),
                err_checksum: V::splat8(invalid(ErrorCode::ChecksumMismatch)),
                err_reserved: V::splat8(invalid(ErrorCode::ReservedBitsSet)),
            }
        }
    }
}

/// Every record's status, in byte 5 of its 64-bit lane.
///
/// # Safety
///
/// The CPU must support `V`'s instruction set.
#[inline(always)]
pub(crate) unsafe fn v2_kb_block<V: Vector>(a: V, b: V, c: V, k: &Consts<V>) -> V {
    // SAFETY: the caller guarantees V's instruction set; no memory is touched.
    unsafe {
        let h = a.xor(k.header);
        let header_ok = h.and(k.header_mask).cmpeq64(k.zero);

        // sum(bytes 0..22) & 0xFFFF == big-endian u16 at 22; the sum is at most 22 * 255.
        let sum = a
            .byte_sums()
            .add64(b.byte_sums())
            .add64(c.and(k.sum_mask).byte_sums());
        let checksum_ok = sum.cmpeq64(c.shuffle(k.checksum_ctl));

        let reserved_ok = b.and(k.reserved).cmpeq64(k.zero);

        // Byte 5 of `b` is flag byte 13 (risk bits 0..4): two 16-entry tables,
        // chosen by bit 4 (moved to bit 7 for the blend).
        let risk = k
            .risk_lo
            .shuffle(b)
            .blend(k.risk_hi.shuffle(b), b.shl16_3());
        // Byte 4 of `b` is flag byte 12 (capability bits 8..13): class by nibble.
        let high = b.shr16_4().and(k.low_nibbles);
        let class = k
            .caps_lo
            .shuffle(b)
            .max_u8(k.caps_hi.shuffle(high))
            .shl64_8();
        let status = risk.max_u8(risk.and(k.low_nibbles).or(class));

        // The common case, every record well framed, skips the merging.
        if header_ok.and(checksum_ok).and(reserved_ok).all_ones() {
            return status;
        }
        // Earlier checks win: apply them last.
        let status = k.err_reserved.blend(status, reserved_ok);
        let status = k.err_checksum.blend(status, checksum_ok);
        let status = k
            .err_version
            .blend(status, h.and(k.version_mask).cmpeq64(k.zero));
        k.err_magic
            .blend(status, h.and(k.magic_mask).cmpeq64(k.zero))
    }
}
