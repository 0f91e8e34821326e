/* impls_set.c: builds the list of implementations a run can use, and validates every plugin's
 * entries before the run starts, so a bad plugin is an exit-2 error and never a crash later. */
#include "impls_set.h"

#include "registry.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static int valid_name(const char *name)
{
    if (name == NULL || *name == '\0' || strlen(name) >= 64)
        return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
            return 0;
    return 1;
}

/* name as it may be shown in a one-line message: bytes outside printable ASCII as \xNN, cut
 * at 64 characters, so a plugin's junk cannot break the line or the terminal. */
static void shown_name(const char *name, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (const unsigned char *c = (const unsigned char *)name; *c && used + 8 < len; c++) {
        if (c - (const unsigned char *)name == 64) {
            snprintf(out + used, len - used, "...");
            return;
        }
        int plain = *c >= 0x20 && *c < 0x7f && *c != '\\' && *c != '\'';
        used += (size_t)snprintf(out + used, len - used, plain ? "%c" : "\\x%02x", *c);
    }
}

void set_init(impls_set *s)
{
    s->n = 0;
    for (int i = 0; attn_builtin_impls[i] != NULL; i++) {
        s->impl[s->n] = attn_builtin_impls[i];
        s->abi[s->n] = ATTN_ABI_VERSION;
        s->origin[s->n++] = "built-in";
    }
}

const attn_impl *set_find(const impls_set *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->impl[i]->name, name) == 0)
            return s->impl[i];
    return NULL;
}

/* Where the implementation called name came from ("built-in" or a plugin path), or NULL. */
static const char *set_origin(const impls_set *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->impl[i]->name, name) == 0)
            return s->origin[i];
    return NULL;
}

int set_load_plugin(impls_set *s, const char *path, char *err, size_t err_len)
{
    typedef const attn_impl *const *(*entry_fn)(int);
    /* A path without a slash would make dlopen search the library path; users mean a file. */
    char full[4096];
    snprintf(full, sizeof full, "%s%s", strchr(path, '/') ? "" : "./", path);

    void *lib = dlopen(full, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(err, err_len, "--plugin %s: cannot load: %s", path, dlerror());
        return 2;
    }
    entry_fn entry;
    *(void **)&entry = dlsym(lib, "attn_plugin_impls");
    if (entry == NULL) {
        snprintf(err, err_len, "--plugin %s: no symbol attn_plugin_impls (is it an attnbench plugin?)",
                 path);
        dlclose(lib);
        return 2;
    }
    int abi = ATTN_ABI_VERSION;
    const attn_impl *const *list = entry(abi);
    if (list == NULL)
        list = entry(abi = 1);
    if (list == NULL) {
        snprintf(err, err_len,
                 "--plugin %s: attn_plugin_impls(%d) and attn_plugin_impls(1) returned NULL: the "
                 "plugin speaks neither ABI this harness loads", path, ATTN_ABI_VERSION);
        dlclose(lib);
        return 2;
    }
    int added = 0;
    for (int i = 0; list[i] != NULL; i++) {
        const attn_impl *im = list[i];
        const char *problem = NULL, *holder;
        char taken[4200] = "", name[300] = "";
        if (im->name != NULL) {
            name[0] = ' ';
            name[1] = '(';
            name[2] = '\'';
            shown_name(im->name, name + 3, sizeof name - 5);
            strcat(name, "')");
        }
        if (im->name == NULL)
            problem = "a NULL name";
        else if (!valid_name(im->name))
            problem = "an invalid name (want [a-z0-9_-]+, under 64 characters)";
        else if (im->prepare == NULL)
            problem = "a NULL prepare";
        else if (im->run == NULL)
            problem = "a NULL run";
        else if ((holder = set_origin(s, im->name)) != NULL) {
            /* Say by whom, so that two plugins that clash can be told apart. */
            problem = "a name already taken";
            if (strcmp(holder, "built-in") == 0)
                snprintf(taken, sizeof taken, " by a built-in implementation");
            else if (strcmp(holder, path) == 0)
                snprintf(taken, sizeof taken, " (by itself: is --plugin %s given twice?)", path);
            else
                snprintf(taken, sizeof taken, " by --plugin %s", holder);
        } else if (s->n == SET_MAX_IMPLS)
            problem = "one implementation too many";
        if (problem != NULL) {
            snprintf(err, err_len, "--plugin %s: implementation %d%s has %s%s", path, i, name,
                     problem, taken);
            s->n -= added;
            dlclose(lib);
            return 2;
        }
        if (abi == 1) {
            s->abi1_copy[s->n] = *im;
            s->abi1_copy[s->n].caps &= SET_ABI1_CAPS;
            im = &s->abi1_copy[s->n];
        }
        s->impl[s->n] = im;
        s->abi[s->n] = abi;
        s->origin[s->n++] = path;
        added++;
    }
    if (added == 0) {
        snprintf(err, err_len, "--plugin %s: attn_plugin_impls returned an empty list", path);
        dlclose(lib);
        return 2;
    }
    return 0;
}

int set_abi(const impls_set *s, const attn_impl *im)
{
    for (int i = 0; i < s->n; i++)
        if (s->impl[i] == im)
            return s->abi[i];
    return ATTN_ABI_VERSION;
}

void set_names(const impls_set *s, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < s->n && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", s->impl[i]->name);
}
