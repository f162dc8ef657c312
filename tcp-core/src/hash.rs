//! Command hashes and constant-time comparisons.
//!
//! Every dialect of the prototype identifies a command by the first four bytes
//! of the MD5 of its UTF-8 name; we keep that so hashes agree across dialects.
//! MD5 is used as a fingerprint here, not for security. This module is the only
//! user of `subtle`: stored hashes and checksums are compared in constant time
//! so that a verifier does not leak how many leading bytes matched.

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

/// The 4-byte command hash: `md5(name)[..4]`.
pub fn command_hash(name: &str) -> [u8; 4] {
    let digest = Md5::digest(name.as_bytes());
    let mut out = [0u8; 4];
    out.copy_from_slice(digest.get(..4).unwrap_or(&[0; 4]));
    out
}

/// Constant-time equality of two byte strings of the same length (false if lengths differ).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Constant-time equality of two 32-bit values (checksums).
pub fn ct_eq_u32(a: u32, b: u32) -> bool {
    bool::from(a.ct_eq(&b))
}

/// Constant-time equality of two 16-bit values (checksums).
pub fn ct_eq_u16(a: u16, b: u16) -> bool {
    bool::from(a.ct_eq(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_prefix_matches_the_prototype() {
        // From kb_expected.jsonl: "!" -> 9033e0e3.
        assert_eq!(command_hash("!"), [0x90, 0x33, 0xe0, 0xe3]);
        // From FORMATS.md §10: the git parent carries md5("git")[:4] = ba9f11ec.
        assert_eq!(command_hash("git"), [0xba, 0x9f, 0x11, 0xec]);
    }

    #[test]
    fn ct_compare() {
        assert!(ct_eq(b"abcd", b"abcd"));
        assert!(!ct_eq(b"abcd", b"abce"));
        assert!(!ct_eq(b"abc", b"abcd"));
        assert!(ct_eq_u32(7, 7) && !ct_eq_u32(7, 8));
        assert!(ct_eq_u16(7, 7) && !ct_eq_u16(7, 8));
    }
}
