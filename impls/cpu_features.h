/* cpu_features.h: run-time checks for instruction sets some implementations need. */
#ifndef CPU_FEATURES_H
#define CPU_FEATURES_H

#include <stddef.h>

/* 0 when AVX2 and FMA can run here (CPU has them, OS saves the YMM state); else 1 and why. */
int cpu_avx2_fma(char *why, size_t why_len);

/* 0 when AVX2, FMA and F16C (the f16 to float32 conversions) can run here; else 1 and why. */
int cpu_f16c(char *why, size_t why_len);

/* The CPU's own arithmetic for a 16-bit attn_dtype, as CPUID reports it ("AMX-BF16",
 * "AVX512_BF16"; "AMX-FP16", "AVX512_FP16"), or NULL when it has none and such data is
 * computed by widening to float32. */
const char *cpu_native_16bit(int dtype);

/* 0 when AVX-512F can run here (with AVX2 and FMA, and the OS saving the ZMM and opmask
 * state); else 1 and why. */
int cpu_avx512f(char *why, size_t why_len);

/* 0 when AVX-512F and AVX512_BF16 (vdpbf16ps: bf16 pairs dotted into float32) can run here;
 * else 1 and why. */
int cpu_avx512_bf16(char *why, size_t why_len);

/* 0 when AVX-512 F, BW, DQ and VL can run here (what OpenBLAS's SkylakeX kernels use); else 1
 * and why. */
int cpu_avx512_core(char *why, size_t why_len);

/* The environment variable that hides CPU features from attnbench, for tests: a comma-separated
 * list of "avx2", "avx512", "avx512_bf16" (a masked feature is reported absent, with this as
 * the reason). */
#define CPU_MASK_ENV "ATTNBENCH_CPU_MASK"

/* 1, and why, when CPU_MASK_ENV names feature; else 0. */
int cpu_masked(const char *feature, char *why, size_t why_len);

#endif
