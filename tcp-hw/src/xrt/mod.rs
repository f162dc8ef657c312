//! The Xilinx FPGA backend, through XRT's native C API.
//!
//! The kernel is `kernels/xrt/tcp_validate.cpp` (Vitis HLS C++); an xclbin
//! built from it by `v++` is loaded at run time from an explicit path
//! ([`XrtConfig::xclbin`], or `TCP_XRT_XCLBIN`). `libxrt_coreutil` is opened
//! with libloading ([`XrtConfig::library`], or `TCP_XRT_LIBRARY`), so libtcp
//! runs where XRT is absent and the backend reports why it is unavailable.
//!
//! Host flow, every return code checked: discovery (`xrt::system::enumerate_devices`
//! where exported, else `xrtDeviceOpen` on indices 0, 1, … until XRT refuses),
//! `xrtDeviceOpen`, `xrtDeviceLoadXclbinFile`,
//! `xrtDeviceGetXclbinUUID`, `xrtPLKernelOpen`, `xrtKernelArgGroupId`,
//! `xrtBOAlloc` (two sets, reused across calls), `xrtBOMap`, `xrtBOSync`,
//! `xrtRunOpen`, `xrtRunSetArg`, `xrtRunStart`, `xrtRunWait`. A batch is cut
//! into chunks; while the kernel runs on one, the next is packed and synced.
//!
//! Records are packed into 32-byte slots (one 256-bit AXI beat each: see
//! `kernels/xrt/tcp_validate.h`).
//!
//! XRT's messages: XRT 2.x reports errors through its own logger, not
//! return values. When the library is XRT's (it exports `xrtIniStringSet`)
//! the backend points `Runtime.runtime_log` at a file (`TCP_XRT_LOG`, else
//! `libtcp-xrt-<pid>.log` in the temporary directory) and quotes XRT's own
//! words from it in [`Availability::Unavailable`]. XRT reads that setting once
//! per process, so this redirects XRT's log for the whole process.
//!
//! XRT 2.13 (Debian's `libxrt1`) finds its shim library as
//! `$XILINX_XRT/lib/lib<shim>.so.2`; if that fails while it is logging, it
//! throws through a `noexcept` frame and `std::terminate` aborts the whole
//! process. The backend therefore checks that precondition first and
//! reports it instead of calling XRT. Debian puts the libraries in
//! `/usr/lib/<triplet>`; `scripts/install-accel-deps.sh` makes
//! `/opt/xilinx/xrt/lib` point there, so `XILINX_XRT=/opt/xilinx/xrt` works.
//!
//! Emulation: with `XCL_EMULATION_MODE` set, the backend labels itself as
//! emulation, never as an FPGA. XRT's software emulation cannot run from
//! Debian's packages alone: `libxrt_swemu` loads an xclbin by launching
//! `$XILINX_VITIS/data/emulation/unified/cpu_em/generic_pcie/model/genericpciemodel`,
//! a device-model process shipped with the Vitis tools (not with XRT), and
//! Debian's `xclbinutil` is a wrapper whose binary (`/usr/bin/unwrapped/xclbinutil`)
//! is not packaged, so no xclbin can be assembled either (XRT source:
//! `core/pcie/emulation/cpu_em/generic_pcie_hal2/shim.cxx`,
//! `CpuemShim::launchDeviceProcess`). Without an emconfig.json, XRT 2.13
//! opens a default emulated device in sw_emu mode; loading an xclbin then
//! makes XRT exit the host process when the model is missing, so the backend
//! looks for the model first and reports its absence. The host path is
//! tested against a stand-in library that implements the calls above around
//! the same kernel source (`tests/support/xrt_standin.cpp`).

mod ffi;

use std::ffi::{CString, c_int, c_uint};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use tcp_core::{Dialect, Error, Policy, Result};

use crate::offload::{KernelDialect, TABLE_LEN, TableCache, check_shape, unsupported};
use crate::{Availability, Backend, BackendKind};
use ffi::{Api, Handle};

