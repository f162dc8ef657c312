/*
 * The working directory, home directory and workspace roots of a checker
 * (tcp_checker_set_context, tcp_live_checker_set_context): the same line
 * gets the verdict `tcp check --cwd DIR --home DIR --workspace DIR...` gives
 * it, and a different one in a different context; every misuse.
 * Usage: test_context (the data directory argument is not used)
 */
#include <stdlib.h>

#include "harness.h"

static const char PROJECT[] = "/home/dev/project";
static const char HOME[] = "/home/dev";
static const char OTHER[] = "/home/dev/other";

static tcp_decision decide(const tcp_checker *c, const char *line) {
    tcp_check_result r;
    memset(&r, 0xAB, sizeof r);
    tcp_status s = tcp_checker_check(c, line, strlen(line), &r, NULL, 0, NULL);
    CHECK_OK(s);
    return s == TCP_STATUS_OK ? r.decision : 99;
}

static tcp_decision decide_live(const tcp_live_checker *c, const char *line) {
    tcp_check_result r;
    memset(&r, 0xAB, sizeof r);
    tcp_status s = tcp_live_checker_check(c, line, strlen(line), &r, NULL, 0, NULL);
    CHECK_OK(s);
    return s == TCP_STATUS_OK ? r.decision : 99;
}

/* Sets cwd, home and workspace roots given as NUL-terminated strings. */
static tcp_status set_context(tcp_checker *c, const char *cwd, const char *home,
                              const char *const *ws, size_t ws_n) {
    size_t lens[4] = {0};
    for (size_t i = 0; i < ws_n && i < 4; i++) {
        lens[i] = strlen(ws[i]);
    }
    return tcp_checker_set_context(c, cwd, cwd ? strlen(cwd) : 0, home, home ? strlen(home) : 0,
                                   ws, ws_n ? lens : NULL, ws_n);
}

static tcp_checker *new_checker(void) {
    tcp_checker *c = NULL;
    CHECK_OK(tcp_checker_new_builtin(NULL, &c));
    return c;
}

/* A line and its decision in each context: none set; the project (cwd and
 * workspace the project, home its parent); the home directory as the
 * workspace; the project plus a second workspace root. What `tcp check`
 * prints with the same --cwd/--home/--workspace. */
struct row {
    const char *line;
    tcp_decision none, project, home, two_roots;
};

static const struct row ROWS[] = {
    {"rm -rf build", TCP_DECISION_CAUTION_MODE, TCP_DECISION_CAUTION_MODE,
     TCP_DECISION_CAUTION_MODE, TCP_DECISION_CAUTION_MODE},
    {"cd ~ && rm -rf build", TCP_DECISION_REQUIRE_APPROVAL, TCP_DECISION_REQUIRE_APPROVAL,
     TCP_DECISION_CAUTION_MODE, TCP_DECISION_REQUIRE_APPROVAL},
    {"echo hi > /home/dev/project/out.txt", TCP_DECISION_REQUIRE_APPROVAL,
     TCP_DECISION_APPROVED, TCP_DECISION_APPROVED, TCP_DECISION_APPROVED},
    {"rm -rf /home/dev/other", TCP_DECISION_REQUIRE_APPROVAL, TCP_DECISION_REQUIRE_APPROVAL,
     TCP_DECISION_CAUTION_MODE, TCP_DECISION_REQUIRE_APPROVAL},
    {"rm -rf /home/dev/other/cache", TCP_DECISION_REQUIRE_APPROVAL,
     TCP_DECISION_REQUIRE_APPROVAL, TCP_DECISION_CAUTION_MODE, TCP_DECISION_CAUTION_MODE},
    {"rm -rf ../project/build", TCP_DECISION_REQUIRE_APPROVAL, TCP_DECISION_CAUTION_MODE,
     TCP_DECISION_REQUIRE_APPROVAL, TCP_DECISION_CAUTION_MODE},
    {"rm -rf /", TCP_DECISION_REJECT, TCP_DECISION_REJECT, TCP_DECISION_REJECT,
     TCP_DECISION_REJECT},
};
#define NROWS (sizeof ROWS / sizeof ROWS[0])

static void check_rows(const char *context, const tcp_checker *c, size_t column) {
    for (size_t i = 0; i < NROWS; i++) {
        const struct row *r = &ROWS[i];
        tcp_decision want = column == 0   ? r->none
                            : column == 1 ? r->project
                            : column == 2 ? r->home
                                          : r->two_roots;
        tcp_decision got = decide(c, r->line);
        if (got != want) {
            fprintf(stderr, "%s: \"%s\" is %u, expected %u\n", context, r->line, (unsigned)got,
                    (unsigned)want);
            harness_failed_checks++;
        }
    }
}

static void test_contexts_change_verdicts(void) {
    tcp_checker *none = new_checker();
    tcp_checker *project = new_checker();
    tcp_checker *home = new_checker();
    tcp_checker *two = new_checker();
    if (!none || !project || !home || !two) {
        return;
    }
    const char *ws_project[] = {PROJECT};
    const char *ws_home[] = {HOME};
    const char *ws_two[] = {PROJECT, OTHER};
    CHECK_OK(set_context(project, PROJECT, HOME, ws_project, 1));
    CHECK_OK(set_context(home, HOME, HOME, ws_home, 1));
    CHECK_OK(set_context(two, PROJECT, HOME, ws_two, 2));
    check_rows("no context", none, 0);
    check_rows("project", project, 1);
    check_rows("home", home, 2);
    check_rows("two roots", two, 3);

    /* The brief's cases: ~ is stricter than the project's own build dir. */
    CHECK(decide(project, "rm -rf build") == TCP_DECISION_CAUTION_MODE);
    tcp_decision bashrc = decide(project, "echo x > ~/.bashrc");
    CHECK(bashrc == TCP_DECISION_REQUIRE_APPROVAL || bashrc == TCP_DECISION_REJECT);
    tcp_checker_free(none);
    tcp_checker_free(project);
    tcp_checker_free(home);
    tcp_checker_free(two);
}

