/* example_plugin.c: a complete attnbench plugin to copy when starting your own implementation.
 * It computes attention one query row at a time with the online softmax (a running maximum
 * and sum, rescaling the partial output when the maximum grows), in plain C.
 *
 * Build:  gcc -std=c11 -O2 -fPIC -shared -Iimpls impls/examples/example_plugin.c -o example.so
 * Run:    build/attnbench run --plugin ./example.so --set impls=example_rowwise ...
 *
 * The harness owns every tensor; run() only reads q, k, v and writes o. Never print, exit or
 * abort here: return nonzero (with words in `why` from prepare) and the harness reports it.
 *
 * It takes float32 data only: its caps declare no ATTN_CAP_BF16 or ATTN_CAP_F16, so the
 * harness gives it no bf16 or f16 case, and run()'s void pointers always hold floats. To take
 * 16-bit data, declare the cap and read p->dtype (docs/abi.md). */
#include "attn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct example_state {
    attn_problem p;   /* a copy: the problem outlives the state, but a copy is simpler */
    float *acc;       /* head_dim floats: the running, unnormalised output of one row */
} example_state;

static int example_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    example_state *s = calloc(1, sizeof *s);
    if (s != NULL)
        s->acc = malloc(sizeof(float) * (size_t)p->head_dim);
    if (s == NULL || s->acc == NULL) {
        free(s);
        snprintf(why, why_len, "out of memory");
        return 1;
    }
    s->p = *p;
    *state = s;
    return 0;
}

static int example_run(void *state, const void *q_in, const void *k_in, const void *v_in,
                       void *o_out)
{
    /* Elements of p->dtype, which is ATTN_F32 for this plugin (see the caps below). */
    const float *q = q_in, *k = k_in, *v = v_in;
    float *o = o_out;
    example_state *s = state;
    const attn_problem *p = &s->p;
    const int d = p->head_dim, group = p->heads / p->kv_heads;

    for (int b = 0; b < p->batch; b++)
        for (int h = 0; h < p->heads; h++) {
            /* Query head h reads kv head h / group (GQA; group = 1 without it). */
            const float *qh = q + ((size_t)b * p->heads + h) * p->seq_q * d;
            const float *kh = k + ((size_t)b * p->kv_heads + h / group) * p->seq_kv * d;
            const float *vh = v + ((size_t)b * p->kv_heads + h / group) * p->seq_kv * d;
            float *oh = o + ((size_t)b * p->heads + h) * p->seq_q * d;

            for (int i = 0; i < p->seq_q; i++) {
                /* Causal: query i sees key j iff j <= i + (seq_kv - seq_q). */
                long last = p->causal ? (long)i + p->seq_kv - p->seq_q : p->seq_kv - 1;
                int visible = last < 0 ? 0 : last >= p->seq_kv ? p->seq_kv : (int)last + 1;
                float max = -INFINITY, sum = 0.0f;

                for (int c = 0; c < d; c++)
                    s->acc[c] = 0.0f;
                for (int j = 0; j < visible; j++) {
                    float score = 0.0f;
                    for (int c = 0; c < d; c++)
                        score += qh[(size_t)i * d + c] * kh[(size_t)j * d + c];
                    score *= p->scale;
                    if (score > max) {
                        /* A new maximum: shrink what was summed under the old one. */
                        float shrink = expf(max - score);
                        sum *= shrink;
                        for (int c = 0; c < d; c++)
                            s->acc[c] *= shrink;
                        max = score;
                    }
                    float w = expf(score - max);
                    sum += w;
                    for (int c = 0; c < d; c++)
                        s->acc[c] += w * vh[(size_t)j * d + c];
                }
                /* A row that sees no key has output 0. */
                for (int c = 0; c < d; c++)
                    oh[(size_t)i * d + c] = visible > 0 ? s->acc[c] / sum : 0.0f;
            }
        }
    return 0;
}

static void example_release(void *state)
{
    example_state *s = state;
    if (s != NULL)
        free(s->acc);
    free(s);
}

static const attn_impl example_rowwise = {
    .name = "example_rowwise",
    .summary = "example plugin: one query row at a time, online softmax, plain C",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS,
    .available = NULL,      /* runs anywhere; return nonzero with a reason when it cannot */
    .prepare = example_prepare,
    .run = example_run,
    .release = example_release,
};

static const attn_impl *const example_impls[] = {&example_rowwise, NULL};

/* The one symbol the harness looks up. Return NULL for an ABI version you were not built for. */
const attn_impl *const *attn_plugin_impls(int abi_version)
{
    return abi_version == ATTN_ABI_VERSION ? example_impls : NULL;
}
