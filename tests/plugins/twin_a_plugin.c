/* twin_a_plugin.c: one of two plugins (twin_a, twin_b) that both name their implementation
 * "twin": loading both must be refused, naming the plugin that took the name first. */
#include "plugin_stub.h"

static const attn_impl twin_impl = {
    .name = "twin",
    .summary = "test plugin: twin_a, named like twin_b",
    .prepare = stub_prepare,
    .run = stub_run,
};

STUB_PLUGIN_EXPORT(twin_impl)