/// The kernel's name in the xclbin.
pub const KERNEL_NAME: &str = "tcp_validate";
/// Environment variable naming the xclbin.
pub const XCLBIN_ENV: &str = "TCP_XRT_XCLBIN";
/// Environment variable naming the XRT library to open instead of `libxrt_coreutil`.
pub const LIBRARY_ENV: &str = "TCP_XRT_LIBRARY";
/// Environment variable naming the file XRT's log goes to (kept).
pub const LOG_ENV: &str = "TCP_XRT_LOG";
/// Environment variable choosing the device index (default 0).
pub const DEVICE_ENV: &str = "TCP_XRT_DEVICE";
/// Bytes per record slot in device memory.
pub const SLOT_BYTES: usize = 32;
/// The libraries tried, in order, when none is configured.
pub const DEFAULT_LIBRARIES: [&str; 2] = ["libxrt_coreutil.so.2", "libxrt_coreutil.so"];

const RECORD_LEN: usize = 24;
const MAX_DEVICES: c_uint = 64;

/// Where to find XRT, the device and the xclbin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XrtConfig {
    /// The library implementing XRT's C API (`None`: [`DEFAULT_LIBRARIES`]).
    pub library: Option<PathBuf>,
    /// The xclbin holding the `tcp_validate` kernel.
    pub xclbin: Option<PathBuf>,
    /// Device index.
    pub device_index: u32,
    /// Records per chunk (each chunk runs the kernel once).
    pub chunk_records: usize,
    /// File XRT's log is sent to (`TCP_XRT_LOG`; `None`: `libtcp-xrt-<pid>.log`
    /// in the temporary directory). XRT takes it once per process: the first
    /// backend that opens XRT's library sets it for all later ones.
    pub log: Option<PathBuf>,
}

impl Default for XrtConfig {
    /// From `TCP_XRT_LIBRARY`, `TCP_XRT_XCLBIN` and `TCP_XRT_DEVICE`.
    fn default() -> Self {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        Self {
            library: var(LIBRARY_ENV).map(PathBuf::from),
            xclbin: var(XCLBIN_ENV).map(PathBuf::from),
            device_index: var(DEVICE_ENV)
                .and_then(|v| v.to_str().and_then(|s| s.parse().ok()))
                .unwrap_or(0),
            chunk_records: 1 << 20,
            log: var(LOG_ENV).map(PathBuf::from),
        }
    }
}

/// The XRT backend (see the module docs).
pub struct XrtBackend {
    state: std::result::Result<Ready, String>,
    /// Devices discovery found (`None` if XRT could not be asked).
    devices: Option<u32>,
}

impl core::fmt::Debug for XrtBackend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("XrtBackend")
            .field("device", &self.device())
            .field("devices", &self.devices)
            .field("availability", &self.availability())
            .finish()
    }
}

struct Ready {
    label: String,
    chunk_records: usize,
    inner: Mutex<Session>,
}

/// Everything XRT handed out; closed in reverse order on drop.
struct Session {
    api: Api,
    device: Handle,
    kernel: Handle,
    groups: [u32; 3],
    sets: [Option<BufferSet>; 2],
    capacity: usize,
    table: Option<Bo>,
    tables: TableCache,
}

// SAFETY: XRT handles may be used from any thread; the session is only
// touched under the backend's mutex.
unsafe impl Send for Session {}

/// A buffer object and its host mapping.
struct Bo {
    handle: Handle,
    map: *mut u8,
    len: usize,
}

struct BufferSet {
    slots: Bo,
    status: Bo,
}

impl XrtBackend {
    /// Opens XRT as the environment says ([`XrtConfig::default`]).
    pub fn new() -> Self {
        Self::with_config(&XrtConfig::default())
    }

    /// Opens XRT as `config` says.
    pub fn with_config(config: &XrtConfig) -> Self {
        let mut devices = None;
        let state = Ready::open(config, &mut devices);
        Self { state, devices }
    }

    /// How many devices discovery found (`None` if XRT could not be asked).
    pub fn devices_found(&self) -> Option<u32> {
        self.devices
    }
}

impl Default for XrtBackend {
    fn default() -> Self {
        Self::new()
    }
}

