//! The one place tcp-core maps a file: registries are read in place.
#![allow(
    unsafe_code,
    reason = "memory-mapping a file is unsafe by nature; contained here"
)]

use std::fs::File;

use crate::error::{Error, Result};

/// Maps a file read-only.
pub(crate) fn map(file: &File) -> Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and private to this process, and taken on the
    // open file, so a rename over its path or its deletion cannot disturb it.
    // Another process truncating or rewriting the file in place could change or
    // remove the bytes under us (SIGBUS); registries are validated once at open,
    // so the caller's contract (documented on `Registry::open_mapped`) is
    // "replace, never rewrite", which every libtcp writer keeps. Small files are
    // never mapped (`Registry::open` reads them). Every later read is
    // bounds-checked.
    unsafe { memmap2::Mmap::map(file) }.map_err(|e| Error::io(&e))
}
