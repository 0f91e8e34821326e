/* compare_types.h: what a comparison is made of: the verdicts and their reasons (X-macro
 * lists), the metric, the machine's own change, the options, a case's row, an implementation's
 * summary, and the report. compare.h works on them, compare_corroborate.c judges rows together. */
#ifndef COMPARE_TYPES_H
#define COMPARE_TYPES_H

#include "calib.h"
#include "results_read.h"

#define CMP_VERDICT_MAP(X)                                                                  \
    X(SAME, "same", "no change beyond the threshold, or none the test could show")          \
    X(SLOWER, "slower", "significantly worse by more than the threshold")                   \
    X(FASTER, "faster", "significantly better by more than the threshold")                  \
    X(INCONCLUSIVE, "inconclusive", "no time verdict possible: see the row's why")          \
    X(BROKEN, "broken", "PASS in BASE, not PASS in NEW: a correctness regression")          \
    X(FIXED, "fixed", "not PASS in BASE, PASS in NEW")                                      \
    X(UNMEASURED, "unmeasured", "no value on one side (the case did not pass, or no count)") \
    X(NEW, "new", "only in NEW")                                                            \
    X(GONE, "gone", "only in BASE")

typedef enum {
#define CMP_ENUM(id, word, meaning) CMP_##id,
    CMP_VERDICT_MAP(CMP_ENUM)
#undef CMP_ENUM
    CMP_N_VERDICTS
} cmp_verdict;

typedef enum {
    CMP_TIME,       /* median seconds per run(); lower is better; U test on the times */
    CMP_GFLOPS,     /* FLOP over the median time; higher is better; U test on the times */
    CMP_FIELD,      /* a per-case number (workspace_bytes, ...); lower is better; ratio only */
    CMP_COUNTER,    /* a counter; lower is better; ratio only (one value per case) */
} cmp_kind;

typedef struct cmp_metric {
    cmp_kind kind;
    char name[64];          /* as the user gave it */
    char label[96];         /* for headers: "time (median s)", "SIM_INSTRUCTIONS", ... */
    int deterministic;      /* simulated counters, memory models: no test needed */
} cmp_metric;

/* Why a time verdict is inconclusive. */
#define CMP_WHY_MAP(X)                                                                      \
    X(NONE, "")                                                                             \
    X(ONE_PROCESS, "one process")                                                           \
    X(TOO_FEW, "too few samples")                                                           \
    X(MACHINE, "machine changed")                                                           \
    X(RUN_MOVED, "the whole run moved")                                                     \
    X(ISOLATED, "alone in its implementation")

typedef enum {
#define CMP_WHY_ENUM(id, tag) CMP_WHY_##id,
    CMP_WHY_MAP(CMP_WHY_ENUM)
#undef CMP_WHY_ENUM
    CMP_N_WHYS
} cmp_why;

/* How much the machine itself changed between the runs: the calibration workload each ran in
 * every round (calib.h), NEW's median round over BASE's, part by part. Each case is held to the
 * part that bounds it: memory for a case whose arithmetic intensity is under the machine's
 * balance (peak FLOP/s over triad bandwidth, from BASE's peaks), compute on its thread count
 * otherwise. A part that moved by d (> 1 either way) widens that case's threshold t to
 * (1 + t) d - 1; past 1 + t, the machine alone could make any verdict, and none is given. */
typedef struct cmp_machine {
    int known;                        /* both sides timed the calibration */
    char unknown_why[160];            /* when not */
    int base_rounds, new_rounds;
    double ratio[CALIB_N];            /* NEW / BASE seconds: above 1, NEW's machine was slower */
    double shift;                     /* the ratio farthest from 1, for the summary */
} cmp_machine;

typedef struct cmp_opts {
    double alpha;           /* significance level of the U test */
    double threshold;       /* relative size a change must pass: 0.10 = 10% */
    int interleaved;        /* --interleaved: BASE's and NEW's processes alternated on one
                               machine (scripts/ab-compare), so a case may move alone if it
                               passes alpha over the number of cases judged */
} cmp_opts;

typedef struct cmp_row {
    const results_case *base, *cur;   /* either may be NULL (new, gone) */
    const char *key, *impl;
    double base_value, new_value;     /* the metric; NAN when not measured */
    double ratio;                     /* new / base; NAN when either is missing */
    double p;                         /* the U test's p; NAN when no test ran */
    int too_few;                      /* the test could never reach alpha at these sizes */
    int base_samples, new_samples;    /* process samples on each side */
    int calib_part;                   /* the calibration part the case is held to; -1 none */
    double limit;                     /* the threshold its time verdict used */
    double worse;                     /* NEW over BASE, > 1 worse, whichever way the metric
                                         points; NAN when not judged */
    int beyond;                       /* time: +1 worse beyond the limit, -1 better, 0 within */
    int moved;                        /* beyond, and shown by its own test or its
                                         implementation's stratified one; 0 otherwise */
    cmp_verdict verdict;
    cmp_why why;                      /* for CMP_INCONCLUSIVE */
} cmp_row;

typedef struct cmp_impl_summary {
    const char *impl;
    int n_ratios;                     /* cases with a ratio */
    double geomean;                   /* of the ratios; NAN when none */
    int n_judged;                     /* time: cases whose process samples were tested */
    int n_worse, n_better;            /* of those, the ones that moved (cmp_row.moved) */
    double pooled_z, pooled_p;        /* the stratified test of those cases, NEW against BASE:
                                         z > 0 when NEW is slower; p NAN when none was run */
    double run_z, run_p;              /* the same over every case with samples, judged or held
                                         back for the machine (the whole-run rule) */
    double run_worse;                 /* the median ratio of those, > 1 worse; NAN when none */
    int counts[CMP_N_VERDICTS];
} cmp_impl_summary;

typedef struct cmp_report {
    cmp_metric metric;
    cmp_opts opts;
    int n;
    cmp_row *rows;                    /* in key order */
    int n_impls;
    cmp_impl_summary *impls;
    int counts[CMP_N_VERDICTS];
    int whys[CMP_N_WHYS];             /* inconclusive rows by why */
    int min_reps_needed;              /* the fewest equal process samples that can reach alpha */
    int n_judged;                     /* time: cases whose process samples were tested */
    double impl_alpha;                /* the level of the stratified tests: alpha over the
                                         implementations tested */
    double lone_alpha;                /* interleaved: the level a case moving alone must pass,
                                         alpha over the cases judged */
    int lone_samples_needed;          /* the fewest equal process samples that can reach it */
    cmp_machine machine;
} cmp_report;

#endif
