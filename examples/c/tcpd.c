/*
 * tcpd: a small TCP safety daemon on libtcp.
 *
 * An agent framework asks, before running a shell command for an agent,
 * whether it may. tcpd answers from libtcp's command-line checker and keeps
 * Prometheus-style metrics.
 *
 *   tcpd [--socket PATH] [--registry FILE] [--policy FILE.toml] [--metrics-file FILE]
 *
 * Protocol (one request per line, on stdin or on each connection to the
 * Unix socket PATH):
 *
 *   request:  AGENT_ID<TAB>COMMAND LINE
 *   answer:   AGENT_ID<TAB>DECISION<TAB>REASON; REASON; ...
 *   request:  METRICS
 *   answer:   the metrics in Prometheus text format, then "# EOF"
 *
 * DECISION is APPROVED, CAUTION_MODE, REQUIRE_APPROVAL or REJECT; a request
 * that cannot be decided (no tab, invalid UTF-8) is answered with ERROR and
 * counted in tcp_request_errors_total. Metrics: tcp_decisions_total{decision},
 * tcp_request_errors_total and the histogram tcp_decision_latency_seconds
 * (time spent in tcp_live_checker_check). With --metrics-file they are also
 * written there when tcpd stops (end of stdin, SIGINT or SIGTERM).
 *
 * SIGHUP reloads the registry and policy files (a live checker: decisions
 * under way finish on the old ones). A reload that fails (missing file, bad
 * digest, bad policy) keeps the registry and policy in use and is logged on
 * stderr. Metrics: tcp_reloads_total{result="ok"|"error"},
 * tcp_last_reload_timestamp_seconds (last attempt, 0 if none),
 * tcp_last_reload_success (0 or 1, 1 before any reload) and, after a failed
 * reload, tcp_last_reload_error_info{error="..."} 1.
 *
 * Socket mode serves each connection on its own thread: one checker is
 * shared by all of them, which libtcp allows (tcp_live_checker_check may be
 * called concurrently, also while a reload runs); the metrics are behind a
 * mutex. SIGHUP is blocked in every thread and taken by a reload thread
 * (sigwait), so it never interrupts a request.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tcp.h"

/* Upper bounds of the latency buckets, in seconds. */
static const double BUCKETS[] = {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5,
                                 1e-4, 2.5e-4, 5e-4, 1e-3, 1e-2, 1e-1};
#define N_BUCKETS (sizeof BUCKETS / sizeof BUCKETS[0])
#define N_DECISIONS 4

struct counters {
    unsigned long long decisions[N_DECISIONS];
    unsigned long long errors;
    unsigned long long bucket[N_BUCKETS + 1]; /* last: above every bound (+Inf only) */
    unsigned long long count;
    double sum_seconds;
};

static struct {
    pthread_mutex_t lock;
    struct counters c;
} METRICS = {.lock = PTHREAD_MUTEX_INITIALIZER};
static tcp_live_checker *CHECKER;
static volatile sig_atomic_t STOP;
/* Set before the reload thread is woken for the last time. */
static volatile sig_atomic_t RELOADER_STOP;

/* Open connections, so that stopping can end them and wait for their threads. */
#define MAX_CONNECTIONS 256
static struct {
    pthread_mutex_t lock;
    pthread_cond_t idle;
    int fds[MAX_CONNECTIONS];
    int open;
} CONNECTIONS = {.lock = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER};

static int connection_add(int fd) {
    int added = 0;
    pthread_mutex_lock(&CONNECTIONS.lock);
    if (CONNECTIONS.open < MAX_CONNECTIONS) {
        CONNECTIONS.fds[CONNECTIONS.open++] = fd;
        added = 1;
    }
    pthread_mutex_unlock(&CONNECTIONS.lock);
    return added;
}

static void connection_remove(int fd) {
    pthread_mutex_lock(&CONNECTIONS.lock);
    for (int i = 0; i < CONNECTIONS.open; i++) {
        if (CONNECTIONS.fds[i] == fd) {
            CONNECTIONS.fds[i] = CONNECTIONS.fds[--CONNECTIONS.open];
            break;
        }
    }
    if (CONNECTIONS.open == 0) {
        pthread_cond_broadcast(&CONNECTIONS.idle);
    }
    pthread_mutex_unlock(&CONNECTIONS.lock);
}

