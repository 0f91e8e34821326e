/* main.c: build/attnbench's entry point: dispatches to a subcommand. */
#include "cli.h"
#include "compare_types.h"
#include "result_fields.h"
#include "sim.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: attnbench COMMAND [OPTIONS]\n"
          "\n"
          "  run [--config FILE] [--out DIR] [--plugin SO]... [--set KEY=LIST]...\n"
          "      [--gbench FILE] [--list-cases]\n"
          "                     run a sweep; results in DIR (default results/<config>-<time>/)\n"
          "  run --resume DIR   continue an interrupted run where it stopped\n"
          "  list [--plugin SO]...\n"
          "                     implementations, their caps, and whether they run here\n"
          "  compare BASE NEW [--metric M[,M]...] [--alpha A] [--threshold T] [--format F]\n"
          "                     [--plot DIR] [--interleaved]\n"
          "                     per-case verdicts (",
          f);
    /* The verdicts' one list, five words a line. */
    static const char *const verdicts[] = {
#define CMP_WORD(id, word, meaning) word,
        CMP_VERDICT_MAP(CMP_WORD)
#undef CMP_WORD
    };
    const int n = (int)(sizeof verdicts / sizeof *verdicts);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%s", verdicts[i],
                i == n - 1 ? ");\n" : i % 5 == 4 ? ",\n                     " : ", ");
    fputs("                     exit 1 when a case is slower or broken\n"
          "  run --shard I/N ... shard I (from 0) of the sweep dealt to N; --list-cases too\n"
          "  merge [--pool] [--partial] OUT DIR...\n"
          "                     joins results directories into OUT: no case in two, every shard\n"
          "                     of a sweep (or --partial); or with --pool one case per key, one\n"
          "                     value per directory (its median)\n"
          "  shards DIR...      whether each shard is complete, and how to finish one that is not\n"
          "  gbench DIR FILE [--aggregates-only]\n"
          "                     DIR's results in Google Benchmark's JSON schema\n"
          "  plots DIR [--scripts SCRIPTDIR]\n"
          "                     figures of DIR/results.json into DIR/plots (gnuplot: PNG, SVG)\n"
          "                     and DIR/index.html\n"
          "  machine            topology, and measured FLOP/s and bandwidth peaks per thread count\n"
          "  --version          the version and the commit it was built from\n"
          "\n"
          "exit status: 0 success, 1 a check failed, 2 bad usage or bad input\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "attnbench: no command given (run, list, compare, merge, shards, gbench,"
                        " plots, machine; try: attnbench --help)\n");
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc - 1, argv + 1);
    if (strcmp(cmd, "_sim-case") == 0)
        return cmd_sim_case(argc - 1, argv + 1);
    if (strcmp(cmd, "_fields") == 0) {   /* docs/results.md's column table (scripts/docs-fields) */
        result_fields_markdown(stdout);
        return 0;
    }
    if (strcmp(cmd, "machine") == 0)
        return cmd_machine(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return cmd_merge(argc - 1, argv + 1);
    if (strcmp(cmd, "shards") == 0)
        return cmd_shards(argc - 1, argv + 1);
    if (strcmp(cmd, "gbench") == 0)
        return cmd_gbench(argc - 1, argv + 1);
    if (strcmp(cmd, "plots") == 0)
        return cmd_plots(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("attnbench %s (%s)\n", ATTNBENCH_VERSION, ATTNBENCH_GIT);
        return 0;
    }
    fprintf(stderr, "attnbench: unknown command '%s' (try: attnbench --help)\n", cmd);
    return 2;
}
