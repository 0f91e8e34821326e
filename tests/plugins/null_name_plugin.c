/* null_name_plugin.c: a plugin whose implementation has no name at all. */
#include "plugin_stub.h"

static const attn_impl null_name_impl = {
    .name = NULL,
    .summary = "test plugin: name is NULL",
    .prepare = stub_prepare,
    .run = stub_run,
};

STUB_PLUGIN_EXPORT(null_name_impl)
