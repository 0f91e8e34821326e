/* registry.c: the static list of built-in implementations: a new built-in is its file and one
 * line here (docs/abi.md). */
#include "registry.h"

#include "flash.h"

#include <stddef.h>

const attn_impl *const attn_builtin_impls[] = {
    &attn_impl_naive,
    &attn_impl_tiled,
    &attn_impl_avx2,
    &attn_impl_avx512,
    &attn_impl_openblas,
    &attn_impl_onednn,
    NULL,
};

impl_describe_fn registry_describe(const attn_impl *impl)
{
    if (impl == &attn_impl_onednn)
        return onednn_describe;
    if (impl == &attn_impl_openblas)
        return openblas_describe;
    if (impl == &attn_impl_avx2 || impl == &attn_impl_avx512)
        return flash_describe;
    return NULL;
}
