/* dtype.c: names, sizes and float32 conversions of the element types (dtype.h); the
 * conversions themselves are impls/impl_dtype.h's, which the built-in kernels share. */
#include "dtype.h"

#include "impl_dtype.h"

#include <math.h>
#include <string.h>

static const struct {
    int id;
    const char *name;
    double unit_roundoff, tiny;
} dtypes[] = {
#define DTYPE_ROW(id, name, u, tiny) {id, name, u, tiny},
    DTYPE_LIST(DTYPE_ROW)
#undef DTYPE_ROW
};

const char *dtype_name(int dtype)
{
    return dtype >= 0 && dtype < DTYPE_COUNT ? dtypes[dtype].name : "?";
}

size_t dtype_size(int dtype)
{
    return impl_dtype_size(dtype);
}

double dtype_unit_roundoff(int dtype)
{
    return dtype >= 0 && dtype < DTYPE_COUNT ? dtypes[dtype].unit_roundoff
                                             : dtypes[ATTN_F32].unit_roundoff;
}

double dtype_tiny(int dtype)
{
    return dtype >= 0 && dtype < DTYPE_COUNT ? dtypes[dtype].tiny : dtypes[ATTN_F32].tiny;
}

float dtype_get(int dtype, const void *data, size_t i)
{
    return impl_load(dtype, data, i);
}

void dtype_round(int dtype, float *x, size_t n, void *out)
{
    uint16_t *h = out;
    for (size_t i = 0; i < n && dtype != ATTN_F32; i++) {
        h[i] = dtype == ATTN_BF16 ? impl_bf16_from_float(x[i]) : impl_f16_from_float(x[i]);
        x[i] = dtype_get(dtype, out, i);
    }
    if (dtype == ATTN_F32 && out != x)
        memcpy(out, x, sizeof(float) * n);
}

void dtype_fill_nan(int dtype, void *data, size_t n)
{
    uint16_t nan16 = dtype == ATTN_BF16 ? 0x7fc0u : 0x7e00u;
    for (size_t i = 0; i < n; i++) {
        if (dtype == ATTN_F32)
            ((float *)data)[i] = NAN;
        else
            ((uint16_t *)data)[i] = nan16;
    }
}
