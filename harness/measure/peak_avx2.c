/* peak_avx2.c: the 256-bit FMA loop, built with -mavx2 -mfma. */
#include "peak_fma.h"
#include "peak_kernels.h"

typedef float vec8 __attribute__((vector_size(32)));
PEAK_FMA_FUNCTION(peak_fma_avx2, vec8, 8)
