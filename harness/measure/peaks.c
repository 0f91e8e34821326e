/* peaks.c: measured machine peaks (see peaks.h). FLOP/s: each thread runs the ISA's
 * multiply-add loop for about 0.1 s, the wall time of the slowest thread counts, best of five.
 * Bandwidth: a[i] = b[i] + s * c[i] over three arrays of doubles, each four times the
 * last-level caches together, counting 24 bytes per element as STREAM does (no
 * write-allocate traffic), best of five after one warm-up pass. */
#include "peaks.h"

#include "cpu_features.h"
#include "gen.h"
#include "host.h"
#include "peak_kernels.h"
#include "proc.h"
#include "topo.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PEAKS_FORMAT_VERSION 1
#define BEST_OF 5
#define FMA_RUN_S 0.1

const char *const peak_isa_names[PEAK_ISAS] = {
#define PEAK_ISA_NAME(id, name, loop, check) name,
    PEAK_ISA_LIST(PEAK_ISA_NAME)
#undef PEAK_ISA_NAME
};

/* The scalar loop runs on every x86-64. */
static int peak_cpu_any(char *why, size_t why_len)
{
    (void)why;
    (void)why_len;
    return 0;
}

static int (*const peak_cpu_checks[PEAK_ISAS])(char *, size_t) = {
#define PEAK_ISA_CHECK(id, name, loop, check) check,
    PEAK_ISA_LIST(PEAK_ISA_CHECK)
#undef PEAK_ISA_CHECK
};

typedef double (*fma_loop)(long iters, float *sink);
static const fma_loop fma_loops[PEAK_ISAS] = {
#define PEAK_ISA_LOOP(id, name, loop, check) loop,
    PEAK_ISA_LIST(PEAK_ISA_LOOP)
#undef PEAK_ISA_LOOP
};

/* One timed parallel run of the loop on `threads` threads: GFLOP/s. */
static double fma_once(fma_loop loop, long iters, int threads)
{
    double flops = 0, t0 = host_now_s();
    float sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : flops, sink)
    {
        float s;
        flops += loop(iters, &s);
        sink += s;
    }
    double dt = host_now_s() - t0;
    return sink == -1.0f ? 0 : flops / dt / 1e9;   /* sink keeps the loops alive */
}

static double fma_best(fma_loop loop, int threads)
{
    long iters = 1 << 16;
    double probe = fma_once(loop, iters, 1);
    /* Iterations for about FMA_RUN_S: flops per iteration over the probe's rate. */
    double per_iter = loop(1, &(float){0});
    iters = (long)(FMA_RUN_S * probe * 1e9 / per_iter);
    if (iters < (1 << 16))
        iters = 1 << 16;
    double best = 0;
    for (int r = 0; r < BEST_OF; r++) {
        double g = fma_once(loop, iters, threads);
        if (g > best)
            best = g;
    }
    return best;
}

static double triad_best(double *a, double *b, double *c, long n, int threads)
{
    const double s = 3.0;
    double best = 0;
    for (int r = 0; r <= BEST_OF; r++) {
        double t0 = host_now_s();
#pragma omp parallel for num_threads(threads) schedule(static)
        for (long i = 0; i < n; i++)
            a[i] = b[i] + s * c[i];
        double gbps = 3.0 * sizeof(double) * (double)n / (host_now_s() - t0) / 1e9;
        if (r > 0 && gbps > best)   /* the first pass is a warm-up */
            best = gbps;
    }
    return best;
}

/* The child's work: fills pk (shared with the parent). */
static int measure_here(void *out)
{
    peaks *pk = out;
    size_t llc = topo_llc_total_bytes();
    long n = (long)(4 * (llc > 0 ? llc : (size_t)32 << 20) / sizeof(double));
    double *a = malloc(sizeof(double) * (size_t)n), *b = malloc(sizeof(double) * (size_t)n);
    double *c = malloc(sizeof(double) * (size_t)n);
    char pus[256];
    if (a == NULL || b == NULL || c == NULL)
        return -1;
    pk->triad_array_bytes = (double)n * sizeof(double);
    for (int isa = 0; isa < PEAK_ISAS; isa++)
        pk->have[isa] = peak_cpu_checks[isa](pk->why_not[isa], sizeof pk->why_not[isa]) == 0;
    /* First touch by bound threads, so each page lies in the NUMA node of a thread using it. */
    topo_bind(BIND_SPREAD, pk->n_threads, pus, sizeof pus);
#pragma omp parallel for num_threads(pk->n_threads) schedule(static)
    for (long i = 0; i < n; i++) {
        a[i] = 0;
        b[i] = 1;
        c[i] = 2;
    }
    for (int t = 1; t <= pk->n_threads; t++) {
        /* One thread per core, so t threads measure t cores. */
        topo_bind(BIND_SPREAD, t, pus, sizeof pus);
        for (int isa = 0; isa < PEAK_ISAS; isa++)
            if (pk->have[isa])
                pk->gflops[isa][t - 1] = fma_best(fma_loops[isa], t);
        pk->triad_gbps[t - 1] = triad_best(a, b, c, n, t);
    }
    free(a);
    free(b);
    free(c);
    return 0;
}

