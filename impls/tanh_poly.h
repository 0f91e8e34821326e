/* tanh_poly.h: tanh for the softcap (s becomes c tanh(s / c)), as straight-line float code the
 * compiler vectorises, where a call to libm's tanhf per score (about 17 ns here) made a capped
 * case up to 4.5 times slower than an uncapped one. With a = |x|:
 *   a < 0.55   the Taylor series to x^15, whose first dropped term is under 2.3e-8 of tanh
 *              (8 terms; odd in x, so the sign comes for free)
 *   a >= 0.55  (1 - e) / (1 + e) with e = exp(-2a) from exp2_poly.h, which at e <= 0.33
 *              keeps exp2's relative error from growing; a large a gives e = 0 and 1
 * and the sign of x put back. NaN stays NaN. tests/test_exp2.c measures the error. */
#ifndef TANH_POLY_H
#define TANH_POLY_H

#include "exp2_poly.h"

#define TANH_SERIES_LIMIT 0.55f

static inline float tanh_poly(float x)
{
    float a = x < 0.0f ? -x : x, a2 = a * a;
    /* tanh a = a (1 + a^2 (-1/3 + a^2 (2/15 + ...))): the Taylor coefficients. */
    float t = -929569.0f / 638512875.0f;
    t = t * a2 + 21844.0f / 6081075.0f;
    t = t * a2 - 1382.0f / 155925.0f;
    t = t * a2 + 62.0f / 2835.0f;
    t = t * a2 - 17.0f / 315.0f;
    t = t * a2 + 2.0f / 15.0f;
    t = t * a2 - 1.0f / 3.0f;
    float series = a + a * a2 * t;
    float e = exp2_poly(-2.0f * 1.44269504f * a);
    float far = (1.0f - e) / (1.0f + e);
    float r = a < TANH_SERIES_LIMIT ? series : far;
    r = x < 0.0f ? -r : r;
    return x == x ? r : x;
}

#endif
