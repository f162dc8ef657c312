//! A conformance harness: any [`Backend`] against tcp-core's scalar reference.
//!
//! [`check_backend`] runs a backend over generated batches (valid records,
//! every kind of corruption, random bytes, several policies, edge lengths
//! around every vector width) and over malformed shapes, and compares each
//! output byte with [`tcp_core::batch::validate_batch`]. It returns the first
//! disagreement, so a test can print exactly which record differed.
//!
//! The generators ([`records`], [`Rng`]) are also what the benches and
//! `tcp bench` feed the backends, so every measured batch is one the harness
//! checks.

use core::fmt;

use tcp_core::wire::{canonical, v2_kb};
use tcp_core::{Capabilities, Dialect, Error, Policy, RiskLevel};

use crate::Backend;

/// Record counts that straddle every block size a backend is likely to use
/// (1, 2, 4, 8, 16, 32, 64 records), plus a few larger odd ones.
pub const EDGE_COUNTS: [usize; 26] = [
    0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 63, 64, 65, 127, 129, 255, 1000,
    4099,
];

/// A small deterministic generator (SplitMix64): reproducible batches without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n > 0`; returns 0 for `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// A random byte.
    pub fn byte(&mut self) -> u8 {
        (self.next_u64() >> 56) as u8
    }

    /// Fills a slice with random bytes.
    pub fn fill(&mut self, out: &mut [u8]) {
        for b in out {
            *b = self.byte();
        }
    }
}

/// What a generated batch contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// Only valid records (the knowledge base's case).
    Valid,
    /// About a third of the records carry one or more faults of every kind.
    Corrupted,
    /// Uniformly random bytes (almost all fail at the magic).
    Random,
}

/// `n` records of `dialect` from `seed`.
///
/// Canonical and v2-kb get real records (valid, or corrupted field by field
/// with the checksum recomputed where that makes a later check fire); other
/// dialects get random bytes.
pub fn records(dialect: Dialect, n: usize, mix: Mix, seed: u64) -> Vec<u8> {
    let len = dialect.record_len();
    let mut rng = Rng::new(seed ^ (n as u64).rotate_left(32));
    let mut out = vec![0u8; n * len];
    for rec in out.chunks_exact_mut(len) {
        match (mix, dialect) {
            (Mix::Random, _) => rng.fill(rec),
            (_, Dialect::V2Kb) => {
                rec.copy_from_slice(&valid_v2_kb(&mut rng));
                if mix == Mix::Corrupted && rng.below(3) == 0 {
                    corrupt_v2_kb(rec, &mut rng);
                }
            }
            (_, Dialect::Canonical) => {
                rec.copy_from_slice(&valid_canonical(&mut rng));
                if mix == Mix::Corrupted && rng.below(3) == 0 {
                    corrupt_canonical(rec, &mut rng);
                }
            }
            _ => rng.fill(rec),
        }
    }
    out
}

fn valid_v2_kb(rng: &mut Rng) -> [u8; v2_kb::LEN] {
    let risk_bit = 1u32 << rng.below(5);
    let caps = (rng.next_u64() as u32) & 0x3F00;
    v2_kb::Repr {
        command_hash: (rng.next_u64() as u32).to_be_bytes(),
        flags: risk_bit | caps,
        exec_ms: rng.next_u64() as u32,
        memory_mb: rng.next_u64() as u16,
        output_kb: rng.next_u64() as u16,
    }
    .to_bytes()
}

fn valid_canonical(rng: &mut Rng) -> [u8; canonical::LEN] {
    let risk = RiskLevel::from_u8(rng.below(5) as u8).unwrap_or(RiskLevel::Safe);
    canonical::Repr {
        risk,
        capabilities: Capabilities::from_bits_truncate(rng.next_u64() as u16),
        command_hash: (rng.next_u64() as u32).to_be_bytes(),
        exec_ms: rng.next_u64() as u32,
        memory_mb: rng.next_u64() as u16,
        output_kb: rng.next_u64() as u16,
    }
    .to_bytes()
}

