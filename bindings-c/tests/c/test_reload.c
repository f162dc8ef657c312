/*
 * tcp_live_checker: a registry file reloaded while in use. The two
 * registries are the prototype's knowledge base (1 567 entries, addr2line is
 * SAFE: APPROVED) and its 10-entry database (no addr2line: REQUIRE_APPROVAL).
 * Usage: test_reload DATA_DIR
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

static const char *data_dir = ".";
static char dir[256];
static char path[300];
static const char *PROBE = "addr2line";

/* Copies DATA_DIR/name to `path` by writing a temporary file and renaming
 * it over (as libtcp's writers do). */
static int install(const char *name) {
    char src[512], tmp[320];
    snprintf(src, sizeof src, "%s/%s", data_dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *in = fopen(src, "rb");
    FILE *out = fopen(tmp, "wb");
    int ok = in != NULL && out != NULL;
    char buf[8192];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        ok = fwrite(buf, 1, n, out) == n;
    }
    if (in != NULL) {
        fclose(in);
    }
    if (out != NULL) {
        fclose(out);
    }
    return ok && rename(tmp, path) == 0;
}

static int install_bytes(const char *bytes) {
    char tmp[320];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "wb");
    if (out == NULL) {
        return 0;
    }
    fputs(bytes, out);
    fclose(out);
    return rename(tmp, path) == 0;
}

static tcp_decision decide(const tcp_live_checker *live) {
    tcp_check_result r;
    tcp_status s = tcp_live_checker_check(live, PROBE, strlen(PROBE), &r, NULL, 0, NULL);
    return s == TCP_STATUS_OK ? r.decision : (tcp_decision)99;
}

static void test_reload_swaps_and_failures_keep_old(void) {
    CHECK(install("tcp_complete.db"));
    tcp_live_checker *live = NULL;
    CHECK_OK(tcp_live_checker_open(path, strlen(path), NULL, 0, &live));
    if (live == NULL) {
        return;
    }
    CHECK(decide(live) == TCP_DECISION_APPROVED);
    tcp_reload_status st;
    CHECK_OK(tcp_live_checker_reload_status(live, &st));
    CHECK(st.reloads == 0 && st.failures == 0 && st.last_attempt_unix == 0.0 && !st.last_failed);

    tcp_checker *before = NULL;
    CHECK_OK(tcp_live_checker_snapshot(live, &before));
    CHECK(install("tcp_binary_database.bin"));
    CHECK(decide(live) == TCP_DECISION_APPROVED); /* not reloaded yet */
    CHECK_OK(tcp_live_checker_reload(live));
    CHECK(decide(live) == TCP_DECISION_REQUIRE_APPROVAL);
    tcp_check_result r;
    CHECK_OK(tcp_checker_check(before, PROBE, strlen(PROBE), &r, NULL, 0, NULL));
    CHECK(r.decision == TCP_DECISION_APPROVED); /* the snapshot keeps the old registry */
    tcp_checker_free(before);

    char json[8192];
    size_t n = 0;
    CHECK_OK(tcp_live_checker_check_json(live, PROBE, strlen(PROBE), json, sizeof json, &n));
    CHECK(strstr(json, "REQUIRE_APPROVAL") != NULL);

    /* Corrupt, then missing: the reload fails and the registry in use stays. */
    CHECK(install_bytes("TCPR but not a registry"));
    CHECK(tcp_live_checker_reload(live) != TCP_STATUS_OK);
    CHECK(decide(live) == TCP_DECISION_REQUIRE_APPROVAL);
    CHECK_OK(tcp_live_checker_reload_status(live, &st));
    CHECK(st.reloads == 1 && st.failures == 1 && st.last_failed);
    CHECK(st.last_attempt_unix > 1e9 && st.last_success_unix > 1e9);
    char message[512] = "";
    CHECK_OK(tcp_live_checker_last_error(live, message, sizeof message, &n));
    CHECK(n > 0 && strlen(message) == n);
    unlink(path);
    CHECK_STATUS(tcp_live_checker_reload(live), TCP_STATUS_IO);
    CHECK(decide(live) == TCP_DECISION_REQUIRE_APPROVAL);

    CHECK(install("tcp_complete.db"));
    CHECK_OK(tcp_live_checker_reload(live));
    CHECK(decide(live) == TCP_DECISION_APPROVED);
    CHECK_OK(tcp_live_checker_reload_status(live, &st));
    CHECK(st.reloads == 2 && st.failures == 2 && !st.last_failed);
    CHECK_OK(tcp_live_checker_last_error(live, message, sizeof message, &n));
    CHECK(n == 0);
    tcp_live_checker_free(live);
}

