//! The OpenCL backend against tcp-core's scalar reference, for real.
//!
//! Where an OpenCL platform is installed (CI runs
//! `scripts/install-accel-deps.sh`, which installs PoCL) the backend must be
//! available and agree byte for byte with the reference. Where none is, it
//! must say why, and the tests print that reason. Set `TCP_REQUIRE_OPENCL=1`
//! to make a missing platform a failure; a PoCL ICD in /etc/OpenCL/vendors
//! does the same.
#![cfg(feature = "opencl")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

#[path = "support/corpus.rs"]
mod corpus;

use std::sync::OnceLock;

use tcp_core::{Capabilities, Dialect, Policy, RiskLevel};
use tcp_hw::opencl::{OpenClBackend, OpenClOptions};
use tcp_hw::testing::{Mix, check_backend, check_batch, policies, records};
use tcp_hw::{Availability, Backend};

/// Env var a child test process uses to run with an empty ICD directory.
const CHILD_ENV: &str = "TCP_HW_OPENCL_NO_ICD_CHILD";

fn required() -> bool {
    std::env::var("TCP_REQUIRE_OPENCL").is_ok_and(|v| v == "1")
        || std::path::Path::new("/etc/OpenCL/vendors/pocl.icd").exists()
}

/// One backend for the whole test binary (building the kernel takes a moment).
fn backend() -> Option<&'static OpenClBackend> {
    static B: OnceLock<OpenClBackend> = OnceLock::new();
    let b = B.get_or_init(OpenClBackend::new);
    match b.availability() {
        Availability::Available => {
            eprintln!("opencl device: {}", b.device());
            Some(b)
        }
        Availability::Unavailable { reason } => {
            eprintln!("opencl backend unavailable: {reason}");
            assert!(!reason.trim().is_empty(), "unavailable without a reason");
            assert!(
                !required(),
                "an OpenCL platform is installed but the backend is unavailable: {reason}"
            );
            None
        }
    }
}

#[test]
fn conformance_harness() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let Some(b) = backend() else { return };
    let report = check_backend(b).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.dialects, vec![Dialect::Canonical, Dialect::V2Kb]);
    eprintln!(
        "{} batches, {} records agree with the reference",
        report.batches, report.records
    );
}

#[test]
fn knowledge_base_corpus_and_corruptions_under_every_policy() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let Some(b) = backend() else { return };
    let kb = corpus::kb_records();
    let corrupted = corpus::kb_with_corruptions(&kb);
    let custom = Policy::default()
        .with_max_approved(RiskLevel::Low)
        .with_require_approval(Capabilities::NETWORK_ACCESS)
        .with_deny(Capabilities::REQUIRES_ROOT | Capabilities::DESTRUCTIVE);
    for (p, policy) in policies().iter().chain([&custom]).enumerate() {
        for (name, batch) in [("kb", &kb), ("kb+corruptions", &corrupted)] {
            let n = check_batch(
                b,
                Dialect::V2Kb,
                batch,
                policy,
                &format!("{name} policy #{p}"),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(n, batch.len() / 24);
        }
        let c24 = corpus::c24_records();
        check_batch(
            b,
            Dialect::Canonical,
            &c24,
            policy,
            &format!("c24 policy #{p}"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn chunked_overlap_and_buffer_growth() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    if backend().is_none() {
        return;
    }
    // Small chunks so one call alternates queues many times; then a bigger
    // batch (buffers grow) and a smaller one (buffers are reused).
    let b = OpenClBackend::with_options(&OpenClOptions {
        device: None,
        chunk_records: 1000,
    });
    assert!(b.availability().is_available());
    for (n, seed) in [(10_007, 1), (25_000, 2), (999, 3), (25_000, 4)] {
        for dialect in [Dialect::V2Kb, Dialect::Canonical] {
            let batch = records(dialect, n, Mix::Corrupted, seed);
            let policy = &policies()[seed as usize % policies().len()];
            check_batch(&b, dialect, &batch, policy, &format!("n={n}"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

#[test]
fn other_dialects_are_refused() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let b = OpenClBackend::new();
    assert!(!b.supports(Dialect::V2Spec));
    let mut out = [0u8; 1];
    let err = b
        .validate(Dialect::V2Spec, &[0u8; 24], &Policy::default(), &mut out)
        .unwrap_err();
    assert_eq!(err.code(), tcp_core::ErrorCode::UnknownDialect);
    assert_eq!(out, [0]);
}

/// Runs this test binary again with an empty ICD directory: the ICD loader
/// then finds no platform, and the backend must say so in its own words.
#[test]
fn no_platform_is_reported_with_the_loaders_reason() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let empty = std::env::temp_dir().join(format!("tcp-hw-no-icd-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_reports_unavailable",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .env("OCL_ICD_VENDORS", &empty)
        .env("OPENCL_VENDOR_PATH", &empty)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir(&empty);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    eprintln!("{text}");
    assert!(out.status.success(), "child failed:\n{text}");
    assert!(
        text.contains("CHILD-REASON: "),
        "child printed no reason:\n{text}"
    );
}

#[test]
fn child_reports_unavailable() {
    if std::env::var(CHILD_ENV).is_err() {
        return;
    }
    let b = OpenClBackend::new();
    match b.availability() {
        Availability::Unavailable { reason } => {
            assert!(!reason.trim().is_empty());
            println!("CHILD-REASON: {reason}");
            let mut out = [0u8; 1];
            let err = b
                .validate(
                    Dialect::V2Kb,
                    &corpus::kb_records()[..24],
                    &Policy::default(),
                    &mut out,
                )
                .unwrap_err();
            println!("validate: {err}");
        }
        Availability::Available => panic!("available with no ICD: {}", b.device()),
    }
}
