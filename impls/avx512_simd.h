/* avx512_simd.h: where avx512.c's AVX-512F intrinsics come from. Built into attnbench, the
 * compiler's (<immintrin.h>, the file compiled with -mavx512f). Built by the tests with
 * ATTN_AVX512_EMULATED defined, SIMDe's portable versions of the same intrinsics
 * (tests/avx512_emulated.h), so that the kernel's logic (tails, masks, every variant) is
 * checked on every machine, including those whose CPU or hypervisor hides AVX-512. */
#ifndef AVX512_SIMD_H
#define AVX512_SIMD_H

#ifdef ATTN_AVX512_EMULATED
#include "avx512_emulated.h"
#else
#include <immintrin.h>
#endif

#endif
