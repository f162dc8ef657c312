//! libtcp's registry file, TCPR v1: an open-addressed hash table of
//! cache-line records, built for one memory access per lookup.
//!
//! ```text
//! header (128 bytes, integers little-endian)
//!   0   4  magic "TCPR"
//!   4   2  version = 1
//!   6   2  reserved, 0
//!   8   4  entry count
//!  12   4  slot count (power of two, ≥ 2 × entries)
//!  16   8  table offset (= 128)
//!  24   8  string blob offset
//!  32   8  string blob length
//!  40   8  file length
//!  48  32  SHA-256 of bytes 0..48 followed by bytes 128..file length
//!  80  48  reserved, 0
//! table: slot count × 64-byte slots (an all-zero slot is empty)
//!   0   8  fingerprint: name_hash(name) (never 0)
//!   8   4  name offset in the blob      12  2  name length
//!  14   1  dialect code                 15  1  reserved, 0
//!  16  24  descriptor bytes
//!  40   4  justification offset         44  2  justification length
//!  46   2  reserved, 0                  48 16  first 16 name bytes, zero-padded
//! blob: UTF-8 names and justifications
//! ```
//! Lookup: slot = fingerprint & (slots − 1), linear probing; a name of at most
//! 16 bytes is compared inline, so a hit reads one cache line.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::wire::Dialect;

/// Magic bytes.
pub const MAGIC: [u8; 4] = *b"TCPR";
/// Format version.
pub const VERSION: u16 = 1;
/// Header length.
pub const HEADER_LEN: usize = 128;
/// Slot length.
pub const SLOT_LEN: usize = 64;
/// Bytes of the name stored inline in a slot.
pub const INLINE_NAME: usize = 16;

/// The registry's name hash (64-bit, deterministic, not keyed).
///
/// A multiply-rotate over 8-byte words with a murmur3 finaliser; stable across
/// runs and platforms because the file format depends on it. Never returns 0.
pub fn name_hash(name: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = 0x243F_6A88_85A3_08D3 ^ (name.len() as u64).wrapping_mul(K);
    let mut chunks = name.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf.get_mut(..rest.len())
            .map(|b| b.copy_from_slice(rest))
            .unwrap_or(());
        h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^= h >> 33;
    h | 1
}

/// Stable one-byte code of a dialect in registry slots.
pub fn dialect_code(d: Dialect) -> u8 {
    Dialect::ALL
        .iter()
        .position(|x| *x == d)
        .map_or(0xFF, |p| p as u8)
}

/// The dialect with a slot code.
pub fn dialect_from_code(code: u8) -> Option<Dialect> {
    Dialect::ALL.get(usize::from(code)).copied()
}

/// An entry to write.
pub(crate) struct PendingEntry {
    pub name: String,
    pub dialect: Dialect,
    pub descriptor: [u8; 24],
    pub justification: String,
}

fn le_u16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u16::from_le_bytes)
}
fn le_u32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}
fn le_u64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(s) = out.get_mut(at..at + bytes.len()) {
        s.copy_from_slice(bytes);
    }
}

fn digest(file: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(file.get(..48).unwrap_or(&[]));
    h.update(file.get(HEADER_LEN..).unwrap_or(&[]));
    h.finalize().into()
}

