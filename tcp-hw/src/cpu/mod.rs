//! CPU backends: runtime-dispatched vector kernels and a multi-threaded splitter.
//!
//! As in BLAKE3 and memchr, each instruction set has its own module
//! (`x86_64/{sse41,avx2,avx512}.rs`, `aarch64/neon.rs`), the level is
//! detected once ([`CpuLevel::detect`], cached) and every kernel is checked
//! against tcp-core's scalar reference. Kernels handle whole steps; the
//! records left over run as one padded step (`padded.rs`), and batches too
//! small to be worth building the policy tables go through
//! [`tcp_core::batch::record_status`] itself.
//!
//! Testing switch: `TCP_HW_MAX_LEVEL=portable|sse41|avx2|avx512|neon` caps the
//! detected level (read once, at the first detection); [`SimdBackend::with_level`]
//! picks any level the machine has, whatever the variable says.

use std::cell::RefCell;
use std::sync::OnceLock;

use tcp_core::batch::{check_batch_shape, record_status};
use tcp_core::{Dialect, Error, Policy, Result};

use crate::last_built::LastBuilt;
use crate::{Availability, Backend, BackendKind};

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod c24;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod generic;
mod padded;
mod tables;

#[cfg(target_arch = "x86_64")]
mod x86_64;

#[cfg(target_arch = "x86_64")]
pub(crate) use x86_64::{prefetch_ahead, prefetch_plan};

#[cfg(target_arch = "aarch64")]
mod aarch64;

pub(crate) use tables::{CanonicalTables, V2KbTables};

/// Batches at least this long have their first records (up to 7) validated
/// as a padded step so that the AVX-512 v2-kb kernel's loads start on a
/// cache line. Aligned loads made that kernel 5-15 % faster from 16K records
/// up; the padded step (and the second one the shifted end then needs) cost
/// about 40 ns each, a sixth of a 1K-record batch (`tcp bench`, Zen 4).
const ALIGN_MIN_RECORDS: usize = 16 * 1024;

/// Batches below this many records skip the kernels: building the policy
/// tables (about 300 ns) costs more than validating a few records one by one
/// (about 100 ns each with tcp-core's reference, measured).
pub const MIN_KERNEL_RECORDS: usize = 8;

/// A CPU vector instruction level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CpuLevel {
    /// No vector kernel: tcp-core's reference.
    Portable,
    /// x86_64 SSSE3 + SSE4.1 (2 records per 128-bit block).
    Sse41,
    /// x86_64 AVX2 (4 records per 256-bit block).
    Avx2,
    /// x86_64 AVX-512 F/BW/VL/VBMI, as on Ice Lake, Zen 4 and later (32 records per step).
    Avx512,
    /// aarch64 NEON (2 records per 128-bit block).
    Neon,
}

impl CpuLevel {
    /// Every level, weakest first.
    pub const ALL: [CpuLevel; 5] = [
        Self::Portable,
        Self::Sse41,
        Self::Avx2,
        Self::Avx512,
        Self::Neon,
    ];

