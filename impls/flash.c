/* flash.c: the blocked online-softmax driver of flash.h, for every instruction set: tasks,
 * working memory, the rows and keys of each block, the key-block loop and the output. */
#include "flash.h"

#include "impl_dtype.h"
#include "impl_util.h"
#include "tile_sizes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FLASH_MAX_SPLITS = 64 };   /* key ranges per task, at most */

typedef struct flash_state {
    attn_problem p;
    const flash_isa *isa;
    int br, bc;     /* query rows and keys per block */
    int dp;         /* head_dim_v rounded up to the ISA's accumulator columns */
    int rows;       /* stacked query rows per (batch, kv head): G * N_q */
    int blocks;     /* query blocks per (batch, kv head) */
    long tasks;     /* batch x kv_heads x blocks */
    int splits;     /* key ranges per task: more than 1 for split-KV (see flash_plan_splits) */
    int dots;       /* S^T by the ISA's qk_dots: few stacked rows (decode) */
    int streams;    /* ... reading keys in address order (flash_decode_streams) */
    int bf16_dots;  /* bf16 data computed as it lies, by the ISA's bf16 kernels */
    size_t part_floats; /* split-KV: one range's m, l and accumulator rows, rounded to lines */
    float *parts;   /* split-KV: tasks x splits of them */
    int n_tiles;
    flash_tile *tiles;
    float *arena;
} flash_state;

void flash_release(void *state)
{
    flash_state *st = state;
    if (st == NULL)
        return;
    free(st->arena);
    free(st->parts);
    free(st->tiles);
    free(st);
}

static size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }

/* Split-KV (llama.cpp's, FlashDecoding's): where there are fewer tasks than threads (decode,
 * seq_q small, and few kv heads) each task's keys are cut into ranges of whole key blocks,
 * computed apart, and their partial softmax states merged, so that one query row still keeps
 * every thread busy. The count of ranges s is the one whose rounds of work, ceil(tasks s /
 * threads) ranges of 1/s of a task each, end soonest (the smallest such s): 1 task on 2
 * threads is 2 ranges, 3 tasks on 4 threads 4 ranges (12 quarter-tasks in 3 rounds: 0.75 of
 * a task, where 2 ranges would take 1). At most 4 threads' worth of ranges, one key block
 * each at least, so the merged states stay a few rows per thread. Only below one task per
 * thread: above it, ranges would cost memory in proportion to seq_q. */
static int flash_plan_splits(const flash_state *st)
{
    if (st->tasks >= st->n_tiles)
        return 1;
    const long blocks = (st->p.seq_kv + st->bc - 1) / st->bc;
    long most = 4L * st->n_tiles / st->tasks;
    most = most < blocks ? most : blocks;
    most = most < FLASH_MAX_SPLITS ? most : FLASH_MAX_SPLITS;
    long best = 1;
    double best_time = 1.0;   /* in whole tasks: one round of unsplit ones */
    for (long s = 2; s <= most; s++) {
        const double time = (double)((st->tasks * s + st->n_tiles - 1) / st->n_tiles) / (double)s;
        if (time < best_time) {
            best = s;
            best_time = time;
        }
    }
    return (int)best;
}

