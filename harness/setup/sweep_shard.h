/* sweep_shard.h: `run --shard I/N`: the sweep's problems dealt to N shards, the same deal on
 * every machine, balanced by estimated cost, each problem's cases kept together (its inputs and
 * reference are made once). */
#ifndef SWEEP_SHARD_H
#define SWEEP_SHARD_H

#include "sweep.h"

/* Keeps only the problems dealt to shard `index` of `count` (and their cases), in sweep order,
 * recording the whole sweep's size in s. The deal: problems by falling cost (its cases'
 * sweep_weight, plus the reference's, weighed as one more case), each to the shard with the
 * least cost so far, ties to the lower index. 0, or 2 with err (I/N out of range, more shards
 * than problems). */
int sweep_shard(sweep *s, int index, int count, char *err, size_t err_len);

#endif