/// Packs records into the kernel's 32-byte slots (24 bytes, then 8 zeros);
/// `out` must hold `input.len() / 24 * 32` bytes.
pub fn pack_slots(input: &[u8], out: &mut [u8]) {
    for (record, slot) in input
        .chunks_exact(RECORD_LEN)
        .zip(out.chunks_exact_mut(SLOT_BYTES))
    {
        let (head, tail) = slot.split_at_mut(RECORD_LEN);
        head.copy_from_slice(record);
        tail.fill(0);
    }
}

/// The decision table the host hands the kernel for `dialect` under `policy`
/// (for C simulation of the kernel outside this backend).
pub fn kernel_table(dialect: Dialect, policy: &Policy) -> Result<Vec<u8>> {
    let kd = KernelDialect::of(dialect).ok_or_else(|| unsupported("xrt", dialect))?;
    Ok(crate::offload::DecisionTable::new(kd, policy)
        .as_bytes()
        .to_vec())
}

/// The number the kernel's `dialect` argument takes for `dialect`.
pub fn kernel_dialect_code(dialect: Dialect) -> Option<u32> {
    KernelDialect::of(dialect).map(KernelDialect::code)
}

/// XRT's shim library for the emulation mode in the environment.
fn shim_name() -> std::result::Result<&'static str, String> {
    match std::env::var("XCL_EMULATION_MODE").ok().as_deref() {
        None => Ok("xrt_core"),
        Some("sw_emu") => Ok("xrt_swemu"),
        Some("hw_emu") => Ok("xrt_hwemu"),
        Some("noop") => Ok("xrt_noop"),
        Some(other) => Err(format!(
            "XCL_EMULATION_MODE={other:?} is not a mode XRT knows"
        )),
    }
}

/// The precondition without which XRT 2.13 aborts the process (module docs).
fn check_xrt_root() -> std::result::Result<(), String> {
    let shim = shim_name()?;
    let root = std::env::var_os("XILINX_XRT")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            "XILINX_XRT not set (XRT's words; XRT 2.13 needs it to find its shim \
         library and aborts the process without it, so it was not called; \
         scripts/install-accel-deps.sh prepares XILINX_XRT=/opt/xilinx/xrt)"
                .to_owned()
        })?;
    let path = Path::new(&root).join(format!("lib/lib{shim}.so.2"));
    if path.is_file() {
        Ok(())
    } else {
        Err(format!(
            "No such library '{}' (XRT's words; XRT 2.13 would abort the process, so it was not called)",
            path.display()
        ))
    }
}

/// Under `XCL_EMULATION_MODE=sw_emu`, loading an xclbin makes XRT 2.13 fork
/// the Vitis device model; without it XRT prints "[SW-EM 10] …" in the child,
/// "[SDx-EM 08-0] Failed to connect to device process" in the parent, and
/// exits the host process. Checked first, with XRT's own search order.
fn check_sw_emu_model() -> std::result::Result<(), String> {
    if std::env::var("XCL_EMULATION_MODE").ok().as_deref() != Some("sw_emu") {
        return Ok(());
    }
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if var("USER").is_none() {
        return Err("XRT sw_emu needs $USER set ([SW-EMU 22]; XRT exits the process without it), so it was not asked".to_owned());
    }
    let mut install = var("XILINX_VITIS").or_else(|| var("XILINX_SCOUT"));
    match var("XILINX_SDX") {
        Some(sdx) if install.is_none() => install = Some(sdx),
        _ => {
            if let Some(ocl) = var("XILINX_OPENCL") {
                install = Some(ocl);
            }
        }
    }
    const MODEL: &str = "data/emulation/unified/cpu_em/generic_pcie/model/genericpciemodel";
    let missing = match install {
        None => format!("$XILINX_VITIS/{MODEL} (XILINX_VITIS is not set)"),
        Some(root) => {
            let model = Path::new(&root).join(MODEL);
            if model.is_file() {
                return Ok(());
            }
            model.display().to_string()
        }
    };
    Err(format!(
        "XRT sw_emu cannot run the kernel here: XRT runs it in Vitis's device model \
         {missing}, which is part of the Vitis tools, not of XRT, and is not there; \
         XRT 2.13 would exit the process (\"[SW-EM 10] Please make sure that the \
         XILINX_VITIS environment variable is set correctly\", \"[SDx-EM 08-0] Failed \
         to connect to device process\"), so the xclbin was not loaded (emulation, not an FPGA)"
    ))
}

