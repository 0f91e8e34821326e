/* null_run_plugin.c: a plugin whose implementation has no run(), which must be refused when the
 * plugin loads rather than crash the first case. */
#include "attn.h"

#include <stddef.h>

static int null_run_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)p;
    (void)why;
    (void)why_len;
    *state = NULL;
    return 0;
}

static const attn_impl null_run_impl = {
    .name = "null_run",
    .summary = "test plugin: run is NULL",
    .prepare = null_run_prepare,
    .run = NULL,
};

static const attn_impl *const impls[] = {&null_run_impl, NULL};

const attn_impl *const *attn_plugin_impls(int abi_version)
{
    return abi_version == ATTN_ABI_VERSION ? impls : NULL;
}
