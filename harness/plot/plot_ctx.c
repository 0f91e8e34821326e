/* plot_ctx.c: what the figures need from a run besides its cases: the implementations in run
 * order (so each keeps its colour in every figure), the machine peaks and the miss events. */
#include "peaks.h"
#include "plot_kinds.h"
#include "plot_write.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Cache-miss events by name: callgrind's SIM_*_MISSES and PAPI's L1/L2/L3 data, instruction
 * and total misses (PAPI_L1_DCM, PAPI_L3_TCM, PAPI_L1_LDM, ...). */
static int is_miss_event(const char *name)
{
    char up[128];
    size_t n = strlen(name);
    if (n >= sizeof up)
        return 0;
    for (size_t i = 0; i <= n; i++)
        up[i] = (char)toupper((unsigned char)name[i]);
    if (strstr(up, "MISS") != NULL)
        return 1;
    if (strncmp(up, "PAPI_", 5) != 0 || n < 8)
        return 0;
    const char *end = up + n - 3;
    return !strcmp(end, "DCM") || !strcmp(end, "ICM") || !strcmp(end, "TCM") ||
           !strcmp(end, "LDM") || !strcmp(end, "STM");
}

static void read_events(plot_ctx *ctx, json_t *counters)
{
    const char *mode = json_string_value(json_object_get(counters, "mode"));
    json_t *events = json_object_get(counters, "events"), *ev;
    const char *why = NULL;
    size_t i;
    if (mode == NULL || strcmp(mode, "none") == 0) {
        snprintf(ctx->no_events, sizeof ctx->no_events,
                 "no counter values in this run (counters = none)");
        return;
    }
    json_array_foreach(events, i, ev) {
        const char *name = json_string_value(json_object_get(ev, "name"));
        if (name == NULL || !is_miss_event(name))
            continue;
        if (json_is_true(json_object_get(ev, "available")) && ctx->n_events < PLOT_MAX_EVENTS)
            ctx->events[ctx->n_events++] = name;
        else if (why == NULL)
            why = json_string_value(json_object_get(ev, "why"));
    }
    if (ctx->n_events == 0)
        snprintf(ctx->no_events, sizeof ctx->no_events,
                 "no cache-miss counter measured in this run (counters read by %s%s%.200s)", mode,
                 why ? ": " : ", and no miss event asked for", why ? why : "");
}

static int read_peaks(plot_ctx *ctx, json_t *mp, char *err, size_t len)
{
    json_t *threads = json_object_get(mp, "threads");
    json_t *gflops = json_object_get(mp, "peak_gflops"), *triad = json_object_get(mp, "triad_gbps");
    size_t n = json_array_size(threads);
    if (!json_is_object(mp) || n == 0)
        return 0;
    if (n > PLOT_MAX_PEAKS) {
        snprintf(err, len, "machine_peaks: %zu thread counts; at most %d are drawn", n,
                 PLOT_MAX_PEAKS);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(threads, i), *g = json_array_get(gflops, i);
        json_t *b = json_array_get(triad, i);
        if (!json_is_integer(t) || !json_is_number(g)) {
            snprintf(err, len, "machine_peaks: entry %zu of threads or peak_gflops is not a number",
                     i + 1);
            return -1;
        }
        ctx->peak_threads[i] = (int)json_integer_value(t);
        ctx->peak_gflops[i] = json_number_value(g);
        ctx->triad_gbps[i] = json_is_number(b) ? json_number_value(b) : NAN;
    }
    ctx->n_peaks = (int)n;
    return 0;
}

int plot_ctx_init(plot_ctx *ctx, const results_file *r, char *err, size_t len)
{
    json_t *cases = json_object_get(r->doc, "cases"), *c;
    size_t i;
    memset(ctx, 0, sizeof *ctx);
    ctx->r = r;
    json_array_foreach(cases, i, c) {
        const char *name = json_string_value(json_object_get(c, "impl"));
        int seen = 0;
        for (int k = 0; k < ctx->n_impls && !seen; k++)
            seen = strcmp(ctx->impls[k], name) == 0;
        if (seen)
            continue;
        if (ctx->n_impls == PLOT_MAX_IMPLS) {
            snprintf(err, len, "more than %d implementations; the figures tell at most %d apart",
                     PLOT_MAX_IMPLS, PLOT_MAX_IMPLS);
            return -1;
        }
        ctx->impls[ctx->n_impls++] = name;
    }
    for (int k = 0; k < r->n; k++)
        if (k == 0 || r->cases[k].threads < ctx->min_threads)
            ctx->min_threads = r->cases[k].threads;
    read_events(ctx, json_object_get(r->run, "counters"));
    return read_peaks(ctx, json_object_get(r->run, "machine_peaks"), err, len);
}

int plot_points_cap(const plot_ctx *ctx)
{
    /* The cache figure: a point per case and event; memory: a case and its footprint. */
    int per_case = ctx->n_events > 2 ? ctx->n_events : 2;
    return ctx->r->n * per_case + 1;
}

int plot_peak(const plot_ctx *ctx, int threads, double *gflops, double *gbps)
{
    for (int i = 0; i < ctx->n_peaks; i++)
        if (ctx->peak_threads[i] == threads) {
            *gflops = ctx->peak_gflops[i];
            *gbps = ctx->triad_gbps[i];
            return 0;
        }
    *gflops = *gbps = NAN;
    return -1;
}

unsigned plot_isas_measured(const plot_ctx *ctx)
{
    json_t *fma = json_object_get(json_object_get(ctx->r->run, "machine_peaks"), "fma_gflops");
    unsigned isas = 0;
    if (ctx->n_peaks == 0)
        return 0;
    /* peaks_json lists an ISA under fma_gflops only when it ran here; the others go to
     * isa_unavailable with the reason. */
    for (int isa = 0; isa < PEAK_ISAS; isa++)
        if (json_is_array(json_object_get(fma, peak_isa_names[isa])))
            isas |= 1u << isa;
    return isas;
}

double plot_isa_peak(const plot_ctx *ctx, int isa, int threads)
{
    json_t *fma = json_object_get(json_object_get(ctx->r->run, "machine_peaks"), "fma_gflops");
    json_t *a = json_object_get(fma, peak_isa_names[isa]);
    for (int i = 0; i < ctx->n_peaks; i++)
        if (ctx->peak_threads[i] == threads) {
            json_t *v = json_array_get(a, (size_t)i);
            return json_is_number(v) && json_number_value(v) > 0 ? json_number_value(v) : NAN;
        }
    return NAN;
}