/// One or two faults: some leave the checksum stale, others recompute it so
/// that the later checks (risk, reserved bits) are the ones that fire.
fn corrupt_v2_kb(rec: &mut [u8], rng: &mut Rng) {
    for _ in 0..=rng.below(2) {
        let (byte, refill) = match rng.below(9) {
            0 => (rng.below(4) as usize, false),      // magic
            1 => (4 + rng.below(2) as usize, false),  // version
            2 => (rng.below(24) as usize, false),     // anywhere: usually the checksum
            3 => (10 + rng.below(2) as usize, true),  // reserved high flag bytes
            4 => (12, true),                          // capability byte, bits 6..7 reserved
            5 => (13, true),                          // risk byte: 0, several, reserved 5..7
            6 => (22 + rng.below(2) as usize, false), // the checksum itself
            _ => (13, true),
        };
        if let Some(b) = rec.get_mut(byte) {
            *b = match rng.below(4) {
                0 => 0,
                1 => *b ^ (1 << rng.below(8)),
                _ => rng.byte(),
            };
        }
        if refill {
            v2_kb::Descriptor::new_unchecked(&mut *rec).fill_checksum();
        }
    }
}

fn corrupt_canonical(rec: &mut [u8], rng: &mut Rng) {
    for _ in 0..=rng.below(2) {
        let (byte, refill) = match rng.below(8) {
            0 => (rng.below(4) as usize, false), // magic
            1 => (4, false),                     // version
            2 => (rng.below(24) as usize, false),
            3 => (5, true), // risk byte
            4 => (6, true), // reserved capability byte
            5 => (7, true), // capability byte (all defined)
            _ => (20 + rng.below(4) as usize, false),
        };
        if let Some(b) = rec.get_mut(byte) {
            *b = match rng.below(4) {
                0 => 0,
                1 => *b ^ (1 << rng.below(8)),
                _ => rng.byte(),
            };
        }
        if refill {
            canonical::Descriptor::new_unchecked(&mut *rec).fill_checksum();
        }
    }
}

/// Policies that exercise every path of the decision: the default, a
/// permissive and a strict risk table, capability masks that ask and deny.
pub fn policies() -> Vec<Policy> {
    let ask = Capabilities::NETWORK_ACCESS | Capabilities::CODE_EXECUTION;
    let deny = Capabilities::DESTRUCTIVE | Capabilities::PRIVILEGE_ESCALATION;
    let mut out = vec![
        Policy::default(),
        Policy::default().with_max_approved(RiskLevel::High),
        Policy::default().with_max_approved(RiskLevel::Safe),
        Policy::default().with_require_approval(ask),
        Policy::default().with_deny(deny),
        Policy::default()
            .with_max_approved(RiskLevel::Medium)
            .with_require_approval(ask | Capabilities::FILE_MODIFICATION)
            .with_deny(deny | Capabilities::PROCESS_CONTROL),
    ];
    if let Ok(p) =
        Policy::default().with_risk_decision(RiskLevel::Safe, tcp_core::Decision::CautionMode)
    {
        out.push(p.with_require_approval(
            Capabilities::REQUIRES_ROOT | Capabilities::SYSTEM_MODIFICATION,
        ));
    }
    out
}

