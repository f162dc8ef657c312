//! Choosing a backend for a batch, and holding it while the batch runs.
//!
//! The rule ([`Selector::select`]), in order of preference for a batch of `n`
//! records in a dialect:
//!
//! 1. accelerators (`opencl`, `xrt`) if `n >= ACCELERATOR_MIN_RECORDS` and the
//!    device is not the host CPU (software OpenCL such as PoCL runs on the same
//!    cores as `simd`, measured 10–50× slower; it is chosen only by name or
//!    after [`Selector::calibrate`] measures it faster);
//! 2. `parallel` (SIMD over all cores) if `n >= PARALLEL_MIN_RECORDS`;
//! 3. `simd` if `n >= SIMD_MIN_RECORDS`;
//! 4. `scalar`, always.
//!
//! A candidate is taken only if it is available here, supports the dialect
//! and has a free reservation slot; every candidate passed over is reported
//! with the reason. The thresholds come from the measurements in the
//! `backends` bench (see BENCHMARKS.md): below 8 records the policy tables
//! cost more than the kernel saves. `parallel` pays for waking rayon's
//! threads: called back to back it beats one thread from 64K records (Zen 4,
//! 2 vCPUs: 4.65 against 3.17 G records/s), but a call that comes alone,
//! with the pool asleep, waits about 10 µs to wake a thread that then starts
//! 25–30 µs later, or later still (`examples/isolated_calls.rs`: 0.94× one
//! thread at 256K records, 0.98× at 1M); 256K is where the back-to-back
//! gain is large and the lone call's loss small. Accelerators pay a
//! transfer per batch and are only worth trying on the largest batches.
//! [`Selector::calibrate`] replaces the fixed order for large batches by
//! measured throughput on this machine.
//!
//! A [`Reservation`] is a counted slot per backend (one for accelerators and
//! for `parallel`, which uses every core; unlimited for single-thread CPU
//! backends), released on drop; it is `Send` and `Sync`.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use tcp_core::{Dialect, Policy};

use crate::testing::{Mix, records};
use crate::{Backend, BackendKind, ParallelBackend, ScalarBackend, SimdBackend};

/// Smallest batch for the `simd` backend.
pub const SIMD_MIN_RECORDS: usize = crate::cpu::MIN_KERNEL_RECORDS;
/// Smallest batch for the `parallel` backend.
pub const PARALLEL_MIN_RECORDS: usize = 256 * 1024;
/// Smallest batch for an accelerator.
pub const ACCELERATOR_MIN_RECORDS: usize = 4 * 1024 * 1024;

/// Every backend this build knows, available or not: scalar, simd, parallel,
/// and the accelerators compiled in.
pub fn all_backends() -> Vec<Arc<dyn Backend>> {
    #[allow(
        unused_mut,
        reason = "accelerators are pushed only when their features are on"
    )]
    let mut out: Vec<Arc<dyn Backend>> = vec![
        Arc::new(ScalarBackend),
        Arc::new(SimdBackend::new()),
        Arc::new(ParallelBackend::simd()),
    ];
    #[cfg(feature = "opencl")]
    out.push(Arc::new(crate::opencl::OpenClBackend::new()));
    #[cfg(feature = "xrt")]
    out.push(Arc::new(crate::xrt::XrtBackend::new()));
    out
}

/// The process-wide backends, probed once: an OpenCL context and its compiled
/// kernel, or an XRT device, are set up on first use and then reused by
/// [`backend_by_name`] and [`select`].
fn shared_backends() -> &'static [Arc<dyn Backend>] {
    static SHARED: OnceLock<Vec<Arc<dyn Backend>>> = OnceLock::new();
    SHARED.get_or_init(all_backends)
}

/// The process-wide backend with a name: probed once per process, then reused.
pub fn backend_by_name(name: &str) -> Option<Arc<dyn Backend>> {
    shared_backends()
        .iter()
        .find(|b| b.name().eq_ignore_ascii_case(name))
        .cloned()
}

