/* avx2: flash.h's blocked online softmax with AVX2 and FMA, written like a GEMM micro-kernel.
 * The only file compiled with -mavx2 -mfma; cpu_features.c says at run time whether it may run.
 * flash.c runs the tasks, the rows and the key blocks; the passes over a tile are here:
 *   S^T = K_blk Q_blk^T     micro-tiles of 6 keys x 16 queries: a K element is broadcast (read
 *                           where K lies, no packing), 16 queries of the transposed, pre-scaled
 *                           Q block are loaded, 12 accumulators take the FMAs
 *   online softmax          S^T is key-major, so each query's max and sum over the keys are
 *                           vertical: eight queries per vector, no horizontal reductions
 *   O_acc = alpha O_acc + P V   micro-tiles of 4 queries x 16 head-dim columns: P broadcast,
 *                           V rows loaded where they lie (masked loads on a head_dim tail)
 * With a softcap or ALiBi a pass over each S^T tile caps (tanh_poly.h), biases (slope x
 * distance, eight queries a vector) and turns the scores to base 2, in DESIGN's order.
 *
 * bf16 and f16: each key and value tile is widened to float32 in registers as it is loaded
 * (bf16 by a 16-bit shift of each element, f16 by F16C's vcvtph2ps) into a tile of scratch the
 * micro-kernels then read; flash.c widens the query block as it transposes it and rounds
 * output rows to the dtype as it stores them. Everything between is the float32 kernel.
 * Decode (a few stacked rows) takes flash_decode.h's kernels instead, which read 16-bit K and
 * V where they lie and widen them in registers. */
#include "attn.h"
#include "avx2_exp2.h"
#include "cpu_features.h"
#include "flash.h"
#include "impl_dtype.h"
#include "tanh_poly.h"

#include <immintrin.h>
#include <math.h>

/* Micro-tiles: MR keys x 16 queries for S^T, PV_ROWS queries x 16 columns for P V (two
 * vectors of 8 floats wide). */
enum { MR = 6, PV_ROWS = 4, LANES = 16, VEC = 8 };

/* The kernels below stay out of line (noinline): inlined into the block loop, gcc's register
 * allocator spilled their accumulators (measured: 70 against 86 GFLOP/s at d = 128). */

/* S^T rows [0, nk) x 16 queries: k points at the micro-tile's first key (row-major, stride d),
 * qt and st at its first query column; both have row stride br. For the 6-row tile every
 * accumulator is a named variable: gcc keeps those in registers, where an array indexed in
 * a loop was spilled to the stack on every FMA. */
