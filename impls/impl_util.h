/* impl_util.h: small helpers the built-in implementations share (not part of the plugin ABI). */
#ifndef IMPL_UTIL_H
#define IMPL_UTIL_H

#include "attn.h"
#include "tanh_poly.h"

#include <stdio.h>

#ifdef _OPENMP
#include <omp.h>
static inline int impl_thread_num(void) { return omp_get_thread_num(); }
#else
static inline int impl_thread_num(void) { return 0; }
#endif

/* The diagonal of query row i: i + seq_kv - seq_q (bottom-right), or i when top_left. */
static inline long impl_diag(const attn_problem *p, int i)
{
    return p->top_left ? i : (long)i + (p->seq_kv - p->seq_q);
}

/* The keys query row i of batch entry b sees, [*lo, *hi): under kv_len[b] when given, and
 * within the window around its diagonal, window_left keys before it and window_right after
 * (-1: unbounded; causal is window_right 0). */
static inline void impl_key_range(const attn_problem *p, int b, int i, int *lo, int *hi)
{
    long diag = impl_diag(p, i), l = 0, h = p->seq_kv;
    if (p->kv_len != NULL && p->kv_len[b] < h)
        h = p->kv_len[b];
    if (p->window_left >= 0 && diag - p->window_left > l)
        l = diag - p->window_left;
    if (p->window_right >= 0 && diag + p->window_right + 1 < h)
        h = diag + p->window_right + 1;
    l = l > p->seq_kv ? p->seq_kv : l;
    *lo = (int)l;
    *hi = (int)(h > l ? h : l);
}

/* The keys some row of the block [r0, r0 + rows) of batch entry b sees, [*k0, *k0 + their
 * count); row r is query r % seq_q (a block of GQA-stacked heads, or of one head). *k0 is 0
 * when no row sees a key. Only these need to enter a block's computation. */
static inline int impl_block_keys(const attn_problem *p, int b, int r0, int rows, int *k0)
{
    int first = p->seq_kv, end = 0;
    for (int r = 0; r < rows; r++) {
        int lo, hi;
        impl_key_range(p, b, (r0 + r) % p->seq_q, &lo, &hi);
        if (hi > lo) {
            first = lo < first ? lo : first;
            end = hi > end ? hi : end;
        }
    }
    *k0 = end > first ? first : 0;
    return end > first ? end - first : 0;
}

/* Where query head (b, h) starts in q and o, and the kv head it reads (GQA: h / group) in k
 * and v: element offsets. v and o rows are head_dim_v wide. */
typedef struct impl_head {
    size_t q, k, v, o;
} impl_head;

static inline impl_head impl_head_at(const attn_problem *p, int b, int h)
{
    size_t row = ((size_t)b * p->heads + h) * (size_t)p->seq_q;
    size_t kv_row = ((size_t)b * p->kv_heads + h / (p->heads / p->kv_heads)) * (size_t)p->seq_kv;
    return (impl_head){.q = row * p->head_dim, .k = kv_row * p->head_dim,
                       .v = kv_row * p->head_dim_v, .o = row * p->head_dim_v};
}

/* What DESIGN puts between the scaled dot product and the softmax, in its order: the cap
 * (softcap: s becomes softcap tanh(s / softcap), tanh_poly.h's, vectorised), then the ALiBi
 * bias alibi[h] (j - diag(i)).
 * s[0..n) are the scaled scores of keys j0 .. j0 + n - 1 of query row i of head h. */
static inline void impl_score_extras(const attn_problem *p, int h, int i, int j0, float *s,
                                     int n)
{
    if (p->softcap != 0) {
        const float cap = p->softcap, inv = 1.0f / p->softcap;
        for (int j = 0; j < n; j++)
            s[j] = cap * tanh_poly(s[j] * inv);
    }
    if (p->alibi != NULL) {
        const float slope = p->alibi[h];
        const long first = j0 - impl_diag(p, i);
        for (int j = 0; j < n; j++)
            s[j] += slope * (float)(first + j);
    }
}

/* GQA stacking: query head h = g * G + t (G = heads / kv_heads) sits next to the other heads
 * of kv head g in q and o, so the G heads sharing a kv head form one matrix of G * seq_q rows,
 * and one pass over K and V can serve them all. Stacked row r is query r % seq_q of its head
 * (r may count from the start of q: every stack is a whole number of heads). */
static inline int impl_stacked_rows(const attn_problem *p)
{
    return p->heads / p->kv_heads * p->seq_q;
}

/* Threads to ask OpenMP for: the problem's count, at least one. */
static inline int impl_threads(const attn_problem *p) { return p->threads > 0 ? p->threads : 1; }

#define impl_why(why, why_len, ...) snprintf((why), (why_len), __VA_ARGS__)

#endif
