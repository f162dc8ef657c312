//! Recomputing a record's checksum in place, for every dialect that has one.
//!
//! Used by writers of test data and by the `wire_sealed` fuzz target, which
//! seals arbitrary bytes so that fuzzing reaches the checks behind the checksum.

use crate::wire::{
    Dialect, canonical, enriched22, gen20, v1_core20, v2_ingest, v2_kb, v2_mcp, v2_spec, v3,
};

impl Dialect {
    /// Recomputes and stores the checksum of `bytes` under this dialect.
    ///
    /// Returns false (and changes nothing) if the length is not the dialect's
    /// record length or the dialect has no checksum (v3 deltas).
    pub fn seal(self, bytes: &mut [u8]) -> bool {
        if bytes.len() != self.record_len() {
            return false;
        }
        match self {
            Self::Canonical => canonical::Descriptor::new_unchecked(bytes).fill_checksum(),
            Self::V1Core20 => v1_core20::Descriptor::new_unchecked(bytes).fill_checksum(),
            Self::V2Spec => v2_spec::Descriptor::new_unchecked(bytes).fill_checksum(),
            Self::V2Mcp => v2_mcp::Descriptor::new_unchecked(bytes).fill_checksum(),
            Self::V2Kb => v2_kb::Descriptor::new_unchecked(bytes).fill_checksum(),
            Self::V2Ingest => v2_ingest::Descriptor::new_unchecked(bytes).fill_checksum(),
            Self::Gen20 => gen20::Descriptor::new_unchecked(bytes).fill_checksum(),
            Self::Enriched22 => enriched22::Descriptor::new_unchecked(bytes).fill_checksum(),
            Self::V3Parent16 => v3::ParentDescriptor::new_unchecked(bytes).fill_checksum(),
            Self::V3Delta6 | Self::V3Delta7 => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Mode;

    #[test]
    fn sealed_records_pass_their_checksum() {
        for d in Dialect::ALL {
            let mut b = vec![0xA5u8; d.record_len()];
            let sealed = d.seal(&mut b);
            assert_eq!(sealed, d.has_checksum(), "{d}");
            if sealed {
                if let Err(e) = d.decode(&b, Mode::Lenient) {
                    assert_ne!(e.code(), crate::ErrorCode::ChecksumMismatch, "{d}: {e}");
                }
            }
        }
        assert!(!Dialect::V2Kb.seal(&mut [0u8; 23]));
    }
}
