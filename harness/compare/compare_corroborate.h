/* compare_corroborate.h: the verdicts of a comparison's timed cases taken together (see
 * compare.c's header for the rules and why). Used by compare.c only. */
#ifndef COMPARE_CORROBORATE_H
#define COMPARE_CORROBORATE_H

#include "compare_types.h"

/* Whether both sides of the row have process samples to test (two or more each). */
int cmp_has_samples(const cmp_row *row);

/* NEW over BASE, above 1 when NEW is worse, whichever way the metric points. */
double cmp_worse_of(const cmp_metric *m, const cmp_row *row);

/* The fewest equal process samples per side with which the U test can reach p < a. */
int cmp_samples_needed(double a);

/* The summary of implementation impl in rep, made on first sight. */
cmp_impl_summary *cmp_impl_of(cmp_report *rep, const char *impl);

/* Time verdicts for the cases past their thresholds. A case has moved when its own U test says
 * so, or when its implementation's cases taken together did (the stratified test, at alpha
 * over the implementations tested) the same way. Between two separate runs a moved case is
 * withheld when another implementation moved the same way (others_moved); then it is called
 * when more than half of its implementation's judged cases moved the same way, or (interleaved
 * only) alone past the Bonferroni level (compare.c's header says why). -1 when out of
 * memory. */
int cmp_corroborate(cmp_report *rep);

#endif