int peaks_measure(peaks *pk, char *why, size_t why_len)
{
    time_t now = time(NULL);
    struct tm tm;
    memset(pk, 0, sizeof *pk);
    pk->n_threads = topo_cores() < PEAKS_MAX_THREADS ? topo_cores() : PEAKS_MAX_THREADS;
    strftime(pk->measured_at, sizeof pk->measured_at, "%Y-%m-%dT%H:%M:%S%z",
             localtime_r(&now, &tm));
    return proc_in_child(measure_here, pk, sizeof *pk, why, why_len);
}

double peaks_best_gflops(const peaks *pk, int threads)
{
    if (pk->n_threads < 1)
        return 0;
    int t = threads < pk->n_threads ? threads : pk->n_threads;
    double best = 0;
    for (int isa = 0; isa < PEAK_ISAS; isa++)
        if (pk->have[isa] && pk->gflops[isa][t - 1] > best)
            best = pk->gflops[isa][t - 1];
    return best;
}

double peaks_dtype_gflops(const peaks *pk, int threads, int dtype, char *why, size_t len)
{
    const char *native = dtype == ATTN_F32 ? NULL : cpu_native_16bit(dtype);
    if (native != NULL) {
        snprintf(why, len, "this CPU has %s for %s data, whose peak attnbench does not measure "
                 "yet: no roof for these cases", native, dtype == ATTN_BF16 ? "bf16" : "f16");
        return 0;
    }
    why[0] = '\0';
    return peaks_best_gflops(pk, threads);
}

static void cpu_key(char *out, size_t len)
{
    char host[256] = "host", model[256];
    gethostname(host, sizeof host);
    host_cpuinfo("model name", model, sizeof model);
    snprintf(out, len, "%s|%s|%ld|%d", host, model, sysconf(_SC_NPROCESSORS_ONLN),
             PEAKS_FORMAT_VERSION);
}

