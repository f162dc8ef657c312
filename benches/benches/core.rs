//! tcp-core hot paths against naive baselines measured in the same run:
//! registry lookup (1.5k real entries, 1M synthetic) and single-descriptor
//! validation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "bench"
)]

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tcp_core::hash::command_hash;
use tcp_core::wire::{canonical, v2_kb};
use tcp_core::{Capabilities, Dialect, Mode, Registry, RegistryBuilder, RiskLevel};

fn kb_registry() -> Registry {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tcp-core/tests/data/tcp_complete.db"
    );
    let db = Registry::open(path).unwrap();
    Registry::from_bytes(db.to_tcpr().unwrap()).unwrap()
}

fn synthetic_registry(n: usize) -> (Registry, Vec<String>) {
    let mut b = RegistryBuilder::new();
    let names: Vec<String> = (0..n).map(|i| format!("tool-{i:07}")).collect();
    for (i, name) in names.iter().enumerate() {
        let repr = canonical::Repr {
            risk: RiskLevel::from_u8((i % 5) as u8).unwrap(),
            capabilities: Capabilities::from_bits_truncate((i % 256) as u16),
            command_hash: command_hash(name),
            exec_ms: 1,
            memory_mb: 1,
            output_kb: 1,
        };
        b.add(name, repr, "").unwrap();
    }
    (b.build().unwrap(), names)
}

/// A fixed pseudo-random visiting order, so lookups are not a sequential scan.
fn shuffled(names: &[String], count: usize) -> Vec<&str> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            names[(x % names.len() as u64) as usize].as_str()
        })
        .collect()
}

fn lookup(c: &mut Criterion) {
    let kb = kb_registry();
    let kb_names: Vec<String> = kb.iter().map(|e| e.name.to_owned()).collect();
    let order = shuffled(&kb_names, 4096);
    // Naive baseline: std HashMap<String, [u8; 24]> (SipHash), decoding the flags the same way.
    let naive: HashMap<String, [u8; 24]> = kb
        .iter()
        .map(|e| (e.name.to_owned(), e.descriptor.try_into().unwrap()))
        .collect();
    let mut g = c.benchmark_group("lookup_1567");
    g.throughput(criterion::Throughput::Elements(order.len() as u64));
    g.bench_function("tcp_core_registry", |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for name in &order {
                let e = kb.get(black_box(name)).unwrap();
                acc = acc.wrapping_add(
                    e.risk.map_or(9, |r| r as u32) + u32::from(e.capabilities.bits()),
                );
            }
            acc
        })
    });
    g.bench_function("naive_std_hashmap", |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for name in &order {
                let d = naive.get(*black_box(name)).unwrap();
                acc = acc.wrapping_add(u32::from(d[13]));
            }
            acc
        })
    });
    g.finish();

    let (big, names) = synthetic_registry(1_000_000);
    let order = shuffled(&names, 1 << 16);
    let naive: HashMap<&str, [u8; 24]> = big
        .iter()
        .map(|e| (e.name, e.descriptor.try_into().unwrap()))
        .collect();
    let mut g = c.benchmark_group("lookup_1m");
    g.sample_size(20);
    g.throughput(criterion::Throughput::Elements(order.len() as u64));
    g.bench_function("tcp_core_registry", |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for name in &order {
                let e = big.get(black_box(name)).unwrap();
                acc = acc.wrapping_add(e.risk.map_or(9, |r| r as u32));
            }
            acc
        })
    });
    g.bench_function("naive_std_hashmap", |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for name in &order {
                let d = naive.get(*black_box(name)).unwrap();
                acc = acc.wrapping_add(u32::from(d[5]));
            }
            acc
        })
    });
    g.finish();
}

/// The prototype's reading, done naively: hex string in, fields out via
/// allocation-heavy steps (what a straightforward port of the Python does).
fn naive_validate(hex: &str) -> Option<(u32, u32)> {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    if bytes.len() != 24 || &bytes[..4] != b"TCP\x02" {
        return None;
    }
    let sum: u32 = bytes[..22].iter().map(|b| u32::from(*b)).sum();
    let stored = u32::from(u16::from_be_bytes([bytes[22], bytes[23]]));
    (sum & 0xFFFF == stored).then(|| {
        (
            u32::from_be_bytes(bytes[10..14].try_into().unwrap()),
            stored,
        )
    })
}

fn validate_one(c: &mut Criterion) {
    let kb = v2_kb::Repr {
        command_hash: command_hash("rm"),
        flags: 0x0904,
        exec_ms: 100,
        memory_mb: 10,
        output_kb: 1,
    }
    .to_bytes();
    let c24 = canonical::Repr {
        risk: RiskLevel::High,
        capabilities: Capabilities::DESTRUCTIVE,
        command_hash: command_hash("rm"),
        exec_ms: 5,
        memory_mb: 2,
        output_kb: 1,
    }
    .to_bytes();
    let hex: String = kb.iter().map(|b| format!("{b:02x}")).collect();
    let mut g = c.benchmark_group("validate_one");
    g.bench_function("v2_kb_decode_strict", |b| {
        b.iter(|| {
            Dialect::V2Kb
                .decode(black_box(&kb), Mode::Strict)
                .unwrap()
                .risk
        })
    });
    g.bench_function("c24_decode_strict", |b| {
        b.iter(|| {
            Dialect::Canonical
                .decode(black_box(&c24), Mode::Strict)
                .unwrap()
                .risk
        })
    });
    g.bench_function("v2_kb_detect_auto", |b| {
        b.iter(|| Dialect::detect(black_box(&kb)))
    });
    g.bench_function("naive_hex_port", |b| {
        b.iter_batched(
            || hex.clone(),
            |h| naive_validate(black_box(&h)),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, lookup, validate_one);
criterion_main!(benches);
