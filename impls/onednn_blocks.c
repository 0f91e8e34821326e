/* onednn_blocks.c: onednn's path for masked problems (onednn.c says why). Blocks of BLOCK_ROWS
 * stacked query rows each multiply only the keys some row of theirs sees, [k0, k0 + n), with n
 * rounded up to KEY_ROUND keys (and k0 moved back where that would pass the last key): oneDNN
 * 2.6's softmax takes no runtime shapes, so every distinct (rows, keys) shape needs primitives
 * of its own, and rounding keeps their count to about N_kv / KEY_ROUND. All are made in
 * prepare; a block in run sets its tensors' data handles and executes its shape's three. */
#include "impl_util.h"
#include "onednn_parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK_ROWS = 256, KEY_ROUND = 128 };

void onednn_blocks_release(onednn_state *st)
{
    for (int i = 0; i < st->n_shapes; i++)
        onednn_shape_release(&st->shapes[i]);
    free(st->shapes);
    free(st->blocks);
    st->shapes = NULL;
    st->blocks = NULL;
    st->n_shapes = st->n_blocks = 0;
}

/* The index of the m x n shape, added (without primitives yet) when new. */
static int shape_index(onednn_state *st, int m, int n)
{
    for (int i = 0; i < st->n_shapes; i++)
        if (st->shapes[i].m == m && st->shapes[i].n == n)
            return i;
    st->shapes[st->n_shapes] = (onednn_shape){.m = m, .n = n};
    return st->n_shapes++;
}

int onednn_blocks_prepare(onednn_state *st, char *why, size_t why_len, const char **stage)
{
    const attn_problem *p = &st->p;
    const int groups = p->batch * p->kv_heads;
    const int per_group = (st->rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
    st->blocks = calloc((size_t)groups * per_group, sizeof *st->blocks);
    st->shapes = calloc((size_t)groups * per_group, sizeof *st->shapes);
    if (st->blocks == NULL || st->shapes == NULL) {
        snprintf(why, why_len, "out of memory for %d blocks", groups * per_group);
        return 1;
    }
    size_t most = 1;   /* the largest block's scores */
    for (int g = 0; g < groups; g++)
        for (int r0 = 0; r0 < st->rows; r0 += BLOCK_ROWS) {
            onednn_block *bl = &st->blocks[st->n_blocks++];
            *bl = (onednn_block){.g = g, .r0 = r0, .shape = -1};
            bl->m = st->rows - r0 < BLOCK_ROWS ? st->rows - r0 : BLOCK_ROWS;
            int seen = impl_block_keys(p, g / p->kv_heads, r0, bl->m, &bl->k0);
            if (seen == 0)
                continue;
            bl->n = (seen + KEY_ROUND - 1) / KEY_ROUND * KEY_ROUND;
            bl->n = bl->n < p->seq_kv ? bl->n : p->seq_kv;
            bl->k0 = bl->k0 < p->seq_kv - bl->n ? bl->k0 : p->seq_kv - bl->n;
            bl->shape = shape_index(st, bl->m, bl->n);
            most = (size_t)bl->m * bl->n > most ? (size_t)bl->m * bl->n : most;
        }
    st->s_buf = onednn_alloc(sizeof(float) * most);
    if (p->dtype != ATTN_F32)
        st->p_buf = onednn_alloc(2 * most);
    if (st->s_buf == NULL || (p->dtype != ATTN_F32 && st->p_buf == NULL)) {
        snprintf(why, why_len, "out of memory for a block of %zu scores", most);
        return 1;
    }
    for (int i = 0; i < st->n_shapes; i++)
        if (onednn_shape_make(st, &st->shapes[i], why, why_len, stage) != 0)
            return 1;
    return 0;
}

/* Rows of block bl that see no key, as 0 in o (which starts at the block's first row). */
static void zero_blind_rows(const onednn_state *st, const onednn_block *bl, char *o,
                            size_t row_bytes)
{
    const attn_problem *p = &st->p;
    for (int r = 0; r < bl->m; r++) {
        int lo, hi;
        impl_key_range(p, bl->g / p->kv_heads, (bl->r0 + r) % p->seq_q, &lo, &hi);
        if (hi <= lo)
            memset(o + (size_t)r * row_bytes, 0, row_bytes);
    }
}

int onednn_blocks_run(onednn_state *st, const void *q, const void *k, const void *v, void *o)
{
    const attn_problem *p = &st->p;
    const size_t elem = p->dtype == ATTN_F32 ? 4 : 2;
    const size_t q_row = elem * p->head_dim, o_row = elem * p->head_dim_v;
    for (int i = 0; i < st->n_blocks; i++) {
        const onednn_block *bl = &st->blocks[i];
        const size_t row = (size_t)bl->g * st->rows + bl->r0;
        const size_t key = (size_t)bl->g * p->seq_kv + bl->k0;
        char *ob = (char *)o + row * o_row;
        if (bl->n == 0) {
            memset(ob, 0, bl->m * o_row);
            continue;
        }
        onednn_shape *sh = &st->shapes[bl->shape];
        if (onednn_shape_scores(st, sh, (const char *)q + row * q_row,
                                (const char *)k + key * q_row) != 0)
            return 2;
        int blind = onednn_prepare_scores(st, st->s_buf, (size_t)bl->n, bl->g, bl->r0, bl->m,
                                          bl->k0, bl->n);
        if (onednn_shape_output(st, sh, (const char *)v + key * o_row, ob) != 0)
            return 2;
        if (blind > 0)   /* their softmax was NaN */
            zero_blind_rows(st, bl, ob, o_row);
    }
    return 0;
}
