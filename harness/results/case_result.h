/* case_result.h: what one case came to: its status and reason, its times, its check, memory,
 * counts and noise. runner.c fills it; rounds.c folds several into one; the writers
 * (result_fields.h) turn it into results.csv rows and results.json objects. */
#ifndef CASE_RESULT_H
#define CASE_RESULT_H

#include "check.h"
#include "ctr_types.h"
#include "noise.h"

typedef struct case_result {
    int status;                   /* case_status */
    char reason[512];
    int reps;                     /* timed repetitions done */
    double *times;                /* reps seconds, malloc'd; the caller frees */
    double t_min, t_median, t_mean, t_stddev;
    double flops, gflops;         /* gflops from the median; 0 when not measured */
    check_result check;
    int checked;                  /* check holds a comparison */
    int second_checked;           /* the second input set's output was checked too */
    long long peak_rss_delta;     /* bytes; -1 when not measured */
    long long workspace;          /* bytes; -1 when not measured */
    long long page_faults;        /* prepare through the first run(); -1 when not measured */
    ctr_values ctr;               /* counts per repetition, with reasons for the missing */
    char binding[256];            /* PUs the threads were bound to, or "" */
    char kernels[256];            /* what the implementation chose (registry.h's describe) */
    int os_threads;               /* the case's process's threads after its timed runs (the
                                     pools it started); -1 when not measured */
    int cold;                     /* the case ran with cold caches */
    double pct_peak;              /* gflops over the machine's peak at this thread count, in %;
                                     < 0 when unknown */
    noise_counts noise;           /* what disturbed the timed repetitions */
    noise_verdict noisy;          /* and whether that passes the noise thresholds */
    double wall_s;                /* the whole case, fork to exit */
    int rounds;                   /* processes the record combines (rounds.h); 0: one, alone */
    double *process_medians;      /* their medians, malloc'd (the caller frees), or NULL */
    int n_process_medians;
    int interrupted;              /* proc_stop ended the case: it has no result */
} case_result;

#endif
