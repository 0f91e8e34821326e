/* ctr_types.h: a counters plan and a child's counts, the types the two counting backends share
 * (PAPI and perf_event_open in counters.c, callgrind in sim.c), so that sim.c does not depend
 * on counters.c, which calls it. */
#ifndef CTR_TYPES_H
#define CTR_TYPES_H

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

#endif
