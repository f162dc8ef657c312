/*
 * libtcp from many pthreads at once: one registry, one policy and one
 * checker shared by every thread, each thread comparing what it gets with
 * what the main thread got alone. Also checks that the last error message
 * is per thread. Runs under ASan like every C test.
 * Usage: test_threads DATA_DIR
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "harness.h"

#define THREADS 8
#define ROUNDS 300

static const char *data_dir = ".";

static const char *COMMANDS[] = {"ls", "[[", "chmod", "blkdiscard", "ar", "col1", "rm", "dd"};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static const char *LINES[] = {
    "ls -la", "rm -rf /", "git status && git push --force", "curl -s x.sh | sh",
    "frobnicate", "cat a | grep b | sort | uniq -c", "sudo apt-get install vim", "echo $(id)",
};
#define N_LINES (sizeof LINES / sizeof LINES[0])

struct shared {
    tcp_registry *registry;
    tcp_policy *policy;
    tcp_checker *checker;
    tcp_decision expected_decision[N_LINES];
    char expected_reasons[N_LINES][2048];
    unsigned char batch[24 * N_COMMANDS];
    uint8_t expected_status[N_COMMANDS];
    tcp_batch_summary expected_summary;
    tcp_descriptor_info expected_info[N_COMMANDS];
    tcp_status expected_validate[N_COMMANDS];
};

static struct shared S;
static atomic_int mismatches;

static void mismatch(const char *what, int thread) {
    fprintf(stderr, "thread %d: %s differs from the single-threaded result\n", thread, what);
    atomic_fetch_add(&mismatches, 1);
}

static void *worker(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int round = 0; round < ROUNDS; round++) {
        size_t i = (size_t)(round + id) % N_COMMANDS;
        tcp_entry_info e;
        if (tcp_registry_lookup(S.registry, COMMANDS[i], strlen(COMMANDS[i]), &e) != TCP_STATUS_OK ||
            memcmp(e.descriptor, S.batch + 24 * i, 24) != 0) {
            mismatch("lookup", id);
        }
        tcp_descriptor_info info;
        tcp_status st = tcp_descriptor_validate(TCP_DIALECT_V2_KB, TCP_MODE_STRICT, S.batch + 24 * i,
                                                24, S.policy, &info);
        if (st != S.expected_validate[i] ||
            (st == TCP_STATUS_OK && (info.risk != S.expected_info[i].risk ||
                                     info.decision != S.expected_info[i].decision))) {
            mismatch("validate", id);
        }
        uint8_t out[N_COMMANDS];
        tcp_batch_summary sum;
        if (tcp_validate_batch(TCP_DIALECT_V2_KB, S.batch, sizeof S.batch, S.policy, out, N_COMMANDS,
                               &sum) != TCP_STATUS_OK ||
            memcmp(out, S.expected_status, N_COMMANDS) != 0 ||
            memcmp(&sum, &S.expected_summary, sizeof sum) != 0) {
            mismatch("batch", id);
        }
        size_t li = (size_t)(round * 3 + id) % N_LINES;
        tcp_check_result r;
        char reasons[2048];
        size_t rn;
        if (tcp_checker_check(S.checker, LINES[li], strlen(LINES[li]), &r, reasons, sizeof reasons,
                              &rn) != TCP_STATUS_OK ||
            r.decision != S.expected_decision[li] || strcmp(reasons, S.expected_reasons[li]) != 0) {
            mismatch("check", id);
        }
        /* Each thread's own failure, then its own message. */
        char name[32];
        int n = snprintf(name, sizeof name, "no-such-dialect-%d", id);
        tcp_dialect d;
        if (tcp_dialect_from_name(name, (size_t)n, &d) != TCP_STATUS_UNKNOWN_DIALECT) {
            mismatch("dialect error", id);
        }
        char msg[128];
        size_t len;
        if (tcp_last_error_message(msg, sizeof msg, &len) != TCP_STATUS_OK || strstr(msg, name) == NULL) {
            mismatch("last error message", id);
        }
    }
    return NULL;
}

static void test_shared_registry_policy_and_checker(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tcp_complete.db", data_dir);
    CHECK_OK(tcp_registry_open(path, strlen(path), &S.registry));
    CHECK_OK(tcp_policy_new_default(&S.policy));
    if (S.registry == NULL || S.policy == NULL) {
        return;
    }
    CHECK_OK(tcp_policy_add_require_approval(S.policy, TCP_CAPABILITY_NETWORK_ACCESS));
    for (size_t i = 0; i < N_COMMANDS; i++) {
        tcp_entry_info e;
        CHECK_OK(tcp_registry_lookup(S.registry, COMMANDS[i], strlen(COMMANDS[i]), &e));
        CHECK(e.descriptor_len == 24);
        memcpy(S.batch + 24 * i, e.descriptor, 24);
        S.expected_validate[i] = tcp_descriptor_validate(TCP_DIALECT_V2_KB, TCP_MODE_STRICT,
                                                         S.batch + 24 * i, 24, S.policy,
                                                         &S.expected_info[i]);
    }
    CHECK_OK(tcp_validate_batch(TCP_DIALECT_V2_KB, S.batch, sizeof S.batch, S.policy,
                                S.expected_status, N_COMMANDS, &S.expected_summary));
    CHECK(S.expected_summary.invalid == 1); /* col1 has no risk bit */
    CHECK_OK(tcp_checker_new_layered(S.registry, NULL, 0, S.policy, &S.checker));
    if (S.checker == NULL) {
        return;
    }
    for (size_t i = 0; i < N_LINES; i++) {
        tcp_check_result r;
        size_t n;
        CHECK_OK(tcp_checker_check(S.checker, LINES[i], strlen(LINES[i]), &r, S.expected_reasons[i],
                                   sizeof S.expected_reasons[i], &n));
        S.expected_decision[i] = r.decision;
    }
    CHECK(S.expected_decision[1] == TCP_DECISION_REJECT);

    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        CHECK(pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t) == 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
    }
    CHECK(atomic_load(&mismatches) == 0);
    tcp_checker_free(S.checker);
    tcp_policy_free(S.policy);
    tcp_registry_free(S.registry);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        data_dir = argv[1];
    }
    RUN(test_shared_registry_policy_and_checker);
    return HARNESS_EXIT();
}
