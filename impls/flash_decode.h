/* flash_decode.h: the decode kernels of flash.h's driver (S^T as dot products along d, P V a
 * row at a time), written once for any vector width and included by each ISA's kernel file
 * (avx2.c, avx512.c), which first defines the vocabulary they are written in:
 *   fvec, VEC                        a vector of floats and its lanes
 *   vec_zero() vec_set1(x) vec_loadu(p) vec_load(p) vec_store(p, x)   (load, store aligned)
 *   vec_add(a, b) vec_mul(a, b) vec_fma(a, b, c)   a + b, a b, a b + c
 *   load_vec(from, dtype)            VEC elements in dtype, as floats
 *   load_part(from, n, dtype)        the n < VEC elements there, 0 past n; nothing past read
 *   sum8(a0, ..., a7)                an __m256 whose element n is the sum of a_n's lanes
 * Every function here is static: each including file gets its own copy, built for its ISA. */
#ifndef FLASH_DECODE_H
#define FLASH_DECODE_H

#include "flash.h"
#include "impl_dtype.h"

/* Keys a dot product step takes at once: eight accumulators, eight chains, enough to cover
 * the FMA latency on two ports. */
enum { DOT_KEYS = 8 };

/* Keys pv_row takes per load and store of the row's accumulator. */
enum { PV_ROW_KEYS = 4 };

/* The block's first key and value rows as they lie: float32's, or the 16-bit ones. */
static inline const void *block_k(const flash_block *blk, int dtype)
{
    return dtype == ATTN_F32 ? (const void *)blk->k : (const void *)blk->k16;
}

static inline const void *block_v(const flash_block *blk, int dtype)
{
    return dtype == ATTN_F32 ? (const void *)blk->v : (const void *)blk->v16;
}

/* q . k for one row against one key in dtype, left as VEC partial sums: two accumulators
 * over d, the tail by partial loads. */
static inline __attribute__((always_inline)) fvec dot_row(const void *kj, const float *qi,
                                                          int d, const int dtype)
{
    const int full = d / VEC * VEC;
    fvec a0 = vec_zero(), a1 = a0;
    int x = 0;
    for (; x + 2 * VEC <= full; x += 2 * VEC) {
        a0 = vec_fma(load_vec(impl_elem_at(kj, (size_t)x, dtype), dtype), vec_loadu(qi + x), a0);
        a1 = vec_fma(load_vec(impl_elem_at(kj, (size_t)x + VEC, dtype), dtype),
                     vec_loadu(qi + x + VEC), a1);
    }
    if (x < full)
        a0 = vec_fma(load_vec(impl_elem_at(kj, (size_t)x, dtype), dtype), vec_loadu(qi + x), a0);
    if (full < d)
        a1 = vec_fma(load_part(impl_elem_at(kj, (size_t)full, dtype), d - full, dtype),
                     load_part(qi + full, d - full, ATTN_F32), a1);
    return vec_add(a0, a1);
}

/* Row i's scores for keys [j, j + n) from the first n sums of sum8's result, into st
 * (key-major, stride br). */
static inline void store_scores(float *st, int br, int j, int i, __m256 sums, int n)
{
    float s[DOT_KEYS];
    _mm256_storeu_ps(s, sums);
    for (int m = 0; m < n; m++)
        st[(size_t)(j + m) * br + i] = s[m];
}

/* The block's last keys, from j (fewer than DOT_KEYS), one at a time for every row. */
static inline __attribute__((always_inline)) void qk_last_keys(const flash_block *blk, int j,
                                                               const int dtype)
{
    const void *k = block_k(blk, dtype);
    const size_t ds = (size_t)blk->d;
    for (; j < blk->cols; j++)
        for (int i = 0; i < blk->rows; i++) {
            const fvec a = dot_row(impl_elem_at(k, (size_t)j * ds, dtype),
                                   blk->w->qt + (size_t)i * ds, blk->d, dtype);
            store_scores(blk->w->st, blk->br, j, i, sum8(a, a, a, a, a, a, a, a), 1);
        }
}

/* flash_decode_streams' S^T: one row against the block's keys in address order, eight keys' sums
 * reduced together. */
