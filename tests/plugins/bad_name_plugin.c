/* bad_name_plugin.c: a plugin whose implementation's name breaks [a-z0-9_-]+ (an uppercase
 * letter and a space), which would break the CSV, --set impls= and the case keys. */
#include "plugin_stub.h"

static const attn_impl bad_name_impl = {
    .name = "Bad Name",
    .summary = "test plugin: an invalid name",
    .prepare = stub_prepare,
    .run = stub_run,
};

STUB_PLUGIN_EXPORT(bad_name_impl)
