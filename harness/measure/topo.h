/* topo.h: the machine's topology through hwloc: described in results.json and by
 * `attnbench machine`, used to bind a case's threads, and to size the cold-cache buffer. */
#ifndef TOPO_H
#define TOPO_H

#include <jansson.h>
#include <stddef.h>

typedef enum { BIND_NONE, BIND_COMPACT, BIND_SPREAD } topo_bind_mode;

/* Loads the topology once (later calls are free). 0, or -1 when hwloc cannot. */
int topo_load(void);

/* Packages, cores, PUs, NUMA nodes and every cache level (size, line, ways, how many, how
 * many PUs share one), as a new JSON object. */
json_t *topo_json(void);

/* One line per level for the terminal: "L2 data: 1 MiB x 2 (1 PU each)". */
void topo_print(void);

int topo_cores(void);            /* physical cores; 1 when unknown */
int topo_pus(void);              /* processing units (hardware threads) */
/* One cache's geometry: level 1..5, or 0 for the last level; instruction selects L1i. 0, or -1
 * when hwloc does not know it. */
int topo_cache(int level, int instruction, size_t *size, int *assoc, int *line);

/* Bytes of every last-level cache instance together; 0 when unknown. */
size_t topo_llc_total_bytes(void);

/* Binds the calling thread and an OpenMP pool of `threads` threads (creating it): COMPACT
 * fills PUs in order, SPREAD spreads across packages and cores (hwloc_distrib). Writes the PU
 * each thread ended on ("0,1": OS indices, read back from the kernel) into pus. 0, or -1 with
 * the reason in pus. */
int topo_bind(topo_bind_mode mode, int threads, char *pus, size_t len);

const char *topo_bind_name(int mode);

#endif