static inline __attribute__((always_inline)) void qk_stream_row(const flash_block *blk,
                                                                const int dtype)
{
    const int d = blk->d;
    const void *k = block_k(blk, dtype);
    const float *q = blk->w->qt;
    const size_t ds = (size_t)d;
    int j = 0;
    for (; j + DOT_KEYS <= blk->cols; j += DOT_KEYS) {
        const void *kj = impl_elem_at(k, (size_t)j * ds, dtype);
#define DOT_KEY(n) const fvec s##n = dot_row(impl_elem_at(kj, (n) * ds, dtype), q, d, dtype);
        DOT_KEY(0) DOT_KEY(1) DOT_KEY(2) DOT_KEY(3) DOT_KEY(4) DOT_KEY(5) DOT_KEY(6) DOT_KEY(7)
#undef DOT_KEY
        store_scores(blk->w->st, blk->br, j, 0, sum8(s0, s1, s2, s3, s4, s5, s6, s7), DOT_KEYS);
    }
    qk_last_keys(blk, j, dtype);
}

/* S^T for the block's rows (w->qt: row-major, stride d, scaled) against its keys, into st
 * (key-major, stride br), K read in dtype where it lies: eight keys at a time, VEC floats of
 * d a step in one accumulator per key, the eight sums reduced together, the rows' d tail by a
 * partial load. Keys outermost, so eight keys' rows stay in L1 for every query; each group's
 * rows are prefetched in order first (flash_touch). */
