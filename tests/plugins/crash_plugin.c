/* crash_plugin.c: a plugin whose one implementation dies of SIGSEGV in run(), to show that a
 * crash becomes CRASH for its case and the sweep goes on. */
#include "attn.h"

#include <stdlib.h>

static int crash_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)p;
    (void)why;
    (void)why_len;
    *state = NULL;
    return 0;
}

static int crash_run(void *state, const float *q, const float *k, const float *v, float *o)
{
    (void)state;
    (void)q;
    (void)k;
    (void)v;
    (void)o;
    volatile int *nowhere = NULL;
    *nowhere = 1;
    return 0;
}

static const attn_impl crash_impl = {
    .name = "crasher",
    .summary = "test plugin: writes through a NULL pointer in run()",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS,
    .prepare = crash_prepare,
    .run = crash_run,
};

static const attn_impl *const impls[] = {&crash_impl, NULL};

const attn_impl *const *attn_plugin_impls(int abi_version)
{
    return abi_version == ATTN_ABI_VERSION ? impls : NULL;
}
