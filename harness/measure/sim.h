/* sim.h: simulated counters (`counters = sim`): one run() of a case under valgrind's callgrind
 * with its cache simulator, counted from a client request before run() to one after it, so
 * the numbers are the same on every run of the same binary and inputs, on any machine state. */
#ifndef SIM_H
#define SIM_H

#include "attn.h"
#include "ctr_types.h"

#include <stddef.h>
#include <stdint.h>

/* The plan's events, in this order: the index in a count, and the event's name. */
#define SIM_EVENT_LIST(X) X(INSTRUCTIONS) X(D1_MISSES) X(LL_MISSES) X(EST_CYCLES)
enum {
#define SIM_EVENT_ENUM(id) SIM_##id,
    SIM_EVENT_LIST(SIM_EVENT_ENUM)
#undef SIM_EVENT_ENUM
    SIM_EVENTS
};

typedef struct sim_request {
    const attn_problem *p;
    int dist;                    /* cfg_dist */
    uint64_t seed;
    const char *impl;            /* its name */
    int threads;
    int cold;                    /* 1: no warm-up run first, so the simulated caches start empty */
    long tile_rows, tile_keys;   /* [tune], passed on */
    const char *const *plugins;  /* --plugin paths, so plugin implementations can be simulated */
    int n_plugins;
    size_t ll_bytes;             /* simulated last level; 0: the host's, from hwloc */
    int reference_geometry;      /* 1: SIM_REFERENCE_* caches, the same on every machine */
    double timeout_s;
} sim_request;

/* sim_geometry = reference: 32 KiB 8-way L1s and an 8 MiB 16-way last level, 64-byte lines,
 * so that counts taken on two machines (a baseline and a CI runner) can be compared. */
#define SIM_REFERENCE_L1_BYTES 32768
#define SIM_REFERENCE_L1_WAYS 8
#define SIM_REFERENCE_LL_BYTES (8u << 20)
#define SIM_REFERENCE_LL_WAYS 16

/* 0 when valgrind can be run; else -1 and why. */
int sim_available(char *why, size_t len);

/* Simulates the case; fills out's values (per run) or its why fields. Never fails the case. */
void sim_run_case(const sim_request *rq, ctr_values *out);

/* `attnbench _sim-case ...`: what valgrind runs. Not for users; the arguments are sim.c's. */
int cmd_sim_case(int argc, char **argv);

#endif
