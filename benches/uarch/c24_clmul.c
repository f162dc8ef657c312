/*
 * C24 checksum test by carry-less multiplication: an exact alternative to the
 * `crc32` instruction, tried (round 11) to lift the AVX-512 C24 kernel, and
 * kept here with its measurements because it did not pay (BENCHMARKS.md).
 *
 * Polynomials are over GF(2), P is the CRC-32C polynomial. In CRC-32C's
 * reflected bit order a 128-bit lane holds a polynomial with bit n the
 * coefficient of x^(127 - n). For a record whose magic is right (the
 * kernel's framing test checks that first), the stored checksum matches
 * exactly when P divides
 *
 *     M = Qa x^96 + Qb x^32 + S + C
 *
 * (Qa, Qb: record bytes 4..12 and 12..20; S: the stored checksum; C: a
 * constant from the CRC state after the magic and the final inversion).
 * Three products decide it, four records (one per lane) per 512-bit vector:
 *
 *  1. W = Qa k96 + [Qb, S] + C, with k96 = x (x^95 mod P) = x^96 (mod P):
 *     degree below 96, lane bits 32..128, where a byte permute put the
 *     record's bytes 12..24 (stored checksum byte-swapped).
 *  2. V = W_low + W_top k64, k64 = x (x^63 mod P): folds lane bits 32..64
 *     into the lane's high half; V = M (mod P), degree below 64.
 *  3. P divides V exactly when V P^-1 mod x^64 has degree below 32 (then it
 *     is the quotient Q; conversely V = Q P mod x^64 with both sides of
 *     degree below 64 is an equality). P^-1 is the inverse modulo x^64; its
 *     constant term is the V already in the lane. Degrees 32..64 are lane
 *     bits 64..96: 32-bit word 2 of the lane must be zero.
 *
 * A product of lane halves with coefficient offsets a and b lands at offset
 * a + b, so every constant is stored at offset 64 (degrees 1..=64 in bits
 * 63..=0): hence the factors x, and P^-1 without its constant term.
 *
 * The program checks the test against a bytewise CRC-32C (every single-bit
 * flip of bytes 4..24 of every record of a block, and 200 000 blocks with
 * random byte corruptions), then times it on 32K records (768 KB, L2) beside
 * two `crc32` steps a record, the AVX-512 kernel's way. Cycles come from a
 * chain of dependent adds in the same run.
 *
 *   cc -O2 -mavx512f -mavx512bw -mavx512vbmi -mvpclmulqdq -msse4.2 -mbmi2 -o c24_clmul c24_clmul.c && ./c24_clmul
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

static const uint64_t POLY = 0x11EDC6F41ULL; /* CRC-32C with its x^32 term */
#define REC 24
#define RECORDS 32768L
#define PASSES 200


/* x^n mod P, plain bit order. */
static uint32_t x_pow_mod(int n) {
    uint64_t r = 1;
    for (int i = 0; i < n; i++) {
        r <<= 1;
        if (r >> 32 & 1) r ^= POLY;
    }
    return (uint32_t)r;
}

static uint64_t clmul_low(uint64_t a, uint64_t b) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i++)
        if (b >> i & 1) r ^= a << i;
    return r;
}

static uint32_t reverse32(uint32_t v) {
    uint32_t r = 0;
    for (int i = 0; i < 32; i++)
        if (v >> i & 1) r |= 1u << (31 - i);
    return r;
}

static uint32_t crc32c(const uint8_t *p, int n) {
    uint32_t c = ~0u;
    for (int i = 0; i < n; i++) c = _mm_crc32_u8(c, p[i]);
    return ~c;
}

static uint32_t stored(const uint8_t *r) {
    return (uint32_t)r[20] << 24 | (uint32_t)r[21] << 16 | (uint32_t)r[22] << 8 | r[23];
}

static void make_record(uint8_t *r, uint64_t seed) {
    memcpy(r, "TCP\x04\x01", 5);
    for (int i = 5; i < 20; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        r[i] = (uint8_t)(seed >> 56);
    }
    uint32_t c = crc32c(r, 20);
    r[20] = c >> 24, r[21] = c >> 16, r[22] = c >> 8, r[23] = (uint8_t)c;
}

static __m512i FOLD_96, FOLD_64, INVERSE, CONSTANT, WORDS[2], TAILS[2];
static const __mmask64 TAIL_KEEP = ~0x000F000F000F000FULL;

static void setup(void) {
    uint64_t q = 0; /* P^-1 mod x^64, one coefficient at a time */
    for (int d = 0; d < 64; d++)
        if ((clmul_low(q, POLY) ^ 1) >> d & 1) q |= 1ULL << d;
    uint64_t inverse = 0;
    for (int d = 1; d < 64; d++)
        if (q >> d & 1) inverse |= 1ULL << (64 - d);
    FOLD_96 = _mm512_set1_epi64((long long)((uint64_t)reverse32(x_pow_mod(95)) << 32));
    FOLD_64 = _mm512_set1_epi64((long long)((uint64_t)reverse32(x_pow_mod(63)) << 32));
    INVERSE = _mm512_set1_epi64((long long)inverse);
    uint32_t after_magic = _mm_crc32_u32(~0u, 0x04504354u); /* "TCP\x04" */
    int c = (int)~(uint32_t)_mm_crc32_u64(_mm_crc32_u64(after_magic, 0), 0);
    CONSTANT = _mm512_set_epi32(c, 0, 0, 0, c, 0, 0, 0, c, 0, 0, 0, c, 0, 0, 0);
    for (int g = 0; g < 2; g++) {
        uint8_t words[64], tails[64];
        for (int i = 0; i < 64; i++) {
            int record = i / 16, k = i % 16, base = 32 * g + 24 * record;
            words[i] = (uint8_t)(base + 4 + k % 8);
            tails[i] = (uint8_t)(base + (k < 4 ? 0 : k < 12 ? 8 + k : 35 - k));
        }
        WORDS[g] = _mm512_loadu_si512(words);
        TAILS[g] = _mm512_loadu_si512(tails);
    }
}

