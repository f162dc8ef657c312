//! The XRT backend and its HLS kernel.
//!
//! - C simulation: `kernels/xrt/tcp_validate.cpp` and its testbench, compiled
//!   with g++ (HLS pragmas ignored), against tcp-core's scalar reference on
//!   the knowledge-base corpus, corrupted variants, C24 records and the
//!   harness's generated batches.
//! - Host path: the backend, unchanged, driving the same kernel source
//!   through `tests/support/xrt_standin.cpp`, a stand-in library with XRT's C
//!   API (not XRT, not an FPGA), through the conformance harness.
//! - Real XRT (Debian's `libxrt1`, installed by `scripts/install-accel-deps.sh`):
//!   with no FPGA, discovery finds none and the backend says so in XRT's
//!   words; without `XILINX_XRT` it refuses to call XRT and says why; under
//!   `XCL_EMULATION_MODE=sw_emu` the emulated device opens and is labelled
//!   emulation. Software emulation is then tried for real with an xclbin
//!   assembled around the g++-compiled kernel: XRT needs Vitis's device model
//!   and exits the process without it (recorded in XRT's words), and the
//!   backend refuses before that. Each case runs in a child process, since
//!   XRT's configuration is process-wide (and XRT may exit the process).
//!
//! Without g++ or XRT the corresponding tests print why and pass; set
//! `TCP_REQUIRE_XRT=1` to make a missing XRT a failure.
#![cfg(feature = "xrt")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

#[path = "support/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use tcp_core::{Capabilities, Dialect, Policy, RiskLevel};
use tcp_hw::testing::{Mix, check_backend, check_batch, policies, records};
use tcp_hw::xrt::{XrtBackend, XrtConfig, kernel_dialect_code, kernel_table, pack_slots};
use tcp_hw::{Availability, Backend, BackendKind};

const CHILD_ENV: &str = "TCP_HW_XRT_CHILD";
const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

fn is_child() -> bool {
    std::env::var(CHILD_ENV).is_ok()
}

fn work_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tcp-hw-xrt");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn gxx() -> Option<String> {
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "g++".to_owned());
    match Command::new(&cxx).arg("--version").output() {
        Ok(o) if o.status.success() => Some(cxx),
        _ => {
            eprintln!("no C++ compiler ({cxx}): the kernel's C simulation is not run here");
            None
        }
    }
}

/// Compiles `sources` (relative to the crate) into `out` with the kernel's flags.
fn compile(cxx: &str, sources: &[&str], extra: &[&str], out: &Path) {
    let mut cmd = Command::new(cxx);
    cmd.args([
        "-std=c++17",
        "-O2",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-Wno-unknown-pragmas",
        "-Wno-unused-label",
        "-pthread",
    ])
    .args(extra)
    .args(sources.iter().map(|s| Path::new(MANIFEST).join(s)))
    .arg("-o")
    .arg(out);
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn testbench() -> Option<&'static PathBuf> {
    static TB: OnceLock<Option<PathBuf>> = OnceLock::new();
    TB.get_or_init(|| {
        let cxx = gxx()?;
        let out = work_dir().join("tb_tcp_validate");
        compile(
            &cxx,
            &[
                "kernels/xrt/tcp_validate.cpp",
                "kernels/xrt/tb_tcp_validate.cpp",
            ],
            &[],
            &out,
        );
        Some(out)
    })
    .as_ref()
}

fn standin() -> Option<&'static PathBuf> {
    static LIB: OnceLock<Option<PathBuf>> = OnceLock::new();
    LIB.get_or_init(|| {
        let cxx = gxx()?;
        let out = work_dir().join("libxrt_standin.so");
        compile(
            &cxx,
            &[
                "tests/support/xrt_standin.cpp",
                "kernels/xrt/tcp_validate.cpp",
            ],
            &["-shared", "-fPIC"],
            &out,
        );
        Some(out)
    })
    .as_ref()
}

/// Runs the C-simulation testbench on one batch; panics on any disagreement.
fn csim(tb: &Path, dialect: Dialect, input: &[u8], policy: &Policy, case: &str) {
    let n = input.len() / 24;
    let mut expected = vec![0u8; n];
    tcp_core::batch::validate_batch(dialect, input, policy, &mut expected).unwrap();
    let mut slots = vec![0xEEu8; n * 32];
    pack_slots(input, &mut slots);
    let dir = work_dir().join(format!("csim-{}", case.replace([' ', '#', '/', '='], "_")));
    std::fs::create_dir_all(&dir).unwrap();
    let (s, t, e) = (
        dir.join("slots.bin"),
        dir.join("table.bin"),
        dir.join("expected.bin"),
    );
    std::fs::write(&s, &slots).unwrap();
    std::fs::write(&t, kernel_table(dialect, policy).unwrap()).unwrap();
    std::fs::write(&e, &expected).unwrap();
    let code = kernel_dialect_code(dialect).unwrap().to_string();
    let o = Command::new(tb)
        .args([&s, &t, &e])
        .arg(&code)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{case}: C simulation disagrees with the reference:\n{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains(&format!("{n} records")), "{case}: {text}");
}

