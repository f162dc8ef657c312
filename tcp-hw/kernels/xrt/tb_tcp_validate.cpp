// C-simulation testbench for tcp_validate (Vitis HLS csim, or plain g++).
//
//   tb_tcp_validate SLOTS TABLE EXPECTED DIALECT
//
// SLOTS: n 32-byte slots as the host packs them; TABLE: the 1280-byte
// decision table; EXPECTED: n status bytes from tcp-core's scalar reference;
// DIALECT: 0 (c24) or 1 (v2-kb). Runs the kernel and compares every byte.
// Exit status 0 only if all agree.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "tcp_validate.h"

static bool read_file(const char *path, std::vector<unsigned char> &out)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return false;
    out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s SLOTS TABLE EXPECTED DIALECT\n", argv[0]);
        return 2;
    }
    std::vector<unsigned char> slot_bytes, table, expected;
    if (!read_file(argv[1], slot_bytes) || !read_file(argv[2], table) ||
        !read_file(argv[3], expected)) {
        std::fprintf(stderr, "cannot read inputs\n");
        return 2;
    }
    const size_t n = expected.size();
    if (slot_bytes.size() != n * TCP_SLOT_BYTES || table.size() != TCP_TABLE_LEN) {
        std::fprintf(stderr, "bad sizes: %zu slot bytes, %zu table bytes, %zu expected\n",
                     slot_bytes.size(), table.size(), n);
        return 2;
    }
    std::vector<tcp_slot> slots(n);
    if (n != 0)
        std::memcpy(slots.data(), slot_bytes.data(), slot_bytes.size());
    // Poison the output so an unwritten byte cannot pass.
    std::vector<uint8_t> status(n, 0x5A);
    const uint32_t dialect = (uint32_t)std::strtoul(argv[4], nullptr, 10);

    tcp_validate(slots.data(), status.data(), table.data(), (uint32_t)n, dialect);

    size_t mismatches = 0;
    for (size_t i = 0; i < n; i++) {
        if (status[i] != expected[i]) {
            if (mismatches < 10)
                std::printf("record %zu: expected %#04x, kernel %#04x\n", i, expected[i], status[i]);
            mismatches++;
        }
    }
    std::printf("tcp_validate csim: %zu records, dialect %u, %zu mismatches\n", n, dialect,
                mismatches);
    return mismatches == 0 ? 0 : 1;
}
