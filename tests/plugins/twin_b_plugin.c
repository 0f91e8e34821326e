/* twin_b_plugin.c: one of two plugins (twin_a, twin_b) that both name their implementation
 * "twin": loading both must be refused, naming the plugin that took the name first. */
#include "attn.h"

#include <stddef.h>

static int twin_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)p;
    (void)why;
    (void)why_len;
    *state = NULL;
    return 0;
}

static int twin_run(void *state, const float *q, const float *k, const float *v, float *o)
{
    (void)state;
    (void)q;
    (void)k;
    (void)v;
    (void)o;
    return 0;
}

static const attn_impl twin_impl = {
    .name = "twin",
    .summary = "test plugin: twin_b, named like twin_a",
    .prepare = twin_prepare,
    .run = twin_run,
};

static const attn_impl *const impls[] = {&twin_impl, NULL};

const attn_impl *const *attn_plugin_impls(int abi_version)
{
    return abi_version == ATTN_ABI_VERSION ? impls : NULL;
}
