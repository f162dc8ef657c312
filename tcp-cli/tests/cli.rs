//! Runs the `tcp` binary: output and exit codes of validate, lookup and registry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn data(name: &str) -> String {
    format!(
        "{}/../tcp-core/tests/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn tcp(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcp"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const NF: &str = "544350020002227dc2510000240100000064000a00010331";
const KB_NO_RISK_BIT: &str = "5443500200028c43de7b0000040000000064000a00010386"; // "col1"

#[test]
fn validate_hex_auto_reports_every_field() {
    let input = format!("{NF}\n# a comment\n\n{}\n", &NF[..46]);
    let out = tcp(&["validate", "--format", "hex", "-"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1), "one record is invalid");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["index"], 0);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["error"], serde_json::Value::Null);
    assert_eq!(lines[0]["dialect"], "v2-kb");
    assert_eq!(lines[0]["risk"], "SAFE");
    assert_eq!(
        lines[0]["capabilities"],
        serde_json::json!(["REQUIRES_ROOT", "PROCESS_CONTROL"])
    );
    assert_eq!(lines[0]["decision"], "APPROVED");
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["error"], "unknown_dialect");
}

#[test]
fn validate_raw_with_a_dialect_and_lenient_mode() {
    let kb = hex(KB_NO_RISK_BIT);
    let out = tcp(&["validate", "--dialect", "v2-kb", "-"], &kb);
    let lines = json_lines(&out);
    assert_eq!(lines[0]["error"], "no_risk_bit");
    assert_eq!(out.status.code(), Some(1));
    let out = tcp(&["validate", "--dialect", "v2-kb", "--lenient", "-"], &kb);
    let lines = json_lines(&out);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines[0]["risk"], "UNKNOWN");
    assert_eq!(lines[0]["decision"], "REQUIRE_APPROVAL");
    assert_eq!(lines[0]["lenient"].as_array().unwrap().len(), 1);
}

#[test]
fn validate_the_whole_knowledge_base_dump() {
    // tcp_complete.db's entries, descriptors only, back to back: 1552 strict-valid, 15 without a risk bit.
    let db = std::fs::read(data("tcp_complete.db")).unwrap();
    let c = tcp_core::registry::tcpdb::parse(&db).unwrap();
    let raw: Vec<u8> = c
        .entries
        .iter()
        .flat_map(|e| e.descriptor.to_vec())
        .collect();
    let out = tcp(&["validate", "--dialect", "v2-kb", "-"], &raw);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1567);
    let invalid: Vec<_> = lines.iter().filter(|l| l["valid"] == false).collect();
    assert_eq!(invalid.len(), 15);
    assert!(invalid.iter().all(|l| l["error"] == "no_risk_bit"));
}