/// Serialises entries (names already unique) into a TCPR file.
pub(crate) fn write(entries: &[PendingEntry]) -> Result<Vec<u8>> {
    let slots = (entries.len().max(1) * 2).next_power_of_two();
    let table_len = slots.checked_mul(SLOT_LEN).ok_or_else(|| Error::BadInput {
        detail: "too many entries".into(),
    })?;
    let mut blob = Vec::new();
    let mut table = vec![0u8; table_len];
    let mask = slots - 1;
    for e in entries {
        let name = e.name.as_bytes();
        let name_len = u16::try_from(name.len()).map_err(|_| Error::BadName {
            detail: format!("name of {} bytes is longer than 65535", name.len()),
        })?;
        let just = e.justification.as_bytes();
        let just_len = u16::try_from(just.len()).map_err(|_| Error::BadInput {
            detail: format!("justification for {:?} is longer than 65535 bytes", e.name),
        })?;
        let name_off = u32::try_from(blob.len()).map_err(|_| Error::BadInput {
            detail: "string blob exceeds 4 GiB".into(),
        })?;
        blob.extend_from_slice(name);
        let just_off = u32::try_from(blob.len()).map_err(|_| Error::BadInput {
            detail: "string blob exceeds 4 GiB".into(),
        })?;
        blob.extend_from_slice(just);
        let fp = name_hash(name);
        let mut i = (fp as usize) & mask;
        while le_u64(&table, i * SLOT_LEN) != 0 {
            i = (i + 1) & mask;
        }
        let at = i * SLOT_LEN;
        put(&mut table, at, &fp.to_le_bytes());
        put(&mut table, at + 8, &name_off.to_le_bytes());
        put(&mut table, at + 12, &name_len.to_le_bytes());
        put(&mut table, at + 14, &[dialect_code(e.dialect)]);
        put(&mut table, at + 16, &e.descriptor);
        put(&mut table, at + 40, &just_off.to_le_bytes());
        put(&mut table, at + 44, &just_len.to_le_bytes());
        put(
            &mut table,
            at + 48,
            name.get(..name.len().min(INLINE_NAME)).unwrap_or(&[]),
        );
    }
    let blob_off = HEADER_LEN + table_len;
    let file_len = blob_off + blob.len();
    let mut out = vec![0u8; HEADER_LEN];
    put(&mut out, 0, &MAGIC);
    put(&mut out, 4, &VERSION.to_le_bytes());
    put(&mut out, 8, &(entries.len() as u32).to_le_bytes());
    put(&mut out, 12, &(slots as u32).to_le_bytes());
    put(&mut out, 16, &(HEADER_LEN as u64).to_le_bytes());
    put(&mut out, 24, &(blob_off as u64).to_le_bytes());
    put(&mut out, 32, &(blob.len() as u64).to_le_bytes());
    put(&mut out, 40, &(file_len as u64).to_le_bytes());
    out.extend_from_slice(&table);
    out.extend_from_slice(&blob);
    let d = digest(&out);
    put(&mut out, 48, &d);
    Ok(out)
}

/// The validated geometry of a TCPR file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub count: usize,
    pub mask: usize,
    pub table_off: usize,
    pub blob_off: usize,
    pub blob_len: usize,
}

/// One slot's fields.
pub(crate) struct Slot<'a> {
    pub fingerprint: u64,
    pub name: &'a [u8],
    pub dialect_code: u8,
    pub descriptor: &'a [u8],
    pub justification: &'a [u8],
}

/// A slot's fields other than the name.
pub(crate) struct SlotFields<'a> {
    pub dialect_code: u8,
    pub descriptor: &'a [u8],
    pub justification: &'a [u8],
}

impl Layout {
    /// Checks the header, the digest and the geometry.
    pub fn check(file: &[u8]) -> Result<Self> {
        if file.len() < HEADER_LEN {
            return Err(Error::Truncated {
                offset: file.len(),
                needed: HEADER_LEN - file.len(),
            });
        }
        if file.get(..4) != Some(&MAGIC[..]) {
            return Err(Error::BadMagic {
                found: file.get(..4).unwrap_or(&[]).to_vec(),
            });
        }
        let version = le_u16(file, 4);
        if version != VERSION {
            return Err(Error::UnsupportedVersion {
                found: u32::from(version),
            });
        }
        let file_len = le_u64(file, 40);
        if file_len != file.len() as u64 {
            return Err(Error::Truncated {
                offset: file.len(),
                needed: usize::try_from(file_len.saturating_sub(file.len() as u64))
                    .unwrap_or(usize::MAX),
            });
        }
        let stored = file.get(48..80).unwrap_or(&[]);
        if !crate::hash::ct_eq(stored, &digest(file)) {
            return Err(Error::DigestMismatch);
        }
        let count = le_u32(file, 8) as usize;
        let slots = le_u32(file, 12) as usize;
        let table_off = le_u64(file, 16);
        let blob_off = le_u64(file, 24);
        let blob_len = le_u64(file, 32);
        let bad = |detail: String| Error::BadIndex { detail };
        if !slots.is_power_of_two() || slots < count.saturating_mul(2) {
            return Err(bad(format!("{slots} slots for {count} entries")));
        }
        if table_off != HEADER_LEN as u64
            || blob_off != (HEADER_LEN + slots * SLOT_LEN) as u64
            || blob_off.checked_add(blob_len) != Some(file_len)
        {
            return Err(bad("table or blob out of place".into()));
        }
        Ok(Self {
            count,
            mask: slots - 1,
            table_off: HEADER_LEN,
            blob_off: blob_off as usize,
            blob_len: blob_len as usize,
        })
    }

