/*
 * tcp-hw backends through the C API: listing, picking by name, tcp-hw's
 * selection with its reasons and reservations, and every available backend
 * writing exactly the status bytes of tcp_validate_batch (the scalar
 * reference). Unavailable backends are reported with their reason, never
 * run.
 */
#include <stdlib.h>

#include "harness.h"

#define RECORDS 5000

static const char *HEX[] = {
    "54435002000244ba5ca60000050100000064000a00010360", /* ls: SAFE */
    "544350020002785631c60000040200000064000a00010325", /* [[: LOW */
    "544350020002417e248f0000150400000064000a000102e5", /* chmod: MEDIUM */
    "544350020002e47054c200000c0800000064000a000103d8", /* blkdiscard: HIGH */
    "544350020002c582dec90000151000000064000a0001046d", /* ar: CRITICAL */
    "5443500200028c43de7b0000040000000064000a00010386", /* col1: no risk bit */
};

static unsigned char *make_batch(size_t records) {
    unsigned char *batch = malloc(24 * records);
    for (size_t i = 0; i < records; i++) {
        hex_to_bytes(HEX[i % 6], batch + 24 * i, 24);
        if (i % 7 == 3) {
            batch[24 * i + 23] ^= 0x5A; /* checksum mismatch */
        }
        if (i % 11 == 5) {
            batch[24 * i + 1] = 'X'; /* bad magic */
        }
    }
    return batch;
}

static void check_backend_matches_reference(tcp_backend *b, const unsigned char *batch,
                                            size_t records, const uint8_t *reference,
                                            const tcp_policy *policy) {
    char name[64];
    size_t n;
    CHECK_OK(tcp_backend_name(b, name, sizeof name, &n));
    bool available = false;
    char reason[512];
    CHECK_OK(tcp_backend_availability(b, &available, reason, sizeof reason, &n));
    if (!available) {
        printf("# backend %s unavailable here: %s\n", name, reason);
        uint8_t out[1];
        CHECK_STATUS(tcp_backend_validate_batch(b, TCP_DIALECT_V2_KB, batch, 24, policy, out, 1),
                     TCP_STATUS_UNAVAILABLE);
        return;
    }
    CHECK(n == 0 && reason[0] == '\0');
    uint8_t *out = malloc(records);
    memset(out, 0xEE, records);
    CHECK_OK(tcp_backend_validate_batch(b, TCP_DIALECT_V2_KB, batch, 24 * records, policy, out,
                                        records));
    size_t differ = 0;
    for (size_t i = 0; i < records; i++) {
        differ += out[i] != reference[i];
    }
    if (differ != 0) {
        fprintf(stderr, "backend %s: %zu of %zu status bytes differ from the reference\n", name,
                differ, records);
    }
    CHECK(differ == 0);
    /* The same shape checks as the reference. */
    CHECK_STATUS(tcp_backend_validate_batch(b, TCP_DIALECT_V2_KB, batch, 24 * records - 1, policy,
                                            out, records),
                 TCP_STATUS_WRONG_LENGTH);
    CHECK_STATUS(tcp_backend_validate_batch(b, TCP_DIALECT_V2_KB, batch, 24 * records, policy, out,
                                            records - 1),
                 TCP_STATUS_OUTPUT_TOO_SMALL);
    free(out);
}

static void test_every_backend_matches_the_reference(void) {
    unsigned char *batch = make_batch(RECORDS);
    uint8_t *reference = malloc(RECORDS);
    tcp_policy *policy = NULL;
    CHECK_OK(tcp_policy_new_default(&policy));
    CHECK_OK(tcp_policy_add_deny(policy, TCP_CAPABILITY_DESTRUCTIVE));
    tcp_batch_summary summary;
    CHECK_OK(tcp_validate_batch(TCP_DIALECT_V2_KB, batch, 24 * RECORDS, policy, reference, RECORDS,
                                &summary));
    CHECK(summary.invalid > RECORDS / 7);

    size_t count = tcp_backend_count();
    CHECK(count >= 3); /* scalar, simd, parallel in every build */
    int saw_scalar = 0;
    for (size_t i = 0; i < count; i++) {
        tcp_backend *b = NULL;
        CHECK_OK(tcp_backend_get(i, &b));
        if (b == NULL) {
            continue;
        }
        char name[64], device[256];
        size_t n;
        CHECK_OK(tcp_backend_name(b, name, sizeof name, &n));
        CHECK(n > 0);
        CHECK_OK(tcp_backend_device(b, device, sizeof device, &n));
        tcp_backend_kind kind;
        CHECK_OK(tcp_backend_get_kind(b, &kind));
        CHECK(kind <= TCP_BACKEND_KIND_FPGA);
        printf("# backend %zu: %s (%s)\n", i, name, device);
        saw_scalar += strcmp(name, "scalar") == 0;
        check_backend_matches_reference(b, batch, RECORDS, reference, policy);
        tcp_backend_free(b);
    }
    CHECK(saw_scalar == 1);
    tcp_backend *b = NULL;
    CHECK_STATUS(tcp_backend_get(count, &b), TCP_STATUS_INVALID_ARGUMENT);
    CHECK(b == NULL);
    CHECK_OK(tcp_backend_by_name("SCALAR", 6, &b));
    check_backend_matches_reference(b, batch, RECORDS, reference, policy);
    tcp_backend_free(b);
    b = NULL;
    CHECK_STATUS(tcp_backend_by_name("warp-drive", 10, &b), TCP_STATUS_NOT_FOUND);
    CHECK(b == NULL);
    tcp_policy_free(policy);
    free(reference);
    free(batch);
}

