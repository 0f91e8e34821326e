/* onednn_parts.h: what onednn.c (the state, oneDNN's plumbing, the whole-problem path) and
 * onednn_blocks.c (the path that visits only visible key blocks) share. Not part of the ABI. */
#ifndef ONEDNN_PARTS_H
#define ONEDNN_PARTS_H

#include "attn.h"

#include <oneapi/dnnl/dnnl.h>
#include <stddef.h>

/* One block shape of the blocked path: its primitives and the memory objects they run on,
 * whose data handles are set for each block. */
typedef struct onednn_shape {
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
    /* The whole-problem path (no mask): one primitive each over every group at once. */
    dnnl_primitive_t qk, softmax, pv;
    dnnl_memory_t q, k, v, o, s, pm;
    /* The blocked path (a mask): the blocks, their distinct shapes. */
    onednn_block *blocks;
    int n_blocks;
    onednn_shape *shapes;
    int n_shapes;
    float *s_buf;                    /* S: every group's (whole path) or one block's */
    void *p_buf;                     /* 16-bit dtypes: P in the dtype; NULL in float32 (P is S) */
    char chosen[256];                /* the implementation each primitive picked */
} onednn_state;

/* Calls a dnnl_* function; on failure says which call failed and why, and jumps to fail. Needs
 * why and why_len in scope. */
#define DNNL_TRY(call)                                                                   \
    do {                                                                                 \
        dnnl_status_t status_ = (call);                                                  \
        if (status_ != dnnl_success) {                                                   \
            snprintf(why, why_len, "%s: %s", #call, dnnl_status2str(status_));          \
            goto fail;                                                                   \
        }                                                                                \
    } while (0)

dnnl_data_type_t onednn_type(int dtype);

/* bytes (rounded up to a cache line) on a 64-byte boundary; NULL when out of memory. */
void *onednn_alloc(size_t bytes);

/* A 2-D or 3-D descriptor (d0 = 0: 2-D, of d1 x d2) of type t with these strides. */
dnnl_status_t onednn_md(dnnl_memory_desc_t *md, dnnl_data_type_t t, dnnl_dim_t d0,
                        dnnl_dim_t d1, dnnl_dim_t d2, dnnl_dim_t s0, dnnl_dim_t s1,
                        dnnl_dim_t s2);

/* The three primitives of S = scale Q K^T, P = softmax(S), O = P V on these descriptors (the
 * softmax over the last axis, `axis`); what oneDNN picked is appended to st->chosen. On a
 * failure, *stage names the primitive being made. */
dnnl_status_t onednn_primitives(onednn_state *st, const dnnl_memory_desc_t *q_md,
                                const dnnl_memory_desc_t *kt_md, const dnnl_memory_desc_t *s_md,
                                const dnnl_memory_desc_t *p_md, const dnnl_memory_desc_t *v_md,
                                const dnnl_memory_desc_t *o_md, int axis, dnnl_primitive_t *qk,
                                dnnl_primitive_t *softmax, dnnl_primitive_t *pv,
                                const char **stage);

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
