//! Conformance against the prototype's real data (tests/data/, copied from
//! upstream commit a19825d; see tests/data/SOURCE.md) and FORMATS.md.
//!
//! Every record of every data file is decoded, compared field by field with
//! what the file (or kb_expected.jsonl) says, re-emitted byte for byte, and
//! identified with `Dialect::detect`. Assertion messages name the file and
//! the FORMATS.md section the expectation comes from.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use tcp_core::hash::command_hash;
use tcp_core::wire::{Hint, enriched22, gen20, v1_core20, v2_kb, v2_mcp, v2_spec, v3};
use tcp_core::{Capabilities, Decoded, Detection, Dialect, Error, Leniency, Mode, RiskLevel};

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(name)).unwrap()).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn risk_name(r: Option<RiskLevel>) -> &'static str {
    r.map_or("UNKNOWN", RiskLevel::as_str)
}

fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// Decodes a v2-kb record the way the export was written: strict when it has
/// a risk bit, lenient (and saying so) for the 15 without one.
fn decode_kb(bytes: &[u8], expected_risk: &str, ctx: &str) -> Decoded {
    let strict = Dialect::V2Kb.decode(bytes, Mode::Strict);
    if expected_risk == "UNKNOWN" {
        assert_eq!(
            strict,
            Err(Error::NoRiskBit),
            "{ctx}: strict must refuse a record without risk bit (FORMATS.md §2.5, §12.6)"
        );
        let d = Dialect::V2Kb.decode(bytes, Mode::Lenient).unwrap();
        assert_eq!(
            d.lenient,
            vec![Leniency::NoRiskBit],
            "{ctx}: lenient must say it was lenient"
        );
        d
    } else {
        let d = strict.unwrap_or_else(|e| panic!("{ctx}: strict decode failed: {e}"));
        assert!(!d.was_lenient(), "{ctx}");
        d
    }
}

fn reemit_kb(bytes: &[u8], ctx: &str) {
    let repr = v2_kb::Repr::parse(&v2_kb::Descriptor::new_checked(bytes).unwrap()).unwrap();
    assert_eq!(
        repr.to_bytes().as_slice(),
        bytes,
        "{ctx}: emit must reproduce the bytes (FORMATS.md §2.3)"
    );
}

#[test]
fn kb_expected_jsonl_all_1567() {
    let text = std::fs::read_to_string(data("kb_expected.jsonl")).unwrap();
    let (mut strict, mut lenient) = (0, 0);
    for (i, line) in text.lines().enumerate() {
        let e: Value = serde_json::from_str(line).unwrap();
        let cmd = e["command"].as_str().unwrap();
        let ctx = format!(
            "kb_expected.jsonl line {} ({cmd:?}), FORMATS.md §2.3/§9",
            i + 1
        );
        assert_eq!(e["dialect"], "v2-kb", "{ctx}");
        let bytes = unhex(e["hex"].as_str().unwrap());
        let risk = e["risk"].as_str().unwrap();
        let d = decode_kb(&bytes, risk, &ctx);
        if d.was_lenient() {
            lenient += 1;
        } else {
            strict += 1;
        }
        assert_eq!(risk_name(d.risk), risk, "{ctx}: risk");
        assert_eq!(
            d.flag_names(),
            str_list(&e["capabilities"]),
            "{ctx}: capability names in order"
        );
        assert_eq!(
            u64::from(d.raw_flags),
            e["security_flags"].as_u64().unwrap(),
            "{ctx}: security_flags"
        );
        assert_eq!(
            u64::from(d.exec_ms.unwrap()),
            e["exec_ms"].as_u64().unwrap(),
            "{ctx}: exec"
        );
        assert_eq!(
            u64::from(d.memory_mb.unwrap()),
            e["memory_mb"].as_u64().unwrap(),
            "{ctx}: memory"
        );
        assert_eq!(
            u64::from(d.output_kb.unwrap()),
            e["output_kb"].as_u64().unwrap(),
            "{ctx}: output"
        );
        assert_eq!(
            d.verify_name(cmd).is_ok(),
            e["md5_prefix_ok"].as_bool().unwrap(),
            "{ctx}: md5 (FORMATS.md §8)"
        );
        assert!(e["checksum_ok"].as_bool().unwrap(), "{ctx}");
        assert!(e["unnamed_bits"].as_array().unwrap().is_empty(), "{ctx}");
        assert_eq!(
            Dialect::detect(&bytes),
            Detection::Unique(Dialect::V2Kb),
            "{ctx}: only sum16 verifies (FORMATS.md §8)"
        );
        reemit_kb(&bytes, &ctx);
    }
    assert_eq!(
        (strict, lenient),
        (1552, 15),
        "kb_expected.jsonl: FORMATS.md §9 (one risk bit in 1552, none in 15)"
    );
}

