/* tile_sizes.h: the tile sizes of the tiled kernels (tiled, avx2), from the cache sizes hwloc
 * reports, or from the [tune] config keys when those are set. The rule is in tile_sizes.c. */
#ifndef TILE_SIZES_H
#define TILE_SIZES_H

#include <stddef.h>

/* Data cache sizes per core, L1d and L2, in bytes (hwloc; 32 KiB and 1 MiB when it cannot
 * tell). The first call loads the topology; the harness calls it once before forking. */
void tile_cache_sizes(size_t *l1d, size_t *l2);

/* Fixed tile sizes from the config; 0 leaves that one to the rule. */
void tile_sizes_override(int rows, int keys);

/* Query rows per block (a multiple of rows_multiple) and keys per block (a multiple of
 * keys_multiple) for head dimension d. */
void tile_sizes_for(int d, int rows_multiple, int keys_multiple, int *rows, int *keys);

#endif
