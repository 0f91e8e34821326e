/* integrity_plugin.c: the integrity bugs of bug_impls.c as a plugin, so the end-to-end tests
 * see `attnbench run` refuse them: bug_replays_output (the second input set catches it) and
 * bug_memoizes (right on every input, but faster than the machine can do the work). */
#include "bug_impls.h"

static const attn_impl *const integrity_impls[] = {&bug_replays_output, &bug_memoizes, NULL};

const attn_impl *const *attn_plugin_impls(int abi_version);

const attn_impl *const *attn_plugin_impls(int abi_version)
{
    return abi_version == ATTN_ABI_VERSION ? integrity_impls : NULL;
}
