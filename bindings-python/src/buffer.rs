//! Reading Python buffers (bytes, bytearray, memoryview, numpy uint8 arrays,
//! mmap) as `&[u8]`, without copying where it matters.

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyBufferError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A borrowed, C-contiguous byte buffer.
///
/// Holding the `Py_buffer` keeps the exporter alive and its memory in place:
/// bytearray refuses to resize and mmap refuses to close while an export is
/// open. What it cannot prevent is another thread writing into a mutable
/// buffer while we read it with the GIL released; as with numpy's `nogil`
/// loops, that race is the caller's to avoid (results for the records being
/// written are then unspecified, never unsafe for the bindings' own state).
pub struct ByteView {
    buffer: PyBuffer<u8>,
}

impl ByteView {
    /// Borrows `obj`'s buffer; fails with `TypeError` if it has none,
    /// `BufferError` if its items are not bytes or it is not C-contiguous.
    pub fn new(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let buffer = PyBuffer::<u8>::get(obj)?;
        if !buffer.is_c_contiguous() {
            return Err(PyBufferError::new_err(
                "buffer is not C-contiguous; pass a contiguous copy (e.g. numpy.ascontiguousarray)",
            ));
        }
        Ok(Self { buffer })
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        let len = self.buffer.len_bytes();
        if len == 0 {
            return &[];
        }
        // SAFETY: the buffer is C-contiguous with item size 1 (checked in
        // `new` and by `PyBuffer::get`), so `len_bytes` bytes start at
        // `buf_ptr`; the export held in `self.buffer` keeps that memory
        // allocated and unmoved for as long as `self` lives, which bounds the
        // returned lifetime. Concurrent writers are discussed on the type.
        unsafe { std::slice::from_raw_parts(self.buffer.buf_ptr().cast::<u8>().cast_const(), len) }
    }
}

/// Calls `f` with the bytes of `obj` (`bytes` directly, any other buffer
/// through a copy, as small records are cheaper to copy than to pin).
pub fn with_bytes<R>(obj: &Bound<'_, PyAny>, f: impl FnOnce(&[u8]) -> R) -> PyResult<R> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(f(b.as_bytes()));
    }
    let buffer = PyBuffer::<u8>::get(obj)?;
    let bytes = buffer.to_vec(obj.py())?;
    Ok(f(&bytes))
}
