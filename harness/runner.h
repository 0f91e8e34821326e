/* runner.h: runs one case in a forked child (so a crash, a hang or a corrupting kernel cannot
 * touch the harness), times run() there, and turns what happened into a status. */
#ifndef RUNNER_H
#define RUNNER_H

#include "check.h"
#include "counters.h"
#include "guard.h"
#include "noise.h"
#include "status.h"
#include "sweep.h"

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* The signal that asked the sweep to stop (SIGINT, SIGTERM), set by the run's handler; 0 while
 * none has. A wait that sees it kills the child it waits for. */
extern volatile sig_atomic_t runner_stop;

typedef struct runner_opts {
    long warmup, min_reps, max_reps;
    double min_time_s, timeout_s;
    check_tol tol;
    const ctr_plan *ctr;          /* events to count; NULL or CTR_NONE: none */
    long counter_reps;            /* untimed repetitions the counters cover */
    size_t evict_bytes;           /* > 0: touch this much memory before each repetition */
    int bind;                     /* topo_bind_mode */
    long long mem_budget;         /* bytes the case may allocate beyond what it starts with
                                     (an address-space limit); 0: no limit */
    int mem_budget_set;           /* 1: the budget is [measure] memory_limit_mib, 0: what was
                                     available when the case started */
} runner_opts;

enum { GUARD_Q, GUARD_K, GUARD_V, GUARD_O, GUARD_N };

/* One problem's tensors, made once and shared by every case on it. Each lies between guard
 * pages (guard.h), so a stray access names the tensor it missed. */
typedef struct runner_problem {
    const attn_problem *p;
    guarded_buf bufs[GUARD_N];    /* the mappings of q, k, v, o */
    float *q, *k, *v;             /* inputs, private to the parent; children get copies */
    size_t q_len, kv_len;         /* floats in q (= o) and in k (= v) */
    uint64_t hash_q, hash_k, hash_v;
    float *o;                     /* shared with the child: the output it leaves */
    ref_out ref;                  /* shared: filled by runner_reference */
    int ref_ok;                   /* 0 when the reference could not be computed */
    char ref_why[256];
    /* The second input set (gen.h) and its reference. After the timed repetitions the child
     * copies it over q, k and v in place and runs once more: a run() that replays an earlier
     * output instead of computing from its inputs fails that check. */
    float *q2, *k2, *v2;          /* private to the parent, like q, k, v */
    ref_out ref2;                 /* shared: filled by runner_reference */
    float *o_first;               /* shared: the first set's output, saved before that run */
} runner_problem;

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
    char kernels[256];            /* what the implementation's library chose (registry.h) */
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
    int interrupted;              /* runner_stop ended the case: it has no result */
} case_result;

/* Bytes runner_problem_init allocates for p: q, k, v, o, the second input set, and the two
 * double-precision references (computed without overflow). */
double runner_problem_bytes(const attn_problem *p);

/* Allocates a problem's buffers and fills its inputs. 0, or nonzero with a reason. */
int runner_problem_init(runner_problem *rp, const attn_problem *p, int dist, uint64_t seed,
                        char *why, size_t why_len);
void runner_problem_free(runner_problem *rp);

/* Computes the references of both input sets in a child process with `threads` threads (so the
 * parent never starts a thread pool that a later fork would inherit broken). Sets rp->ref_ok. */
void runner_reference(runner_problem *rp, int threads);

/* Runs one case and fills res. */
void runner_run_case(const runner_problem *rp, const attn_impl *impl, int threads,
                     const runner_opts *opts, case_result *res);

/* Forks a child with default signal handling in its own process group. The pid, 0 in the
 * child, -1 on failure. */
pid_t runner_fork_isolated(void);

/* Waits for pid until deadline (CLOCK_MONOTONIC seconds; <= 0: none). 0 with the wait status,
 * 1 when the deadline passed, 2 when runner_stop was set: in both, the child's process group
 * was killed. */
int runner_wait_deadline(pid_t pid, double deadline, int *wstatus);

/* Runs work(out) in an isolated child and waits for it: for measurements (the machine's peaks,
 * the calibration) whose threads must never exist in the harness, which forks every case after.
 * out's `bytes` go to the child and its results come back; a Ctrl-C stops the child
 * (runner_stop). 0, or -1 with why (work's nonzero return reads as out of memory). */
int runner_in_child(int (*work)(void *out), void *out, size_t bytes, char *why, size_t why_len);

/* Maps a shared anonymous region (zeroed); NULL on failure. */
void *runner_shared_alloc(size_t bytes);
void runner_shared_free(void *ptr, size_t bytes);

#endif