#[test]
fn kernel_csim_matches_reference_on_corpus() {
    if is_child() {
        return;
    }
    let Some(tb) = testbench() else { return };
    let kb = corpus::kb_records();
    let corrupted = corpus::kb_with_corruptions(&kb);
    let c24 = corpus::c24_records();
    let custom = Policy::default()
        .with_max_approved(RiskLevel::Medium)
        .with_require_approval(Capabilities::FILE_MODIFICATION)
        .with_deny(Capabilities::NETWORK_ACCESS | Capabilities::PROCESS_CONTROL);
    for (p, policy) in policies().iter().chain([&custom]).enumerate() {
        csim(tb, Dialect::V2Kb, &kb, policy, &format!("kb policy {p}"));
        csim(
            tb,
            Dialect::V2Kb,
            &corrupted,
            policy,
            &format!("kb corrupted policy {p}"),
        );
        csim(
            tb,
            Dialect::Canonical,
            &c24,
            policy,
            &format!("c24 policy {p}"),
        );
    }
    for (i, mix) in [Mix::Valid, Mix::Corrupted, Mix::Random]
        .into_iter()
        .enumerate()
    {
        for dialect in [Dialect::V2Kb, Dialect::Canonical] {
            let batch = records(dialect, 5000, mix, 40 + i as u64);
            csim(
                tb,
                dialect,
                &batch,
                &policies()[i],
                &format!("{dialect} {mix:?}"),
            );
        }
    }
    // Zero records: the kernel must cope.
    csim(tb, Dialect::V2Kb, &[], &Policy::default(), "empty");
}

