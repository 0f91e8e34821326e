/* run_meta.c: results.json's "run" object for `attnbench run` (run_meta.h), and the notes a run
 * prints as it starts. */
#include "run_meta.h"

#include "calib.h"
#include "out_json.h"
#include "run_journal.h"
#include "tile_sizes.h"
#include "topo.h"

#include <sched.h>
#include <stdio.h>
#include <unistd.h>

/* A note: in results.json's notes, and on the terminal as the run starts. */
static void note(json_t *notes, const char *text)
{
    json_array_append_new(notes, json_string(text));
    printf("note: %s\n", text);
}

/* The machine's peaks per `[measure] peaks`: from the cache, or measured (and cached). Records
 * them, or why there are none, in meta. 1 when pk holds peaks. */
static int machine_peaks(const cfg *c, peaks *pk, json_t *meta, json_t *notes)
{
    char path[4096], why[512];
    if (c->peaks == 2) {
        note(notes, "peaks = off: no GFLOP/s is checked against the machine's peak, so a "
                    "result faster than the machine is not caught");
        json_object_set_new(meta, "machine_peaks", json_null());
        return 0;
    }
    peaks_cache_path(path, sizeof path);
    if (c->peaks == 0 && peaks_load(path, pk) == 0) {
        json_t *o = peaks_json(pk);
        json_object_set_new(o, "source", json_string(path));
        json_object_set_new(meta, "machine_peaks", o);
        return 1;
    }
    printf("measuring machine peaks (a few seconds; `attnbench machine` shows them)...\n");
    fflush(stdout);
    if (peaks_measure(pk, why, sizeof why) != 0) {
        char text[600];
        snprintf(text, sizeof text, "machine peaks not measured: %s; pct_peak is empty", why);
        note(notes, text);
        json_object_set_new(meta, "machine_peaks", json_null());
        return 0;
    }
    if (peaks_save(path, pk) != 0)
        printf("note: cannot cache the machine peaks in %s\n", path);
    json_t *o = peaks_json(pk);
    json_object_set_new(o, "source", json_string("measured for this run"));
    json_object_set_new(meta, "machine_peaks", o);
    return 1;
}

/* A thread count above the CPUs this process may use runs as asked (oversubscription is a
 * thing to measure); the note says so. 1 with the note in out. */
static int oversubscribed(const cfg *c, char *out, size_t len)
{
    cpu_set_t set;
    long most = 0;
    int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set)
                                                           : (int)sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 0; i < c->threads.n; i++)
        if (c->threads.v[i] > most)
            most = c->threads.v[i];
    if (cpus <= 0 || most <= cpus)
        return 0;
    snprintf(out, len, "threads = %ld is more than the %d CPUs this process may run on: those "
             "cases run oversubscribed, as asked", most, cpus);
    return 1;
}

/* results.json's "shard" for a sharded run: which shard, the whole sweep's size, and the keys
 * of the shard's cases (so that merge can name the ones a shard did not record). NULL for a
 * whole sweep. */
static json_t *shard_json(const sweep *s)
{
    if (s->n_shards <= 1)
        return NULL;
    json_t *keys = json_array();
    char key[RESULTS_KEY_LEN];
    for (int ci = 0; ci < s->n_cases; ci++) {
        case_key(&s->problems[s->cases[ci].problem], &s->cases[ci], key, sizeof key);
        json_array_append_new(keys, json_string(key));
    }
    return json_pack("{s:i, s:i, s:i, s:i, s:o}", "index", s->shard, "count", s->n_shards,
                     "sweep_cases", s->whole_cases, "sweep_problems", s->whole_problems,
                     "cases", keys);
}

json_t *run_meta_begin(const cfg *c, const sweep *s, const ctr_plan *plan,
                       const char *openblas_note, int argc, char **argv, run_setup *out)
{
    char text[2048];
    json_t *meta = out_json_meta(c, argc, argv);
    json_t *notes = json_array();
    if (s->n_excluded > 0) {
        snprintf(text, sizeof text, "%d shape%s left out of the sweep (e.g. %s)", s->n_excluded,
                 s->n_excluded == 1 ? "" : "s", s->excluded_example);
        note(notes, text);
    }
    if (oversubscribed(c, text, sizeof text))
        note(notes, text);
    if (plan->note[0] != '\0')
        note(notes, plan->note);
    if (openblas_note[0] != '\0')
        note(notes, openblas_note);
    if (!calib_enabled())
        note(notes, "ATTNBENCH_CALIBRATION=off: no calibration workload, so compare cannot "
                    "tell how much the machine changed");
    json_t *shard = shard_json(s);
    if (shard != NULL) {
        snprintf(text, sizeof text, "shard %d of %d (numbered from 0): %d of the sweep's %d "
                 "cases, in %d of its %d problems", s->shard, s->n_shards, s->n_cases,
                 s->whole_cases, s->n_problems, s->whole_problems);
        note(notes, text);
        json_object_set_new(meta, "shard", shard);
    }
    out->have_peaks = machine_peaks(c, &out->pk, meta, notes);
    json_object_set_new(meta, "notes", notes);
    json_object_set_new(meta, "sweep_id", json_string(s->id));
    json_object_set_new(meta, "cases_planned", json_integer(s->n_cases));

    /* Cache sizes are read once here, so every case's child inherits them. */
    size_t l1d, l2;
    tile_sizes_override((int)c->tile_rows, (int)c->tile_keys);
    tile_cache_sizes(&l1d, &l2);
    json_object_set_new(meta, "tile_caches",
                        json_pack("{s:I, s:I}", "l1d_bytes", (json_int_t)l1d, "l2_bytes",
                                  (json_int_t)l2));

    /* Twice the last-level caches: a pass over it leaves nothing of the case's data cached. */
    size_t llc = topo_llc_total_bytes();
    out->evict_bytes = 2 * (llc > 0 ? llc : (size_t)64 << 20);
    int any_cold = 0;
    for (int i = 0; i < c->cache.n; i++)
        any_cold |= c->cache.v[i] == 1;
    json_object_set_new(meta, "topology", topo_json());
    json_object_set_new(meta, "counters", out_json_counters_plan(plan));
    json_object_set_new(meta, "bind", json_string(topo_bind_name((int)c->bind)));
    if (any_cold)
        json_object_set_new(meta, "cold_cache_evict_bytes",
                            json_integer((json_int_t)out->evict_bytes));
    return meta;
}

void run_meta_end(json_t *meta, int interrupted, long rounds, json_t *calib_rounds,
                  int n_resumed)
{
    json_object_set_new(meta, "interrupted", json_boolean(interrupted));
    json_object_set_new(meta, "rounds", json_integer(rounds));
    json_object_set_new(meta, "calibration",
                        json_pack("{s:o, s:O}", "workload", calib_workload_json(), "rounds",
                                  calib_rounds));
    json_object_set_new(meta, "cases_resumed", json_integer(n_resumed));
}