#[test]
fn tcp_export_json_all_1567_with_distributions() {
    let export = json("tcp_export.json");
    let commands = export["commands"].as_object().unwrap();
    assert_eq!(commands.len(), 1567, "tcp_export.json: FORMATS.md §9");
    assert_eq!(export["total_commands"], 1567);
    let mut risks: BTreeMap<String, u64> = BTreeMap::new();
    let mut caps: BTreeMap<String, u64> = BTreeMap::new();
    for (cmd, e) in commands {
        let ctx = format!("tcp_export.json {cmd:?}, FORMATS.md §2.3/§9");
        let bytes = unhex(e["binary_hex"].as_str().unwrap());
        let risk = e["risk"].as_str().unwrap();
        let d = decode_kb(&bytes, risk, &ctx);
        assert_eq!(risk_name(d.risk), risk, "{ctx}: risk");
        let names = d.flag_names();
        assert_eq!(
            names,
            str_list(&e["capabilities"]),
            "{ctx}: capabilities in order"
        );
        d.verify_name(cmd)
            .unwrap_or_else(|err| panic!("{ctx}: md5 prefix: {err}"));
        assert_eq!(
            (d.exec_ms, d.memory_mb, d.output_kb),
            (Some(100), Some(10), Some(1)),
            "{ctx}: constant performance"
        );
        reemit_kb(&bytes, &ctx);
        *risks.entry(risk.to_owned()).or_default() += 1;
        for n in names {
            *caps.entry(n.to_owned()).or_default() += 1;
        }
    }
    let dist = |v: &Value| -> BTreeMap<String, u64> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
            .collect()
    };
    assert_eq!(
        risks,
        dist(&export["risk_distribution"]),
        "tcp_export.json risk_distribution (FORMATS.md §9, §11)"
    );
    assert_eq!(
        caps,
        dist(&export["capability_distribution"]),
        "tcp_export.json capability_distribution (FORMATS.md §9, §11)"
    );
}

#[test]
fn kb_decoded_with_the_spec_table_shows_why_dialects_matter() {
    // FORMATS.md §12.3: the KB's bits read with the spec table mean other things.
    let bytes = unhex("544350020002227dc2510000240100000064000a00010331"); // "NF": SUDO + PROCESS
    assert_eq!(Dialect::V2Kb.flag_names(0x2401), vec!["SUDO", "PROCESS"]);
    assert_eq!(
        Dialect::V2Spec.flag_names(0x2401),
        vec!["SYSTEM_MODIFICATION"]
    );
    assert!(matches!(
        Dialect::V2Spec.decode(&bytes, Mode::Lenient),
        Err(Error::ChecksumMismatch { .. })
    ));
}

/// The comprehensive research JSON: (family, members as (command, hex), parent, deltas).
struct Family {
    name: String,
    members: Vec<(String, String)>,
    parent: Option<String>,
    deltas: Vec<(String, String)>,
}

fn comprehensive() -> Vec<Family> {
    let d = json("comprehensive_tcp_analysis_20250703_141403.json");
    d["families"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, f)| {
            let pairs = |v: &Value| -> Vec<(String, String)> {
                v.as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, h)| (k.clone(), h.as_str().unwrap().to_owned()))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            Family {
                name: name.clone(),
                members: pairs(&f["commands"]),
                parent: f["parent_descriptor"].as_str().map(str::to_owned),
                deltas: pairs(&f["delta_descriptors"]),
            }
        })
        .collect()
}

