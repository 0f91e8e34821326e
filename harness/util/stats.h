/* stats.h: summary statistics of repetition times. */
#ifndef STATS_H
#define STATS_H

typedef struct stats_summary {
    double min, median, mean, stddev;   /* seconds; stddev is the sample one (n - 1) */
    double mad;                         /* median absolute deviation from the median */
} stats_summary;

/* Summarises x[0..n); all zero when n == 0. x is not reordered. */
void stats_summarise(const double *x, int n, stats_summary *out);

#endif
