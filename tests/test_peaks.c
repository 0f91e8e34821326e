/* test_peaks.c: the machine peaks: every measured number positive, each vector FMA peak well
 * above the scalar one at every thread count, the best at least the scalar, a thread count
 * past the measured ones read as the largest, and the cache file read back as written. (More
 * threads are not asserted faster: on a shared VM the second core can be the slower one.) */
#include "test_util.h"

#include <math.h>

#include "peaks.h"

static void test_measured_peaks(void **st)
{
    (void)st;
    static peaks pk, back;
    char why[256], path[256];
    assert_int_equal(peaks_measure(&pk, why, sizeof why), 0);
    assert_true(pk.n_threads >= 1);
    assert_true(pk.have[PEAK_SCALAR]);
    for (int t = 1; t <= pk.n_threads; t++) {
        double scalar = pk.gflops[PEAK_SCALAR][t - 1];
        assert_true(scalar > 0 && pk.triad_gbps[t - 1] > 0);
        /* 8 or 16 lanes and an FMA against one lane and a mul + add: at least 4x even on a
         * noisy machine. AVX-512 and AVX2 are not ordered: Zen 4 double-pumps 512-bit FMAs. */
        for (int isa = PEAK_AVX2; isa < PEAK_ISAS; isa++)
            if (pk.have[isa] && pk.gflops[isa][t - 1] < 4 * scalar)
                fail_msg("%s %.1f GFLOP/s is not well above scalar %.1f on %d thread(s)",
                         peak_isa_names[isa], pk.gflops[isa][t - 1], scalar, t);
            else if (!pk.have[isa])
                assert_true(pk.why_not[isa][0] != '\0');
        assert_true(peaks_best_gflops(&pk, t) >= scalar);
    }
    /* More threads than measured: the largest count stands in. */
    assert_true(peaks_best_gflops(&pk, 1000) == peaks_best_gflops(&pk, pk.n_threads));

    snprintf(path, sizeof path, "/tmp/attnbench-test-peaks-%d/machine.json", (int)getpid());
    assert_int_equal(peaks_save(path, &pk), 0);
    assert_int_equal(peaks_load(path, &back), 0);
    assert_int_equal(back.n_threads, pk.n_threads);
    for (int isa = 0; isa < PEAK_ISAS; isa++) {
        assert_int_equal(back.have[isa], pk.have[isa]);
        for (int t = 0; t < pk.n_threads && pk.have[isa]; t++)
            assert_true(fabs(back.gflops[isa][t] / pk.gflops[isa][t] - 1) < 1e-5);
    }
    assert_true(fabs(back.triad_gbps[0] / pk.triad_gbps[0] - 1) < 1e-5);
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    assert_int_equal(peaks_load("/nonexistent/machine.json", &back), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_measured_peaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
