/* test_noise.c: the noise rule on counts worked out by hand (each threshold on its own, the
 * unknowns left out of the verdict), and the probe on a disturbance made on purpose: two
 * spinning threads sharing one CPU preempt each other and cannot migrate. */
#include "test_util.h"

#include "host.h"
#include "noise.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>

static const noise_counts quiet = {.invol_cs = 2, .migrations = 0, .steal_s = 0, .cpus = 2,
                                   .wall_s = 1.0};

static void test_quiet_case_is_not_noisy(void **st)
{
    (void)st;
    noise_verdict v;
    noise_judge(&quiet, 1e-3, 1e-5, 100, 2, &v);
    assert_true(v.measured);
    assert_false(v.noisy);
    assert_true(fabs(v.spread_pct - 1.0) < 1e-12);
    assert_true(v.invol_per_s == 1.0);                  /* 2 switches, 1 s, 2 threads */
    assert_true(v.migr_per_rep == 0 && v.steal_pct == 0);
    assert_string_equal(v.why, "");
}

static void test_each_threshold(void **st)
{
    (void)st;
    noise_verdict v;
    noise_counts c = quiet;
    c.steal_s = 0.05;                                   /* 2.5% of 2 CPUs over 1 s */
    noise_judge(&c, 1e-3, 0, 10, 1, &v);
    assert_true(v.noisy);
    assert_string_equal(v.why, "steal 2.5% > 2%");

    noise_judge(&quiet, 1e-3, 6e-5, 10, 1, &v);         /* MAD 6% of the median */
    assert_string_equal(v.why, "spread 6.0% > 5%");

    c = quiet;
    c.invol_cs = 250;                                   /* 125/s per thread */
    noise_judge(&c, 1e-3, 0, 10, 2, &v);
    assert_string_equal(v.why, "125 preemptions/s per thread > 100");

    c = quiet;
    c.migrations = 25;
    noise_judge(&c, 1e-3, 0, 10, 2, &v);
    assert_string_equal(v.why, "2.5 migrations per repetition > 1");

    c.steal_s = 1;                                      /* two reasons, in the order above */
    noise_judge(&c, 1e-3, 0, 10, 2, &v);
    assert_string_equal(v.why, "steal 50.0% > 2%; 2.5 migrations per repetition > 1");
}

static void test_unknowns_and_untimed(void **st)
{
    (void)st;
    noise_verdict v;
    noise_counts c = {.invol_cs = -1, .migrations = -1, .steal_s = -1, .cpus = 2, .wall_s = 1};
    noise_judge(&c, 1e-3, 0, 10, 1, &v);
    assert_true(v.measured && !v.noisy);
    assert_true(v.steal_pct < 0 && v.invol_per_s < 0 && v.migr_per_rep < 0);
    noise_judge(&quiet, 0, 0, 0, 1, &v);                /* no timed repetition: no verdict */
    assert_false(v.measured);
}

static volatile int spin_stop;

static void *spin(void *arg)
{
    (void)arg;
    while (!spin_stop)
        ;
    return NULL;
}

/* The main thread and a spinner pinned to one CPU for 0.3 s: the scheduler's slices of a few
 * milliseconds preempt them dozens of times; pinned, neither migrates. */
static void test_probe_counts_a_made_disturbance(void **st)
{
    (void)st;
    cpu_set_t one, all;
    noise_probe np;
    noise_counts c;
    pthread_t th;
    sched_getaffinity(0, sizeof all, &all);
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &all)) {
            CPU_SET(cpu, &one);
            break;
        }
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
    noise_open(&np, &c);
    spin_stop = 0;
    assert_int_equal(pthread_create(&th, NULL, spin, NULL), 0);
    noise_begin(&np);
    for (double t0 = host_now_s(); host_now_s() - t0 < 0.3;)
        ;
    noise_end(&np, &c);
    spin_stop = 1;
    pthread_join(th, NULL);
    sched_setaffinity(0, sizeof all, &all);
    printf("test_noise: one CPU shared for %.2f s: %lld involuntary switches, %lld migrations, "
           "%.2f s stolen (%s)\n", c.wall_s, c.invol_cs, c.migrations, c.steal_s,
           c.why[0] ? c.why : "all counted");
    assert_true(c.cpus == CPU_COUNT(&one));
    assert_true(c.invol_cs >= 10);
    assert_true(c.migrations == 0);
    assert_true(c.steal_s >= 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quiet_case_is_not_noisy),
        cmocka_unit_test(test_each_threshold),
        cmocka_unit_test(test_unknowns_and_untimed),
        cmocka_unit_test(test_probe_counts_a_made_disturbance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
