//! XRT's C API (`xrt/xrt_device.h`, `xrt_kernel.h`, `xrt_bo.h`), looked up
//! at run time in `libxrt_coreutil` with libloading, so that libtcp builds
//! and runs where XRT is not installed.

use std::ffi::{CStr, c_char, c_int, c_uint, c_void};
use std::path::Path;

/// Opaque XRT handles (`void*` in the headers).
pub(crate) type Handle = *mut c_void;

/// `enum xclBOSyncDirection`.
pub(crate) const SYNC_TO_DEVICE: c_int = 0;
/// `enum xclBOSyncDirection`.
pub(crate) const SYNC_FROM_DEVICE: c_int = 1;
/// `ERT_CMD_STATE_COMPLETED` in `enum ert_cmd_state`.
pub(crate) const CMD_STATE_COMPLETED: c_int = 4;
/// `XRT_BO_FLAGS_NONE`.
pub(crate) const BO_FLAGS_NONE: u64 = 0;

type DeviceOpen = unsafe extern "C" fn(c_uint) -> Handle;
type DeviceClose = unsafe extern "C" fn(Handle) -> c_int;
type DeviceLoadXclbinFile = unsafe extern "C" fn(Handle, *const c_char) -> c_int;
type DeviceGetXclbinUuid = unsafe extern "C" fn(Handle, *mut u8) -> c_int;
type PlKernelOpen = unsafe extern "C" fn(Handle, *const u8, *const c_char) -> Handle;
type KernelClose = unsafe extern "C" fn(Handle) -> c_int;
type KernelArgGroupId = unsafe extern "C" fn(Handle, c_int) -> c_int;
type BoAlloc = unsafe extern "C" fn(Handle, usize, u64, u32) -> Handle;
type BoFree = unsafe extern "C" fn(Handle) -> c_int;
type BoMap = unsafe extern "C" fn(Handle) -> *mut c_void;
type BoSync = unsafe extern "C" fn(Handle, c_int, usize, usize) -> c_int;
type RunOpen = unsafe extern "C" fn(Handle) -> Handle;
/// `int xrtRunSetArg(xrtRunHandle, int index, ...)`: a buffer handle for a
/// global argument, an `unsigned int` for a 32-bit scalar.
type RunSetArg = unsafe extern "C" fn(Handle, c_int, ...) -> c_int;
type RunStart = unsafe extern "C" fn(Handle) -> c_int;
type RunWait = unsafe extern "C" fn(Handle) -> c_int;
type RunClose = unsafe extern "C" fn(Handle) -> c_int;
pub(crate) type IniStringSet = unsafe extern "C" fn(*const c_char, *const c_char) -> c_int;
/// `unsigned int xrt::system::enumerate_devices()` (xrt_system.h): a C++
/// function without arguments, called with the platform's C convention.
type EnumerateDevices = unsafe extern "C" fn() -> c_uint;

/// The entry points libtcp uses, resolved once.
pub(crate) struct Api {
    pub(crate) device_open: DeviceOpen,
    pub(crate) device_close: DeviceClose,
    pub(crate) device_load_xclbin_file: DeviceLoadXclbinFile,
    pub(crate) device_get_xclbin_uuid: DeviceGetXclbinUuid,
    pub(crate) pl_kernel_open: PlKernelOpen,
    pub(crate) kernel_close: KernelClose,
    pub(crate) kernel_arg_group_id: KernelArgGroupId,
    pub(crate) bo_alloc: BoAlloc,
    pub(crate) bo_free: BoFree,
    pub(crate) bo_map: BoMap,
    pub(crate) bo_sync: BoSync,
    pub(crate) run_open: RunOpen,
    pub(crate) run_set_arg: RunSetArg,
    pub(crate) run_start: RunStart,
    pub(crate) run_wait: RunWait,
    pub(crate) run_close: RunClose,
    /// `xrtIniStringSet`: only XRT's own library has it (a stand-in need not).
    pub(crate) ini_string_set: Option<IniStringSet>,
    /// XRT's device discovery, where the library exports it.
    pub(crate) enumerate_devices: Option<EnumerateDevices>,
    /// Keeps the function pointers above valid.
    _library: libloading::Library,
}

impl Api {
    /// Opens `path` (or the first of `names` the dynamic loader finds) and
    /// resolves every entry point; the error is the loader's own message.
    pub(crate) fn load(path: Option<&Path>, names: &[&str]) -> Result<(Self, String), String> {
        let (library, opened) = match path {
            Some(p) => {
                // SAFETY: loading a shared library runs its initialisers; XRT's are
                // what any XRT host program runs.
                let lib = unsafe { libloading::Library::new(p) }.map_err(|e| e.to_string())?;
                (lib, p.display().to_string())
            }
            None => {
                let mut errors = Vec::new();
                let mut found = None;
                for name in names {
                    // SAFETY: as above.
                    match unsafe { libloading::Library::new(name) } {
                        Ok(lib) => {
                            found = Some((lib, (*name).to_owned()));
                            break;
                        }
                        Err(e) => errors.push(e.to_string()),
                    }
                }
                found.ok_or_else(|| errors.join("; "))?
            }
        };
        // SAFETY: each symbol is looked up with the signature its XRT 2.x
        // header declares; the pointers live as long as `_library`.
        let api = unsafe {
            Self {
                device_open: sym(&library, c"xrtDeviceOpen")?,
                device_close: sym(&library, c"xrtDeviceClose")?,
                device_load_xclbin_file: sym(&library, c"xrtDeviceLoadXclbinFile")?,
                device_get_xclbin_uuid: sym(&library, c"xrtDeviceGetXclbinUUID")?,
                pl_kernel_open: sym(&library, c"xrtPLKernelOpen")?,
                kernel_close: sym(&library, c"xrtKernelClose")?,
                kernel_arg_group_id: sym(&library, c"xrtKernelArgGroupId")?,
                bo_alloc: sym(&library, c"xrtBOAlloc")?,
                bo_free: sym(&library, c"xrtBOFree")?,
                bo_map: sym(&library, c"xrtBOMap")?,
                bo_sync: sym(&library, c"xrtBOSync")?,
                run_open: sym(&library, c"xrtRunOpen")?,
                run_set_arg: sym(&library, c"xrtRunSetArg")?,
                run_start: sym(&library, c"xrtRunStart")?,
                run_wait: sym(&library, c"xrtRunWait")?,
                run_close: sym(&library, c"xrtRunClose")?,
                ini_string_set: sym(&library, c"xrtIniStringSet").ok(),
                enumerate_devices: sym(&library, c"_ZN3xrt6system17enumerate_devicesEv").ok(),
                _library: library,
            }
        };
        Ok((api, opened))
    }
}

/// Copies a function pointer out of the library.
///
/// # Safety
/// `T` must be the symbol's true type.
unsafe fn sym<T: Copy>(lib: &libloading::Library, name: &CStr) -> Result<T, String> {
    // SAFETY: the caller vouches for `T`.
    unsafe { lib.get::<T>(name.to_bytes_with_nul()) }
        .map(|s| *s)
        .map_err(|e| format!("{}: {e}", name.to_string_lossy()))
}