void peaks_cache_path(char *out, size_t len)
{
    char key[1400], host[64] = "host", dir[3072];
    const char *env = getenv("ATTNBENCH_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (env != NULL && env[0] != '\0')
        snprintf(dir, sizeof dir, "%s", env);
    else if (xdg != NULL && xdg[0] != '\0')
        snprintf(dir, sizeof dir, "%s/attnbench", xdg);
    else
        snprintf(dir, sizeof dir, "%s/.cache/attnbench", home ? home : "/tmp");
    cpu_key(key, sizeof key);
    gethostname(host, sizeof host);
    host[strcspn(host, "/. ")] = '\0';
    snprintf(out, len, "%s/machine-%s-%016llx.json", dir, host,
             (unsigned long long)gen_hash(key, strlen(key)));
}

static json_t *per_thread_array(const double *v, int n)
{
    json_t *a = json_array();
    for (int t = 0; t < n; t++)
        json_array_append_new(a, json_real(v[t]));
    return a;
}

json_t *peaks_json(const peaks *pk)
{
    json_t *o = json_object(), *fma = json_object(), *not = json_object(), *threads = json_array();
    double best[PEAKS_MAX_THREADS];
    for (int t = 1; t <= pk->n_threads; t++) {
        json_array_append_new(threads, json_integer(t));
        best[t - 1] = peaks_best_gflops(pk, t);
    }
    for (int isa = 0; isa < PEAK_ISAS; isa++) {
        if (pk->have[isa])
            json_object_set_new(fma, peak_isa_names[isa],
                                per_thread_array(pk->gflops[isa], pk->n_threads));
        else
            json_object_set_new(not, peak_isa_names[isa], json_string(pk->why_not[isa]));
    }
    json_object_set_new(o, "format", json_string("attnbench-machine-peaks"));
    json_object_set_new(o, "format_version", json_integer(PEAKS_FORMAT_VERSION));
    json_object_set_new(o, "measured_at", json_string(pk->measured_at));
    json_object_set_new(o, "threads", threads);
    json_object_set_new(o, "fma_gflops", fma);
    json_object_set_new(o, "isa_unavailable", not);
    json_object_set_new(o, "peak_gflops", per_thread_array(best, pk->n_threads));
    json_object_set_new(o, "triad_gbps", per_thread_array(pk->triad_gbps, pk->n_threads));
    json_object_set_new(o, "triad_array_bytes", json_real(pk->triad_array_bytes));
    /* Each dtype's roof (peaks_dtype_gflops): the float32 peak, or null with the reason. */
    json_t *roofs = json_object();
    for (int dtype = ATTN_F32; dtype <= ATTN_F16; dtype++) {
        char why[256];
        double r1 = peaks_dtype_gflops(pk, 1, dtype, why, sizeof why);
        json_object_set_new(roofs, dtype == ATTN_F32 ? "f32" : dtype == ATTN_BF16 ? "bf16" : "f16",
                            r1 > 0 ? json_string("float32 FMA peak")
                                   : json_string(why));
    }
    json_object_set_new(o, "dtype_roofs", roofs);
    return o;
}

/* Reads a per-thread array of n numbers; -1 unless it is exactly that. */
static int read_array(json_t *a, double *out, int n)
{
    if (!json_is_array(a) || (int)json_array_size(a) != n)
        return -1;
    for (int t = 0; t < n; t++) {
        json_t *v = json_array_get(a, (size_t)t);
        if (!json_is_number(v))
            return -1;
        out[t] = json_number_value(v);
    }
    return 0;
}

int peaks_load(const char *path, peaks *pk)
{
    json_error_t err;
    json_t *o = json_load_file(path, 0, &err);
    int rc = -1;
    memset(pk, 0, sizeof *pk);
    if (o == NULL)
        return -1;
    json_t *fma = json_object_get(o, "fma_gflops"), *not = json_object_get(o, "isa_unavailable");
    const char *at = json_string_value(json_object_get(o, "measured_at"));
    pk->n_threads = (int)json_array_size(json_object_get(o, "threads"));
    if (json_integer_value(json_object_get(o, "format_version")) != PEAKS_FORMAT_VERSION ||
        pk->n_threads < 1 || pk->n_threads > PEAKS_MAX_THREADS || !json_is_object(fma))
        goto out;
    snprintf(pk->measured_at, sizeof pk->measured_at, "%s", at ? at : "?");
    for (int isa = 0; isa < PEAK_ISAS; isa++) {
        json_t *a = json_object_get(fma, peak_isa_names[isa]);
        const char *why = json_string_value(json_object_get(not, peak_isa_names[isa]));
        pk->have[isa] = a != NULL;
        if (a != NULL && read_array(a, pk->gflops[isa], pk->n_threads) != 0)
            goto out;
        snprintf(pk->why_not[isa], sizeof pk->why_not[isa], "%s", why ? why : "");
    }
    if (read_array(json_object_get(o, "triad_gbps"), pk->triad_gbps, pk->n_threads) != 0)
        goto out;
    pk->triad_array_bytes = json_number_value(json_object_get(o, "triad_array_bytes"));
    rc = 0;
out:
    json_decref(o);
    return rc;
}

int peaks_save(const char *path, const peaks *pk)
{
    char tmp[4200];
    json_t *o = peaks_json(pk);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';   /* peaks_cache_path always has a directory */
    host_make_dirs(dir);
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
    int rc = json_dump_file(o, tmp, JSON_INDENT(1) | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (rc != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

void peaks_print(const peaks *pk)
{
    printf("\npeaks (measured %s; best of %d runs):\n", pk->measured_at, BEST_OF);
    printf("%7s", "threads");
    for (int isa = 0; isa < PEAK_ISAS; isa++)
        printf("  %13s", peak_isa_names[isa]);
    printf("  %12s\n", "triad");
    printf("%7s", "");
    for (int isa = 0; isa < PEAK_ISAS; isa++)
        printf("  %13s", "GFLOP/s");
    printf("  %12s\n", "GB/s");
    for (int t = 1; t <= pk->n_threads; t++) {
        printf("%7d", t);
        for (int isa = 0; isa < PEAK_ISAS; isa++)
            if (pk->have[isa])
                printf("  %13.1f", pk->gflops[isa][t - 1]);
            else
                printf("  %13s", "-");
        printf("  %12.1f\n", pk->triad_gbps[t - 1]);
    }
    for (int isa = 0; isa < PEAK_ISAS; isa++)
        if (!pk->have[isa])
            printf("%s: not measured: %s\n", peak_isa_names[isa], pk->why_not[isa]);
    printf("triad: a[i] = b[i] + 3 c[i] over 3 arrays of %.0f MiB (doubles), 24 bytes per "
           "element\n", pk->triad_array_bytes / 1048576.0);
    /* What GFLOP/s and pct_peak of a 16-bit case are held to (peaks_dtype_gflops). */
    for (int dtype = ATTN_BF16; dtype <= ATTN_F16; dtype++) {
        char why[256];
        double roof = peaks_dtype_gflops(pk, 1, dtype, why, sizeof why);
        if (roof > 0)
            printf("%s: no arithmetic of its own on this CPU (no %s): widened to float32, "
                   "held to the float32 peak\n", dtype == ATTN_BF16 ? "bf16" : "f16",
                   dtype == ATTN_BF16 ? "AVX512_BF16 or AMX-BF16" : "AVX512_FP16 or AMX-FP16");
        else
            printf("%s: %s\n", dtype == ATTN_BF16 ? "bf16" : "f16", why);
    }
}
