// tcp-hw XRT kernel interface (Vitis HLS C++; also plain C++17 for C simulation).
//
// One 32-byte slot per descriptor: bytes 0..23 the descriptor as stored,
// bytes 24..31 zero. The host packs 24-byte records into slots so that one
// 256-bit AXI beat carries exactly one descriptor and the main loop can take
// one descriptor per cycle (II=1). Words are little-endian, as the host and
// the FPGA's AXI memory see them.
#ifndef TCP_VALIDATE_H
#define TCP_VALIDATE_H

#include <stdint.h>

#define TCP_SLOT_BYTES 32u
#define TCP_TABLE_LEN 1280u /* 5 risk levels x 256 capability patterns */
#define TCP_DIALECT_C24 0u
#define TCP_DIALECT_V2KB 1u

struct tcp_slot {
    uint64_t w[4];
};

#ifdef __cplusplus
extern "C" {
#endif

// Writes status[i] for slots[0..n): 0b00DD_0RRR for a valid record (the
// decision comes from `table`, index risk * 256 + capability bits, filled by
// the host from tcp-core), 0x80 | ErrorCode for an invalid one.
void tcp_validate(const struct tcp_slot *slots, uint8_t *status, const uint8_t *table,
                  uint32_t n, uint32_t dialect);

#ifdef __cplusplus
}
#endif

#endif
