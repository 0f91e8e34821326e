/* naive: the textbook algorithm in plain C. Per (batch, head) it materialises the whole
 * N_q x N_kv score matrix, takes a max-subtracted softmax of each row, then multiplies by V.
 * In bf16 and f16 it converts the head's q, k and v to float32, computes in float32, and rounds
 * the output to the dtype. */
#include "attn.h"
#include "impl_dtype.h"
#include "impl_util.h"

#include <math.h>
#include <stdlib.h>

typedef struct naive_state {
    attn_problem p;
    float *scores;      /* threads x seq_q x seq_kv: one score matrix per thread */
    float *convert;     /* 16-bit dtypes: threads x (2 seq_q + 2 seq_kv) d, one head's q, o, k
                           and v in float32 per thread; NULL in float32 */
} naive_state;

/* Floats per thread to hold one head's q, o, k and v in float32. */
static size_t naive_convert_floats(const attn_problem *p)
{
    return ((size_t)p->seq_q + (size_t)p->seq_kv) * (size_t)(p->head_dim + p->head_dim_v);
}

static int naive_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    naive_state *s = calloc(1, sizeof *s);
    size_t per_thread = (size_t)p->seq_q * (size_t)p->seq_kv;
    int copies = impl_threads(p);

    if (s == NULL)
        goto oom;
    s->p = *p;
    s->scores = malloc(per_thread * (size_t)copies * sizeof(float));
    if (s->scores == NULL && per_thread > 0)
        goto oom;
    if (p->dtype != ATTN_F32) {
        s->convert = malloc(sizeof(float) * naive_convert_floats(p) * (size_t)copies);
        if (s->convert == NULL)
            goto oom;
    }
    *state = s;
    return 0;
oom:
    if (s != NULL)
        free(s->scores);
    free(s);
    impl_why(why, why_len, "out of memory for %d score matrices of %zu floats", copies, per_thread);
    return 1;
}

/* Head h of batch entry b: S = scale Q K^T over each row's visible keys, capped and biased,
 * row softmax, O = P V. */
static void naive_head(const attn_problem *p, int b, int h, float *S, const float *q,
                       const float *k, const float *v, float *o)
{
    const int nq = p->seq_q, nkv = p->seq_kv, d = p->head_dim, dv = p->head_dim_v;

    for (int i = 0; i < nq; i++) {
        int lo, hi;
        impl_key_range(p, b, i, &lo, &hi);
        float *srow = S + (size_t)i * nkv;
        float *orow = o + (size_t)i * dv;
        float max = -INFINITY, sum = 0.0f;

        for (int j = lo; j < hi; j++) {
            float dot = 0.0f;
            for (int c = 0; c < d; c++)
                dot += q[(size_t)i * d + c] * k[(size_t)j * d + c];
            srow[j] = p->scale * dot;
        }
        impl_score_extras(p, h, i, lo, srow + lo, hi - lo);
        for (int j = lo; j < hi; j++)
            max = srow[j] > max ? srow[j] : max;
        for (int j = lo; j < hi; j++) {
            srow[j] = expf(srow[j] - max);
            sum += srow[j];
        }
        for (int c = 0; c < dv; c++)
            orow[c] = 0.0f;
        if (hi == lo)
            continue;
        for (int j = lo; j < hi; j++) {
            float pj = srow[j] / sum;
            for (int c = 0; c < dv; c++)
                orow[c] += pj * v[(size_t)j * dv + c];
        }
    }
}

/* Head h of batch entry b in a 16-bit problem: its q, k and v converted to float32 in buf,
 * computed in float32, its output rounded back to the dtype. */
static void naive_head_converted(const attn_problem *p, int b, int h, float *S, float *buf,
                                 const void *q, const void *k, const void *v, void *o,
                                 impl_head at)
{
    size_t nq = (size_t)p->seq_q * p->head_dim, no = (size_t)p->seq_q * p->head_dim_v;
    size_t nk = (size_t)p->seq_kv * p->head_dim, nv = (size_t)p->seq_kv * p->head_dim_v;
    float *qf = buf, *of = qf + nq, *kf = of + no, *vf = kf + nk;
    impl_load_row(p->dtype, q, at.q, qf, nq);
    impl_load_row(p->dtype, k, at.k, kf, nk);
    impl_load_row(p->dtype, v, at.v, vf, nv);
    naive_head(p, b, h, S, qf, kf, vf, of);
    impl_store_row(p->dtype, o, at.o, of, no);
}

static int naive_run(void *state, const void *q, const void *k, const void *v, void *o)
{
    naive_state *s = state;
    const attn_problem *p = &s->p;
    const int pairs = p->batch * p->heads;

#pragma omp parallel for schedule(dynamic) num_threads(impl_threads(p))
    for (int bh = 0; bh < pairs; bh++) {
        int b = bh / p->heads, h = bh % p->heads, t = impl_thread_num();
        impl_head at = impl_head_at(p, b, h);
        float *S = s->scores + (size_t)t * p->seq_q * p->seq_kv;
        if (p->dtype == ATTN_F32)
            naive_head(p, b, h, S, (const float *)q + at.q, (const float *)k + at.k,
                       (const float *)v + at.v, (float *)o + at.o);
        else
            naive_head_converted(p, b, h, S, s->convert + (size_t)t * naive_convert_floats(p),
                                 q, k, v, o, at);
    }
    return 0;
}

static void naive_release(void *state)
{
    naive_state *s = state;
    if (s == NULL)
        return;
    free(s->scores);
    free(s->convert);
    free(s);
}

const attn_impl attn_impl_naive = {
    .name = "naive",
    .summary = "textbook: full N_q x N_kv score matrix, softmax, then P V (plain C)",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS | ATTN_CAP_BF16 |
            ATTN_CAP_F16 | ATTN_CAP_WINDOW | ATTN_CAP_TOP_LEFT | ATTN_CAP_KV_LEN |
            ATTN_CAP_SOFTCAP | ATTN_CAP_ALIBI | ATTN_CAP_DV,
    .available = NULL,
    .prepare = naive_prepare,
    .run = naive_run,
    .release = naive_release,
};