/* Bits 2, 6, 10, 14 set for the four records (lanes) whose checksum matches. */
static inline __mmask16 group_matches(__m512i lo, __m512i hi, int g) {
    __m512i words = _mm512_permutex2var_epi8(lo, WORDS[g], hi);
    __m512i tails = _mm512_maskz_permutex2var_epi8(TAIL_KEEP, lo, TAILS[g], hi);
    __m512i w = _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(words, FOLD_96, 0x00), tails,
                                          CONSTANT, 0x96);
    __m512i v = _mm512_xor_si512(w, _mm512_clmulepi64_epi128(w, FOLD_64, 0x00));
    __m512i h = _mm512_xor_si512(v, _mm512_clmulepi64_epi128(v, INVERSE, 0x01));
    return _mm512_mask_testn_epi32_mask(0x4444, h, h);
}

/* One bit per record of a block of eight (pext: a per-record answer, which
 * the kernel needs only on its slow path). */
static inline uint32_t block_matches(const uint8_t *p) {
    __m512i v0 = _mm512_loadu_si512(p), v1 = _mm512_loadu_si512(p + 64),
            v2 = _mm512_loadu_si512(p + 128);
    uint32_t m = (uint32_t)group_matches(v0, v1, 0) | (uint32_t)group_matches(v1, v2, 1) << 16;
    return _pext_u32(m, 0x44444444u);
}

/* The kernel's way: two `crc32` steps after the magic, eight records
 * interleaved; nonzero when any of the eight does not match. */
static inline uint64_t block_mismatch_crc32(const uint8_t *p, uint32_t after_magic) {
    uint64_t c[8], w;
    uint32_t s;
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++) {
        memcpy(&w, p + REC * j + 4, 8);
        c[j] = _mm_crc32_u64(after_magic, w);
    }
    uint64_t diff = 0;
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++) {
        memcpy(&w, p + REC * j + 12, 8);
        memcpy(&s, p + REC * j + 20, 4);
        diff |= (uint32_t)~_mm_crc32_u64(c[j], w) ^ __builtin_bswap32(s);
    }
    return diff;
}

static uint32_t want_bits(const uint8_t *block) {
    uint32_t bits = 0;
    for (int j = 0; j < 8; j++) {
        const uint8_t *r = block + REC * j;
        if (crc32c(r, 20) == stored(r)) bits |= 1u << j;
    }
    return bits;
}

int main(void) {
    setup();
    uint8_t *batch = aligned_alloc(64, RECORDS * REC);
    if (!batch) return 1;
    for (long i = 0; i < RECORDS; i++) make_record(batch + i * REC, (uint64_t)i * 7919 + 13);

    long wrong = 0;
    for (long b = 0; b < RECORDS / 8; b++)
        wrong += block_matches(batch + b * 8 * REC) != 0xFF;
    uint8_t block[8 * REC];
    for (int j = 0; j < 8; j++)
        for (int byte = 4; byte < REC; byte++)
            for (int bit = 0; bit < 8; bit++) {
                memcpy(block, batch, sizeof block);
                block[j * REC + byte] ^= (uint8_t)(1 << bit);
                wrong += block_matches(block) != (0xFFu & ~(1u << j));
            }
    srand(1);
    long mismatched_blocks = 0;
    for (int t = 0; t < 200000; t++) {
        memcpy(block, batch + (t % (RECORDS / 8)) * sizeof block, sizeof block);
        for (int n = rand() % 4; n > 0; n--) block[4 + rand() % (sizeof block - 4)] ^= (uint8_t)(1 + rand() % 255);
        uint32_t magic_ok = 0; /* the test assumes the magic, like the kernel */
        for (int j = 0; j < 8; j++)
            if (!memcmp(block + REC * j, "TCP\x04", 4)) magic_ok |= 1u << j;
        uint32_t want = want_bits(block);
        mismatched_blocks += want != 0xFF;
        wrong += (block_matches(block) & magic_ok) != (want & magic_ok);
    }
    printf("exactness: %ld disagreements with bytewise CRC-32C (%ld corrupted blocks)\n", wrong,
           mismatched_blocks);

    double hz = clock_hz();
    uint32_t after_magic = _mm_crc32_u32(~0u, 0x04504354u);
    printf("clock (dependent adds): %.2f GHz; %ld records (%ld KB), %d passes\n", hz / 1e9, RECORDS,
           RECORDS * REC / 1024, PASSES);
    for (int round = 0; round < 3; round++) {
        uint64_t acc = 0;
        double t0 = now();
        for (int pass = 0; pass < PASSES; pass++)
            for (long b = 0; b < RECORDS / 8; b++) acc += block_matches(batch + b * 8 * REC);
        double clmul = (now() - t0) * hz / ((double)PASSES * RECORDS);
        t0 = now();
        for (int pass = 0; pass < PASSES; pass++)
            for (long b = 0; b < RECORDS / 8; b++)
                acc += block_mismatch_crc32(batch + b * 8 * REC, after_magic) == 0;
        double crc = (now() - t0) * hz / ((double)PASSES * RECORDS);
        printf("cycles a record: vpclmulqdq test %.2f, two crc32 steps %.2f (%llu)\n", clmul, crc,
               (unsigned long long)acc);
    }
    free(batch);
    return wrong != 0;
}