/* Ends every open connection and waits until their threads are done. */
static void connections_close_all(void) {
    pthread_mutex_lock(&CONNECTIONS.lock);
    for (int i = 0; i < CONNECTIONS.open; i++) {
        shutdown(CONNECTIONS.fds[i], SHUT_RDWR);
    }
    while (CONNECTIONS.open > 0) {
        pthread_cond_wait(&CONNECTIONS.idle, &CONNECTIONS.lock);
    }
    pthread_mutex_unlock(&CONNECTIONS.lock);
}

static void on_signal(int sig) {
    (void)sig;
    STOP = 1;
}

static void record(tcp_decision decision, double seconds) {
    pthread_mutex_lock(&METRICS.lock);
    if (decision < N_DECISIONS) {
        METRICS.c.decisions[decision]++;
    }
    size_t b = 0;
    while (b < N_BUCKETS && seconds > BUCKETS[b]) {
        b++;
    }
    METRICS.c.bucket[b]++;
    METRICS.c.count++;
    METRICS.c.sum_seconds += seconds;
    pthread_mutex_unlock(&METRICS.lock);
}

static void record_error(void) {
    pthread_mutex_lock(&METRICS.lock);
    METRICS.c.errors++;
    pthread_mutex_unlock(&METRICS.lock);
}

/* Writes the metrics in Prometheus text format (version 0.0.4). */
static void write_metrics(FILE *out) {
    pthread_mutex_lock(&METRICS.lock);
    struct counters m = METRICS.c;
    pthread_mutex_unlock(&METRICS.lock);

    fprintf(out, "# HELP tcp_decisions_total Commands decided, by decision.\n");
    fprintf(out, "# TYPE tcp_decisions_total counter\n");
    for (uint32_t d = 0; d < N_DECISIONS; d++) {
        fprintf(out, "tcp_decisions_total{decision=\"%s\"} %llu\n", tcp_decision_name(d),
                m.decisions[d]);
    }
    fprintf(out, "# HELP tcp_request_errors_total Requests that could not be decided.\n");
    fprintf(out, "# TYPE tcp_request_errors_total counter\n");
    fprintf(out, "tcp_request_errors_total %llu\n", m.errors);
    fprintf(out, "# HELP tcp_decision_latency_seconds Time spent deciding one command line.\n");
    fprintf(out, "# TYPE tcp_decision_latency_seconds histogram\n");
    unsigned long long cumulative = 0;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        cumulative += m.bucket[b];
        fprintf(out, "tcp_decision_latency_seconds_bucket{le=\"%g\"} %llu\n", BUCKETS[b],
                cumulative);
    }
    cumulative += m.bucket[N_BUCKETS];
    fprintf(out, "tcp_decision_latency_seconds_bucket{le=\"+Inf\"} %llu\n", cumulative);
    fprintf(out, "tcp_decision_latency_seconds_sum %.9f\n", m.sum_seconds);
    fprintf(out, "tcp_decision_latency_seconds_count %llu\n", m.count);

    tcp_reload_status reload;
    if (tcp_live_checker_reload_status(CHECKER, &reload) != TCP_STATUS_OK) {
        return;
    }
    fprintf(out, "# HELP tcp_reloads_total Registry and policy reloads (SIGHUP), by result.\n");
    fprintf(out, "# TYPE tcp_reloads_total counter\n");
    fprintf(out, "tcp_reloads_total{result=\"ok\"} %llu\n", (unsigned long long)reload.reloads);
    fprintf(out, "tcp_reloads_total{result=\"error\"} %llu\n",
            (unsigned long long)reload.failures);
    fprintf(out, "# HELP tcp_last_reload_timestamp_seconds When the last reload was tried.\n");
    fprintf(out, "# TYPE tcp_last_reload_timestamp_seconds gauge\n");
    fprintf(out, "tcp_last_reload_timestamp_seconds %.3f\n", reload.last_attempt_unix);
    fprintf(out, "# HELP tcp_last_reload_success Whether the last reload succeeded.\n");
    fprintf(out, "# TYPE tcp_last_reload_success gauge\n");
    fprintf(out, "tcp_last_reload_success %d\n", reload.last_failed ? 0 : 1);
    if (reload.last_failed) {
        char message[512] = "";
        size_t n;
        if (tcp_live_checker_last_error(CHECKER, message, sizeof message, &n) != TCP_STATUS_OK) {
            strcpy(message, "(message too long)");
        }
        fprintf(out, "# HELP tcp_last_reload_error_info Why the last reload failed.\n");
        fprintf(out, "# TYPE tcp_last_reload_error_info gauge\n");
        fprintf(out, "tcp_last_reload_error_info{error=\"");
        /* A label value: backslash, quote and newline are escaped. */
        for (const char *p = message; *p != '\0'; p++) {
            if (*p == '\\' || *p == '"') {
                fputc('\\', out);
                fputc(*p, out);
            } else if (*p == '\n') {
                fputs("\\n", out);
            } else {
                fputc(*p, out);
            }
        }
        fprintf(out, "\"} 1\n");
    }
}

