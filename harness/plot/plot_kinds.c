/* plot_kinds.c: the table of figures and, for each, which cases it draws and how: only values
 * a case measured (a case that never ran has no time, an exact output no error to log). */
#include "plot_kinds.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define F(x) FACET_BIT(FACET_##x)
/* Every field that tells two problems apart, for figures drawn against the sequence length. */
#define PROBLEM (F(THREADS) | F(CACHE) | F(DTYPE) | F(DIST) | F(BATCH) | F(HEAD_DIM) | \
                 F(SEQ_Q) | F(CAUSAL) | F(VARIANT) | F(KV) | F(HEADS))

static int impl_index(const plot_ctx *ctx, const char *impl)
{
    for (int k = 0; k < ctx->n_impls; k++)
        if (strcmp(ctx->impls[k], impl) == 0)
            return k;
    return -1;
}

/* Cases that ran and were checked: only they have a time and errors. */
static int ran(const results_case *c)
{
    return strcmp(c->status, "PASS") == 0 || strcmp(c->status, "FAIL") == 0;
}

static int positive(double v)
{
    return isfinite(v) && v > 0;
}

static void add(plot_point *pts, int *n, int cap, const results_case *c, int impl, double x,
                double y0, double y1)
{
    if (*n >= cap)
        return;
    plot_point *p = &pts[(*n)++];
    memset(p, 0, sizeof *p);
    p->c = c;
    p->impl = impl;
    p->x = x;
    p->y[0] = y0;
    p->y[1] = y1;
    p->y[2] = NAN;
}

/* One point per case that ran with field y positive, at x = seq_kv (or arith_intensity). */
static int collect_field(const plot_ctx *ctx, plot_point *pts, int cap, const char *field,
                         int x_ai)
{
    int n = 0;
    for (int i = 0; i < ctx->r->n; i++) {
        const results_case *c = &ctx->r->cases[i];
        double y = results_number(c, field);
        double x = x_ai ? results_number(c, "arith_intensity") : c->seq_kv;
        if (ran(c) && positive(y) && positive(x))
            add(pts, &n, cap, c, impl_index(ctx, c->impl), x, y, NAN);
    }
    return n;
}

static int collect_time(const plot_ctx *ctx, plot_point *pts, int cap, char *why, size_t len)
{
    int n = collect_field(ctx, pts, cap, "time_median_s", 0);
    if (n == 0)
        snprintf(why, len, "no case ran to a time (only PASS and FAIL cases have one)");
    return n;
}

static int collect_gflops(const plot_ctx *ctx, plot_point *pts, int cap, char *why, size_t len)
{
    int n = collect_field(ctx, pts, cap, "gflops", 0);
    if (n == 0)
        snprintf(why, len, "no case ran to a time (only PASS and FAIL cases have one)");
    return n;
}

static int collect_roofline(const plot_ctx *ctx, plot_point *pts, int cap, char *why,
                            size_t len)
{
    if (ctx->n_peaks == 0) {
        snprintf(why, len, "no machine peaks in this run (peaks = off, or not measurable here)");
        return 0;
    }
    int n = collect_field(ctx, pts, cap, "gflops", 1);
    if (n == 0)
        snprintf(why, len, "no case with both GFLOP/s and an arithmetic intensity");
    return n;
}

static int collect_cache(const plot_ctx *ctx, plot_point *pts, int cap, char *why, size_t len)
{
    int n = 0;
    if (ctx->n_events == 0) {
        snprintf(why, len, "%s", ctx->no_events);
        return 0;
    }
    for (int e = 0; e < ctx->n_events; e++)
        for (int i = 0; i < ctx->r->n; i++) {
            const results_case *c = &ctx->r->cases[i];
            const char *event;
            double v = results_counter(c, ctx->events[e], &event);
            double flops = results_number(c, "flops");
            /* callgrind simulates one thread whatever the case's count: the other counts
             * carry the same numbers, so draw them once, at the fewest threads. */
            if (strncmp(ctx->events[e], "SIM_", 4) == 0 && c->threads != ctx->min_threads)
                continue;
            if (!ran(c) || !positive(flops) || !positive(v))
                continue;
            add(pts, &n, cap, c, impl_index(ctx, c->impl), c->seq_kv, v * 1000 / flops, NAN);
            pts[n - 1].event = ctx->events[e];
        }
    if (n == 0)
        snprintf(why, len, "the miss counters hold no nonzero value for any case that ran");
    return n;
}

