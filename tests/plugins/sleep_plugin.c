/* sleep_plugin.c: a plugin whose run() sleeps until it is killed while ATTNBENCH_TEST_SLEEP is
 * set, and which is unavailable (SKIP) otherwise: a case that is reliably still running when a
 * test interrupts the sweep, and that a resumed run then gets past. ATTNBENCH_TEST_SLEEP_TASK=I
 * does the same in Slurm's array task I alone (SLURM_ARRAY_TASK_ID), so that one shard of a
 * sweep on a cluster hangs and the others finish. */
#include "plugin_stub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int sleep_available(char *why, size_t why_len)
{
    const char *task = getenv("ATTNBENCH_TEST_SLEEP_TASK");
    const char *mine = getenv("SLURM_ARRAY_TASK_ID");
    if (getenv("ATTNBENCH_TEST_SLEEP") != NULL)
        return 0;
    if (task != NULL && mine != NULL && strcmp(task, mine) == 0)
        return 0;
    snprintf(why, why_len, "sleeps only while ATTNBENCH_TEST_SLEEP is set");
    return 1;
}

static int sleep_run(void *state, const void *q, const void *k, const void *v, void *o)
{
    (void)state;
    (void)q;
    (void)k;
    (void)v;
    (void)o;
    for (;;)
        pause();
    return 0;
}

static const attn_impl sleep_impl = {
    .name = "sleeper",
    .summary = "test plugin: run() sleeps until killed (while ATTNBENCH_TEST_SLEEP is set)",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS,
    .available = sleep_available,
    .prepare = stub_prepare,
    .run = sleep_run,
};

STUB_PLUGIN_EXPORT(sleep_impl)
