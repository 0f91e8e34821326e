/* counters.h: hardware and software event counts through PAPI, and software events through
 * perf_event_open where PAPI cannot count them. The parent resolves `[measure] counters` into a
 * plan once, probing each event on its own and choosing its source; each case's child counts
 * the plan's events over repetitions of its own, never the timed ones. */
#ifndef COUNTERS_H
#define COUNTERS_H

#include "config.h"

#include <stddef.h>

#define CTR_MAX 16               /* events in one plan */
#define CTR_WHY_LEN 320

typedef enum { CTR_NONE, CTR_PAPI, CTR_SIM } ctr_mode;

/* Who counts an event: the source names results.json gives them. */
#define CTR_SOURCE_LIST(X) \
    X(PAPI, "papi")        \
    X(PERF, "perf_event_open") \
    X(CALLGRIND, "callgrind")

typedef enum {
#define CTR_SOURCE_ENUM(id, name) CTR_SRC_##id,
    CTR_SOURCE_LIST(CTR_SOURCE_ENUM)
#undef CTR_SOURCE_ENUM
} ctr_source;

const char *ctr_source_name(int source);

/* The environment variable that switches PAPI components off before PAPI starts, a
 * comma-separated list of component names ("perf_event"): the world where PAPI counts nothing,
 * on any machine. Debian's PAPI 7.0 ignores its own PAPI_DISABLE_COMPONENTS. */
#define CTR_PAPI_DISABLE_ENV "ATTNBENCH_PAPI_DISABLE"

typedef struct ctr_event {
    char name[CFG_NAME_LEN];     /* as PAPI knows it: "PAPI_L1_DCM", "perf::PAGE-FAULTS" */
    char column[CFG_NAME_LEN + 8]; /* "ctr_papi_l1_dcm" */
    int available;               /* the probe counted it here */
    int source;                  /* ctr_source that counts it (when available) */
    char why[CTR_WHY_LEN];       /* when not: PAPI's own words, and the likely cause; when
                                    perf_event_open counts it: why PAPI could not */
} ctr_event;

typedef struct ctr_plan {
    ctr_mode mode;
    int n;                       /* events; the CSV has a ctr_ column for each */
    ctr_event ev[CTR_MAX];
    char note[1024];             /* one line for the start of the run, or "" */
} ctr_plan;

/* What a child measured: per repetition, for each plan event. */
typedef struct ctr_values {
    int reps;                    /* repetitions counted; 0 = nothing was counted */
    char scope[128];             /* which threads the counts cover */
    char detail[256];            /* sim: the simulated caches and the library code paths */
    int ok[CTR_MAX];             /* value[i] was measured */
    double value[CTR_MAX];       /* per repetition */
    char why[CTR_MAX][CTR_WHY_LEN]; /* when not ok */
} ctr_values;

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
