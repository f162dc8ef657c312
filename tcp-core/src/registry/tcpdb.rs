//! The prototype's registry containers, TCPDB v1 and v2, read in place.
//!
//! ```text
//! TCPDB v1 (tcp_binary_generator.py)      TCPDB v2 (generate_complete_binary_db.py)
//!  0  6  "TCPDB\x01"                       0  6  "TCPDB\x02"
//!  6  4  count u32 BE                      6  4  count u32 BE
//! 10  …  count × entry                    10  8  generation time, Unix s, u64 BE
//!                                         18  4  index size in bytes u32 BE
//!                                         22  …  count × entry, sorted by name
//!                                    len-index …  count × {u16 len, name, u64 offset of entry}
//! entry = { name length u16 BE, name UTF-8, 24-byte v2-kb descriptor }
//! ```
//! Neither has a checksum over the file; every offset and length is checked
//! here, and v2's index must point at exactly the entries, in order.

use crate::error::{Error, Result};
use crate::wire::{read_u16, read_u32};

/// v1 magic.
pub const MAGIC_V1: [u8; 6] = *b"TCPDB\x01";
/// v2 magic.
pub const MAGIC_V2: [u8; 6] = *b"TCPDB\x02";
/// Descriptor length inside entries.
pub const DESCRIPTOR_LEN: usize = 24;

/// One entry, borrowed from the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawEntry<'a> {
    /// Offset of the entry's length field in the file.
    pub offset: usize,
    /// The name.
    pub name: &'a str,
    /// The 24-byte v2-kb descriptor.
    pub descriptor: &'a [u8],
}

/// A parsed container: its version, header fields and entries (in file order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container<'a> {
    /// 1 or 2.
    pub version: u8,
    /// Generation time (v2 only), Unix seconds.
    pub generated_unix: Option<u64>,
    /// The entries.
    pub entries: Vec<RawEntry<'a>>,
}

fn need(bytes: &[u8], offset: usize, len: usize) -> Result<&[u8]> {
    offset
        .checked_add(len)
        .and_then(|end| bytes.get(offset..end))
        .ok_or(Error::Truncated {
            offset,
            needed: len,
        })
}

fn read_entry(bytes: &[u8], offset: usize) -> Result<(RawEntry<'_>, usize)> {
    let name_len = usize::from(read_u16(need(bytes, offset, 2)?, 0..2));
    let name_bytes = need(bytes, offset + 2, name_len)?;
    let name = core::str::from_utf8(name_bytes).map_err(|_| Error::BadName {
        detail: format!("entry at offset {offset} is not UTF-8"),
    })?;
    if name.is_empty() {
        return Err(Error::BadName {
            detail: format!("entry at offset {offset} has an empty name"),
        });
    }
    let desc_off = offset + 2 + name_len;
    let descriptor = need(bytes, desc_off, DESCRIPTOR_LEN)?;
    Ok((
        RawEntry {
            offset,
            name,
            descriptor,
        },
        desc_off + DESCRIPTOR_LEN,
    ))
}

/// True if the bytes start with a TCPDB magic.
pub fn is_tcpdb(bytes: &[u8]) -> bool {
    matches!(bytes.get(..6), Some(m) if m == MAGIC_V1 || m == MAGIC_V2)
}

