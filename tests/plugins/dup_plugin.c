/* dup_plugin.c: a plugin whose implementation reuses a built-in name, which must be refused. */
#include "attn.h"

#include <stddef.h>

static int dup_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)p;
    (void)why;
    (void)why_len;
    *state = NULL;
    return 0;
}

static int dup_run(void *state, const float *q, const float *k, const float *v, float *o)
{
    (void)state;
    (void)q;
    (void)k;
    (void)v;
    (void)o;
    return 0;
}

static const attn_impl dup_impl = {
    .name = "naive",
    .summary = "test plugin: a duplicate name",
    .prepare = dup_prepare,
    .run = dup_run,
};

static const attn_impl *const impls[] = {&dup_impl, NULL};

const attn_impl *const *attn_plugin_impls(int abi_version)
{
    return abi_version == ATTN_ABI_VERSION ? impls : NULL;
}
