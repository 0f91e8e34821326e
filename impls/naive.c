/* naive: the textbook algorithm in plain C. Per (batch, head) it materialises the whole
 * N_q x N_kv score matrix, takes a max-subtracted softmax of each row, then multiplies by V. */
#include "attn.h"
#include "impl_util.h"

#include <math.h>
#include <stdlib.h>

typedef struct naive_state {
    attn_problem p;
    float *scores;      /* threads x seq_q x seq_kv: one score matrix per thread */
} naive_state;

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
    *state = s;
    return 0;
oom:
    free(s);
    impl_why(why, why_len, "out of memory for %d score matrices of %zu floats", copies, per_thread);
    return 1;
}

/* One (batch, head): S = scale Q K^T, row softmax with the causal mask, O = P V. */
static void naive_head(const attn_problem *p, float *S, const float *q, const float *k,
                       const float *v, float *o)
{
    const int nq = p->seq_q, nkv = p->seq_kv, d = p->head_dim;

    for (int i = 0; i < nq; i++) {
        int visible = impl_visible_keys(p, i);
        float *srow = S + (size_t)i * nkv;
        float *orow = o + (size_t)i * d;
        float max = -INFINITY, sum = 0.0f;

        for (int j = 0; j < visible; j++) {
            float dot = 0.0f;
            for (int c = 0; c < d; c++)
                dot += q[(size_t)i * d + c] * k[(size_t)j * d + c];
            srow[j] = p->scale * dot;
            if (srow[j] > max)
                max = srow[j];
        }
        for (int j = 0; j < visible; j++) {
            srow[j] = expf(srow[j] - max);
            sum += srow[j];
        }
        for (int c = 0; c < d; c++)
            orow[c] = 0.0f;
        if (visible == 0)
            continue;
        for (int j = 0; j < visible; j++) {
            float pj = srow[j] / sum;
            for (int c = 0; c < d; c++)
                orow[c] += pj * v[(size_t)j * d + c];
        }
    }
}

static int naive_run(void *state, const float *q, const float *k, const float *v, float *o)
{
    naive_state *s = state;
    const attn_problem *p = &s->p;
    const int pairs = p->batch * p->heads;

#pragma omp parallel for schedule(dynamic) num_threads(impl_threads(p))
    for (int bh = 0; bh < pairs; bh++) {
        int b = bh / p->heads, h = bh % p->heads;
        size_t qo, kvo;
        impl_head_offsets(p, b, h, &qo, &kvo);
        float *S = s->scores + (size_t)impl_thread_num() * p->seq_q * p->seq_kv;
        naive_head(p, S, q + qo, k + kvo, v + kvo, o + qo);
    }
    return 0;
}

static void naive_release(void *state)
{
    naive_state *s = state;
    if (s == NULL)
        return;
    free(s->scores);
    free(s);
}

const attn_impl attn_impl_naive = {
    .name = "naive",
    .summary = "textbook: full N_q x N_kv score matrix, softmax, then P V (plain C)",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS,
    .available = NULL,
    .prepare = naive_prepare,
    .run = naive_run,
    .release = naive_release,
};
