//! The shared corpus for the accelerator tests: the knowledge base's 1567
//! v2-kb descriptors from `tcp-core/tests/data/tcp_complete.db` (TCPDB v2,
//! FORMATS.md §6), plus corrupted variants of each kind, and C24 records.

use tcp_core::wire::{canonical, v2_kb};
use tcp_core::{Capabilities, RiskLevel};

/// The v2-kb records of `tcp_complete.db`, concatenated.
pub fn kb_records() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tcp-core/tests/data/tcp_complete.db"
    );
    let db = std::fs::read(path).expect("tcp_complete.db");
    assert_eq!(&db[..6], b"TCPDB\x02");
    let count = u32::from_be_bytes(db[6..10].try_into().unwrap()) as usize;
    let mut out = Vec::with_capacity(count * 24);
    let mut at = 22;
    for _ in 0..count {
        let name_len = u16::from_be_bytes(db[at..at + 2].try_into().unwrap()) as usize;
        at += 2 + name_len;
        out.extend_from_slice(&db[at..at + 24]);
        at += 24;
    }
    assert_eq!(out.len(), 1567 * 24);
    out
}

/// Each record of `records` followed by corrupted copies: bad magic, bad
/// version, bad checksum, reserved bit, no risk bit, several risk bits (the
/// last three with the checksum fixed so the later check is the one that fires).
pub fn kb_with_corruptions(records: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.len() * 7);
    for (i, r) in records.chunks_exact(24).enumerate() {
        out.extend_from_slice(r);
        let mut bad = [0u8; 24];
        bad.copy_from_slice(r);
        bad[i % 4] ^= 0x20;
        out.extend_from_slice(&bad);
        bad.copy_from_slice(r);
        bad[4 + i % 2] ^= 0x01;
        out.extend_from_slice(&bad);
        bad.copy_from_slice(r);
        bad[6 + i % 16] ^= 1 << (i % 8);
        out.extend_from_slice(&bad);
        let flags = u32::from_be_bytes(r[10..14].try_into().unwrap());
        let other_risk = if flags & 1 == 0 { 1 } else { 2 };
        for bad_flags in [
            flags ^ (0x0001_0000 << (i % 16)),
            flags & !0x1F,
            flags | other_risk,
        ] {
            bad.copy_from_slice(r);
            bad[10..14].copy_from_slice(&bad_flags.to_be_bytes());
            v2_kb::Descriptor::new_unchecked(&mut bad[..]).fill_checksum();
            out.extend_from_slice(&bad);
        }
    }
    out
}

/// C24 records: every risk level and capability pattern, then corrupted copies.
pub fn c24_records() -> Vec<u8> {
    let mut out = Vec::new();
    for risk in RiskLevel::ALL {
        for caps in 0..=255u16 {
            let good = canonical::Repr {
                risk,
                capabilities: Capabilities::from_bits_truncate(caps),
                command_hash: [caps as u8, 1, 2, 3],
                exec_ms: u32::from(caps) * 7,
                memory_mb: caps,
                output_kb: 3,
            }
            .to_bytes();
            out.extend_from_slice(&good);
            let i = usize::from(caps);
            let mut bad = good;
            bad[i % 4] ^= 0x40;
            out.extend_from_slice(&bad);
            let mut bad = good;
            bad[4] = 2 + (caps % 3) as u8;
            out.extend_from_slice(&bad);
            let mut bad = good;
            bad[i % 24] ^= 1 << (i % 8);
            if i % 24 >= 4 {
                out.extend_from_slice(&bad);
            }
            let mut bad = good;
            bad[5] = 5 + (caps % 250) as u8;
            canonical::Descriptor::new_unchecked(&mut bad[..]).fill_checksum();
            out.extend_from_slice(&bad);
            let mut bad = good;
            bad[6] = 1 << (caps % 8);
            canonical::Descriptor::new_unchecked(&mut bad[..]).fill_checksum();
            out.extend_from_slice(&bad);
        }
    }
    out
}