/* The reload thread: every SIGHUP (blocked in all threads) reloads the checker. */
static void *reloader(void *arg) {
    (void)arg;
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    for (;;) {
        int sig;
        if (sigwait(&hup, &sig) != 0 || RELOADER_STOP) {
            break;
        }
        tcp_status status = tcp_live_checker_reload(CHECKER);
        if (status == TCP_STATUS_OK) {
            fprintf(stderr, "tcpd: reloaded\n");
        } else {
            char message[512] = "";
            size_t n;
            if (tcp_last_error_message(message, sizeof message, &n) != TCP_STATUS_OK) {
                message[0] = '\0';
            }
            fprintf(stderr, "tcpd: reload failed (status %u), keeping the old registry: %s\n",
                    (unsigned)status, message);
        }
    }
    return NULL;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Answers one request line (without its newline) on `out`. */
static void handle_line(char *line, size_t len, FILE *out) {
    if (len > 0 && line[len - 1] == '\r') {
        line[--len] = '\0';
    }
    if (strcmp(line, "METRICS") == 0) {
        write_metrics(out);
        fprintf(out, "# EOF\n");
        fflush(out);
        return;
    }
    char *tab = memchr(line, '\t', len);
    if (tab == NULL) {
        record_error();
        fprintf(out, "-\tERROR\trequest must be AGENT_ID<TAB>COMMAND LINE\n");
        fflush(out);
        return;
    }
    *tab = '\0';
    const char *agent = line;
    const char *command = tab + 1;
    size_t command_len = len - (size_t)(command - line);

    char stack_reasons[1024];
    char *reasons = stack_reasons;
    size_t reasons_cap = sizeof stack_reasons;
    size_t reasons_len = 0;
    tcp_check_result result;
    double start = now_seconds();
    tcp_status status = tcp_live_checker_check(CHECKER, command, command_len, &result, reasons,
                                          reasons_cap, &reasons_len);
    double elapsed = now_seconds() - start;
    if (status == TCP_STATUS_REASONS_TRUNCATED) {
        /* More reasons than fit on the stack: the decision is already in
         * `result`; ask again only to print every reason. */
        reasons_cap = reasons_len + 1;
        reasons = malloc(reasons_cap);
        if (reasons == NULL) {
            record_error();
            fprintf(out, "%s\tERROR\tout of memory\n", agent);
            fflush(out);
            return;
        }
        start = now_seconds();
        status = tcp_live_checker_check(CHECKER, command, command_len, &result, reasons, reasons_cap,
                                   &reasons_len);
        elapsed = now_seconds() - start;
    }
    if (status == TCP_STATUS_OK) {
        record(result.decision, elapsed);
        fprintf(out, "%s\t%s\t", agent, tcp_decision_name(result.decision));
        /* One answer per line: reasons are joined by "; ". */
        for (const char *p = reasons; *p != '\0'; p++) {
            if (*p == '\n') {
                fputs("; ", out);
            } else {
                fputc(*p == '\t' ? ' ' : *p, out);
            }
        }
        fputc('\n', out);
    } else {
        record_error();
        char message[256] = "";
        size_t n;
        if (tcp_last_error_message(message, sizeof message, &n) != TCP_STATUS_OK) {
            message[0] = '\0';
        }
        char status_name[64] = "";
        if (tcp_status_message(status, status_name, sizeof status_name, &n) != TCP_STATUS_OK) {
            status_name[0] = '\0';
        }
        fprintf(out, "%s\tERROR\t%s: %s\n", agent, status_name, message);
    }
    fflush(out);
    if (reasons != stack_reasons) {
        free(reasons);
    }
}

/* Serves requests from `in` until end of input (or a stop signal). */
static void serve_stream(FILE *in, FILE *out) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!STOP && (n = getline(&line, &cap, in)) >= 0) {
        if (n > 0 && line[n - 1] == '\n') {
            line[--n] = '\0';
        }
        handle_line(line, (size_t)n, out);
    }
    free(line);
}

