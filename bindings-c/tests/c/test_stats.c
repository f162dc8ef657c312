/*
 * tcp-stats through the C API, against the same scipy/statsmodels reference
 * values and tolerances as the Rust tests (stats_cases.h is generated from
 * tcp-stats/tests/data/scipy_reference.json by gen_stats_cases.py), plus the
 * C layer's own argument checks.
 */
#include <math.h>
#include <stdint.h>

#include "harness.h"
#include "stats_cases.h"

static int close_enough(double got, double want, double rel_tol, double abs_tol) {
    if (isnan(want)) {
        return isnan(got);
    }
    double tol = fmax(rel_tol * fabs(want), abs_tol);
    return fabs(got - want) <= tol;
}

#define CHECK_CLOSE(id, field, got, want, rel, abs_)                            \
    do {                                                                        \
        if (!close_enough((got), (want), (rel), (abs_))) {                      \
            fprintf(stderr, "%s: %s = %.17g, expected %.17g\n", (id), (field),  \
                    (double)(got), (double)(want));                             \
            harness_failed_checks++;                                            \
        }                                                                       \
    } while (0)

static void test_summary_reference(void) {
    CHECK(N_SUMMARY_CASES >= 5);
    for (size_t i = 0; i < N_SUMMARY_CASES; i++) {
        const struct summary_case *c = &SUMMARY_CASES[i];
        tcp_summary s;
        memset(&s, 0, sizeof s);
        CHECK_STATUS(tcp_stats_summarize(c->samples, c->n, c->confidence, &s), c->status);
        if (c->status != TCP_STATUS_OK) {
            continue;
        }
        const double got[15] = {(double)s.n, s.mean, s.variance, s.std_dev, s.sem,
                                s.has_cv ? s.cv : NAN, s.min, s.max, s.p50, s.p95, s.p99,
                                s.mad, s.mad_normal, s.mean_ci_lower, s.mean_ci_upper};
        static const char *names[15] = {"n", "mean", "variance", "std_dev", "sem", "cv", "min",
                                        "max", "p50", "p95", "p99", "mad", "mad_normal",
                                        "ci_lower", "ci_upper"};
        for (int k = 0; k < 15; k++) {
            CHECK_CLOSE(c->id, names[k], got[k], c->expected[k], c->rel_tol, c->abs_tol);
        }
        CHECK(s.mean_ci_level == c->confidence);
    }
}

static void test_welch_reference(void) {
    CHECK(N_WELCH_CASES >= 4);
    for (size_t i = 0; i < N_WELCH_CASES; i++) {
        const struct welch_case *c = &WELCH_CASES[i];
        tcp_ttest t;
        CHECK_STATUS(tcp_stats_welch(c->a, c->na, c->b, c->nb, &t), c->status);
        if (c->status != TCP_STATUS_OK) {
            continue;
        }
        const double got[5] = {t.t, t.df, t.p_two_sided, t.p_less, t.p_greater};
        static const char *names[5] = {"t", "df", "p_two_sided", "p_less", "p_greater"};
        for (int k = 0; k < 5; k++) {
            CHECK_CLOSE(c->id, names[k], got[k], c->expected[k], c->rel_tol, c->abs_tol);
        }
    }
}

static void test_power_reference(void) {
    CHECK(N_POWER_CASES >= 10);
    for (size_t i = 0; i < N_POWER_CASES; i++) {
        const struct power_case *c = &POWER_CASES[i];
        double p = -1;
        CHECK_STATUS(tcp_stats_power(c->test, c->ratio, c->effect_size, c->x, c->alpha,
                                     c->alternative, &p),
                     c->status);
        if (c->status == TCP_STATUS_OK) {
            CHECK_CLOSE(c->id, "power", p, c->expected, c->rel_tol, c->abs_tol);
        } else {
            CHECK(p == -1); /* untouched */
        }
    }
    for (size_t i = 0; i < N_SAMPLE_SIZE_CASES; i++) {
        const struct power_case *c = &SAMPLE_SIZE_CASES[i];
        double n = -1;
        CHECK_STATUS(tcp_stats_sample_size(c->test, c->ratio, c->effect_size, c->x, c->alpha,
                                           c->alternative, &n),
                     c->status);
        if (c->status == TCP_STATUS_OK) {
            CHECK_CLOSE(c->id, "nobs", n, c->expected, c->rel_tol, c->abs_tol);
        }
    }
}

static void test_stats_argument_errors(void) {
    const double xs[3] = {1.0, 2.0, 4.0};
    tcp_summary s;
    tcp_ttest t;
    double d;
    char msg[128];
    size_t n;
    CHECK_STATUS(tcp_stats_summarize(NULL, 3, 0.95, &s), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_stats_summarize(xs, 3, 0.95, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_stats_summarize(NULL, 0, 0.95, &s), TCP_STATUS_TOO_FEW_SAMPLES);
    CHECK_STATUS(tcp_stats_summarize(xs, 3, 1.5, &s), TCP_STATUS_INVALID_PARAMETER);
    CHECK_STATUS(tcp_stats_summarize(xs, 3, NAN, &s), TCP_STATUS_INVALID_PARAMETER);
    const double with_nan[3] = {1.0, NAN, 3.0};
    CHECK_STATUS(tcp_stats_summarize(with_nan, 3, 0.95, &s), TCP_STATUS_NON_FINITE);
    CHECK_OK(tcp_last_error_message(msg, sizeof msg, &n));
    CHECK(strstr(msg, "sample 1") != NULL);
    CHECK_STATUS(tcp_stats_welch(xs, 3, NULL, 3, &t), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_stats_welch(xs, 3, xs, 3, NULL), TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_stats_welch(xs, 1, xs, 3, &t), TCP_STATUS_TOO_FEW_SAMPLES);
    CHECK_STATUS(tcp_stats_power(TCP_POWER_TEST_ONE_SAMPLE, 1, 0.5, 30, 0.05,
                                 TCP_ALTERNATIVE_TWO_SIDED, NULL),
                 TCP_STATUS_NULL_PARAMETER);
    CHECK_STATUS(tcp_stats_power(2, 1, 0.5, 30, 0.05, TCP_ALTERNATIVE_TWO_SIDED, &d),
                 TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_stats_power(TCP_POWER_TEST_ONE_SAMPLE, 1, 0.5, 30, 0.05, 3, &d),
                 TCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tcp_stats_power(TCP_POWER_TEST_ONE_SAMPLE, 1, 0.5, 30, 1.5,
                                 TCP_ALTERNATIVE_TWO_SIDED, &d),
                 TCP_STATUS_INVALID_PARAMETER);
    CHECK_STATUS(tcp_stats_power(TCP_POWER_TEST_TWO_SAMPLE, -1, 0.5, 30, 0.05,
                                 TCP_ALTERNATIVE_TWO_SIDED, &d),
                 TCP_STATUS_INVALID_PARAMETER);
    CHECK_STATUS(tcp_stats_sample_size(TCP_POWER_TEST_ONE_SAMPLE, 1, 0.5, 0.01, 0.05,
                                       TCP_ALTERNATIVE_TWO_SIDED, &d),
                 TCP_STATUS_INVALID_PARAMETER); /* power below alpha */
    CHECK_OK(tcp_status_message(TCP_STATUS_ZERO_VARIANCE, msg, sizeof msg, &n));
    CHECK_STR(msg, "zero_variance");
}

int main(void) {
    RUN(test_summary_reference);
    RUN(test_welch_reference);
    RUN(test_power_reference);
    RUN(test_stats_argument_errors);
    return HARNESS_EXIT();
}