static int collect_memory(const plot_ctx *ctx, plot_point *pts, int cap, char *why, size_t len)
{
    int n = 0;
    for (int i = 0; i < ctx->r->n; i++) {
        const results_case *c = &ctx->r->cases[i];
        double ws = results_number(c, "workspace_bytes");
        double fp = results_number(c, "min_footprint_bytes");
        if (!positive(ws))
            continue;
        add(pts, &n, cap, c, impl_index(ctx, c->impl), c->seq_kv, ws, NAN);
        if (positive(fp))
            add(pts, &n, cap, c, -1, c->seq_kv, fp, NAN);
    }
    if (n == 0)
        snprintf(why, len, "no case measured a workspace");
    return n;
}

static int collect_accuracy(const plot_ctx *ctx, plot_point *pts, int cap, char *why,
                            size_t len)
{
    int n = 0;
    for (int i = 0; i < ctx->r->n; i++) {
        const results_case *c = &ctx->r->cases[i];
        double rel = results_number(c, "rel_l2_err"), mx = results_number(c, "max_abs_err");
        /* Both are 0 for an exact output, which a log axis cannot show. */
        if (ran(c) && positive(rel) && positive(mx))
            add(pts, &n, cap, c, impl_index(ctx, c->impl), c->seq_kv, rel, mx);
    }
    if (n == 0)
        snprintf(why, len, "no case that ran has a nonzero, finite error");
    return n;
}

static int collect_tolerance(const plot_ctx *ctx, plot_point *pts, int cap, char *why,
                             size_t len)
{
    int n = collect_field(ctx, pts, cap, "tol_ratio", 0);
    if (n == 0)
        snprintf(why, len, "no case that ran has a nonzero, finite error / tolerance ratio");
    return n;
}

/* a and b have the same mask (causal, window, alignment), variants and data type. */
static int same_mask_and_dtype(const results_case *a, const results_case *b)
{
    return a->causal == b->causal && a->var.top_left == b->var.top_left &&
           a->var.window_left == b->var.window_left &&
           a->var.window_right == b->var.window_right && !strcmp(a->var_words, b->var_words) &&
           !strcmp(a->dtype, b->dtype);
}

/* a and b are the same problem and implementation, whatever their threads. */
static int same_but_threads(const results_case *a, const results_case *b)
{
    return a->batch == b->batch && a->heads == b->heads && a->kv_heads == b->kv_heads &&
           a->seq_q == b->seq_q && a->seq_kv == b->seq_kv && a->head_dim == b->head_dim &&
           same_mask_and_dtype(a, b) && !strcmp(a->dist, b->dist) &&
           !strcmp(a->cache, b->cache) && !strcmp(a->impl, b->impl);
}

/* The longest seq_kv that cases like c (any implementation, any threads) ran to a time: among
 * square problems (seq_q = seq_kv) if c is one, else among those with c's seq_q. */
static int longest(const plot_ctx *ctx, const results_case *c)
{
    int best = c->seq_kv;
    for (int i = 0; i < ctx->r->n; i++) {
        const results_case *o = &ctx->r->cases[i];
        if (ran(o) && o->batch == c->batch && o->heads == c->heads &&
            o->kv_heads == c->kv_heads && o->head_dim == c->head_dim && same_mask_and_dtype(o, c) &&
            (c->seq_q == c->seq_kv ? o->seq_q == o->seq_kv
                                   : o->seq_q == c->seq_q && o->seq_q != o->seq_kv) &&
            !strcmp(o->dist, c->dist) &&
            !strcmp(o->cache, c->cache) && o->seq_kv > best)
            best = o->seq_kv;
    }
    return best;
}