/// Parses a TCPDB v1 or v2 file, checking every length, offset and the v2 index.
pub fn parse(bytes: &[u8]) -> Result<Container<'_>> {
    let magic = need(bytes, 0, 6)?;
    let version = if magic == MAGIC_V1 {
        1
    } else if magic == MAGIC_V2 {
        2
    } else {
        return Err(Error::BadMagic {
            found: magic.to_vec(),
        });
    };
    let count = read_u32(need(bytes, 6, 4)?, 0..4) as usize;
    let (mut offset, generated_unix, data_end) = if version == 1 {
        (10, None, bytes.len())
    } else {
        let header = need(bytes, 10, 12)?;
        let generated = u64::from_be_bytes(
            header
                .get(..8)
                .and_then(|s| s.try_into().ok())
                .unwrap_or([0; 8]),
        );
        let index_size = read_u32(header, 8..12) as usize;
        let index_start = bytes
            .len()
            .checked_sub(index_size)
            .filter(|s| *s >= 22)
            .ok_or(Error::BadIndex {
                detail: format!(
                    "index size {index_size} exceeds the file ({} bytes)",
                    bytes.len()
                ),
            })?;
        (22, Some(generated), index_start)
    };
    // Each entry takes at least 2 + 1 + 24 bytes: reject absurd counts before allocating.
    if count > bytes.len() / 27 + 1 {
        return Err(Error::Truncated {
            offset: 10,
            needed: count.saturating_mul(27),
        });
    }
    let data = bytes.get(..data_end).unwrap_or(&[]);
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let (entry, next) = read_entry(data, offset)?;
        entries.push(entry);
        offset = next;
    }
    if offset != data_end {
        return Err(Error::BadIndex {
            detail: format!(
                "{} bytes between the last entry and the {}",
                data_end - offset,
                if version == 1 { "end of file" } else { "index" }
            ),
        });
    }
    if version == 2 {
        check_v2_index(bytes, data_end, &entries)?;
    }
    Ok(Container {
        version,
        generated_unix,
        entries,
    })
}

fn check_v2_index(bytes: &[u8], index_start: usize, entries: &[RawEntry<'_>]) -> Result<()> {
    let mut pos = index_start;
    for (i, entry) in entries.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).and_then(|p| entries.get(p)) {
            if prev.name >= entry.name {
                return Err(Error::BadIndex {
                    detail: format!(
                        "entries not sorted: {:?} before {:?}",
                        prev.name, entry.name
                    ),
                });
            }
        }
        let name_len = usize::from(read_u16(need(bytes, pos, 2)?, 0..2));
        let name = need(bytes, pos + 2, name_len)?;
        let off_bytes = need(bytes, pos + 2 + name_len, 8)?;
        let target = u64::from_be_bytes(off_bytes.try_into().unwrap_or([0xFF; 8]));
        if name != entry.name.as_bytes() || target != entry.offset as u64 {
            return Err(Error::BadIndex {
                detail: format!(
                    "index record {i} names {:?} at offset {target}, entry is {:?} at {}",
                    String::from_utf8_lossy(name),
                    entry.name,
                    entry.offset
                ),
            });
        }
        pos += 2 + name_len + 8;
    }
    if pos != bytes.len() {
        return Err(Error::BadIndex {
            detail: format!("{} bytes after the last index record", bytes.len() - pos),
        });
    }
    Ok(())
}

/// Writes [`emit_v2`]'s bytes to `path`, atomically
/// ([`super::write_file_atomic`]: a temporary file renamed over the target).
pub fn write_v2(
    path: impl AsRef<std::path::Path>,
    generated_unix: u64,
    entries: &[(&str, [u8; DESCRIPTOR_LEN])],
) -> Result<()> {
    super::write_file_atomic(path, &emit_v2(generated_unix, entries))
}

/// The bytes of a TCPDB v2 file exactly as the prototype writes it (entries sorted by name).
pub fn emit_v2(generated_unix: u64, entries: &[(&str, [u8; DESCRIPTOR_LEN])]) -> Vec<u8> {
    let mut sorted: Vec<_> = entries.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC_V2);
    out.extend_from_slice(&(sorted.len() as u32).to_be_bytes());
    out.extend_from_slice(&generated_unix.to_be_bytes());
    out.extend_from_slice(&[0; 4]);
    let mut offsets = Vec::with_capacity(sorted.len());
    for (name, desc) in &sorted {
        offsets.push(out.len() as u64);
        out.extend_from_slice(&(name.len() as u16).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(desc);
    }
    let index_start = out.len();
    for ((name, _), off) in sorted.iter().zip(offsets) {
        out.extend_from_slice(&(name.len() as u16).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&off.to_be_bytes());
    }
    let index_size = (out.len() - index_start) as u32;
    if let Some(slot) = out.get_mut(18..22) {
        slot.copy_from_slice(&index_size.to_be_bytes());
    }
    out
}