__attribute__((noinline)) static void qk_tile6(const float *k, int d, const float *qt,
                                               float *st, int br)
{
    __m256 a0 = _mm256_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0;
    __m256 a3 = a0, b3 = a0, a4 = a0, b4 = a0, a5 = a0, b5 = a0;
    const float *k0 = k, *k1 = k + d, *k2 = k + 2 * (size_t)d, *k3 = k + 3 * (size_t)d;
    const float *k4 = k + 4 * (size_t)d, *k5 = k + 5 * (size_t)d;
    for (int x = 0; x < d; x++) {
        const float *qx = qt + (size_t)x * br;
        __m256 q0 = _mm256_load_ps(qx), q1 = _mm256_load_ps(qx + 8), kb;
#define QK_ROW(n)                                    \
        kb = _mm256_broadcast_ss(k##n + x);          \
        a##n = _mm256_fmadd_ps(kb, q0, a##n);        \
        b##n = _mm256_fmadd_ps(kb, q1, b##n);
        QK_ROW(0) QK_ROW(1) QK_ROW(2) QK_ROW(3) QK_ROW(4) QK_ROW(5)
#undef QK_ROW
    }
#define QK_STORE(n)                                           \
    _mm256_store_ps(st + (size_t)(n) * br, a##n);             \
    _mm256_store_ps(st + (size_t)(n) * br + 8, b##n);
    QK_STORE(0) QK_STORE(1) QK_STORE(2) QK_STORE(3) QK_STORE(4) QK_STORE(5)
#undef QK_STORE
}

/* Fewer than 6 keys (the last tile of a block): one key at a time. */
static void qk_tile_short(const float *k, int d, const float *qt, float *st, int br, int nk)
{
    for (int r = 0; r < nk; r++) {
        __m256 a = _mm256_setzero_ps(), b = a;
        for (int x = 0; x < d; x++) {
            __m256 kb = _mm256_broadcast_ss(k + (size_t)r * d + x);
            a = _mm256_fmadd_ps(kb, _mm256_load_ps(qt + (size_t)x * br), a);
            b = _mm256_fmadd_ps(kb, _mm256_load_ps(qt + (size_t)x * br + 8), b);
        }
        _mm256_store_ps(st + (size_t)r * br, a);
        _mm256_store_ps(st + (size_t)r * br + 8, b);
    }
}

/* Lanes [i, i + 8) set where i + lane < limit. */
static __m256i lanes_below(int i, int limit)
{
    __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(i), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(limit), idx);
}

/* Stacked rows per kv head up to which S^T is dot products: measured against the 16-lane
 * micro-tiles on Zen 4 (8 heads, seq_kv 1024 and 8192, d 64 and 128), dots took 0.2-0.7 of the
 * time at 1 and 2 rows, 0.4-0.8 at 4, 0.6-1.0 at 8 and 1.0-1.2 at 16. */
enum { DOT_ROWS = 8 };

/* Eight elements from `from` in dtype, as floats: float32 loaded, bf16 shifted into the high
 * half, f16 by F16C. Inlined where dtype is a constant. */
static inline __attribute__((always_inline)) __m256 load_vec(const void *from, int dtype)
{
    if (dtype == ATTN_F32)
        return _mm256_loadu_ps(from);
    const __m128i h = _mm_loadu_si128(from);
    return dtype == ATTN_F16 ? _mm256_cvtph_ps(h)
                             : _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

/* The n < 8 elements from `from` in dtype, as floats, 0 past n; nothing past them is read. */
static __m256 load_part(const void *from, int n, int dtype)
{
    if (dtype == ATTN_F32)
        return _mm256_maskload_ps(from, lanes_below(0, n));
    float part[8] = {0};
    for (int e = 0; e < n; e++)
        part[e] = impl_load(dtype, from, (size_t)e);
    return _mm256_loadu_ps(part);
}

/* The eight lanes of each of a0..a7 summed: element n of the result is a_n's sum. */
static inline __m256 sum8(__m256 a0, __m256 a1, __m256 a2, __m256 a3, __m256 a4, __m256 a5,
                          __m256 a6, __m256 a7)
{
    const __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    const __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(a4, a5), _mm256_hadd_ps(a6, a7));
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20),
                         _mm256_permute2f128_ps(u0, u1, 0x31));
}

/* The vector vocabulary flash_decode.h's kernels are written in: eight floats. */
typedef __m256 fvec;
#define vec_zero _mm256_setzero_ps
#define vec_set1 _mm256_set1_ps
#define vec_loadu _mm256_loadu_ps
#define vec_load _mm256_load_ps
#define vec_store _mm256_store_ps
#define vec_add _mm256_add_ps
#define vec_mul _mm256_mul_ps
#define vec_fma _mm256_fmadd_ps
#include "flash_decode.h"

/* V columns [x0, x0 + 16) of key row vj: plain loads, or masked ones on the head_dim tail
 * (masked-off lanes read nothing, so the last row of V is never overrun). */
static inline __attribute__((always_inline)) void load_v(const float *vj, __m256i tail0,
                                                         __m256i tail1, const int full,
                                                         __m256 *v0, __m256 *v1)
{
    *v0 = full ? _mm256_loadu_ps(vj) : _mm256_maskload_ps(vj, tail0);
    *v1 = full ? _mm256_loadu_ps(vj + 8) : _mm256_maskload_ps(vj + 8, tail1);
}

/* O_acc rows [0, 4) x 16 columns: scale by alpha, then add P V over `cols` keys. `pt` points
 * at the first query's probability for key 0 (stride br between keys), v at column x0 of key
 * 0 (stride d), acc at the tile (stride dp). Named accumulators, as in qk_tile6. Four rows,
 * not six: with six, gcc 12 spills only a tail mask, but side by side they were no faster
 * (2026-11-30, Zen 4: geomean 0.973 over 8 prefill cases, every one inconclusive). */
