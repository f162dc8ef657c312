// tcp-hw OpenCL kernel: one status byte per descriptor, equal bit for bit to
// tcp_core::batch::record_status (strict mode).
//
// Status byte: valid 0b00DD_0RRR (risk, decision), invalid 0x80 | ErrorCode.
// The kernel checks framing in tcp-core's order; the decision of a valid
// record is read from `table` (status bytes the host computed with tcp-core
// for every risk level and capability pattern: index risk * 256 + caps).
//
// Records are 24 bytes, contiguous; the buffer is read as 32-bit words, so
// this assumes a little-endian device (the host refuses others).

#define DIALECT_C24 0u
#define DIALECT_V2KB 1u

#define INVALID 0x80u
#define E_BAD_MAGIC 2u
#define E_UNSUPPORTED_VERSION 3u
#define E_CHECKSUM_MISMATCH 4u
#define E_MULTIPLE_RISK_BITS 5u
#define E_NO_RISK_BIT 6u
#define E_RESERVED_BITS_SET 7u
#define E_INVALID_RISK_LEVEL 9u

#define RECORD_WORDS 6u
#define CRC32C_POLY 0x82F63B78u

// Byte k (0..23) of a record held as six little-endian words.
#define BYTE(w, k) (((w)[(k) >> 2] >> (((k) & 3u) * 8u)) & 0xFFu)

uint status_c24(const uint w[RECORD_WORDS], __local const uint *crc_table,
                __constant const uchar *table)
{
    // magic "TCP\x04", then version 1
    if (w[0] != 0x04504354u)
        return INVALID | E_BAD_MAGIC;
    if (BYTE(w, 4) != 1u)
        return INVALID | E_UNSUPPORTED_VERSION;
    uint crc = 0xFFFFFFFFu;
    for (uint k = 0; k < 20u; k++)
        crc = crc_table[(crc ^ BYTE(w, k)) & 0xFFu] ^ (crc >> 8);
    crc ^= 0xFFFFFFFFu;
    uint stored = (BYTE(w, 20) << 24) | (BYTE(w, 21) << 16) | (BYTE(w, 22) << 8) | BYTE(w, 23);
    if (stored != crc)
        return INVALID | E_CHECKSUM_MISMATCH;
    uint risk = BYTE(w, 5);
    if (risk > 4u)
        return INVALID | E_INVALID_RISK_LEVEL;
    // flags u16 big-endian at 6..8: byte 6 holds the reserved bits 8..15
    if (BYTE(w, 6) != 0u)
        return INVALID | E_RESERVED_BITS_SET;
    return table[risk * 256u + BYTE(w, 7)];
}

uint status_v2kb(const uint w[RECORD_WORDS], __constant const uchar *table)
{
    // magic "TCP\x02", then version u16 big-endian = 2
    if (w[0] != 0x02504354u)
        return INVALID | E_BAD_MAGIC;
    if (BYTE(w, 4) != 0u || BYTE(w, 5) != 2u)
        return INVALID | E_UNSUPPORTED_VERSION;
    uint sum = 0;
    for (uint k = 0; k < 22u; k++)
        sum += BYTE(w, k);
    uint stored = (BYTE(w, 22) << 8) | BYTE(w, 23);
    if (stored != (sum & 0xFFFFu))
        return INVALID | E_CHECKSUM_MISMATCH;
    uint flags = (BYTE(w, 10) << 24) | (BYTE(w, 11) << 16) | (BYTE(w, 12) << 8) | BYTE(w, 13);
    // defined: one-hot risk bits 0..4, capability bits 8..13
    if ((flags & ~0x3F1Fu) != 0u)
        return INVALID | E_RESERVED_BITS_SET;
    uint risk_bits = flags & 0x1Fu;
    if (risk_bits == 0u)
        return INVALID | E_NO_RISK_BIT;
    if (popcount(risk_bits) != 1u)
        return INVALID | E_MULTIPLE_RISK_BITS;
    uint risk = 31u - clz(risk_bits);
    return table[risk * 256u + ((flags >> 8) & 0x3Fu)];
}

// Validates records [global offset, end); the global size may be rounded up
// past `end` to a whole number of work-groups.
__kernel void tcp_validate(__global const uint *restrict records,
                           __global uchar *restrict status,
                           __constant const uchar *table,
                           const uint end,
                           const uint dialect)
{
    __local uint crc_table[256];
    for (uint i = get_local_id(0); i < 256u; i += get_local_size(0)) {
        uint c = i;
        for (uint b = 0; b < 8u; b++)
            c = (c & 1u) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
        crc_table[i] = c;
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    size_t i = get_global_id(0);
    if (i >= end)
        return;
    uint w[RECORD_WORDS];
    for (uint k = 0; k < RECORD_WORDS; k++)
        w[k] = records[i * RECORD_WORDS + k];
    status[i] = (uchar)(dialect == DIALECT_C24 ? status_c24(w, crc_table, table)
                                              : status_v2kb(w, table));
}
