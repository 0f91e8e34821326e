/* tiled: cache-blocked attention with the online softmax of FlashAttention, in portable C.
 * Query rows are taken BR at a time and keys BC at a time; a running row maximum and sum
 * rescale the partial output when the maximum grows, so the N_q x N_kv score matrix never
 * exists: working memory is a few tiles per thread, set by BR, BC and head_dim only. Loops are
 * plain C that gcc vectorises; the exponential is exp2_poly.h's, as a libm call per score
 * would not vectorise. In bf16 and f16 each tile of q, k and v is converted to float32 as it is
 * loaded (so working memory stays a few tiles), computed in float32, and the output rows are
 * rounded to the dtype as they are stored. */
#include "attn.h"
#include "exp2_poly.h"
#include "impl_dtype.h"
#include "impl_util.h"
#include "tile_sizes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* BR query rows by BC keys per tile, from tile_sizes.c's cache rule (or [tune]). Multiples of
 * 16 keep the vectorised loops over keys free of short tails. */
enum { TILE_MULTIPLE = 16 };

typedef struct tiled_scratch {
    float *s;        /* BR x BC scores, then probabilities */
    float *kt;       /* d x BC: the key tile transposed, so the score loop runs along keys */
    float *acc;      /* BR x d_v: unnormalised output rows */
    float *m, *l;    /* BR running maxima and sums */
    float *qb, *vb;  /* 16-bit dtypes: BR x d query rows and BC x d_v value rows in float32 */
} tiled_scratch;

typedef struct tiled_state {
    attn_problem p;
    int br, bc;
    int n_scratch;
    tiled_scratch *scratch;   /* one per thread */
    float *arena;
} tiled_state;

static void tiled_release(void *state)
{
    tiled_state *t = state;
    if (t == NULL)
        return;
    free(t->arena);
    free(t->scratch);
    free(t);
}

static int tiled_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    tiled_state *t = calloc(1, sizeof *t);
    int br = 0, bc = 0;
    tile_sizes_for(p->head_dim, TILE_MULTIPLE, TILE_MULTIPLE, &br, &bc);
    const size_t d = (size_t)p->head_dim, dv = (size_t)p->head_dim_v;
    const size_t BR = (size_t)br, BC = (size_t)bc;
    const size_t per = BR * BC + d * BC + BR * dv + 2 * BR +
                       (p->dtype != ATTN_F32) * (BR * d + BC * dv);

    if (t != NULL) {
        t->p = *p;
        t->br = br;
        t->bc = bc;
        t->n_scratch = impl_threads(p);
        t->scratch = calloc((size_t)t->n_scratch, sizeof *t->scratch);
        t->arena = malloc(sizeof(float) * per * (size_t)t->n_scratch);
    }
    if (t == NULL || t->scratch == NULL || t->arena == NULL) {
        tiled_release(t);
        impl_why(why, why_len, "out of memory for %d tile sets", impl_threads(p));
        return 1;
    }
    for (int i = 0; i < t->n_scratch; i++) {
        float *base = t->arena + per * (size_t)i;
        float *acc = base + BR * BC + d * BC, *m = acc + BR * dv, *more = m + 2 * BR;
        t->scratch[i] = (tiled_scratch){.s = base, .kt = base + BR * BC, .acc = acc, .m = m,
                                        .l = m + BR,
                                        .qb = p->dtype != ATTN_F32 ? more : NULL,
                                        .vb = p->dtype != ATTN_F32 ? more + BR * d : NULL};
    }
    *state = t;
    return 0;
}

/* Rows [i0, i0 + rows) of head h of batch entry b; q and o start at the head's first row, k
 * and v at its kv head's, as elements of the dtype. Only the key tiles some row sees are
 * visited: a sliding window's cost grows with the window, not with seq_kv. */
