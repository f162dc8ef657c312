//! The OpenCL backend: `kernels/validate.cl`, built at run time for the
//! chosen device.
//!
//! The OpenCL library (the ICD loader, `libOpenCL.so.1`) is opened at run
//! time (opencl3's `dynamic` feature), so libtcp links and runs where there
//! is none; the backend then reports [`Availability::Unavailable`] with the
//! loader's or the platform layer's own error.
//!
//! Device buffers are kept between calls and grown when a batch is larger.
//! A large batch is cut into chunks that alternate between two in-order
//! queues, so the upload of one chunk overlaps the kernel and download of the
//! previous one.
//!
//! Device choice: `TCP_OPENCL_DEVICE` (a case-insensitive substring of
//! "device (kind) on platform") if set, otherwise the first GPU, then accelerator,
//! then any device.

use std::fmt::Write as _;
use std::sync::Mutex;

use opencl3::command_queue::{CL_QUEUE_PROFILING_ENABLE, CommandQueue};
use opencl3::context::Context;
use opencl3::device::{CL_DEVICE_TYPE_ACCELERATOR, CL_DEVICE_TYPE_ALL, CL_DEVICE_TYPE_GPU, Device};
use opencl3::event::Event;
use opencl3::kernel::Kernel;
use opencl3::memory::{Buffer, CL_MEM_READ_ONLY, CL_MEM_WRITE_ONLY, ClMem};
use opencl3::platform::get_platforms;
use opencl3::program::Program;
use opencl3::types::{CL_NON_BLOCKING, cl_device_type, cl_uint};
use tcp_core::{Dialect, Error, Policy, Result};

use crate::offload::{KernelDialect, TABLE_LEN, TableCache, check_shape, unsupported};
use crate::{Availability, Backend, BackendKind};

/// The kernel source, as built on the device at run time.
pub const KERNEL_SOURCE: &str = include_str!("../../kernels/validate.cl");
/// The kernel's entry point.
pub const KERNEL_NAME: &str = "tcp_validate";
/// Environment variable that picks a device by name.
pub const DEVICE_ENV: &str = "TCP_OPENCL_DEVICE";

/// Record size of the dialects the kernel implements.
const RECORD_LEN: usize = 24;
/// Work-group size asked for (capped by the device and kernel).
const WORK_GROUP: usize = 256;

/// Tunables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenClOptions {
    /// Substring of "device (kind) on platform" that picks the device (`None`: best available).
    pub device: Option<String>,
    /// Records per chunk when a batch is split for transfer/compute overlap.
    pub chunk_records: usize,
}

impl Default for OpenClOptions {
    fn default() -> Self {
        Self {
            device: std::env::var(DEVICE_ENV).ok().filter(|s| !s.is_empty()),
            chunk_records: 1 << 20,
        }
    }
}

/// The OpenCL backend (see the module docs).
pub struct OpenClBackend {
    state: std::result::Result<Ready, String>,
}

impl core::fmt::Debug for OpenClBackend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OpenClBackend")
            .field("device", &self.device())
            .field("availability", &self.availability())
            .finish()
    }
}

struct Ready {
    label: String,
    /// The device is the host CPU (e.g. PoCL), not an accelerator.
    on_host_cpu: bool,
    context: Context,
    queues: [CommandQueue; 2],
    work_group: usize,
    chunk_records: usize,
    buffers: Mutex<Buffers>,
}

/// What one call needs on the device; kept and reused.
struct Buffers {
    kernel: Kernel,
    capacity: usize,
    records: Option<Buffer<u8>>,
    status: Option<Buffer<u8>>,
    table: Buffer<u8>,
    tables: TableCache,
    last: Option<Timings>,
}

/// Device-side timings of one [`validate`](Backend::validate) call, from
/// OpenCL profiling events (nanoseconds on the device's clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timings {
    /// Records in the batch.
    pub records: usize,
    /// Chunks the batch was cut into.
    pub chunks: usize,
    /// Host-to-device copies, summed.
    pub upload_ns: u64,
    /// Kernel executions, summed: the device-resident cost of the batch.
    pub kernel_ns: u64,
    /// Device-to-host copies, summed.
    pub download_ns: u64,
    /// First start to last end: less than the sum where transfers and
    /// compute overlapped.
    pub span_ns: u64,
}

