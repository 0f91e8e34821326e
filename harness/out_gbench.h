/* out_gbench.h: results in Google Benchmark's JSON schema, so that tools built for it
 * (compare.py, github-action-benchmark's `googlecpp`) read attnbench's unchanged. */
#ifndef OUT_GBENCH_H
#define OUT_GBENCH_H

#include "results_read.h"

/* Writes r to path (temp file + rename): a "context" from the run's metadata, then per case one
 * "iteration" entry per repetition and the mean, median, stddev and cv aggregates. With
 * aggregates_only, only the aggregates of passing cases (what a charting tool that plots every
 * entry wants). 0, or -1 with errno. */
int out_gbench_write(const results_file *r, const char *path, int aggregates_only);

#endif
