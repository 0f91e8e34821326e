/* dup_plugin.c: a plugin whose implementation reuses a built-in name, which must be refused. */
#include "plugin_stub.h"

static const attn_impl dup_impl = {
    .name = "naive",
    .summary = "test plugin: a duplicate name",
    .prepare = stub_prepare,
    .run = stub_run,
};

STUB_PLUGIN_EXPORT(dup_impl)