/// Why a backend failed the harness (or could not be checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckFailure {
    /// The backend is not available here; nothing was checked.
    Unavailable {
        /// Backend name.
        backend: &'static str,
        /// Its own reason.
        reason: String,
    },
    /// A record's status differed from the reference.
    Mismatch {
        /// Backend name.
        backend: &'static str,
        /// Dialect of the batch.
        dialect: Dialect,
        /// What the batch was.
        case: String,
        /// Index of the first differing record.
        index: usize,
        /// The record's bytes, hex.
        record_hex: String,
        /// The reference status byte.
        expected: u8,
        /// The backend's status byte.
        found: u8,
    },
    /// The backend returned a different result (error or success) than the reference.
    WrongResult {
        /// Backend name.
        backend: &'static str,
        /// Dialect of the batch.
        dialect: Dialect,
        /// What the batch was.
        case: String,
        /// The reference's result.
        expected: String,
        /// The backend's result.
        found: String,
    },
    /// The backend wrote into the output slice past the batch, or on an error.
    WroteOutside {
        /// Backend name.
        backend: &'static str,
        /// What the batch was.
        case: String,
    },
}

impl CheckFailure {
    /// True if the backend was skipped, not failed.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable { backend, reason } => write!(f, "{backend}: unavailable: {reason}"),
            Self::Mismatch {
                backend,
                dialect,
                case,
                index,
                record_hex,
                expected,
                found,
            } => write!(
                f,
                "{backend}/{dialect}/{case}: record {index} ({record_hex}): expected status {expected:#04x}, found {found:#04x}"
            ),
            Self::WrongResult {
                backend,
                dialect,
                case,
                expected,
                found,
            } => write!(
                f,
                "{backend}/{dialect}/{case}: expected {expected}, found {found}"
            ),
            Self::WroteOutside { backend, case } => {
                write!(f, "{backend}/{case}: wrote outside the batch's output")
            }
        }
    }
}

impl std::error::Error for CheckFailure {}

/// What the harness checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Batches compared with the reference.
    pub batches: usize,
    /// Records compared.
    pub records: usize,
    /// Dialects the backend supports and that were checked.
    pub dialects: Vec<Dialect>,
}

/// Sentinel the harness puts in the output before each call.
const SENTINEL: u8 = 0x5A;

/// Checks one batch: `backend` must write exactly what the reference writes,
/// and nothing past the batch's records; errors must be the same kind.
pub fn check_batch(
    backend: &dyn Backend,
    dialect: Dialect,
    input: &[u8],
    policy: &Policy,
    case: &str,
) -> Result<usize, CheckFailure> {
    let n = input.len() / dialect.record_len().max(1);
    let mut expected = vec![SENTINEL; n + 3];
    let mut found = vec![SENTINEL; n + 3];
    let want = tcp_core::batch::validate_batch(dialect, input, policy, &mut expected).map(|_| ());
    let got = backend.validate(dialect, input, policy, &mut found);
    let name = backend.name();
    match (&want, &got) {
        (Ok(()), Ok(())) => {}
        (Err(a), Err(b)) if a.code() == b.code() => {}
        _ => {
            return Err(CheckFailure::WrongResult {
                backend: name,
                dialect,
                case: case.to_owned(),
                expected: format!("{want:?}"),
                found: format!("{got:?}"),
            });
        }
    }
    let limit = if want.is_ok() { n } else { 0 };
    if found.iter().skip(limit).any(|&b| b != SENTINEL) {
        return Err(CheckFailure::WroteOutside {
            backend: name,
            case: case.to_owned(),
        });
    }
    let len = dialect.record_len();
    for (index, (e, f)) in expected.iter().zip(&found).take(limit).enumerate() {
        if e != f {
            let record_hex = input
                .get(index * len..(index + 1) * len)
                .map(|r| r.iter().map(|b| format!("{b:02x}")).collect())
                .unwrap_or_default();
            return Err(CheckFailure::Mismatch {
                backend: name,
                dialect,
                case: case.to_owned(),
                index,
                record_hex,
                expected: *e,
                found: *f,
            });
        }
    }
    Ok(limit)
}

