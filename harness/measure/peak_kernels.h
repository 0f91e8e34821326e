/* peak_kernels.h: the loops that measure the machine's peaks: independent multiply-add chains
 * for each ISA (each in its own file, built for that ISA only), and a STREAM-style triad. Each
 * returns the floating-point operations it did; callers time it. */
#ifndef PEAK_KERNELS_H
#define PEAK_KERNELS_H

/* iters rounds of 12 independent chains; a result depending on every chain lands in *sink. */
double peak_fma_scalar(long iters, float *sink);   /* baseline SSE: mulss + addss */
double peak_fma_avx2(long iters, float *sink);     /* 256-bit vfmadd */
double peak_fma_avx512(long iters, float *sink);   /* 512-bit vfmadd */

#endif