/// Reads what XRT wrote to its log since `from`, error lines first.
fn xrt_said(log: &Path, from: u64) -> String {
    let text = std::fs::read(log).unwrap_or_default();
    // XRT truncates the file when its logger first opens it: then all of it is new.
    let start = if (text.len() as u64) < from {
        0
    } else {
        from as usize
    };
    let text = String::from_utf8_lossy(text.get(start..).unwrap_or(&[])).into_owned();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("[XRT]"))
        .map(|l| {
            let rest = l.split_once("[XRT]").map_or(l, |(_, rest)| rest).trim();
            // Drop the logger's "Tid: N," prefix.
            match rest.strip_prefix("Tid:").and_then(|r| r.split_once(',')) {
                Some((_, msg)) => msg.trim(),
                None => rest,
            }
        })
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!("XRT: {}", lines.join(" | "))
    }
}

fn log_len(log: Option<&Path>) -> u64 {
    log.and_then(|l| std::fs::metadata(l).ok())
        .map_or(0, |m| m.len())
}

/// Points XRT's log at a file, once per process; the file, if XRT took it.
fn xrt_log(ini: ffi::IniStringSet, config: &XrtConfig) -> &'static Option<PathBuf> {
    static LOG: OnceLock<Option<PathBuf>> = OnceLock::new();
    LOG.get_or_init(|| {
        let path = config.log.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("libtcp-xrt-{}.log", std::process::id()))
        });
        // Start empty, so offsets into it only grow while this process runs.
        let _ = std::fs::File::create(&path);
        let value = CString::new(path.to_string_lossy().as_bytes()).ok()?;
        // SAFETY: two NUL-terminated strings.
        let rc = unsafe { ini(c"Runtime.runtime_log".as_ptr(), value.as_ptr()) };
        (rc == 0).then_some(path)
    })
}

/// `what` failed; XRT's words from its log, else errno.
fn failure(what: &str, log: Option<&Path>, from: u64) -> String {
    let errno = std::io::Error::last_os_error();
    let said = log.map(|l| xrt_said(l, from)).unwrap_or_default();
    if said.is_empty() {
        format!("{what} failed (errno: {errno})")
    } else {
        format!("{what} failed: {said}")
    }
}