/// Runs the whole harness on `backend`: every dialect it claims to support,
/// every [`Mix`], every count in [`EDGE_COUNTS`] (offset by 0..3 bytes in
/// memory, so alignment is exercised), every policy of [`policies`], and the
/// malformed shapes (a partial record, a short output slice).
pub fn check_backend(backend: &dyn Backend) -> Result<CheckReport, CheckFailure> {
    if let crate::Availability::Unavailable { reason } = backend.availability() {
        return Err(CheckFailure::Unavailable {
            backend: backend.name(),
            reason,
        });
    }
    let mut report = CheckReport::default();
    let policies = policies();
    for dialect in Dialect::ALL {
        if !backend.supports(dialect) {
            continue;
        }
        report.dialects.push(dialect);
        let len = dialect.record_len();
        for (m, mix) in [Mix::Valid, Mix::Corrupted, Mix::Random]
            .into_iter()
            .enumerate()
        {
            for (c, &n) in EDGE_COUNTS.iter().enumerate() {
                let batch = records(dialect, n, mix, (m * 1000 + c) as u64);
                let policy = policies
                    .get(c % policies.len())
                    .cloned()
                    .unwrap_or_default();
                // Misalign the batch by 0..3 bytes: backends must not assume alignment.
                let shift = c % 4;
                let mut buf = vec![0u8; shift];
                buf.extend_from_slice(&batch);
                let input = buf.get(shift..).unwrap_or(&[]);
                let case = format!(
                    "{mix:?} n={n} misaligned by {shift} policy #{}",
                    c % policies.len()
                );
                report.records += check_batch(backend, dialect, input, &policy, &case)?;
                report.batches += 1;
            }
        }
        // Every policy on one corrupted batch that is longer than any block.
        let batch = records(dialect, 333, Mix::Corrupted, 77);
        for (p, policy) in policies.iter().enumerate() {
            report.records +=
                check_batch(backend, dialect, &batch, policy, &format!("policy #{p}"))?;
            report.batches += 1;
        }
        // Malformed shapes: typed errors, nothing written.
        for cut in [1, len - 1] {
            let input = batch.get(..batch.len() - cut).unwrap_or(&[]);
            check_batch(
                backend,
                dialect,
                input,
                &Policy::default(),
                &format!("cut {cut} bytes"),
            )?;
        }
        let mut short = vec![SENTINEL; 332];
        match backend.validate(dialect, &batch, &Policy::default(), &mut short) {
            Err(Error::OutputTooSmall {
                needed: 333,
                available: 332,
            }) => {}
            other => {
                return Err(CheckFailure::WrongResult {
                    backend: backend.name(),
                    dialect,
                    case: "output one byte too short".to_owned(),
                    expected: "OutputTooSmall { needed: 333, available: 332 }".to_owned(),
                    found: format!("{other:?}"),
                });
            }
        }
        if short.iter().any(|&b| b != SENTINEL) {
            return Err(CheckFailure::WroteOutside {
                backend: backend.name(),
                case: "output one byte too short".to_owned(),
            });
        }
    }
    Ok(report)
}

