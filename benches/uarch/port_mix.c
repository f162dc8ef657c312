/*
 * Instruction-mix probe: how 512-bit instructions of the AVX-512 kernels
 * share the vector pipes of this CPU. Each case runs a loop body of
 * independent instructions (no dependency between them, so only throughput
 * counts) and prints cycles per loop iteration, with the clock measured by a
 * dependent chain of adds in the same run (one cycle each).
 *
 * If two kinds of instruction used separate pipes, "12 A + 12 B" would take
 * as long as the slower of "12 A" and "12 B"; if they shared them, the sum.
 * tcp-hw/src/cpu/x86_64/avx512.rs was designed from these figures
 * (BENCHMARKS.md has the ones for the Zen 4 there).
 *
 *   cc -O2 -mavx512f -mavx512bw -mavx512vbmi -mavx512vnni -mvpclmulqdq -o port_mix port_mix.c && ./port_mix
 *
 * x86_64 with AVX-512 F/BW/VBMI/VNNI/IFMA and VPCLMULQDQ only.
 */
#include <stdio.h>

#include "clock.h"

#define ITERS 20000000L

#define CLOBBERS "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", \
    "xmm12", "xmm13", "xmm14", "k2"

#define CASE(name, BODY)                                                            \
    do {                                                                            \
        double t0 = now();                                                          \
        for (long i = 0; i < ITERS; i++)                                            \
            __asm__ volatile(BODY ::: CLOBBERS);                                    \
        printf("%-34s %6.2f cycles\n", name, (now() - t0) * hz / (double)ITERS);    \
    } while (0)

/* One instruction writing zmm register r; sources zmm0..2 never change. */
#define PERMQ(r) "vpermt2q %%zmm1, %%zmm2, %%zmm" r "%{%%k1%}\n\t"
#define PERMB(r) "vpermt2b %%zmm1, %%zmm2, %%zmm" r "\n\t"
#define SAD(r) "vpsadbw %%zmm0, %%zmm1, %%zmm" r "\n\t"
#define DPBUSD(r) "vpdpbusd %%zmm2, %%zmm1, %%zmm" r "\n\t"
#define MADD52(r) "vpmadd52luq %%zmm2, %%zmm1, %%zmm" r "\n\t"
#define BLEND(r) "vpblendmq %%zmm1, %%zmm2, %%zmm" r "%{%%k1%}\n\t"
#define ADD(r) "vpaddq %%zmm1, %%zmm2, %%zmm" r "\n\t"
#define AND(r) "vpandq %%zmm1, %%zmm2, %%zmm" r "\n\t"
#define TERN(r) "vpternlogq $0x96, %%zmm1, %%zmm2, %%zmm" r "\n\t"
#define SHIFT(r) "vpsrlq $32, %%zmm1, %%zmm" r "\n\t"
#define TEST(r) "vptestnmq %%zmm1, %%zmm" r ", %%k2\n\t"
#define CLMUL(r) "vpclmulqdq $0, %%zmm1, %%zmm2, %%zmm" r "\n\t"

#define X12(M) M("3") M("4") M("5") M("6") M("7") M("8") M("9") M("10") M("11") M("12") M("13") M("14")

int main(void) {
    __asm__ volatile(
        "vpxorq %%zmm0, %%zmm0, %%zmm0\n\t"
        "vpternlogq $0xff, %%zmm1, %%zmm1, %%zmm1\n\t"
        "vpxorq %%zmm2, %%zmm2, %%zmm2\n\t"
        "kxnorw %%k1, %%k1, %%k1" ::: "xmm0", "xmm1", "xmm2", "k1");
    double hz = clock_hz();
    printf("clock (dependent adds): %.2f GHz\n", hz / 1e9);
    CASE("12 vpermt2q", X12(PERMQ));
    CASE("12 vpermt2b", X12(PERMB));
    CASE("12 vpsadbw", X12(SAD));
    CASE("12 vpdpbusd", X12(DPBUSD));
    CASE("12 vpblendmq", X12(BLEND));
    CASE("12 vpaddq", X12(ADD));
    CASE("12 vpternlogq", X12(TERN));
    CASE("12 vpermt2b + 12 vpsadbw", X12(PERMB) X12(SAD));
    CASE("12 vpermt2b + 12 vpdpbusd", X12(PERMB) X12(DPBUSD));
    CASE("12 vpermt2b + 12 vpmadd52luq", X12(PERMB) X12(MADD52));
    CASE("12 vpsadbw + 12 vpdpbusd", X12(SAD) X12(DPBUSD));
    CASE("12 vpermt2b + 12 vpblendmq", X12(PERMB) X12(BLEND));
    CASE("12 vpermt2b + 12 vpaddq", X12(PERMB) X12(ADD));
    CASE("12 vpermt2b + 12 vpandq", X12(PERMB) X12(AND));
    CASE("12 vpermt2b + 12 vpternlogq", X12(PERMB) X12(TERN));
    CASE("12 vpermt2b + 12 vpsrlq", X12(PERMB) X12(SHIFT));
    CASE("12 vpermt2b + 12 vptestnmq", X12(PERMB) X12(TEST));
    CASE("12 vpsadbw + 12 vpaddq", X12(SAD) X12(ADD));
    CASE("12 vpclmulqdq", X12(CLMUL));
    CASE("12 vpclmulqdq + 12 vpermt2b", X12(CLMUL) X12(PERMB));
    CASE("12 vpclmulqdq + 12 vpternlogq", X12(CLMUL) X12(TERN));
    return 0;
}