impl Ready {
    fn open(config: &XrtConfig, devices: &mut Option<u32>) -> std::result::Result<Self, String> {
        let (api, opened) = Api::load(config.library.as_deref(), &DEFAULT_LIBRARIES)
            .map_err(|e| format!("XRT library not loadable: {e}"))?;
        let is_xrt = api.ini_string_set.is_some();
        let mut log = None;
        if let Some(ini) = api.ini_string_set {
            check_xrt_root()?;
            log = xrt_log(ini, config).as_deref();
        }

        // Discovery: XRT's own count where the library has it, else open
        // indices until XRT refuses.
        let listed = api.enumerate_devices.map(|count| {
            // SAFETY: no arguments; XRT's precondition was checked above.
            unsafe { count() }
        });
        let mut chosen = None;
        let mut count = 0;
        let mut refusal = String::new();
        for index in 0..listed
            .unwrap_or(MAX_DEVICES)
            .max(config.device_index + 1)
            .min(MAX_DEVICES)
        {
            if listed.is_some_and(|l| index >= l) && index != config.device_index {
                continue;
            }
            let from = log_len(log);
            // SAFETY: plain index argument; a null return is XRT's refusal.
            let handle = unsafe { (api.device_open)(index) };
            if handle.is_null() {
                refusal = failure(&format!("xrtDeviceOpen({index})"), log, from);
                break;
            }
            count += 1;
            if index == config.device_index {
                chosen = Some(handle);
            } else {
                // SAFETY: a handle XRT just returned.
                let _ = unsafe { (api.device_close)(handle) };
            }
        }
        // Under emulation XRT opens its default device even when
        // enumerate_devices() counts none: count what opened too.
        let count = listed.map_or(count, |l| l.max(count));
        *devices = Some(count);
        let Some(device) = chosen else {
            let listed_note = listed.map_or_else(String::new, |l| {
                format!(" (xrt::system::enumerate_devices() = {l})")
            });
            return Err(if count == 0 {
                format!("XRT found no device{listed_note}: {refusal}")
            } else {
                format!(
                    "XRT found {count} device(s){listed_note}; none has index {}: {refusal}",
                    config.device_index
                )
            });
        };
        let mut session = Session {
            api,
            device,
            kernel: core::ptr::null_mut(),
            groups: [0; 3],
            sets: [None, None],
            capacity: 0,
            table: None,
            tables: TableCache::default(),
        };
        let xclbin = config.xclbin.as_ref().ok_or_else(|| {
            format!(
                "XRT device {} found, but no xclbin given ({XCLBIN_ENV})",
                config.device_index
            )
        })?;
        let c_path = CString::new(xclbin.to_string_lossy().as_bytes())
            .map_err(|_| format!("xclbin path {} contains NUL", xclbin.display()))?;
        if is_xrt {
            check_sw_emu_model()?;
        }
        let from = log_len(log);
        // SAFETY: an open device and a NUL-terminated path.
        let rc = unsafe { (session.api.device_load_xclbin_file)(session.device, c_path.as_ptr()) };
        if rc != 0 {
            return Err(failure(
                &format!("xrtDeviceLoadXclbinFile({}) = {rc}", xclbin.display()),
                log,
                from,
            ));
        }
        let mut uuid = [0u8; 16];
        // SAFETY: a 16-byte xuid_t to fill.
        let rc = unsafe { (session.api.device_get_xclbin_uuid)(session.device, uuid.as_mut_ptr()) };
        if rc != 0 {
            return Err(failure(
                &format!("xrtDeviceGetXclbinUUID = {rc}"),
                log,
                from,
            ));
        }
        let name = CString::new(KERNEL_NAME).map_err(|e| e.to_string())?;
        // SAFETY: open device, the xclbin's uuid, NUL-terminated name.
        session.kernel =
            unsafe { (session.api.pl_kernel_open)(session.device, uuid.as_ptr(), name.as_ptr()) };
        if session.kernel.is_null() {
            return Err(failure(
                &format!("xrtPLKernelOpen({KERNEL_NAME})"),
                log,
                from,
            ));
        }
        for (arg, group) in session.groups.iter_mut().enumerate() {
            // SAFETY: an open kernel; argument indices 0..3 are its buffers.
            let g = unsafe { (session.api.kernel_arg_group_id)(session.kernel, arg as c_int) };
            *group = u32::try_from(g)
                .map_err(|_| failure(&format!("xrtKernelArgGroupId({arg}) = {g}"), log, from))?;
        }
        let mode = std::env::var("XCL_EMULATION_MODE").ok();
        let what = match (&mode, is_xrt) {
            (Some(m), _) => format!("XRT {m} — emulation, not an FPGA"),
            (None, true) => "XRT FPGA device".to_owned(),
            (None, false) => {
                "XRT C API stand-in (not XRT's libxrt_coreutil) — not an FPGA".to_owned()
            }
        };
        let file = xclbin
            .file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        Ok(Self {
            label: format!(
                "{what}: device {} of {count}, {file}, via {opened}",
                config.device_index
            ),
            chunk_records: config.chunk_records.max(1),
            inner: Mutex::new(session),
        })
    }
}

fn xrt_error(detail: String) -> Error {
    Error::Io {
        detail: format!("xrt: {detail}"),
    }
}

impl Session {
    fn alloc(&self, len: usize, group: u32) -> Result<Bo> {
        // SAFETY: open device; flags and group from the kernel.
        let handle = unsafe { (self.api.bo_alloc)(self.device, len, ffi::BO_FLAGS_NONE, group) };
        if handle.is_null() {
            return Err(xrt_error(format!("xrtBOAlloc({len}) returned null")));
        }
        // SAFETY: a buffer XRT just allocated.
        let map = unsafe { (self.api.bo_map)(handle) }.cast::<u8>();
        if map.is_null() {
            // SAFETY: as above.
            let _ = unsafe { (self.api.bo_free)(handle) };
            return Err(xrt_error("xrtBOMap returned null".to_owned()));
        }
        Ok(Bo { handle, map, len })
    }