int flash_prepare(const flash_isa *isa, const attn_problem *p, void **state, char *why,
                  size_t why_len)
{
    flash_state *st = calloc(1, sizeof *st);
    if (st == NULL) {
        impl_why(why, why_len, "out of memory");
        return 1;
    }
    st->p = *p;
    st->isa = isa;
    st->rows = impl_stacked_rows(p);
    st->dots = isa->qk_dots != NULL && st->rows <= isa->dot_rows;
    tile_sizes_for(p->head_dim, isa->rows_multiple, st->dots ? isa->dot_keys : isa->keys_multiple,
                   &st->br, &st->bc);
    st->dp = (int)round_up((size_t)p->head_dim_v, (size_t)isa->cols);
    st->blocks = (st->rows + st->br - 1) / st->br;
    st->n_tiles = impl_threads(p);
    st->tasks = (long)p->batch * p->kv_heads * st->blocks;
    st->splits = flash_plan_splits(st);
    st->streams = st->dots && flash_decode_streams(st->rows, p->dtype, p->head_dim, p->head_dim_v);
    /* The bf16 kernels are micro-tiles; the decode kernels read every dtype as it lies. */
    st->bf16_dots = p->dtype == ATTN_BF16 && isa->bf16_scores != NULL && !st->dots;
    const int widens = p->dtype != ATTN_F32 && !st->bf16_dots && !st->dots;

    /* Each piece starts on a 64-byte line; floats and ints share the arena's 4-byte slots. */
    const size_t br = (size_t)st->br, d = (size_t)p->head_dim;
    const size_t qt = round_up(d * br, 16), s = round_up((size_t)st->bc * br, 16);
    const size_t acc = br * (size_t)st->dp, vec = round_up(br, 16);
    /* bc x d: K widened (read where it lies by the bf16 and decode kernels) */
    const size_t kt = widens ? round_up((size_t)st->bc * d, 16) : 0;
    /* bc x dp: V widened (d_v <= dp) or, for the bf16 kernels, in key pairs (bc / 2 rounded
     * up, by dp) */
    const size_t vt = widens || st->bf16_dots ? round_up((size_t)st->bc * st->dp, 16) : 0;
    const size_t per = qt + s + acc + 7 * vec + kt + vt;
    st->tiles = calloc((size_t)st->n_tiles, sizeof *st->tiles);
    st->arena = aligned_alloc(64, sizeof(float) * per * (size_t)st->n_tiles);
    if (st->splits > 1) {   /* at most ~2 x threads of them: never a function of seq_kv */
        st->part_floats = round_up(2 * vec + br * (size_t)st->dp, 16);
        st->parts = aligned_alloc(64, sizeof(float) * st->part_floats * (size_t)st->tasks *
                                          (size_t)st->splits);
    }
    if (st->tiles == NULL || st->arena == NULL || (st->splits > 1 && st->parts == NULL)) {
        impl_why(why, why_len, "out of memory for %d tile sets of %zu bytes%s", st->n_tiles,
                 sizeof(float) * per, st->splits > 1 ? " and the split-KV ranges' states" : "");
        flash_release(st);
        return 1;
    }
    /* Zeroed once: qk_dots never writes the padding lanes of S^T, which the softmax then
     * reads (and keeps finite: exp2 of at most 0) but no output takes. */
    memset(st->arena, 0, sizeof(float) * per * (size_t)st->n_tiles);
    for (int i = 0; i < st->n_tiles; i++) {
        float *base = st->arena + per * (size_t)i;
        flash_tile *w = &st->tiles[i];
        w->qt = base;
        w->st = w->qt + qt;
        w->acc = w->st + s;
        w->m = w->acc + acc;
        w->l = w->m + vec;
        w->alpha = w->l + vec;
        w->slope = w->alpha + vec;
        w->diag = w->slope + vec;
        w->lo = (int *)(w->diag + vec);
        w->hi = (int *)(w->diag + 2 * vec);
        w->kc = kt ? w->diag + 3 * vec : NULL;
        w->vc = vt ? w->diag + 3 * vec + kt : NULL;
    }
    *state = st;
    return 0;
}

/* One task: query rows [r0, r0 + rows) of stacked group g (kv head g % kv_heads of batch
 * entry g / kv_heads), and where its group's q, k, v and o start (element offsets). */
typedef struct flash_task {
    int g, r0, rows;
    size_t q, k, v, o;
} flash_task;

static flash_task task_at(const flash_state *st, long t)
{
    const attn_problem *p = &st->p;
    flash_task k = {.g = (int)(t / st->blocks), .r0 = (int)(t % st->blocks) * st->br};
    k.rows = st->rows - k.r0 < st->br ? st->rows - k.r0 : st->br;
    const size_t row = (size_t)k.g * st->rows, key = (size_t)k.g * p->seq_kv;
    k.q = row * p->head_dim;
    k.o = row * p->head_dim_v;
    k.k = key * p->head_dim;
    k.v = key * p->head_dim_v;
    return k;
}

