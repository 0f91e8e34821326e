/* avx512: flash.h's blocked online softmax with AVX-512F, sized for 32 zmm registers. The only
 * kernel file compiled with -mavx512f; cpu_features.c says at run time whether it may run
 * (CPUID, and the ZMM and opmask state in XCR0). flash.c runs the tasks, rows and key blocks;
 * the passes over a tile are here:
 *   S^T = K_blk Q_blk^T     micro-tiles of 12 keys x 32 queries: a K element is broadcast,
 *                           32 queries of the transposed, pre-scaled Q block are two loads,
 *                           24 accumulators take the FMAs
 *   online softmax          key-major, so sixteen queries' max and sum per vector, vertical;
 *                           a mask per query (opmask compares) only on blocks that need one
 *   O_acc = alpha O_acc + P V   micro-tiles of 8 queries x 32 head-dim columns: P broadcast,
 *                           V rows loaded where they lie, opmask loads on the head_dim_v tail
 * The exponential is avx512_exp2.h's, the softcap's tanh tanh_poly.h's (vectorised by gcc).
 *
 * bf16 where the CPU has AVX512_BF16 (Zen 4, Sapphire Rapids): vdpbf16ps dots pairs of bf16
 * into float32 lanes, so Q K^T and P V run on bf16 as it lies, at twice the products per
 * instruction. Q^T is laid out in pairs along d and K's pairs are broadcast from where they
 * lie; the scores are scaled as they are stored (bf16 cannot hold scale x q exactly); P is
 * rounded to bf16 (as FlashAttention does, and DESIGN's honest bf16 arithmetic) and paired
 * along keys in place, V repacked in key pairs once per block. The softmax between is the
 * float32 one.
 * f16, and bf16 without AVX512_BF16: key and value tiles are widened in registers as they are
 * loaded (bf16 by a 16-bit shift, f16 by vcvtph2ps, both AVX-512F) into scratch the float32
 * micro-kernels read, as in avx2.c. Decode takes flash_decode.h's kernels, in every dtype. */
#include "attn.h"
#include "avx512_exp2.h"
#include "avx512_simd.h"
#include "cpu_features.h"
#include "flash.h"
#include "impl_dtype.h"
#include "tanh_poly.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Micro-tiles: MR keys x LANES queries for S^T, PV_ROWS queries x COLS columns for P V (two
 * vectors of 16 floats wide each). */
enum { MR = 12, PV_ROWS = 8, LANES = 32, COLS = 32, VEC = 16 };

/* The first n of 16 lanes, as an opmask. */
static __mmask16 first_lanes(int n)
{
    return n >= VEC ? (__mmask16)0xffff : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1);
}

/* S^T rows [0, 12) x 32 queries: k points at the micro-tile's first key (row-major, stride d),
 * qt and st at its first query column, both with row stride br. Named accumulators, which gcc
 * keeps in registers (avx2.c measured an indexed array spilled). */
