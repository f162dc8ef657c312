//! Registry files updated while readers have them open (issue 20): writers
//! replace, never rewrite; readers never crash and see a whole registry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tcp_core::hash::command_hash;
use tcp_core::registry::{RegistryFormat, write_file_atomic};
use tcp_core::wire::canonical;
use tcp_core::{Capabilities, Registry, RegistryBuilder, RiskLevel};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tcp-update-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The prototype's knowledge base (1 567 entries) as TCPR bytes.
fn big() -> Vec<u8> {
    Registry::open(data("tcp_complete.db"))
        .unwrap()
        .to_tcpr()
        .unwrap()
}

/// A probe name in the big registry and a 3-entry registry that gives it
/// another risk, so every answer says which registry it came from.
fn small(probe: &str, big_risk: Option<RiskLevel>) -> Vec<u8> {
    let risk = if big_risk == Some(RiskLevel::Critical) {
        RiskLevel::Safe
    } else {
        RiskLevel::Critical
    };
    let mut b = RegistryBuilder::new();
    for name in [probe, "small-only-a", "small-only-b"] {
        let repr = canonical::Repr {
            risk,
            capabilities: Capabilities::EMPTY,
            command_hash: command_hash(name),
            exec_ms: 1,
            memory_mb: 1,
            output_kb: 1,
        };
        b.add(name, repr, "small").unwrap();
    }
    b.to_bytes().unwrap()
}

/// (entries, risk of the probe) of a registry: identifies which one it is.
fn signature(r: &Registry, probe: &str) -> (usize, Option<RiskLevel>) {
    (r.len(), r.get(probe).and_then(|e| e.risk))
}

struct Pair {
    probe: String,
    big: Vec<u8>,
    small: Vec<u8>,
    big_sig: (usize, Option<RiskLevel>),
    small_sig: (usize, Option<RiskLevel>),
}

fn pair() -> Pair {
    let big = big();
    let r = Registry::from_bytes(big.clone()).unwrap();
    let probe = r.iter().next().unwrap().name.to_owned();
    let big_sig = signature(&r, &probe);
    let small = small(&probe, big_sig.1);
    let small_sig = signature(&Registry::from_bytes(small.clone()).unwrap(), &probe);
    assert_ne!(big_sig, small_sig);
    assert_eq!(big_sig.0, 1567);
    Pair {
        probe,
        big,
        small,
        big_sig,
        small_sig,
    }
}

/// Looks every entry of `r` up again, as a long-running reader would.
fn look_everything_up(r: &Registry) -> usize {
    let names: Vec<String> = r.iter().map(|e| e.name.to_owned()).collect();
    names.iter().filter(|n| r.get(n).is_some()).count()
}

