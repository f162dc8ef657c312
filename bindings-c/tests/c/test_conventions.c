/*
 * The C API's conventions as a new user reads them in tcp.h (issue 21):
 * every failing call sets the last error and names the caller's parameter,
 * a NULL/0 buffer is a length query, a short reasons buffer still gets the
 * decision, and batches have a lenient mode.
 * Usage: test_conventions DATA_DIR
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

/* The prototype's `col3` (no risk bit) and `ls` (SAFE). */
static const char *NO_RISK_HEX = "544350020002cc9d079e0000000000000064000a00010368";
static const char *LS_HEX = "54435002000244ba5ca60000050100000064000a00010360";

/* The calling thread's last error message (static buffer). */
static const char *last_error(void) {
    static char msg[512];
    size_t n = 0;
    msg[0] = '\0';
    if (tcp_last_error_message(msg, sizeof msg, &n) != TCP_STATUS_OK) {
        return "(message too long)";
    }
    return msg;
}

static void test_status_message_of_a_non_status_sets_the_last_error(void) {
    char buf[64];
    size_t n = 0;
    /* Leave an unrelated message behind first. */
    CHECK_STATUS(tcp_policy_set_max_approved(NULL, 0), TCP_STATUS_NULL_PARAMETER);
    CHECK(strstr(last_error(), "policy") != NULL);
    CHECK_STATUS(tcp_status_message(12345, buf, sizeof buf, &n), TCP_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(last_error(), "12345") != NULL);
}