impl Timings {
    fn from_events(records: usize, events: &[[Event; 3]]) -> Option<Self> {
        let mut t = Self {
            records,
            chunks: events.len(),
            ..Self::default()
        };
        let (mut first, mut last) = (u64::MAX, 0u64);
        for chunk in events {
            for (i, e) in chunk.iter().enumerate() {
                let (start, end) = (
                    e.profiling_command_start().ok()?,
                    e.profiling_command_end().ok()?,
                );
                let d = end.saturating_sub(start);
                match i {
                    0 => t.upload_ns += d,
                    1 => t.kernel_ns += d,
                    _ => t.download_ns += d,
                }
                first = first.min(start);
                last = last.max(end);
            }
        }
        t.span_ns = last.saturating_sub(first);
        Some(t)
    }
}

impl OpenClBackend {
    /// Opens the preferred device with default options.
    pub fn new() -> Self {
        Self::with_options(&OpenClOptions::default())
    }

    /// Opens a device as `options` say.
    pub fn with_options(options: &OpenClOptions) -> Self {
        Self {
            state: Ready::open(options),
        }
    }

    /// Device-side timings of the last successful call (`None` before one,
    /// or if the device gave no profiling information).
    pub fn last_timings(&self) -> Option<Timings> {
        let ready = self.state.as_ref().ok()?;
        ready.buffers.lock().ok()?.last
    }

    /// The platforms and devices OpenCL reports here, one line each, or why none.
    pub fn list_devices() -> std::result::Result<Vec<String>, String> {
        Ok(candidates()?.into_iter().map(|c| c.label).collect())
    }
}

impl Default for OpenClBackend {
    fn default() -> Self {
        Self::new()
    }
}

struct Candidate {
    label: String,
    device: Device,
    rank: u8,
}

fn cl_err(what: &str, e: impl core::fmt::Display) -> String {
    format!("{what}: {e}")
}

/// Every device of every platform, best first.
fn candidates() -> std::result::Result<Vec<Candidate>, String> {
    // The loader's own words when libOpenCL cannot be opened.
    if let Err(e) = cl3::load_library() {
        return Err(format!(
            "OpenCL ICD loader (libOpenCL.so.1) not loadable: {e}"
        ));
    }
    let platforms = get_platforms().map_err(|e| cl_err("clGetPlatformIDs", e))?;
    if platforms.is_empty() {
        return Err("clGetPlatformIDs: no OpenCL platform".to_owned());
    }
    let mut out = Vec::new();
    for p in &platforms {
        let pname = p.name().unwrap_or_else(|e| format!("<platform name: {e}>"));
        // A platform without devices reports CL_DEVICE_NOT_FOUND: skip it.
        let Ok(ids) = p.get_devices(CL_DEVICE_TYPE_ALL) else {
            continue;
        };
        for id in ids {
            let device = Device::new(id);
            let dtype: cl_device_type = device.dev_type().unwrap_or(0);
            let rank = if dtype & CL_DEVICE_TYPE_GPU != 0 {
                0
            } else if dtype & CL_DEVICE_TYPE_ACCELERATOR != 0 {
                1
            } else {
                2
            };
            let dname = device
                .name()
                .unwrap_or_else(|e| format!("<device name: {e}>"));
            let kind = match rank {
                0 => "GPU",
                1 => "accelerator",
                _ => "CPU",
            };
            out.push(Candidate {
                label: format!("{dname} ({kind}) on {pname}"),
                device,
                rank,
            });
        }
    }
    if out.is_empty() {
        return Err(format!(
            "clGetDeviceIDs: no OpenCL device on {} platform(s)",
            platforms.len()
        ));
    }
    out.sort_by_key(|c| c.rank);
    Ok(out)
}

