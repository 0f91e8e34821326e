/* bug_impls.c: test-only kernels. Each bug is one small, realistic defect in an otherwise correct
 * kernel, so a test that sees it FAIL knows the checker caught that defect and nothing else. */
#include "bug_impls.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum bug_kind {
    BUG_HONEST,
    BUG_NO_MAX_SUB,
    BUG_SCALE_OMITTED,
    BUG_SCALE_TWICE,
    BUG_CAUSAL_DIAG_HIDDEN,
    BUG_TAIL_DROPPED,
    BUG_WRONG_KV_HEAD,
    BUG_SOFTMAX_WRONG_AXIS,
    BUG_BF16,
    BUG_ONE_NAN,
    BUG_SKIP_LAST_KEY,
    BUG_WRITES_INPUT,
    BUG_REPLAYS_OUTPUT,
    BUG_MEMOIZES,
} bug_kind;

enum {
    HONEST_BLOCK = 16,  /* keys per online-softmax step of bug_honest */
    TAIL_BLOCK = 32,    /* keys per step of bug_tail_dropped: seq_kv % 32 keys get lost */
};

typedef struct bug_state {
    attn_problem p;       /* the problem, copied at prepare */
    bug_kind kind;        /* which defect run() carries */
    float *scores;        /* seq_q x seq_kv, one head at a time (textbook kernels) */
    float *acc;           /* head_dim: the running output of a row (online kernels) */
    float *qr, *kr, *vr;  /* bf16-rounded copies of q, k, v (bug_bf16 only) */
    float *memo;          /* the output of an earlier call (the caching kinds) */
    int have_memo;
    uint64_t memo_key;    /* what bug_memoizes keyed it on: a hash of q, k and v */
} bug_state;

/* Written out here rather than taken from impl_util.h, so these kernels share no code with the
 * ones they are compared against. */
static int bug_visible(const attn_problem *p, int i)
{
    long seen = p->causal ? (long)i + (p->seq_kv - p->seq_q) + 1 : p->seq_kv;
    return seen < 0 ? 0 : seen > p->seq_kv ? p->seq_kv : (int)seen;
}

static float dot(const float *a, const float *b, int n)
{
    float s = 0.0f;
    for (int c = 0; c < n; c++)
        s += a[c] * b[c];
    return s;
}

/* bfloat16 keeps the top 16 bits of a float32: round to nearest, ties to even, on bit 16. */
static float bf16_round(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    if ((bits & 0x7f800000u) != 0x7f800000u)   /* the carry must not turn a NaN into Inf */
        bits += 0x7fffu + ((bits >> 16) & 1u);
    bits &= 0xffff0000u;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static int is_caching(bug_kind kind) { return kind == BUG_REPLAYS_OUTPUT || kind == BUG_MEMOIZES; }

static int is_online(bug_kind kind)
{
    return kind == BUG_HONEST || kind == BUG_TAIL_DROPPED || is_caching(kind);
}

/* FNV-1a over bytes: bug_memoizes's key, cheap next to the attention it skips. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t bytes)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < bytes; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static void bug_release(void *state)
{
    bug_state *s = state;
    if (s == NULL)
        return;
    free(s->scores);
    free(s->acc);
    free(s->qr);
    free(s->kr);
    free(s->vr);
    free(s->memo);
    free(s);
}

static int bug_prepare(const attn_problem *p, void **state, char *why, size_t why_len,
                       bug_kind kind)
{
    bug_state *s = calloc(1, sizeof *s);
    size_t q_len = (size_t)p->batch * p->heads * p->seq_q * p->head_dim;
    size_t kv_len = (size_t)p->batch * p->kv_heads * p->seq_kv * p->head_dim;

    if (s == NULL)
        goto oom;
    s->p = *p;
    s->kind = kind;
    /* +1 everywhere: malloc(0) may return NULL, which would read as out of memory. */
    if (is_online(kind))
        s->acc = malloc(sizeof(float) * ((size_t)p->head_dim + 1));
    else
        s->scores = malloc(sizeof(float) * ((size_t)p->seq_q * p->seq_kv + 1));
    if (s->acc == NULL && s->scores == NULL)
        goto oom;
    if (kind == BUG_BF16) {
        s->qr = malloc(sizeof(float) * (q_len + 1));
        s->kr = malloc(sizeof(float) * (kv_len + 1));
        s->vr = malloc(sizeof(float) * (kv_len + 1));
        if (!s->qr || !s->kr || !s->vr)
            goto oom;
    }
    if (is_caching(kind) && (s->memo = malloc(sizeof(float) * (q_len + 1))) == NULL)
        goto oom;
    *state = s;
    return 0;
oom:
    bug_release(s);
    snprintf(why, why_len, "out of memory for the scratch of a %dx%d head", p->seq_q, p->seq_kv);
    return 1;
}