    /// The name the testing switch and `tcp backends` use.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Portable => "portable",
            Self::Sse41 => "sse41",
            Self::Avx2 => "avx2",
            Self::Avx512 => "avx512",
            Self::Neon => "neon",
        }
    }

    /// The level with a name (case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|l| l.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Strength within its architecture (portable is 0 everywhere).
    const fn rank(self) -> u8 {
        match self {
            Self::Portable => 0,
            Self::Sse41 | Self::Neon => 1,
            Self::Avx2 => 2,
            Self::Avx512 => 3,
        }
    }

    /// True if this CPU can run the level (never capped by the testing switch).
    pub fn is_supported(self) -> bool {
        match self {
            Self::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Self::Sse41 => {
                std::is_x86_feature_detected!("ssse3") && std::is_x86_feature_detected!("sse4.1")
            }
            #[cfg(target_arch = "x86_64")]
            Self::Avx2 => std::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Self::Avx512 => {
                std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512bw")
                    && std::is_x86_feature_detected!("avx512vl")
                    && std::is_x86_feature_detected!("avx512vbmi")
            }
            #[cfg(target_arch = "aarch64")]
            Self::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            #[allow(unreachable_patterns, reason = "the arms present depend on the target")]
            _ => false,
        }
    }

    /// The best level this CPU has, uncapped (detected once).
    pub fn hardware() -> Self {
        static HARDWARE: OnceLock<CpuLevel> = OnceLock::new();
        *HARDWARE.get_or_init(|| {
            Self::ALL
                .iter()
                .copied()
                .filter(|l| l.is_supported())
                .max_by_key(|l| l.rank())
                .unwrap_or(Self::Portable)
        })
    }

    /// The level kernels run at: [`hardware`](Self::hardware), capped by
    /// `TCP_HW_MAX_LEVEL` if set (read once; an unknown value is ignored).
    pub fn detect() -> Self {
        static DETECTED: OnceLock<CpuLevel> = OnceLock::new();
        *DETECTED.get_or_init(|| {
            let hw = Self::hardware();
            let cap = std::env::var("TCP_HW_MAX_LEVEL")
                .ok()
                .and_then(|v| Self::parse(&v));
            match cap {
                Some(cap) if cap.rank() < hw.rank() => Self::ALL
                    .iter()
                    .copied()
                    .filter(|l| l.is_supported() && l.rank() <= cap.rank())
                    .max_by_key(|l| l.rank())
                    .unwrap_or(Self::Portable),
                _ => hw,
            }
        })
    }

    /// Every level this CPU can run, weakest first (what tests and benches iterate).
    pub fn available() -> Vec<Self> {
        Self::ALL
            .iter()
            .copied()
            .filter(|l| l.is_supported())
            .collect()
    }

    /// The portable level (always available).
    pub const fn portable() -> Self {
        Self::Portable
    }

    /// SSE4.1, if this CPU has it.
    pub fn sse41() -> Option<Self> {
        Self::Sse41.is_supported().then_some(Self::Sse41)
    }

    /// AVX2, if this CPU has it.
    pub fn avx2() -> Option<Self> {
        Self::Avx2.is_supported().then_some(Self::Avx2)
    }

    /// AVX-512 (F, BW, VL, VBMI), if this CPU has it.
    pub fn avx512() -> Option<Self> {
        Self::Avx512.is_supported().then_some(Self::Avx512)
    }

    /// NEON, if this CPU has it.
    pub fn neon() -> Option<Self> {
        Self::Neon.is_supported().then_some(Self::Neon)
    }
}

/// True if the CPU has a CRC-32C instruction (SSE4.2 `crc32`, ARMv8 CRC).
pub fn has_crc32c_instruction() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("sse4.2")
    }
    #[cfg(target_arch = "aarch64")]
    {
        std::arch::is_aarch64_feature_detected!("crc")
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        false
    }
}

thread_local! {
    /// The last policy's v2-kb tables on this thread.
    static V2_KB_TABLES: RefCell<LastBuilt<Policy, V2KbTables>> = RefCell::default();
    /// The last policy's canonical tables on this thread.
    static CANONICAL_TABLES: RefCell<LastBuilt<Policy, CanonicalTables>> = RefCell::default();
}

/// The tables for `policy`, rebuilt only when the policy differs from this
/// thread's last one: building them took about 500 ns, as long as
/// validating a thousand records (`tcp bench --n 1024`).
fn cached_tables<T: Copy>(
    policy: &Policy,
    cache: &'static std::thread::LocalKey<RefCell<LastBuilt<Policy, T>>>,
    build: fn(&Policy) -> T,
) -> T {
    cache.with(|cell| {
        *cell
            .borrow_mut()
            .get(|p| p == policy, || (policy.clone(), build(policy)))
            .0
    })
}

/// The vector backend (`simd`): v2-kb with the byte-sum kernel of its level,
/// canonical with interleaved hardware CRC-32C (and, at AVX-512, the other
/// checks and the decisions in vectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimdBackend {
    level: CpuLevel,
}

