/* avx512_emulated_plugin.c: impls/avx512.c built with SIMDe's portable AVX-512 intrinsics
 * (the Makefile defines ATTN_AVX512_EMULATED: tests/avx512_emulated.h), as the plugin
 * "avx512-emulated", available everywhere. It checks the kernel's logic (tiles, tails, masks,
 * every variant and dtype) on machines whose CPU or hypervisor hides AVX-512, where the
 * built-in avx512 is a SKIP: tests/conformance.sh runs it over the whole grid. Its speed
 * means nothing. */
#include "../../impls/avx512.c"

__attribute__((visibility("default"))) const attn_impl *const *attn_plugin_impls(int abi_version)
{
    static attn_impl impl;
    static const attn_impl *list[] = {&impl, NULL};
    if (abi_version != ATTN_ABI_VERSION)
        return NULL;
    impl = attn_impl_avx512;
    impl.name = "avx512-emulated";
    impl.summary = "impls/avx512.c on SIMDe's portable AVX-512 intrinsics: checks, never timings";
    impl.available = NULL;
    return list;
}
