//! The checksum rules the prototype uses, bit-exact, and our own CRC-32C.
//!
//! Provenance: `shared/conformance/FORMATS.md` §8, checked on the prototype's data.
//! None of these is a MAC: they catch accidents, not tampering.

/// CRC-32/ISO-HDLC (zlib's `crc32`).
pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

/// The prototype's "CRC16": the low half of zlib's CRC-32 (v2-spec, v2-mcp, v2-ingest, v3 parent).
pub fn crc32_low16(data: &[u8]) -> u16 {
    (crc32(data) & 0xFFFF) as u16
}

/// The knowledge base's "CRC16": the byte sum, masked to 16 bits (v2-kb).
pub fn sum16(data: &[u8]) -> u16 {
    let sum = data
        .iter()
        .fold(0u32, |acc, &b| acc.wrapping_add(u32::from(b)));
    (sum & 0xFFFF) as u16
}

/// CRC-16/MODBUS: poly 0x8005 reflected (0xA001), init 0xFFFF, no final xor (gen20, enriched22).
pub fn crc16_modbus(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// CRC-32C (Castagnoli), libtcp's own format's checksum; hardware-accelerated where available.
pub fn crc32c(data: &[u8]) -> u32 {
    crc32c::crc32c(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values() {
        // The catalogue's check value for each CRC over "123456789".
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc16_modbus(b"123456789"), 0x4B37);
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(sum16(&[0xFF; 22]), 5610);
        assert_eq!(sum16(&[]), 0);
    }
}
