/* plugin_stub.h: the parts the test plugins share: a prepare that keeps no state, a run that
 * writes nothing, and the exported list of one implementation. Each plugin then states only
 * what it is there to test (its name, a missing function, what its run does). */
#ifndef PLUGIN_STUB_H
#define PLUGIN_STUB_H

#include "attn.h"

#include <stddef.h>

static inline int stub_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)p;
    (void)why;
    (void)why_len;
    *state = NULL;
    return 0;
}

static inline int stub_run(void *state, const void *q, const void *k, const void *v,
                           void *o)
{
    (void)state;
    (void)q;
    (void)k;
    (void)v;
    (void)o;
    return 0;
}

/* Exports attn_plugin_impls with impl as the plugin's one implementation. */
#define STUB_PLUGIN_EXPORT(impl)                                                            \
    static const attn_impl *const stub_impls[] = {&(impl), NULL};                           \
    const attn_impl *const *attn_plugin_impls(int abi_version)                              \
    {                                                                                       \
        return abi_version == ATTN_ABI_VERSION ? stub_impls : NULL;                         \
    }

#endif
