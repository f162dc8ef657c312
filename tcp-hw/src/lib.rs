//! tcp-hw: batch validation backends for TCP descriptors.
//!
//! One [`Backend`] trait; implementations: `scalar` (tcp-core's reference
//! itself), `simd` (runtime-dispatched x86_64 AVX-512/AVX2/SSE4.1, aarch64
//! NEON), `opencl` and `xrt`. A backend that cannot run here says why
//! ([`Availability::Unavailable`]) instead of pretending.
//!
//! Every backend writes, for each record, exactly the [`tcp_core::Status`]
//! byte that [`tcp_core::batch::validate_batch`] writes.
//!
//! - [`cpu`]: the `simd` backend (per-ISA kernels, level detected once;
//!   `TCP_HW_MAX_LEVEL` caps it for tests) and the `parallel` splitter.
//! - [`mod@select`]: which backend for a batch size, with reasons for the others,
//!   and RAII [`Reservation`]s.
//! - [`testing`]: the conformance harness every backend's tests run
//!   ([`testing::check_backend`]) and the batch generators.
//! - [`measure`]: real timings against the memory-read pass (`tcp bench`).

use tcp_core::{Dialect, Policy, Result};

pub mod cpu;
pub mod measure;
pub mod select;
pub mod testing;

pub use cpu::{CpuLevel, ParallelBackend, SimdBackend};
pub use select::{Rejected, Reservation, Selection, Selector, select};

mod last_built;
#[cfg(any(feature = "opencl", feature = "xrt"))]
mod offload;
#[cfg(feature = "opencl")]
pub mod opencl;
mod split;
#[cfg(feature = "xrt")]
pub mod xrt;

/// What kind of hardware a backend runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// Portable CPU code.
    Cpu,
    /// CPU vector instructions.
    Simd,
    /// A GPU or other OpenCL device (including PoCL on the CPU).
    OpenCl,
    /// A Xilinx FPGA through XRT (or XRT's emulation, labelled as such).
    Fpga,
}

/// Whether a backend can run here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// It can run.
    Available,
    /// It cannot run, and why (in the words of the layer that refused, where possible).
    Unavailable {
        /// Why not.
        reason: String,
    },
}

impl Availability {
    /// True if available.
    pub fn is_available(&self) -> bool {
        matches!(self, Self::Available)
    }

    /// Available if a backend's set-up succeeded, else the reason it failed.
    #[cfg(any(feature = "opencl", feature = "xrt"))]
    pub(crate) fn of<T>(setup: &std::result::Result<T, String>) -> Self {
        match setup {
            Ok(_) => Self::Available,
            Err(reason) => Self::Unavailable {
                reason: reason.clone(),
            },
        }
    }
}

/// A batch validator.
///
/// `input` is contiguous records of `dialect.record_len()` bytes; its length
/// must be a multiple of that (otherwise [`tcp_core::Error::WrongLength`]) and
/// `out` must hold one byte per record (otherwise
/// [`tcp_core::Error::OutputTooSmall`]); on error nothing is written.
pub trait Backend: Send + Sync {
    /// Short stable name (`scalar`, `simd`, `opencl`, `xrt`).
    fn name(&self) -> &'static str;
    /// The kind of hardware.
    fn kind(&self) -> BackendKind;
    /// What it runs on, for humans (CPU model and ISA level, device name, emulation label).
    fn device(&self) -> String;
    /// Whether it can run here, with the reason if not.
    fn availability(&self) -> Availability;
    /// True if the work runs on the host's own CPU cores (the CPU backends, and
    /// software OpenCL such as PoCL): such a backend competes with the SIMD
    /// backends for the same cores, so [`select`](crate::select::select) does not
    /// prefer it as an accelerator.
    fn on_host_cpu(&self) -> bool {
        matches!(self.kind(), BackendKind::Cpu | BackendKind::Simd)
    }
    /// How many threads one `validate` call works on: 1 for every backend
    /// but `parallel`. [`measure`] compares a backend with the read pass on
    /// as many threads.
    fn threads(&self) -> usize {
        1
    }
    /// True if the backend handles this dialect (others return an error from `validate`).
    fn supports(&self, dialect: Dialect) -> bool;
    /// Validates and decides every record into `out`.
    fn validate(
        &self,
        dialect: Dialect,
        input: &[u8],
        policy: &Policy,
        out: &mut [u8],
    ) -> Result<()>;
}

/// The portable reference: tcp-core's own batch validation, unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScalarBackend;

impl Backend for ScalarBackend {
    fn name(&self) -> &'static str {
        "scalar"
    }
    fn kind(&self) -> BackendKind {
        BackendKind::Cpu
    }
    fn device(&self) -> String {
        "portable Rust (tcp-core reference)".to_owned()
    }
    fn availability(&self) -> Availability {
        Availability::Available
    }
    fn supports(&self, _dialect: Dialect) -> bool {
        true
    }
    fn validate(
        &self,
        dialect: Dialect,
        input: &[u8],
        policy: &Policy,
        out: &mut [u8],
    ) -> Result<()> {
        tcp_core::batch::validate_batch(dialect, input, policy, out).map(|_| ())
    }
}
