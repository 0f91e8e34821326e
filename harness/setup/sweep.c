/* sweep.c: the cartesian product of the config's lists. Problems are ordered so that the ones
 * sharing inputs are adjacent; a case's key is its implementation plus every problem field. */
#include "sweep.h"

#include "dtype.h"
#include "gen.h"
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
    return 2.0 * (p->head_dim + p->head_dim_v) * p->heads * pairs;
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
    double rows = (double)p->batch * p->heads * p->seq_q;
    double kv_rows = (double)p->batch * p->kv_heads * p->seq_kv;
    return (double)dtype_size(p->dtype) * (p->head_dim + p->head_dim_v) * (rows + kv_rows);
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
                         "%s|%d|%d|%d|%d|%d|%d|%d|%.9g|%d|%d|%d|%d|%d|%d|%d|%d|%d|%.9g|%d;",
                         sc->impl->name, p->batch, p->heads, p->kv_heads, p->seq_q, p->seq_kv,
                         p->head_dim, p->causal, (double)p->scale, sp->dist, p->dtype,
                         p->window_left, p->window_right, p->top_left, sc->threads, sc->cold,
                         p->head_dim_v, p->kv_len != NULL, (double)p->softcap,
                         p->alibi != NULL);
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
            char names[1024], where[CFG_ERR_LEN / 2];
            set_names(impls, names, sizeof names);
            cfg_where(c, "sweep", "impls", where, sizeof where);
            snprintf(err, err_len, "%s: [sweep] impls: no implementation '%s' (known: %s)",
                     where, c->impls.v[i], names);
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

/* The sweep's dimensions, outermost first: problems that share inputs (every dimension up to
 * D_DIM_V, and dist) stay near one another. */
enum { D_BATCH, D_HEADS, D_KV_HEADS, D_SEQ, D_DIM, D_DIM_V, D_RIGHT, D_LEFT, D_ALIGN, D_KV_LEN,
       D_SOFTCAP, D_ALIBI, D_DIST, D_DTYPE, D_COUNT };

/* The lists behind the dimensions; sizes[] their lengths. */
typedef struct sweep_axes {
    long sq[CFG_MAX_LIST * CFG_MAX_LIST], skv[CFG_MAX_LIST * CFG_MAX_LIST];
    long wr[CFG_MAX_LIST];
    int size[D_COUNT];
} sweep_axes;

static void axes_make(const cfg *c, sweep_axes *a)
{
    int *n = a->size;
    n[D_BATCH] = c->batch.n;
    n[D_HEADS] = c->heads.n;
    n[D_KV_HEADS] = c->kv_heads.n ? c->kv_heads.n : 1;
    n[D_SEQ] = seq_pairs(c, a->sq, a->skv);
    n[D_DIM] = c->head_dim.n;
    n[D_DIM_V] = c->head_dim_v.n ? c->head_dim_v.n : 1;
    n[D_RIGHT] = right_edges(c, a->wr);
    n[D_LEFT] = c->window_left.n;
    n[D_ALIGN] = c->align.n;
    n[D_KV_LEN] = c->kv_len.n;
    n[D_SOFTCAP] = c->softcap.n;
    n[D_ALIBI] = c->alibi.n;
    n[D_DIST] = c->dist.n;
    n[D_DTYPE] = c->dtype.n;
}

/* What a problem's kv_len and alibi point at until sweep_pools gives them their arrays. */
static const int kv_len_pending[1];
static const float alibi_pending[1];

/* Problem number `index` of the product into *sp (its kv_len and alibi only marked); 0, or -1
 * with why it is left out of the sweep in why. */
static int problem_at(const cfg *c, const sweep_axes *a, long index, sweep_problem *sp,
                      char *why, size_t why_len)
{
    int at[D_COUNT];
    for (int dim = D_COUNT - 1; dim >= 0; dim--) {
        at[dim] = (int)(index % a->size[dim]);
        index /= a->size[dim];
    }
    int heads = (int)c->heads.v[at[D_HEADS]];
    int kv = c->kv_heads.n ? (int)c->kv_heads.v[at[D_KV_HEADS]] : heads;
    if (kv > heads || heads % kv != 0) {
        snprintf(why, why_len, "kv_heads=%d does not divide heads=%d", kv, heads);
        return -1;
    }
    int d = (int)c->head_dim.v[at[D_DIM]];
    long sq = a->sq[at[D_SEQ]], skv = a->skv[at[D_SEQ]], wr = a->wr[at[D_RIGHT]];
    long wl = c->window_left.v[at[D_LEFT]];
    int batch = (int)c->batch.v[at[D_BATCH]];
    /* With seq_q = seq_kv both alignments put the diagonal at i, and without a mask no row
     * looks at its diagonal: one problem, not two. */
    if (c->align.v[at[D_ALIGN]] == 1 && c->align.n > 1 && (sq == skv || (wr < 0 && wl < 0))) {
        snprintf(why, why_len, "align = top_left is bottom_right %s",
                 sq == skv ? "when seq_q = seq_kv" : "without a mask");
        return -1;
    }
    /* The last batch entry keeps every key: with one entry, ragged is full. */
    if (c->kv_len.v[at[D_KV_LEN]] == 1 && c->kv_len.n > 1 && batch == 1) {
        snprintf(why, why_len, "kv_len = ragged is full when batch = 1");
        return -1;
    }
    sp->p = (attn_problem){
        .batch = batch, .heads = heads, .kv_heads = kv, .seq_q = (int)sq, .seq_kv = (int)skv,
        .head_dim = d, .causal = wr == 0,
        .scale = c->scale > 0 ? (float)c->scale : (float)(1.0 / sqrt((double)d)),
    };
    sweep_neutral_fields(&sp->p);
    sp->p.dtype = (int)c->dtype.v[at[D_DTYPE]];
    sp->p.head_dim_v = c->head_dim_v.n ? (int)c->head_dim_v.v[at[D_DIM_V]] : d;
    sp->p.window_right = (int)wr;
    sp->p.window_left = (int)wl;
    sp->p.top_left = (int)c->align.v[at[D_ALIGN]];
    sp->p.softcap = (float)c->softcap.v[at[D_SOFTCAP]];
    sp->dist = (int)c->dist.v[at[D_DIST]];
    /* Marked here, pointed into the pools once they stop moving (sweep_pools). */
    sp->p.kv_len = c->kv_len.v[at[D_KV_LEN]] ? kv_len_pending : NULL;
    sp->p.alibi = c->alibi.v[at[D_ALIBI]] ? alibi_pending : NULL;
    return 0;
}