impl Ready {
    fn open(options: &OpenClOptions) -> std::result::Result<Self, String> {
        let all = candidates()?;
        let chosen = match &options.device {
            Some(want) => {
                let want_lc = want.to_lowercase();
                all.into_iter()
                    .find(|c| c.label.to_lowercase().contains(&want_lc))
                    .ok_or_else(|| format!("{DEVICE_ENV}={want:?} matches no OpenCL device"))?
            }
            None => all
                .into_iter()
                .next()
                .ok_or_else(|| "no OpenCL device".to_owned())?,
        };
        let device = chosen.device;
        if !device.endian_little().unwrap_or(false) {
            return Err(format!(
                "{}: big-endian device; the kernel reads little-endian words",
                chosen.label
            ));
        }
        let context = Context::from_device(&device).map_err(|e| cl_err("clCreateContext", e))?;
        let program = Program::create_and_build_from_source(&context, KERNEL_SOURCE, "")
            .map_err(|e| format!("building kernels/validate.cl for {}: {e}", chosen.label))?;
        let kernel =
            Kernel::create(&program, KERNEL_NAME).map_err(|e| cl_err("clCreateKernel", e))?;
        let work_group = kernel
            .get_work_group_size(device.id())
            .map_err(|e| cl_err("clGetKernelWorkGroupInfo", e))?
            .clamp(1, WORK_GROUP);
        let queue = || {
            CommandQueue::create_default_with_properties(&context, CL_QUEUE_PROFILING_ENABLE, 0)
                .map_err(|e| cl_err("clCreateCommandQueueWithProperties", e))
        };
        let queues = [queue()?, queue()?];
        // SAFETY: no host pointer; the size is the table's.
        let table = unsafe {
            Buffer::<u8>::create(&context, CL_MEM_READ_ONLY, TABLE_LEN, core::ptr::null_mut())
        }
        .map_err(|e| cl_err("clCreateBuffer", e))?;
        let mut label = chosen.label;
        if let Ok(v) = device.driver_version() {
            let _ = write!(label, ", driver {v}");
        }
        if chosen.rank == 2 {
            label.push_str(" — software OpenCL on the host CPU, not an accelerator");
        }
        Ok(Self {
            label,
            on_host_cpu: chosen.rank == 2,
            context,
            queues,
            work_group,
            chunk_records: options.chunk_records.max(1),
            buffers: Mutex::new(Buffers {
                kernel,
                capacity: 0,
                records: None,
                status: None,
                table,
                tables: TableCache::default(),
                last: None,
            }),
        })
    }

    fn run(
        &self,
        dialect: KernelDialect,
        input: &[u8],
        policy: &Policy,
        out: &mut [u8],
    ) -> Result<()> {
        let n = input.len() / RECORD_LEN;
        if n == 0 {
            return Ok(());
        }
        let end = cl_uint::try_from(n).map_err(|_| Error::BadInput {
            detail: format!("opencl: {n} records exceed the kernel's 32-bit index"),
        })?;
        let mut guard = self
            .buffers
            .lock()
            .map_err(|_| device_error("buffer lock poisoned"))?;
        let b = &mut *guard;
        if b.capacity < n {
            // Drop the old buffers before allocating bigger ones.
            b.records = None;
            b.status = None;
            // SAFETY: no host pointers; sizes in bytes.
            let records = unsafe {
                Buffer::<u8>::create(
                    &self.context,
                    CL_MEM_READ_ONLY,
                    n * RECORD_LEN,
                    core::ptr::null_mut(),
                )
            }
            .map_err(|e| device_error(&cl_err("clCreateBuffer", e)))?;
            // SAFETY: as above.
            let status = unsafe {
                Buffer::<u8>::create(&self.context, CL_MEM_WRITE_ONLY, n, core::ptr::null_mut())
            }
            .map_err(|e| device_error(&cl_err("clCreateBuffer", e)))?;
            b.records = Some(records);
            b.status = Some(status);
            b.capacity = n;
        }
        let (table, fresh) = b.tables.table(dialect, policy);
        if fresh {
            // SAFETY: blocking write of exactly TABLE_LEN bytes into a TABLE_LEN buffer.
            unsafe {
                self.queues[0].enqueue_write_buffer(
                    &mut b.table,
                    opencl3::types::CL_BLOCKING,
                    0,
                    table.as_bytes(),
                    &[],
                )
            }
            .map_err(|e| device_error(&cl_err("clEnqueueWriteBuffer", e)))?;
        }
        b.last = None;
        let mut events = Vec::new();
        let result = self.enqueue_chunks(b, dialect, input, out, end, &mut events);
        // Whatever happened, nothing may still be reading `input` or writing
        // `out` once this returns.
        let drained = self
            .queues
            .iter()
            .map(CommandQueue::finish)
            .find_map(std::result::Result::err);
        result?;
        if let Some(e) = drained {
            return Err(device_error(&cl_err("clFinish", e)));
        }
        b.last = Timings::from_events(n, &events);
        Ok(())
    }