/// A counted set of slots (a non-blocking semaphore).
#[derive(Debug)]
struct Slots {
    capacity: usize,
    held: AtomicUsize,
}

impl Slots {
    fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            capacity,
            held: AtomicUsize::new(0),
        })
    }

    fn try_acquire(self: &Arc<Self>) -> Option<Reservation> {
        self.held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |h| {
                (h < self.capacity).then_some(h + 1)
            })
            .ok()
            .map(|_| Reservation {
                slots: Arc::clone(self),
            })
    }
}

/// A held slot of a backend; released when dropped.
#[derive(Debug)]
#[must_use = "the reservation is released as soon as it is dropped"]
pub struct Reservation {
    slots: Arc<Slots>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.slots.held.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A backend passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Backend name.
    pub name: &'static str,
    /// Why it was not chosen.
    pub reason: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.reason)
    }
}

/// The outcome of [`Selector::select`]: the backend, its reservation, and the rest.
pub struct Selection {
    /// The chosen backend.
    pub backend: Arc<dyn Backend>,
    /// Held until the selection is dropped.
    pub reservation: Reservation,
    /// Candidates passed over, in order of preference, with reasons.
    pub rejected: Vec<Rejected>,
}

impl fmt::Debug for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Selection")
            .field("backend", &self.backend.name())
            .field("rejected", &self.rejected)
            .finish_non_exhaustive()
    }
}

struct Entry {
    backend: Arc<dyn Backend>,
    slots: Arc<Slots>,
    /// Smallest batch this backend is tried for.
    min_records: usize,
    /// Measured records per second, after [`Selector::calibrate`].
    measured: Option<f64>,
}

/// Chooses backends by the module's rule and hands out reservations.
pub struct Selector {
    entries: Vec<Entry>,
}

impl Default for Selector {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.entries
                    .iter()
                    .map(|e| (e.backend.name(), e.min_records, e.measured)),
            )
            .finish()
    }
}

impl Selector {
    /// Every backend of [`all_backends`], with the default thresholds and slots.
    pub fn new() -> Self {
        Self::with_backends(all_backends())
    }

    /// Given backends, each with the threshold and slot count of its kind and name.
    pub fn with_backends(backends: Vec<Arc<dyn Backend>>) -> Self {
        let entries = backends
            .into_iter()
            .map(|backend| {
                let (min_records, capacity) = match (backend.kind(), backend.name()) {
                    (BackendKind::OpenCl | BackendKind::Fpga, _) => (ACCELERATOR_MIN_RECORDS, 1),
                    (_, "parallel") => (PARALLEL_MIN_RECORDS, 1),
                    (BackendKind::Simd, _) => (SIMD_MIN_RECORDS, usize::MAX),
                    _ => (0, usize::MAX),
                };
                Entry {
                    backend,
                    slots: Slots::new(capacity),
                    min_records,
                    measured: None,
                }
            })
            .collect();
        let mut s = Self { entries };
        s.order();
        s
    }

    /// Sets a backend's threshold and slot count (for tests and tuning).
    pub fn configure(&mut self, name: &str, min_records: usize, slots: usize) {
        for e in self.entries.iter_mut().filter(|e| e.backend.name() == name) {
            e.min_records = min_records;
            e.slots = Slots::new(slots);
        }
        self.order();
    }

