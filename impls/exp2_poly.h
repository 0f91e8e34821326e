/* exp2_poly.h: 2^x for softmax, as a polynomial the compiler can vectorise.
 * x = n + f with n = round(x) and f in [-1/2, 1/2]; 2^f is a degree-6 polynomial through the
 * 7 Chebyshev nodes of that interval (coefficients rounded to float; in exact arithmetic
 * their relative error is 1.9e-8, a third of float's half-ulp) and 2^n goes into the exponent
 * bits. Inputs below -126 give exactly 0, so a masked score (-inf) contributes nothing; NaN
 * stays NaN. The measured error of the float evaluation is in the README (tests/test_exp2). */
#ifndef EXP2_POLY_H
#define EXP2_POLY_H

#include <stdint.h>

#define EXP2_C0 1.0f
#define EXP2_C1 0.6931471824645996f
#define EXP2_C2 0.24022650718688965f
#define EXP2_C3 0.05550327152013779f
#define EXP2_C4 0.009618056938052177f
#define EXP2_C5 0.0013400427997112274f
#define EXP2_C6 0.00015461444854736328f

/* Adding and subtracting 1.5 * 2^23 rounds to the nearest integer with SSE2 alone. */
#define EXP2_ROUND_MAGIC 12582912.0f

/* Straight-line selects rather than branches, so gcc vectorises a loop that calls it. */
static inline float exp2_poly(float x)
{
    /* NaN compares false: it is clamped here, so no NaN reaches the int conversion, and it is
     * handed back unchanged at the end. */
    float c = x > -126.0f ? x : -126.0f;
    c = c < 127.0f ? c : 127.0f;
    float n = (c + EXP2_ROUND_MAGIC) - EXP2_ROUND_MAGIC;
    float f = c - n;
    float poly = EXP2_C6;
    poly = poly * f + EXP2_C5;
    poly = poly * f + EXP2_C4;
    poly = poly * f + EXP2_C3;
    poly = poly * f + EXP2_C2;
    poly = poly * f + EXP2_C1;
    poly = poly * f + EXP2_C0;
    union { int32_t i; float f; } two_n = {.i = ((int32_t)n + 127) * (1 << 23)};
    float r = poly * two_n.f;
    r = x >= -126.0f ? r : 0.0f;
    return x == x ? r : x;
}

#endif