static void *serve_connection(void *arg) {
    int fd = (int)(intptr_t)arg;
    int fd2 = dup(fd);
    FILE *in = fdopen(fd, "r");
    FILE *out = fd2 >= 0 ? fdopen(fd2, "w") : NULL;
    if (in != NULL && out != NULL) {
        serve_stream(in, out);
    }
    if (out != NULL) {
        fclose(out);
    } else if (fd2 >= 0) {
        close(fd2);
    }
    /* Deregister before closing, so stopping never shuts down a reused fd. */
    connection_remove(fd);
    if (in != NULL) {
        fclose(in);
    } else {
        close(fd);
    }
    return NULL;
}

static int serve_socket(const char *path) {
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    if (listener < 0) {
        perror("socket");
        return 1;
    }
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "tcpd: socket path too long: %s\n", path);
        close(listener);
        return 1;
    }
    strcpy(addr.sun_path, path);
    unlink(path);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 64) != 0) {
        perror("bind/listen");
        close(listener);
        return 1;
    }
    fprintf(stderr, "tcpd: listening on %s\n", path);
    pthread_attr_t detached;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    while (!STOP) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) {
                continue; /* a stop signal: the loop condition decides */
            }
            perror("accept");
            break;
        }
        if (!connection_add(fd)) {
            close(fd); /* too many connections */
            continue;
        }
        pthread_t thread;
        if (pthread_create(&thread, &detached, serve_connection, (void *)(intptr_t)fd) != 0) {
            connection_remove(fd);
            close(fd);
        }
    }
    connections_close_all();
    pthread_attr_destroy(&detached);
    close(listener);
    unlink(path);
    return 0;
}

static int fail_with(const char *what, tcp_status status) {
    char message[512] = "";
    size_t n;
    if (tcp_last_error_message(message, sizeof message, &n) != TCP_STATUS_OK) {
        message[0] = '\0';
    }
    fprintf(stderr, "tcpd: %s failed (status %u): %s\n", what, (unsigned)status, message);
    return 1;
}

int main(int argc, char **argv) {
    const char *socket_path = NULL, *registry_path = NULL, *policy_path = NULL;
    const char *metrics_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--socket") == 0         ? &socket_path
                            : strcmp(argv[i], "--registry") == 0     ? &registry_path
                            : strcmp(argv[i], "--policy") == 0       ? &policy_path
                            : strcmp(argv[i], "--metrics-file") == 0 ? &metrics_path
                                                                     : NULL;
        if (slot == NULL || i + 1 == argc) {
            fprintf(stderr,
                    "usage: %s [--socket PATH] [--registry FILE] [--policy FILE.toml] "
                    "[--metrics-file FILE]\n",
                    argv[0]);
            return 2;
        }
        *slot = argv[++i];
    }

    /* The live checker reads both files now and again on each SIGHUP. */
    tcp_status status = tcp_live_checker_open(
        registry_path, registry_path != NULL ? strlen(registry_path) : 0, policy_path,
        policy_path != NULL ? strlen(policy_path) : 0, &CHECKER);
    if (status != TCP_STATUS_OK) {
        return fail_with("loading the registry and policy", status);
    }

    /* Block SIGHUP before any thread starts, so that only sigwait takes it. */
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &hup, NULL);
    pthread_t reload_thread;
    if (pthread_create(&reload_thread, NULL, reloader, NULL) != 0) {
        tcp_live_checker_free(CHECKER);
        fprintf(stderr, "tcpd: cannot start the reload thread\n");
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: accept() returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = 0;
    if (socket_path != NULL) {
        rc = serve_socket(socket_path);
    } else {
        serve_stream(stdin, stdout);
    }
    if (metrics_path != NULL) {
        FILE *f = fopen(metrics_path, "w");
        if (f == NULL) {
            perror(metrics_path);
            rc = 1;
        } else {
            write_metrics(f);
            fclose(f);
        }
    }
    /* Every connection thread is done by now; stop the reload thread. */
    RELOADER_STOP = 1;
    pthread_kill(reload_thread, SIGHUP);
    pthread_join(reload_thread, NULL);
    tcp_live_checker_free(CHECKER);
    return rc;
}