impl Default for SimdBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl SimdBackend {
    /// The backend at the detected level ([`CpuLevel::detect`]).
    pub fn new() -> Self {
        Self {
            level: CpuLevel::detect(),
        }
    }

    /// The backend at a given level, if this CPU supports it (for tests and benches).
    pub fn with_level(level: CpuLevel) -> Option<Self> {
        level.is_supported().then_some(Self { level })
    }

    /// The level its kernels run at.
    pub const fn level(&self) -> CpuLevel {
        self.level
    }

    fn has_crc(&self) -> bool {
        self.level != CpuLevel::Portable && has_crc32c_instruction()
    }

    /// Runs the level's kernel over the batch, the head records (to align
    /// the AVX-512 v2-kb kernel's loads) and the records its whole steps leave
    /// over each as one padded step ([`padded`]); returns how many records
    /// from the start it wrote (all of them unless a kernel declined).
    fn kernel(&self, dialect: Dialect, input: &[u8], policy: &Policy, out: &mut [u8]) -> usize {
        let len = dialect.record_len();
        let n = out.len().min(input.len() / len);
        if n < MIN_KERNEL_RECORDS {
            return 0;
        }
        let Some(tables) = self.tables(dialect, policy) else {
            return 0;
        };
        let level = |i: &[u8], o: &mut [u8]| self.level_kernel(&tables, i, o);
        let input = input.get(..n * len).unwrap_or_default();
        let out = out.get_mut(..n).unwrap_or_default();
        let head =
            if self.level == CpuLevel::Avx512 && dialect == Dialect::V2Kb && n >= ALIGN_MIN_RECORDS
            {
                padded::records_to_cache_line(input.as_ptr() as usize, len)
            } else {
                0
            };
        let (head_in, body_in) = input.split_at(head * len);
        let (head_out, body_out) = out.split_at_mut(head);
        if head > 0 && padded::run(dialect, head_in, head_out, level) < head {
            return 0;
        }
        let done = level(body_in, body_out);
        let rest_in = body_in.get(done * len..).unwrap_or_default();
        let rest_out = body_out.get_mut(done..).unwrap_or_default();
        if rest_out.is_empty() {
            head + done
        } else {
            // `run` takes fewer than a step's records, which is what whole steps leave.
            head + done + padded::run(dialect, rest_in, rest_out, level)
        }
    }

    /// This thread's tables for `policy`, if the level has a kernel for `dialect`.
    fn tables(&self, dialect: Dialect, policy: &Policy) -> Option<Tables> {
        match dialect {
            Dialect::V2Kb if self.level != CpuLevel::Portable => Some(Tables::V2Kb(cached_tables(
                policy,
                &V2_KB_TABLES,
                V2KbTables::new,
            ))),
            Dialect::Canonical if self.has_crc() => Some(Tables::Canonical(cached_tables(
                policy,
                &CANONICAL_TABLES,
                CanonicalTables::new,
            ))),
            _ => None,
        }
    }

    /// Runs the level's kernel on whole steps; returns how many records it wrote.
    fn level_kernel(&self, tables: &Tables, input: &[u8], out: &mut [u8]) -> usize {
        match tables {
            Tables::V2Kb(tables) => match self.level {
                #[cfg(target_arch = "x86_64")]
                CpuLevel::Avx512 => x86_64::avx512::validate_v2_kb(input, tables, out),
                #[cfg(target_arch = "x86_64")]
                CpuLevel::Avx2 => x86_64::avx2::validate_v2_kb(input, tables, out),
                #[cfg(target_arch = "x86_64")]
                CpuLevel::Sse41 => x86_64::sse41::validate_v2_kb(input, tables, out),
                #[cfg(target_arch = "aarch64")]
                CpuLevel::Neon => aarch64::neon::validate_v2_kb(input, tables, out),
                _ => 0,
            },
            Tables::Canonical(tables) => {
                #[cfg(target_arch = "x86_64")]
                {
                    if self.level == CpuLevel::Avx512 {
                        x86_64::avx512_c24::validate_canonical(input, tables, out)
                    } else {
                        x86_64::crc::validate_canonical(input, tables, out)
                    }
                }
                #[cfg(target_arch = "aarch64")]
                {
                    aarch64::crc::validate_canonical(input, tables, out)
                }
                #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
                {
                    let _ = (tables, input, out);
                    0
                }
            }
        }
    }
}

