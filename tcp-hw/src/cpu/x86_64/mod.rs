//! x86_64 kernels: one module per instruction set, plus the CRC-32C kernel.

pub(crate) mod avx2;
pub(crate) mod avx512;
pub(crate) mod crc;
pub(crate) mod sse41;