/* Keys row i of a head uses: the mask's count, less what a bug hides. skip_row is the one row
 * bug_skip_last_key shortens in this head, or -1. */
static int row_keys(const bug_state *s, int i, int skip_row)
{
    int n = bug_visible(&s->p, i);
    if (n > 0 && s->kind == BUG_CAUSAL_DIAG_HIDDEN && s->p.causal)
        n--;
    if (n > 0 && s->kind == BUG_SKIP_LAST_KEY && i == skip_row)
        n--;
    return n;
}

/* Softmax of each row of S over its keys, in place. */
static void softmax_rows(const bug_state *s, float *S, int skip_row)
{
    const int nkv = s->p.seq_kv;

    for (int i = 0; i < s->p.seq_q; i++) {
        int n = row_keys(s, i, skip_row);
        float *row = S + (size_t)i * nkv;
        float max = -INFINITY, sum = 0.0f;
        for (int j = 0; j < n; j++)
            max = row[j] > max ? row[j] : max;
        if (s->kind == BUG_NO_MAX_SUB)
            max = 0.0f;
        for (int j = 0; j < n; j++) {
            row[j] = expf(row[j] - max);
            sum += row[j];
        }
        for (int j = 0; j < n; j++)
            row[j] /= sum;
    }
}

/* The wrong-axis bug: each key's column normalised over the queries that see it. */
static void softmax_columns(const bug_state *s, float *S)
{
    const int nq = s->p.seq_q, nkv = s->p.seq_kv;

    for (int j = 0; j < nkv; j++) {
        float max = -INFINITY, sum = 0.0f;
        for (int i = 0; i < nq; i++)
            if (j < row_keys(s, i, -1) && S[(size_t)i * nkv + j] > max)
                max = S[(size_t)i * nkv + j];
        for (int i = 0; i < nq; i++)
            if (j < row_keys(s, i, -1)) {
                S[(size_t)i * nkv + j] = expf(S[(size_t)i * nkv + j] - max);
                sum += S[(size_t)i * nkv + j];
            }
        for (int i = 0; i < nq; i++)
            if (j < row_keys(s, i, -1))
                S[(size_t)i * nkv + j] /= sum;
    }
}

/* One head the textbook way (scores, softmax, P V), with the state's defect. */
static void textbook_head(const bug_state *s, int skip_row, const float *q, const float *k,
                          const float *v, float *o)
{
    const attn_problem *p = &s->p;
    const int nq = p->seq_q, nkv = p->seq_kv, d = p->head_dim;
    float *S = s->scores;
    float scale = s->kind == BUG_SCALE_OMITTED ? 1.0f
                  : s->kind == BUG_SCALE_TWICE ? p->scale * p->scale
                                               : p->scale;

    for (int i = 0; i < nq; i++) {
        int n = row_keys(s, i, skip_row);
        for (int j = 0; j < n; j++)
            S[(size_t)i * nkv + j] = scale * dot(q + (size_t)i * d, k + (size_t)j * d, d);
    }
    if (s->kind == BUG_SOFTMAX_WRONG_AXIS)
        softmax_columns(s, S);
    else
        softmax_rows(s, S, skip_row);

    for (int i = 0; i < nq; i++) {
        int n = row_keys(s, i, skip_row);
        float *orow = o + (size_t)i * d;
        for (int c = 0; c < d; c++)
            orow[c] = 0.0f;
        for (int j = 0; j < n; j++) {
            float pij = S[(size_t)i * nkv + j];
            if (s->kind == BUG_BF16)
                pij = bf16_round(pij);
            for (int c = 0; c < d; c++)
                orow[c] += pij * v[(size_t)j * d + c];
        }
    }
}

