/* avx512_emulated.h: the AVX-512F (and AVX512_BF16) intrinsics avx512.c uses, in portable
 * C: SIMDe's (Debian's libsimde-dev) under their Intel names; the few that SIMDe 0.7.4 lacks
 * written here, lane by lane, with the semantics of Intel's intrinsics guide (a masked load
 * reads only its set lanes, as the instruction does, so the sanitizers see exactly the
 * kernel's reads); and the aligned loads and stores made to check their alignment. Included
 * through impls/avx512_simd.h when ATTN_AVX512_EMULATED is defined; tests only. */
#ifndef AVX512_EMULATED_H
#define AVX512_EMULATED_H

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>

#include "impl_dtype.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Names SIMDe gives only under its own prefix when the compiler has no AVX-512 headers on. */
#ifndef __AVX512F__
typedef simde__mmask16 __mmask16;
#endif
#ifndef _MM_FROUND_NO_EXC
#define _MM_FROUND_TO_NEAREST_INT SIMDE_MM_FROUND_TO_NEAREST_INT
#define _MM_FROUND_NO_EXC SIMDE_MM_FROUND_NO_EXC
#endif
#ifndef _CMP_EQ_OQ
#define _CMP_EQ_OQ SIMDE_CMP_EQ_OQ
#define _CMP_NLT_UQ SIMDE_CMP_NLT_UQ
#endif

static inline __m512 emu_mm512_maskz_loadu_ps(__mmask16 k, const void *p)
{
    float lane[16];
    for (int i = 0; i < 16; i++) {
        lane[i] = 0.0f;
        if (k >> i & 1)
            memcpy(&lane[i], (const char *)p + 4 * i, 4);
    }
    return _mm512_loadu_ps(lane);
}
#define _mm512_maskz_loadu_ps emu_mm512_maskz_loadu_ps

static inline __m512i emu_mm512_cvtepu16_epi32(__m256i x)
{
    uint16_t h[16];
    uint32_t w[16];
    _mm256_storeu_si256((void *)h, x);
    for (int i = 0; i < 16; i++)
        w[i] = h[i];
    return _mm512_loadu_si512((const void *)w);
}
#define _mm512_cvtepu16_epi32 emu_mm512_cvtepu16_epi32

static inline __m512 emu_mm512_cvtph_ps(__m256i x)
{
    uint16_t h[16];
    float f[16];
    _mm256_storeu_si256((void *)h, x);
    for (int i = 0; i < 16; i++)
        f[i] = impl_load(ATTN_F16, h, (size_t)i);   /* exact, as vcvtph2ps is */
    return _mm512_loadu_ps(f);
}
#define _mm512_cvtph_ps emu_mm512_cvtph_ps

/* The aligned loads and stores fault natively on an address off a 64-byte line; SIMDe's do
 * not, so these abort instead (a CRASH in the harness), and the emulation catches it too. */
static inline void emu_aligned(const void *p)
{
    if (((uintptr_t)p & 63) != 0)
        abort();
}
static inline __m512 emu_mm512_load_ps(const void *p)
{
    emu_aligned(p);
    return simde_mm512_load_ps(p);
}
static inline void emu_mm512_store_ps(void *p, __m512 x)
{
    emu_aligned(p);
    simde_mm512_store_ps(p, x);
}
static inline __m512i emu_mm512_load_si512(const void *p)
{
    emu_aligned(p);
    return simde_mm512_load_si512(p);
}
static inline void emu_mm512_store_si512(void *p, __m512i x)
{
    emu_aligned(p);
    simde_mm512_store_si512(p, x);
}
#undef _mm512_load_ps
#undef _mm512_store_ps
#undef _mm512_load_si512
#undef _mm512_store_si512
#define _mm512_load_ps emu_mm512_load_ps
#define _mm512_store_ps emu_mm512_store_ps
#define _mm512_load_si512 emu_mm512_load_si512
#define _mm512_store_si512 emu_mm512_store_si512

/* 32 bf16 from the bits of an integer vector (vdpbf16ps's operand type). */
static inline __m512bh avx512_as_bh(__m512i x)
{
    __m512bh r;
    memcpy(&r, &x, sizeof r);
    return r;
}

#endif
