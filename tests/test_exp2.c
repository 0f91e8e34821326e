/* test_exp2.c: the softmax exponentials (exp2_poly.h in C, avx2_exp2.h in AVX2,
 * avx512_exp2.h in AVX-512F) against exp2 in double: maximum relative error over the softmax
 * range [-126, 0], and the edges (0 below -126 and for -inf, exact at integers, NaN kept); and
 * the softcap's tanh (tanh_poly.h) against tanh. Prints the measured errors; the README quotes
 * exp2's. The AVX2 and AVX-512 parts are skipped, saying why, on a CPU without them. */
#include "test_util.h"

#include "cpu_features.h"
#include "exp2_check.h"
#include "exp2_poly.h"
#include "tanh_poly.h"

#include <math.h>

/* tanh_poly's: exp2_poly's, grown at most 1.4 times by (1 - e) / (1 + e), and its own
 * roundings, within the same bound. */
#define MAX_TANH_ERR 2.5e-7

static void scalar_batch(const float *x, float *y, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = exp2_poly(x[i]);
}

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#include "avx2_exp2.h"
static void avx2_batch(const float *x, float *y, int n)   /* n a multiple of 8 */
{
    for (int i = 0; i < n; i += 8)
        _mm256_storeu_ps(y + i, avx2_exp2(_mm256_loadu_ps(x + i)));
}
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,fma")
#include "avx512_exp2.h"
static void avx512_batch(const float *x, float *y, int n)   /* n a multiple of 16 */
{
    for (int i = 0; i < n; i += 16)
        _mm512_storeu_ps(y + i, avx512_exp2(_mm512_loadu_ps(x + i)));
}
#pragma GCC pop_options

static void test_scalar(void **state)
{
    (void)state;
    check_edges(scalar_batch);
    double err = max_rel_error(scalar_batch);
    printf("exp2_poly (C, vectorised by gcc): max relative error %.3g (%.2f ulp of 2^-23)\n",
           err, err / 0x1p-23);
    assert_true(err < MAX_REL_ERR);
    assert_true(err > 0);   /* the sweep really compared something */
}

static void test_avx2(void **state)
{
    (void)state;
    char why[128];
    if (cpu_avx2_fma(why, sizeof why) != 0) {
        printf("avx2_exp2 not measured: %s\n", why);
        skip();
    }
    check_edges(avx2_batch);
    double err = max_rel_error(avx2_batch);
    printf("avx2_exp2 (AVX2+FMA): max relative error %.3g (%.2f ulp of 2^-23)\n", err,
           err / 0x1p-23);
    assert_true(err < MAX_REL_ERR);
    assert_true(err > 0);
}

/* avx512_exp2.h natively, where the CPU runs AVX-512F; elsewhere test_avx512_emulated.c
 * measures the same code on SIMDe. */
static void test_avx512(void **state)
{
    (void)state;
    char why[128];
    if (cpu_avx512f(why, sizeof why) != 0) {
        printf("avx512_exp2 not measured natively: %s (test_avx512_emulated measures it on "
               "SIMDe)\n", why);
        skip();
    }
    check_edges(avx512_batch);
    double err = max_rel_error(avx512_batch);
    printf("avx512_exp2 (AVX-512F, native): max relative error %.3g (%.2f ulp of 2^-23)\n", err,
           err / 0x1p-23);
    assert_true(err < MAX_REL_ERR);
    assert_true(err > 0);
}

/* The softcap's tanh (tanh_poly.h) against tanh in double: every 2^8th float in [0, 12] (odd,
 * so the negative half is its mirror, checked at a few points), then the edges. */
static void test_tanh(void **state)
{
    (void)state;
    const union { float f; uint32_t u; } hi = {.f = 12.0f};
    double worst = 0, worst_at = 0;
    for (uint32_t bits = 1; bits <= hi.u; bits += 1u << 8) {
        union { uint32_t u; float f; } v = {.u = bits};
        double want = tanh((double)v.f);
        double err = fabs((double)tanh_poly(v.f) - want) / want;
        if (err > worst) {
            worst = err;
            worst_at = v.f;
        }
        assert_true(tanh_poly(-v.f) == -tanh_poly(v.f));
    }
    printf("tanh_poly: max relative error %.3g (%.2f ulp of 2^-23), at %.4g\n", worst,
           worst / 0x1p-23, worst_at);
    assert_true(worst < MAX_TANH_ERR);
    assert_true(tanh_poly(0.0f) == 0.0f && tanh_poly(30.0f) == 1.0f);
    assert_true(tanh_poly(INFINITY) == 1.0f && tanh_poly(-INFINITY) == -1.0f);
    assert_true(isnan(tanh_poly(NAN)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_scalar),
                                       cmocka_unit_test(test_avx2), cmocka_unit_test(test_avx512),
                                       cmocka_unit_test(test_tanh)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
