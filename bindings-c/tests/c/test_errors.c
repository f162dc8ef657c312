/*
 * Every way to call libtcp wrongly gets a status, never a crash: NULL
 * pointers, short buffers, bad lengths, bad UTF-8, out-of-range enums, bad
 * files. Out-parameters are untouched on failure.
 * Usage: test_errors DATA_DIR
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

static const char *data_dir = ".";
static const char *LS_HEX = "54435002000244ba5ca60000050100000064000a00010360";

static void test_null_parameters(void) {
    unsigned char rec[24];
    hex_to_bytes(LS_HEX, rec, sizeof rec);
    tcp_descriptor_info info;
    uint8_t out[4];
    size_t n;
    tcp_policy *p = NULL;
    tcp_decision d;
    tcp_dialect dialect;

    CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, 0, NULL, 24, NULL, &info),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, 0, rec, 24, NULL, NULL),
                 TCP_STATUS_NULL_PARAMETER);
    /* NULL with length 0 is an empty record, which has the wrong length. */
    CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, 0, NULL, 0, NULL, &info),
                 TCP_STATUS_WRONG_LENGTH);
    CHECK_STATUS(tcp_validate_batch(TCP_DIALECT_V2_KB, NULL, 24, NULL, out, 4, NULL),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_validate_batch(TCP_DIALECT_V2_KB, rec, 24, NULL, NULL, 4, NULL),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_batch_status_decode(0, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_status_message(0, NULL, 10, &n), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_status_message(0, (char *)out, sizeof out, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_last_error_message(NULL, 10, &n), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_last_error_message((char *)out, sizeof out, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_dialect_from_name(NULL, 3, &dialect), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_dialect_from_name("c24", 3, NULL), TCP_STATUS_NULL_PARAMETER);

    CHECK_STATUS(tcp_policy_new_default(NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_policy_from_toml(NULL, 4, &p), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_policy_from_toml("", 0, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_policy_set_max_approved(NULL, 0), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_policy_set_risk_decision(NULL, 0, 0), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_policy_add_deny(NULL, 1), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_policy_add_require_approval(NULL, 1), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_policy_set_unknown_command(NULL, 0), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_policy_decide(NULL, 0, 0, &d), TCP_STATUS_NULL_PARAMETER);
    CHECK_OK(tcp_policy_new_default(&p));
    CHECK_STATUS(tcp_policy_decide(p, 0, 0, NULL), TCP_STATUS_NULL_PARAMETER);
    tcp_policy_free(p);

    tcp_registry *reg = NULL;
    tcp_entry_info e;
    CHECK_STATUS(tcp_registry_open(NULL, 5, &reg), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_registry_open("x", 1, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK(reg == NULL);
    CHECK_STATUS(tcp_registry_len(NULL, &n), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_registry_lookup(NULL, "ls", 2, &e), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_registry_justification(NULL, "ls", 2, (char *)out, 4, &n),
                 TCP_STATUS_NULL_PARAMETER);

    /* _free accepts NULL. */
    tcp_policy_free(NULL);
    tcp_registry_free(NULL);
}

static void test_short_buffers(void) {
    char buf[8];
    memset(buf, 'x', sizeof buf);
    size_t n = 0;
    /* "checksum_mismatch" is 17 bytes: needs 18. */
    CHECK_STATUS(tcp_status_message(TCP_STATUS_CHECKSUM_MISMATCH, buf, sizeof buf, &n),
                 TCP_STATUS_BUFFER_TOO_SMALL);
    CHECK(n == 17);
    for (size_t i = 0; i < sizeof buf; i++) {
        CHECK(buf[i] == 'x'); /* nothing written */
    }
    /* A size query with no buffer succeeds, as snprintf(NULL, 0, ...) does. */
    n = 0;
    CHECK_OK(tcp_status_message(TCP_STATUS_CHECKSUM_MISMATCH, NULL, 0, &n));
    CHECK(n == 17);
    /* Exactly the string length, without room for the NUL, is too small. */
    char exact[17];
    CHECK_STATUS(tcp_status_message(TCP_STATUS_CHECKSUM_MISMATCH, exact, sizeof exact, &n),
                 TCP_STATUS_BUFFER_TOO_SMALL);
    char *heap = malloc(18); /* ASan catches a write past 18 bytes */
    CHECK_OK(tcp_status_message(TCP_STATUS_CHECKSUM_MISMATCH, heap, 18, &n));
    CHECK_STR(heap, "checksum_mismatch");
    free(heap);

    /* Batch output shorter than the record count: nothing written. */
    unsigned char recs[48];
    hex_to_bytes(LS_HEX, recs, 24);
    hex_to_bytes(LS_HEX, recs + 24, 24);
    uint8_t *out = malloc(1);
    out[0] = 0xEE;
    tcp_batch_summary s;
    CHECK_STATUS(tcp_validate_batch(TCP_DIALECT_V2_KB, recs, 48, NULL, out, 1, &s),
                 TCP_STATUS_OUTPUT_TOO_SMALL);
    CHECK(out[0] == 0xEE);
    free(out);
    /* Input that is not a whole number of records. */
    uint8_t out2[2];
    CHECK_STATUS(tcp_validate_batch(TCP_DIALECT_V2_KB, recs, 47, NULL, out2, 2, &s),
                 TCP_STATUS_WRONG_LENGTH);
    /* Short and long single records. */
    tcp_descriptor_info info;
    CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, 0, recs, 23, NULL, &info),
                 TCP_STATUS_WRONG_LENGTH);
    CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, 0, recs, 25, NULL, &info),
                 TCP_STATUS_WRONG_LENGTH);
    CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, 0, recs, 1, NULL, &info),
                 TCP_STATUS_WRONG_LENGTH);
    char msg[128];
    CHECK_OK(tcp_last_error_message(msg, sizeof msg, &n));
    CHECK(strstr(msg, "wrong length") != NULL);
}