/* One head by online softmax: keys in blocks, a running max m, sum l and output acc that are
 * rescaled whenever m grows, so no score matrix is ever stored. */
static void online_head(const bug_state *s, const float *q, const float *k, const float *v,
                        float *o)
{
    const attn_problem *p = &s->p;
    const int d = p->head_dim, nkv = p->seq_kv;
    const int blk = s->kind == BUG_TAIL_DROPPED ? TAIL_BLOCK : HONEST_BLOCK;
    float sb[TAIL_BLOCK > HONEST_BLOCK ? TAIL_BLOCK : HONEST_BLOCK];
    float *acc = s->acc;

    for (int i = 0; i < p->seq_q; i++) {
        const float *qi = q + (size_t)i * d;
        int n = bug_visible(p, i);
        float m = -INFINITY, l = 0.0f;

        for (int c = 0; c < d; c++)
            acc[c] = 0.0f;
        for (int j0 = 0; j0 < n; j0 += blk) {
            /* The bug: only whole blocks of the key axis, as if seq_kv were a multiple of 32. */
            if (s->kind == BUG_TAIL_DROPPED && j0 + blk > nkv)
                break;
            int jn = j0 + blk < n ? j0 + blk : n;
            float bmax = -INFINITY;
            for (int j = j0; j < jn; j++) {
                sb[j - j0] = p->scale * dot(qi, k + (size_t)j * d, d);
                bmax = sb[j - j0] > bmax ? sb[j - j0] : bmax;
            }
            float m_new = bmax > m ? bmax : m;
            float corr = expf(m - m_new);   /* 0 on the first block, where m = -inf */
            l *= corr;
            for (int c = 0; c < d; c++)
                acc[c] *= corr;
            for (int j = j0; j < jn; j++) {
                float e = expf(sb[j - j0] - m_new);
                const float *vj = v + (size_t)j * d;
                l += e;
                for (int c = 0; c < d; c++)
                    acc[c] += e * vj[c];
            }
            m = m_new;
        }
        for (int c = 0; c < d; c++)
            o[(size_t)i * d + c] = l > 0.0f ? acc[c] / l : 0.0f;
    }
}

static int bug_run(void *state, const void *q_in, const void *k_in, const void *v_in, void *o_out)
{
    const float *q = q_in, *k = k_in, *v = v_in;
    float *o = o_out;
    bug_state *s = state;
    const attn_problem *p = &s->p;
    const int group = p->heads / p->kv_heads;
    const size_t q_head = (size_t)p->seq_q * p->head_dim;
    const size_t kv_head = (size_t)p->seq_kv * p->head_dim;
    const size_t q_len = (size_t)p->batch * p->heads * q_head;
    const size_t kv_len = (size_t)p->batch * p->kv_heads * kv_head;

    /* The caching kinds: a copy of an earlier output, for any inputs (replays) or for the
     * same inputs (memoizes: right every time, but credited with work it did not do). */
    uint64_t key = 0;
    if (s->kind == BUG_MEMOIZES) {
        key = fnv1a(0xcbf29ce484222325ull, q, sizeof(float) * q_len);
        key = fnv1a(key, k, sizeof(float) * kv_len);
        key = fnv1a(key, v, sizeof(float) * kv_len);
    }
    if (is_caching(s->kind) && s->have_memo && key == s->memo_key) {
        memcpy(o, s->memo, sizeof(float) * q_len);
        return 0;
    }

    if (s->kind == BUG_BF16) {
        for (size_t x = 0; x < q_len; x++)
            s->qr[x] = bf16_round(q[x]);
        for (size_t x = 0; x < kv_len; x++) {
            s->kr[x] = bf16_round(k[x]);
            s->vr[x] = bf16_round(v[x]);
        }
        q = s->qr;
        k = s->kr;
        v = s->vr;
    }
    for (int b = 0; b < p->batch; b++)
        for (int h = 0; h < p->heads; h++) {
            int kvh = s->kind == BUG_WRONG_KV_HEAD ? h % p->kv_heads : h / group;
            size_t qo = ((size_t)b * p->heads + h) * q_head;
            size_t kvo = ((size_t)b * p->kv_heads + kvh) * kv_head;
            int skip_row = s->kind == BUG_SKIP_LAST_KEY && b == 0 && h == 0 ? p->seq_q / 2 : -1;
            if (is_online(s->kind))
                online_head(s, q + qo, k + kvo, v + kvo, o + qo);
            else
                textbook_head(s, skip_row, q + qo, k + kvo, v + kvo, o + qo);
        }
    if (s->kind == BUG_ONE_NAN && q_len > 0)
        o[q_len / 2] = NAN;
    if (s->kind == BUG_WRITES_INPUT && q_len > 0)
        ((float *)q)[0] += 1.0f;   /* after the output is made, so only the input check sees it */
    if (is_caching(s->kind)) {
        memcpy(s->memo, o, sizeof(float) * q_len);
        s->memo_key = key;
        s->have_memo = 1;
    }
    return 0;
}

