/* registry.h: the built-in implementations. */
#ifndef REGISTRY_H
#define REGISTRY_H

#include "attn.h"

extern const attn_impl attn_impl_naive;
extern const attn_impl attn_impl_tiled;
extern const attn_impl attn_impl_avx2;
extern const attn_impl attn_impl_avx512;
extern const attn_impl attn_impl_openblas;
extern const attn_impl attn_impl_onednn;

/* Every built-in implementation, NULL-terminated, in the order `list` shows them. */
extern const attn_impl *const attn_builtin_impls[];

/* For built-ins that call a library: what it chose for a prepared problem (oneDNN's
 * implementation per primitive, "QK^T matmul brg:avx512_core, ..."; OpenBLAS's kernel set), for
 * results.json. Not part of the plugin ABI: the driver asks, the kernels never print. */
typedef void (*impl_describe_fn)(const void *state, char *out, size_t len);
impl_describe_fn registry_describe(const attn_impl *impl);   /* NULL: nothing to say */

void onednn_describe(const void *state, char *out, size_t len);
void openblas_describe(const void *state, char *out, size_t len);

/* oneDNN's name of a dnnl_cpu_isa_t ("avx2", "avx512_core_amx"), for notes and results.json. */
const char *onednn_isa_name(int isa);

#endif
