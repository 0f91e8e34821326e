/* test_avx512_emulated.c: avx512_exp2.h, the exponential of the avx512 kernel, measured as
 * test_exp2.c measures the others (maximum relative error over [-126, 0], the edges), on
 * SIMDe's portable AVX-512 intrinsics (tests/avx512_emulated.h): the same code on every
 * machine, AVX-512 or not. Built with ATTN_AVX512_EMULATED (the Makefile). */
#include "avx512_exp2.h"
#include "exp2_check.h"

static void avx512_batch(const float *x, float *y, int n)   /* n a multiple of 16 */
{
    for (int i = 0; i < n; i += 16)
        _mm512_storeu_ps(y + i, avx512_exp2(_mm512_loadu_ps(x + i)));
}

static void test_exp2_error(void **state)
{
    (void)state;
    check_edges(avx512_batch);
    /* 70 million values through SIMDe take 17 s under ASan, and say nothing about memory:
     * the plain build measures them. */
    SKIP_UNDER_ASAN();
    double err = max_rel_error(avx512_batch);
    printf("avx512_exp2 (AVX-512F on SIMDe): max relative error %.3g (%.2f ulp of 2^-23)\n", err,
           err / 0x1p-23);
    assert_true(err < MAX_REL_ERR);
    assert_true(err > 0);   /* the sweep really compared something */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_exp2_error)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