const COMPREHENSIVE: &str = "comprehensive_tcp_analysis_20250703_141403.json";

#[test]
fn comprehensive_v2_spec_all_184() {
    let mut flag_counts: BTreeMap<u32, usize> = BTreeMap::new();
    let mut n = 0;
    for fam in comprehensive() {
        for (cmd, h) in &fam.members {
            let ctx = format!("{COMPREHENSIVE} {cmd:?}, FORMATS.md §2.1/§9");
            let bytes = unhex(h);
            let repr = v2_spec::Repr::parse(&v2_spec::Descriptor::new_checked(&bytes[..]).unwrap())
                .unwrap_or_else(|e| panic!("{ctx}: {e}"));
            let d = repr
                .decode(Mode::Strict)
                .unwrap_or_else(|e| panic!("{ctx}: strict: {e}"));
            assert!(d.risk.is_some(), "{ctx}: exactly one risk bit");
            repr.verify_name(cmd)
                .unwrap_or_else(|e| panic!("{ctx}: md5 of the full command and length field: {e}"));
            Dialect::V2Spec
                .decode_named(&bytes, cmd, Mode::Strict)
                .unwrap();
            assert_eq!(
                repr.to_bytes().to_vec(),
                bytes,
                "{ctx}: emit must reproduce the bytes"
            );
            // FORMATS.md §12.5: the framing also verifies as v2-mcp and v2-ingest;
            // the plausibility hint (never a verdict) points at v2-spec.
            match Dialect::detect(&bytes) {
                Detection::Ambiguous { candidates, hint } => {
                    assert_eq!(
                        candidates,
                        vec![Dialect::V2Spec, Dialect::V2Mcp, Dialect::V2Ingest],
                        "{ctx}"
                    );
                    assert_eq!(
                        hint.preferred(),
                        Some(Dialect::V2Spec),
                        "{ctx}: hint {hint:?}"
                    );
                }
                other => panic!("{ctx}: expected ambiguity, got {other:?}"),
            }
            assert!(
                Dialect::detect(&bytes).unique().is_err(),
                "{ctx}: never a silent choice"
            );
            assert!(
                matches!(
                    Dialect::V2Kb.decode(&bytes, Mode::Lenient),
                    Err(Error::ChecksumMismatch { .. })
                ),
                "{ctx}"
            );
            *flag_counts.entry(repr.flags).or_default() += 1;
            n += 1;
        }
    }
    assert_eq!(n, 184, "{COMPREHENSIVE}: FORMATS.md §9");
    let expected: BTreeMap<u32, usize> = [
        (0x0244, 104),
        (0x0002, 36),
        (0x0648, 29),
        (0x0001, 12),
        (0x06d0, 3),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        flag_counts, expected,
        "{COMPREHENSIVE}: flag values (FORMATS.md §9)"
    );
}

