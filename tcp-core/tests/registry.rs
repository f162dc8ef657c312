//! Registries on the prototype's real containers and libtcp's own format.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use tcp_core::hash::command_hash;
use tcp_core::registry::{RegistryFormat, tcpdb};
use tcp_core::{Error, Registry, RegistryBuilder};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// name -> descriptor hex, from the prototype's export (tcp_export.json).
fn export() -> BTreeMap<String, String> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data("tcp_export.json")).unwrap()).unwrap();
    v["commands"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, e)| (k.clone(), e["binary_hex"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn tcp_complete_db_loads_and_equals_the_export() {
    // FORMATS.md §9: 84 928 bytes, 1567 entries, index 29 917 bytes at 55 011, time 1752120397.
    let bytes = std::fs::read(data("tcp_complete.db")).unwrap();
    assert_eq!(bytes.len(), 84_928);
    let container = tcpdb::parse(&bytes).unwrap();
    assert_eq!(container.version, 2);
    assert_eq!(container.generated_unix, Some(1_752_120_397));
    assert_eq!(container.entries.len(), 1567);
    let reg = Registry::open(data("tcp_complete.db")).unwrap();
    assert_eq!(reg.format(), RegistryFormat::TcpdbV2);
    let export = export();
    assert_eq!(reg.len(), export.len());
    for (name, hex) in &export {
        let e = reg
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing from tcp_complete.db"));
        assert_eq!(
            hex::encode(e.descriptor),
            *hex,
            "{name}: tcp_complete.db vs tcp_export.json"
        );
        assert_eq!(
            reg.get_by_hash(command_hash(name)).unwrap().name,
            name.as_str()
        );
    }
    // Writing TCPDB v2 back reproduces the prototype's file byte for byte.
    let entries: Vec<(&str, [u8; 24])> = container
        .entries
        .iter()
        .map(|e| (e.name, e.descriptor.try_into().unwrap()))
        .collect();
    assert_eq!(tcpdb::emit_v2(1_752_120_397, &entries), bytes);
}

#[test]
fn tcp_binary_database_bin_is_tcpdb_v1() {
    // FORMATS.md §9: 385 bytes, 10 entries (aa-enabled … addgroup), aa-remove-unknown 0x1d02.
    let reg = Registry::open(data("tcp_binary_database.bin")).unwrap();
    assert_eq!(reg.format(), RegistryFormat::TcpdbV1);
    assert_eq!(reg.len(), 10);
    let first = reg.iter().next().unwrap();
    assert_eq!(first.name, "aa-enabled");
    let e = reg.get("aa-remove-unknown").unwrap();
    assert_eq!(&e.descriptor[10..14], &[0, 0, 0x1d, 0x02]);
}

#[test]
fn every_corruption_of_tcpdb_is_a_typed_error() {
    let bytes = std::fs::read(data("tcp_complete.db")).unwrap();
    // Truncation anywhere: never a panic, always an error.
    for cut in [0, 5, 9, 21, 22, 100, 55_010, 55_011, 84_927] {
        let err = Registry::from_bytes(bytes[..cut].to_vec()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Truncated { .. }
                    | Error::BadIndex { .. }
                    | Error::BadMagic { .. }
                    | Error::ChecksumMismatch { .. }
            ),
            "cut at {cut}: {err}"
        );
    }
    // An index offset pointing elsewhere.
    let mut t = bytes.clone();
    let last = t.len() - 1;
    t[last] ^= 1;
    assert!(matches!(
        Registry::from_bytes(t),
        Err(Error::BadIndex { .. })
    ));
    // A flipped descriptor byte breaks its byte sum.
    let mut t = bytes.clone();
    t[22 + 2 + 1 + 12] ^= 1; // first entry "!" : flags byte
    assert!(matches!(
        Registry::from_bytes(t),
        Err(Error::ChecksumMismatch { .. })
    ));
}

#[test]
fn export_json_builds_a_tcpr_registry_that_round_trips() {
    let mut text = std::fs::read(data("tcp_export.json")).unwrap();
    let from_export = Registry::from_json(&mut text).unwrap();
    assert_eq!(from_export.len(), 1567);
    let tcpr = from_export.to_tcpr().unwrap();
    let reopened = Registry::from_bytes(tcpr.clone()).unwrap();
    assert_eq!(reopened.format(), RegistryFormat::Tcpr);
    let db = Registry::open(data("tcp_complete.db")).unwrap();
    for e in db.iter() {
        assert_eq!(
            reopened.get(e.name).unwrap().descriptor,
            e.descriptor,
            "{}",
            e.name
        );
    }
    // JSON out and back in gives the same registry.
    let mut json = serde_json::to_vec(&reopened.to_json()).unwrap();
    let again = Registry::from_json(&mut json).unwrap();
    assert_eq!(again.to_json(), reopened.to_json());
    // Every single-byte corruption of the TCPR file is rejected (digest).
    for at in (0..tcpr.len()).step_by(997) {
        let mut t = tcpr.clone();
        t[at] ^= 0x40;
        assert!(
            Registry::from_bytes(t).is_err(),
            "byte {at} flipped was accepted"
        );
    }
}

#[test]
fn bad_json_is_a_typed_error() {
    for text in [&b"{"[..], b"{}", b"[]", b"{\"format\":\"libtcp-registry\",\"version\":2,\"entries\":[]}",
        b"{\"format\":\"libtcp-registry\",\"version\":1,\"entries\":[{\"name\":\"x\",\"risk\":\"BAD\"}]}"] {
        let mut t = text.to_vec();
        assert!(matches!(Registry::from_json(&mut t), Err(Error::BadInput { .. } | Error::UnknownDialect { .. })), "{}", String::from_utf8_lossy(text));
    }
    assert!(RegistryBuilder::new().build().unwrap().is_empty());
}

#[test]
fn open_errors_name_the_path_in_the_readers_terms() {
    let dir = std::env::temp_dir();
    let e = Registry::open(&dir).unwrap_err().to_string();
    assert!(
        e.contains(&dir.display().to_string()) && e.contains("is a directory"),
        "{e}"
    );

    let sandbox = data("sandbox_tool_registry.json");
    let e = Registry::open(&sandbox).unwrap_err();
    assert_eq!(e.code(), tcp_core::ErrorCode::BadInput);
    let e = e.to_string();
    assert!(e.contains("sandbox_tool_registry.json"), "{e}");
    assert!(e.contains("\"tools\"") && e.contains("\"commands\""), "{e}");
    assert!(!e.contains("Serde") && !e.contains("character"), "{e}");

    let e = Registry::from_json(&mut b"{\"commands\": {\"ls\": {}}}".to_vec())
        .unwrap_err()
        .to_string();
    assert!(e.contains("binary_hex") && e.contains("line 1"), "{e}");
    let e = Registry::from_json(&mut b"[1, 2".to_vec())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not valid JSON"), "{e}");
}

#[test]
fn a_json_registry_reports_json() {
    let reg = Registry::open(data("tcp_export.json")).unwrap();
    assert_eq!(reg.format(), RegistryFormat::Json);
    assert_eq!(reg.format().as_str(), "json");
    assert_eq!(
        Registry::from_bytes(reg.as_bytes().to_vec())
            .unwrap()
            .format(),
        RegistryFormat::Tcpr
    );
}
