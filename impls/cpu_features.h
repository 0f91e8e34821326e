/* cpu_features.h: run-time checks for instruction sets some implementations need. */
#ifndef CPU_FEATURES_H
#define CPU_FEATURES_H

#include <stddef.h>

/* 0 when AVX2 and FMA can run here (CPU has them, OS saves the YMM state); else 1 and why. */
int cpu_avx2_fma(char *why, size_t why_len);

/* 0 when AVX-512F can run here (with AVX2 and FMA, and the OS saving the ZMM and opmask
 * state); else 1 and why. */
int cpu_avx512f(char *why, size_t why_len);

#endif