    fn free(&self, bo: Bo) {
        // SAFETY: a buffer this session allocated, freed once.
        let _ = unsafe { (self.api.bo_free)(bo.handle) };
    }

    fn free_sets(&mut self) {
        for set in core::mem::take(&mut self.sets).into_iter().flatten() {
            self.free(set.slots);
            self.free(set.status);
        }
        self.capacity = 0;
    }

    fn sync(&self, bo: &Bo, dir: c_int, len: usize) -> Result<()> {
        // SAFETY: `len` is within the buffer.
        let rc = unsafe { (self.api.bo_sync)(bo.handle, dir, len.min(bo.len), 0) };
        if rc == 0 {
            Ok(())
        } else {
            Err(xrt_error(format!("xrtBOSync(dir {dir}) = {rc}")))
        }
    }

    fn ensure_capacity(&mut self, records: usize) -> Result<()> {
        if self.capacity >= records && self.sets.iter().all(Option::is_some) {
            return Ok(());
        }
        self.free_sets();
        let mut fresh = [None, None];
        for set in &mut fresh {
            let slots = self.alloc(records * SLOT_BYTES, self.groups[0])?;
            let status = match self.alloc(records, self.groups[1]) {
                Ok(s) => s,
                Err(e) => {
                    self.free(slots);
                    return Err(e);
                }
            };
            *set = Some(BufferSet { slots, status });
        }
        self.sets = fresh;
        self.capacity = records;
        Ok(())
    }

    fn start(&self, set: &BufferSet, table: &Bo, count: usize, dialect: u32) -> Result<Run<'_>> {
        // SAFETY: an open kernel.
        let handle = unsafe { (self.api.run_open)(self.kernel) };
        if handle.is_null() {
            return Err(xrt_error("xrtRunOpen returned null".to_owned()));
        }
        let run = Run {
            api: &self.api,
            handle,
            started: false,
        };
        let n = c_uint::try_from(count)
            .map_err(|_| xrt_error(format!("{count} records exceed u32")))?;
        // SAFETY: argument kinds as the kernel declares them: three global
        // buffers (buffer handles), then two 32-bit scalars.
        let rcs = unsafe {
            [
                (self.api.run_set_arg)(handle, 0, set.slots.handle),
                (self.api.run_set_arg)(handle, 1, set.status.handle),
                (self.api.run_set_arg)(handle, 2, table.handle),
                (self.api.run_set_arg)(handle, 3, n),
                (self.api.run_set_arg)(handle, 4, dialect as c_uint),
            ]
        };
        if let Some((arg, rc)) = rcs.iter().enumerate().find(|(_, rc)| **rc != 0) {
            return Err(xrt_error(format!("xrtRunSetArg({arg}) = {rc}")));
        }
        let mut run = run;
        // SAFETY: a run with every argument set.
        let rc = unsafe { (self.api.run_start)(handle) };
        if rc != 0 {
            return Err(xrt_error(format!("xrtRunStart = {rc}")));
        }
        run.started = true;
        Ok(run)
    }
}

/// A kernel run; waited for (if started) and closed on drop.
struct Run<'a> {
    api: &'a Api,
    handle: Handle,
    started: bool,
}

impl Run<'_> {
    fn wait(mut self) -> Result<()> {
        self.started = false;
        // SAFETY: a started run.
        let state = unsafe { (self.api.run_wait)(self.handle) };
        if state == ffi::CMD_STATE_COMPLETED {
            Ok(())
        } else {
            Err(xrt_error(format!(
                "xrtRunWait: command state {state}, not completed"
            )))
        }
    }
}

