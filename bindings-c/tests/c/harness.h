/*
 * A tiny TAP-style harness for libtcp's C tests.
 *
 * Each TEST prints "ok - name" or "not ok - name"; scripts/test-c.sh counts
 * them. A program exits non-zero if any check failed. The tests are built
 * with -fsanitize=address,undefined, and refuse to compile without ASan so a
 * "pass" always means "passed under the sanitizer".
 */
#ifndef TCP_TEST_HARNESS_H
#define TCP_TEST_HARNESS_H

#if !defined(__SANITIZE_ADDRESS__)
#error "libtcp's C tests must be built with -fsanitize=address (see scripts/test-c.sh)"
#endif

#include <stdio.h>
#include <string.h>

#include "tcp.h"

static int harness_failed_checks;
static int harness_failed_tests;
static int harness_passed_tests;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            harness_failed_checks++;                                           \
        }                                                                      \
    } while (0)

/* Checks that an expression returns the expected tcp_status, printing both
 * names when it does not. */
#define CHECK_STATUS(expr, expected)                                           \
    do {                                                                       \
        tcp_status check_got_ = (expr);                                        \
        tcp_status check_want_ = (expected);                                   \
        if (check_got_ != check_want_) {                                       \
            char check_msg_[256] = {0};                                        \
            size_t check_n_ = 0;                                               \
            tcp_last_error_message(check_msg_, sizeof check_msg_, &check_n_);  \
            fprintf(stderr, "%s:%d: %s returned %u, expected %u (last error: %s)\n", \
                    __FILE__, __LINE__, #expr, (unsigned)check_got_,           \
                    (unsigned)check_want_, check_msg_);                        \
            harness_failed_checks++;                                           \
        }                                                                      \
    } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, TCP_STATUS_OK)

#define CHECK_STR(got, want)                                                   \
    do {                                                                       \
        const char *check_g_ = (got);                                          \
        const char *check_w_ = (want);                                         \
        if (check_g_ == NULL || strcmp(check_g_, check_w_) != 0) {             \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, \
                    __LINE__, #got, check_g_ ? check_g_ : "(null)", check_w_);  \
            harness_failed_checks++;                                           \
        }                                                                      \
    } while (0)

#define RUN(test_fn)                                                           \
    do {                                                                       \
        int before_ = harness_failed_checks;                                   \
        test_fn();                                                             \
        if (harness_failed_checks == before_) {                                \
            printf("ok - %s\n", #test_fn);                                     \
            harness_passed_tests++;                                            \
        } else {                                                               \
            printf("not ok - %s\n", #test_fn);                                 \
            harness_failed_tests++;                                            \
        }                                                                      \
        fflush(stdout);                                                        \
    } while (0)

#define HARNESS_EXIT()                                                         \
    (printf("# %d passed, %d failed\n", harness_passed_tests,                 \
            harness_failed_tests),                                             \
     harness_failed_tests == 0 ? 0 : 1)

/* Parses hex into bytes; returns the byte count, or 0 on bad input. (inline:
 * not every test uses it) */
static inline size_t hex_to_bytes(const char *hex, unsigned char *out, size_t cap) {
    size_t n = strlen(hex) / 2;
    if (n > cap || strlen(hex) % 2 != 0) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned int byte = 0;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            return 0;
        }
        out[i] = (unsigned char)byte;
    }
    return n;
}

#endif /* TCP_TEST_HARNESS_H */
