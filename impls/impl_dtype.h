/* impl_dtype.h: bf16 and f16 to and from float32, rounding to nearest, ties to even: the one
 * definition of the conversions, for the built-in kernels that compute in float32 and for the
 * harness (harness/util/dtype.c), which rounds the inputs with it. Integer operations only, so
 * the result is the same with every compiler and CPU. Not part of the plugin ABI. */
#ifndef IMPL_DTYPE_H
#define IMPL_DTYPE_H

#include "attn.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t impl_bits_of(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline float impl_float_of(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static inline uint16_t impl_bf16_from_float(float x)
{
    uint32_t u = impl_bits_of(x);
    if ((u & 0x7fffffffu) > 0x7f800000u)          /* NaN: keep it a (quiet) NaN */
        return (uint16_t)((u >> 16) | 0x0040u);
    u += 0x7fffu + ((u >> 16) & 1u);              /* to nearest, ties to even */
    return (uint16_t)(u >> 16);
}

static inline float impl_bf16_to_float(uint16_t h)
{
    return impl_float_of((uint32_t)h << 16);
}

static inline uint16_t impl_f16_from_float(float x)
{
    uint32_t u = impl_bits_of(x);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u)
        return sign | 0x7e00u;                    /* NaN */
    if (a >= 0x477ff000u)                         /* rounds to 65520 or more: infinity */
        return sign | 0x7c00u;
    if (a < 0x38800000u) {                        /* under 2^-14: a subnormal f16, or 0 */
        if (a < 0x33000000u)                      /* under half the least subnormal: 0 */
            return sign;
        /* The value in units of 2^-24 (the least subnormal), rounded to even. */
        uint32_t mant = (a & 0x7fffffu) | 0x800000u;
        int shift = 126 - (int)(a >> 23);
        uint32_t keep = mant >> shift, rest = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rest > half || (rest == half && (keep & 1u)))
            keep++;
        return sign | (uint16_t)keep;
    }
    /* Normal: the exponent rebiased (127 to 15), the 23-bit mantissa rounded to 10 bits; a
     * carry out of the mantissa moves the exponent up, as it should. */
    uint32_t r = a - 0x38000000u;
    r += 0xfffu + ((r >> 13) & 1u);
    return sign | (uint16_t)(r >> 13);
}

static inline float impl_f16_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    if (e == 0x1f)
        return impl_float_of(sign | 0x7f800000u | (m << 13));
    if (e == 0)   /* zero or subnormal: m * 2^-24, exact in float */
        return (sign ? -1.0f : 1.0f) * (float)m * 5.9604644775390625e-08f;
    return impl_float_of(sign | ((e + 112) << 23) | (m << 13));
}

/* Bytes per element of dtype. */
static inline size_t impl_dtype_size(int dtype)
{
    return dtype == ATTN_F32 ? sizeof(float) : sizeof(uint16_t);
}

/* Where element i of an array of dtype lies. */
static inline const void *impl_elem_at(const void *data, size_t i, int dtype)
{
    return (const char *)data + i * impl_dtype_size(dtype);
}

/* Element i of an array of dtype, as a float. */
static inline float impl_load(int dtype, const void *data, size_t i)
{
    if (dtype == ATTN_BF16)
        return impl_bf16_to_float(((const uint16_t *)data)[i]);
    if (dtype == ATTN_F16)
        return impl_f16_to_float(((const uint16_t *)data)[i]);
    return ((const float *)data)[i];
}

/* x rounded to the nearest value of dtype, as a float (x itself in float32). */
static inline float impl_round(int dtype, float x)
{
    if (dtype == ATTN_BF16)
        return impl_bf16_to_float(impl_bf16_from_float(x));
    if (dtype == ATTN_F16)
        return impl_f16_to_float(impl_f16_from_float(x));
    return x;
}

/* Stores x, rounded to dtype, as element i of an array of dtype. */
static inline void impl_store(int dtype, void *data, size_t i, float x)
{
    if (dtype == ATTN_BF16)
        ((uint16_t *)data)[i] = impl_bf16_from_float(x);
    else if (dtype == ATTN_F16)
        ((uint16_t *)data)[i] = impl_f16_from_float(x);
    else
        ((float *)data)[i] = x;
}

/* n elements of dtype from src (starting at element at) into the floats dst. */
static inline void impl_load_row(int dtype, const void *src, size_t at, float *dst, size_t n)
{
    if (dtype == ATTN_F32) {
        memcpy(dst, (const float *)src + at, sizeof(float) * n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        dst[i] = impl_load(dtype, src, at + i);
}

/* n floats from src, rounded to dtype, into dst (starting at element at). */
static inline void impl_store_row(int dtype, void *dst, size_t at, const float *src, size_t n)
{
    if (dtype == ATTN_F32) {
        memcpy((float *)dst + at, src, sizeof(float) * n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        impl_store(dtype, dst, at + i, src[i]);
}

#endif