/* One exported implementation per kind: a prepare that names the kind, and the table. */
#define BUG_IMPL(sym, kind, text)                                                              \
    static int sym##_prepare(const attn_problem *p, void **state, char *why, size_t why_len) \
    {                                                                                          \
        return bug_prepare(p, state, why, why_len, kind);                                      \
    }                                                                                          \
    const attn_impl sym = {                                                                    \
        .name = #sym,                                                                          \
        .summary = text,                                                                       \
        .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS,                               \
        .available = NULL,                                                                     \
        .prepare = sym##_prepare,                                                              \
        .run = bug_run,                                                                        \
        .release = bug_release,                                                                \
    };

BUG_IMPL(bug_honest, BUG_HONEST, "correct: online softmax over blocks of 16 keys, float")
BUG_IMPL(bug_no_max_sub, BUG_NO_MAX_SUB, "bug: softmax without subtracting the row max")
BUG_IMPL(bug_scale_omitted, BUG_SCALE_OMITTED, "bug: scores not multiplied by scale")
BUG_IMPL(bug_scale_twice, BUG_SCALE_TWICE, "bug: scores multiplied by scale twice")
BUG_IMPL(bug_causal_diag_hidden, BUG_CAUSAL_DIAG_HIDDEN, "bug: causal mask hides the diagonal")
BUG_IMPL(bug_tail_dropped, BUG_TAIL_DROPPED, "bug: blocks of 32 keys, partial last one dropped")
BUG_IMPL(bug_wrong_kv_head, BUG_WRONG_KV_HEAD, "bug: GQA kv head h % kv_heads, not h / group")
BUG_IMPL(bug_softmax_wrong_axis, BUG_SOFTMAX_WRONG_AXIS, "bug: softmax over the query axis")
BUG_IMPL(bug_bf16, BUG_BF16, "bug: q, k, v and probabilities rounded to bfloat16")
BUG_IMPL(bug_one_nan, BUG_ONE_NAN, "bug: one output element NaN")
BUG_IMPL(bug_skip_last_key, BUG_SKIP_LAST_KEY, "bug: row seq_q/2 of head 0 skips its last key")
BUG_IMPL(bug_writes_input, BUG_WRITES_INPUT, "bug: correct output, but writes q[0]")
BUG_IMPL(bug_replays_output, BUG_REPLAYS_OUTPUT,
         "bug: computes once, then copies that output on every call, whatever the inputs")
BUG_IMPL(bug_memoizes, BUG_MEMOIZES,
         "bug: copies an earlier output when q, k and v hash the same: right, but not done")

const attn_impl *const bug_impls_all[] = {
    &bug_no_max_sub,
    &bug_scale_omitted,
    &bug_scale_twice,
    &bug_causal_diag_hidden,
    &bug_tail_dropped,
    &bug_wrong_kv_head,
    &bug_softmax_wrong_axis,
    &bug_bf16,
    &bug_one_nan,
    &bug_skip_last_key,
    &bug_writes_input,
    NULL,
};