#[test]
fn comprehensive_v3_parents_and_172_deltas() {
    let mut parents = 0;
    let mut deltas = 0;
    let mut big_endian_would_match = 0;
    for fam in comprehensive() {
        let Some(parent_hex) = &fam.parent else {
            assert!(fam.deltas.is_empty());
            continue;
        };
        let ctx = format!("{COMPREHENSIVE} parent {:?}, FORMATS.md §5.1/§9", fam.name);
        let pbytes = unhex(parent_hex);
        let parent =
            v3::ParentRepr::parse(&v3::ParentDescriptor::new_checked(&pbytes[..]).unwrap())
                .unwrap_or_else(|e| panic!("{ctx}: {e}"));
        let pd = Dialect::V3Parent16.decode(&pbytes, Mode::Strict).unwrap();
        pd.verify_name(&fam.name)
            .unwrap_or_else(|e| panic!("{ctx}: md5(family): {e}"));
        assert_eq!(
            Dialect::detect(&pbytes),
            Detection::Unique(Dialect::V3Parent16),
            "{ctx}"
        );
        assert_eq!(parent.to_bytes().to_vec(), pbytes, "{ctx}: emit");
        let members: Vec<v2_spec::Repr> = fam
            .members
            .iter()
            .map(|(_, h)| {
                v2_spec::Repr::parse(&v2_spec::Descriptor::new_checked(&unhex(h)[..]).unwrap())
                    .unwrap()
            })
            .collect();
        assert_eq!(
            usize::from(parent.subcommand_count),
            members.len(),
            "{ctx}: count"
        );
        let derived = v3::ParentRepr::derive(&fam.name, &members, parent.family_props).unwrap();
        assert_eq!(
            derived, parent,
            "{ctx}: count, floor and common flags recomputed from the members"
        );
        let props = pd.flag_names();
        let expected_prop = if fam.name == "git" {
            "VERSION_CONTROL"
        } else {
            "FILESYSTEM"
        };
        assert!(props.contains(&expected_prop), "{ctx}: {props:?}");
        parents += 1;

        let by_cmd: BTreeMap<&str, &v2_spec::Repr> = fam
            .members
            .iter()
            .map(|(c, _)| c.as_str())
            .zip(members.iter())
            .collect();
        for (cmd, h) in &fam.deltas {
            let ctx = format!("{COMPREHENSIVE} delta {cmd:?}, FORMATS.md §5.2/§9");
            let bytes = unhex(h);
            assert_eq!(bytes.len(), 7, "{ctx}: all real deltas are the 7-byte form");
            let delta =
                v3::DeltaRepr::parse(&v3::DeltaDescriptor::new_checked(&bytes[..]).unwrap())
                    .unwrap();
            assert_eq!(delta.to_bytes(), bytes, "{ctx}: emit (flags little-endian)");
            let member = by_cmd[cmd.as_str()];
            let floor = parent.floor().unwrap();
            let rebuilt =
                v3::DeltaRepr::derive(floor, member, cmd, delta.salted_hash, true).unwrap();
            assert_eq!(
                rebuilt, delta,
                "{ctx}: risk delta, LE flags, perf, lengths recomputed from the member"
            );
            delta.verify_name(cmd).unwrap();
            if u16::from_be_bytes([bytes[2], bytes[3]]) == rebuilt.specific_flags {
                big_endian_would_match += 1;
            }
            // The hash byte is Python's salted hash(): never an md5 byte here.
            let sub = cmd.split_once(' ').map_or(cmd.as_str(), |(_, s)| s);
            assert_ne!(bytes[0], command_hash(cmd)[0], "{ctx}");
            assert_ne!(bytes[0], command_hash(sub)[0], "{ctx}");
            assert!(
                matches!(
                    Dialect::V3Delta7
                        .decode(&bytes, Mode::Strict)
                        .unwrap()
                        .verify_name(cmd),
                    Err(Error::BadName { .. })
                ),
                "{ctx}: unverifiable hash"
            );
            assert!(
                Dialect::V3Delta6.decode(&bytes, Mode::Strict).is_err(),
                "{ctx}"
            );
            // Reconstruction (FORMATS.md §5.2): risk exact; capabilities those of
            // the member except REQUIRES_ROOT, which only ALL_REQUIRE_ROOT carries.
            let m = v3::reconstruct(&parent, &delta, Mode::Strict).unwrap();
            let orig = member.decode(Mode::Strict).unwrap();
            assert_eq!(m.risk, orig.risk, "{ctx}: floor + delta");
            let mut expected = Capabilities::EMPTY;
            for name in orig.capabilities.names() {
                if name != "REQUIRES_ROOT" || parent.common_flags & 1 != 0 {
                    expected |= Capabilities::from_name(name).unwrap();
                }
            }
            assert_eq!(m.capabilities, expected, "{ctx}: capabilities");
            assert!(
                m.exec_ms.unwrap() <= u32::from(member.exec_ms).max(100),
                "{ctx}: exec lower bound"
            );
            assert!(
                m.memory_mb.unwrap() <= u32::from(member.memory_mb).max(10),
                "{ctx}: memory lower bound"
            );
            deltas += 1;
        }
    }
    assert_eq!(
        (parents, deltas),
        (2, 172),
        "{COMPREHENSIVE}: FORMATS.md §9"
    );
    assert_eq!(
        big_endian_would_match, 45,
        "{COMPREHENSIVE}: big-endian matches only the palindromic 45 (FORMATS.md §9)"
    );
}

