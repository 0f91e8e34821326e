/* topo.c: hwloc topology: what results.json and `attnbench machine` say about the machine,
 * thread binding for `[measure] bind`, and the last-level cache size for `cache = cold`. */
#include "topo.h"

#include <hwloc.h>

#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

static hwloc_topology_t topo;
static int loaded;               /* 1 loaded, -1 failed */

int topo_load(void)
{
    if (loaded == 0) {
        loaded = -1;
        if (hwloc_topology_init(&topo) == 0) {
            /* hwloc leaves instruction caches out unless asked; Google Benchmark's context
             * lists the L1i, and so does results.json's topology. */
            hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_ALL);
            if (hwloc_topology_load(topo) == 0)
                loaded = 1;
            else
                hwloc_topology_destroy(topo);
        }
    }
    return loaded == 1 ? 0 : -1;
}

static int count_of(hwloc_obj_type_t type)
{
    int n = topo_load() == 0 ? hwloc_get_nbobjs_by_type(topo, type) : 0;
    return n > 0 ? n : 0;
}

int topo_cores(void)
{
    int n = count_of(HWLOC_OBJ_CORE);
    return n > 0 ? n : 1;
}

int topo_pus(void)
{
    int n = count_of(HWLOC_OBJ_PU);
    return n > 0 ? n : 1;
}

/* Cache objects, innermost first, data and unified before instruction caches. */
static const hwloc_obj_type_t cache_types[] = {
    HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE,
    HWLOC_OBJ_L5CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2ICACHE, HWLOC_OBJ_L3ICACHE};
#define N_CACHE_TYPES (sizeof cache_types / sizeof cache_types[0])

static const char *cache_kind(const hwloc_obj_t o)
{
    switch (o->attr->cache.type) {
    case HWLOC_OBJ_CACHE_DATA: return "data";
    case HWLOC_OBJ_CACHE_INSTRUCTION: return "instruction";
    default: return "unified";
    }
}

int topo_cache(int level, int instruction, size_t *size, int *assoc, int *line)
{
    hwloc_obj_t o = NULL;
    if (instruction && level == 1 && count_of(HWLOC_OBJ_L1ICACHE) > 0)
        o = hwloc_get_obj_by_type(topo, HWLOC_OBJ_L1ICACHE, 0);
    for (int i = level > 0 ? level - 1 : 4; !instruction && o == NULL && i >= 0; i--) {
        if (count_of(cache_types[i]) > 0)
            o = hwloc_get_obj_by_type(topo, cache_types[i], 0);
        if (level > 0)
            break;
    }
    if (o == NULL || o->attr->cache.size == 0)
        return -1;
    *size = (size_t)o->attr->cache.size;
    *assoc = o->attr->cache.associativity;
    *line = (int)o->attr->cache.linesize;
    return 0;
}

size_t topo_llc_total_bytes(void)
{
    for (int i = 4; i >= 0; i--) {   /* the data/unified levels, outermost first */
        int n = count_of(cache_types[i]);
        if (n > 0) {
            hwloc_obj_t o = hwloc_get_obj_by_type(topo, cache_types[i], 0);
            return (size_t)o->attr->cache.size * (size_t)n;
        }
    }
    return 0;
}