#[test]
fn every_backend_agrees_with_the_reference_on_the_knowledge_base() {
    let db = std::fs::read(data("tcp_complete.db")).unwrap();
    let c = tcp_core::registry::tcpdb::parse(&db).unwrap();
    let mut raw: Vec<u8> = c
        .entries
        .iter()
        .flat_map(|e| e.descriptor.to_vec())
        .collect();
    raw[30] ^= 1; // second record: checksum mismatch
    let reference = tcp(&["validate", "--dialect", "v2-kb", "-"], &raw);
    let strip = |v: &serde_json::Value| {
        let mut v = v.clone();
        for k in ["backend", "message", "dialect_flags", "lenient"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    let expected: Vec<_> = json_lines(&reference).iter().map(strip).collect();
    assert_eq!(expected[1]["error"], "checksum_mismatch");
    for backend in ["scalar", "simd", "parallel", "best"] {
        let out = tcp(
            &["validate", "--dialect", "v2-kb", "--backend", backend, "-"],
            &raw,
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{backend}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Vec<_> = json_lines(&out).iter().map(strip).collect();
        assert_eq!(got, expected, "{backend}");
    }
    let out = tcp(&["validate", "--backend", "simd", "-"], &raw);
    assert_eq!(
        out.status.code(),
        Some(2),
        "auto dialect with a backend is a usage error"
    );
}

#[test]
fn bad_input_is_a_message_and_exit_2() {
    for (args, stdin) in [
        (vec!["validate", "--dialect", "nope", "-"], &b""[..]),
        (vec!["validate", "--format", "hex", "-"], b"zz\n"),
        (vec!["validate", "--dialect", "v2-kb", "-"], &[0u8; 25][..]),
        (vec!["validate", "/nonexistent/file"], b""),
        (vec!["lookup", "--registry", "/nonexistent", "ls"], b""),
        (vec!["registry", "inspect", "/etc/hostname"], b""),
    ] {
        let out = tcp(&args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.starts_with("tcp: ") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn lookup_in_the_prototypes_database() {
    let db = data("tcp_complete.db");
    let out = tcp(&["lookup", "--registry", &db, "rm"], b"");
    assert_eq!(out.status.code(), Some(0));
    let v = &json_lines(&out)[0];
    assert_eq!(
        v["risk"], "MEDIUM_RISK",
        "the prototype's own label for rm (FORMATS.md §11)"
    );
    assert_eq!(v["decision"], "CAUTION_MODE");
    let out = tcp(&["lookup", "--registry", &db, "no-such-tool"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_lines(&out)[0]["decision"], "REQUIRE_APPROVAL");
}

#[test]
fn registry_build_and_inspect_round_trip() {
    let dir = std::env::temp_dir().join(format!("tcp-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("kb.tcpr");
    let out = tcp(
        &[
            "registry",
            "build",
            "--from",
            &data("tcp_export.json"),
            "--out",
            out_file.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tcp(&["registry", "inspect", out_file.to_str().unwrap()], b"");
    let v = &json_lines(&out)[0];
    assert_eq!(v["format"], "tcpr-v1");
    assert_eq!(v["entries"], 1567);
    assert_eq!(v["risk_distribution"]["CRITICAL"], 44);
    let out = tcp(
        &["lookup", "--registry", out_file.to_str().unwrap(), "dd"],
        b"",
    );
    assert_eq!(json_lines(&out)[0]["risk"], "MEDIUM_RISK");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `tcp registry build` over an existing registry replaces it (a new file,
/// renamed over): a reader holding the old one keeps it whole, the mode stays.
#[test]
fn registry_build_replaces_never_rewrites() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = std::env::temp_dir().join(format!("tcp-cli-replace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kb = dir.join("kb.tcpr");
    let build = |from: &str| {
        let out = tcp(
            &[
                "registry",
                "build",
                "--from",
                from,
                "--out",
                kb.to_str().unwrap(),
            ],
            b"",
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    build(&data("tcp_complete.db"));
    std::fs::set_permissions(&kb, std::fs::Permissions::from_mode(0o640)).unwrap();
    let old_bytes = std::fs::read(&kb).unwrap();
    let held = std::fs::File::open(&kb).unwrap();
    let old_inode = held.metadata().unwrap().ino();
    build(&data("tcp_binary_database.bin"));
    let new = std::fs::metadata(&kb).unwrap();
    assert_ne!(new.ino(), old_inode, "rebuilt in place");
    assert_eq!(new.permissions().mode() & 0o777, 0o640);
    let mut still = Vec::new();
    std::io::Read::read_to_end(&mut &held, &mut still).unwrap();
    assert_eq!(still, old_bytes, "the old file changed under its reader");
    assert_eq!(tcp_core::Registry::open(&kb).unwrap().len(), 10);
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(names.len(), 1, "a temporary file was left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Significant digits of a number as printed (`0.0310267` has 6).
fn significant(token: &str) -> usize {
    let mantissa = token.split('e').next().unwrap();
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').len()
}

#[test]
fn stats_prints_six_significant_digits_and_json_keeps_every_digit() {
    let dir = std::env::temp_dir().join(format!("tcp-cli-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
    let xs: Vec<f64> = (0..50)
        .map(|i| 20.0 + f64::from(i % 7) / 3.0 + f64::from(i) / 97.0)
        .collect();
    let text = |xs: &[f64]| xs.iter().map(|x| format!("{x}\n")).collect::<String>();
    std::fs::write(&a, text(&xs)).unwrap();
    let ys: Vec<f64> = xs.iter().map(|x| x * 1.01 + 0.1).collect();
    std::fs::write(&b, text(&ys)).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());

    let human = tcp(&["stats", a], b"");
    let human = String::from_utf8(human.stdout).unwrap();
    let mean_line = human
        .lines()
        .find(|l| l.trim_start().starts_with("mean "))
        .unwrap();
    let shown = mean_line.split_whitespace().nth(1).unwrap();
    assert!((4..=6).contains(&significant(shown)), "{mean_line:?}");

    let json = json_lines(&tcp(&["stats", "--json", a], b""));
    let mean = json[0]["summary"]["mean"].as_f64().unwrap();
    let naive = xs.iter().sum::<f64>() / xs.len() as f64;
    assert!((mean - naive).abs() < 1e-12 * naive, "{mean} vs {naive}");
    assert!(
        mean.to_string().len() > shown.len(),
        "JSON keeps full precision"
    );
    assert!((shown.parse::<f64>().unwrap() - mean).abs() < 1e-4 * mean);

    let compare = String::from_utf8(tcp(&["stats", "--compare", a, b], b"").stdout).unwrap();
    for token in compare.split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']') {
        if let Ok(x) = token.parse::<f64>() {
            assert!(
                significant(token) <= 6 || x.fract() == 0.0,
                "{token} in {compare}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
