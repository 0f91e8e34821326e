/* tile_sizes.c: tile sizes from cache sizes.
 *
 * The rule, for head dimension d and 4-byte floats:
 *   keys per block BC: the K and V blocks (2 x BC x d floats) that the inner loops stream
 *     through for every query tile fit in L1d: the largest multiple within it, at most 192.
 *   query rows BR: the query block, the output accumulator (2 x BR x d) and the score tile
 *     (BR x BC) take at most an eighth of L2, leaving the rest for the K and V blocks on their
 *     way in; the largest multiple within it, at most 384.
 * On Zen 4 (32 KiB L1d, 1 MiB L2) this gives BR x BC = 144 x 60 at d = 64 and 96 x 30 at
 * d = 128 for avx2. A sweep of tile_rows/tile_keys there (seq 4096; numbers in the README)
 * found 144 x 60 the best tried at d = 64; at d = 128 the widest key blocks (60, 96) were 6
 * to 17% slower than the best tried, 96 x 48. One run per size on a noisy machine. */
#include "tile_sizes.h"

#include <hwloc.h>

static size_t cached_l1d, cached_l2;
static int forced_rows, forced_keys;

static size_t cache_size(hwloc_topology_t topo, hwloc_obj_type_t type, size_t fallback)
{
    hwloc_obj_t obj = hwloc_get_obj_by_type(topo, type, 0);
    return obj != NULL && obj->attr != NULL && obj->attr->cache.size > 0
               ? (size_t)obj->attr->cache.size
               : fallback;
}

void tile_cache_sizes(size_t *l1d, size_t *l2)
{
    if (cached_l1d == 0) {
        hwloc_topology_t topo;
        size_t a = 32 * 1024, b = 1024 * 1024;
        if (hwloc_topology_init(&topo) == 0) {
            if (hwloc_topology_load(topo) == 0) {
                a = cache_size(topo, HWLOC_OBJ_L1CACHE, a);
                b = cache_size(topo, HWLOC_OBJ_L2CACHE, b);
            }
            hwloc_topology_destroy(topo);
        }
        cached_l1d = a;
        cached_l2 = b;
    }
    *l1d = cached_l1d;
    *l2 = cached_l2;
}

void tile_sizes_override(int rows, int keys)
{
    forced_rows = rows;
    forced_keys = keys;
}

static int multiple_within(size_t budget, size_t per_unit, int multiple, int cap)
{
    long n = (long)(budget / per_unit) / multiple * multiple;
    if (n < multiple)
        n = multiple;
    return n > cap ? cap / multiple * multiple : (int)n;
}

void tile_sizes_for(int d, int rows_multiple, int keys_multiple, int *rows, int *keys)
{
    size_t l1d, l2;
    tile_cache_sizes(&l1d, &l2);
    const size_t f = sizeof(float);
    int bc = multiple_within(l1d, 2 * f * (size_t)d, keys_multiple, 192);
    int br = multiple_within(l2 / 8, f * (2 * (size_t)d + (size_t)bc), rows_multiple, 384);
    if (forced_keys > 0)
        bc = (forced_keys + keys_multiple - 1) / keys_multiple * keys_multiple;
    if (forced_rows > 0)
        br = (forced_rows + rows_multiple - 1) / rows_multiple * rows_multiple;
    *rows = br;
    *keys = bc;
}