/// The `batch` fuzz target (`fuzz/fuzz_targets/batch.rs`) and its replay
/// (`tcp-hw/tests/fuzz_regressions.rs`): every CPU backend this machine can
/// run, at every vector level, against tcp-core's reference on a batch the
/// fuzzer writes. Panics on the first disagreement ([`check_batch`]'s report).
///
/// Byte 0 picks the dialect (bit 0) and the policy (bits 1..5 of
/// [`policies`]); byte 1 how records are prepared, two bits per record
/// (cycling over four): 0 leaves a record as written, 1 recomputes its
/// checksum, 2 also writes the right magic and version, 3 also makes the
/// risk a valid one (derived from the byte written) and clears the reserved
/// bits. Random bytes almost never pass a checksum, and a kernel's fast path
/// needs a whole step of valid records; with `0xFF` every record is valid,
/// and each other value lets faults through in chosen records. The
/// rest is the batch, whole records unless bit 6 of byte 0 keeps a partial
/// one at the end (a shape error every backend must report alike).
pub fn fuzz_batch(data: &[u8]) {
    let [control, prepare, rest @ ..] = data else {
        return;
    };
    let dialect = fuzz_dialect(*control);
    let policies = policies();
    let policy = policies
        .get(usize::from(control >> 1 & 0x1F) % policies.len())
        .cloned()
        .unwrap_or_default();
    let len = dialect.record_len();
    let whole = rest.len() / len * len;
    let mut batch = if control & 0x40 != 0 {
        rest.to_vec()
    } else {
        rest.get(..whole).unwrap_or_default().to_vec()
    };
    for (i, record) in batch.chunks_exact_mut(len).enumerate() {
        prepare_record(dialect, record, prepare >> (2 * (i % 4)) & 3);
    }
    let mut backends: Vec<Box<dyn Backend>> = vec![
        Box::new(crate::ScalarBackend),
        Box::new(crate::ParallelBackend::simd().with_min_chunk(33)),
    ];
    for level in crate::CpuLevel::available() {
        if let Some(simd) = crate::SimdBackend::with_level(level) {
            backends.push(Box::new(simd));
        }
    }
    for backend in backends.iter().filter(|b| b.supports(dialect)) {
        if let Err(failure) = check_batch(backend.as_ref(), dialect, &batch, &policy, "fuzz") {
            #[allow(clippy::panic, reason = "a violated property must crash the fuzzer")]
            {
                panic!("{failure}");
            }
        }
    }
}

/// The dialect [`fuzz_batch`]'s control byte picks.
fn fuzz_dialect(control: u8) -> Dialect {
    if control & 1 == 0 {
        Dialect::V2Kb
    } else {
        Dialect::Canonical
    }
}

/// Prepares one record as [`fuzz_batch`] describes (`mode` 0..=3).
fn prepare_record(dialect: Dialect, record: &mut [u8], mode: u8) {
    if mode >= 3 {
        make_fields_valid(dialect, record);
    }
    if mode >= 2 {
        write_header(dialect, record);
    }
    if mode >= 1 {
        seal(dialect, record);
    }
}

/// A valid risk level from the byte that holds it, and no reserved bit.
fn make_fields_valid(dialect: Dialect, record: &mut [u8]) {
    match dialect {
        Dialect::Canonical => {
            // The capability byte kept, the reserved byte cleared.
            let risk = record.get(canonical::field::RISK).copied().unwrap_or(0);
            let caps = record
                .get(canonical::field::FLAGS.end - 1)
                .copied()
                .unwrap_or(0);
            let mut d = canonical::Descriptor::new_unchecked(record);
            d.set_risk(RiskLevel::from_u8(risk % 5).unwrap_or(RiskLevel::Safe));
            d.set_capabilities(Capabilities::from_bits_truncate(u16::from(caps)));
        }
        _ => {
            // One risk bit, from the risk byte; the capability bits kept.
            let flags = record
                .get(v2_kb::field::FLAGS)
                .map_or(0, |f| u32::from_be_bytes(f.try_into().unwrap_or_default()));
            let flags = (flags & v2_kb::DEFINED_BITS & !0x1F) | 1 << ((flags & 0xFF) % 5);
            if let Some(f) = record.get_mut(v2_kb::field::FLAGS) {
                f.copy_from_slice(&flags.to_be_bytes());
            }
        }
    }
}

/// Writes the dialect's magic and version into a record.
fn write_header(dialect: Dialect, record: &mut [u8]) {
    match dialect {
        Dialect::Canonical => canonical::Descriptor::new_unchecked(record).set_header(),
        _ => {
            if let Some(m) = record.get_mut(v2_kb::field::MAGIC) {
                m.copy_from_slice(&v2_kb::MAGIC);
            }
            if let Some(v) = record.get_mut(v2_kb::field::VERSION) {
                v.copy_from_slice(&v2_kb::VERSION.to_be_bytes());
            }
        }
    }
}