__attribute__((noinline)) static void qk_tile12(const float *k, int d, const float *qt,
                                                float *st, int br)
{
    __m512 a0 = _mm512_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0;
    __m512 b3 = a0, a4 = a0, b4 = a0, a5 = a0, b5 = a0, a6 = a0, b6 = a0, a7 = a0, b7 = a0;
    __m512 a8 = a0, b8 = a0, a9 = a0, b9 = a0, a10 = a0, b10 = a0, a11 = a0, b11 = a0;
    const size_t ds = (size_t)d;
    for (int x = 0; x < d; x++) {
        const float *qx = qt + (size_t)x * br, *kx = k + x;
        __m512 q0 = _mm512_load_ps(qx), q1 = _mm512_load_ps(qx + VEC), kb;
#define QK_ROW(n)                                    \
        kb = _mm512_set1_ps(kx[(n) * ds]);           \
        a##n = _mm512_fmadd_ps(kb, q0, a##n);        \
        b##n = _mm512_fmadd_ps(kb, q1, b##n);
        QK_ROW(0) QK_ROW(1) QK_ROW(2) QK_ROW(3) QK_ROW(4) QK_ROW(5)
        QK_ROW(6) QK_ROW(7) QK_ROW(8) QK_ROW(9) QK_ROW(10) QK_ROW(11)
#undef QK_ROW
    }
#define QK_STORE(n)                                           \
    _mm512_store_ps(st + (size_t)(n) * br, a##n);             \
    _mm512_store_ps(st + (size_t)(n) * br + VEC, b##n);
    QK_STORE(0) QK_STORE(1) QK_STORE(2) QK_STORE(3) QK_STORE(4) QK_STORE(5)
    QK_STORE(6) QK_STORE(7) QK_STORE(8) QK_STORE(9) QK_STORE(10) QK_STORE(11)
#undef QK_STORE
}

/* Fewer than 12 keys (the last tile of a block): one key at a time. */
static void qk_tile_short(const float *k, int d, const float *qt, float *st, int br, int nk)
{
    for (int r = 0; r < nk; r++) {
        __m512 a = _mm512_setzero_ps(), b = a;
        for (int x = 0; x < d; x++) {
            __m512 kb = _mm512_set1_ps(k[(size_t)r * d + x]);
            a = _mm512_fmadd_ps(kb, _mm512_load_ps(qt + (size_t)x * br), a);
            b = _mm512_fmadd_ps(kb, _mm512_load_ps(qt + (size_t)x * br + VEC), b);
        }
        _mm512_store_ps(st + (size_t)r * br, a);
        _mm512_store_ps(st + (size_t)r * br + VEC, b);
    }
}

/* Stacked rows per kv head up to which S^T is dot products. avx2's crossover, measured, is 8
 * rows of its 16-lane micro-tiles; here the tiles are 32 lanes wide, so the same share is 16
 * (not measured: no machine here has run this kernel natively). */
enum { DOT_ROWS = 16 };

/* Sixteen elements from `from` in dtype, as floats: float32 loaded, bf16 shifted into the
 * high half, f16 by vcvtph2ps. Inlined where dtype is a constant. */
static inline __attribute__((always_inline)) __m512 load_vec(const void *from, int dtype)
{
    if (dtype == ATTN_F32)
        return _mm512_loadu_ps(from);
    const __m256i h = _mm256_loadu_si256(from);
    return dtype == ATTN_F16
               ? _mm512_cvtph_ps(h)
               : _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

/* The n < 16 elements from `from` in dtype, as floats, 0 past n; nothing past them is read
 * (AVX-512F has no 16-bit masked load: those go one at a time). */
static __m512 load_part(const void *from, int n, int dtype)
{
    if (dtype == ATTN_F32)
        return _mm512_maskz_loadu_ps(first_lanes(n), from);
    float part[VEC] = {0};
    for (int e = 0; e < n; e++)
        part[e] = impl_load(dtype, from, (size_t)e);
    return _mm512_loadu_ps(part);
}

/* The sixteen lanes of a zmm folded to eight. */
static inline __m256 fold16(__m512 a)
{
    return _mm256_add_ps(_mm512_castps512_ps256(a),
                         _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
}

/* The lanes of each of a0..a7 summed: element n of the result is a_n's sum. */
static inline __m256 sum8(__m512 a0, __m512 a1, __m512 a2, __m512 a3, __m512 a4, __m512 a5,
                          __m512 a6, __m512 a7)
{
    const __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(fold16(a0), fold16(a1)),
                                     _mm256_hadd_ps(fold16(a2), fold16(a3)));
    const __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(fold16(a4), fold16(a5)),
                                     _mm256_hadd_ps(fold16(a6), fold16(a7)));
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20),
                         _mm256_permute2f128_ps(u0, u1, 0x31));
}

