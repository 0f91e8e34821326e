/* test_stats.c: the summary statistics against values worked out by hand. */
#include "test_util.h"

#include "stats.h"

#include <math.h>

static void test_odd_and_even(void **st)
{
    (void)st;
    stats_summary s;
    double odd[] = {5, 1, 3};
    stats_summarise(odd, 3, &s);
    assert_true(s.min == 1 && s.median == 3 && s.mean == 3);
    assert_true(fabs(s.stddev - 2.0) < 1e-15);       /* sample: sqrt((4 + 4 + 0) / 2) */
    assert_true(odd[0] == 5 && odd[1] == 1);         /* the input is not reordered */
    assert_true(s.mad == 2);                         /* |5-3|, |1-3|, |3-3|: median 2 */

    double even[] = {4, 1, 2, 3};
    stats_summarise(even, 4, &s);
    assert_true(s.median == 2.5 && s.mean == 2.5 && s.min == 1);
    assert_true(fabs(s.stddev - sqrt(5.0 / 3.0)) < 1e-15);
    assert_true(s.mad == 1);                         /* 1.5, 1.5, 0.5, 0.5 */
    double outlier[] = {10, 10, 11, 10, 90};         /* one outlier moves the MAD little */
    stats_summarise(outlier, 5, &s);
    assert_true(s.median == 10 && s.mad == 0);

    double one[] = {7};
    stats_summarise(one, 1, &s);
    assert_true(s.min == 7 && s.median == 7 && s.stddev == 0);
    stats_summarise(one, 0, &s);
    assert_true(s.min == 0 && s.median == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_odd_and_even)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
