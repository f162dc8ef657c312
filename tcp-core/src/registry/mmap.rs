//! The one place tcp-core maps a file: registries are read in place.
#![allow(
    unsafe_code,
    reason = "memory-mapping a file is unsafe by nature; contained here"
)]

use std::fs::File;

use crate::error::{Error, Result};

/// Maps a file read-only.
pub(crate) fn map(file: &File) -> Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and private to this process. Another process
    // truncating or rewriting the file while it is mapped could change or remove
    // the bytes under us (SIGBUS); registries are validated once at open, so the
    // caller's contract (documented on `Registry::open`) is not to modify a
    // registry file while it is open. Every later read is bounds-checked.
    unsafe { memmap2::Mmap::map(file) }.map_err(|e| Error::io(&e))
}