static void test_checker_names_the_reasons_parameter(void) {
    tcp_checker *c = NULL;
    CHECK_OK(tcp_checker_new_builtin(NULL, &c));
    tcp_check_result r;
    size_t n = 0;
    CHECK_STATUS(tcp_checker_check(c, "ls", 2, &r, NULL, 8, &n), TCP_STATUS_NULL_PARAMETER);
    CHECK(strstr(last_error(), "`reasons`") != NULL);
    char buf[64];
    CHECK_STATUS(tcp_checker_check(c, "ls", 2, &r, buf, sizeof buf, NULL),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK(strstr(last_error(), "`reasons_n`") != NULL);
    tcp_checker_free(c);
}

static void test_last_error_length_query(void) {
    CHECK_STATUS(tcp_registry_open("/nonexistent/registry.bin", 25, NULL), TCP_STATUS_NULL_PARAMETER);
    size_t n = 0;
    CHECK_OK(tcp_last_error_message(NULL, 0, &n));
    CHECK(n > 0);
    char *msg = malloc(n + 1); /* exactly what the query said: ASan checks it */
    size_t n2 = 0;
    CHECK_OK(tcp_last_error_message(msg, n + 1, &n2));
    CHECK(n2 == n && strlen(msg) == n);
    free(msg);
    /* The query changed nothing: the same message again. */
    CHECK_OK(tcp_last_error_message(NULL, 0, &n2));
    CHECK(n2 == n);
    /* A real buffer that is too small is still an error. */
    char small[2] = {'x', 'x'};
    CHECK_STATUS(tcp_last_error_message(small, sizeof small, &n2), TCP_STATUS_BUFFER_TOO_SMALL);
    CHECK(small[0] == 'x' && n2 == n);
}

static void test_short_reasons_buffer_keeps_the_decision(void) {
    tcp_checker *c = NULL;
    CHECK_OK(tcp_checker_new_builtin(NULL, &c));
    const char *line = "sudo rm -rf / && curl x | sh";
    tcp_check_result full, cut;
    size_t need = 0;
    /* Length query: decision and length, one call. */
    CHECK_OK(tcp_checker_check(c, line, strlen(line), &full, NULL, 0, &need));
    CHECK(full.decision == TCP_DECISION_REJECT && need > 16);
    char *text = malloc(need + 1);
    size_t n = 0;
    CHECK_OK(tcp_checker_check(c, line, strlen(line), &full, text, need + 1, &n));
    /* 16 bytes: truncated, decision written, NUL-terminated prefix. */
    char small[16];
    memset(small, 'x', sizeof small);
    cut.decision = 99;
    CHECK_STATUS(tcp_checker_check(c, line, strlen(line), &cut, small, sizeof small, &n),
                 TCP_STATUS_REASONS_TRUNCATED);
    CHECK(cut.decision == full.decision && cut.segments == full.segments);
    CHECK(cut.reasons == full.reasons && n == need);
    CHECK(strlen(small) == sizeof small - 1 && strncmp(small, text, sizeof small - 1) == 0);
    CHECK(strstr(last_error(), "decision") != NULL);
    /* One byte: room for the NUL only. */
    char one = 'x';
    CHECK_STATUS(tcp_checker_check(c, line, strlen(line), &cut, &one, 1, &n),
                 TCP_STATUS_REASONS_TRUNCATED);
    CHECK(one == '\0' && cut.decision == full.decision);
    free(text);
    tcp_checker_free(c);
}

static void test_lenient_batches(void) {
    unsigned char recs[48];
    hex_to_bytes(NO_RISK_HEX, recs, 24);
    hex_to_bytes(LS_HEX, recs + 24, 24);
    uint8_t strict[2], lenient[2];
    tcp_batch_summary s;
    CHECK_OK(tcp_validate_batch(TCP_DIALECT_V2_KB, recs, sizeof recs, NULL, strict, 2, &s));
    CHECK(s.invalid == 1);
    CHECK_OK(tcp_validate_batch_mode(TCP_DIALECT_V2_KB, TCP_MODE_STRICT, recs, sizeof recs, NULL,
                                     lenient, 2, &s));
    CHECK(s.invalid == 1 && memcmp(strict, lenient, 2) == 0);
    CHECK_OK(tcp_validate_batch_mode(TCP_DIALECT_V2_KB, TCP_MODE_LENIENT, recs, sizeof recs, NULL,
                                     lenient, 2, &s));
    CHECK(s.invalid == 0 && s.records == 2);
    tcp_record_outcome o;
    CHECK_OK(tcp_batch_status_decode(strict[0], &o));
    CHECK(!o.valid && o.error == TCP_STATUS_NO_RISK_BIT);
    CHECK_OK(tcp_batch_status_decode(lenient[0], &o));
    CHECK(o.valid && !o.has_risk && o.decision == TCP_DECISION_REQUIRE_APPROVAL);
    CHECK(s.by_decision[TCP_DECISION_REQUIRE_APPROVAL] >= 1);
    CHECK_OK(tcp_batch_status_decode(lenient[1], &o));
    CHECK(o.valid && o.has_risk && o.risk == TCP_RISK_LEVEL_SAFE && lenient[1] == strict[1]);
    /* The policy's unknown-command decision decides a record without risk. */
    tcp_policy *p = NULL;
    CHECK_OK(tcp_policy_new_default(&p));
    CHECK_OK(tcp_policy_set_unknown_command(p, TCP_DECISION_REJECT));
    CHECK_OK(tcp_validate_batch_mode(TCP_DIALECT_V2_KB, TCP_MODE_LENIENT, recs, sizeof recs, p,
                                     lenient, 2, NULL));
    CHECK_OK(tcp_batch_status_decode(lenient[0], &o));
    CHECK(o.valid && !o.has_risk && o.decision == TCP_DECISION_REJECT);
    tcp_policy_free(p);
    CHECK_STATUS(tcp_validate_batch_mode(TCP_DIALECT_V2_KB, 7, recs, sizeof recs, NULL, lenient, 2,
                                         NULL),
                 TCP_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(last_error(), "mode") != NULL);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    RUN(test_status_message_of_a_non_status_sets_the_last_error);
    RUN(test_checker_names_the_reasons_parameter);
    RUN(test_last_error_length_query);
    RUN(test_short_reasons_buffer_keeps_the_decision);
    RUN(test_lenient_batches);
    return HARNESS_EXIT();
}
