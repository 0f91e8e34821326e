/* cmd_gbench.c: `attnbench gbench DIR FILE [--aggregates-only]`: a results directory (a run,
 * a merge, ab-compare's pooled sides) in Google Benchmark's JSON schema. */
#include "cli.h"
#include "out_gbench.h"
#include "results_read.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cmd_gbench(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    int n = 0, aggregates_only = 0;
    char err[4600];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--aggregates-only") == 0)
            aggregates_only = 1;
        else if (argv[i][0] == '-' || n == 2) {
            fprintf(stderr, "attnbench gbench: %s '%s' (usage: attnbench gbench DIR FILE"
                            " [--aggregates-only])\n",
                    argv[i][0] == '-' ? "unknown option" : "unexpected argument", argv[i]);
            return 2;
        } else
            paths[n++] = argv[i];
    }
    if (n != 2) {
        fprintf(stderr, "attnbench gbench: usage: attnbench gbench DIR FILE [--aggregates-only]\n");
        return 2;
    }
    results_file r;
    if (results_load(paths[0], &r, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench gbench: %s\n", err);
        return 2;
    }
    int rc = out_gbench_write(&r, paths[1], aggregates_only);
    if (rc != 0)
        fprintf(stderr, "attnbench gbench: cannot write %s: %s\n", paths[1], strerror(errno));
    results_free(&r);
    return rc != 0 ? 2 : 0;
}