    fn enqueue_chunks(
        &self,
        b: &mut Buffers,
        dialect: KernelDialect,
        input: &[u8],
        out: &mut [u8],
        end: cl_uint,
        events: &mut Vec<[Event; 3]>,
    ) -> Result<()> {
        let (Some(records), Some(status)) = (b.records.as_mut(), b.status.as_ref()) else {
            return Err(device_error("device buffers missing"));
        };
        let k = &b.kernel;
        let code = dialect.code();
        // SAFETY: argument types match the kernel's parameters (two buffers,
        // a __constant buffer, two uints).
        unsafe {
            k.set_arg(0, &records.get())
                .and_then(|()| k.set_arg(1, &status.get()))
                .and_then(|()| k.set_arg(2, &b.table.get()))
                .and_then(|()| k.set_arg(3, &end))
                .and_then(|()| k.set_arg(4, &code))
        }
        .map_err(|e| device_error(&cl_err("clSetKernelArg", e)))?;
        let chunk = self.chunk_records;
        let wg = self.work_group;
        // Chunk c goes to queue c % 2.
        for ((c, (src, dst)), queue) in input
            .chunks(chunk * RECORD_LEN)
            .zip(out.chunks_mut(chunk))
            .enumerate()
            .zip(self.queues.iter().cycle())
        {
            let first = c * chunk;
            let count = src.len() / RECORD_LEN;
            // SAFETY: `src` and `dst` outlive the call (run() finishes both
            // queues before returning); offsets and sizes are inside the buffers.
            unsafe {
                let upload = queue
                    .enqueue_write_buffer(records, CL_NON_BLOCKING, first * RECORD_LEN, src, &[])
                    .map_err(|e| device_error(&cl_err("clEnqueueWriteBuffer", e)))?;
                let offset = [first];
                let global = [count.div_ceil(wg) * wg];
                let local = [wg];
                let kernel = queue
                    .enqueue_nd_range_kernel(
                        k.get(),
                        1,
                        offset.as_ptr(),
                        global.as_ptr(),
                        local.as_ptr(),
                        &[],
                    )
                    .map_err(|e| device_error(&cl_err("clEnqueueNDRangeKernel", e)))?;
                let download = queue
                    .enqueue_read_buffer(status, CL_NON_BLOCKING, first, dst, &[])
                    .map_err(|e| device_error(&cl_err("clEnqueueReadBuffer", e)))?;
                events.push([upload, kernel, download]);
                queue
                    .flush()
                    .map_err(|e| device_error(&cl_err("clFlush", e)))?;
            }
        }
        Ok(())
    }
}

fn device_error(detail: &str) -> Error {
    Error::Io {
        detail: format!("opencl: {detail}"),
    }
}

impl Backend for OpenClBackend {
    fn name(&self) -> &'static str {
        "opencl"
    }
    fn kind(&self) -> BackendKind {
        BackendKind::OpenCl
    }
    fn device(&self) -> String {
        match &self.state {
            Ok(r) => r.label.clone(),
            Err(_) => "no OpenCL device".to_owned(),
        }
    }
    fn on_host_cpu(&self) -> bool {
        self.state.as_ref().is_ok_and(|r| r.on_host_cpu)
    }
    fn availability(&self) -> Availability {
        Availability::of(&self.state)
    }
    fn supports(&self, dialect: Dialect) -> bool {
        KernelDialect::of(dialect).is_some()
    }
    fn validate(
        &self,
        dialect: Dialect,
        input: &[u8],
        policy: &Policy,
        out: &mut [u8],
    ) -> Result<()> {
        let kd = KernelDialect::of(dialect).ok_or_else(|| unsupported("opencl", dialect))?;
        let n = check_shape(dialect, input, out)?;
        let ready = self.state.as_ref().map_err(|reason| Error::Io {
            detail: format!("opencl backend unavailable: {reason}"),
        })?;
        ready.run(kd, input, policy, out.get_mut(..n).unwrap_or_default())
    }
}
