/* abi1_plugin.c: a working plugin written against ABI 1 (attn_abi1.h, float32 pointers, four
 * caps): plain attention in float32, causal, GQA and cross shapes. The harness must load it,
 * PASS its float32 cases and SKIP the rest, as it would have before ABI 2. */
#include "attn_abi1.h"

#include <math.h>
#include <stdlib.h>

static int abi1_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)why;
    (void)why_len;
    attn_problem *copy = malloc(sizeof *copy);   /* ABI 1's fields only: all it knows */
    if (copy == NULL)
        return 1;
    *copy = *p;
    *state = copy;
    return 0;
}

static int abi1_run(void *state, const float *q, const float *k, const float *v, float *o)
{
    const attn_problem *p = state;
    int d = p->head_dim, group = p->heads / p->kv_heads, shift = p->seq_kv - p->seq_q;
    float *s = malloc(sizeof *s * (size_t)(p->seq_kv > 0 ? p->seq_kv : 1));
    if (s == NULL)
        return 1;
    for (int b = 0; b < p->batch; b++)
        for (int h = 0; h < p->heads; h++) {
            size_t qh = (size_t)(b * p->heads + h) * p->seq_q;
            size_t kh = (size_t)(b * p->kv_heads + h / group) * p->seq_kv;
            for (int i = 0; i < p->seq_q; i++) {
                int last = p->causal ? i + shift : p->seq_kv - 1;
                float m = -INFINITY, sum = 0;
                float *out = o + (qh + (size_t)i) * d;
                for (int c = 0; c < d; c++)
                    out[c] = 0;
                for (int j = 0; j <= last && j < p->seq_kv; j++) {
                    float dot = 0;
                    for (int c = 0; c < d; c++)
                        dot += q[(qh + (size_t)i) * d + c] * k[(kh + (size_t)j) * d + c];
                    s[j] = p->scale * dot;
                    m = s[j] > m ? s[j] : m;
                }
                for (int j = 0; j <= last && j < p->seq_kv; j++) {
                    float e = expf(s[j] - m);
                    sum += e;
                    for (int c = 0; c < d; c++)
                        out[c] += e * v[(kh + (size_t)j) * d + c];
                }
                for (int c = 0; c < d && sum > 0; c++)
                    out[c] /= sum;
            }
        }
    free(s);
    return 0;
}

static const attn_impl abi1_impl = {
    .name = "abi1",
    .summary = "a plugin built against ABI 1 (float32 only)",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS,
    .prepare = abi1_prepare,
    .run = abi1_run,
    .release = free,
};

static const attn_impl *const abi1_impls[] = {&abi1_impl, NULL};

const attn_impl *const *attn_plugin_impls(int abi_version);

/* An ABI 1 plugin answers only the version it knows. */
const attn_impl *const *attn_plugin_impls(int abi_version)
{
    return abi_version == ATTN_ABI_VERSION ? abi1_impls : NULL;
}