json_t *topo_json(void)
{
    json_t *t = json_object(), *caches = json_array();
    char ver[32];
    unsigned v = hwloc_get_api_version();
    snprintf(ver, sizeof ver, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
    json_object_set_new(t, "source", json_string(topo_load() == 0 ? "hwloc" : "unavailable"));
    json_object_set_new(t, "hwloc_api_version", json_string(ver));
    json_object_set_new(t, "packages", json_integer(count_of(HWLOC_OBJ_PACKAGE)));
    json_object_set_new(t, "cores", json_integer(count_of(HWLOC_OBJ_CORE)));
    json_object_set_new(t, "pus", json_integer(count_of(HWLOC_OBJ_PU)));
    json_object_set_new(t, "numa_nodes", json_integer(count_of(HWLOC_OBJ_NUMANODE)));
    for (size_t i = 0; i < N_CACHE_TYPES; i++) {
        int n = count_of(cache_types[i]);
        if (n == 0)
            continue;
        hwloc_obj_t o = hwloc_get_obj_by_type(topo, cache_types[i], 0);
        json_array_append_new(caches, json_pack(
            "{s:i, s:s, s:I, s:i, s:i, s:i, s:i}", "level", (int)o->attr->cache.depth,
            "type", cache_kind(o), "size_bytes", (json_int_t)o->attr->cache.size,
            "line_bytes", (int)o->attr->cache.linesize, "associativity",
            o->attr->cache.associativity, "count", n, "pus_per_cache",
            o->cpuset ? hwloc_bitmap_weight(o->cpuset) : 0));
    }
    json_object_set_new(t, "caches", caches);
    return t;
}

static void size_text(unsigned long long b, char *out, size_t len)
{
    if (b >= (1ull << 20) && b % (1ull << 20) == 0)
        snprintf(out, len, "%llu MiB", b >> 20);
    else if (b >= 1024 && b % 1024 == 0)
        snprintf(out, len, "%llu KiB", b >> 10);
    else
        snprintf(out, len, "%llu B", b);
}

void topo_print(void)
{
    if (topo_load() != 0) {
        printf("topology: hwloc could not read this machine\n");
        return;
    }
    printf("topology: %d package(s), %d NUMA node(s), %d cores, %d PUs\n",
           count_of(HWLOC_OBJ_PACKAGE), count_of(HWLOC_OBJ_NUMANODE), count_of(HWLOC_OBJ_CORE),
           count_of(HWLOC_OBJ_PU));
    for (size_t i = 0; i < N_CACHE_TYPES; i++) {
        int n = count_of(cache_types[i]);
        if (n == 0)
            continue;
        hwloc_obj_t o = hwloc_get_obj_by_type(topo, cache_types[i], 0);
        char size[32];
        size_text(o->attr->cache.size, size, sizeof size);
        printf("  L%d %-11s %8s x %d, %u-byte lines, %d-way, shared by %d PU(s)\n",
               (int)o->attr->cache.depth, cache_kind(o), size, n, o->attr->cache.linesize,
               o->attr->cache.associativity, o->cpuset ? hwloc_bitmap_weight(o->cpuset) : 0);
    }
}

const char *topo_bind_name(int mode)
{
    static const char *const names[] = {"none", "compact", "spread"};
    return mode >= 0 && mode <= BIND_SPREAD ? names[mode] : "?";
}

int topo_bind(topo_bind_mode mode, int threads, char *pus, size_t len)
{
    if (topo_load() != 0) {
        snprintf(pus, len, "hwloc could not read the topology");
        return -1;
    }
    if (threads < 1)
        threads = 1;
    hwloc_bitmap_t sets[threads];
    int n_pus = topo_pus(), failed = 0;
    if (mode == BIND_SPREAD) {
        hwloc_obj_t root = hwloc_get_root_obj(topo);
        /* hwloc_distrib allocates each set itself (make sanitize found the ones made here
         * leaking). */
        hwloc_distrib(topo, &root, 1, sets, (unsigned)threads, INT_MAX, 0);
        for (int t = 0; t < threads; t++)
            hwloc_bitmap_singlify(sets[t]);
    } else {
        for (int t = 0; t < threads; t++) {
            hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)(t % n_pus));
            sets[t] = hwloc_bitmap_dup(pu->cpuset);
        }
    }
    int got[threads];
    for (int t = 0; t < threads; t++)
        got[t] = -1;   /* a thread OpenMP did not start */
    /* The pool made here is the one later parallel regions of this size reuse. */
#pragma omp parallel num_threads(threads) reduction(| : failed)
    {
        int t = omp_get_thread_num();
        hwloc_bitmap_t now = hwloc_bitmap_alloc();
        failed |= hwloc_set_cpubind(topo, sets[t], HWLOC_CPUBIND_THREAD) != 0;
        failed |= hwloc_get_cpubind(topo, now, HWLOC_CPUBIND_THREAD) != 0;
        got[t] = hwloc_bitmap_first(now);
        hwloc_bitmap_free(now);
    }
    size_t n = 0;
    pus[0] = '\0';
    for (int t = 0; t < threads; t++) {
        failed |= got[t] < 0;
        char one[16];
        int w = snprintf(one, sizeof one, "%s%d", t ? "," : "", got[t]);
        if (n + (size_t)w + 4 >= len) {   /* never cut a number in two */
            snprintf(pus + n, len - n, ",...");
            break;
        }
        memcpy(pus + n, one, (size_t)w + 1);
        n += (size_t)w;
    }
    for (int t = 0; t < threads; t++)
        hwloc_bitmap_free(sets[t]);
    if (failed) {
        snprintf(pus, len, "hwloc could not bind every thread (or OpenMP started fewer)");
        return -1;
    }
    return 0;
}
