/* runner_child.h: what runner.c (the parent) and runner_child.c (the case's child) share: the
 * stages the child goes through, the report it leaves in shared memory, and its entry point. */
#ifndef RUNNER_CHILD_H
#define RUNNER_CHILD_H

#include "case_input.h"
#include "case_result.h"
#include "ctr_types.h"
#include "noise.h"

/* How far the child got, in order: names the phase in a CRASH or TIMEOUT reason. */
#define STAGES(X)                                                                          \
    X(START, "start-up") X(AVAILABLE, "available") X(PREPARE, "prepare")                   \
    X(WARMUP, "warm-up") X(TIMED, "run") X(COUNTED, "counted run")                         \
    X(SECOND, "run on the second input set") X(RELEASE, "release") X(DONE, "exit")
enum {
#define STAGE_ENUM(id, name) STAGE_##id,
    STAGES(STAGE_ENUM)
#undef STAGE_ENUM
};
typedef struct child_report {
    volatile int stage;
    volatile int rep;             /* the repetition in progress (warm-up or timed) */
    int unavailable;              /* available() said no */
    int harness_failed;           /* the harness could not set the case up; why says how */
    int rc;                       /* nonzero rc of prepare or run */
    int failed_stage;             /* the stage rc came from */
    int failed_rep;
    char why[256];
    int reps;                     /* timed repetitions completed */
    int modified;                 /* bit 0 q, 1 k, 2 v; -1 until looked at */
    int second_ran;               /* the second input set ran: the first output is in o_first */
    char overrun[160];            /* a sentinel beside a tensor changed: what guard_check said */
    int overrun_stage, overrun_rep;
    long long vm_base, vm_limit;  /* address space at the start, and its limit (0: none) */
    long long vm_at_death;        /* address space when a fatal signal came; -1 unknown */
    volatile int guard_hit;       /* the fatal fault was in a guard page: */
    int guard_buf;                /*   beside this tensor (GUARD_Q..GUARD_O), */
    long long guard_offset;       /*   this far from it (guard_locate), */
    int guard_write;              /*   1 a write, 0 a read, -1 unknown */
    long long rss_before, hwm_after;
    long long heap_before, heap_peak;
    long long faults;             /* prepare through the first run; -1 until then */
    int os_threads;               /* the process's threads after the timed runs; 0 unknown */
    char binding[256];
    ctr_values ctr;
    noise_counts noise;
    char kernels[256];            /* what the implementation's library chose, or "" */
    double times[];               /* max_reps */
} child_report;

/* The child: runs the case and fills rep (shared with the parent), then returns for _exit. */
void runner_child_main(const runner_problem *rp, const attn_impl *impl, int threads,
                       const runner_opts *opts, child_report *rep);

#endif