static void test_defaults_and_partial_updates(void) {
    tcp_checker *c = new_checker();
    if (c == NULL) {
        return;
    }
    /* No workspace: the working directory is the one root (the CLI's default). */
    CHECK_OK(set_context(c, PROJECT, HOME, NULL, 0));
    check_rows("project, default workspace", c, 1);

    /* Left-out arguments keep what was set: only the workspace changes. */
    const char *ws_two[] = {PROJECT, OTHER};
    CHECK_OK(set_context(c, NULL, NULL, ws_two, 2));
    check_rows("project, then two roots", c, 3);

    /* Only the lengths count: no NUL needed, trailing bytes ignored. */
    const char cwd[] = "/home/dev/projectXXXX";
    const char *ws[] = {"/home/devYYY"};
    size_t ws_len[] = {9};
    CHECK_OK(tcp_checker_set_context(c, cwd, strlen(PROJECT), "/home/dev/zz", 9, ws, ws_len, 1));
    CHECK(decide(c, "rm -rf /home/dev/other/cache") == TCP_DECISION_CAUTION_MODE);
    CHECK(decide(c, "echo hi > /home/dev/project/out.txt") == TCP_DECISION_APPROVED);
    tcp_checker_free(c);
}

static void test_misuse(void) {
    tcp_checker *c = new_checker();
    if (c == NULL) {
        return;
    }
    const char *ws[] = {PROJECT, OTHER};
    size_t lens[] = {strlen(PROJECT), strlen(OTHER)};
    CHECK_OK(set_context(c, PROJECT, HOME, ws, 1));

    CHECK_STATUS(tcp_checker_set_context(NULL, PROJECT, strlen(PROJECT), NULL, 0, NULL, NULL, 0),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_set_context(c, NULL, 5, NULL, 0, NULL, NULL, 0),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_set_context(c, NULL, 0, NULL, 3, NULL, NULL, 0),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_set_context(c, HOME, strlen(HOME), NULL, 0, NULL, lens, 1),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_set_context(c, HOME, strlen(HOME), NULL, 0, ws, NULL, 1),
                 TCP_STATUS_NULL_PARAMETER);
    const char *with_null[] = {PROJECT, NULL};
    CHECK_STATUS(tcp_checker_set_context(c, HOME, strlen(HOME), NULL, 0, with_null, lens, 2),
                 TCP_STATUS_NULL_PARAMETER);
    char msg[256] = {0};
    size_t n = 0;
    CHECK_OK(tcp_last_error_message(msg, sizeof msg, &n));
    CHECK(strstr(msg, "workspace[1]") != NULL);

    const char bad[] = {'/', 't', (char)0xFF, 'x'};
    CHECK_STATUS(tcp_checker_set_context(c, bad, sizeof bad, NULL, 0, NULL, NULL, 0),
                 TCP_STATUS_INVALID_UTF8);
    const char *bad_ws[] = {PROJECT, bad};
    size_t bad_lens[] = {strlen(PROJECT), sizeof bad};
    CHECK_STATUS(tcp_checker_set_context(c, HOME, strlen(HOME), NULL, 0, bad_ws, bad_lens, 2),
                 TCP_STATUS_INVALID_UTF8);

    /* Nothing changed on any of these errors: still the project context. */
    check_rows("project after errors", c, 1);
    tcp_checker_free(c);
}

static void test_live_checker(void) {
    tcp_live_checker *live = NULL;
    CHECK_OK(tcp_live_checker_open(NULL, 0, NULL, 0, &live));
    if (live == NULL) {
        return;
    }
    CHECK(decide_live(live, "rm -rf ../project/build") == TCP_DECISION_REQUIRE_APPROVAL);
    size_t lens[] = {strlen(PROJECT)};
    const char *ws[] = {PROJECT};
    CHECK_OK(tcp_live_checker_set_context(live, PROJECT, strlen(PROJECT), HOME, strlen(HOME), ws,
                                          lens, 1));
    for (size_t i = 0; i < NROWS; i++) {
        CHECK(decide_live(live, ROWS[i].line) == ROWS[i].project);
    }
    /* The context outlives a reload, and goes into snapshots. */
    CHECK_OK(tcp_live_checker_reload(live));
    CHECK(decide_live(live, "rm -rf ../project/build") == TCP_DECISION_CAUTION_MODE);
    tcp_checker *snap = NULL;
    CHECK_OK(tcp_live_checker_snapshot(live, &snap));
    if (snap != NULL) {
        check_rows("live snapshot", snap, 1);
        tcp_checker_free(snap);
    }
    /* JSON goes through the context too. */
    const char *line = "echo hi > /home/dev/project/out.txt";
    char json[8192];
    size_t n = 0;
    CHECK_OK(tcp_live_checker_check_json(live, line, strlen(line), json, sizeof json, &n));
    CHECK(strstr(json, "\"decision\":\"APPROVED\"") != NULL);

    CHECK_STATUS(tcp_live_checker_set_context(NULL, NULL, 0, NULL, 0, NULL, NULL, 0),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_live_checker_set_context(live, NULL, 1, NULL, 0, NULL, NULL, 0),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK(decide_live(live, "rm -rf ../project/build") == TCP_DECISION_CAUTION_MODE);
    tcp_live_checker_free(live);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    RUN(test_contexts_change_verdicts);
    RUN(test_defaults_and_partial_updates);
    RUN(test_misuse);
    RUN(test_live_checker);
    return HARNESS_EXIT();
}
