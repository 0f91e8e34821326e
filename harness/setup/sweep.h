/* sweep.h: expands a config into problems (shapes with their inputs) and cases (one
 * implementation at one thread count on one problem). */
#ifndef SWEEP_H
#define SWEEP_H

#include "config.h"
#include "impls_set.h"

typedef struct sweep_problem {
    attn_problem p;     /* threads is 0 here; each case sets its own; kv_len and alibi point
                           into the sweep's pools */
    int dist;           /* cfg_dist */
    int first_case;     /* its cases are [first_case, first_case + n_cases) */
    int n_cases;
} sweep_problem;

typedef struct sweep_case {
    int problem;        /* index into problems */
    const attn_impl *impl;
    int abi;            /* the ABI impl speaks (impls_set.h) */
    int threads;
    int cold;           /* 1: caches evicted before every repetition ([measure] cache) */
} sweep_case;

typedef struct sweep {
    sweep_problem *problems;
    int n_problems;
    sweep_case *cases;
    int n_cases;
    int *kv_lens;       /* the pools p.kv_len and p.alibi point into */
    float *slopes;
    int n_excluded;     /* shapes left out: kv_heads not dividing heads, and duplicates */
    char excluded_example[128];
    double mean_case_flops;           /* over the whole sweep (sweep_case_weight) */
    char id[17];                      /* a hash of every case of the whole sweep, and the seed:
                                         the shards of one sweep share it */
    int shard, n_shards;              /* shard `shard` of n_shards; 0 of 1 for a whole sweep */
    int whole_problems, whole_cases;  /* the whole sweep's counts, before the deal */
} sweep;

/* The ABI 2 fields at their neutral values: head_dim_v = head_dim, no window but the causal
 * one (window_right 0 when causal, else -1; window_left -1), the diagonal bottom-right, no
 * kv_len, softcap or ALiBi. A problem made outside a sweep starts from these. */
void sweep_neutral_fields(attn_problem *p);

/* 0, or 2 with a message (an unknown implementation, a sweep too large). */
int sweep_build(const cfg *c, const impls_set *impls, sweep *s, char *err, size_t err_len);
void sweep_free(sweep *s);

/* Useful FLOPs of a problem: 2 (d + d_v) H pairs, pairs the exact count of visible (query, key)
 * pairs over the batch. */
double sweep_flops(const attn_problem *p);

/* The problem's minimum footprint: Q, K, V and O once each, in float32 bytes. Also the fewest bytes
 * any implementation must move, so flops over this is the arithmetic intensity. */
double sweep_min_bytes(const attn_problem *p);

/* The estimated cost of work of `flops` FLOPs (a case, or a problem's reference): its FLOPs
 * plus a mean case's, for what every case pays however small (a process, warm-up, min_time_s
 * of repetitions): by FLOPs alone, a sweep that starts with tiny shapes (conformance.ini:
 * seq_len 1, head_dim 1) was estimated at 73,000 hours. The run's ETA and the deal to shards
 * both weigh by it. */
double sweep_weight(const sweep *s, double flops);

#endif