static inline __attribute__((always_inline)) void qk_dots_in(const flash_block *blk,
                                                             const int dtype)
{
    const int d = blk->d, nk = blk->cols, rows = blk->rows, br = blk->br;
    const int full = d / VEC * VEC;
    const void *k = block_k(blk, dtype);
    const float *q = blk->w->qt;
    float *st = blk->w->st;
    const size_t ds = (size_t)d;
    int j = 0;
    for (; j + DOT_KEYS <= nk; j += DOT_KEYS) {
        const void *kj = impl_elem_at(k, (size_t)j * ds, dtype);
        flash_touch(kj, DOT_KEYS * ds * impl_dtype_size(dtype));
        for (int i = 0; i < rows; i++) {
            const float *qi = q + (size_t)i * ds;
            fvec a0 = vec_zero(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            fvec qx;
            for (int x = 0; x < full; x += VEC) {
                qx = vec_loadu(qi + x);
#define DOT_KEY(n) \
    a##n = vec_fma(load_vec(impl_elem_at(kj, (n) * ds + x, dtype), dtype), qx, a##n);
                DOT_KEY(0) DOT_KEY(1) DOT_KEY(2) DOT_KEY(3)
                DOT_KEY(4) DOT_KEY(5) DOT_KEY(6) DOT_KEY(7)
#undef DOT_KEY
            }
            if (full < d) {
                qx = load_part(qi + full, d - full, ATTN_F32);
#define DOT_KEY(n)                                                                          \
    a##n = vec_fma(load_part(impl_elem_at(kj, (n) * ds + full, dtype), d - full, dtype), qx, \
                   a##n);
                DOT_KEY(0) DOT_KEY(1) DOT_KEY(2) DOT_KEY(3)
                DOT_KEY(4) DOT_KEY(5) DOT_KEY(6) DOT_KEY(7)
#undef DOT_KEY
            }
            store_scores(st, br, j, i, sum8(a0, a1, a2, a3, a4, a5, a6, a7), DOT_KEYS);
        }
    }
    qk_last_keys(blk, j, dtype);
}

/* Decode's S^T: flash_decode_streams' one float32 row in address order, or the three dtypes'
 * copies of qk_dots_in, each with its loads inlined. */
__attribute__((noinline)) static void qk_dots(const flash_block *blk)
{
    if (blk->streams)
        qk_stream_row(blk, ATTN_F32);
    else if (blk->dtype == ATTN_BF16)
        qk_dots_in(blk, ATTN_BF16);
    else if (blk->dtype == ATTN_F16)
        qk_dots_in(blk, ATTN_F16);
    else
        qk_dots_in(blk, ATTN_F32);
}

/* One query row over all its columns, keys in order, so V (in dtype, where it lies) streams
 * row after row where a column tile would stride through it. Grouped: each four keys' rows are
 * prefetched in order first, and the row's accumulator, in L1, takes four keys per load and
 * store. With `stream` (flash_decode_streams): a key at a time, no prefetch. pt points at the
 * row's probability for key 0 (stride br), acc at its dp columns (padding past dv stays 0: the
 * partial loads read nothing there). For decode, and for a block's last rows, fewer than its
 * P V micro-tile's. */
static inline __attribute__((always_inline)) void pv_row_in(const float *pt, int br,
                                                            const void *v, int dv, float *acc,
                                                            int dp, float alpha, int cols,
                                                            const int dtype, const int stream)
{
    const int full = dv / VEC * VEC;
    const size_t ds = (size_t)dv;
    const fvec a = vec_set1(alpha);
    for (int x = 0; x < dp; x += VEC)
        vec_store(acc + x, vec_mul(a, vec_load(acc + x)));
    int j = 0;
    for (; j + PV_ROW_KEYS <= cols && !stream; j += PV_ROW_KEYS) {
        const void *vj = impl_elem_at(v, (size_t)j * ds, dtype);
        flash_touch(vj, PV_ROW_KEYS * ds * impl_dtype_size(dtype));
        const fvec p0 = vec_set1(pt[(size_t)j * br]);
        const fvec p1 = vec_set1(pt[(size_t)(j + 1) * br]);
        const fvec p2 = vec_set1(pt[(size_t)(j + 2) * br]);
        const fvec p3 = vec_set1(pt[(size_t)(j + 3) * br]);
        int x = 0;
        for (; x < full; x += VEC) {
            fvec s = vec_load(acc + x);
            s = vec_fma(p0, load_vec(impl_elem_at(vj, (size_t)x, dtype), dtype), s);
            s = vec_fma(p1, load_vec(impl_elem_at(vj, ds + x, dtype), dtype), s);
            s = vec_fma(p2, load_vec(impl_elem_at(vj, 2 * ds + x, dtype), dtype), s);
            s = vec_fma(p3, load_vec(impl_elem_at(vj, 3 * ds + x, dtype), dtype), s);
            vec_store(acc + x, s);
        }
        if (x < dv) {
            const int n = dv - x;
            fvec s = vec_load(acc + x);
            s = vec_fma(p0, load_part(impl_elem_at(vj, (size_t)x, dtype), n, dtype), s);
            s = vec_fma(p1, load_part(impl_elem_at(vj, ds + x, dtype), n, dtype), s);
            s = vec_fma(p2, load_part(impl_elem_at(vj, 2 * ds + x, dtype), n, dtype), s);
            s = vec_fma(p3, load_part(impl_elem_at(vj, 3 * ds + x, dtype), n, dtype), s);
            vec_store(acc + x, s);
        }
    }
    for (; j < cols; j++) {
        const void *vj = impl_elem_at(v, (size_t)j * ds, dtype);
        const fvec pj = vec_set1(pt[(size_t)j * br]);
        for (int x = 0; x < dv; x += VEC) {
            const void *vx = impl_elem_at(vj, (size_t)x, dtype);
            const fvec vv = x < full ? load_vec(vx, dtype) : load_part(vx, dv - x, dtype);
            vec_store(acc + x, vec_fma(pj, vv, vec_load(acc + x)));
        }
    }
}

/* The three dtypes' copies of pv_row_in, and float32's in address order (streams). */
__attribute__((noinline)) static void pv_row(const float *pt, int br, const void *v, int dv,
                                             float *acc, int dp, float alpha, int cols, int dtype,
                                             int stream)
{
    if (dtype == ATTN_BF16)
        pv_row_in(pt, br, v, dv, acc, dp, alpha, cols, ATTN_BF16, 0);
    else if (dtype == ATTN_F16)
        pv_row_in(pt, br, v, dv, acc, dp, alpha, cols, ATTN_F16, 0);
    else if (stream)
        pv_row_in(pt, br, v, dv, acc, dp, alpha, cols, ATTN_F32, 1);
    else
        pv_row_in(pt, br, v, dv, acc, dp, alpha, cols, ATTN_F32, 0);
}

/* Decode's O_acc = alpha O_acc + P V: every row by pv_row, V as it lies. */
static void decode_accumulate_rows(const flash_block *blk)
{
    const flash_tile *w = blk->w;
    const void *v = block_v(blk, blk->dtype);
    for (int r = 0; r < blk->rows; r++)
        pv_row(w->st + r, blk->br, v, blk->dv, w->acc + (size_t)r * blk->dp, blk->dp,
               w->alpha[r], blk->cols, blk->dtype, blk->streams);
}

#endif
