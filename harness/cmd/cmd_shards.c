/* cmd_shards.c: `attnbench shards DIR...`: where each shard of a sweep stands, one line each:
 * complete, or unfinished with the command that finishes it. scripts/slurm-sweep --resume asks
 * it which shards to run again. Exit 0 when every one is complete, 1 when one is not, 2 when a
 * DIR is no results directory at all. */
#include "cli.h"
#include "results_read.h"
#include "shard_check.h"

#include <stdio.h>
#include <string.h>

/* One DIR's line. 0 complete, 1 unfinished, 2 not a results directory. */
static int shard_status(const char *dir)
{
    char err[4600], example[RESULTS_KEY_LEN];
    results_file r;
    int index, count;
    if (results_unfinished(dir)) {
        printf("%s: unfinished: no results.json yet (killed, or still running); continue with: "
               "attnbench run --resume %s\n", dir, dir);
        return 1;
    }
    if (results_load(dir, &r, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench shards: %s\n", err);
        return 2;
    }
    int rc = 0;
    if (!shard_of(&r, &index, &count)) {
        /* An interrupted run writes its results.json too: what it has, and what it planned. A
         * merge's record is no run to resume: its inputs are (merge names them). */
        const int planned = (int)json_integer_value(json_object_get(r.run, "cases_planned"));
        const int stopped = json_is_true(json_object_get(r.run, "interrupted"));
        const int merged = json_object_get(r.run, "merged_from") != NULL;
        const int short_of = planned > r.n, of = short_of ? planned : r.n;
        if (merged) {
            printf("%s: merged results: %d of the sweep's %d cases%s\n", dir, r.n, of,
                   short_of ? " (a partial merge: finish its shards and merge again)" : "");
            rc = short_of;
        } else if (stopped || short_of) {
            printf("%s: a whole sweep, unfinished: %d of its %d cases recorded%s; continue with: "
                   "attnbench run --resume %s\n", dir, r.n, of, stopped ? " (interrupted)" : "",
                   dir);
            rc = 1;
        } else {
            printf("%s: a whole sweep, not a shard: %d cases, complete\n", dir, r.n);
        }
    } else {
        int missing = shard_missing(&r, example, sizeof example);
        if (missing == 0) {
            printf("%s: shard %d/%d complete: %d cases\n", dir, index, count, r.n);
        } else {
            printf("%s: shard %d/%d unfinished: %d of its %d cases not recorded; continue with: "
                   "attnbench run --resume %s\n", dir, index, count, missing, r.n + missing, dir);
            rc = 1;
        }
    }
    results_free(&r);
    return rc;
}

int cmd_shards(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "attnbench shards: no results directory given (usage: attnbench shards "
                "DIR...)\n");
        return 2;
    }
    int worst = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') {
            fprintf(stderr, "attnbench shards: unknown option '%s' (usage: attnbench shards "
                    "DIR...)\n", argv[i]);
            return 2;
        }
        int rc = shard_status(argv[i]);
        worst = rc > worst ? rc : worst;
    }
    return worst;
}
