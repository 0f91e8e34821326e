/* exp2_check.h: how the tests hold a vectorised 2^x to account: its maximum relative error
 * against exp2 in double over the softmax range [-126, 0], and its edges (0 below -126 and for
 * -inf, exact at integers, NaN kept). Shared by test_exp2.c (C and AVX2) and
 * test_avx512_emulated.c (AVX-512, on SIMDe). */
#ifndef EXP2_CHECK_H
#define EXP2_CHECK_H

#include "test_util.h"

#include <math.h>
#include <stdint.h>

/* Float-evaluation bound: the polynomial's own 1.9e-8 plus a few roundings of float. */
#define MAX_REL_ERR 2.5e-7

/* Every 2^SAMPLE_SHIFT-th float in [-126, 0] (about 70 million), then both ends. */
enum { SAMPLE_SHIFT = 4 };

/* y[0, n) = 2^x[0, n); n is a multiple of 16. */
typedef void (*exp2_batch_fn)(const float *x, float *y, int n);

static inline double max_rel_error(exp2_batch_fn fn)
{
    enum { CHUNK = 4096 };
    static float x[CHUNK], y[CHUNK];
    const union { float f; uint32_t u; } lo = {.f = -126.0f};
    double worst = 0;
    int n = 0;
    /* Negative floats grow in magnitude with their bit pattern: 0x80000000 is -0. */
    for (uint64_t bits = 0x80000000u; bits <= lo.u; bits += 1u << SAMPLE_SHIFT) {
        union { uint32_t u; float f; } v = {.u = (uint32_t)bits};
        x[n++] = v.f;
        if (n == CHUNK || bits + (1u << SAMPLE_SHIFT) > lo.u) {
            while (n % 16 != 0)
                x[n++] = lo.f;
            fn(x, y, n);
            for (int i = 0; i < n; i++) {
                double want = exp2((double)x[i]);
                double err = fabs((double)y[i] - want) / want;
                worst = err > worst ? err : worst;
            }
            n = 0;
        }
    }
    return worst;
}

static inline void check_edges(exp2_batch_fn fn)
{
    float x[16] = {-INFINITY, -200.0f, -126.5f, 0.0f, -1.0f, -10.0f, NAN, -0.5f};
    float y[16];
    fn(x, y, 16);
    assert_true(y[0] == 0.0f && y[1] == 0.0f && y[2] == 0.0f);   /* masked scores give 0 */
    assert_true(y[3] == 1.0f && y[4] == 0.5f && y[5] == 1.0f / 1024.0f);   /* exact */
    assert_true(isnan(y[6]));
    assert_true(fabs(y[7] - M_SQRT1_2) < 1e-7);
}

#endif