static void test_policy_file_and_errors(void) {
    char policy[320];
    snprintf(policy, sizeof policy, "%s/policy.toml", dir);
    FILE *f = fopen(policy, "w");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    fputs("unknown_command = \"deny\"\n", f);
    fclose(f);
    CHECK(install("tcp_binary_database.bin"));
    tcp_live_checker *live = NULL;
    CHECK_OK(tcp_live_checker_open(path, strlen(path), policy, strlen(policy), &live));
    CHECK(decide(live) == TCP_DECISION_REJECT); /* unknown, denied by the policy */
    /* A bad policy: the reload fails and the old policy stays. */
    f = fopen(policy, "w");
    if (f != NULL) {
        fputs("deny = [\"TELEPORT\"]\n", f);
        fclose(f);
    }
    CHECK_STATUS(tcp_live_checker_reload(live), TCP_STATUS_BAD_INPUT);
    CHECK(decide(live) == TCP_DECISION_REJECT);
    tcp_live_checker_free(live);

    /* Opening fails outright on a missing or bad file. */
    tcp_live_checker *none = NULL;
    CHECK_STATUS(tcp_live_checker_open(path, strlen(path), policy, strlen(policy), &none),
                 TCP_STATUS_BAD_INPUT);
    CHECK_STATUS(tcp_live_checker_open("/nonexistent/r.tcpr", 19, NULL, 0, &none), TCP_STATUS_IO);
    CHECK(none == NULL);
    /* The built-in registry and default policy. */
    CHECK_OK(tcp_live_checker_open(NULL, 0, NULL, 0, &none));
    tcp_check_result r;
    CHECK_OK(tcp_live_checker_check(none, "rm -rf /", 8, &r, NULL, 0, NULL));
    CHECK(r.decision == TCP_DECISION_REJECT);
    CHECK_OK(tcp_live_checker_reload(none));
    tcp_live_checker_free(none);
    tcp_live_checker_free(NULL);

    CHECK_STATUS(tcp_live_checker_open(NULL, 3, NULL, 0, &none), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_live_checker_open(NULL, 0, NULL, 0, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_live_checker_reload(NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_live_checker_check(NULL, "ls", 2, &r, NULL, 0, NULL),
                 TCP_STATUS_NULL_PARAMETER);
    tcp_reload_status st;
    CHECK_STATUS(tcp_live_checker_reload_status(NULL, &st), TCP_STATUS_NULL_PARAMETER);
    unlink(policy);
}

/* Threads decide while the main thread reloads A and B in turn. */
static tcp_live_checker *SHARED;
static volatile int STOP_THREADS;

static void *decider(void *arg) {
    long *bad = arg;
    while (!STOP_THREADS) {
        tcp_decision d = decide(SHARED);
        if (d != TCP_DECISION_APPROVED && d != TCP_DECISION_REQUIRE_APPROVAL) {
            (*bad)++;
        }
    }
    return NULL;
}

static void test_reload_under_concurrent_decisions(void) {
    CHECK(install("tcp_complete.db"));
    CHECK_OK(tcp_live_checker_open(path, strlen(path), NULL, 0, &SHARED));
    if (SHARED == NULL) {
        return;
    }
    pthread_t threads[3];
    long bad[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        CHECK(pthread_create(&threads[i], NULL, decider, &bad[i]) == 0);
    }
    for (int i = 0; i < 40; i++) {
        CHECK(install(i % 2 == 0 ? "tcp_binary_database.bin" : "tcp_complete.db"));
        CHECK_OK(tcp_live_checker_reload(SHARED));
    }
    STOP_THREADS = 1;
    for (int i = 0; i < 3; i++) {
        pthread_join(threads[i], NULL);
        CHECK(bad[i] == 0);
    }
    tcp_reload_status st;
    CHECK_OK(tcp_live_checker_reload_status(SHARED, &st));
    CHECK(st.reloads == 40 && st.failures == 0);
    CHECK(decide(SHARED) == TCP_DECISION_APPROVED); /* the last one installed */
    tcp_live_checker_free(SHARED);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        data_dir = argv[1];
    }
    snprintf(dir, sizeof dir, "%s/tcp-reload-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/registry", dir);
    RUN(test_reload_swaps_and_failures_keep_old);
    RUN(test_policy_file_and_errors);
    RUN(test_reload_under_concurrent_decisions);
    unlink(path);
    rmdir(dir);
    return HARNESS_EXIT();
}