static void test_out_of_range_values(void) {
    unsigned char rec[24];
    hex_to_bytes(LS_HEX, rec, sizeof rec);
    tcp_descriptor_info info;
    uint8_t out[1];
    size_t n;
    char buf[64];
    CHECK_STATUS(tcp_descriptor_validate(11, 0, rec, 24, NULL, &info), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_descriptor_validate(0xFFFFFFFFu, 0, rec, 24, NULL, &info),
                 TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, 2, rec, 24, NULL, &info),
                 TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_validate_batch(99, rec, 24, NULL, out, 1, NULL), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_status_message(9, buf, sizeof buf, &n), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_status_message(1000, buf, sizeof buf, &n), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_status_message(0xFFFFFFFFu, buf, sizeof buf, &n), TCP_STATUS_INVALID_ARGUMENT);
    CHECK(tcp_decision_name(4) == NULL);
    CHECK(tcp_risk_level_name(5) == NULL);
    CHECK(tcp_dialect_name(0xFFFFFFFFu) == NULL);
    tcp_dialect d;
    CHECK_STATUS(tcp_dialect_from_name("v9-nope", 7, &d), TCP_STATUS_UNKNOWN_DIALECT);

    /* 0x48 bits are never set in a valid status byte. */
    tcp_record_outcome o;
    CHECK_STATUS(tcp_batch_status_decode(0x08, &o), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_batch_status_decode(0x80, &o), TCP_STATUS_INVALID_ARGUMENT);

    tcp_policy *p = NULL;
    tcp_decision dec = 77;
    CHECK_OK(tcp_policy_new_default(&p));
    CHECK_STATUS(tcp_policy_set_max_approved(p, 5), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_policy_set_risk_decision(p, 0, 4), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_policy_set_unknown_command(p, 4), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_policy_add_deny(p, 0x100), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_policy_add_require_approval(p, 0x8000), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_policy_decide(p, 5, 0, &dec), TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_policy_decide(p, 0, 0x100, &dec), TCP_STATUS_INVALID_ARGUMENT);
    CHECK(dec == 77); /* untouched on failure */
    tcp_policy_free(p);
}

static void test_bad_text(void) {
    tcp_policy *p = (tcp_policy *)0x1; /* must stay untouched */
    const char bad_utf8[] = "deny = [\"\xff\xfe\"]";
    CHECK_STATUS(tcp_policy_from_toml(bad_utf8, sizeof bad_utf8 - 1, &p), TCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(tcp_policy_from_toml("bogus = 1", 9, &p), TCP_STATUS_BAD_INPUT);
    const char *unknown_cap = "deny = [\"TELEPORT\"]";
    CHECK_STATUS(tcp_policy_from_toml(unknown_cap, strlen(unknown_cap), &p), TCP_STATUS_BAD_INPUT);
    char msg[256];
    size_t n;
    CHECK_OK(tcp_last_error_message(msg, sizeof msg, &n));
    CHECK(strstr(msg, "TELEPORT") != NULL);
    /* Length is honoured: the text is not NUL-terminated here. */
    const char *two = "unknown_command = \"deny\"GARBAGE";
    CHECK_OK(tcp_policy_from_toml(two, strlen(two) - 7, &p));
    tcp_policy_free(p);
    tcp_dialect d;
    CHECK_STATUS(tcp_dialect_from_name("\xc3", 1, &d), TCP_STATUS_INVALID_UTF8);
}

static void test_bad_files(void) {
    tcp_registry *reg = NULL;
    const char *missing = "/nonexistent/registry.tcpr";
    CHECK_STATUS(tcp_registry_open(missing, strlen(missing), &reg), TCP_STATUS_IO);
    CHECK(reg == NULL);
    char msg[512];
    size_t n;
    CHECK_OK(tcp_last_error_message(msg, sizeof msg, &n));
    CHECK(strstr(msg, "/nonexistent/registry.tcpr") != NULL);

    /* A directory, an empty file, a file of junk, a truncated database. */
    CHECK(tcp_registry_open("/tmp", 4, &reg) != TCP_STATUS_OK);
    char tmpl[] = "/tmp/tcp-bad-registry-XXXXXX";
    int fd = mkstemp(tmpl);
    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    CHECK(tcp_registry_open(tmpl, strlen(tmpl), &reg) != TCP_STATUS_OK);
    CHECK(write(fd, "NOTAREGISTRYATALL-NOTAREGISTRYATALL", 35) == 35);
    CHECK(tcp_registry_open(tmpl, strlen(tmpl), &reg) != TCP_STATUS_OK);
    CHECK(reg == NULL);

    char src[4096];
    snprintf(src, sizeof src, "%s/tcp_complete.db", data_dir);
    FILE *f = fopen(src, "rb");
    CHECK(f != NULL);
    if (f != NULL) {
        unsigned char head[600];
        size_t got = fread(head, 1, sizeof head, f);
        fclose(f);
        CHECK(got == sizeof head);
        CHECK(ftruncate(fd, 0) == 0);
        CHECK(pwrite(fd, head, got, 0) == (ssize_t)got);
        tcp_status s = tcp_registry_open(tmpl, strlen(tmpl), &reg);
        CHECK(s != TCP_STATUS_OK && s != TCP_STATUS_PANIC);
        CHECK(reg == NULL);
    }
    close(fd);
    unlink(tmpl);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        data_dir = argv[1];
    }
    RUN(test_null_parameters);
    RUN(test_short_buffers);
    RUN(test_out_of_range_values);
    RUN(test_bad_text);
    RUN(test_bad_files);
    return HARNESS_EXIT();
}