/* The vector vocabulary flash_decode.h's kernels are written in: sixteen floats. */
typedef __m512 fvec;
#define vec_zero _mm512_setzero_ps
#define vec_set1 _mm512_set1_ps
#define vec_loadu _mm512_loadu_ps
#define vec_load _mm512_load_ps
#define vec_store _mm512_store_ps
#define vec_add _mm512_add_ps
#define vec_mul _mm512_mul_ps
#define vec_fma _mm512_fmadd_ps
#include "flash_decode.h"

/* V columns [0, 32) of one key row: m0 and m1 say which exist (all, but on the head_dim_v
 * tail); masked-off lanes read nothing, so V's last row is never overrun. */
#define LOAD_V(vj)                                      \
    __m512 v0 = _mm512_maskz_loadu_ps(m0, (vj));        \
    __m512 v1 = _mm512_maskz_loadu_ps(m1, (vj) + VEC);

/* The 8 x 32 accumulator tile of the P V kernels (float32 and bf16), rows a0/b0 .. a7/b7 held
 * in named registers: loaded from acc (stride dp) and scaled by alpha, then stored back. */
#define PV_LOAD(n)                                                         \
    s = _mm512_set1_ps(alpha[n]);                                          \
    a##n = _mm512_mul_ps(s, _mm512_load_ps(acc + (size_t)(n) * dp));       \
    b##n = _mm512_mul_ps(s, _mm512_load_ps(acc + (size_t)(n) * dp + VEC));
