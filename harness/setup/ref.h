/* ref.h: the double-precision reference output, and the magnitudes the checker scales its
 * tolerance by. Independent of every implementation: its own code, no shared kernels. */
#ifndef REF_H
#define REF_H

#include "attn.h"

typedef struct ref_out {
    double *o;          /* [B][H][N_q][d]: the exact-ish output */
    double *mag;        /* [B][H][N_q][d]: sum_j p_ij |v_jc|, the size of what was averaged */
    double *row_score;  /* [B][H][N_q]: scale * |q_i| * max_j |k_j| over visible keys */
} ref_out;

/* Keys query row i sees: all of them, or under the causal mask j <= i + (seq_kv - seq_q).
 * The harness's one copy of the rule (the checker and the work model use it too). */
int ref_visible(const attn_problem *p, int i);

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