/* The block's per-row state: running max and sum, each row's keys [lo, hi) and (with ALiBi)
 * its slope and diagonal; lanes past `rows` see nothing (and are never stored). Into
 * *k_begin, *k_end the keys some row sees; into *all_lo, *all_hi the keys every row sees, so a
 * key block inside them needs no mask. */
static void rows_setup(const flash_state *st, flash_tile *w, int b, int g, int r0, int rows,
                       int lanes, int *k_begin, int *k_end, int *all_lo, int *all_hi)
{
    const attn_problem *p = &st->p;
    *k_end = impl_block_keys(p, b, r0, rows, k_begin) + *k_begin;
    *all_lo = 0;
    *all_hi = p->seq_kv;
    for (int i = 0; i < lanes; i++) {
        int lo = 0, hi = 0, q = (r0 + i) % p->seq_q;
        if (i < rows)
            impl_key_range(p, b, q, &lo, &hi);
        w->lo[i] = lo;
        w->hi[i] = hi;
        if (i < rows) {
            *all_lo = lo > *all_lo ? lo : *all_lo;
            *all_hi = hi < *all_hi ? hi : *all_hi;
        }
        if (p->alibi != NULL) {
            int h = g % p->kv_heads * (p->heads / p->kv_heads) + (r0 + i) / p->seq_q;
            w->slope[i] = i < rows ? p->alibi[h] : 0.0f;
            w->diag[i] = (float)impl_diag(p, q);
        }
        w->m[i] = -INFINITY;
        w->l[i] = 0.0f;
    }
}

/* The query block, scaled by c and transposed into w->qt; padding lanes are 0. */
static void load_queries(const attn_problem *p, flash_tile *w, int br, const void *q_in,
                         size_t at, int rows, int lanes, float c)
{
    const int d = p->head_dim;
    const float *q = q_in;   /* float32 only */
    for (int x = 0; x < d; x++)
        for (int i = 0; i < lanes; i++) {
            float v = 0.0f;
            if (i < rows) {
                size_t e = at + (size_t)i * d + x;
                v = (p->dtype == ATTN_F32 ? q[e] : impl_load(p->dtype, q_in, e)) * c;
            }
            w->qt[(size_t)x * br + i] = v;
        }
}

/* qk_dots's queries: the rows scaled by c, row-major (stride d) in w->qt. */
static void load_query_rows(const attn_problem *p, flash_tile *w, const void *q_in, size_t at,
                            int rows, float c)
{
    const size_t n = (size_t)rows * p->head_dim;
    for (size_t e = 0; e < n; e++)
        w->qt[e] = (p->dtype == ATTN_F32 ? ((const float *)q_in)[at + e]
                                         : impl_load(p->dtype, q_in, at + e)) * c;
}

/* Output rows: the accumulator over the running sum, in p's dtype. */
static void store_output(const attn_problem *p, const flash_tile *w, int dp, void *o_out,
                         size_t at, int rows)
{
    const int dv = p->head_dim_v;
    for (int i = 0; i < rows; i++) {
        const float inv = w->l[i] > 0.0f ? 1.0f / w->l[i] : 0.0f;   /* sees no key: 0 */
        const size_t o_at = at + (size_t)i * dv;
        const float *ai = w->acc + (size_t)i * dp;
        if (p->dtype == ATTN_F32) {
            float *oi = (float *)o_out + o_at;
            for (int x = 0; x < dv; x++)
                oi[x] = ai[x] * inv;
        } else {
            for (int x = 0; x < dv; x++)
                impl_store(p->dtype, o_out, o_at + (size_t)x, ai[x] * inv);
        }
    }
}

/* S^T = K_blk Q_blk^T for every lane of the block, micro-tile by micro-tile. */
static void scores(const flash_isa *isa, const flash_block *blk)
{
    const int d = blk->d, br = blk->br, cols = blk->cols, mr = isa->keys_multiple;
    for (int i = 0; i < blk->lanes; i += isa->lanes)
        for (int j = 0; j < cols; j += mr) {
            const float *k = blk->k + (size_t)j * d, *qt = blk->w->qt + i;
            float *st = blk->w->st + (size_t)j * br + i;
            if (cols - j >= mr)
                isa->qk_tile(k, d, qt, st, br);
            else
                isa->qk_short(k, d, qt, st, br, cols - j);
        }
}