/// A policy's tables for one dialect's kernels.
#[allow(
    clippy::large_enum_variant,
    reason = "one per call, on the stack; boxing would allocate per call"
)]
enum Tables {
    V2Kb(V2KbTables),
    Canonical(CanonicalTables),
}

impl Backend for SimdBackend {
    fn name(&self) -> &'static str {
        "simd"
    }

    fn kind(&self) -> BackendKind {
        BackendKind::Simd
    }

    fn device(&self) -> String {
        let crc = if self.has_crc() {
            "hardware CRC-32C"
        } else {
            "no CRC-32C instruction"
        };
        format!("{} ({}, {crc})", cpu_model(), self.level.name())
    }

    fn availability(&self) -> Availability {
        if self.level == CpuLevel::Portable {
            let why = if CpuLevel::hardware() == CpuLevel::Portable {
                "this CPU has none of SSE4.1, AVX2, AVX-512 (F/BW/VL/VBMI), NEON"
            } else {
                "the portable level was chosen (TCP_HW_MAX_LEVEL=portable or \
                 SimdBackend::with_level): no vector kernel runs; the scalar backend is the portable path"
            };
            Availability::Unavailable {
                reason: why.to_owned(),
            }
        } else {
            Availability::Available
        }
    }

    fn supports(&self, dialect: Dialect) -> bool {
        match dialect {
            Dialect::V2Kb => self.level != CpuLevel::Portable,
            Dialect::Canonical => self.has_crc(),
            _ => false,
        }
    }

    fn validate(
        &self,
        dialect: Dialect,
        input: &[u8],
        policy: &Policy,
        out: &mut [u8],
    ) -> Result<()> {
        let n = check_batch_shape(dialect, input, out.len())?;
        if !self.supports(dialect) {
            return Err(unsupported(self.name(), dialect));
        }
        let out = out.get_mut(..n).unwrap_or_default();
        let done = self.kernel(dialect, input, policy, out);
        finish_with_reference(dialect, input, policy, out, done);
        Ok(())
    }
}

/// The error a backend returns for a dialect it does not handle.
pub fn unsupported(backend: &str, dialect: Dialect) -> Error {
    Error::UnknownDialect {
        name: format!("{dialect} (not supported by the {backend} backend)"),
    }
}

/// Writes records `done..` with tcp-core's own per-record status.
fn finish_with_reference(
    dialect: Dialect,
    input: &[u8],
    policy: &Policy,
    out: &mut [u8],
    done: usize,
) {
    let len = dialect.record_len();
    let rest = input.get(done * len..).unwrap_or_default();
    for (record, slot) in rest.chunks_exact(len).zip(out.iter_mut().skip(done)) {
        *slot = record_status(dialect, record, policy).0;
    }
}

/// The CPU's model name from `/proc/cpuinfo`, where there is one.
pub fn cpu_model() -> String {
    static MODEL: OnceLock<String> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            std::fs::read_to_string("/proc/cpuinfo")
                .ok()
                .and_then(|text| {
                    text.lines()
                        .find(|l| l.starts_with("model name") || l.starts_with("Model"))
                        .and_then(|l| l.split_once(':'))
                        .map(|(_, v)| v.trim().to_owned())
                })
                .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
        })
        .clone()
}

/// Records per chunk when the `parallel` backend (default minimum chunk)
/// splits `n` records across `threads`.
pub(crate) fn parallel_chunk_records(n: usize, threads: usize) -> usize {
    crate::split::chunk_records(
        n,
        threads,
        ParallelBackend::<SimdBackend>::DEFAULT_MIN_CHUNK,
    )
}

/// Splits a batch across rayon's threads, each chunk validated by an inner
/// CPU backend: each thread a contiguous share, the threads done first
/// finishing the shares of late ones (`split`).
#[derive(Debug, Clone)]
pub struct ParallelBackend<B> {
    inner: B,
    min_chunk: usize,
}

