/* test_gen.c: the input generator is deterministic, machine-independent (pinned values), and
 * its distributions have the moments and ranges the README promises. */
#include "test_util.h"

#include "config.h"
#include "gen.h"

#include <math.h>

static void test_same_seed_same_values(void **st)
{
    (void)st;
    float a[1000], b[1000], c[1000];
    gen_fill(a, 1000, 42, GEN_TENSOR_Q, DIST_NORMAL);
    gen_fill(b, 1000, 42, GEN_TENSOR_Q, DIST_NORMAL);
    gen_fill(c, 1000, 43, GEN_TENSOR_Q, DIST_NORMAL);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
    gen_fill(c, 1000, 42, GEN_TENSOR_K, DIST_NORMAL);
    assert_memory_not_equal(a, c, sizeof a);
}

/* Pinned values: the same on every machine, whatever libm, compiler or CPU. If this changes,
 * every recorded result stops being reproducible. */
static void test_pinned_values(void **st)
{
    (void)st;
    float x[3];
    gen_fill(x, 3, 42, GEN_TENSOR_Q, DIST_NORMAL);
    uint64_t h = gen_hash(x, sizeof x);
    float big[4096];
    gen_fill(big, 4096, 42, GEN_TENSOR_V, DIST_UNIFORM);
    uint64_t hu = gen_hash(big, sizeof big);
    print_message("pinned: normal %.9g %.9g %.9g hash %016llx, uniform hash %016llx\n", x[0],
                  x[1], x[2], (unsigned long long)h, (unsigned long long)hu);
    /* Multiples of 2^-16: exact in decimal too. */
    assert_true(x[0] == -1.13143921f && x[1] == 0.516815186f && x[2] == 2.35775757f);
    assert_true(x[0] * 65536.0f == -74150.0f);
    assert_true(h == 0x9b0be6d5ee25eec6ull);
    assert_true(hu == 0x31ed7454c70a66feull);
}

static void moments(const float *x, size_t n, double *mean, double *var, float *lo, float *hi)
{
    double s = 0, s2 = 0;
    *lo = *hi = x[0];
    for (size_t i = 0; i < n; i++) {
        s += x[i];
        s2 += (double)x[i] * x[i];
        if (x[i] < *lo)
            *lo = x[i];
        if (x[i] > *hi)
            *hi = x[i];
    }
    *mean = s / (double)n;
    *var = s2 / (double)n - *mean * *mean;
}

static void test_distributions(void **st)
{
    (void)st;
    enum { N = 200000 };
    float *x = malloc(sizeof(float) * N);
    double mean, var;
    float lo, hi;

    gen_fill(x, N, 1, GEN_TENSOR_Q, DIST_NORMAL);
    moments(x, N, &mean, &var, &lo, &hi);
    assert_true(fabs(mean) < 0.01 && fabs(var - 1) < 0.02 && lo >= -6 && hi <= 6 && hi > 3.5);

    gen_fill(x, N, 1, GEN_TENSOR_Q, DIST_UNIFORM);
    moments(x, N, &mean, &var, &lo, &hi);
    assert_true(fabs(mean) < 0.01 && fabs(var - 1.0 / 3) < 0.01 && lo >= -1 && hi < 1);

    /* large: Q and K scaled by 5.5, V not. */
    gen_fill(x, N, 1, GEN_TENSOR_K, DIST_LARGE);
    moments(x, N, &mean, &var, &lo, &hi);
    assert_true(fabs(var - 30.25) < 1.0);
    gen_fill(x, N, 1, GEN_TENSOR_V, DIST_LARGE);
    moments(x, N, &mean, &var, &lo, &hi);
    assert_true(fabs(var - 1) < 0.02);
    free(x);
}

static void test_hash_sees_one_bit(void **st)
{
    (void)st;
    float x[257];
    gen_fill(x, 257, 5, GEN_TENSOR_V, DIST_NORMAL);
    uint64_t before = gen_hash(x, sizeof x);
    unsigned char *bytes = (unsigned char *)x;
    bytes[sizeof x - 1] ^= 1;   /* the tail, past the last whole 8-byte word */
    assert_true(gen_hash(x, sizeof x) != before);
    bytes[sizeof x - 1] ^= 1;
    bytes[0] ^= 0x80;
    assert_true(gen_hash(x, sizeof x) != before);
}

/* The ALiBi paper's slopes (its reference code, max bias 8): 8 heads get 2^-1 .. 2^-8; 12
 * heads get those, then 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5 (the odd ones of 16 heads). */
static void test_alibi_slopes(void **st)
{
    (void)st;
    float s[12];
    gen_alibi_slopes(8, s);
    for (int h = 0; h < 8; h++)
        assert_true(s[h] == ldexpf(1.0f, -(h + 1)));
    gen_alibi_slopes(12, s);
    for (int h = 0; h < 8; h++)
        assert_true(s[h] == ldexpf(1.0f, -(h + 1)));
    for (int m = 0; m < 4; m++)
        assert_true(fabsf(s[8 + m] - (float)pow(2, -0.5 - m)) <= 1e-7f * s[8 + m]);
    gen_alibi_slopes(1, s);
    assert_true(s[0] == 1.0f / 256);
}

/* Ragged lengths: in [1, seq_kv], the last entry full, the same for a seed, and not all equal. */
static void test_kv_lens(void **st)
{
    (void)st;
    int a[64], b[64], c[64];
    gen_kv_lens(42, 64, 1000, a);
    gen_kv_lens(42, 64, 1000, b);
    gen_kv_lens(43, 64, 1000, c);
    int distinct = 0, differs = 0;
    for (int i = 0; i < 64; i++) {
        assert_true(a[i] >= 1 && a[i] <= 1000);
        assert_int_equal(a[i], b[i]);
        distinct += i > 0 && a[i] != a[i - 1];
        differs += a[i] != c[i];
    }
    assert_int_equal(a[63], 1000);
    assert_true(distinct > 32 && differs > 32);
    gen_kv_lens(42, 8, 1, a);
    for (int i = 0; i < 8; i++)
        assert_int_equal(a[i], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_values),
        cmocka_unit_test(test_pinned_values),
        cmocka_unit_test(test_distributions),
        cmocka_unit_test(test_hash_sees_one_bit),
        cmocka_unit_test(test_alibi_slopes),
        cmocka_unit_test(test_kv_lens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
