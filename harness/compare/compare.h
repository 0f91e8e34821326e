/* compare.h: matches two result sets case by case and gives each a verdict on one metric.
 * Timings: a Mann-Whitney U test on the process samples (each process's median: [measure]
 * rounds, merge --pool) plus a size threshold, widened by how much the machine itself changed
 * (the calibration workload, calib.h), and no verdict at all where the noise between runs is
 * unknown (one process on a side) or the machine changed beyond the threshold. Deterministic
 * counts: the plain ratio. Correctness regressions above both. */
#ifndef COMPARE_H
#define COMPARE_H

#include "compare_types.h"

/* The word a cmp_verdict prints as, and the tag of a cmp_why. */
const char *cmp_verdict_name(int v);
const char *cmp_why_tag(int why);

/* Parses a --metric value: time, gflops, workspace_bytes, peak_rss_delta_bytes, page_faults,
 * or a counter by event or column name (checked against the results). 0, or -1 with err. */
int cmp_metric_parse(const char *name, const results_file *base, const results_file *cur,
                     cmp_metric *m, char *err, size_t err_len);

/* Compares every case. 0, or -1 when out of memory. */
int cmp_run(const results_file *base, const results_file *cur, const cmp_metric *m,
            const cmp_opts *o, cmp_report *rep);
void cmp_report_free(cmp_report *rep);

/* Whether the report holds a regression: a slower or a broken case. */
int cmp_regressed(const cmp_report *rep);

#endif