/// Recomputes a record's checksum.
fn seal(dialect: Dialect, record: &mut [u8]) {
    match dialect {
        Dialect::Canonical => canonical::Descriptor::new_unchecked(record).fill_checksum(),
        _ => v2_kb::Descriptor::new_unchecked(record).fill_checksum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ScalarBackend;

    #[test]
    fn scalar_passes_its_own_harness() {
        let report = check_backend(&ScalarBackend).unwrap();
        assert!(report.dialects.contains(&Dialect::V2Kb));
        assert!(report.records > 10_000);
    }

    /// A backend that is wrong on purpose: the harness must catch it.
    struct OffByOne;
    impl Backend for OffByOne {
        fn name(&self) -> &'static str {
            "off-by-one"
        }
        fn kind(&self) -> crate::BackendKind {
            crate::BackendKind::Cpu
        }
        fn device(&self) -> String {
            String::new()
        }
        fn availability(&self) -> crate::Availability {
            crate::Availability::Available
        }
        fn supports(&self, d: Dialect) -> bool {
            d == Dialect::V2Kb
        }
        fn validate(
            &self,
            d: Dialect,
            input: &[u8],
            p: &Policy,
            out: &mut [u8],
        ) -> tcp_core::Result<()> {
            tcp_core::batch::validate_batch(d, input, p, out)?;
            let n = input.len() / 24;
            if n > 0 {
                out[n / 2] ^= 1;
            }
            Ok(())
        }
    }

    #[test]
    fn harness_catches_a_wrong_backend() {
        let err = check_backend(&OffByOne).unwrap_err();
        assert!(matches!(err, CheckFailure::Mismatch { .. }), "{err}");
    }

    /// The fuzz entry point's preparation gives whole steps of valid records
    /// (the kernels' fast paths) and lets faults through where asked; the
    /// machine's backends pass on both.
    #[test]
    fn fuzz_batch_prepares_valid_and_faulty_records() {
        let mut rng = Rng::new(3);
        for (control, prepare) in [
            (0u8, 0xFF),
            (1, 0xFF),
            (0, 0xB9),
            (0x41, 0x6E),
            (0x1E, 0xE4),
        ] {
            let mut data = vec![control, prepare];
            data.extend((0..24 * 70 + 5).map(|_| rng.byte()));
            fuzz_batch(&data);
            let dialect = fuzz_dialect(control);
            let mut batch = data[2..2 + 24 * 70].to_vec();
            for (i, r) in batch.chunks_exact_mut(24).enumerate() {
                prepare_record(dialect, r, prepare >> (2 * (i % 4)) & 3);
            }
            let mut out = vec![0u8; 70];
            tcp_core::batch::validate_batch(dialect, &batch, &Policy::default(), &mut out).unwrap();
            let valid = out.iter().filter(|s| *s & 0x80 == 0).count();
            if prepare == 0xFF {
                assert_eq!(valid, 70, "{dialect}: every record valid");
            } else {
                assert!(
                    valid > 0 && valid < 70,
                    "{dialect} {prepare:#x}: {valid} valid"
                );
            }
        }
    }

    #[test]
    fn corrupted_batches_hit_every_status() {
        let batch = records(Dialect::V2Kb, 5000, Mix::Corrupted, 1);
        let mut out = vec![0u8; 5000];
        tcp_core::batch::validate_batch(Dialect::V2Kb, &batch, &Policy::default(), &mut out)
            .unwrap();
        for code in [2u8, 3, 4, 5, 6, 7] {
            assert!(out.contains(&(0x80 | code)), "no record with error {code}");
        }
        let batch = records(Dialect::Canonical, 5000, Mix::Corrupted, 1);
        tcp_core::batch::validate_batch(Dialect::Canonical, &batch, &Policy::default(), &mut out)
            .unwrap();
        for code in [2u8, 3, 4, 7, 9] {
            assert!(out.contains(&(0x80 | code)), "no record with error {code}");
        }
    }
}