static inline __attribute__((always_inline)) void pv_tile4(const float *pt, int br,
                                                           const float *v, int d, float *acc,
                                                           int dp, const float *alpha, int cols,
                                                           __m256i tail0, __m256i tail1,
                                                           const int full)
{
    __m256 a0, b0, a1, b1, a2, b2, a3, b3, s;
#define PV_LOAD(n)                                                         \
    s = _mm256_broadcast_ss(alpha + (n));                                  \
    a##n = _mm256_mul_ps(s, _mm256_load_ps(acc + (size_t)(n) * dp));       \
    b##n = _mm256_mul_ps(s, _mm256_load_ps(acc + (size_t)(n) * dp + 8));
    PV_LOAD(0) PV_LOAD(1) PV_LOAD(2) PV_LOAD(3)
#undef PV_LOAD
    for (int j = 0; j < cols; j++) {
        const float *pj = pt + (size_t)j * br;
        __m256 v0, v1;
        load_v(v + (size_t)j * d, tail0, tail1, full, &v0, &v1);
#define PV_ROW(n)                                    \
        s = _mm256_broadcast_ss(pj + (n));           \
        a##n = _mm256_fmadd_ps(s, v0, a##n);         \
        b##n = _mm256_fmadd_ps(s, v1, b##n);
        PV_ROW(0) PV_ROW(1) PV_ROW(2) PV_ROW(3)
#undef PV_ROW
    }
#define PV_STORE(n)                                                \
    _mm256_store_ps(acc + (size_t)(n) * dp, a##n);                 \
    _mm256_store_ps(acc + (size_t)(n) * dp + 8, b##n);
    PV_STORE(0) PV_STORE(1) PV_STORE(2) PV_STORE(3)
#undef PV_STORE
}

__attribute__((noinline)) static void pv_tile_n(const float *pt, int br, const float *v, int d,
                                                float *acc, int dp, const float *alpha,
                                                int cols, __m256i tail0, __m256i tail1,
                                                int full)
{
    if (full)
        pv_tile4(pt, br, v, d, acc, dp, alpha, cols, tail0, tail1, 1);
    else
        pv_tile4(pt, br, v, d, acc, dp, alpha, cols, tail0, tail1, 0);
}

/* Online softmax over one key block for the query vectors covering `lanes` queries: S^T
 * becomes P^T (under the running max), m and l are updated, alpha says how much to shrink
 * what O_acc held. With `masked`, key j0 + j counts for query i only if lo[i] <= j0 + j <
 * hi[i]. */
__attribute__((noinline)) static void avx2_softmax(const flash_block *blk, int masked)
{
    flash_tile *w = blk->w;
    const int br = blk->br, lanes = blk->lanes, cols = blk->cols, j0 = blk->j0;
    const __m256 neg_inf = _mm256_set1_ps(-INFINITY), zero = _mm256_setzero_ps();
    for (int i = 0; i < lanes; i += 8) {
        __m256i lo = _mm256_load_si256((const __m256i *)(w->lo + i));
        __m256i hi = _mm256_load_si256((const __m256i *)(w->hi + i));
        __m256 tile_max = neg_inf;
        for (int j = 0; j < cols; j++) {
            float *sj = w->st + (size_t)j * br + i;
            __m256 s = _mm256_load_ps(sj);
            if (masked) {
                __m256i key = _mm256_set1_epi32(j0 + j);
                __m256i sees = _mm256_andnot_si256(_mm256_cmpgt_epi32(lo, key),
                                                   _mm256_cmpgt_epi32(hi, key));
                s = _mm256_blendv_ps(neg_inf, s, _mm256_castsi256_ps(sees));
                _mm256_store_ps(sj, s);
            }
            tile_max = _mm256_max_ps(tile_max, s);
        }
        __m256 m_old = _mm256_load_ps(w->m + i);
        __m256 m_new = _mm256_max_ps(m_old, tile_max);
        /* A query that has seen only masked keys keeps max -inf; subtract 0 instead, so its
         * probabilities are exp2(-inf) = 0, not NaN. */
        __m256 m_safe = _mm256_blendv_ps(m_new, zero, _mm256_cmp_ps(m_new, neg_inf, _CMP_EQ_OQ));
        __m256 sum = zero;
        for (int j = 0; j < cols; j++) {
            float *sj = w->st + (size_t)j * br + i;
            __m256 pj = avx2_exp2(_mm256_sub_ps(_mm256_load_ps(sj), m_safe));
            _mm256_store_ps(sj, pj);
            sum = _mm256_add_ps(sum, pj);
        }
        __m256 alpha = avx2_exp2(_mm256_sub_ps(m_old, m_safe));
        _mm256_store_ps(w->alpha + i, alpha);
        _mm256_store_ps(w->l + i, _mm256_fmadd_ps(_mm256_load_ps(w->l + i), alpha, sum));
        _mm256_store_ps(w->m + i, m_new);
    }
}

/* n elements of a 16-bit dtype from src (starting at element at) widened to the floats dst:
 * eight at a time in registers, the rest one by one (never a load past the end). */
static void avx2_widen(int dtype, const void *src, size_t at, float *dst, size_t n)
{
    const uint16_t *h = (const uint16_t *)src + at;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, dtype == ATTN_F16 ? load_vec(h + i, ATTN_F16)
                                                    : load_vec(h + i, ATTN_BF16));
    for (; i < n; i++)
        dst[i] = impl_load(dtype, h, i);
}

/* With a softcap or ALiBi: the tile's scores (key-major, scale applied) capped, biased and
 * turned to base 2, in DESIGN's order, for the `lanes` query columns of keys [j0, j0 + cols). */
__attribute__((noinline)) static void avx2_extras(const attn_problem *p, const flash_block *blk)
{
    const flash_tile *w = blk->w;
    const int br = blk->br, lanes = blk->lanes, cols = blk->cols, j0 = blk->j0;
    const __m256 log2e = _mm256_set1_ps((float)M_LOG2E);
    for (int j = 0; j < cols; j++) {
        float *sj = w->st + (size_t)j * br;
        if (p->softcap != 0) {
            const float cap = p->softcap, inv = 1.0f / p->softcap;
            for (int i = 0; i < lanes; i++)
                sj[i] = cap * tanh_poly(sj[i] * inv);
        }
        const __m256 key = _mm256_set1_ps((float)(j0 + j));
        for (int i = 0; i < lanes; i += 8) {
            __m256 x = _mm256_load_ps(sj + i);
            if (p->alibi != NULL) {   /* slope (j - diag(i)); the distance is exact in float */
                __m256 dist = _mm256_sub_ps(key, _mm256_load_ps(w->diag + i));
                x = _mm256_fmadd_ps(_mm256_load_ps(w->slope + i), dist, x);
            }
            _mm256_store_ps(sj + i, _mm256_mul_ps(x, log2e));
        }
    }
}

/* O_acc = alpha O_acc + P V: four rows by 16 columns at a time (masked loads on the
 * head_dim_v tail), and a block's last rows, fewer than four, one by one. */
static void avx2_accumulate(const flash_block *blk)
{
    const flash_tile *w = blk->w;
    const int dv = blk->dv, br = blk->br, dp = blk->dp, rows = blk->rows;
    const int full_chunks = dv / LANES, tail = dv % LANES;
    const __m256i tail0 = lanes_below(0, tail), tail1 = lanes_below(8, tail);
    int r = 0;
    for (; r + PV_ROWS <= rows; r += PV_ROWS) {
        float *acc = w->acc + (size_t)r * dp;
        for (int xc = 0; xc < full_chunks; xc++)
            pv_tile_n(w->st + r, br, blk->v + xc * LANES, dv, acc + xc * LANES, dp,
                      w->alpha + r, blk->cols, tail0, tail1, 1);
        if (tail)
            pv_tile_n(w->st + r, br, blk->v + full_chunks * LANES, dv,
                      acc + full_chunks * LANES, dp, w->alpha + r, blk->cols, tail0, tail1, 0);
    }
    for (; r < rows; r++)
        pv_row(w->st + r, br, blk->v, dv, w->acc + (size_t)r * dp, dp, w->alpha[r], blk->cols,
               ATTN_F32, 0);
}

/* Rows per block a multiple of 48 (of the 16 lanes and the 4 P V rows; the sizes measured in
 * tile_sizes.c), keys of the 6-key micro-tile. */
static const flash_isa avx2_isa = {
    .lanes = LANES,
    .rows_multiple = 48,
    .keys_multiple = MR,
    .cols = LANES,
    .vector = 8,
    .qk_tile = qk_tile6,
    .qk_short = qk_tile_short,
    .qk_dots = qk_dots,
    .accumulate_rows = decode_accumulate_rows,
    .dot_rows = DOT_ROWS,
    .dot_keys = DOT_KEYS,
    .extras = avx2_extras,
    .softmax = avx2_softmax,
    .accumulate = avx2_accumulate,
    .widen = avx2_widen,
};

static int avx2_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    if (p->dtype == ATTN_F16 && cpu_f16c(why, why_len) != 0)
        return ATTN_UNSUPPORTED;
    return flash_prepare(&avx2_isa, p, state, why, why_len);
}

const attn_impl attn_impl_avx2 = {
    .name = "avx2",
    .summary = "online-softmax tiles, AVX2+FMA register-tiled micro-kernels, exp2 polynomial",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS | ATTN_CAP_BF16 |
            ATTN_CAP_F16 | ATTN_CAP_WINDOW | ATTN_CAP_TOP_LEFT | ATTN_CAP_KV_LEN |
            ATTN_CAP_SOFTCAP | ATTN_CAP_ALIBI | ATTN_CAP_DV,
    .available = cpu_avx2_fma,
    .prepare = avx2_prepare,
    .run = flash_run,
    .release = flash_release,
};
