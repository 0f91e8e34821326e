/* peak_avx512.c: the 512-bit FMA loop, built with -mavx512f -mfma. */
#include "peak_fma.h"
#include "peak_kernels.h"

typedef float vec16 __attribute__((vector_size(64)));
PEAK_FMA_FUNCTION(peak_fma_avx512, vec16, 16)