#[test]
fn sandbox_gen20_all_9() {
    let reg = json("sandbox_tool_registry.json");
    let tools = reg["tools"].as_object().unwrap();
    assert_eq!(tools.len(), 9, "sandbox_tool_registry.json: FORMATS.md §9");
    for (name, t) in tools {
        let ctx = format!("sandbox_tool_registry.json {name:?}, FORMATS.md §3/§9");
        let hex_str = t["binary_hex"].as_str().unwrap();
        let bytes = unhex(hex_str);
        assert_eq!(reg["binary_lookup"][hex_str], name.as_str(), "{ctx}");
        let repr = gen20::Repr::parse(&gen20::Descriptor::new_checked(&bytes[..]).unwrap())
            .unwrap_or_else(|e| panic!("{ctx}: CRC-16/MODBUS: {e}"));
        assert_eq!(repr.to_bytes().to_vec(), bytes, "{ctx}: emit");
        let d = Dialect::Gen20.decode(&bytes, Mode::Strict).unwrap();
        assert_eq!(d.risk, None, "{ctx}: gen20 has no risk");
        d.verify_name(name)
            .unwrap_or_else(|e| panic!("{ctx}: md5(tool): {e}"));
        assert_eq!(
            Dialect::detect(&bytes),
            Detection::Unique(Dialect::Gen20),
            "{ctx}"
        );
        let caps = &t["capabilities"];
        let version = caps["version"].as_str().map_or(0, |v| {
            let mut parts = v.split('.').map(|p| p.parse::<u16>().unwrap());
            parts.next().unwrap() * 100 + parts.next().unwrap_or(0)
        });
        assert_eq!(repr.version, version, "{ctx}: major*100+minor");
        let bit = |b: u32| repr.flags & (1 << b) != 0;
        for (b, key) in [
            (0, "supports_stdin"),
            (1, "supports_files"),
            (2, "supports_directories"),
            (3, "supports_recursion"),
            (4, "supports_parallel"),
            (5, "supports_streaming"),
        ] {
            assert_eq!(
                bit(b),
                caps[key].as_bool().unwrap(),
                "{ctx}: bit {b} = {key}"
            );
        }
        assert_eq!(bit(8), caps["memory_usage"] == "low", "{ctx}: LOW_MEMORY");
        assert_eq!(bit(9), caps["cpu_usage"] == "low", "{ctx}: LOW_CPU");
        assert_eq!(bit(10), caps["network_usage"] != "none", "{ctx}: NETWORK");
    }
}

#[test]
fn security_demo_enriched22_all_8() {
    let demo = json("security_demo_tcp_descriptors.json");
    let all = demo.as_object().unwrap();
    assert_eq!(
        all.len(),
        8,
        "security_demo_tcp_descriptors.json: FORMATS.md §9"
    );
    for (name, e) in all {
        let ctx = format!("security_demo_tcp_descriptors.json {name:?}, FORMATS.md §4/§9");
        let bytes = unhex(e["binary_hex"].as_str().unwrap());
        assert_eq!(
            bytes.len() as u64,
            e["binary_size"].as_u64().unwrap(),
            "{ctx}"
        );
        let repr =
            enriched22::Repr::parse(&enriched22::Descriptor::new_checked(&bytes[..]).unwrap())
                .unwrap_or_else(|err| panic!("{ctx}: CRC-16/MODBUS: {err}"));
        assert_eq!(repr.to_bytes().to_vec(), bytes, "{ctx}: emit");
        let hex_u32 = |v: &Value| {
            u32::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
        };
        assert_eq!(
            repr.operation_flags,
            hex_u32(&e["operation_flags"]),
            "{ctx}"
        );
        assert_eq!(repr.security_flags, hex_u32(&e["security_flags"]), "{ctx}");
        assert_eq!(
            u64::from(repr.version),
            e["version"].as_u64().unwrap(),
            "{ctx}"
        );
        let d = Dialect::Enriched22.decode(&bytes, Mode::Strict).unwrap();
        d.verify_name(name)
            .unwrap_or_else(|err| panic!("{ctx}: md5: {err}"));
        assert_eq!(
            risk_name(d.risk).to_ascii_lowercase(),
            e["security_level"].as_str().unwrap(),
            "{ctx}: highest risk bit"
        );
        let privilege = if repr.security_flags & (1 << 7) != 0 {
            "root"
        } else if repr.security_flags & (1 << 6) != 0 {
            "sudo"
        } else if repr.security_flags & (1 << 5) != 0 {
            "user"
        } else {
            "none"
        };
        assert_eq!(privilege, e["privilege_requirements"], "{ctx}: bit 7/6/5");
        assert_eq!(
            Dialect::detect(&bytes),
            Detection::Unique(Dialect::Enriched22),
            "{ctx}"
        );
    }
}

