/* ref.h: the double-precision reference output, and the magnitudes the checker scales its
 * tolerance by. Independent of every implementation: its own code, no shared kernels. */
#ifndef REF_H
#define REF_H

#include "attn.h"

typedef struct ref_out {
    double *o;          /* [B][H][N_q][d_v]: the exact-ish output */
    double *mag;        /* [B][H][N_q][d_v]: sum_j p_ij |v_jc|, the size of what was averaged */
    double *row_score;  /* [B][H][N_q]: scale * |q_i| * max_j |k_j| over visible keys, which
                           bounds |scale q_i . k_j| */
    double *row_bias;   /* [B][H][N_q]: max over visible keys of |alibi[h] (j - diag(i))|; 0
                           without ALiBi */
} ref_out;

/* The diagonal of query row i: i + seq_kv - seq_q (bottom-right), or i with top_left. */
long ref_diag(const attn_problem *p, int i);

/* The keys query row i of batch entry b sees, [*lo, *hi) (empty when *hi == *lo): those under
 * kv_len[b] (when given) and within the window, diag(i) - window_left to diag(i) +
 * window_right (-1: unbounded on that side; causal is window_right 0). The harness's one copy
 * of DESIGN's rule: the reference, the checker, the twin and the work model all use it. */
void ref_keys(const attn_problem *p, int b, int i, int *lo, int *hi);

/* The keys some row of [i0, i0 + rows) of batch entry b sees, [*k0, *k0 + their count): what a
 * block of rows needs of K and V. *k0 is 0 when no row sees a key. */
int ref_block_keys(const attn_problem *p, int b, int i0, int rows, int *k0);

/* How many keys row i of batch entry b sees. */
int ref_visible(const attn_problem *p, int b, int i);

/* Score (i, j) of head h from its dot product q_i . k_j, in DESIGN's order: scaled, capped
 * (softcap), biased (ALiBi). In double: the one copy of that order on the harness's side. */
double ref_score(const attn_problem *p, int h, int i, int j, double dot);

/* max over the keys [lo, hi) of |alibi[h] (j - diag(i))|: 0 without ALiBi or keys. */
double ref_bias_bound(const attn_problem *p, int h, int i, int lo, int hi);

/* The plain definition, in double loops. */
void ref_plain(const attn_problem *p, const float *q, const float *k, const float *v,
               const ref_out *out);

/* The same through OpenBLAS dgemm on blocks of query rows, using `threads` OpenMP threads.
 * Returns 0, or nonzero when out of memory. */
int ref_blas(const attn_problem *p, const float *q, const float *k, const float *v,
             const ref_out *out, int threads);

/* The route the harness takes: plain for small problems, dgemm for large ones. */
int ref_compute(const attn_problem *p, const float *q, const float *k, const float *v,
                const ref_out *out, int threads);

#endif
