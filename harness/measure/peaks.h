/* peaks.h: the machine's measured limits: peak float32 FLOP/s of a multiply-add loop for each
 * ISA the CPU has, and STREAM-triad memory bandwidth, for every thread count from 1 to the
 * number of cores. Measured in a child process (the harness never starts threads of its own),
 * best of several runs, and cached per machine. */
#ifndef PEAKS_H
#define PEAKS_H

#include <jansson.h>
#include <stddef.h>

#define PEAKS_MAX_THREADS 256

/* The ISAs a peak is measured for: X(id, name in peaks.json and results, FMA loop (peak_*.c),
 * the CPU check that says whether it runs here (cpu_features.h)). */
#define PEAK_ISA_LIST(X)                                        \
    X(SCALAR, "scalar", peak_fma_scalar, peak_cpu_any)          \
    X(AVX2, "avx2_fma", peak_fma_avx2, cpu_avx2_fma)            \
    X(AVX512, "avx512", peak_fma_avx512, cpu_avx512f)

enum {
#define PEAK_ISA_ENUM(id, name, loop, check) PEAK_##id,
    PEAK_ISA_LIST(PEAK_ISA_ENUM)
#undef PEAK_ISA_ENUM
    PEAK_ISAS
};

typedef struct peaks {
    int n_threads;                           /* thread counts measured: 1..n_threads */
    int have[PEAK_ISAS];                     /* this ISA runs here */
    char why_not[PEAK_ISAS][160];            /* when it does not */
    double gflops[PEAK_ISAS][PEAKS_MAX_THREADS]; /* [isa][threads - 1] */
    double triad_gbps[PEAKS_MAX_THREADS];    /* [threads - 1], 10^9 bytes/s */
    double triad_array_bytes;                /* each of the three arrays */
    char measured_at[40];                    /* local time of the measurement */
} peaks;

extern const char *const peak_isa_names[PEAK_ISAS];  /* "scalar", "avx2_fma", "avx512" */

/* Measures everything (a few seconds). 0, or -1 with why. */
int peaks_measure(peaks *pk, char *why, size_t why_len);

/* The best FLOP/s at this thread count over the ISAs, in GFLOP/s; the largest count measured
 * stands in for more threads than cores. 0 when nothing was measured. */
double peaks_best_gflops(const peaks *pk, int threads);

/* The roof for work in `dtype` on `threads` threads: the float32 peak for float32, and for a
 * 16-bit dtype on a CPU without arithmetic of its own for it (widened to float32, as here). 0
 * with why when there is no roof: the CPU has such arithmetic (AMX, AVX512_BF16,
 * AVX512_FP16) and attnbench does not measure its peak yet, so a case may pass the float32
 * peak honestly. */
double peaks_dtype_gflops(const peaks *pk, int threads, int dtype, char *why, size_t len);

/* Where the cached measurement of this machine lives: $ATTNBENCH_CACHE_DIR, else
 * $XDG_CACHE_HOME/attnbench, else ~/.cache/attnbench; the file name is keyed by host, CPU
 * model, online CPUs and the measurement's version. */
void peaks_cache_path(char *out, size_t len);

/* Reads the cache (0) or says why not (-1). Writes it (0, or -1: a warning, never fatal). */
int peaks_load(const char *path, peaks *pk);
int peaks_save(const char *path, const peaks *pk);

json_t *peaks_json(const peaks *pk);

/* The table `attnbench machine` prints. */
void peaks_print(const peaks *pk);

#endif
