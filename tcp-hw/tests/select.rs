//! `select()` never prefers software OpenCL on the host CPU over the SIMD backends.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use tcp_core::Dialect;
use tcp_hw::select::{all_backends, select};

#[test]
fn host_cpu_opencl_is_passed_over_with_a_reason() {
    let host_cl = all_backends()
        .into_iter()
        .find(|b| b.name() == "opencl" && b.availability().is_available() && b.on_host_cpu());
    let s = select(Dialect::V2Kb, 10_000_000).unwrap();
    if host_cl.is_some() {
        assert_ne!(s.backend.name(), "opencl");
        let r = s
            .rejected
            .iter()
            .find(|r| r.name == "opencl")
            .expect("opencl considered");
        assert!(r.reason.contains("host CPU"), "{}", r.reason);
    } else {
        eprintln!("no host-CPU OpenCL device here; chose {}", s.backend.name());
    }
    assert!(s.backend.availability().is_available());
}
