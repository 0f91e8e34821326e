/* impls_set.h: the implementations of one run: the built-ins, then those of each --plugin. */
#ifndef IMPLS_SET_H
#define IMPLS_SET_H

#include "attn.h"

#include <stddef.h>

#define SET_MAX_IMPLS 256
#define SET_MAX_PLUGINS 16       /* --plugin options one run takes */

/* The caps an ABI 1 implementation may declare: ABI 1 had these four bits only. */
#define SET_ABI1_CAPS (ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS)

typedef struct impls_set {
    int n;
    const attn_impl *impl[SET_MAX_IMPLS];
    const char *origin[SET_MAX_IMPLS];   /* "built-in", or the plugin's path */
    int abi[SET_MAX_IMPLS];              /* the ABI it speaks: 2, or 1 for an older plugin */
    /* An ABI 1 plugin's entries, copied with their caps cut to SET_ABI1_CAPS: its run takes
     * float pointers, which ABI 2's void pointers pass unchanged, and its prepare reads ABI
     * 1's fields, the start of ABI 2's problem. So it sees float32 cases only. */
    attn_impl abi1_copy[SET_MAX_IMPLS];
} impls_set;

/* The built-ins. */
void set_init(impls_set *s);

/* dlopen()s a plugin and adds its implementations: attn_plugin_impls(2), or on NULL (1). 0, or
 * 2 with a one-line message in err. */
int set_load_plugin(impls_set *s, const char *path, char *err, size_t err_len);

/* The implementation called name, or NULL. */
const attn_impl *set_find(const impls_set *s, const char *name);

/* The ABI the implementation speaks (2, or 1 for an older plugin's). */
int set_abi(const impls_set *s, const attn_impl *im);

/* "naive, tiled, ..." of every name, for error messages. */
void set_names(const impls_set *s, char *out, size_t len);

#endif
