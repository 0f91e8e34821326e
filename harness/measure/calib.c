/* calib.c: the calibration workload (calib.h). Fixed work, timed as a median of trials: a slow
 * trial (a neighbour's burst) moves a median of five less than it moves a mean. */
#include "calib.h"

#include "host.h"
#include "peak_kernels.h"
#include "proc.h"
#include "stats.h"
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALIB_TRIALS 5
#define CALIB_FMA_ITERS (1L << 22)           /* 100 MFLOP a thread: ~10 ms at 10 GFLOP/s */
#define CALIB_TRIAD_N (4L << 20)             /* doubles per array: 32 MiB */
#define CALIB_TRIAD_PASSES 8               /* ~25 ms a trial: shorter ones scattered by 25% */

const char *const calib_part_names[CALIB_N] = {
#define CALIB_NAME(id, name, text) name,
    CALIB_PARTS(CALIB_NAME)
#undef CALIB_NAME
};

static const char *const calib_part_texts[CALIB_N] = {
#define CALIB_TEXT(id, name, text) text,
    CALIB_PARTS(CALIB_TEXT)
#undef CALIB_TEXT
};

/* The median of n trials (stats.h). */
static double median_of(const double *t, int n)
{
    stats_summary s;
    stats_summarise(t, n, &s);
    return s.median;
}

static volatile float calib_sink;   /* keeps the loops' results alive */

static double time_fma(int threads)
{
    double t[CALIB_TRIALS];
    for (int r = 0; r < CALIB_TRIALS; r++) {
        float sink = 0;
        double t0 = host_now_s();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
        {
            float s;
            peak_fma_scalar(CALIB_FMA_ITERS, &s);
            sink += s;
        }
        t[r] = host_now_s() - t0;
        calib_sink = sink;
    }
    return median_of(t, CALIB_TRIALS);
}

static double time_triad(double *a, const double *b, const double *c, int threads)
{
    double t[CALIB_TRIALS];
    for (int r = 0; r < CALIB_TRIALS; r++) {
        double t0 = host_now_s();
        for (int pass = 0; pass < CALIB_TRIAD_PASSES; pass++) {
#pragma omp parallel for num_threads(threads) schedule(static)
            for (long i = 0; i < CALIB_TRIAD_N; i++)
                a[i] = b[i] + 3.0 * c[i];
        }
        t[r] = host_now_s() - t0;
    }
    return median_of(t, CALIB_TRIALS);
}

/* The child's work: fills out (shared with the parent). */
static int measure_here(void *shared)
{
    calib_sample *out = shared;
    int cores = topo_cores() > 0 ? topo_cores() : 1;
    char pus[256];
    double *a = malloc(sizeof(double) * CALIB_TRIAD_N), *b = malloc(sizeof(double) * CALIB_TRIAD_N);
    double *c = malloc(sizeof(double) * CALIB_TRIAD_N);
    if (a == NULL || b == NULL || c == NULL)
        return -1;
    topo_bind(BIND_SPREAD, 1, pus, sizeof pus);
    out->s[CALIB_COMPUTE_1T] = time_fma(1);
    topo_bind(BIND_SPREAD, cores, pus, sizeof pus);
    out->s[CALIB_COMPUTE_ALL] = time_fma(cores);
    /* First touch by the threads that use the pages, and one pass to settle: not timed. */
#pragma omp parallel for num_threads(cores) schedule(static)
    for (long i = 0; i < CALIB_TRIAD_N; i++) {
        a[i] = 0;
        b[i] = 1;
        c[i] = 2;
    }
    out->s[CALIB_MEMORY] = time_triad(a, b, c, cores);
    free(a);
    free(b);
    free(c);
    return 0;
}

int calib_measure(calib_sample *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    return proc_in_child(measure_here, out, sizeof *out, why, why_len);
}

int calib_enabled(void)
{
    const char *v = getenv("ATTNBENCH_CALIBRATION");
    return v == NULL || strcmp(v, "off") != 0;
}

json_t *calib_json(const calib_sample *c, int round)
{
    json_t *o = json_pack("{s:i}", "round", round);
    for (int i = 0; i < CALIB_N; i++)
        json_object_set_new(o, calib_part_names[i], json_real(c->s[i]));
    return o;
}

int calib_from_json(json_t *o, calib_sample *c)
{
    for (int i = 0; i < CALIB_N; i++) {
        json_t *v = json_object_get(o, calib_part_names[i]);
        if (!json_is_number(v) || json_number_value(v) <= 0)
            return -1;
        c->s[i] = json_number_value(v);
    }
    return 0;
}

json_t *calib_workload_json(void)
{
    json_t *o = json_object();
    for (int i = 0; i < CALIB_N; i++)
        json_object_set_new(o, calib_part_names[i], json_string(calib_part_texts[i]));
    json_object_set_new(o, "statistic", json_string("median of 5 trials, in seconds"));
    return o;
}
