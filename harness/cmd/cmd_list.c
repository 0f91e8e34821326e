/* cmd_list.c: `attnbench list`: every implementation, its caps, and its availability here. */
#include "caps.h"
#include "cli.h"
#include "impls_set.h"

#include <stdio.h>
#include <string.h>

int cmd_list(int argc, char **argv)
{
    impls_set set;
    char err[1024];

    set_init(&set);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--plugin") != 0) {
            fprintf(stderr, argv[i][0] == '-'
                    ? "attnbench list: unknown option '%s' (try: attnbench --help)\n"
                    : "attnbench list: unexpected argument '%s' (list takes only --plugin SO)\n",
                    argv[i]);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "attnbench list: --plugin needs a value\n");
            return 2;
        }
        if (set_load_plugin(&set, argv[++i], err, sizeof err) != 0) {
            fprintf(stderr, "attnbench list: %s\n", err);
            return 2;
        }
    }
    /* The caps column as wide as its longest entry, so the columns after it line up. */
    char caps[160];
    int width = 4;
    for (int i = 0; i < set.n; i++) {
        caps_text(set.impl[i]->caps, caps, sizeof caps);
        width = (int)strlen(caps) > width ? (int)strlen(caps) : width;
    }
    printf("%-16s %-9s %-*s %-9s %s\n", "name", "origin", width, "caps", "available", "summary");
    for (int i = 0; i < set.n; i++) {
        const attn_impl *im = set.impl[i];
        char why[256] = "";
        int ok = im->available == NULL || im->available(why, sizeof why) == 0;
        caps_text(im->caps, caps, sizeof caps);
        printf("%-16s %-9s %-*s %-9s %s\n", im->name,
               strcmp(set.origin[i], "built-in") == 0 ? "built-in" : "plugin", width, caps,
               ok ? "yes" : "no", im->summary ? im->summary : "");
        if (!ok)
            printf("%-16s %-9s why not: %s\n", "", "", why);
        if (strcmp(set.origin[i], "built-in") != 0)
            printf("%-16s %-9s from %s%s\n", "", "", set.origin[i],
                   set.abi[i] == 1 ? " (ABI 1: float32 cases only)" : "");
    }
    return 0;
}
