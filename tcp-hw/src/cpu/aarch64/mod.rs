//! aarch64 kernels: NEON for v2-kb, the ARMv8 CRC instructions for canonical records.

pub(crate) mod crc;
pub(crate) mod neon;
