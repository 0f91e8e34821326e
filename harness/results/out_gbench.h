/* out_gbench.h: results in Google Benchmark's JSON schema, so that tools built for it
 * (compare.py, github-action-benchmark's `googlecpp`) read attnbench's unchanged. */
#ifndef OUT_GBENCH_H
#define OUT_GBENCH_H

#include "results_read.h"

/* Writes r to path (temp file + rename) as Google Benchmark 1.7 writes: a "context" from the
 * run's metadata (fields the run did not record are left out), then the cases in natural
 * order (impl, then each number as a number), per case one "iteration" entry per repetition
 * and, from 2 repetitions up, the mean, median, stddev and cv aggregates, each carrying the
 * counters aggregated the same way; a case that did not pass is one error entry per repetition
 * (one when it was never timed). With aggregates_only, only the aggregates of passing cases,
 * or the one entry of a single-repetition case (what a charting tool that plots every entry
 * wants). 0, or -1 with errno. */
int out_gbench_write(const results_file *r, const char *path, int aggregates_only);

#endif
