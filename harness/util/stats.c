/* stats.c: min, median, mean, sample standard deviation and median absolute deviation of
 * repetition times. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of_sorted(const double *s, int n)
{
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

void stats_summarise(const double *x, int n, stats_summary *out)
{
    *out = (stats_summary){0};
    if (n <= 0)
        return;
    double *sorted = malloc(sizeof(double) * (size_t)n);
    if (sorted == NULL)
        return;
    memcpy(sorted, x, sizeof(double) * (size_t)n);
    qsort(sorted, (size_t)n, sizeof(double), cmp_double);
    out->min = sorted[0];
    out->median = median_of_sorted(sorted, n);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += x[i];
    out->mean = sum / n;
    double ss = 0;
    for (int i = 0; i < n; i++)
        ss += (x[i] - out->mean) * (x[i] - out->mean);
    out->stddev = n > 1 ? sqrt(ss / (n - 1)) : 0;
    for (int i = 0; i < n; i++)
        sorted[i] = fabs(x[i] - out->median);
    qsort(sorted, (size_t)n, sizeof(double), cmp_double);
    out->mad = median_of_sorted(sorted, n);
    free(sorted);
}