static void test_selection(void) {
    tcp_backend *small = NULL;
    char rejected[2048];
    size_t n = 0;
    CHECK_OK(tcp_backend_select(TCP_DIALECT_V2_KB, 2, &small, rejected, sizeof rejected, &n));
    char name[64];
    size_t name_n;
    CHECK_OK(tcp_backend_name(small, name, sizeof name, &name_n));
    /* Two records are below every threshold but scalar's (simd starts at 8). */
    CHECK_STR(name, "scalar");
    CHECK(strstr(rejected, "simd") != NULL);
    tcp_backend_free(small);

    /* Reasons are optional. */
    tcp_backend *big = NULL;
    CHECK_OK(tcp_backend_select(TCP_DIALECT_V2_KB, (size_t)1 << 20, &big, NULL, 0, NULL));
    CHECK_OK(tcp_backend_name(big, name, sizeof name, &name_n));
    printf("# selected for 2^20 records: %s\n", name);
    if (strcmp(name, "parallel") == 0) {
        /* parallel has one reservation: while it is held, the next caller falls back. */
        tcp_backend *second = NULL;
        CHECK_OK(tcp_backend_select(TCP_DIALECT_V2_KB, (size_t)1 << 20, &second, rejected,
                                    sizeof rejected, &n));
        char second_name[64];
        CHECK_OK(tcp_backend_name(second, second_name, sizeof second_name, &name_n));
        CHECK(strcmp(second_name, "parallel") != 0);
        CHECK(strstr(rejected, "parallel: busy") != NULL);
        tcp_backend_free(second);
    }
    tcp_backend_free(big);

    /* A short reasons buffer: nothing selected, the length reported. */
    tcp_backend *none = NULL;
    char tiny[4];
    CHECK_STATUS(tcp_backend_select(TCP_DIALECT_V2_KB, 10, &none, tiny, sizeof tiny, &n),
                 TCP_STATUS_BUFFER_TOO_SMALL);
    CHECK(none == NULL && n > sizeof tiny);
}

static void test_backend_argument_errors(void) {
    tcp_backend *b = NULL;
    char buf[16];
    size_t n;
    bool available;
    uint8_t out[1];
    unsigned char rec[24];
    hex_to_bytes(HEX[0], rec, sizeof rec);
    CHECK_STATUS(tcp_backend_get(0, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_backend_by_name(NULL, 3, &b), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_backend_select(TCP_DIALECT_V2_KB, 1, NULL, NULL, 0, NULL),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_backend_select(42, 1, &b, NULL, 0, NULL), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_backend_name(NULL, buf, sizeof buf, &n), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_backend_device(NULL, buf, sizeof buf, &n), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_backend_availability(NULL, &available, NULL, 0, NULL),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_backend_validate_batch(NULL, TCP_DIALECT_V2_KB, rec, 24, NULL, out, 1),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_OK(tcp_backend_by_name("scalar", 6, &b));
    CHECK_STATUS(tcp_backend_availability(b, NULL, NULL, 0, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_backend_name(b, buf, 3, &n), TCP_STATUS_BUFFER_TOO_SMALL);
    CHECK(n == 6);
    CHECK_STATUS(tcp_backend_validate_batch(b, TCP_DIALECT_V2_KB, NULL, 24, NULL, out, 1),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_backend_validate_batch(b, TCP_DIALECT_V2_KB, rec, 24, NULL, NULL, 1),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_backend_validate_batch(b, 77, rec, 24, NULL, out, 1),
                 TCP_STATUS_INVALID_ARGUMENT);
    tcp_backend_free(b);
    tcp_backend_free(NULL);
}

int main(void) {
    RUN(test_every_backend_matches_the_reference);
    RUN(test_selection);
    RUN(test_backend_argument_errors);
    return HARNESS_EXIT();
}
