/* shard_check.h: whether a set of results directories are the shards of one sweep (run --shard),
 * all of them and each complete, and whether they ran on machines alike enough for their times
 * to be compared. merge uses it to join shards, `attnbench shards` to say where each stands. */
#ifndef SHARD_CHECK_H
#define SHARD_CHECK_H

#include "results_read.h"

#include <jansson.h>
#include <stddef.h>

/* Peaks further apart than this (relative) count as different machines: two runs of
 * `attnbench machine` on one VM of this project's kind differed by a few percent. */
#define SHARD_PEAK_TOLERANCE 0.10

/* r's shard: 1 with *index and *count set, or 0 when r is not a shard. */
int shard_of(const results_file *r, int *index, int *count);

/* How many of the shard's planned cases r did not record (0: the shard is complete); when
 * some are missing and example is given, the key of one of them. */
int shard_missing(const results_file *r, char *example, size_t len);

/* Checks n loaded results (from dirs) as the shards of one sweep. Returns 0 when none is a shard
 * (a plain merge); 1 when they are the shards of one sweep, with *out the merged run's
 * "sharded" object (the sweep, each shard's host, CPU, peaks and library kernels, and
 * machines_differ: one line per difference); -1 with err when they cannot be merged: a mix of
 * shards and other results, shards of different sweeps, a shard given twice, or (unless
 * partial) a shard missing or unfinished, named with how to complete it. */
int shard_check(const results_file *in, char **dirs, int n, int partial, json_t **out,
                char *err, size_t err_len);

#endif
