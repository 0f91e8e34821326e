/* case_input.h: what a case is run with: the problem's tensors (made once per problem, shared
 * by its cases) and the options of its measurement. Types only: runner.c makes and uses them,
 * runner_child.c reads them in the case's child. */
#ifndef CASE_INPUT_H
#define CASE_INPUT_H

#include "attn.h"
#include "check.h"
#include "gen.h"
#include "ctr_types.h"
#include "guard.h"
#include "ref.h"
#include "twin.h"

#include <stddef.h>
#include <stdint.h>

typedef struct runner_opts {
    long warmup, min_reps, max_reps;
    double min_time_s, timeout_s;
    check_tol tol;
    twin_rule twin;               /* factor 0: no twin check */
    const ctr_plan *ctr;          /* events to count; NULL or CTR_NONE: none */
    long counter_reps;            /* untimed repetitions the counters cover */
    size_t evict_bytes;           /* > 0: touch this much memory before each repetition */
    int bind;                     /* topo_bind_mode */
    long long mem_budget;         /* bytes the case may allocate beyond what it starts with
                                     (an address-space limit); 0: no limit */
    int mem_budget_set;           /* 1: the budget is [measure] memory_limit_mib, 0: what was
                                     available when the case started */
    int impl_abi;                 /* the implementation's ABI: from 2, prepare's ATTN_UNSUPPORTED
                                     is a SKIP; 0 counts as the current ABI */
} runner_opts;

enum { GUARD_Q, GUARD_K, GUARD_V, GUARD_O, GUARD_N };

/* One problem's tensors, made once and shared by every case on it. Each lies between guard
 * pages (guard.h), so a stray access names the tensor it missed. */
typedef struct runner_problem {
    const attn_problem *p;
    guarded_buf bufs[GUARD_N];    /* the mappings of q, k, v, o */
    size_t elem;                  /* bytes per element of p->dtype */
    void *q, *k, *v;              /* inputs in p->dtype, private to the parent; children get
                                     copies */
    float *qf, *kf, *vf;          /* the same values as float32, for the reference: q, k and v
                                     themselves for float32 */
    gen_sizes n;                  /* elements in q, k, v and o */
    size_t rows;                  /* query rows: batch x heads x seq_q */
    uint64_t hash_q, hash_k, hash_v;
    void *o;                      /* shared with the child: the output it leaves, in p->dtype */
    ref_out ref;                  /* shared: filled by runner_reference */
    double *twin_rel_l2;          /* shared: the first set's textbook twin's error (twin.h);
                                     NaN when it could not be computed */
    int ref_ok;                   /* 0 when the reference could not be computed */
    char ref_why[256];
    /* The second input set (gen.h) and its reference. After the timed repetitions the child
     * copies it over q, k and v in place and runs once more: a run() that replays an earlier
     * output instead of computing from its inputs fails that check. */
    void *q2, *k2, *v2;           /* private to the parent, like q, k, v */
    float *q2f, *k2f, *v2f;       /* as float32, for the second reference */
    ref_out ref2;                 /* shared: filled by runner_reference */
    void *o_first;                /* shared: the first set's output, saved before that run */
} runner_problem;

#endif
