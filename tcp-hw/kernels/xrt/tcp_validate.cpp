// tcp-hw XRT kernel, Vitis HLS C++. Every status byte equals
// tcp_core::batch::record_status (strict mode) for the same record; the
// checks run in tcp-core's order (magic, version, checksum, then risk and
// reserved bits in each dialect's order).
//
// Synthesis intent: slots on a 256-bit AXI master (one descriptor per beat),
// status and table on their own masters, scalars and offsets on AXI-Lite;
// the main loop is pipelined at II=1 (the CRC is a fully unrolled XOR
// network, the decision a single BRAM read). g++ ignores the pragmas, which
// is how the C simulation and the tests run this same file.
#include "tcp_validate.h"

#define INVALID 0x80u
#define E_BAD_MAGIC 2u
#define E_UNSUPPORTED_VERSION 3u
#define E_CHECKSUM_MISMATCH 4u
#define E_MULTIPLE_RISK_BITS 5u
#define E_NO_RISK_BIT 6u
#define E_RESERVED_BITS_SET 7u
#define E_INVALID_RISK_LEVEL 9u

static inline uint32_t byte_at(const tcp_slot &s, unsigned k)
{
#pragma HLS INLINE
    return (uint32_t)((s.w[k >> 3] >> ((k & 7u) * 8u)) & 0xFFu);
}

// CRC-32C (Castagnoli, reflected 0x82F63B78) of bytes 0..19, bit by bit.
static uint32_t crc32c_first20(const tcp_slot &s)
{
#pragma HLS INLINE
    uint32_t crc = 0xFFFFFFFFu;
crc_bytes:
    for (unsigned k = 0; k < 20u; k++) {
#pragma HLS UNROLL
        crc ^= byte_at(s, k);
    crc_bits:
        for (unsigned b = 0; b < 8u; b++) {
#pragma HLS UNROLL
            crc = (crc & 1u) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

static uint32_t status_c24(const tcp_slot &s, const uint8_t table[TCP_TABLE_LEN])
{
#pragma HLS INLINE
    // "TCP\x04" as a little-endian word, then version 1
    if ((uint32_t)(s.w[0] & 0xFFFFFFFFu) != 0x04504354u)
        return INVALID | E_BAD_MAGIC;
    if (byte_at(s, 4) != 1u)
        return INVALID | E_UNSUPPORTED_VERSION;
    uint32_t stored = (byte_at(s, 20) << 24) | (byte_at(s, 21) << 16) | (byte_at(s, 22) << 8) |
                      byte_at(s, 23);
    if (stored != crc32c_first20(s))
        return INVALID | E_CHECKSUM_MISMATCH;
    uint32_t risk = byte_at(s, 5);
    if (risk > 4u)
        return INVALID | E_INVALID_RISK_LEVEL;
    if (byte_at(s, 6) != 0u) // capability bits 8..15 are reserved
        return INVALID | E_RESERVED_BITS_SET;
    return table[risk * 256u + byte_at(s, 7)];
}

static uint32_t status_v2kb(const tcp_slot &s, const uint8_t table[TCP_TABLE_LEN])
{
#pragma HLS INLINE
    if ((uint32_t)(s.w[0] & 0xFFFFFFFFu) != 0x02504354u) // "TCP\x02"
        return INVALID | E_BAD_MAGIC;
    if (byte_at(s, 4) != 0u || byte_at(s, 5) != 2u) // version u16 BE = 2
        return INVALID | E_UNSUPPORTED_VERSION;
    uint32_t sum = 0;
sum_bytes:
    for (unsigned k = 0; k < 22u; k++) {
#pragma HLS UNROLL
        sum += byte_at(s, k);
    }
    uint32_t stored = (byte_at(s, 22) << 8) | byte_at(s, 23);
    if (stored != (sum & 0xFFFFu))
        return INVALID | E_CHECKSUM_MISMATCH;
    uint32_t flags = (byte_at(s, 10) << 24) | (byte_at(s, 11) << 16) | (byte_at(s, 12) << 8) |
                     byte_at(s, 13);
    if ((flags & ~0x3F1Fu) != 0u) // defined: one-hot risk 0..4, capabilities 8..13
        return INVALID | E_RESERVED_BITS_SET;
    uint32_t risk_bits = flags & 0x1Fu;
    if (risk_bits == 0u)
        return INVALID | E_NO_RISK_BIT;
    if ((risk_bits & (risk_bits - 1u)) != 0u)
        return INVALID | E_MULTIPLE_RISK_BITS;
    uint32_t risk = 0;
risk_index:
    for (unsigned b = 1; b < 5u; b++) {
#pragma HLS UNROLL
        if (risk_bits == (1u << b))
            risk = b;
    }
    return table[risk * 256u + ((flags >> 8) & 0x3Fu)];
}

extern "C" void tcp_validate(const tcp_slot *slots, uint8_t *status, const uint8_t *table,
                             uint32_t n, uint32_t dialect)
{
#pragma HLS INTERFACE m_axi port = slots offset = slave bundle = gmem0 max_read_burst_length = 64
#pragma HLS INTERFACE m_axi port = status offset = slave bundle = gmem1 max_write_burst_length = 64
#pragma HLS INTERFACE m_axi port = table offset = slave bundle = gmem2
#pragma HLS INTERFACE s_axilite port = slots
#pragma HLS INTERFACE s_axilite port = status
#pragma HLS INTERFACE s_axilite port = table
#pragma HLS INTERFACE s_axilite port = n
#pragma HLS INTERFACE s_axilite port = dialect
#pragma HLS INTERFACE s_axilite port = return
#pragma HLS AGGREGATE variable = slots

    uint8_t local_table[TCP_TABLE_LEN];
#pragma HLS BIND_STORAGE variable = local_table type = ram_2p impl = bram
load_table:
    for (unsigned i = 0; i < TCP_TABLE_LEN; i++) {
#pragma HLS PIPELINE II = 1
        local_table[i] = table[i];
    }

    const bool c24 = dialect == TCP_DIALECT_C24;
descriptors:
    for (uint32_t i = 0; i < n; i++) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1048576
        const tcp_slot s = slots[i];
        status[i] = (uint8_t)(c24 ? status_c24(s, local_table) : status_v2kb(s, local_table));
    }
}
