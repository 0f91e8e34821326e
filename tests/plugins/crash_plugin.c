/* crash_plugin.c: a plugin whose one implementation dies of SIGSEGV in run(), to show that a
 * crash becomes CRASH for its case and the sweep goes on. */
#include "plugin_stub.h"

#include <stdlib.h>

static int crash_run(void *state, const void *q, const void *k, const void *v, void *o)
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
    .prepare = stub_prepare,
    .run = crash_run,
};

STUB_PLUGIN_EXPORT(crash_impl)
