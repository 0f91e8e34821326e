/* sweep.c: the cartesian product of the config's lists. Problems are ordered so that the ones
 * sharing inputs are adjacent; a case's key is its implementation plus every problem field. */
#include "sweep.h"

#include "ref.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWEEP_MAX_CASES 1000000

double sweep_flops(const attn_problem *p)
{
    double pairs = 0;
    for (int b = 0; b < p->batch; b++)
        for (int i = 0; i < p->seq_q; i++)
            pairs += ref_visible(p, b, i);
    return 4.0 * p->head_dim * p->heads * pairs;
}

void sweep_neutral_fields(attn_problem *p)
{
    p->head_dim_v = p->head_dim;
    p->window_left = -1;
    p->window_right = p->causal ? 0 : -1;
    p->top_left = 0;
    p->kv_len = NULL;
    p->softcap = 0;
    p->alibi = NULL;
}

double sweep_min_bytes(const attn_problem *p)
{
    double q = (double)p->batch * p->heads * p->seq_q * p->head_dim;
    double kv = (double)p->batch * p->kv_heads * p->seq_kv * p->head_dim;
    return sizeof(float) * (2 * q + 2 * kv);
}

double sweep_weight(const sweep *s, double flops)
{
    return flops + s->mean_case_flops;
}

/* FNV-1a, 64 bits, over n bytes, continuing from h. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void sweep_identify(sweep *s, unsigned long long seed)
{
    uint64_t h = 0xcbf29ce484222325ull;
    char text[256];
    for (int ci = 0; ci < s->n_cases; ci++) {
        const sweep_case *sc = &s->cases[ci];
        const sweep_problem *sp = &s->problems[sc->problem];
        const attn_problem *p = &sp->p;
        int n = snprintf(text, sizeof text,
                         "%s|%d|%d|%d|%d|%d|%d|%d|%.9g|%d|%d|%d|%d|%d|%d|%d;",
                         sc->impl->name, p->batch, p->heads, p->kv_heads, p->seq_q, p->seq_kv,
                         p->head_dim, p->causal, (double)p->scale, sp->dist, p->dtype,
                         p->window_left, p->window_right, p->top_left, sc->threads, sc->cold);
        h = fnv1a(h, text, (size_t)n);
    }
    h = fnv1a(h, &seed, sizeof seed);
    snprintf(s->id, sizeof s->id, "%016llx", (unsigned long long)h);
}

/* The implementations a config names, resolved; "all" is every one in the set. */
static int resolve_impls(const cfg *c, const impls_set *impls, const attn_impl **out, int *n,
                         char *err, size_t err_len)
{
    *n = 0;
    for (int i = 0; i < c->impls.n; i++) {
        if (strcmp(c->impls.v[i], "all") == 0) {
            for (int j = 0; j < impls->n; j++) {
                int dup = 0;
                for (int m = 0; m < *n; m++)
                    dup |= out[m] == impls->impl[j];
                if (!dup)
                    out[(*n)++] = impls->impl[j];
            }
            continue;
        }
        const attn_impl *im = set_find(impls, c->impls.v[i]);
        if (im == NULL) {
            char names[1024];
            set_names(impls, names, sizeof names);
            snprintf(err, err_len, "%s: [sweep] impls: no implementation '%s' (known: %s)",
                     c->source, c->impls.v[i], names);
            return 2;
        }
        int dup = 0;
        for (int m = 0; m < *n; m++)
            dup |= out[m] == im;
        if (!dup)
            out[(*n)++] = im;
    }
    return 0;
}

/* seq_len pairs up (s, s); seq_q / seq_kv, where given, replace its side and multiply. The
 * pairs into sq and skv; their count. */
static int seq_pairs(const cfg *c, long *sq, long *skv)
{
    int n = 0;
    if (c->seq_q.n == 0 && c->seq_kv.n == 0) {
        for (int i = 0; i < c->seq_len.n; i++, n++)
            sq[n] = skv[n] = c->seq_len.v[i];
        return n;
    }
    const cfg_list *lq = c->seq_q.n ? &c->seq_q : &c->seq_len;
    const cfg_list *lkv = c->seq_kv.n ? &c->seq_kv : &c->seq_len;
    for (int i = 0; i < lq->n; i++)
        for (int j = 0; j < lkv->n; j++, n++) {
            sq[n] = lq->v[i];
            skv[n] = lkv->v[j];
        }
    return n;
}

/* The right edges of the window to sweep, into wr: window_right's list, or from causal (0 when
 * causal, else -1); config_read.c refuses both at once. Their count. */
static int right_edges(const cfg *c, long *wr)
{
    if (c->window_right.n > 0) {
        for (int i = 0; i < c->window_right.n; i++)
            wr[i] = c->window_right.v[i];
        return c->window_right.n;
    }
    for (int i = 0; i < c->causal.n; i++)
        wr[i] = c->causal.v[i] ? 0 : -1;
    return c->causal.n;
}