impl ParallelBackend<SimdBackend> {
    /// Over the detected SIMD level.
    pub fn simd() -> Self {
        Self::new(SimdBackend::new())
    }
}

impl<B: Backend> ParallelBackend<B> {
    /// Records per chunk at least: below this, the hand-off costs more than it saves.
    pub const DEFAULT_MIN_CHUNK: usize = 16 * 1024;

    /// Over `inner`, with the default minimum chunk.
    pub fn new(inner: B) -> Self {
        Self {
            inner,
            min_chunk: Self::DEFAULT_MIN_CHUNK,
        }
    }

    /// Sets the smallest chunk (records) handed to one thread; at least 1.
    pub fn with_min_chunk(mut self, records: usize) -> Self {
        self.min_chunk = records.max(1);
        self
    }

    /// The inner backend.
    pub fn inner(&self) -> &B {
        &self.inner
    }
}

impl<B: Backend> Backend for ParallelBackend<B> {
    fn name(&self) -> &'static str {
        "parallel"
    }

    fn kind(&self) -> BackendKind {
        self.inner.kind()
    }

    fn device(&self) -> String {
        format!("{} on {} threads", self.inner.device(), self.threads())
    }

    fn threads(&self) -> usize {
        rayon::current_num_threads().max(1)
    }

    fn availability(&self) -> Availability {
        self.inner.availability()
    }

    fn supports(&self, dialect: Dialect) -> bool {
        self.inner.supports(dialect)
    }

    fn validate(
        &self,
        dialect: Dialect,
        input: &[u8],
        policy: &Policy,
        out: &mut [u8],
    ) -> Result<()> {
        let n = check_batch_shape(dialect, input, out.len())?;
        if !self.inner.supports(dialect) {
            return Err(unsupported(self.inner.name(), dialect));
        }
        let threads = self.threads();
        let chunk = crate::split::chunk_records(n, threads, self.min_chunk);
        let out = out.get_mut(..n).unwrap_or_default();
        if chunk >= n {
            return self.inner.validate(dialect, input, policy, out);
        }
        let chunks: Vec<_> = input
            .chunks(chunk * dialect.record_len())
            .zip(out.chunks_mut(chunk))
            .collect();
        let work = |(i, o): (&[u8], &mut [u8])| self.inner.validate(dialect, i, policy, o);
        crate::split::map_chunks(chunks, threads, &work)
            .into_iter()
            .try_for_each(|r| {
                r.unwrap_or_else(|| {
                    Err(tcp_core::Error::BadInput {
                        detail: "a chunk was not validated".to_owned(),
                    })
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Mix, check_backend, records};

    #[test]
    fn every_available_level_passes_the_harness() {
        for level in CpuLevel::available() {
            let Some(backend) = SimdBackend::with_level(level) else {
                continue;
            };
            match check_backend(&backend) {
                Ok(report) => assert!(report.records > 0 || level == CpuLevel::Portable),
                Err(e) if e.is_unavailable() => assert_eq!(level, CpuLevel::Portable),
                Err(e) => panic!("{}: {e}", level.name()),
            }
        }
    }

    /// Single faults in otherwise valid batches: the vector kernels' fast
    /// paths (one fault-free step of 32) must still report a record whose
    /// framing is fine but whose risk or capabilities are not, and a step
    /// with one framing fault must fall back for that step only.
    #[test]
    fn single_faults_in_valid_batches() {
        use tcp_core::wire::{canonical, v2_kb};
        let policy = crate::testing::policies().pop().unwrap_or_default();
        for level in CpuLevel::available() {
            let Some(backend) = SimdBackend::with_level(level) else {
                continue;
            };
            for dialect in [Dialect::V2Kb, Dialect::Canonical] {
                if !backend.supports(dialect) {
                    continue;
                }
                // (record, byte, value): risk out of range (and beyond 31), no
                // or two risk bits, a reserved bit, a wrong magic byte.
                let faults: &[(usize, usize, u8)] = match dialect {
                    Dialect::Canonical => &[
                        (5, 5, 7),
                        (40, 5, 200),
                        (70, 5, 32),
                        (100, 6, 1),
                        (130, 0, b'X'),
                    ],
                    _ => &[
                        (5, 13, 0),
                        (40, 13, 0b11),
                        (70, 13, 0x20),
                        (100, 10, 1),
                        (130, 0, b'X'),
                    ],
                };
                for &(record, byte, value) in faults {
                    let mut batch = records(dialect, 160, Mix::Valid, record as u64);
                    let len = dialect.record_len();
                    let rec = &mut batch[record * len..(record + 1) * len];
                    rec[byte] = value;
                    match dialect {
                        Dialect::Canonical => {
                            canonical::Descriptor::new_unchecked(rec).fill_checksum()
                        }
                        _ => v2_kb::Descriptor::new_unchecked(rec).fill_checksum(),
                    }
                    let mut want = vec![0u8; 160];
                    tcp_core::validate_batch(dialect, &batch, &policy, &mut want).unwrap();
                    let mut got = vec![0u8; 160];
                    backend
                        .validate(dialect, &batch, &policy, &mut got)
                        .unwrap();
                    assert_eq!(
                        got,
                        want,
                        "{} {dialect} fault {record}/{byte}={value:#x}",
                        level.name()
                    );
                    assert!(
                        want[record] & 0x80 != 0,
                        "the fault makes record {record} invalid"
                    );
                }
            }
        }
    }

    #[test]
    fn parallel_matches_the_reference_across_chunks() {
        let backend = ParallelBackend::simd().with_min_chunk(7);
        check_backend(&backend)
            .or_else(|e| {
                if e.is_unavailable() {
                    Ok(Default::default())
                } else {
                    Err(e)
                }
            })
            .unwrap();
        let scalar = ParallelBackend::new(crate::ScalarBackend).with_min_chunk(5);
        check_backend(&scalar).unwrap();
        let batch = records(Dialect::V2Kb, 100_003, Mix::Corrupted, 9);
        let mut want = vec![0; 100_003];
        let mut got = vec![0; 100_003];
        tcp_core::validate_batch(Dialect::V2Kb, &batch, &Policy::default(), &mut want).unwrap();
        ParallelBackend::new(crate::ScalarBackend)
            .with_min_chunk(1000)
            .validate(Dialect::V2Kb, &batch, &Policy::default(), &mut got)
            .unwrap();
        assert_eq!(want, got);
    }

    #[test]
    fn levels_parse_and_detect() {
        for l in CpuLevel::ALL {
            assert_eq!(CpuLevel::parse(l.name()), Some(l));
        }
        assert!(CpuLevel::detect().is_supported());
        assert!(CpuLevel::available().contains(&CpuLevel::hardware()));
        assert!(
            !SimdBackend::with_level(CpuLevel::Portable)
                .unwrap()
                .availability()
                .is_available()
        );
    }
}

#[cfg(test)]
mod kernel_tests {
    use super::*;
    use crate::testing::{Mix, records};

    /// The harness would also pass if every kernel silently did nothing and the
    /// reference finished the batch: check that the kernels do the work.
    #[test]
    fn kernels_write_whole_blocks() {
        for level in CpuLevel::available() {
            let backend = SimdBackend::with_level(level).unwrap();
            for dialect in [Dialect::V2Kb, Dialect::Canonical] {
                let batch = records(dialect, 1003, Mix::Corrupted, 3);
                let mut out = vec![0u8; 1003];
                let done = backend.kernel(dialect, &batch, &Policy::default(), &mut out);
                if backend.supports(dialect) {
                    assert!(done >= 992, "{} {dialect}: {done}", level.name());
                    let mut want = vec![0u8; 1003];
                    tcp_core::validate_batch(dialect, &batch, &Policy::default(), &mut want)
                        .unwrap();
                    assert_eq!(out[..done], want[..done], "{} {dialect}", level.name());
                } else {
                    assert_eq!(done, 0);
                }
            }
        }
    }
}
