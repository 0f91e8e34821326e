/* null_run_plugin.c: a plugin whose implementation has no run(), which must be refused when the
 * plugin loads rather than crash the first case. */
#include "plugin_stub.h"

static const attn_impl null_run_impl = {
    .name = "null_run",
    .summary = "test plugin: run is NULL",
    .prepare = stub_prepare,
    .run = NULL,
};

STUB_PLUGIN_EXPORT(null_run_impl)