static int collect_scaling(const plot_ctx *ctx, plot_point *pts, int cap, char *why, size_t len)
{
    int n = 0;
    for (int i = 0; i < ctx->r->n; i++) {
        const results_case *c = &ctx->r->cases[i], *base = NULL;
        double t = results_number(c, "time_median_s");
        int others = 0;
        if (!ran(c) || !positive(t) || c->seq_kv != longest(ctx, c))
            continue;
        for (int j = 0; j < ctx->r->n; j++) {
            const results_case *o = &ctx->r->cases[j];
            if (!ran(o) || !positive(results_number(o, "time_median_s")) ||
                !same_but_threads(o, c))
                continue;
            others += o->threads != c->threads;
            if (base == NULL || o->threads < base->threads)
                base = o;
        }
        if (others == 0)
            continue;
        add(pts, &n, cap, c, impl_index(ctx, c->impl), c->threads,
            results_number(base, "time_median_s") / t, NAN);
    }
    if (n == 0)
        snprintf(why, len, "no problem ran on more than one thread count");
    return n;
}

const plot_kind plot_kinds[] = {
    {"time", "plot-time.gp", "Time per run() vs sequence length",
     "Median time of the timed repetitions, log-log, a line per implementation (PASS and FAIL "
     "cases; the others have no time).",
     PLOT_X_SEQ, PROBLEM, 0, 1, "seq_kv\ttime_median_s", collect_time},
    {"gflops", "plot-gflops.gp", "GFLOP/s vs sequence length",
     "Useful work (4 d B H visible pairs) over the median time; the dashed line is the "
     "machine's measured FMA peak at the panel's thread count.",
     PLOT_X_SEQ, PROBLEM, 0, 1, "seq_kv\tgflops", collect_gflops},
    {"roofline", "plot-roofline.gp", "Roofline",
     "Every timed case at its arithmetic intensity (FLOP per byte of the minimum footprint), "
     "under the triad GB/s x intensity slope and a compute ceiling per ISA whose FMA peak was "
     "measured here (scalar, avx2_fma, avx512: an AVX2 kernel is bound by the AVX2 one); the "
     "panel titles give their values.",
     PLOT_X_AI, F(THREADS) | F(CACHE) | F(DTYPE), 0, 1, "arith_intensity\tgflops", collect_roofline},
    {"cache", "plot-cache.gp", "Cache misses per 1000 FLOP",
     "Misses of each counted cache level per 1000 FLOP of useful work, a file per event; the "
     "title says whether the counts are hardware (PAPI) or simulated (callgrind).",
     PLOT_X_SEQ, F(EVENT) | PROBLEM, F(EVENT), 1, "seq_kv\tmisses_per_1000_flop",
     collect_cache},
    {"memory", "plot-memory.gp", "Memory vs sequence length",
     "workspace_bytes (heap the implementation held beyond the inputs and output), log-log, "
     "against the problem's minimum footprint (Q, K, V and O in float32, once each).",
     PLOT_X_SEQ, PROBLEM, 0, 1, "seq_kv\tworkspace_bytes",
     collect_memory},
    {"accuracy", "plot-accuracy.gp", "Error vs sequence length",
     "Relative L2 error (solid) and max abs error (dashed) against the double-precision "
     "reference; exact outputs (error 0) cannot be drawn on the log axis.",
     PLOT_X_SEQ, PROBLEM, 0, 2, "seq_kv\trel_l2_err\tmax_abs_err", collect_accuracy},
    {"tolerance", "plot-tolerance.gp", "Error relative to the tolerance",
     "The worst element's error over the error the tolerance model allows it (tol_ratio); a "
     "case passes at or below the dashed black line at 1, and fails in the pale red band "
     "above it.",
     PLOT_X_SEQ, PROBLEM, 0, 1, "seq_kv\ttol_ratio", collect_tolerance},
    {"scaling", "plot-scaling.gp", "Thread scaling",
     "Speedup over the fewest threads (that time over this one), at the longest sequence "
     "each problem ran; the dashed line is ideal scaling.",
     PLOT_X_THREADS, (PROBLEM & ~F(THREADS)) | F(SEQ), 0, 1, "threads\tspeedup",
     collect_scaling},
};
const int plot_n_kinds = sizeof plot_kinds / sizeof plot_kinds[0];
_Static_assert(sizeof plot_kinds / sizeof plot_kinds[0] <= PLOT_MAX_KINDS,
               "raise PLOT_MAX_KINDS");