    /// Preference order: measured throughput where calibrated, else larger thresholds first.
    fn order(&mut self) {
        self.entries.sort_by(|a, b| match (a.measured, b.measured) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            _ => b.min_records.cmp(&a.min_records),
        });
    }

    /// Times every available backend on `records` generated v2-kb records
    /// (median of `rounds`) and prefers the fastest from then on, for batches
    /// at or above each backend's threshold. Returns (name, records/s).
    pub fn calibrate(&mut self, records_n: usize, rounds: usize) -> Vec<(&'static str, f64)> {
        let batch = records(Dialect::V2Kb, records_n, Mix::Valid, 0xCA11);
        let policy = Policy::default();
        let mut out = vec![0u8; records_n];
        let mut result = Vec::new();
        for e in &mut self.entries {
            if !e.backend.availability().is_available() || !e.backend.supports(Dialect::V2Kb) {
                continue;
            }
            let mut times = Vec::with_capacity(rounds.max(1));
            for _ in 0..rounds.max(1) {
                let t = Instant::now();
                if e.backend
                    .validate(Dialect::V2Kb, &batch, &policy, &mut out)
                    .is_err()
                {
                    break;
                }
                times.push(t.elapsed().as_secs_f64());
            }
            times.sort_by(f64::total_cmp);
            if let Some(&median) = times.get(times.len() / 2) {
                let rate = records_n as f64 / median.max(1e-12);
                e.measured = Some(rate);
                result.push((e.backend.name(), rate));
            }
        }
        // Uncalibrated backends (unavailable) go last.
        for e in &mut self.entries {
            e.measured.get_or_insert(0.0);
        }
        self.order();
        result
    }

    /// Reservations currently held on a backend.
    pub fn in_use(&self, name: &str) -> usize {
        self.entries
            .iter()
            .filter(|e| e.backend.name() == name)
            .map(|e| e.slots.held.load(Ordering::Acquire))
            .sum()
    }

    /// Chooses a backend for `records` records of `dialect` (see the module doc).
    ///
    /// Returns `None` only if no backend qualifies (never with the default
    /// set, where `scalar` always does); the rejections are then in the error.
    pub fn select(&self, dialect: Dialect, records_n: usize) -> Result<Selection, Vec<Rejected>> {
        let mut rejected = Vec::new();
        for e in &self.entries {
            let name = e.backend.name();
            let reason = if let crate::Availability::Unavailable { reason } =
                e.backend.availability()
            {
                format!("unavailable: {reason}")
            } else if !e.backend.supports(dialect) {
                format!("does not support {dialect}")
            } else if e.measured.is_none()
                && matches!(e.backend.kind(), BackendKind::OpenCl | BackendKind::Fpga)
                && e.backend.on_host_cpu()
            {
                "runs on the host CPU, not an accelerator; not preferred over the CPU backends unless calibrated faster".to_owned()
            } else if records_n < e.min_records {
                format!(
                    "{records_n} records is below its threshold of {}",
                    e.min_records
                )
            } else if let Some(reservation) = e.slots.try_acquire() {
                return Ok(Selection {
                    backend: Arc::clone(&e.backend),
                    reservation,
                    rejected,
                });
            } else {
                format!("busy: all {} reservation(s) held", e.slots.capacity)
            };
            rejected.push(Rejected { name, reason });
        }
        Err(rejected)
    }
}

