/* variant_impls.c: the kernels of variant_impls.h. One body, in two schedules (the whole row at
 * once, or blocks of keys with an online softmax), carries each bug as a small change to one
 * rule, so a test that sees it FAIL knows the checker caught that defect and nothing else. */
#include "variant_impls.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef enum vbug {
    VB_NONE,
    VB_ALIGN_FLIPPED,
    VB_WINDOW_WIDE,
    VB_WINDOW_NARROW,
    VB_RAGGED_PLUS_ONE,
    VB_CAP_AFTER_MASK,
    VB_ALIBI_SIGN,
    VB_ALIBI_HEADS,
    VB_V_STRIDE_D,
} vbug;

enum { ONLINE_BLOCK = 16 };   /* keys per step of variant_online */

typedef struct vstate {
    attn_problem p;
    vbug bug;
    int online;
    float *s;       /* one row's seq_kv scores */
} vstate;

/* Written out here from DESIGN's rule, not taken from impls/ or the reference, so these kernels
 * share no code with what they are compared against. The keys row i of batch entry b sees,
 * [*lo, *hi), with the bug's change to the rule. */
static void vkeys(const vstate *st, int b, int i, int *lo, int *hi)
{
    const attn_problem *p = &st->p;
    int top_left = p->top_left ^ (st->bug == VB_ALIGN_FLIPPED);
    long diag = top_left ? i : (long)i + p->seq_kv - p->seq_q, l = 0, h = p->seq_kv;
    int wl = p->window_left;
    if (wl >= 0 && st->bug == VB_WINDOW_WIDE)
        wl++;
    if (wl > 0 && st->bug == VB_WINDOW_NARROW)
        wl--;
    if (p->kv_len != NULL) {
        long n = p->kv_len[b] + (st->bug == VB_RAGGED_PLUS_ONE);
        h = n < h ? n : h;
    }
    if (wl >= 0 && diag - wl > l)
        l = diag - wl;
    if (p->window_right >= 0 && diag + p->window_right + 1 < h)
        h = diag + p->window_right + 1;
    l = l > p->seq_kv ? p->seq_kv : l;
    *lo = (int)l;
    *hi = (int)(h > l ? h : l);
}

/* Scaled score s of (i, j) in head h, capped and biased. */
static float vextras(const vstate *st, int h, int i, int j, float s)
{
    const attn_problem *p = &st->p;
    if (p->softcap != 0)
        s = p->softcap * tanhf(s / p->softcap);
    if (p->alibi != NULL) {
        long diag = p->top_left ? i : (long)i + p->seq_kv - p->seq_q;
        float slope = p->alibi[st->bug == VB_ALIBI_HEADS ? p->heads - 1 - h : h];
        float dist = (float)(j - diag);
        s += slope * (st->bug == VB_ALIBI_SIGN ? -dist : dist);
    }
    return s;
}

static float vdot(const float *a, const float *b, int n)
{
    float s = 0.0f;
    for (int c = 0; c < n; c++)
        s += a[c] * b[c];
    return s;
}

/* Row i of head h (batch b), whole: scores of its keys, softmax, P V. With VB_CAP_AFTER_MASK
 * every key gets a score, the hidden ones -inf before the cap, which makes them -softcap. */
static void vrow_plain(const vstate *st, int b, int h, int i, const float *q, const float *k,
                       const float *v, int v_stride, float *o)
{
    const attn_problem *p = &st->p;
    int lo, hi;
    vkeys(st, b, i, &lo, &hi);
    int from = lo, to = hi;
    if (st->bug == VB_CAP_AFTER_MASK && p->softcap != 0) {
        from = 0;
        to = p->seq_kv;
    }
    float m = -INFINITY, sum = 0.0f;
    for (int j = from; j < to; j++) {
        int seen = j >= lo && j < hi;
        float s = seen ? p->scale * vdot(q, k + (size_t)j * p->head_dim, p->head_dim) : -INFINITY;
        st->s[j] = vextras(st, h, i, j, s);
        m = st->s[j] > m ? st->s[j] : m;
    }
    for (int c = 0; c < p->head_dim_v; c++)
        o[c] = 0.0f;
    for (int j = from; j < to; j++) {
        st->s[j] = expf(st->s[j] - m);
        sum += st->s[j];
    }
    for (int j = from; j < to; j++)
        for (int c = 0; c < p->head_dim_v; c++)
            o[c] += st->s[j] / sum * v[(size_t)j * v_stride + c];
}

