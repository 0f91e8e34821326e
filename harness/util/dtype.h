/* dtype.h: the element types of ABI 2 (attn.h's attn_dtype) from one list: each one's name in
 * configs and results, its size and its unit roundoff; and arrays of them read as float32 and
 * rounded from it (to nearest, ties to even: DESIGN's rule for the inputs), with the
 * conversions of impls/impl_dtype.h. */
#ifndef DTYPE_H
#define DTYPE_H

#include "attn.h"

#include <stddef.h>
#include <stdint.h>

/* X(enum, name, unit roundoff: half the gap between 1 and the next value, the relative error of
 * rounding a normal value; half the least subnormal: the absolute error of rounding below the
 * normal range) */
#define DTYPE_LIST(X)                                                                        \
    X(ATTN_F32, "f32", 0x1p-24, 0x1p-150)   /* 24 significant bits */                         \
    X(ATTN_BF16, "bf16", 0x1p-8, 0x1p-134)  /* 8 significant bits, float32's exponent */       \
    X(ATTN_F16, "f16", 0x1p-11, 0x1p-25)    /* 11 significant bits, subnormals under 2^-14 */

#define DTYPE_COUNT 3

/* "f32", "bf16", "f16"; "?" for anything else. */
const char *dtype_name(int dtype);
/* Bytes per element (impl_dtype.h's rule). */
size_t dtype_size(int dtype);
double dtype_unit_roundoff(int dtype);
/* Half the least subnormal: what rounding to the dtype may lose below its normal range. */
double dtype_tiny(int dtype);

/* Element i of an array of dtype, as a float. */
float dtype_get(int dtype, const void *data, size_t i);

/* Rounds x[0..n) in place to the values dtype can hold, and writes them in dtype's encoding
 * to out (which may be x itself for float32: nothing to do then). */
void dtype_round(int dtype, float *x, size_t n, void *out);

/* NaN in every element of an array of dtype: what a run() that leaves an element unwritten
 * leaves there, for the checker to fail. */
void dtype_fill_nan(int dtype, void *data, size_t n);

#endif
