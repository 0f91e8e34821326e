/* bad_abi_plugin.c: a plugin built for another ABI version: it returns NULL for ours. */
#include "attn.h"

#include <stddef.h>

const attn_impl *const *attn_plugin_impls(int abi_version)
{
    (void)abi_version;   /* whatever is asked, this plugin has nothing for it */
    return NULL;
}