/* Row i of head h (batch b), ONLINE_BLOCK keys at a time with a running maximum and sum. */
static void vrow_online(const vstate *st, int b, int h, int i, const float *q, const float *k,
                        const float *v, int v_stride, float *o)
{
    const attn_problem *p = &st->p;
    int lo, hi;
    vkeys(st, b, i, &lo, &hi);
    float m = -INFINITY, l = 0.0f;
    for (int c = 0; c < p->head_dim_v; c++)
        o[c] = 0.0f;
    for (int j0 = lo; j0 < hi; j0 += ONLINE_BLOCK) {
        int j1 = j0 + ONLINE_BLOCK < hi ? j0 + ONLINE_BLOCK : hi;
        float bm = -INFINITY;
        for (int j = j0; j < j1; j++) {
            float dot = vdot(q, k + (size_t)j * p->head_dim, p->head_dim);
            st->s[j] = vextras(st, h, i, j, p->scale * dot);
            bm = st->s[j] > bm ? st->s[j] : bm;
        }
        float m_new = bm > m ? bm : m, shrink = expf(m - m_new);
        l *= shrink;
        for (int c = 0; c < p->head_dim_v; c++)
            o[c] *= shrink;
        for (int j = j0; j < j1; j++) {
            float e = expf(st->s[j] - m_new);
            l += e;
            for (int c = 0; c < p->head_dim_v; c++)
                o[c] += e * v[(size_t)j * v_stride + c];
        }
        m = m_new;
    }
    for (int c = 0; c < p->head_dim_v; c++)
        o[c] = l > 0.0f ? o[c] / l : 0.0f;
}

static int vprepare(const attn_problem *p, void **state, char *why, size_t why_len, vbug bug,
                    int online)
{
    vstate *st = calloc(1, sizeof *st);
    if (st != NULL)
        st->s = malloc(sizeof(float) * ((size_t)p->seq_kv + 1));
    if (st == NULL || st->s == NULL) {
        free(st);
        snprintf(why, why_len, "out of memory for a row of %d scores", p->seq_kv);
        return 1;
    }
    st->p = *p;
    st->bug = bug;
    st->online = online;
    *state = st;
    return 0;
}

static int vrun(void *state, const void *qv, const void *kv, const void *vv, void *ov)
{
    const vstate *st = state;
    const attn_problem *p = &st->p;
    const float *q = qv, *k = kv, *v = vv;
    float *o = ov;
    const int group = p->heads / p->kv_heads, d = p->head_dim;
    /* The bug reads v as if its rows were d wide, as k's are. */
    const int v_stride = st->bug == VB_V_STRIDE_D ? d : p->head_dim_v;
    for (int b = 0; b < p->batch; b++)
        for (int h = 0; h < p->heads; h++) {
            size_t row = ((size_t)b * p->heads + h) * (size_t)p->seq_q;
            size_t kv_row = ((size_t)b * p->kv_heads + h / group) * (size_t)p->seq_kv;
            for (int i = 0; i < p->seq_q; i++) {
                const float *qi = q + (row + (size_t)i) * d;
                float *oi = o + (row + (size_t)i) * p->head_dim_v;
                const float *kh = k + kv_row * d, *vh = v + kv_row * v_stride;
                if (st->online)
                    vrow_online(st, b, h, i, qi, kh, vh, v_stride, oi);
                else
                    vrow_plain(st, b, h, i, qi, kh, vh, v_stride, oi);
            }
        }
    return 0;
}

static void vrelease(void *state)
{
    vstate *st = state;
    if (st != NULL)
        free(st->s);
    free(st);
}

#define VARIANT_CAPS                                                                         \
    (ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_WINDOW | ATTN_CAP_TOP_LEFT |   \
     ATTN_CAP_KV_LEN | ATTN_CAP_SOFTCAP | ATTN_CAP_ALIBI | ATTN_CAP_DV)

#define VARIANT_IMPL(ident, bug, online, summary_text)                                       \
    static int ident##_prepare(const attn_problem *p, void **state, char *why, size_t len)   \
    {                                                                                        \
        return vprepare(p, state, why, len, bug, online);                                    \
    }                                                                                        \
    const attn_impl ident = {.name = #ident, .summary = summary_text, .caps = VARIANT_CAPS,  \
                             .prepare = ident##_prepare, .run = vrun, .release = vrelease};

VARIANT_IMPL(variant_plain, VB_NONE, 0, "honest: each row whole")
VARIANT_IMPL(variant_online, VB_NONE, 1, "honest: online softmax over blocks of 16 keys")
VARIANT_IMPL(variant_align_flipped, VB_ALIGN_FLIPPED, 1, "bug: the other alignment's diagonal")
VARIANT_IMPL(variant_window_wide, VB_WINDOW_WIDE, 1, "bug: window_left one key too wide")
VARIANT_IMPL(variant_window_narrow, VB_WINDOW_NARROW, 1, "bug: window_left one key too narrow")
VARIANT_IMPL(variant_ragged_plus_one, VB_RAGGED_PLUS_ONE, 1, "bug: key kv_len[b] seen too")
VARIANT_IMPL(variant_cap_after_mask, VB_CAP_AFTER_MASK, 0, "bug: softcap after the mask")
VARIANT_IMPL(variant_alibi_sign, VB_ALIBI_SIGN, 1, "bug: ALiBi bias of the wrong sign")
VARIANT_IMPL(variant_alibi_heads, VB_ALIBI_HEADS, 1, "bug: ALiBi slopes of the wrong heads")
VARIANT_IMPL(variant_v_stride_d, VB_V_STRIDE_D, 1, "bug: v rows read d apart, not d_v")

const attn_impl *const variant_bugs_all[] = {
    &variant_align_flipped, &variant_window_wide, &variant_window_narrow,
    &variant_ragged_plus_one, &variant_cap_after_mask, &variant_alibi_sign,
    &variant_alibi_heads, &variant_v_stride_d, NULL,
};
