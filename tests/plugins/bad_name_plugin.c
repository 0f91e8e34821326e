/* bad_name_plugin.c: a plugin whose implementation's name breaks [a-z0-9_-]+ (an uppercase
 * letter and a space), which would break the CSV, --set impls= and the case keys. */
#include "attn.h"

#include <stddef.h>

static int bad_name_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)p;
    (void)why;
    (void)why_len;
    *state = NULL;
    return 0;
}

static int bad_name_run(void *state, const float *q, const float *k, const float *v, float *o)
{
    (void)state;
    (void)q;
    (void)k;
    (void)v;
    (void)o;
    return 0;
}

static const attn_impl bad_name_impl = {
    .name = "Bad Name",
    .summary = "test plugin: an invalid name",
    .prepare = bad_name_prepare,
    .run = bad_name_run,
};

static const attn_impl *const impls[] = {&bad_name_impl, NULL};

const attn_impl *const *attn_plugin_impls(int abi_version)
{
    return abi_version == ATTN_ABI_VERSION ? impls : NULL;
}
