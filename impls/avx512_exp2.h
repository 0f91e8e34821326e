/* avx512_exp2.h: 2^x on sixteen floats with AVX-512F, the polynomial of exp2_poly.h, with 2^n
 * applied by vscalefps. Include only from code built for AVX-512F (or through avx512_simd.h's
 * emulation). The same results as avx2_exp2.h: below -126 exactly 0 (a masked score, -inf,
 * gives 0); NaN stays NaN. tests/test_avx512_emulated.c measures it over the softmax range. */
#ifndef AVX512_EXP2_H
#define AVX512_EXP2_H

#include "avx512_simd.h"
#include "exp2_poly.h"

static inline __m512 avx512_exp2(__m512 x)
{
    const __m512 lo = _mm512_set1_ps(-126.0f), hi = _mm512_set1_ps(127.0f);
    /* max/min return their second operand when one is NaN: x, so NaN flows through. */
    __m512 c = _mm512_min_ps(hi, _mm512_max_ps(lo, x));
    __m512 n = _mm512_roundscale_ps(c, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 f = _mm512_sub_ps(c, n);
    __m512 poly = _mm512_set1_ps(EXP2_C6);
    poly = _mm512_fmadd_ps(poly, f, _mm512_set1_ps(EXP2_C5));
    poly = _mm512_fmadd_ps(poly, f, _mm512_set1_ps(EXP2_C4));
    poly = _mm512_fmadd_ps(poly, f, _mm512_set1_ps(EXP2_C3));
    poly = _mm512_fmadd_ps(poly, f, _mm512_set1_ps(EXP2_C2));
    poly = _mm512_fmadd_ps(poly, f, _mm512_set1_ps(EXP2_C1));
    poly = _mm512_fmadd_ps(poly, f, _mm512_set1_ps(EXP2_C0));
    __m512 r = _mm512_scalef_ps(poly, n);
    /* Not-less-than, unordered true: keeps x >= -126 and NaN, zeroes the rest. */
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, lo, _CMP_NLT_UQ), r);
}

#endif
