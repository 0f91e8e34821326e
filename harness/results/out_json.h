/* out_json.h: results.json: the run's metadata and every case, raw repetition times included. */
#ifndef OUT_JSON_H
#define OUT_JSON_H

#include "case_result.h"
#include "config.h"
#include "ctr_types.h"
#include "sweep.h"

#include <jansson.h>

/* The metadata object: version, commit, date, host, CPU, compiler, libraries, config. */
json_t *out_json_meta(const cfg *c, int argc, char **argv);

/* One case as a JSON object. repro is the command that runs just this case. */
json_t *out_json_case(const sweep_problem *sp, const attn_impl *impl, int threads,
                      const case_result *res, const char *repro, const ctr_plan *plan);

/* The counters plan for the run's metadata: mode, each event with its column and why. */
json_t *out_json_counters_plan(const ctr_plan *plan);

/* Writes {"attnbench":..., "run": meta, "cases": cases} to path atomically (temp + rename).
 * 0, or -1 with errno set. */
int out_json_write(const char *path, json_t *meta, json_t *cases);

#endif
