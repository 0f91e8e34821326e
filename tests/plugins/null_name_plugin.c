/* null_name_plugin.c: a plugin whose implementation has no name at all. */
#include "attn.h"

#include <stddef.h>

static int null_name_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)p;
    (void)why;
    (void)why_len;
    *state = NULL;
    return 0;
}

static int null_name_run(void *state, const float *q, const float *k, const float *v, float *o)
{
    (void)state;
    (void)q;
    (void)k;
    (void)v;
    (void)o;
    return 0;
}

static const attn_impl null_name_impl = {
    .name = NULL,
    .summary = "test plugin: name is NULL",
    .prepare = null_name_prepare,
    .run = null_name_run,
};

static const attn_impl *const impls[] = {&null_name_impl, NULL};

const attn_impl *const *attn_plugin_impls(int abi_version)
{
    return abi_version == ATTN_ABI_VERSION ? impls : NULL;
}