/* The pools behind the problems' kv_len and alibi (marked by problem_at): one array of
 * lengths or slopes per problem that has them. 0, or -1 when out of memory. */
static int sweep_pools(sweep *s, uint64_t seed)
{
    size_t n_lens = 0, n_slopes = 0;
    for (int pi = 0; pi < s->n_problems; pi++) {
        const attn_problem *p = &s->problems[pi].p;
        n_lens += p->kv_len != NULL ? (size_t)p->batch : 0;
        n_slopes += p->alibi != NULL ? (size_t)p->heads : 0;
    }
    s->kv_lens = malloc(sizeof(int) * (n_lens + 1));
    s->slopes = malloc(sizeof(float) * (n_slopes + 1));
    if (s->kv_lens == NULL || s->slopes == NULL)
        return -1;
    n_lens = n_slopes = 0;
    for (int pi = 0; pi < s->n_problems; pi++) {
        attn_problem *p = &s->problems[pi].p;
        if (p->kv_len != NULL) {
            gen_kv_lens(seed, p->batch, p->seq_kv, s->kv_lens + n_lens);
            p->kv_len = s->kv_lens + n_lens;
            n_lens += (size_t)p->batch;
        }
        if (p->alibi != NULL) {
            gen_alibi_slopes(p->heads, s->slopes + n_slopes);
            p->alibi = s->slopes + n_slopes;
            n_slopes += (size_t)p->heads;
        }
    }
    return 0;
}

int sweep_build(const cfg *c, const impls_set *impls, sweep *s, char *err, size_t err_len)
{
    const attn_impl *chosen[SET_MAX_IMPLS];
    int n_impls;
    int rc = resolve_impls(c, impls, chosen, &n_impls, err, err_len);
    if (rc != 0)
        return rc;

    sweep_axes a;
    axes_make(c, &a);
    double total = 1;
    for (int dim = 0; dim < D_COUNT; dim++)
        total *= a.size[dim];
    double per_problem = (double)c->threads.n * c->cache.n * n_impls;
    if (total * per_problem > SWEEP_MAX_CASES) {
        snprintf(err, err_len, "%s: the sweep has %.0f cases (limit %d)", c->source,
                 total * per_problem, SWEEP_MAX_CASES);
        return 2;
    }
    memset(s, 0, sizeof *s);
    s->problems = calloc((size_t)total + 1, sizeof *s->problems);
    s->cases = calloc((size_t)(total * per_problem) + 1, sizeof *s->cases);
    if (s->problems == NULL || s->cases == NULL)
        goto oom;

    for (long index = 0; index < (long)total; index++) {
        sweep_problem *sp = &s->problems[s->n_problems];
        char why[sizeof s->excluded_example];
        if (problem_at(c, &a, index, sp, why, sizeof why) != 0) {
            if (s->n_excluded++ == 0)
                memcpy(s->excluded_example, why, sizeof why);
            continue;
        }
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
    if (sweep_pools(s, c->seed) != 0)
        goto oom;
    for (int ci = 0; ci < s->n_cases; ci++)
        s->mean_case_flops += sweep_flops(&s->problems[s->cases[ci].problem].p);
    s->mean_case_flops /= s->n_cases > 0 ? s->n_cases : 1;
    s->n_shards = 1;
    s->whole_problems = s->n_problems;
    s->whole_cases = s->n_cases;
    sweep_identify(s, c->seed);
    return 0;
oom:
    snprintf(err, err_len, "out of memory for the sweep");
    sweep_free(s);
    return 2;
}

void sweep_free(sweep *s)
{
    free(s->problems);
    free(s->cases);
    free(s->kv_lens);
    free(s->slopes);
    s->problems = NULL;
    s->cases = NULL;
    s->kv_lens = NULL;
    s->slopes = NULL;
}