/// Selects from a process-wide [`Selector`] over the process-wide backends (built on first use).
pub fn select(dialect: Dialect, records_n: usize) -> Result<Selection, Vec<Rejected>> {
    static GLOBAL: OnceLock<Selector> = OnceLock::new();
    GLOBAL
        .get_or_init(|| Selector::with_backends(shared_backends().to_vec()))
        .select(dialect, records_n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Availability, CpuLevel};
    use std::sync::atomic::AtomicBool;

    #[test]
    fn the_rule_by_batch_size() {
        let s = Selector::with_backends(vec![
            Arc::new(ScalarBackend),
            Arc::new(SimdBackend::new()),
            Arc::new(ParallelBackend::simd()),
        ]);
        let small = s.select(Dialect::V2Kb, 5).unwrap();
        assert_eq!(small.backend.name(), "scalar");
        assert_eq!(small.rejected.len(), 2);
        let simd_here = CpuLevel::detect() != CpuLevel::Portable;
        let mid = s.select(Dialect::V2Kb, 10_000).unwrap();
        assert_eq!(
            mid.backend.name(),
            if simd_here { "simd" } else { "scalar" }
        );
        let large = s.select(Dialect::V2Kb, 10_000_000).unwrap();
        assert_eq!(
            large.backend.name(),
            if simd_here { "parallel" } else { "scalar" }
        );
        // v3 deltas: only scalar takes them.
        let other = s.select(Dialect::V3Delta6, 10_000_000).unwrap();
        assert_eq!(other.backend.name(), "scalar");
        assert!(
            other
                .rejected
                .iter()
                .all(|r| r.reason.contains("support") || r.reason.contains("unavailable"))
        );
    }

    #[test]
    fn a_held_reservation_makes_the_next_caller_fall_back() {
        let s = Selector::with_backends(vec![
            Arc::new(ScalarBackend),
            Arc::new(ParallelBackend::new(ScalarBackend)),
        ]);
        let first = s.select(Dialect::V2Kb, 1 << 20).unwrap();
        assert_eq!(first.backend.name(), "parallel");
        assert_eq!(s.in_use("parallel"), 1);
        let second = s.select(Dialect::V2Kb, 1 << 20).unwrap();
        assert_eq!(second.backend.name(), "scalar");
        assert!(
            second
                .rejected
                .iter()
                .any(|r| r.name == "parallel" && r.reason.starts_with("busy"))
        );
        drop(first);
        assert_eq!(s.in_use("parallel"), 0);
        assert_eq!(
            s.select(Dialect::V2Kb, 1 << 20).unwrap().backend.name(),
            "parallel"
        );
    }

    /// Fails if two threads are inside `validate` at once.
    struct Exclusive(AtomicBool);
    impl Backend for Exclusive {
        fn name(&self) -> &'static str {
            "exclusive"
        }
        fn kind(&self) -> BackendKind {
            BackendKind::Fpga
        }
        fn device(&self) -> String {
            "test device".into()
        }
        fn availability(&self) -> Availability {
            Availability::Available
        }
        fn supports(&self, _: Dialect) -> bool {
            true
        }
        fn validate(&self, d: Dialect, i: &[u8], p: &Policy, o: &mut [u8]) -> tcp_core::Result<()> {
            assert!(!self.0.swap(true, Ordering::SeqCst), "two holders at once");
            std::thread::sleep(std::time::Duration::from_millis(1));
            let r = tcp_core::validate_batch(d, i, p, o).map(|_| ());
            self.0.store(false, Ordering::SeqCst);
            r
        }
    }

    #[test]
    fn reservations_are_exclusive_across_threads() {
        let mut s = Selector::with_backends(vec![
            Arc::new(ScalarBackend),
            Arc::new(Exclusive(AtomicBool::new(false))),
        ]);
        s.configure("exclusive", 0, 1);
        let batch = records(Dialect::V2Kb, 64, Mix::Valid, 1);
        let used = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..50 {
                        let sel = s.select(Dialect::V2Kb, 64).unwrap();
                        let mut out = [0u8; 64];
                        sel.backend
                            .validate(Dialect::V2Kb, &batch, &Policy::default(), &mut out)
                            .unwrap();
                        if sel.backend.name() == "exclusive" {
                            used.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert!(used.load(Ordering::Relaxed) > 0);
        assert_eq!(s.in_use("exclusive"), 0);
    }

    #[test]
    fn calibration_orders_by_measured_speed() {
        let mut s =
            Selector::with_backends(vec![Arc::new(ScalarBackend), Arc::new(SimdBackend::new())]);
        let rates = s.calibrate(4096, 3);
        assert!(rates.iter().any(|(n, r)| *n == "scalar" && *r > 0.0));
        assert!(s.select(Dialect::V2Kb, 4096).is_ok());
    }

    #[test]
    fn global_select_always_finds_one() {
        let sel = select(Dialect::Canonical, 1).unwrap();
        assert_eq!(sel.backend.name(), "scalar");
        assert!(backend_by_name("SIMD").is_some());
        assert!(all_backends().iter().any(|b| b.name() == "parallel"));
    }
}
