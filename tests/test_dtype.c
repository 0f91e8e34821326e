/* test_dtype.c: the bf16 and f16 conversions (impls/impl_dtype.h, used by the harness and the
 * kernels) against the compiler's own _Float16 and against hand-made cases: every 16-bit
 * pattern survives a round trip; rounding is to nearest with ties to even, at normal values, at
 * subnormals and at the overflow edge; NaN stays NaN; and dtype_round leaves the float array
 * holding exactly the values its 16-bit copy encodes. */
#include "test_util.h"

#include "dtype.h"
#include "impl_dtype.h"

#include <math.h>

static void test_round_trip(void **st)
{
    (void)st;
    for (uint32_t h = 0; h < 0x10000u; h++) {
        float b = impl_bf16_to_float((uint16_t)h), f = impl_f16_to_float((uint16_t)h);
        if (!isnan(b))
            assert_int_equal(impl_bf16_from_float(b), h);
        else
            assert_true(isnan(impl_bf16_to_float(impl_bf16_from_float(b))));
        if (!isnan(f))
            assert_int_equal(impl_f16_from_float(f), h);
        else
            assert_true(isnan(impl_f16_to_float(impl_f16_from_float(f))));
    }
}

static void test_ties_to_even(void **st)
{
    (void)st;
    /* f16 near 1: spacing 2^-10. Halfway to the next value goes to the even one. */
    assert_true(impl_f16_to_float(impl_f16_from_float(1.0f + 0x1p-11f)) == 1.0f);
    assert_true(impl_f16_to_float(impl_f16_from_float(1.0f + 3 * 0x1p-11f)) == 1.0f + 0x1p-9f);
    assert_true(impl_f16_to_float(impl_f16_from_float(1.0f + 0x1p-11f + 0x1p-20f)) ==
                1.0f + 0x1p-10f);
    /* bf16 near 1: spacing 2^-7. */
    assert_true(impl_bf16_to_float(impl_bf16_from_float(1.0f + 0x1p-8f)) == 1.0f);
    assert_true(impl_bf16_to_float(impl_bf16_from_float(1.0f + 3 * 0x1p-8f)) == 1.0f + 0x1p-6f);
    /* f16's edge: 65504 is the largest; 65520, halfway to 65536, rounds to infinity. */
    assert_true(impl_f16_to_float(impl_f16_from_float(65519.0f)) == 65504.0f);
    assert_true(isinf(impl_f16_to_float(impl_f16_from_float(65520.0f))));
    assert_true(isinf(impl_f16_to_float(impl_f16_from_float(-1e6f))));
    /* Subnormals: the least is 2^-24; half of it rounds to 0 (even), a little more to it. */
    assert_true(impl_f16_to_float(impl_f16_from_float(0x1p-25f)) == 0.0f);
    assert_true(impl_f16_to_float(impl_f16_from_float(0x1.01p-25f)) == 0x1p-24f);
    assert_true(impl_f16_to_float(impl_f16_from_float(3 * 0x1p-25f)) == 2 * 0x1p-24f);
    assert_true(signbit(impl_f16_to_float(impl_f16_from_float(-0.0f))));
    assert_true(isnan(impl_f16_to_float(impl_f16_from_float(NAN))));
    assert_true(isnan(impl_bf16_to_float(impl_bf16_from_float(NAN))));
    assert_true(isinf(impl_bf16_to_float(impl_bf16_from_float(INFINITY))));
}

#ifdef __FLT16_MAX__
/* Against gcc's _Float16 (libgcc's conversion) on a spread of floats: every exponent from
 * below f16's subnormals to past its range, random mantissas. */
static void test_against_float16(void **st)
{
    (void)st;
    uint32_t x = 12345;
    for (int i = 0; i < 2000000; i++) {
        x = x * 1664525u + 1013904223u;
        uint32_t exp = 100 + (x >> 8) % 50, bits = (x & 0x80000000u) | exp << 23 |
                                                   ((x * 2654435761u) & 0x7fffffu);
        float f;
        memcpy(&f, &bits, sizeof f);
        _Float16 want = (_Float16)f;
        uint16_t want_bits;
        memcpy(&want_bits, &want, sizeof want_bits);
        if (impl_f16_from_float(f) != want_bits)
            fail_msg("%a: f16 0x%04x, gcc's 0x%04x", (double)f, impl_f16_from_float(f),
                     want_bits);
    }
}
#endif

static void test_round_array(void **st)
{
    (void)st;
    float x[5] = {1.0f + 0x1p-9f, -3.14159265f, 70000.0f, 1e-30f, 0.0f};
    float y[5];
    uint16_t h[5];
    memcpy(y, x, sizeof x);
    dtype_round(ATTN_F16, y, 5, h);
    for (int i = 0; i < 5; i++)
        assert_true(y[i] == dtype_get(ATTN_F16, h, (size_t)i));
    assert_true(isinf(y[2]));
    memcpy(y, x, sizeof x);
    dtype_round(ATTN_BF16, y, 5, h);
    assert_true(y[1] == impl_bf16_to_float(impl_bf16_from_float(x[1])));
    assert_true(fabsf(y[1] - x[1]) <= fabsf(x[1]) * (float)dtype_unit_roundoff(ATTN_BF16));
    assert_int_equal(dtype_size(ATTN_BF16), 2);
    assert_string_equal(dtype_name(ATTN_F16), "f16");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_ties_to_even),
#ifdef __FLT16_MAX__
        cmocka_unit_test(test_against_float16),
#endif
        cmocka_unit_test(test_round_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
