/* twin_impls.c: the kernels of twin_impls.h. One row at a time: q's row and each key's k and v
 * rows read from the dtype, scores s_j = scale q . k_j, p_j = exp(s_j - max), o = sum p_j v_j /
 * sum p_j, the output rounded to the dtype; each knob changes one step. */
#include "twin_impls.h"

#include "impl_dtype.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum knob {
    PLAIN,
    FLASH,          /* p rounded to the dtype before P V */
    REVERSED,       /* keys summed from the last to the first */
    ONLINE_EXP2,    /* blocks of ONLINE_BLOCK keys, a running max, exp2f of base-2 scores */
    APPROX_EXP,     /* exp(x) (1 +- 1.5e-4), the sign from x's lowest mantissa bit */
    PV_ACC16,       /* the P V accumulator rounded to the dtype after every add */
    SUM16,          /* the softmax sum rounded to the dtype after every add */
    QK16,           /* the q . k accumulator rounded to the dtype after every add */
    READ_AS_F32,    /* a 16-bit input's bytes taken as float32 */
    EXP16_NO_MAX,   /* p = exp(s) rounded to the dtype, no max subtracted */
} knob;

enum { ONLINE_BLOCK = 16 };

typedef struct twin_state {
    attn_problem p;
    knob kind;
    float *q, *k, *v, *s, *acc;   /* one row of q, all of k and v of a head, scores, output */
} twin_state;

static void twin_release(void *state)
{
    twin_state *t = state;
    if (t == NULL)
        return;
    free(t->q);
    free(t->k);
    free(t->v);
    free(t->s);
    free(t->acc);
    free(t);
}

static int twin_prepare(const attn_problem *p, void **state, char *why, size_t why_len,
                        knob kind)
{
    twin_state *t = calloc(1, sizeof *t);
    size_t d = (size_t)p->head_dim, n = (size_t)p->seq_kv + 1;
    if (t != NULL) {
        t->p = *p;
        t->kind = kind;
        t->q = malloc(sizeof(float) * d);
        t->k = malloc(sizeof(float) * d * n);
        t->v = malloc(sizeof(float) * d * n);
        t->s = malloc(sizeof(float) * n);
        t->acc = malloc(sizeof(float) * d);
    }
    if (t == NULL || !t->q || !t->k || !t->v || !t->s || !t->acc) {
        twin_release(t);
        snprintf(why, why_len, "out of memory");
        return 1;
    }
    *state = t;
    return 0;
}

/* Element i of a tensor as the kernel reads it: in its dtype, or (READ_AS_F32) the 16-bit
 * array's bytes taken as floats, half as many, each from two neighbouring elements. */
static float load(const twin_state *t, const void *x, size_t i)
{
    if (t->kind == READ_AS_F32 && t->p.dtype != ATTN_F32)
        return ((const float *)x)[i / 2];
    return impl_load(t->p.dtype, x, i);
}

/* What the knob does to a running 16-bit-accumulated value: rounds it when it is that knob. */
static float acc16(const twin_state *t, knob which, float x)
{
    return t->kind == which ? impl_round(t->p.dtype, x) : x;
}

static float exp_of(const twin_state *t, float x)
{
    float e = expf(x);
    if (t->kind == APPROX_EXP) {
        uint32_t bits;
        memcpy(&bits, &x, sizeof bits);
        e *= (bits & 1u) ? 1.0f + 1.5e-4f : 1.0f - 1.5e-4f;
    }
    return e;
}

/* One row: n visible keys of the head's k and v (already in t->k, t->v), q's row in t->q. */
static void row(twin_state *t, int n, float *out)
{
    const int d = t->p.head_dim, rev = t->kind == REVERSED;
    float m = -INFINITY, l = 0.0f;
    for (int x = 0; x < d; x++)
        out[x] = 0.0f;
    for (int jj = 0; jj < n; jj++) {
        int j = rev ? n - 1 - jj : jj;
        float dot = 0.0f;
        for (int c = 0; c < d; c++)
            dot = acc16(t, QK16, dot + t->q[c] * t->k[(size_t)j * d + c]);
        t->s[j] = t->p.scale * dot;
        m = t->s[j] > m ? t->s[j] : m;
    }
    for (int jj = 0; jj < n; jj++) {
        int j = rev ? n - 1 - jj : jj;
        float pj;
        if (t->kind == EXP16_NO_MAX)
            pj = impl_round(t->p.dtype, expf(t->s[j]));
        else
            pj = exp_of(t, t->s[j] - m);
        l = acc16(t, SUM16, l + pj);
        if (t->kind == FLASH)
            pj = impl_round(t->p.dtype, pj);
        for (int x = 0; x < d; x++)
            out[x] = acc16(t, PV_ACC16, out[x] + pj * t->v[(size_t)j * d + x]);
    }
    for (int x = 0; x < d; x++)
        out[x] = n > 0 ? out[x] / l : 0.0f;
}