/// (file, command, hex, risk, capabilities) of the refinery JSONs.
fn refinery_records() -> Vec<(&'static str, String, String, String, Vec<String>)> {
    let mut out = Vec::new();
    let refined = json("refined_tcp_descriptors.json");
    for (cmd, e) in refined["descriptors"].as_object().unwrap() {
        out.push((
            "refined_tcp_descriptors.json",
            cmd.clone(),
            e["descriptor"].as_str().unwrap().to_owned(),
            e["refined"]["risk"].as_str().unwrap().to_owned(),
            str_list(&e["refined"]["capabilities"]),
        ));
    }
    for file in [
        "optimized_multi_stage_results.json",
        "multi_stage_refinery_results.json",
    ] {
        for (cmd, e) in json(file)["commands"].as_object().unwrap() {
            out.push((
                file,
                cmd.clone(),
                e["binary_descriptor"].as_str().unwrap().to_owned(),
                e["final_risk"].as_str().unwrap().to_owned(),
                str_list(&e["final_capabilities"]),
            ));
        }
    }
    out
}

#[test]
fn refinery_jsons_are_v2_kb() {
    let mut per_file: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (file, cmd, h, risk, caps) in refinery_records() {
        let ctx = format!("{file} {cmd:?}, FORMATS.md §2.3/§9");
        if h.is_empty() {
            // Commands whose man page was not found carry no descriptor.
            assert_eq!(risk, "UNKNOWN", "{ctx}");
            continue;
        }
        let bytes = unhex(&h);
        let d = decode_kb(&bytes, &risk, &ctx);
        assert_eq!(risk_name(d.risk), risk, "{ctx}: risk");
        let names: BTreeSet<&str> = d.flag_names().into_iter().collect();
        let listed: BTreeSet<&str> = caps.iter().map(String::as_str).collect();
        assert_eq!(
            names, listed,
            "{ctx}: capabilities (the files list them in their own order)"
        );
        d.verify_name(&cmd)
            .unwrap_or_else(|e| panic!("{ctx}: md5: {e}"));
        assert_eq!(
            Dialect::detect(&bytes),
            Detection::Unique(Dialect::V2Kb),
            "{ctx}"
        );
        reemit_kb(&bytes, &ctx);
        per_file.entry(file).or_default().insert(h);
    }
    let counts: Vec<(&str, usize)> = per_file.iter().map(|(f, s)| (*f, s.len())).collect();
    assert_eq!(
        counts,
        vec![
            ("multi_stage_refinery_results.json", 16),
            ("optimized_multi_stage_results.json", 6),
            ("refined_tcp_descriptors.json", 24)
        ],
        "refinery JSONs: distinct descriptors (FORMATS.md §9)"
    );
}