static void tiled_block(const tiled_state *t, tiled_scratch *w, int b, int h, int i0, int rows,
                        const void *q_in, const void *k_in, const void *v_in, void *o_out)
{
    const attn_problem *p = &t->p;
    const int d = p->head_dim, dv = p->head_dim_v, BC = t->bc, f32 = p->dtype == ATTN_F32;
    const int extras = p->softcap != 0 || p->alibi != NULL;
    /* In float32 the tensors are read in place; otherwise q's rows are converted once here
     * and v's per key tile below. */
    const float *q = f32 ? (const float *)q_in : w->qb, *v = f32 ? (const float *)v_in : NULL;
    int q0 = f32 ? 0 : i0;   /* q[(i - q0) * d]: query row i */
    if (!f32)
        impl_load_row(p->dtype, q_in, (size_t)i0 * d, w->qb, (size_t)rows * d);
    /* Scores in base 2, for exp2: scaled and turned in one product, or, with a cap or a bias,
     * scaled, capped and biased first (DESIGN's order) and then turned. */
    const float to_base2 = extras ? (float)M_LOG2E : p->scale * (float)M_LOG2E;
    int k_begin;   /* the keys some row of the block sees: [k_begin, k_end) */
    const int n_keys = impl_block_keys(p, b, i0, rows, &k_begin), k_end = k_begin + n_keys;

    for (int r = 0; r < rows; r++) {
        w->m[r] = -INFINITY;
        w->l[r] = 0.0f;
    }
    memset(w->acc, 0, sizeof(float) * (size_t)rows * dv);

    for (int j0 = k_begin; j0 < k_end; j0 += BC) {
        int cols = k_end - j0 < BC ? k_end - j0 : BC;
        for (int c = 0; c < cols; c++)
            for (int x = 0; x < d; x++)
                w->kt[x * BC + c] = f32 ? ((const float *)k_in)[(size_t)(j0 + c) * d + x]
                                        : impl_load(p->dtype, k_in, (size_t)(j0 + c) * d + x);
        int v0 = 0;   /* v[(j - v0) * dv]: value row j */
        if (!f32) {
            impl_load_row(p->dtype, v_in, (size_t)j0 * dv, w->vb, (size_t)cols * dv);
            v = w->vb;
            v0 = j0;
        }

        for (int r = 0; r < rows; r++) {
            const float *qr = q + (size_t)(i0 + r - q0) * d;
            float *sr = w->s + r * BC;
            int lo, hi;   /* the tile's columns row r sees: [c0, c1) */
            impl_key_range(p, b, i0 + r, &lo, &hi);
            const int c0 = lo - j0 > 0 ? lo - j0 : 0, c1 = hi - j0 < cols ? hi - j0 : cols;
            if (c1 <= c0)
                continue;

            for (int c = c0; c < c1; c++)
                sr[c] = 0.0f;
            for (int x = 0; x < d; x++) {
                const float qx = qr[x], *ktx = w->kt + x * BC;
                for (int c = c0; c < c1; c++)
                    sr[c] += qx * ktx[c];
            }
            if (extras) {
                for (int c = c0; c < c1; c++)
                    sr[c] *= p->scale;
                impl_score_extras(p, h, i0 + r, j0 + c0, sr + c0, c1 - c0);
            }
            float tile_max = -INFINITY;
#pragma omp simd reduction(max : tile_max)
            for (int c = c0; c < c1; c++) {
                sr[c] *= to_base2;
                tile_max = sr[c] > tile_max ? sr[c] : tile_max;
            }
            /* Online softmax: rescale what was summed under the old maximum. */
            float m_new = tile_max > w->m[r] ? tile_max : w->m[r];
            float shrink = exp2_poly(w->m[r] - m_new);
            float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
            for (int c = c0; c < c1; c++) {
                sr[c] = exp2_poly(sr[c] - m_new);
                sum += sr[c];
            }
            w->l[r] = w->l[r] * shrink + sum;
            w->m[r] = m_new;
            float *ar = w->acc + (size_t)r * dv;
            for (int x = 0; x < dv; x++)
                ar[x] *= shrink;
            for (int c = c0; c < c1; c++) {
                const float pc = sr[c], *vc = v + (size_t)(j0 + c - v0) * dv;
                for (int x = 0; x < dv; x++)
                    ar[x] += pc * vc[x];
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        float inv = w->l[r] > 0.0f ? 1.0f / w->l[r] : 0.0f;   /* a row that sees no key: 0 */
        float *ar = w->acc + (size_t)r * dv;
        for (int x = 0; x < dv; x++)
            ar[x] *= inv;
        impl_store_row(p->dtype, o_out, (size_t)(i0 + r) * dv, ar, (size_t)dv);
    }
}

static int tiled_run(void *state, const void *q, const void *k, const void *v, void *o)
{
    tiled_state *t = state;
    const attn_problem *p = &t->p;
    const int BR = t->br, blocks = (p->seq_q + BR - 1) / BR;
    const long tasks = (long)p->batch * p->heads * blocks;

#pragma omp parallel for schedule(dynamic) num_threads(t->n_scratch)
    for (long task = 0; task < tasks; task++) {
        int blk = (int)(task % blocks), bh = (int)(task / blocks);
        int b = bh / p->heads, h = bh % p->heads;
        impl_head at = impl_head_at(p, b, h);
        int i0 = blk * BR, rows = p->seq_q - i0 < BR ? p->seq_q - i0 : BR;
        size_t e = impl_dtype_size(p->dtype);
        tiled_block(t, &t->scratch[impl_thread_num()], b, h, i0, rows,
                    (const char *)q + at.q * e, (const char *)k + at.k * e,
                    (const char *)v + at.v * e, (char *)o + at.o * e);
    }
    return 0;
}

const attn_impl attn_impl_tiled = {
    .name = "tiled",
    .summary = "cache-blocked tiles with online softmax (FlashAttention-style), plain C",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS | ATTN_CAP_BF16 |
            ATTN_CAP_F16 | ATTN_CAP_WINDOW | ATTN_CAP_TOP_LEFT | ATTN_CAP_KV_LEN |
            ATTN_CAP_SOFTCAP | ATTN_CAP_ALIBI | ATTN_CAP_DV,
    .available = NULL,
    .prepare = tiled_prepare,
    .run = tiled_run,
    .release = tiled_release,
};