/// A file with the axlf magic naming the kernel: what the stand-in accepts.
fn standin_xclbin() -> PathBuf {
    let p = work_dir().join("standin.xclbin");
    let mut bytes = b"xclbin2\0".to_vec();
    bytes.resize(64, 0);
    bytes.extend_from_slice(b"tcp_validate\0");
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn host_path_through_the_standin_library() {
    if is_child() {
        return;
    }
    let Some(lib) = standin() else { return };
    let config = XrtConfig {
        library: Some(lib.clone()),
        xclbin: Some(standin_xclbin()),
        device_index: 0,
        chunk_records: 1000,
        log: None,
    };
    let b = XrtBackend::with_config(&config);
    assert_eq!(b.availability(), Availability::Available, "{b:?}");
    assert_eq!(b.kind(), BackendKind::Fpga);
    assert_eq!(b.devices_found(), Some(1));
    let label = b.device();
    eprintln!("xrt device: {label}");
    assert!(
        label.contains("stand-in") && label.contains("not an FPGA"),
        "{label}"
    );

    let report = check_backend(&b).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.dialects, vec![Dialect::Canonical, Dialect::V2Kb]);
    // Several chunks per call (ping-pong between the two buffer sets), growth and reuse.
    let kb = corpus::kb_with_corruptions(&corpus::kb_records());
    for policy in policies() {
        check_batch(&b, Dialect::V2Kb, &kb, &policy, "kb corrupted")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    for n in [2500, 999, 1000, 1001] {
        let batch = records(Dialect::Canonical, n, Mix::Corrupted, n as u64);
        check_batch(
            &b,
            Dialect::Canonical,
            &batch,
            &Policy::default(),
            &format!("n={n}"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn standin_refusals_are_reported() {
    if is_child() {
        return;
    }
    let Some(lib) = standin() else { return };
    let base = XrtConfig {
        library: Some(lib.clone()),
        xclbin: None,
        device_index: 0,
        chunk_records: 1000,
        log: None,
    };
    let reason = |c: &XrtConfig| match XrtBackend::with_config(c).availability() {
        Availability::Unavailable { reason } => reason,
        Availability::Available => panic!("available: {c:?}"),
    };
    let r = reason(&base);
    assert!(r.contains("no xclbin given"), "{r}");
    let not_xclbin = work_dir().join("not.xclbin");
    std::fs::write(&not_xclbin, b"not an xclbin").unwrap();
    let r = reason(&XrtConfig {
        xclbin: Some(not_xclbin),
        ..base.clone()
    });
    assert!(
        r.contains("xrtDeviceLoadXclbinFile") && r.contains("= -22"),
        "{r}"
    );
    let r = reason(&XrtConfig {
        device_index: 3,
        xclbin: Some(standin_xclbin()),
        ..base.clone()
    });
    assert!(r.contains("found 1 device(s); none has index 3"), "{r}");
    let r = reason(&XrtConfig {
        library: Some(work_dir().join("no-such-lib.so")),
        ..base
    });
    assert!(r.starts_with("XRT library not loadable"), "{r}");
    // Unsupported dialects are refused before anything runs.
    let b = XrtBackend::with_config(&XrtConfig {
        xclbin: Some(standin_xclbin()),
        library: Some(lib.clone()),
        ..XrtConfig::default()
    });
    let mut out = [0u8; 1];
    let err = b
        .validate(Dialect::V2Spec, &[0u8; 24], &Policy::default(), &mut out)
        .unwrap_err();
    assert_eq!(err.code(), tcp_core::ErrorCode::UnknownDialect);
}

/// The directory holding Debian's (or any) libxrt_coreutil.so.2, if installed.
fn xrt_libdir() -> Option<PathBuf> {
    [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib64",
        "/usr/lib",
        "/opt/xilinx/xrt/lib",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|d| d.join("libxrt_coreutil.so.2").is_file())
}

/// XRT's expected layout, `$XILINX_XRT/lib/libxrt_core.so.2`, over the real
/// libraries in `libdir`; made once per test process.
fn xrt_root(libdir: &Path) -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = work_dir().join("xrt-root");
        std::fs::create_dir_all(&root).unwrap();
        let lib = root.join("lib");
        if std::fs::read_link(&lib).ok().as_deref() != Some(libdir) {
            let _ = std::fs::remove_file(&lib);
            std::os::unix::fs::symlink(libdir, &lib).unwrap();
        }
        root
    })
}

/// Runs `child_real_xrt` in a fresh process with `case` and `env`; returns its report line.
fn run_child(case: &str, env: &[(&str, Option<&Path>)]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "child_real_xrt",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, case)
    .env("TCP_XRT_LOG", work_dir().join(format!("xrt-{case}.log")))
    .env_remove("XILINX_XRT")
    .env_remove("XCL_EMULATION_MODE")
    .env_remove("TCP_XRT_LIBRARY")
    .env_remove("TCP_XRT_XCLBIN")
    .current_dir(work_dir());
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let o = cmd.output().unwrap();
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "child {case} failed:\n{text}");
    let line = text
        .lines()
        .find_map(|l| l.split_once("CHILD-RESULT: ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("child {case} printed no result:\n{text}"))
        .to_owned();
    eprintln!("[{case}] {line}");
    line
}

#[test]
fn real_xrt_without_an_fpga() {
    if is_child() {
        return;
    }
    let Some(libdir) = xrt_libdir() else {
        let line = run_child("absent", &[]);
        assert!(line.contains("XRT library not loadable"), "{line}");
        assert!(
            std::env::var("TCP_REQUIRE_XRT").as_deref() != Ok("1"),
            "TCP_REQUIRE_XRT=1 but libxrt_coreutil.so.2 is not installed"
        );
        return;
    };
    let root = xrt_root(&libdir);

    // No XILINX_XRT: XRT 2.13 would abort the process; the backend says so and does not call it.
    let line = run_child("unset", &[]);
    assert!(
        line.contains("available=false") && line.contains("XILINX_XRT not set"),
        "{line}"
    );

    // The real runtime, no FPGA: discovery finds none, in XRT's words.
    let line = run_child("hw", &[("XILINX_XRT", Some(root))]);
    assert!(
        line.contains("available=false") && line.contains("devices=Some(0)"),
        "{line}"
    );
    assert!(line.contains("XRT found no device"), "{line}");
    assert!(
        line.contains("Could not open device with index '0'"),
        "XRT's own message missing: {line}"
    );

    // XRT's software emulation: the emulated device opens (XRT's default
    // emulation platform without an emconfig.json) and is labelled emulation;
    // there is no xclbin to load (see the xrt module docs for why).
    if libdir.join("libxrt_swemu.so.2").is_file() {
        let line = run_child(
            "sw_emu",
            &[
                ("XILINX_XRT", Some(root)),
                ("XCL_EMULATION_MODE", Some(Path::new("sw_emu"))),
            ],
        );
        assert!(line.contains("available=false"), "{line}");
        assert!(line.contains("no xclbin given"), "{line}");
        assert!(!line.contains("devices=Some(0)"), "{line}");
    }
}

/// Runs `cmd`, killing it after `secs`; returns (exit code, stdout + stderr).
fn run_with_timeout(mut cmd: Command, secs: u64) -> (Option<i32>, String) {
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed().as_secs() > secs {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code(), text)
}

/// XRT's software emulation, tried for real: an xclbin assembled by hand
/// (XRT's own axlf header) around the kernel compiled by g++, loaded by the
/// real runtime under `XCL_EMULATION_MODE=sw_emu`. XRT forks Vitis's device
/// model, which is not installed, and exits the host process: this records
/// XRT's own words for it, and checks that the backend, given the same
/// xclbin, refuses before XRT can take the process down.
#[test]
fn real_xrt_sw_emu_needs_the_vitis_device_model() {
    if is_child() {
        return;
    }
    let Some(libdir) = xrt_libdir() else {
        eprintln!("XRT not installed: sw_emu not tried");
        return;
    };
    if !libdir.join("libxrt_swemu.so.2").is_file()
        || !Path::new("/usr/include/xrt/xclbin.h").is_file()
    {
        eprintln!("libxrt_swemu or libxrt-dev headers missing: sw_emu not tried");
        return;
    }
    let Some(cxx) = gxx() else { return };
    let dir = work_dir().join("sw_emu");
    std::fs::create_dir_all(&dir).unwrap();
    let kernel = dir.join("tcp_validate.so");
    compile(
        &cxx,
        &["kernels/xrt/tcp_validate.cpp"],
        &["-shared", "-fPIC"],
        &kernel,
    );
    let probe = dir.join("xrt_swemu_probe");
    compile(
        &cxx,
        &["tests/support/xrt_swemu_probe.cpp"],
        &["-I/usr/include/xrt", "-ldl"],
        &probe,
    );
    let xclbin = dir.join("tcp_validate.sw_emu.xclbin");
    let made = Command::new(&probe)
        .arg("make")
        .args([&xclbin, &kernel])
        .status()
        .unwrap();
    assert!(made.success());
    let root = xrt_root(&libdir);

    let mut cmd = Command::new(&probe);
    cmd.arg("load")
        .arg(&xclbin)
        .current_dir(&dir)
        .env("XCL_EMULATION_MODE", "sw_emu")
        .env("XILINX_XRT", root)
        .env("USER", "libtcp-test");
    for v in [
        "XILINX_VITIS",
        "XILINX_SCOUT",
        "XILINX_SDX",
        "XILINX_OPENCL",
    ] {
        cmd.env_remove(v);
    }
    // XRT normally exits within 0.1 s here. Twice (in a full `cargo test`
    // right after a rebuild, not reproduced since) it hung after printing its
    // errors until the timeout killed it; what it printed before is what this
    // checks, so a shorter wait loses nothing.
    let (code, text) = run_with_timeout(cmd, 20);
    eprintln!("XRT sw_emu, exit {code:?}:\n{text}");
    assert!(text.contains("xrtDeviceOpen(0) = device"), "{text}");
    assert_ne!(code, Some(0), "{text}");
    assert!(
        !text.contains("xrtDeviceLoadXclbinFile = 0"),
        "sw_emu loaded without Vitis? {text}"
    );
    assert!(
        text.contains("[SW-EM 10]") || text.contains("[SW-EM 11]"),
        "{text}"
    );

    // The backend with the same xclbin: refuses, says why, process intact.
    let line = run_child(
        "sw_emu_xclbin",
        &[
            ("XILINX_XRT", Some(root)),
            ("XCL_EMULATION_MODE", Some(Path::new("sw_emu"))),
            ("TCP_XRT_XCLBIN", Some(&xclbin)),
            ("USER", Some(Path::new("libtcp-test"))),
            ("XILINX_VITIS", None),
            ("XILINX_SCOUT", None),
            ("XILINX_SDX", None),
            ("XILINX_OPENCL", None),
        ],
    );
    assert!(
        line.contains("available=false") && line.contains("Vitis's device model"),
        "{line}"
    );
}

#[test]
fn child_real_xrt() {
    let Ok(case) = std::env::var(CHILD_ENV) else {
        return;
    };
    let b = XrtBackend::new();
    let (available, reason) = match b.availability() {
        Availability::Available => (true, String::new()),
        Availability::Unavailable { reason } => (false, reason),
    };
    assert!(available || !reason.trim().is_empty());
    if available {
        // Only a real FPGA with the kernel's xclbin gets here: it must agree too.
        check_backend(&b).unwrap_or_else(|e| panic!("{e}"));
    }
    println!(
        "CHILD-RESULT: case={case} available={available} devices={:?} device={:?} reason={reason}",
        b.devices_found(),
        b.device()
    );
}