#[test]
fn v1_core20_vectors() {
    // FORMATS.md §1, computed by running upstream descriptors.py:
    // (hex, flags, commands, formats, max MB, avg ms).
    let vectors = [
        (
            "544350018bdf297a000000010102006401b40000",
            1,
            1,
            2,
            100,
            436,
        ),
        (
            "544350010b3b2c10000000000100006401b40000",
            0,
            1,
            0,
            100,
            436,
        ),
        (
            "54435001083e33d1000000000000006403e80000",
            0,
            0,
            0,
            100,
            1000,
        ),
        (
            "54435001e9b7b9f0000106e10002ffffffff0000",
            0x106e1,
            0,
            2,
            65535,
            65535,
        ),
    ];
    for (h, flags, cmds, fmts, mb, ms) in vectors {
        let ctx = format!("FORMATS.md §1 vector {h}");
        let bytes = unhex(h);
        let repr = v1_core20::Repr::parse(&v1_core20::Descriptor::new_checked(&bytes[..]).unwrap())
            .unwrap_or_else(|e| panic!("{ctx}: {e}"));
        assert_eq!(
            repr,
            v1_core20::Repr {
                flags,
                command_count: cmds,
                format_count: fmts,
                max_file_size_mb: mb,
                avg_processing_ms: ms,
                reserved: 0
            },
            "{ctx}"
        );
        assert_eq!(repr.to_bytes().to_vec(), bytes, "{ctx}: emit");
        let d = Dialect::V1Core20.decode(&bytes, Mode::Strict).unwrap();
        assert_eq!(d.risk, None, "{ctx}: v1 has no risk information");
        assert!(
            matches!(d.verify_name("cat"), Err(Error::BadName { .. })),
            "{ctx}: v1 carries no hash"
        );
        assert_eq!(
            Dialect::detect(&bytes),
            Detection::Unique(Dialect::V1Core20),
            "{ctx}"
        );
    }
    // 0x106e1 = bits 0, 5, 6, 7, 9, 10, 16: the generator's bits (FORMATS.md §1).
    assert_eq!(
        Dialect::V1Core20.flag_names(0x106e1),
        vec![
            "SUPPORTS_FILES",
            "BATCH_PROCESSING",
            "PARALLEL_PROCESSING",
            "GPU_ACCELERATION",
            "ASYNC_PROCESSING",
            "STREAM_PROCESSING",
            "JSON_OUTPUT"
        ]
    );
}

#[test]
fn v1_core20_rejections_from_upstream_tests() {
    // FORMATS.md §13: tests/unit/test_core_protocol.py inputs, all rejected.
    let mut bad: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"INVALID".to_vec(),
        [b"TCP\x01".as_slice(), &[0; 20]].concat(),
        [b"TCP\x01".as_slice(), &[0; 10]].concat(),
        vec![0; 24],
        vec![0xFF; 24],
    ];
    let mut flipped = unhex("544350018bdf297a000000010102006401b40000");
    flipped[10] ^= 0xFF;
    bad.push(flipped);
    for b in &bad {
        let e = Dialect::V1Core20.decode(b, Mode::Lenient).unwrap_err();
        let expected_code = if b.len() == 20 {
            tcp_core::ErrorCode::ChecksumMismatch
        } else {
            tcp_core::ErrorCode::WrongLength
        };
        assert_eq!(
            e.code(),
            expected_code,
            "FORMATS.md §13 / §12.17: {}",
            hex::encode(b)
        );
    }
}

