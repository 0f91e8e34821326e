/* avx512_simd.h: where avx512.c's AVX-512F intrinsics come from. Built into attnbench, the
 * compiler's (<immintrin.h>, the file compiled with -mavx512f). Built by the tests with
 * ATTN_AVX512_EMULATED defined, SIMDe's portable versions of the same intrinsics
 * (tests/avx512_emulated.h), so that the kernel's logic (tails, masks, every variant) is
 * checked on every machine, including those whose CPU or hypervisor hides AVX-512. */
#ifndef AVX512_SIMD_H
#define AVX512_SIMD_H

#ifdef ATTN_AVX512_EMULATED
#include "avx512_emulated.h"
/* The functions that use AVX512_BF16 are built like the rest. */
#define AVX512_BF16_FN
#else
#include <immintrin.h>
/* The functions that use AVX512_BF16: only they may hold its instructions (the file is built
 * for AVX-512F alone), and only they run where cpu_avx512_bf16 says the CPU has it. */
#define AVX512_BF16_FN __attribute__((target("avx512bf16")))
/* 32 bf16 from the bits of an integer vector (vdpbf16ps's operand type). */
#define avx512_as_bh(x) ((__m512bh)(x))
#endif

#endif