int sweep_build(const cfg *c, const impls_set *impls, sweep *s, char *err, size_t err_len)
{
    const attn_impl *chosen[SET_MAX_IMPLS];
    int n_impls;
    int rc = resolve_impls(c, impls, chosen, &n_impls, err, err_len);
    if (rc != 0)
        return rc;

    long sq[CFG_MAX_LIST * CFG_MAX_LIST], skv[CFG_MAX_LIST * CFG_MAX_LIST], wr[CFG_MAX_LIST];
    int n_seq = seq_pairs(c, sq, skv), n_wr = right_edges(c, wr);
    double total = (double)c->batch.n * c->heads.n * (c->kv_heads.n ? c->kv_heads.n : 1) * n_seq *
                   c->head_dim.n * n_wr * c->window_left.n * c->align.n * c->dist.n *
                   c->dtype.n;
    double per_problem = (double)c->threads.n * c->cache.n * n_impls;
    if (total * per_problem > SWEEP_MAX_CASES) {
        snprintf(err, err_len, "%s: the sweep has %.0f cases (limit %d)", c->source,
                 total * per_problem, SWEEP_MAX_CASES);
        return 2;
    }
    memset(s, 0, sizeof *s);
    s->problems = calloc((size_t)total + 1, sizeof *s->problems);
    s->cases = calloc((size_t)(total * per_problem) + 1, sizeof *s->cases);
    if (s->problems == NULL || s->cases == NULL) {
        snprintf(err, err_len, "out of memory for the sweep");
        sweep_free(s);
        return 2;
    }

    int n_kv = c->kv_heads.n ? c->kv_heads.n : 1;
    for (int ib = 0; ib < c->batch.n; ib++)
    for (int ih = 0; ih < c->heads.n; ih++)
    for (int ik = 0; ik < n_kv; ik++)
    for (int is = 0; is < n_seq; is++)
    for (int id = 0; id < c->head_dim.n; id++)
    for (int ic = 0; ic < n_wr; ic++)
    for (int iw = 0; iw < c->window_left.n; iw++)
    for (int il = 0; il < c->align.n; il++)
    for (int ix = 0; ix < c->dist.n; ix++)
    for (int iy = 0; iy < c->dtype.n; iy++) {
        int heads = (int)c->heads.v[ih];
        int kv = c->kv_heads.n ? (int)c->kv_heads.v[ik] : heads;
        if (kv > heads || heads % kv != 0) {
            if (s->n_excluded++ == 0)
                snprintf(s->excluded_example, sizeof s->excluded_example,
                         "kv_heads=%d does not divide heads=%d", kv, heads);
            continue;
        }
        /* With seq_q = seq_kv both alignments put the diagonal at i, and without a mask no
         * row looks at its diagonal: one problem, not two. */
        int unmasked = wr[ic] < 0 && c->window_left.v[iw] < 0;
        if (c->align.v[il] == 1 && c->align.n > 1 && (sq[is] == skv[is] || unmasked)) {
            if (s->n_excluded++ == 0)
                snprintf(s->excluded_example, sizeof s->excluded_example,
                         unmasked ? "align = top_left is bottom_right without a mask"
                                  : "align = top_left is bottom_right when seq_q = seq_kv");
            continue;
        }
        sweep_problem *sp = &s->problems[s->n_problems];
        int d = (int)c->head_dim.v[id];
        sp->p = (attn_problem){
            .batch = (int)c->batch.v[ib], .heads = heads, .kv_heads = kv,
            .seq_q = (int)sq[is], .seq_kv = (int)skv[is], .head_dim = d,
            .causal = wr[ic] == 0,
            .scale = c->scale > 0 ? (float)c->scale : (float)(1.0 / sqrt((double)d)),
        };
        sp->p.dtype = (int)c->dtype.v[iy];
        sweep_neutral_fields(&sp->p);
        sp->p.window_right = (int)wr[ic];
        sp->p.window_left = (int)c->window_left.v[iw];
        sp->p.top_left = (int)c->align.v[il];
        sp->dist = (int)c->dist.v[ix];
        sp->first_case = s->n_cases;
        for (int it = 0; it < c->threads.n; it++)
            for (int ia = 0; ia < c->cache.n; ia++)
                for (int im = 0; im < n_impls; im++)
                    s->cases[s->n_cases++] = (sweep_case){s->n_problems, chosen[im],
                                                          set_abi(impls, chosen[im]),
                                                          (int)c->threads.v[it],
                                                          (int)c->cache.v[ia]};
        sp->n_cases = s->n_cases - sp->first_case;
        s->n_problems++;
    }
    for (int ci = 0; ci < s->n_cases; ci++)
        s->mean_case_flops += sweep_flops(&s->problems[s->cases[ci].problem].p);
    s->mean_case_flops /= s->n_cases > 0 ? s->n_cases : 1;
    s->n_shards = 1;
    s->whole_problems = s->n_problems;
    s->whole_cases = s->n_cases;
    sweep_identify(s, c->seed);
    return 0;
}

void sweep_free(sweep *s)
{
    free(s->problems);
    free(s->cases);
    s->problems = NULL;
    s->cases = NULL;
}
