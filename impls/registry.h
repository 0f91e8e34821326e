/* registry.h: the built-in implementations. */
#ifndef REGISTRY_H
#define REGISTRY_H

#include "attn.h"

extern const attn_impl attn_impl_naive;
extern const attn_impl attn_impl_tiled;
extern const attn_impl attn_impl_avx2;
extern const attn_impl attn_impl_openblas;
extern const attn_impl attn_impl_onednn;

/* Every built-in implementation, NULL-terminated, in the order `list` shows them. */
extern const attn_impl *const attn_builtin_impls[];

#endif