/* Split-KV: range `split` of the task's keys [*kb, *ke), in whole key blocks; empty when the
 * task has fewer blocks than ranges. */
static void split_range(const flash_state *st, int split, int *kb, int *ke)
{
    const int blocks = (*ke - *kb + st->bc - 1) / st->bc;
    const int per = (blocks + st->splits - 1) / st->splits;
    const int lo = *kb + split * per * st->bc, hi = lo + per * st->bc;
    *kb = lo < *ke ? lo : *ke;
    *ke = hi < *ke ? hi : *ke;
}

/* Split-KV: one range's rows as they stand (running max, sum, unnormalised accumulator). */
static float *part_at(const flash_state *st, long t, int split)
{
    return st->parts + st->part_floats * (size_t)(t * st->splits + split);
}

static void store_part(const flash_state *st, const flash_tile *w, float *part, int rows)
{
    const size_t vec = round_up((size_t)st->br, 16);
    memcpy(part, w->m, sizeof(float) * (size_t)rows);
    memcpy(part + vec, w->l, sizeof(float) * (size_t)rows);
    memcpy(part + 2 * vec, w->acc, sizeof(float) * (size_t)rows * st->dp);
}

/* Split-KV: task t's output rows from its ranges' states. Each range's sum and accumulator
 * are brought to the largest max (scores are in base 2: by 2^(m_s - M)) and summed; a range
 * that saw no key of the row adds nothing, and a row no range saw a key of gives 0, as
 * store_output does. */
static void merge_parts(const flash_state *st, long t, void *o_out)
{
    const attn_problem *p = &st->p;
    const flash_task k = task_at(st, t);
    const size_t vec = round_up((size_t)st->br, 16);
    const int dv = p->head_dim_v;
    float weight[FLASH_MAX_SPLITS];
    for (int i = 0; i < k.rows; i++) {
        float top = -INFINITY, sum = 0.0f;
        for (int s = 0; s < st->splits; s++)
            top = fmaxf(top, part_at(st, t, s)[i]);
        for (int s = 0; s < st->splits; s++) {
            const float *part = part_at(st, t, s);
            /* l = 0: no key of the row in range; NaN (from NaN inputs) flows on, as unsplit */
            weight[s] = part[vec + i] != 0.0f ? exp2f(part[i] - top) : 0.0f;
            sum += weight[s] * part[vec + i];
        }
        const float inv = sum != 0.0f ? 1.0f / sum : 0.0f;
        const size_t o_at = k.o + (size_t)(k.r0 + i) * dv;
        for (int x = 0; x < dv; x++) {
            float acc = 0.0f;
            for (int s = 0; s < st->splits; s++)
                if (weight[s] != 0.0f)
                    acc += weight[s] * part_at(st, t, s)[2 * vec + (size_t)i * st->dp + x];
            if (p->dtype == ATTN_F32)
                ((float *)o_out)[o_at + x] = acc * inv;
            else
                impl_store(p->dtype, o_out, o_at + (size_t)x, acc * inv);
        }
    }
}

/* Task t's rows over its keys (split-KV: over range `split` of them, into its part), in p's
 * dtype. */