#define PV_STORE(n)                                                \
    _mm512_store_ps(acc + (size_t)(n) * dp, a##n);                 \
    _mm512_store_ps(acc + (size_t)(n) * dp + VEC, b##n);
#define PV_LOAD_ALL                                                                         \
    PV_LOAD(0) PV_LOAD(1) PV_LOAD(2) PV_LOAD(3) PV_LOAD(4) PV_LOAD(5) PV_LOAD(6) PV_LOAD(7)
#define PV_STORE_ALL                                                                        \
    PV_STORE(0) PV_STORE(1) PV_STORE(2) PV_STORE(3) PV_STORE(4) PV_STORE(5) PV_STORE(6)     \
    PV_STORE(7)

/* O_acc rows [0, 8) x 32 columns: scale by alpha, then add P V over `cols` keys. pt points at
 * the first query's probability for key 0 (stride br between keys), v at the first column of
 * key 0 (stride dv), acc at the tile (stride dp). Named accumulators: with arrays, gcc stored
 * all 16 to the stack on every key (seen in its assembly). */
static inline __attribute__((always_inline)) void pv_tile8(const float *pt, int br,
                                                           const float *v, int dv, float *acc,
                                                           int dp, const float *alpha, int cols,
                                                           __mmask16 m0, __mmask16 m1)
{
    __m512 a0, b0, a1, b1, a2, b2, a3, b3, a4, b4, a5, b5, a6, b6, a7, b7, s;
    PV_LOAD_ALL
    for (int j = 0; j < cols; j++) {
        const float *pj = pt + (size_t)j * br;
        LOAD_V(v + (size_t)j * dv)
#define PV_ROW(n)                                    \
        s = _mm512_set1_ps(pj[n]);                   \
        a##n = _mm512_fmadd_ps(s, v0, a##n);         \
        b##n = _mm512_fmadd_ps(s, v1, b##n);
        PV_ROW(0) PV_ROW(1) PV_ROW(2) PV_ROW(3) PV_ROW(4) PV_ROW(5) PV_ROW(6) PV_ROW(7)
#undef PV_ROW
    }
    PV_STORE_ALL
}

#undef LOAD_V

__attribute__((noinline)) static void pv_tile_n(const float *pt, int br, const float *v, int dv,
                                                float *acc, int dp, const float *alpha,
                                                int cols, __mmask16 m0, __mmask16 m1)
{
    pv_tile8(pt, br, v, dv, acc, dp, alpha, cols, m0, m1);
}

/* O_acc = alpha O_acc + P V: eight rows by 32 columns at a time, and a block's last rows,
 * fewer than eight, one by one. */
static void avx512_accumulate(const flash_block *blk)
{
    const flash_tile *w = blk->w;
    const int dv = blk->dv, br = blk->br, dp = blk->dp, rows = blk->rows;
    int r = 0;
    for (; r + PV_ROWS <= rows; r += PV_ROWS)
        for (int x0 = 0; x0 < dv; x0 += COLS) {
            const __mmask16 m0 = first_lanes(dv - x0), m1 = first_lanes(dv - x0 - VEC);
            pv_tile_n(w->st + r, br, blk->v + x0, dv, w->acc + (size_t)r * dp + x0, dp,
                      w->alpha + r, blk->cols, m0, m1);
        }
    for (; r < rows; r++)
        pv_row(w->st + r, br, blk->v, dv, w->acc + (size_t)r * dp, dp, w->alpha[r], blk->cols,
               ATTN_F32, 0);
}

/* Online softmax over one key block, sixteen queries a vector: S^T becomes P^T under the
 * running max, m and l move, alpha says how much to shrink what O_acc held. With `masked`,
 * key j0 + j counts for query i only if lo[i] <= j0 + j < hi[i]. */
__attribute__((noinline)) static void avx512_softmax(const flash_block *blk, int masked)
{
    flash_tile *w = blk->w;
    const int br = blk->br, cols = blk->cols, j0 = blk->j0;
    const __m512 neg_inf = _mm512_set1_ps(-INFINITY), zero = _mm512_setzero_ps();
    for (int i = 0; i < blk->lanes; i += VEC) {
        const __m512i lo = _mm512_load_si512((const void *)(w->lo + i));
        const __m512i hi = _mm512_load_si512((const void *)(w->hi + i));
        __m512 tile_max = neg_inf;
        for (int j = 0; j < cols; j++) {
            float *sj = w->st + (size_t)j * br + i;
            __m512 s = _mm512_load_ps(sj);
            if (masked) {
                const __m512i key = _mm512_set1_epi32(j0 + j);
                const __mmask16 sees =
                    _mm512_cmple_epi32_mask(lo, key) & _mm512_cmpgt_epi32_mask(hi, key);
                s = _mm512_mask_blend_ps(sees, neg_inf, s);
                _mm512_store_ps(sj, s);
            }
            tile_max = _mm512_max_ps(tile_max, s);
        }
        const __m512 m_old = _mm512_load_ps(w->m + i);
        const __m512 m_new = _mm512_max_ps(m_old, tile_max);
        /* A query that has seen only masked keys keeps max -inf; subtract 0 instead, so its
         * probabilities are exp2(-inf) = 0, not NaN. */
        const __m512 m_safe = _mm512_mask_blend_ps(
            _mm512_cmp_ps_mask(m_new, neg_inf, _CMP_EQ_OQ), m_new, zero);
        __m512 sum = zero;
        for (int j = 0; j < cols; j++) {
            float *sj = w->st + (size_t)j * br + i;
            __m512 pj = avx512_exp2(_mm512_sub_ps(_mm512_load_ps(sj), m_safe));
            _mm512_store_ps(sj, pj);
            sum = _mm512_add_ps(sum, pj);
        }
        const __m512 alpha = avx512_exp2(_mm512_sub_ps(m_old, m_safe));
        _mm512_store_ps(w->alpha + i, alpha);
        _mm512_store_ps(w->l + i, _mm512_fmadd_ps(_mm512_load_ps(w->l + i), alpha, sum));
        _mm512_store_ps(w->m + i, m_new);
    }
}

/* With a softcap or ALiBi: the tile's scores (key-major, scale applied) capped, biased and
 * turned to base 2, in DESIGN's order. */
__attribute__((noinline)) static void avx512_extras(const attn_problem *p, const flash_block *blk)
{
    const flash_tile *w = blk->w;
    const __m512 log2e = _mm512_set1_ps((float)M_LOG2E);
    for (int j = 0; j < blk->cols; j++) {
        float *sj = w->st + (size_t)j * blk->br;
        if (p->softcap != 0) {
            const float cap = p->softcap, inv = 1.0f / p->softcap;
            for (int i = 0; i < blk->lanes; i++)
                sj[i] = cap * tanh_poly(sj[i] * inv);
        }
        const __m512 key = _mm512_set1_ps((float)(blk->j0 + j));
        for (int i = 0; i < blk->lanes; i += VEC) {
            __m512 x = _mm512_load_ps(sj + i);
            if (p->alibi != NULL) {   /* slope (j - diag(i)); the distance is exact in float */
                __m512 dist = _mm512_sub_ps(key, _mm512_load_ps(w->diag + i));
                x = _mm512_fmadd_ps(_mm512_load_ps(w->slope + i), dist, x);
            }
            _mm512_store_ps(sj + i, _mm512_mul_ps(x, log2e));
        }
    }
}

/* n elements of a 16-bit dtype from src (starting at element at) widened to the floats dst:
 * sixteen at a time in registers, the rest one by one (never a load past the end). */
static void avx512_widen(int dtype, const void *src, size_t at, float *dst, size_t n)
{
    const uint16_t *h = (const uint16_t *)src + at;
    size_t i = 0;
    for (; i + VEC <= n; i += VEC)
        _mm512_storeu_ps(dst + i, dtype == ATTN_F16 ? load_vec(h + i, ATTN_F16)
                                                    : load_vec(h + i, ATTN_BF16));
    for (; i < n; i++)
        dst[i] = impl_load(dtype, h, i);
}

/* ---- bf16 as it lies, on AVX512_BF16: vdpbf16ps dots pairs of bf16 into float32 lanes. ---- */

/* The query block in bf16 pairs along d: qt[xp * br + i] holds q[i][2 xp] in its low half and
 * q[i][2 xp + 1] (0 past d) in its high half; padding lanes 0. Unscaled: bf16 cannot hold
 * scale x q without rounding it again, so the scores are scaled as they are stored. */
static void avx512_bf16_queries(const attn_problem *p, flash_tile *w, int br, const void *q_in,
                                size_t at, int rows, int lanes)
{
    const int d = p->head_dim;
    const uint16_t *q = (const uint16_t *)q_in + at;
    uint32_t *qt = (uint32_t *)(void *)w->qt;
    for (int xp = 0; xp < (d + 1) / 2; xp++)
        for (int i = 0; i < lanes; i++) {
            uint32_t lo = 0, hi = 0;
            if (i < rows) {
                lo = q[(size_t)i * d + 2 * xp];
                hi = 2 * xp + 1 < d ? q[(size_t)i * d + 2 * xp + 1] : 0;
            }
            qt[(size_t)xp * br + i] = hi << 16 | lo;
        }
}

/* Two adjacent bf16 as one 32-bit lane, the first low; with `last`, the second is past the
 * row's end and reads as 0. */
static inline uint32_t bf16_pair(const uint16_t *at, int last)
{
    uint32_t u = at[0];
    if (!last) {
        memcpy(&u, at, sizeof u);   /* little-endian: at[0] low, at[1] high */
    }
    return u;
}

/* S^T rows [0, 12) x 32 queries from bf16 keys (k at the tile's first, stride d) and the
 * paired query block (qt at its first lane, stride br), times c. */
AVX512_BF16_FN __attribute__((noinline)) static void qk_bf16_tile12(const uint16_t *k, int d,
                                                                    const uint32_t *qt,
                                                                    float *st, int br, float c)
{
    __m512 a0 = _mm512_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0;
    __m512 b3 = a0, a4 = a0, b4 = a0, a5 = a0, b5 = a0, a6 = a0, b6 = a0, a7 = a0, b7 = a0;
    __m512 a8 = a0, b8 = a0, a9 = a0, b9 = a0, a10 = a0, b10 = a0, a11 = a0, b11 = a0;
    const size_t ds = (size_t)d;
    for (int xp = 0; xp < (d + 1) / 2; xp++) {
        const int last = 2 * xp + 1 == d;   /* an odd d's last element pairs with 0 */
        const uint32_t *qx = qt + (size_t)xp * br;
        const uint16_t *kx = k + 2 * xp;
        __m512bh q0 = avx512_as_bh(_mm512_load_si512((const void *)qx));
        __m512bh q1 = avx512_as_bh(_mm512_load_si512((const void *)(qx + VEC))), kb;
#define QK_ROW(n)                                                                    \
        kb = avx512_as_bh(_mm512_set1_epi32((int)bf16_pair(kx + (n) * ds, last)));  \
        a##n = _mm512_dpbf16_ps(a##n, kb, q0);                                       \
        b##n = _mm512_dpbf16_ps(b##n, kb, q1);
        QK_ROW(0) QK_ROW(1) QK_ROW(2) QK_ROW(3) QK_ROW(4) QK_ROW(5)
        QK_ROW(6) QK_ROW(7) QK_ROW(8) QK_ROW(9) QK_ROW(10) QK_ROW(11)
#undef QK_ROW
    }
    const __m512 cv = _mm512_set1_ps(c);
#define QK_STORE(n)                                                           \
    _mm512_store_ps(st + (size_t)(n) * br, _mm512_mul_ps(a##n, cv));          \
    _mm512_store_ps(st + (size_t)(n) * br + VEC, _mm512_mul_ps(b##n, cv));
    QK_STORE(0) QK_STORE(1) QK_STORE(2) QK_STORE(3) QK_STORE(4) QK_STORE(5)
    QK_STORE(6) QK_STORE(7) QK_STORE(8) QK_STORE(9) QK_STORE(10) QK_STORE(11)
#undef QK_STORE
}

/* Fewer than 12 keys: one at a time. */
AVX512_BF16_FN static void qk_bf16_short(const uint16_t *k, int d, const uint32_t *qt,
                                         float *st, int br, float c, int nk)
{
    for (int r = 0; r < nk; r++) {
        __m512 a = _mm512_setzero_ps(), b = a;
        for (int xp = 0; xp < (d + 1) / 2; xp++) {
            const uint32_t *qx = qt + (size_t)xp * br;
            __m512bh kb = avx512_as_bh(
                _mm512_set1_epi32((int)bf16_pair(k + (size_t)r * d + 2 * xp, 2 * xp + 1 == d)));
            a = _mm512_dpbf16_ps(a, kb, avx512_as_bh(_mm512_load_si512((const void *)qx)));
            b = _mm512_dpbf16_ps(b, kb, avx512_as_bh(_mm512_load_si512((const void *)(qx + VEC))));
        }
        _mm512_store_ps(st + (size_t)r * br, _mm512_mul_ps(a, _mm512_set1_ps(c)));
        _mm512_store_ps(st + (size_t)r * br + VEC, _mm512_mul_ps(b, _mm512_set1_ps(c)));
    }
}

static void avx512_bf16_scores(const flash_block *blk)
{
    const int d = blk->d, br = blk->br, cols = blk->cols;
    const uint32_t *qt = (const uint32_t *)(const void *)blk->w->qt;
    for (int i = 0; i < blk->lanes; i += LANES)
        for (int j = 0; j < cols; j += MR) {
            const uint16_t *k = blk->k16 + (size_t)j * d;
            float *st = blk->w->st + (size_t)j * br + i;
            if (cols - j >= MR)
                qk_bf16_tile12(k, d, qt + i, st, br, blk->c);
            else
                qk_bf16_short(k, d, qt + i, st, br, blk->c, cols - j);
        }
}

/* Sixteen floats rounded to bf16 (to nearest, ties to even; probabilities are finite), in the
 * low half of each lane. */
static inline __m512i round_to_bf16(__m512 x)
{
    const __m512i bits = _mm512_castps_si512(x);
    const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
    const __m512i bias = _mm512_add_epi32(odd, _mm512_set1_epi32(0x7fff));
    return _mm512_srli_epi32(_mm512_add_epi32(bits, bias), 16);
}

/* P^T (float, key-major, in st) rounded to bf16 and paired along keys, in place: row jp of st
 * becomes p[2 jp] (low) and p[2 jp + 1] (high; 0 past the block) for every lane. Row jp is
 * written only after rows 2 jp and 2 jp + 1, never before them, are read. */
static void pair_probabilities(const flash_block *blk)
{
    float *st = blk->w->st;
    const size_t br = (size_t)blk->br;
    for (int jp = 0; jp < (blk->cols + 1) / 2; jp++)
        for (int i = 0; i < blk->lanes; i += VEC) {
            const __m512i lo = round_to_bf16(_mm512_load_ps(st + 2 * jp * br + i));
            const __m512i hi = 2 * jp + 1 < blk->cols
                                   ? round_to_bf16(_mm512_load_ps(st + (2 * jp + 1) * br + i))
                                   : _mm512_setzero_si512();
            _mm512_store_si512((void *)(st + jp * br + i),
                               _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
        }
}

/* The block's V in bf16 pairs along keys, into w->vc with row stride dp: v[2 jp][x] low,
 * v[2 jp + 1][x] high, 0 past the block's keys and past d_v. */
static void pair_values(const flash_block *blk)
{
    uint32_t *vp = (uint32_t *)(void *)blk->w->vc;
    const int dv = blk->dv, dp = blk->dp;
    for (int jp = 0; jp < (blk->cols + 1) / 2; jp++) {
        const uint16_t *v0 = blk->v16 + (size_t)2 * jp * dv;
        const int has_hi = 2 * jp + 1 < blk->cols;
        uint32_t *row = vp + (size_t)jp * dp;
        for (int x = 0; x < dv; x++)
            row[x] = (has_hi ? (uint32_t)v0[dv + x] << 16 : 0u) | v0[x];
        for (int x = dv; x < dp; x++)
            row[x] = 0;
    }
}

/* O_acc rows [0, 8) (or nq < 8, one at a time) x 32 columns += P V over `pairs` key pairs:
 * pp the paired probabilities at the first row (stride br), vp the paired values at the first
 * column (stride dp), acc the tile (stride dp), after scaling by alpha. */
AVX512_BF16_FN __attribute__((noinline)) static void pv_bf16_tile(const uint32_t *pp, int br,
                                                                  const uint32_t *vp, int dp,
                                                                  float *acc, const float *alpha,
                                                                  int pairs, int nq)
{
    if (nq < PV_ROWS) {
        for (int r = 0; r < nq; r++) {
            __m512 s = _mm512_set1_ps(alpha[r]);
            __m512 a = _mm512_mul_ps(s, _mm512_load_ps(acc + (size_t)r * dp));
            __m512 b = _mm512_mul_ps(s, _mm512_load_ps(acc + (size_t)r * dp + VEC));
            for (int jp = 0; jp < pairs; jp++) {
                const uint32_t *vj = vp + (size_t)jp * dp;
                __m512bh pb = avx512_as_bh(_mm512_set1_epi32((int)pp[(size_t)jp * br + r]));
                const __m512i v0 = _mm512_load_si512((const void *)vj);
                const __m512i v1 = _mm512_load_si512((const void *)(vj + VEC));
                a = _mm512_dpbf16_ps(a, pb, avx512_as_bh(v0));
                b = _mm512_dpbf16_ps(b, pb, avx512_as_bh(v1));
            }
            _mm512_store_ps(acc + (size_t)r * dp, a);
            _mm512_store_ps(acc + (size_t)r * dp + VEC, b);
        }
        return;
    }
    __m512 a0, b0, a1, b1, a2, b2, a3, b3, a4, b4, a5, b5, a6, b6, a7, b7, s;
    PV_LOAD_ALL
    for (int jp = 0; jp < pairs; jp++) {
        const uint32_t *pj = pp + (size_t)jp * br, *vj = vp + (size_t)jp * dp;
        const __m512bh v0 = avx512_as_bh(_mm512_load_si512((const void *)vj));
        const __m512bh v1 = avx512_as_bh(_mm512_load_si512((const void *)(vj + VEC)));
        __m512bh pb;
#define PV_ROW(n)                                                  \
        pb = avx512_as_bh(_mm512_set1_epi32((int)pj[n]));          \
        a##n = _mm512_dpbf16_ps(a##n, pb, v0);                     \
        b##n = _mm512_dpbf16_ps(b##n, pb, v1);
        PV_ROW(0) PV_ROW(1) PV_ROW(2) PV_ROW(3) PV_ROW(4) PV_ROW(5) PV_ROW(6) PV_ROW(7)
#undef PV_ROW
    }
    PV_STORE_ALL
}

static void avx512_bf16_accumulate(const flash_block *blk)
{
    pair_probabilities(blk);
    pair_values(blk);
    const flash_tile *w = blk->w;
    const uint32_t *pp = (const uint32_t *)(const void *)w->st;
    const uint32_t *vp = (const uint32_t *)(const void *)w->vc;
    const int dp = blk->dp, pairs = (blk->cols + 1) / 2;
    for (int r = 0; r < blk->rows; r += PV_ROWS) {
        const int nq = blk->rows - r < PV_ROWS ? blk->rows - r : PV_ROWS;
        for (int x0 = 0; x0 < blk->dv; x0 += COLS)
            pv_bf16_tile(pp + r, blk->br, vp + x0, dp, w->acc + (size_t)r * dp + x0,
                         w->alpha + r, pairs, nq);
    }
}

/* Rows per block a multiple of the 32 lanes (and so of the 8 P V rows), keys of the 12-key
 * micro-tile; tile_sizes.c fits them to the caches. */
#define AVX512_ISA                  \
    .lanes = LANES,                 \
    .rows_multiple = LANES,         \
    .keys_multiple = MR,            \
    .cols = COLS,                   \
    .vector = VEC,                  \
    .qk_tile = qk_tile12,           \
    .qk_short = qk_tile_short,      \
    .qk_dots = qk_dots,             \
    .accumulate_rows = decode_accumulate_rows, \
    .dot_rows = DOT_ROWS,           \
    .dot_keys = DOT_KEYS,           \
    .extras = avx512_extras,        \
    .softmax = avx512_softmax,      \
    .accumulate = avx512_accumulate, \
    .widen = avx512_widen
static const flash_isa avx512_isa = {AVX512_ISA};
/* The same, with bf16 dotted as it lies where the CPU has AVX512_BF16. */
static const flash_isa avx512_bf16_isa = {AVX512_ISA, .bf16_queries = avx512_bf16_queries,
                                          .bf16_scores = avx512_bf16_scores,
                                          .bf16_accumulate = avx512_bf16_accumulate};
#undef AVX512_ISA

#ifdef ATTN_AVX512_EMULATED
/* SIMDe has vdpbf16ps on every machine: the bf16 kernels run unless the mask hides them. */
static int bf16_dots_here(char *why, size_t why_len)
{
    return cpu_masked("avx512_bf16", why, why_len);
}
#else
#define bf16_dots_here cpu_avx512_bf16
#endif

static int avx512_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    char no[128];
    const int dots = p->dtype == ATTN_BF16 && bf16_dots_here(no, sizeof no) == 0;
    return flash_prepare(dots ? &avx512_bf16_isa : &avx512_isa, p, state, why, why_len);
}

const attn_impl attn_impl_avx512 = {
    .name = "avx512",
    .summary = "online-softmax tiles, AVX-512F register-tiled micro-kernels, exp2 by vscalefps",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS | ATTN_CAP_BF16 |
            ATTN_CAP_F16 | ATTN_CAP_WINDOW | ATTN_CAP_TOP_LEFT | ATTN_CAP_KV_LEN |
            ATTN_CAP_SOFTCAP | ATTN_CAP_ALIBI | ATTN_CAP_DV,
    .available = cpu_avx512f,
    .prepare = avx512_prepare,
    .run = flash_run,
    .release = flash_release,
};
