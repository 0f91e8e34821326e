/* avx2_exp2.h: 2^x on eight floats with AVX2 and FMA, the polynomial of exp2_poly.h.
 * Include only from code compiled with -mavx2 -mfma. Below -126 the result is exactly 0
 * (a masked score, -inf, gives 0); NaN stays NaN. Its measured maximum relative error over
 * the softmax range [-126, 0] is checked by tests/test_exp2.c and quoted in the README. */
#ifndef AVX2_EXP2_H
#define AVX2_EXP2_H

#include "exp2_poly.h"

#include <immintrin.h>

static inline __m256 avx2_exp2(__m256 x)
{
    const __m256 lo = _mm256_set1_ps(-126.0f), hi = _mm256_set1_ps(127.0f);
    /* max/min return their second operand when one is NaN: x, so NaN flows through. */
    __m256 c = _mm256_min_ps(hi, _mm256_max_ps(lo, x));
    __m256 n = _mm256_round_ps(c, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 f = _mm256_sub_ps(c, n);
    __m256 poly = _mm256_set1_ps(EXP2_C6);
    poly = _mm256_fmadd_ps(poly, f, _mm256_set1_ps(EXP2_C5));
    poly = _mm256_fmadd_ps(poly, f, _mm256_set1_ps(EXP2_C4));
    poly = _mm256_fmadd_ps(poly, f, _mm256_set1_ps(EXP2_C3));
    poly = _mm256_fmadd_ps(poly, f, _mm256_set1_ps(EXP2_C2));
    poly = _mm256_fmadd_ps(poly, f, _mm256_set1_ps(EXP2_C1));
    poly = _mm256_fmadd_ps(poly, f, _mm256_set1_ps(EXP2_C0));
    __m256i bits = _mm256_slli_epi32(
        _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    __m256 r = _mm256_mul_ps(poly, _mm256_castsi256_ps(bits));
    /* Not-less-than, unordered true: keeps x >= -126 and NaN, zeroes the rest. */
    return _mm256_and_ps(r, _mm256_cmp_ps(x, lo, _CMP_NLT_UQ));
}

#endif