static void flash_task_run(const flash_state *st, flash_tile *w, long t, int split,
                           const void *q_in, const void *k_in, const void *v_in, void *o_out)
{
    const flash_task at = task_at(st, t);
    const int g = at.g, r0 = at.r0, rows = at.rows;
    const attn_problem *p = &st->p;
    const flash_isa *isa = st->isa;
    const int d = p->head_dim, dv = p->head_dim_v;
    const int lanes = (int)round_up((size_t)rows, (size_t)(st->dots ? isa->vector : isa->lanes));
    const int extras = p->softcap != 0 || p->alibi != NULL;
    const float c = extras ? p->scale : p->scale * (float)M_LOG2E;

    int k_begin, k_end, all_lo, all_hi;
    rows_setup(st, w, g / p->kv_heads, g, r0, rows, lanes, &k_begin, &k_end, &all_lo, &all_hi);
    if (st->splits > 1)
        split_range(st, split, &k_begin, &k_end);
    const int bf16 = st->bf16_dots;
    if (bf16)
        isa->bf16_queries(p, w, st->br, q_in, at.q + (size_t)r0 * d, rows, lanes);
    else if (st->dots)
        load_query_rows(p, w, q_in, at.q + (size_t)r0 * d, rows, c);
    else
        load_queries(p, w, st->br, q_in, at.q + (size_t)r0 * d, rows, lanes, c);
    memset(w->acc, 0, sizeof(float) * (size_t)rows * st->dp);

    flash_block blk = {.w = w, .d = d, .dv = dv, .br = st->br, .dp = st->dp, .rows = rows,
                       .lanes = lanes, .c = c, .dtype = p->dtype, .streams = st->streams};
    for (int j0 = k_begin; j0 < k_end; j0 += st->bc) {
        blk.cols = k_end - j0 < st->bc ? k_end - j0 : st->bc;
        blk.j0 = j0;
        if (p->dtype == ATTN_F32) {
            blk.k = (const float *)k_in + at.k + (size_t)j0 * d;
            blk.v = (const float *)v_in + at.v + (size_t)j0 * dv;
        } else if (bf16 || st->dots) {
            blk.k16 = (const uint16_t *)k_in + at.k + (size_t)j0 * d;
            blk.v16 = (const uint16_t *)v_in + at.v + (size_t)j0 * dv;
        } else {
            isa->widen(p->dtype, k_in, at.k + (size_t)j0 * d, w->kc, (size_t)blk.cols * d);
            isa->widen(p->dtype, v_in, at.v + (size_t)j0 * dv, w->vc, (size_t)blk.cols * dv);
            blk.k = w->kc;
            blk.v = w->vc;
        }
        if (bf16)
            isa->bf16_scores(&blk);
        else if (st->dots)
            isa->qk_dots(&blk);
        else
            scores(isa, &blk);
        if (extras)
            isa->extras(p, &blk);
        /* Masked only where some row does not see the whole key block. */
        isa->softmax(&blk, j0 < all_lo || j0 + blk.cols > all_hi);
        if (bf16)
            isa->bf16_accumulate(&blk);
        else if (st->dots)
            isa->accumulate_rows(&blk);
        else
            isa->accumulate(&blk);
    }
    if (st->splits > 1)
        store_part(st, w, part_at(st, t, split), rows);
    else
        store_output(p, w, st->dp, o_out, at.o + (size_t)r0 * dv, rows);
}

void flash_describe(const void *state, char *out, size_t len)
{
    const flash_state *st = state;
    const char *sixteen = st->p.dtype == ATTN_F32 ? ""
                          : st->bf16_dots         ? ", bf16 dotted as it lies"
                          : st->dots              ? ", 16-bit read where it lies"
                                                  : ", 16-bit widened a block at a time";
    char split[48] = "";
    if (st->splits > 1)
        snprintf(split, sizeof split, ", split-KV into %d key ranges", st->splits);
    if (st->dots)
        snprintf(out, len, "decode kernels (dot products along d): %d stacked row%s%s, blocks of "
                 "%d keys%s%s", st->rows, st->rows == 1 ? "" : "s",
                 st->streams ? ", keys in address order" : "",
                 st->bc, split, sixteen);
    else
        snprintf(out, len, "micro-tiles: blocks of %d rows x %d keys%s%s", st->br, st->bc, split,
                 sixteen);
}

int flash_run(void *state, const void *q, const void *k, const void *v, void *o)
{
    flash_state *st = state;
    const long units = st->tasks * st->splits;

#pragma omp parallel num_threads(st->n_tiles)
    {
        flash_tile *w = &st->tiles[impl_thread_num()];
#pragma omp for schedule(dynamic)
        for (long u = 0; u < units; u++)
            flash_task_run(st, w, u / st->splits, (int)(u % st->splits), q, k, v, o);
        if (st->splits > 1) {
#pragma omp for schedule(static)
            for (long t = 0; t < st->tasks; t++)
                merge_parts(st, t, o);
        }
    }
    return 0;
}
