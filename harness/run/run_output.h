/* run_output.h: a run's results directory as the run goes: made new (results.csv with its
 * header, the journal, results/latest), or taken over from an interrupted run (the journal's
 * records checked against the sweep, the journal cut to its last whole record, results.csv
 * rewritten from them); and at the end results.csv in sweep order, results.json and
 * gbench.json. */
#ifndef RUN_OUTPUT_H
#define RUN_OUTPUT_H

#include "config.h"
#include "counters.h"
#include "report.h"
#include "run_journal.h"
#include "run_sweep.h"
#include "sweep.h"

#include <jansson.h>
#include <stdio.h>

typedef struct run_files {
    char dir[4096];
    FILE *csv, *journal;          /* open for appending while the sweep runs */
} run_files;

/* A new results directory: out (--out), or results/<config name>-<time> with results/latest
 * pointing at it. Refuses one that already holds results.csv. argc and argv are the arguments
 * after `run`, for the journal. 0, or 2 with the message printed. */
int run_output_create(const cfg *c, const char *out, const char *config_path,
                      const ctr_plan *plan, int argc, char **argv, run_files *f);

/* --resume DIR: takes the journal's records into rec, each under its sweep case (and counted
 * in rep), cuts the journal to its last whole record and rewrites results.csv from rec.
 * 0, or 2 with the message printed. */
int run_output_resume(const journal *j, const sweep *s, const char *dir, const ctr_plan *plan,
                      run_record *rec, report *rep, run_files *f);

/* Closes the files; when the sweep ran to its end and its rows came out of order (resumed, or
 * in rounds), rewrites results.csv in sweep order. Then writes results.json from meta and the
 * recorded cases (their count in *recorded). 0, or -1 with the error printed. */
int run_output_finish(run_files *f, int swept_to_end, int reorder, const ctr_plan *plan,
                      const run_record *rec, json_t *meta, int *recorded);

/* DIR/gbench.json, and extra (--gbench FILE) when given, from results.json as written, so that
 * the two cannot disagree. 0, or -1 with the error printed. */
int run_output_gbench(const run_files *f, const char *extra);

#endif
