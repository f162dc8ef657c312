//! Round trips, robustness and error detection for every dialect (proptest),
//! and the SPEC.md test vectors of libtcp's own C24 format.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use proptest::prelude::*;
use tcp_core::wire::{
    canonical, enriched22, gen20, v1_core20, v2_ingest, v2_kb, v2_mcp, v2_spec, v3,
};
use tcp_core::{Capabilities, Dialect, ErrorCode, Mode, RiskLevel};

fn risk() -> impl Strategy<Value = RiskLevel> {
    (0u8..=4).prop_map(|r| RiskLevel::from_u8(r).unwrap())
}

/// A flag word with exactly one risk bit (0..=4) and any of `caps`.
fn onehot(caps: u32) -> impl Strategy<Value = u32> {
    (0u32..5, any::<u32>()).prop_map(move |(r, c)| (1 << r) | (c & caps & !0x1F))
}

fn canonical_repr() -> impl Strategy<Value = canonical::Repr> {
    (
        risk(),
        0u16..=0xFF,
        any::<[u8; 4]>(),
        any::<u32>(),
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(
            |(risk, caps, command_hash, exec_ms, memory_mb, output_kb)| canonical::Repr {
                risk,
                capabilities: Capabilities::from_bits(caps).unwrap(),
                command_hash,
                exec_ms,
                memory_mb,
                output_kb,
            },
        )
}

fn v1_repr() -> impl Strategy<Value = v1_core20::Repr> {
    (
        0u32..=v1_core20::DEFINED_BITS,
        any::<u8>(),
        any::<u8>(),
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(
            |(flags, command_count, format_count, max_file_size_mb, avg_processing_ms)| {
                v1_core20::Repr {
                    flags,
                    command_count,
                    format_count,
                    max_file_size_mb,
                    avg_processing_ms,
                    reserved: 0,
                }
            },
        )
}

fn spec_repr() -> impl Strategy<Value = v2_spec::Repr> {
    (
        any::<[u8; 4]>(),
        onehot(v2_spec::DEFINED_BITS),
        any::<[u16; 4]>(),
    )
        .prop_map(|(h, flags, [e, m, o, l])| v2_spec::Repr {
            command_hash: h,
            flags,
            exec_ms: e,
            memory_mb: m,
            output_kb: o,
            command_len: l,
        })
}

fn mcp_repr() -> impl Strategy<Value = v2_mcp::Repr> {
    (
        any::<[u8; 4]>(),
        onehot(v2_mcp::DEFINED_BITS),
        any::<u32>(),
        any::<[u16; 2]>(),
    )
        .prop_map(|(h, flags, exec_ms, [m, o])| v2_mcp::Repr {
            command_hash: h,
            flags,
            exec_ms,
            memory_mb: m,
            output_kb: o,
        })
}

fn kb_repr() -> impl Strategy<Value = v2_kb::Repr> {
    (
        any::<[u8; 4]>(),
        onehot(v2_kb::DEFINED_BITS),
        any::<u32>(),
        any::<[u16; 2]>(),
    )
        .prop_map(|(h, flags, exec_ms, [m, o])| v2_kb::Repr {
            command_hash: h,
            flags,
            exec_ms,
            memory_mb: m,
            output_kb: o,
        })
}

fn ingest_repr() -> impl Strategy<Value = v2_ingest::Repr> {
    (
        any::<[u8; 4]>(),
        risk(),
        any::<u32>(),
        any::<u32>(),
        any::<[u16; 2]>(),
    )
        .prop_map(|(h, r, caps, exec, [m, o])| {
            let score = r as u32;
            v2_ingest::Repr {
                command_hash: h,
                risk_milli: (score * 1000) as u16,
                flags: (score << 1) | (caps & v2_ingest::DEFINED_BITS & !v2_ingest::SCORE_MASK),
                exec_high: exec & v2_ingest::EXEC_FIELD_MAX,
                memory_mb: m,
                output_kb: o,
                reserved: 0,
            }
        })
}

fn gen20_repr() -> impl Strategy<Value = gen20::Repr> {
    (
        any::<[u8; 4]>(),
        any::<u16>(),
        0u32..=0xFFFF,
        any::<u16>(),
        any::<u8>(),
        any::<[u8; 2]>(),
    )
        .prop_map(
            |(h, version, flags, memory_mb, cpu_percent, extra)| gen20::Repr {
                command_hash: h,
                version,
                flags: flags & gen20::DEFINED_BITS,
                memory_mb,
                cpu_percent,
                extra,
                reserved: [0; 3],
            },
        )
}

fn enriched_repr() -> impl Strategy<Value = enriched22::Repr> {
    (
        any::<[u8; 4]>(),
        any::<u16>(),
        0u32..=0xFFFF,
        onehot(enriched22::DEFINED_BITS),
        any::<u16>(),
        any::<u8>(),
        any::<u16>(),
    )
        .prop_map(
            |(h, version, operation_flags, security_flags, memory_mb, cpu_percent, throughput)| {
                enriched22::Repr {
                    command_hash: h,
                    version,
                    operation_flags,
                    security_flags,
                    memory_mb,
                    cpu_percent,
                    throughput,
                    reserved: 0,
                }
            },
        )
}

fn parent_repr() -> impl Strategy<Value = v3::ParentRepr> {
    (
        any::<[u8; 4]>(),
        0u16..=v3::PARENT_COMMON_BITS,
        any::<u8>(),
        0u8..=4,
        0u16..=v3::PARENT_PROPS_BITS,
    )
        .prop_map(
            |(family_hash, common_flags, subcommand_count, risk_floor, family_props)| {
                v3::ParentRepr {
                    family_hash,
                    common_flags,
                    subcommand_count,
                    risk_floor,
                    family_props,
                }
            },
        )
}

fn delta_repr() -> impl Strategy<Value = v3::DeltaRepr> {
    (
        any::<u8>(),
        0u8..=4,
        0u16..=v3::DELTA_DEFINED_BITS,
        any::<u8>(),
        any::<u8>(),
        proptest::option::of(any::<u8>()),
    )
        .prop_map(
            |(salted_hash, risk_delta, specific_flags, perf, subcommand_len, command_len)| {
                v3::DeltaRepr {
                    salted_hash,
                    risk_delta,
                    specific_flags,
                    perf,
                    subcommand_len,
                    command_len,
                }
            },
        )
}

/// Every emitted record of every checksummed dialect, as (dialect, bytes).
fn any_valid_record() -> impl Strategy<Value = (Dialect, Vec<u8>)> {
    prop_oneof![
        canonical_repr().prop_map(|r| (Dialect::Canonical, r.to_bytes().to_vec())),
        v1_repr().prop_map(|r| (Dialect::V1Core20, r.to_bytes().to_vec())),
        spec_repr().prop_map(|r| (Dialect::V2Spec, r.to_bytes().to_vec())),
        mcp_repr().prop_map(|r| (Dialect::V2Mcp, r.to_bytes().to_vec())),
        kb_repr().prop_map(|r| (Dialect::V2Kb, r.to_bytes().to_vec())),
        ingest_repr().prop_map(|r| (Dialect::V2Ingest, r.to_bytes().to_vec())),
        gen20_repr().prop_map(|r| (Dialect::Gen20, r.to_bytes().to_vec())),
        enriched_repr().prop_map(|r| (Dialect::Enriched22, r.to_bytes().to_vec())),
        parent_repr().prop_map(|r| (Dialect::V3Parent16, r.to_bytes().to_vec())),
    ]
}

proptest! {
    #[test]
    fn canonical_round_trips(x in canonical_repr()) {
        let b = x.to_bytes();
        prop_assert_eq!(canonical::Repr::parse(&canonical::Descriptor::new_checked(&b[..]).unwrap()).unwrap(), x);
    }

    #[test]
    fn v1_core20_round_trips(x in v1_repr()) {
        let b = x.to_bytes();
        prop_assert_eq!(v1_core20::Repr::parse(&v1_core20::Descriptor::new_checked(&b[..]).unwrap()).unwrap(), x);
    }

    #[test]
    fn v2_spec_round_trips(x in spec_repr()) {
        let b = x.to_bytes();
        prop_assert_eq!(v2_spec::Repr::parse(&v2_spec::Descriptor::new_checked(&b[..]).unwrap()).unwrap(), x);
    }

    #[test]
    fn v2_mcp_round_trips(x in mcp_repr()) {
        let b = x.to_bytes();
        prop_assert_eq!(v2_mcp::Repr::parse(&v2_mcp::Descriptor::new_checked(&b[..]).unwrap()).unwrap(), x);
    }

    #[test]
    fn v2_kb_round_trips(x in kb_repr()) {
        let b = x.to_bytes();
        prop_assert_eq!(v2_kb::Repr::parse(&v2_kb::Descriptor::new_checked(&b[..]).unwrap()).unwrap(), x);
    }

    #[test]
    fn v2_ingest_round_trips(x in ingest_repr()) {
        let b = x.to_bytes();
        prop_assert_eq!(v2_ingest::Repr::parse(&v2_ingest::Descriptor::new_checked(&b[..]).unwrap()).unwrap(), x);
    }

    #[test]
    fn gen20_round_trips(x in gen20_repr()) {
        let b = x.to_bytes();
        prop_assert_eq!(gen20::Repr::parse(&gen20::Descriptor::new_checked(&b[..]).unwrap()).unwrap(), x);
    }

    #[test]
    fn enriched22_round_trips(x in enriched_repr()) {
        let b = x.to_bytes();
        prop_assert_eq!(enriched22::Repr::parse(&enriched22::Descriptor::new_checked(&b[..]).unwrap()).unwrap(), x);
    }

    #[test]
    fn v3_parent_round_trips(x in parent_repr()) {
        let b = x.to_bytes();
        prop_assert_eq!(v3::ParentRepr::parse(&v3::ParentDescriptor::new_checked(&b[..]).unwrap()).unwrap(), x);
    }

    #[test]
    fn v3_delta_round_trips(x in delta_repr()) {
        let b = x.to_bytes();
        prop_assert_eq!(b.len(), x.buffer_len());
        prop_assert_eq!(v3::DeltaRepr::parse(&v3::DeltaDescriptor::new_checked(&b[..]).unwrap()).unwrap(), x);
        // A valid delta decodes strictly in its own form.
        prop_assert!(x.dialect().decode(&b, Mode::Strict).is_ok());
    }

    /// No valid descriptor is rejected: strict decode succeeds and detection
    /// lists the dialect it was written in.
    #[test]
    fn valid_records_are_accepted((dialect, bytes) in any_valid_record()) {
        let d = dialect.decode(&bytes, Mode::Strict);
        prop_assert!(d.is_ok(), "{} rejected {}: {:?}", dialect, hex::encode(&bytes), d);
        prop_assert!(!d.unwrap().was_lenient());
        prop_assert!(Dialect::detect(&bytes).candidates().contains(&dialect));
    }

    /// Every single-bit corruption of a checksummed record is caught (by the
    /// checksum, or by the magic/version check that runs first). Holds for
    /// CRC-32, CRC-32C, CRC-32 low half, CRC-16/MODBUS and the byte sum
    /// (a one-bit change moves the sum by ±2^k, never by 0 mod 2^16).
    #[test]
    fn single_bit_corruption_is_caught((dialect, bytes) in any_valid_record(), bit in 0usize..192) {
        let bit = bit % (bytes.len() * 8);
        let mut bad = bytes.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let e = dialect.decode(&bad, Mode::Lenient);
        prop_assert!(e.is_err(), "{} accepted a flipped bit {}", dialect, bit);
        let code = e.unwrap_err().code();
        prop_assert!(
            matches!(code, ErrorCode::ChecksumMismatch | ErrorCode::BadMagic | ErrorCode::UnsupportedVersion),
            "{}: bit {} gave {:?}", dialect, bit, code
        );
    }

    /// Arbitrary bytes never panic anywhere: decode in both modes, detect,
    /// name checks, and every view's accessors on short buffers.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40), name in ".{0,12}") {
        for d in Dialect::ALL {
            for mode in [Mode::Strict, Mode::Lenient] {
                if let Ok(dec) = d.decode(&bytes, mode) {
                    let _ = dec.verify_name(&name);
                    let _ = dec.flag_names();
                }
            }
            let _ = d.decode_named(&bytes, &name, Mode::Lenient);
        }
        let _ = Dialect::detect(&bytes).unique();
        let b = &bytes[..];
        let _ = (v2_spec::Descriptor::new_unchecked(b).compute_checksum(), v2_spec::Descriptor::new_unchecked(b).command_len());
        let _ = (v2_mcp::Descriptor::new_unchecked(b).exec_ms(), v2_ingest::Descriptor::new_unchecked(b).exec_high());
        let _ = (v1_core20::Descriptor::new_unchecked(b).compute_checksum(), gen20::Descriptor::new_unchecked(b).reserved());
        let _ = (enriched22::Descriptor::new_unchecked(b).throughput(), v3::ParentDescriptor::new_unchecked(b).compute_checksum());
        let _ = (v3::DeltaDescriptor::new_unchecked(b).specific_flags(), v3::DeltaDescriptor::new_unchecked(b).command_len());
    }

    /// Arbitrary 24-byte records with a valid checksum (the likeliest
    /// hostile input) never panic either, and strict never accepts what
    /// lenient refuses.
    #[test]
    fn checksummed_garbage_never_panics(body in any::<[u8; 24]>(), which in 0usize..4) {
        let mut b = body;
        match which {
            0 => v2_spec::Descriptor::new_unchecked(&mut b[..]).fill_checksum(),
            1 => v2_kb::Descriptor::new_unchecked(&mut b[..]).fill_checksum(),
            2 => v2_ingest::Descriptor::new_unchecked(&mut b[..]).fill_checksum(),
            _ => canonical::Descriptor::new_unchecked(&mut b[..]).fill_checksum(),
        }
        for d in Dialect::ALL {
            let strict = d.decode(&b, Mode::Strict);
            let lenient = d.decode(&b, Mode::Lenient);
            prop_assert!(!(strict.is_ok() && lenient.is_err()), "{}", d);
        }
        let _ = Dialect::detect(&b);
    }
}

#[test]
fn v3_delta_has_no_checksum_so_corruption_goes_unseen() {
    // FORMATS.md §5.2: nothing checks a delta; flipping its hash byte or
    // risk delta still decodes. This documents the limit, it is not a feature.
    let b = hex::decode("47030600550509").unwrap();
    let mut bad = b.clone();
    bad[1] ^= 1; // risk delta 3 -> 2
    assert!(Dialect::V3Delta7.decode(&bad, Mode::Strict).is_ok());
    assert!(!Dialect::V3Delta7.has_checksum());
}

#[test]
fn every_single_bit_flip_of_one_record_per_dialect_is_caught() {
    // Exhaustive over bit positions; the CRCs are affine, so the outcome
    // does not depend on the record chosen.
    let records: Vec<(Dialect, Vec<u8>)> = vec![
        (
            Dialect::Canonical,
            hex::decode("5443500401030009d67f249b00000032000400014eb3fddd").unwrap(),
        ),
        (
            Dialect::V1Core20,
            hex::decode("544350018bdf297a000000010102006401b40000").unwrap(),
        ),
        (
            Dialect::V2Spec,
            hex::decode("544350020002d67f249b000006d0271003e800320002ef04").unwrap(),
        ),
        (
            Dialect::V2Kb,
            hex::decode("544350020002227dc2510000240100000064000a00010331").unwrap(),
        ),
        (
            Dialect::Gen20,
            hex::decode("f6e57c9d032d00000300000a0a0000000000fab0").unwrap(),
        ),
        (
            Dialect::Enriched22,
            hex::decode("417e248f00000000400000003f48003c0a01f40075f7").unwrap(),
        ),
        (
            Dialect::V3Parent16,
            hex::decode("54435003ba9f11ec000ea40000019745").unwrap(),
        ),
    ];
    for (dialect, bytes) in records {
        dialect.decode(&bytes, Mode::Strict).unwrap();
        for bit in 0..bytes.len() * 8 {
            let mut bad = bytes.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(
                dialect.decode(&bad, Mode::Lenient).is_err(),
                "{dialect}: bit {bit} not caught"
            );
        }
    }
}

/// SPEC.md's C24 test vectors: the file states them, this test checks them.
#[test]
fn spec_md_test_vectors() {
    let spec =
        std::fs::read_to_string(format!("{}/../SPEC.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let valid = [
        (
            "ls",
            RiskLevel::Safe,
            0x0000,
            5,
            2,
            4,
            "544350040100000044ba5ca600000005000200048f53bf5e",
        ),
        (
            "rm",
            RiskLevel::High,
            0x0009,
            50,
            4,
            1,
            "5443500401030009d67f249b00000032000400014eb3fddd",
        ),
        (
            "curl",
            RiskLevel::Medium,
            0x000c,
            2000,
            16,
            512,
            "544350040102000cf6e57c9d000007d0001002009f54fd88",
        ),
        (
            "sudo",
            RiskLevel::Critical,
            0x00a2,
            100,
            8,
            1,
            "54435004010400a2d338b3f0000000640008000144502c54",
        ),
    ];
    for (name, risk, caps, exec_ms, memory_mb, output_kb, h) in valid {
        assert!(
            spec.contains(&format!("`{h}`")),
            "SPEC.md must state the {name} vector"
        );
        let repr = canonical::Repr {
            risk,
            capabilities: Capabilities::from_bits(caps).unwrap(),
            command_hash: tcp_core::hash::command_hash(name),
            exec_ms,
            memory_mb,
            output_kb,
        };
        assert_eq!(
            hex::encode(repr.to_bytes()),
            h,
            "SPEC.md vector {name}: emit"
        );
        let bytes = hex::decode(h).unwrap();
        assert_eq!(
            canonical::Repr::parse(&canonical::Descriptor::new_checked(&bytes[..]).unwrap())
                .unwrap(),
            repr
        );
        let d = Dialect::Canonical
            .decode_named(&bytes, name, Mode::Strict)
            .unwrap();
        assert_eq!(d.risk, Some(risk));
        assert_eq!(
            Dialect::detect(&bytes),
            tcp_core::Detection::Unique(Dialect::Canonical),
            "SPEC.md vector {name}"
        );
    }
    let invalid = [
        (
            "5443500401030009d67f249b00010032000400014eb3fddd",
            ErrorCode::ChecksumMismatch,
        ),
        (
            "5443500402030009d67f249b00000032000400015d4b9d2e",
            ErrorCode::UnsupportedVersion,
        ),
        (
            "5443500401050009d67f249b00000032000400011a79852a",
            ErrorCode::InvalidRiskLevel,
        ),
        (
            "5443500401030109d67f249b00000032000400011ab4a89b",
            ErrorCode::ReservedBitsSet,
        ),
    ];
    for (h, code) in invalid {
        assert!(spec.contains(&format!("`{h}`")), "SPEC.md must state {h}");
        assert!(
            spec.contains(&format!("`{}`", code.as_str())),
            "SPEC.md must name {code}"
        );
        let e = Dialect::Canonical
            .decode(&hex::decode(h).unwrap(), Mode::Lenient)
            .unwrap_err();
        assert_eq!(e.code(), code, "SPEC.md invalid vector {h}");
    }
}