impl Drop for Run<'_> {
    fn drop(&mut self) {
        // SAFETY: the run handle is ours; waiting first so no kernel still
        // uses buffers that may be freed after this.
        unsafe {
            if self.started {
                let _ = (self.api.run_wait)(self.handle);
            }
            let _ = (self.api.run_close)(self.handle);
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.free_sets();
        if let Some(t) = self.table.take() {
            self.free(t);
        }
        // SAFETY: handles this session opened, closed once, kernel first.
        unsafe {
            if !self.kernel.is_null() {
                let _ = (self.api.kernel_close)(self.kernel);
            }
            let _ = (self.api.device_close)(self.device);
        }
    }
}

impl Ready {
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
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| xrt_error("session lock poisoned".to_owned()))?;
        let s = &mut *guard;
        let chunk = self.chunk_records.min(n);
        s.ensure_capacity(chunk)?;
        if s.table.is_none() {
            s.table = Some(s.alloc(TABLE_LEN, s.groups[2])?);
        }
        let (table_bytes, fresh) = s.tables.table(dialect, policy);
        let table_bytes = table_bytes.as_bytes().to_vec();
        let s = &*s;
        let table = s
            .table
            .as_ref()
            .ok_or_else(|| xrt_error("table buffer missing".to_owned()))?;
        if fresh {
            // SAFETY: the mapping holds TABLE_LEN bytes.
            unsafe { core::slice::from_raw_parts_mut(table.map, table.len) }
                .copy_from_slice(&table_bytes);
            s.sync(table, ffi::SYNC_TO_DEVICE, TABLE_LEN)?;
        }
        let code = dialect.code();
        // Ping-pong: pack and start chunk c on set c % 2 while chunk c - 1 runs.
        let mut pending: Option<(Run<'_>, usize, &mut [u8])> = None;
        for (c, (src, dst)) in input
            .chunks(chunk * RECORD_LEN)
            .zip(out.chunks_mut(chunk))
            .enumerate()
        {
            let set = s
                .sets
                .get(c % 2)
                .and_then(Option::as_ref)
                .ok_or_else(|| xrt_error("buffers missing".to_owned()))?;
            let count = dst.len();
            // SAFETY: the slot mapping holds `capacity * SLOT_BYTES >= count * SLOT_BYTES` bytes,
            // and no run uses this set (its last run was waited for).
            let slots =
                unsafe { core::slice::from_raw_parts_mut(set.slots.map, count * SLOT_BYTES) };
            pack_slots(src, slots);
            s.sync(&set.slots, ffi::SYNC_TO_DEVICE, count * SLOT_BYTES)?;
            let run = s.start(set, table, count, code)?;
            if let Some((prev, pc, pdst)) = pending.take() {
                s.finish(prev, pc, pdst)?;
            }
            pending = Some((run, c % 2, dst));
        }
        if let Some((prev, pc, pdst)) = pending.take() {
            s.finish(prev, pc, pdst)?;
        }
        Ok(())
    }
}

impl Session {
    fn finish(&self, run: Run<'_>, set: usize, dst: &mut [u8]) -> Result<()> {
        run.wait()?;
        let set = self
            .sets
            .get(set)
            .and_then(Option::as_ref)
            .ok_or_else(|| xrt_error("buffers missing".to_owned()))?;
        self.sync(&set.status, ffi::SYNC_FROM_DEVICE, dst.len())?;
        // SAFETY: the status mapping holds at least `dst.len()` bytes and the run is done.
        let status = unsafe { core::slice::from_raw_parts(set.status.map, dst.len()) };
        dst.copy_from_slice(status);
        Ok(())
    }
}

impl Backend for XrtBackend {
    fn name(&self) -> &'static str {
        "xrt"
    }
    fn kind(&self) -> BackendKind {
        BackendKind::Fpga
    }
    fn device(&self) -> String {
        match &self.state {
            Ok(r) => r.label.clone(),
            Err(_) => "no XRT device".to_owned(),
        }
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
        let kd = KernelDialect::of(dialect).ok_or_else(|| unsupported("xrt", dialect))?;
        let n = check_shape(dialect, input, out)?;
        let ready = self
            .state
            .as_ref()
            .map_err(|reason| xrt_error(format!("backend unavailable: {reason}")))?;
        ready.run(kd, input, policy, out.get_mut(..n).unwrap_or_default())
    }
}