/* The online softmax with exp2: blocks of keys, the output rescaled when the max grows. */
static void row_online(twin_state *t, int n, float *out)
{
    const int d = t->p.head_dim;
    const float log2e = 1.4426950408889634f;
    float m = -INFINITY, l = 0.0f;
    for (int x = 0; x < d; x++)
        out[x] = 0.0f;
    for (int j0 = 0; j0 < n; j0 += ONLINE_BLOCK) {
        int j1 = j0 + ONLINE_BLOCK < n ? j0 + ONLINE_BLOCK : n;
        float bm = -INFINITY;
        for (int j = j0; j < j1; j++) {
            float dot = 0.0f;
            for (int c = 0; c < d; c++)
                dot += t->q[c] * t->k[(size_t)j * d + c];
            t->s[j] = t->p.scale * log2e * dot;
            bm = t->s[j] > bm ? t->s[j] : bm;
        }
        float m_new = bm > m ? bm : m, shrink = exp2f(m - m_new);
        l *= shrink;
        for (int x = 0; x < d; x++)
            out[x] *= shrink;
        for (int j = j0; j < j1; j++) {
            float pj = exp2f(t->s[j] - m_new);
            l += pj;
            for (int x = 0; x < d; x++)
                out[x] += pj * t->v[(size_t)j * d + x];
        }
        m = m_new;
    }
    for (int x = 0; x < d; x++)
        out[x] = n > 0 ? out[x] / l : 0.0f;
}

static int twin_run(void *state, const void *q, const void *k, const void *v, void *o)
{
    twin_state *t = state;
    const attn_problem *p = &t->p;
    const int d = p->head_dim, group = p->heads / p->kv_heads;
    for (int b = 0; b < p->batch; b++)
        for (int h = 0; h < p->heads; h++) {
            size_t qo = ((size_t)b * p->heads + h) * (size_t)p->seq_q * d;
            size_t kvo = ((size_t)b * p->kv_heads + h / group) * (size_t)p->seq_kv * d;
            for (size_t x = 0; x < (size_t)p->seq_kv * d; x++) {
                t->k[x] = load(t, k, kvo + x);
                t->v[x] = load(t, v, kvo + x);
            }
            for (int i = 0; i < p->seq_q; i++) {
                long seen = p->causal ? (long)i + (p->seq_kv - p->seq_q) + 1 : p->seq_kv;
                int n = seen < 0 ? 0 : seen > p->seq_kv ? p->seq_kv : (int)seen;
                for (int c = 0; c < d; c++)
                    t->q[c] = load(t, q, qo + (size_t)i * d + c);
                if (t->kind == ONLINE_EXP2)
                    row_online(t, n, t->acc);
                else
                    row(t, n, t->acc);
                impl_store_row(p->dtype, o, qo + (size_t)i * d, t->acc, (size_t)d);
            }
        }
    return 0;
}

#define TWIN_IMPL(var, kind)                                                                 \
    static int var##_prepare(const attn_problem *p, void **state, char *why, size_t why_len) \
    {                                                                                        \
        return twin_prepare(p, state, why, why_len, kind);                                   \
    }                                                                                        \
    const attn_impl var = {.name = #var, .summary = "twin test kernel",                      \
                           .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS |         \
                                   ATTN_CAP_BF16 | ATTN_CAP_F16,                             \
                           .prepare = var##_prepare, .run = twin_run, .release = twin_release}

TWIN_IMPL(twin_plain, PLAIN);
TWIN_IMPL(twin_flash, FLASH);
TWIN_IMPL(twin_reversed, REVERSED);
TWIN_IMPL(twin_online_exp2, ONLINE_EXP2);
TWIN_IMPL(twin_approx_exp, APPROX_EXP);
TWIN_IMPL(twin_pv_acc16, PV_ACC16);
TWIN_IMPL(twin_sum16, SUM16);
TWIN_IMPL(twin_qk16, QK16);
TWIN_IMPL(twin_read_as_f32, READ_AS_F32);
TWIN_IMPL(twin_exp16_no_max, EXP16_NO_MAX);