#[test]
fn small_file_is_read_so_in_place_rewrites_cannot_reach_it() {
    let p = pair();
    let d = scratch("rewrite");
    let path = d.join("kb.tcpr");
    std::fs::write(&path, &p.big).unwrap();
    let r = Registry::open(&path).unwrap();
    assert!(!r.is_mapped());
    // Rewrite in place with fewer entries (what `tcp registry build` did
    // before): truncate, write, truncate to zero, write garbage.
    std::fs::write(&path, &p.small).unwrap();
    assert_eq!(signature(&r, &p.probe), p.big_sig);
    std::fs::File::create(&path).unwrap();
    assert_eq!(look_everything_up(&r), 1567);
    std::fs::write(&path, b"TCPR garbage").unwrap();
    assert_eq!(look_everything_up(&r), 1567);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(signature(&r, &p.probe), p.big_sig);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn mapped_file_survives_rename_replacement() {
    let p = pair();
    let d = scratch("mapped");
    let path = d.join("kb.tcpr");
    write_file_atomic(&path, &p.big).unwrap();
    let r = Registry::open_mapped(&path).unwrap();
    assert!(r.is_mapped());
    for i in 0..20 {
        let bytes = if i % 2 == 0 { &p.small } else { &p.big };
        write_file_atomic(&path, bytes).unwrap();
        assert_eq!(look_everything_up(&r), 1567);
        assert_eq!(signature(&r, &p.probe), p.big_sig);
    }
    // The newest file is whole and is the last one written.
    let now = Registry::open(&path).unwrap();
    assert_eq!(signature(&now, &p.probe), p.big_sig);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn builder_and_tcpdb_writers_replace_atomically() {
    let d = scratch("writers");
    let path = d.join("r.tcpr");
    std::fs::write(&path, big()).unwrap();
    let held = Registry::open_mapped(&path).unwrap();
    let mut b = RegistryBuilder::new();
    let repr = canonical::Repr {
        risk: RiskLevel::Low,
        capabilities: Capabilities::EMPTY,
        command_hash: command_hash("x"),
        exec_ms: 1,
        memory_mb: 1,
        output_kb: 1,
    };
    b.add("x", repr, "").unwrap();
    b.write(&path).unwrap();
    assert_eq!(held.len(), 1567, "the mapped old file is intact");
    assert_eq!(Registry::open(&path).unwrap().len(), 1);
    held.write_tcpr(&path).unwrap();
    assert_eq!(Registry::open(&path).unwrap().len(), 1567);

    let db = d.join("r.db");
    let kb = tcp_core::wire::v2_kb::Repr {
        command_hash: command_hash("zz"),
        flags: 0x0101,
        exec_ms: 100,
        memory_mb: 10,
        output_kb: 1,
    }
    .to_bytes();
    tcp_core::registry::tcpdb::write_v2(&db, 7, &[("zz", kb)]).unwrap();
    let r = Registry::open(&db).unwrap();
    assert_eq!(r.format(), RegistryFormat::TcpdbV2);
    assert_eq!(r.len(), 1);
    std::fs::remove_dir_all(&d).unwrap();
}

/// Run as a child by `writer_killed_at_random_points`: rewrites the registry
/// at `TCP_UPDATE_WRITER` forever, alternating the contents of the files
/// `TCP_UPDATE_A` and `TCP_UPDATE_B`, and prints a line per write.
#[test]
#[ignore = "a helper process, started by writer_killed_at_random_points"]
fn writer_child() {
    let (Some(path), Some(a), Some(b)) = (
        std::env::var_os("TCP_UPDATE_WRITER"),
        std::env::var_os("TCP_UPDATE_A"),
        std::env::var_os("TCP_UPDATE_B"),
    ) else {
        return;
    };
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    for i in 0u64.. {
        let bytes = if i % 2 == 0 { &a } else { &b };
        write_file_atomic(Path::new(&path), bytes).unwrap();
        println!("wrote {i}");
    }
}

/// A cheap pseudo-random sequence (xorshift), seeded from the clock.
struct Rng(u64);
impl Rng {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

#[test]
fn writer_killed_at_random_points_leaves_old_or_new() {
    let p = pair();
    let d = scratch("kill");
    let path = d.join("kb.tcpr");
    let sources = scratch("kill-sources");
    std::fs::write(sources.join("a"), &p.small).unwrap();
    std::fs::write(sources.join("b"), &p.big).unwrap();
    write_file_atomic(&path, &p.big).unwrap();
    let exe = std::env::current_exe().unwrap();
    let seed = Instant::now().elapsed().as_nanos() as u64 ^ u64::from(std::process::id());
    let mut rng = Rng(seed | 1);
    let (mut big_seen, mut small_seen, mut writes) = (0, 0, 0);
    let deadline = Instant::now() + Duration::from_secs(8);
    let mut rounds = 0;
    while rounds < 40 && Instant::now() < deadline {
        rounds += 1;
        let mut child = Command::new(&exe)
            .args(["--ignored", "--exact", "writer_child", "--nocapture"])
            .env("TCP_UPDATE_WRITER", &path)
            .env("TCP_UPDATE_A", sources.join("a"))
            .env("TCP_UPDATE_B", sources.join("b"))
            // Every other round, widen the window between fsync and rename.
            .env(
                "TCP_TEST_WRITER_PAUSE_US",
                if rounds % 2 == 0 { "0" } else { "300" },
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(5_000 + rng.next(60_000)));
        child.kill().unwrap(); // SIGKILL: no cleanup runs
        let out = child.wait_with_output().unwrap();
        writes += String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("wrote "))
            .count();
        let r = Registry::open(&path)
            .unwrap_or_else(|e| panic!("round {rounds} (seed {seed}): the file is not whole: {e}"));
        let sig = signature(&r, &p.probe);
        if sig == p.big_sig {
            big_seen += 1;
        } else if sig == p.small_sig {
            small_seen += 1;
        } else {
            panic!("round {rounds}: {sig:?} is neither registry");
        }
    }
    assert!(rounds >= 5, "only {rounds} rounds ran");
    assert!(writes > rounds, "the writer hardly ran: {writes} writes");
    assert!(
        small_seen > 0,
        "no kill happened after a write of the small registry"
    );
    // Stray temporary files are allowed (the writer was killed), nothing else.
    for e in std::fs::read_dir(&d).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name == "kb.tcpr" || name.starts_with(".kb.tcpr.tmp-"),
            "{name}"
        );
    }
    eprintln!(
        "{rounds} kills after {writes} writes: {big_seen} left the big registry, {small_seen} the small one"
    );
    std::fs::remove_dir_all(&d).unwrap();
    std::fs::remove_dir_all(&sources).unwrap();
}
