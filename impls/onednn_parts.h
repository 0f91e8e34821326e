/* onednn_parts.h: what onednn.c (the state, oneDNN's plumbing, the whole-problem path) and
 * onednn_blocks.c (the path that visits only visible key blocks) share. Not part of the ABI. */
#ifndef ONEDNN_PARTS_H
#define ONEDNN_PARTS_H

#include "attn.h"

#include <oneapi/dnnl/dnnl.h>
#include <stddef.h>

/* One shape of S: the three primitives and the memory objects they run on, whose q, k, v and
 * o data handles are set for each run (the whole path) or block (the blocked path). */
typedef struct onednn_shape {
    int groups;                          /* 0: one block, 2-D; else every group, 3-D */
    int m, n;                            /* query rows and keys */
    dnnl_primitive_t qk, softmax, pv;
    dnnl_memory_t q, k, s, pm, v, o;
} onednn_shape;

/* One block of the blocked path: stacked rows [r0, r0 + m) of group g, keys [k0, k0 + n) in
 * the primitives of shapes[shape]; n = 0 when no row of it sees a key. */
typedef struct onednn_block {
    int g, r0, m, k0, n, shape;
} onednn_block;

typedef struct onednn_state {
    attn_problem p;
    int rows;                        /* stacked query rows per (batch, kv head): G * N_q */
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    /* The whole-problem path (no mask): one shape over every group at once. */
    onednn_shape whole;
    /* The blocked path (a mask): the blocks, their distinct shapes. */
    onednn_block *blocks;
    int n_blocks;
    onednn_shape *shapes;
    int n_shapes;
    float *s_buf;                    /* S: every group's (whole path) or one block's */
    void *p_buf;                     /* 16-bit dtypes: P in the dtype; NULL in float32 (P is S) */
    char chosen[256];                /* the implementation each primitive picked */
} onednn_state;

/* bytes (rounded up to a cache line) on a 64-byte boundary; NULL when out of memory. */
void *onednn_alloc(size_t bytes);

/* The primitives and memory objects of sh (its groups, m and n set), on st->s_buf and
 * st->p_buf. 0, or 1 with the reason in why; *stage names the primitive being made when oneDNN
 * refused one. */
int onednn_shape_make(onednn_state *st, onednn_shape *sh, char *why, size_t why_len,
                      const char **stage);
void onednn_shape_release(onednn_shape *sh);

/* S = scale Q K^T on sh, with q and k the first query row's and key's elements. 0, or nonzero
 * when oneDNN failed. */
int onednn_shape_scores(onednn_state *st, onednn_shape *sh, const void *q, const void *k);

/* Then P = softmax(S) and O = P V, with v and o the first key's and query row's elements. */
int onednn_shape_output(onednn_state *st, onednn_shape *sh, const void *v, void *o);

/* The stacked rows of a block, scaled scores in s (row stride ld, key k0 in column 0, n
 * columns): capped and biased where the problem asks, -inf on the keys each row does not see.
 * Row r of the block is stacked row r0 + r of group g. Returns how many rows see no key. */
int onednn_prepare_scores(const onednn_state *st, float *s, size_t ld, int g, int r0, int m,
                          int k0, int n);

/* The blocked path (onednn_blocks.c). */
int onednn_blocks_prepare(onednn_state *st, char *why, size_t why_len, const char **stage);
int onednn_blocks_run(onednn_state *st, const void *q, const void *k, const void *v, void *o);
void onednn_blocks_release(onednn_state *st);

#endif
