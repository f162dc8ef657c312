//! Measures the OpenCL backend against the host-to-device bandwidth of the
//! same device, in one run:
//!
//! 1. host-to-device copy bandwidth (`clEnqueueWriteBuffer`, blocking), from
//!    ordinary (pageable) memory and from pinned memory (`CL_MEM_ALLOC_HOST_PTR`);
//! 2. end-to-end throughput of [`Backend::validate`] (upload, kernel,
//!    download, chunks overlapped), checked byte for byte against tcp-core;
//! 3. device-resident throughput: the kernel time alone, from the backend's
//!    profiling events ([`OpenClBackend::last_timings`]).
//!
//! ```text
//! cargo run --release -p tcp-hw --example opencl_throughput -- [RECORDS] [ITERATIONS]
//! ```
//!
//! On PoCL these are CPU figures (the "device" is the host): the copy is a
//! memcpy, not PCIe.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "example"
)]

use std::time::Instant;

use opencl3::command_queue::CommandQueue;
use opencl3::context::Context;
use opencl3::device::{CL_DEVICE_TYPE_ALL, Device};
use opencl3::memory::{Buffer, CL_MAP_WRITE, CL_MEM_ALLOC_HOST_PTR, CL_MEM_READ_ONLY, ClMem};
use opencl3::platform::get_platforms;
use opencl3::types::{CL_BLOCKING, cl_mem};
use tcp_core::{Dialect, Policy};
use tcp_hw::Backend;
use tcp_hw::opencl::OpenClBackend;
use tcp_hw::testing::{Mix, records};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1 << 22, |a| a.parse().expect("RECORDS"));
    let iters: usize = args
        .next()
        .map_or(5, |a| a.parse().expect("ITERATIONS"))
        .max(1);

    let backend = OpenClBackend::new();
    if let tcp_hw::Availability::Unavailable { reason } = backend.availability() {
        eprintln!("opencl backend unavailable: {reason}");
        std::process::exit(1);
    }
    println!("device: {}", backend.device());
    let bytes = n * 24;
    println!(
        "batch: {n} v2-kb records ({:.1} MiB), {iters} timed iterations, medians",
        bytes as f64 / 1048576.0
    );

    // The same device, opened directly for the copy benchmark.
    let device = get_platforms()
        .unwrap()
        .iter()
        .flat_map(|p| p.get_devices(CL_DEVICE_TYPE_ALL).unwrap_or_default())
        .map(Device::new)
        .find(|d| {
            d.name()
                .is_ok_and(|name| backend.device().starts_with(&name))
        })
        .expect("the backend's device");
    let context = Context::from_device(&device).unwrap();
    let queue = CommandQueue::create_default_with_properties(&context, 0, 0).unwrap();
    // SAFETY: no host pointer.
    let mut dev_buf =
        unsafe { Buffer::<u8>::create(&context, CL_MEM_READ_ONLY, bytes, std::ptr::null_mut()) }
            .unwrap();

    let pageable = vec![0x5Au8; bytes];
    let time_copy = |src: &[u8], dev_buf: &mut Buffer<u8>| {
        // SAFETY: blocking write of `src` into a buffer of the same size.
        unsafe { queue.enqueue_write_buffer(dev_buf, CL_BLOCKING, 0, src, &[]) }.unwrap();
        let mut rates = Vec::new();
        for _ in 0..iters {
            let t = Instant::now();
            // SAFETY: as above.
            unsafe { queue.enqueue_write_buffer(dev_buf, CL_BLOCKING, 0, src, &[]) }.unwrap();
            queue.finish().unwrap();
            rates.push(bytes as f64 / t.elapsed().as_secs_f64() / 1e9);
        }
        median(rates)
    };
    let h2d_pageable = time_copy(&pageable, &mut dev_buf);

    // Pinned host memory: a host-allocated buffer, mapped.
    // SAFETY: no host pointer; the mapping below covers the whole buffer.
    let pinned_buf = unsafe {
        Buffer::<u8>::create(&context, CL_MEM_ALLOC_HOST_PTR, bytes, std::ptr::null_mut())
    }
    .unwrap();
    let mut mapped: cl_mem = std::ptr::null_mut();
    // SAFETY: blocking map of the whole buffer for writing.
    unsafe {
        queue.enqueue_map_buffer(
            &pinned_buf,
            CL_BLOCKING,
            CL_MAP_WRITE,
            0,
            bytes,
            &mut mapped,
            &[],
        )
    }
    .unwrap();
    // SAFETY: the mapping is `bytes` long and stays mapped until the end.
    let pinned = unsafe { std::slice::from_raw_parts_mut(mapped.cast::<u8>(), bytes) };
    pinned.fill(0x5A);
    let h2d_pinned = time_copy(pinned, &mut dev_buf);
    println!(
        "host-to-device copy: {h2d_pageable:.2} GB/s from pageable memory, {h2d_pinned:.2} GB/s from pinned memory"
    );

    // End to end, and the kernel alone.
    let input = records(Dialect::V2Kb, n, Mix::Valid, 7);
    let policy = Policy::default();
    let mut out = vec![0u8; n];
    let mut expected = vec![0u8; n];
    tcp_core::batch::validate_batch(Dialect::V2Kb, &input, &policy, &mut expected).unwrap();
    backend
        .validate(Dialect::V2Kb, &input, &policy, &mut out)
        .unwrap();
    assert!(
        out == expected,
        "backend output differs from tcp-core's reference"
    );
    let (mut e2e, mut resident, mut overlap) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..iters {
        let t = Instant::now();
        backend
            .validate(Dialect::V2Kb, &input, &policy, &mut out)
            .unwrap();
        e2e.push(n as f64 / t.elapsed().as_secs_f64());
        let timings = backend.last_timings().expect("profiling information");
        resident.push(n as f64 / (timings.kernel_ns as f64 / 1e9));
        let serial = timings.upload_ns + timings.kernel_ns + timings.download_ns;
        overlap.push(serial as f64 / timings.span_ns.max(1) as f64);
    }
    assert!(
        out == expected,
        "backend output differs from tcp-core's reference"
    );
    let e2e = median(e2e);
    let e2e_gbs = e2e * 24.0 / 1e9;
    println!(
        "end to end: {:.1} M records/s = {e2e_gbs:.2} GB/s of input ({:.0}% of pageable, {:.0}% of pinned copy bandwidth)",
        e2e / 1e6,
        100.0 * e2e_gbs / h2d_pageable,
        100.0 * e2e_gbs / h2d_pinned
    );
    println!(
        "device-resident (kernel only): {:.1} M records/s; device timeline overlap factor {:.2} (sum of stages / span)",
        median(resident) / 1e6,
        median(overlap)
    );
    // SAFETY: unmapping the mapping made above.
    unsafe { queue.enqueue_unmap_mem_object(pinned_buf.get(), mapped, &[]) }.unwrap();
    queue.finish().unwrap();
}
