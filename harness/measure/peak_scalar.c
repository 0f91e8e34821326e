/* peak_scalar.c: the scalar multiply-add loop, built for the baseline ISA without
 * vectorisation (see the Makefile): mulss + addss, one float per instruction. */
#include "peak_fma.h"
#include "peak_kernels.h"

PEAK_FMA_FUNCTION(peak_fma_scalar, float, 1)
