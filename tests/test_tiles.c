/* test_tiles.c: the tile-size rule of impls/tile_sizes.c on this machine's caches, and the
 * [tune] override. */
#include "test_util.h"

#include "tile_sizes.h"

static void test_rule_fits_the_caches(void **state)
{
    (void)state;
    size_t l1d, l2;
    tile_cache_sizes(&l1d, &l2);
    assert_true(l1d >= 4096 && l2 >= l1d);
    tile_sizes_override(0, 0);
    for (int d = 1; d <= 256; d += 17) {
        int rows, keys;
        tile_sizes_for(d, 48, 6, &rows, &keys);
        assert_true(rows % 48 == 0 && rows >= 48 && rows <= 384);
        assert_true(keys % 6 == 0 && keys >= 6 && keys <= 192);
        /* K and V blocks within L1d, unless one multiple is already more. */
        assert_true(2 * sizeof(float) * (size_t)keys * d <= l1d || keys == 6);
        assert_true(sizeof(float) * (2 * (size_t)d + keys) * rows <= l2 / 8 || rows == 48);
        /* The largest such multiple: one more would not fit, or hits the cap. */
        assert_true(2 * sizeof(float) * (size_t)(keys + 6) * d > l1d || keys + 6 > 192);
    }
}

static void test_override(void **state)
{
    (void)state;
    int rows, keys;
    tile_sizes_override(100, 50);
    tile_sizes_for(64, 48, 6, &rows, &keys);
    assert_int_equal(rows, 144);   /* rounded up to the kernel's multiples */
    assert_int_equal(keys, 54);
    tile_sizes_override(0, 50);
    tile_sizes_for(64, 16, 16, &rows, &keys);
    assert_int_equal(keys, 64);
    assert_true(rows % 16 == 0 && rows >= 16);
    tile_sizes_override(0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rule_fits_the_caches),
                                       cmocka_unit_test(test_override)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
