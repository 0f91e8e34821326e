/* plausible.h: the rule that no result is faster than the machine can do the work. A case
 * whose GFLOP/s at its median time passes the measured peak for its thread count by more than
 * PLAUSIBLE_MARGIN cannot have done the work it is credited with (an output cached from an
 * earlier call, a skipped computation): it is FAIL, whatever its output. */
#ifndef PLAUSIBLE_H
#define PLAUSIBLE_H

#include "peaks.h"

#include <stddef.h>

/* Room above the peak for what a best-of-five peak measurement can miss on a shared machine
 * (its few percent of run-to-run spread), far below what a shortcut gains. */
#define PLAUSIBLE_MARGIN 0.10

/* 1 when gflops of work in `dtype` on `threads` threads passes pk's peak for that dtype
 * (peaks_dtype_gflops) plus the margin, with why saying by how much; 0 when it does not, or
 * when the dtype has no roof here. Before saying 1 the peaks are measured again (once per process),
 * so that a peak cached on a slow day cannot fail an honest kernel on a fast one: the higher
 * of the two decides. */
int plausible_beyond_peak(const peaks *pk, int threads, int dtype, double gflops, char *why,
                          size_t len);

#endif
