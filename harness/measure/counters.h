/* counters.h: hardware and software event counts through PAPI, and software events through
 * perf_event_open where PAPI cannot count them. The parent resolves `[measure] counters` into a
 * plan once, probing each event on its own and choosing its source; each case's child counts
 * the plan's events over repetitions of its own, never the timed ones. */
#ifndef COUNTERS_H
#define COUNTERS_H

#include "ctr_types.h"

#include <stddef.h>

/* The name results.json gives a ctr_source. */
const char *ctr_source_name(int source);

/* "ctr_" + name lowercased, every character outside [a-z0-9] turned into '_'. */
void ctr_column_name(const char *event, char *out, size_t len);

/* Resolves the counters setting ("none", "auto", "sim" or event names) and probes each event
 * here: through PAPI, and for a software event PAPI cannot count, through perf_event_open.
 * 0, or 2 with a message (a mode mixed with event names, an unknown component to disable). */
int ctr_plan_build(const cfg_names *spec, ctr_plan *plan, char *err, size_t err_len);

/* In a case's child. ctr_open before any thread starts (so counters can be inherited by the
 * threads the implementation creates); ctr_start and ctr_stop around each counted repetition
 * (the counts add up); ctr_finish turns the sums into per-repetition values in out. Failures
 * land in out's why fields; the case itself never fails for them. NULL sessions are allowed
 * (nothing to count). The session lives until the child exits. */
typedef struct ctr_session ctr_session;
ctr_session *ctr_open(const ctr_plan *plan, int threads, ctr_values *out);
void ctr_start(ctr_session *s);
void ctr_stop(ctr_session *s);
void ctr_finish(ctr_session *s, int reps);

#endif
