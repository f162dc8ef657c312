/*
 * The clock of the uarch probes: wall time, and the core clock measured as
 * a chain of dependent adds (one cycle each) in the same run.
 */
#ifndef TCP_UARCH_CLOCK_H
#define TCP_UARCH_CLOCK_H

#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Cycles per second, from a chain of dependent adds (one cycle each). */
static double clock_hz(void) {
    unsigned long x = 1;
    double t0 = now();
    for (long i = 0; i < 200000000L; i++)
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    return 4.0 * 200000000.0 / (now() - t0);
}

#endif
