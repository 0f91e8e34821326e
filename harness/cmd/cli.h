/* cli.h: the subcommands of build/attnbench. Each returns the process exit status. */
#ifndef CLI_H
#define CLI_H

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_machine(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_shards(int argc, char **argv);
int cmd_gbench(int argc, char **argv);
int cmd_plots(int argc, char **argv);

#endif