#[test]
fn documentation_examples_fail_as_stated() {
    // FORMATS.md §10, spec A.1 / README `rm`: no checksum matches.
    let rm = unhex("544350020002d67f249b0000022f138801f40032000296f8");
    assert_eq!(
        Dialect::detect(&rm),
        Detection::None,
        "FORMATS.md §10 rm example: no checksum matches"
    );
    for d in [
        Dialect::V2Spec,
        Dialect::V2Mcp,
        Dialect::V2Kb,
        Dialect::V2Ingest,
    ] {
        assert!(
            matches!(
                d.decode(&rm, Mode::Lenient),
                Err(Error::ChecksumMismatch { stored: 0x96f8, .. })
            ),
            "FORMATS.md §10 rm as {d}"
        );
    }
    let spec = v2_spec::Descriptor::new_checked(&rm[..]).unwrap();
    assert_eq!(
        spec.compute_checksum(),
        0xfd61,
        "FORMATS.md §10: crc32-low16 would be 0xfd61"
    );
    assert_eq!(
        v2_kb::Descriptor::new_checked(&rm[..])
            .unwrap()
            .compute_checksum(),
        0x04f4,
        "FORMATS.md §10: sum16 would be 0x04f4"
    );
    assert_eq!(
        v2_mcp::Descriptor::new_checked(&rm[..])
            .unwrap()
            .compute_checksum(),
        0xfd61
    );
    // With the checksum full_path_tcp_analyzer.py writes, a spec reader gets
    // HIGH_RISK + FILE_MODIFICATION, bit 5 reserved, bits 4 and 7 unset.
    let mut fixed = rm.clone();
    v2_spec::Descriptor::new_unchecked(&mut fixed[..]).fill_checksum();
    assert_eq!(hex::encode(&fixed[20..]), "0002fd61", "FORMATS.md §10");
    assert_eq!(
        Dialect::V2Spec.decode(&fixed, Mode::Strict),
        Err(Error::ReservedBitsSet { bits: 0x20 })
    );
    let d = Dialect::V2Spec.decode(&fixed, Mode::Lenient).unwrap();
    assert_eq!(
        d.risk,
        Some(RiskLevel::High),
        "FORMATS.md §10: not CRITICAL"
    );
    assert_eq!(
        d.flag_names(),
        vec!["FILE_MODIFICATION"],
        "FORMATS.md §10: no DESTRUCTIVE"
    );
    assert_eq!(
        d.lenient,
        vec![
            Leniency::ReservedBitsSet { bits: 0x20 },
            Leniency::MultipleRiskBits { bits: 0x0f }
        ]
    );
    assert_eq!(d.memory_mb, Some(500), "FORMATS.md §10: 500 MB, not ~1 GB");

    // README `cat`: quick24, not v1-core20; nothing verifies.
    let cat = unhex("544350010001000063030000000100640032000a000096f8");
    assert_eq!(
        Dialect::detect(&cat),
        Detection::None,
        "FORMATS.md §10 cat example"
    );
    assert_eq!(
        Dialect::V1Core20.decode(&cat, Mode::Lenient),
        Err(Error::WrongLength {
            expected: 20,
            found: 24
        })
    );

    // Spec A.2 git parent: valid and identical to the research data.
    let git = unhex("54435003ba9f11ec000ea40000019745");
    let p = Dialect::V3Parent16.decode(&git, Mode::Strict).unwrap();
    p.verify_name("git").unwrap();
    let fams = comprehensive();
    let git_fam = fams.iter().find(|f| f.name == "git").unwrap();
    assert_eq!(
        git_fam.parent.as_deref(),
        Some("54435003ba9f11ec000ea40000019745"),
        "FORMATS.md §10"
    );
    // README "git reset --hard" delta is the research JSON's `git reset`.
    let readme_delta = "47030600550509";
    let owner: Vec<&str> = git_fam
        .deltas
        .iter()
        .filter(|(_, h)| h == readme_delta)
        .map(|(c, _)| c.as_str())
        .collect();
    assert_eq!(owner, vec!["git reset"], "FORMATS.md §10 README delta");
    let delta =
        v3::DeltaRepr::parse(&v3::DeltaDescriptor::new_checked(&unhex(readme_delta)[..]).unwrap())
            .unwrap();
    assert!(
        delta.verify_name("git reset --hard").is_err(),
        "FORMATS.md §10: 12/16 would be the lengths"
    );
}

#[test]
fn hint_prefers_v2_mcp_for_mcp_records() {
    // FORMATS.md §12.5: a v2-mcp record verifies as v2-spec too; the hint
    // (exec u32 below 65536 reads as a zero v2-spec exec) points at v2-mcp.
    let repr = v2_mcp::Repr {
        command_hash: command_hash("rm"),
        flags: (1 << 4) | (1 << 7),
        exec_ms: 5000,
        memory_mb: 100,
        output_kb: 10,
    };
    let bytes = repr.to_bytes();
    let Detection::Ambiguous { candidates, hint } = Dialect::detect(&bytes) else {
        panic!("v2-mcp bytes must be ambiguous");
    };
    assert!(candidates.contains(&Dialect::V2Spec) && candidates.contains(&Dialect::V2Mcp));
    assert_eq!(hint.preferred(), Some(Dialect::V2Mcp), "{hint:?}");
    let _: &Hint = &hint;
}
