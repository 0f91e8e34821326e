/* impls_set.h: the implementations of one run: the built-ins, then those of each --plugin. */
#ifndef IMPLS_SET_H
#define IMPLS_SET_H

#include "attn.h"

#include <stddef.h>

#define SET_MAX_IMPLS 256
#define SET_MAX_PLUGINS 16       /* --plugin options one run takes */

typedef struct impls_set {
    int n;
    const attn_impl *impl[SET_MAX_IMPLS];
    const char *origin[SET_MAX_IMPLS];   /* "built-in", or the plugin's path */
} impls_set;

/* The built-ins. */
void set_init(impls_set *s);

/* dlopen()s a plugin and adds its implementations. 0, or 2 with a one-line message in err. */
int set_load_plugin(impls_set *s, const char *path, char *err, size_t err_len);

/* The implementation called name, or NULL. */
const attn_impl *set_find(const impls_set *s, const char *name);

/* "naive, tiled, ..." of every name, for error messages. */
void set_names(const impls_set *s, char *out, size_t len);

#endif
