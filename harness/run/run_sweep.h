/* run_sweep.h: running a sweep's cases and recording each as it ends (results.csv, the
 * journal, the terminal), shared by `run` and `run --resume`. */
#ifndef RUN_SWEEP_H
#define RUN_SWEEP_H

#include "config.h"
#include "impls_set.h"
#include "counters.h"
#include "peaks.h"
#include "report.h"
#include "rounds.h"
#include "runner.h"
#include "sweep.h"

#include <jansson.h>
#include <stdio.h>


/* `run`'s options, as given (or as the journal recorded them, for --resume). */
typedef struct run_args {
    const char *config;
    const char *out;
    const char *plugins[SET_MAX_PLUGINS];
    int n_plugins;
    int list_cases;               /* --list-cases: print each case's --set arguments, run none */
    const char *gbench;           /* --gbench FILE: Google Benchmark JSON there too, or NULL */
    int shard, n_shards;          /* --shard I/N; n_shards 0 when not given */
} run_args;

/* Where the sweep's cases stand: each recorded case's CSV row and results.json object, in
 * sweep order, whether this run made it or an interrupted one before it did; with rounds, the
 * rounds each unfinished case has done, and each round's calibration. */
typedef struct run_record {
    int n_cases;
    char **rows;
    json_t **objs;
    int n_resumed;
    round_acc *acc;               /* per case */
    json_t *calib;                /* array of calib_json objects, one per round begun */
} run_record;

/* Allocates the record of n cases, none recorded. 0, or -1 when out of memory (then
 * run_record_free is still safe). */
int run_record_init(run_record *rec, int n_cases);
void run_record_free(run_record *rec);

/* Everything a run shares between its cases. */
typedef struct run_ctx {
    const cfg *c;
    const run_args *a;
    const ctr_plan *plan;
    const sweep *s;
    runner_opts opts;
    size_t evict_bytes;
    const peaks *pk;              /* NULL: no machine peaks */
    FILE *csv, *journal;
    run_record *rec;
    report *rep;
} run_ctx;

/* The sweep, [measure] rounds times: each round times the calibration workload, then runs
 * every case with that round still to do, problem by problem (inputs and references, then its
 * cases), in an order shuffled afresh each round after the first so that drift falls on every
 * case alike. A case is recorded as its last round ends. 0 when the sweep ran to its end, -1
 * when it stopped (a stop signal, or a record it could not write). */
int run_sweep(const run_ctx *x);

/* The --set arguments that select exactly this case, out of any config. */
void case_settings(const cfg *c, const sweep_problem *sp, const sweep_case *sc, char *out,
                   size_t len);

#endif