    /// The number of slots.
    pub fn slots(&self) -> usize {
        self.mask + 1
    }

    /// Raw slot bytes.
    #[inline]
    pub fn slot_bytes<'a>(&self, file: &'a [u8], i: usize) -> &'a [u8] {
        let at = self.table_off + i * SLOT_LEN;
        file.get(at..at + SLOT_LEN).unwrap_or(&[])
    }

    fn blob<'a>(&self, file: &'a [u8], off: u32, len: u16) -> Option<&'a [u8]> {
        let start = off as usize;
        let end = start.checked_add(usize::from(len))?;
        if end > self.blob_len {
            return None;
        }
        file.get(self.blob_off + start..self.blob_off + end)
    }

    /// A slot's fields; `None` for an empty slot or out-of-range strings.
    pub fn slot<'a>(&self, file: &'a [u8], i: usize) -> Option<Slot<'a>> {
        let s = self.slot_bytes(file, i);
        let fingerprint = le_u64(s, 0);
        if fingerprint == 0 {
            return None;
        }
        Some(Slot {
            fingerprint,
            name: self.blob(file, le_u32(s, 8), le_u16(s, 12))?,
            dialect_code: *s.get(14)?,
            descriptor: s.get(16..40)?,
            justification: self.blob(file, le_u32(s, 40), le_u16(s, 44))?,
        })
    }

    /// A slot's fixed fields and justification, without the name (the caller
    /// has it); the name's blob bytes are not touched.
    #[inline]
    pub fn slot_fields<'a>(&self, file: &'a [u8], i: usize) -> Option<SlotFields<'a>> {
        let s = self.slot_bytes(file, i);
        let just_off = le_u32(s, 40);
        let just_len = le_u16(s, 44);
        Some(SlotFields {
            dialect_code: *s.get(14)?,
            descriptor: s.get(16..40)?,
            justification: if just_len == 0 {
                &[]
            } else {
                self.blob(file, just_off, just_len)?
            },
        })
    }

    /// A slot's name, from the inline copy when it fits (same cache line).
    #[inline]
    pub fn slot_name<'a>(&self, file: &'a [u8], i: usize) -> Option<&'a [u8]> {
        let s = self.slot_bytes(file, i);
        let len = usize::from(le_u16(s, 12));
        if len <= INLINE_NAME {
            s.get(48..48 + len)
        } else {
            self.blob(file, le_u32(s, 8), le_u16(s, 12))
        }
    }

    /// Finds the slot of a name.
    #[inline]
    pub fn find(&self, file: &[u8], name: &[u8]) -> Option<usize> {
        let fp = name_hash(name);
        // Short names compare as one 128-bit word against the inline copy
        // (zero-padded on both sides), without a memcmp call.
        let short = name.len() <= INLINE_NAME;
        let mut padded = [0u8; INLINE_NAME];
        if short {
            padded
                .get_mut(..name.len())
                .map(|p| p.copy_from_slice(name))
                .unwrap_or(());
        }
        let key = u128::from_le_bytes(padded);
        let mut i = (fp as usize) & self.mask;
        // At most `slots` probes: the load factor is ≤ 1/2, so an empty slot ends the walk
        // long before, but a hostile file must not loop forever.
        for _ in 0..=self.mask {
            let s = self.slot_bytes(file, i);
            let stored = le_u64(s, 0);
            if stored == 0 {
                return None;
            }
            if stored == fp && usize::from(le_u16(s, 12)) == name.len() {
                let matches = if short {
                    s.get(48..64)
                        .and_then(|b| <[u8; 16]>::try_from(b).ok())
                        .is_some_and(|b| u128::from_le_bytes(b) == key)
                } else {
                    self.blob(file, le_u32(s, 8), le_u16(s, 12)) == Some(name)
                };
                if matches {
                    return Some(i);
                }
            }
            i = (i + 1) & self.mask;
        }
        None
    }
}
