/* cmd_run.c: `attnbench run`: reads and validates everything first (so bad input writes
 * nothing), then runs the sweep problem by problem, writing each case as it ends. */
#include "cli.h"
#include "config.h"
#include "counters.h"
#include "host.h"
#include "impls_set.h"
#include "out_csv.h"
#include "out_gbench.h"
#include "out_json.h"
#include "peaks.h"
#include "report.h"
#include "results_read.h"
#include "runner.h"
#include "sim.h"
#include "sweep.h"
#include "tile_sizes.h"
#include "topo.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PLUGINS 16

typedef struct run_args {
    const char *config;
    const char *out;
    const char *plugins[MAX_PLUGINS];
    int n_plugins;
    int list_cases;               /* --list-cases: print each case's --set arguments, run none */
    const char *gbench;           /* --gbench FILE: Google Benchmark JSON there too, or NULL */
} run_args;

/* Reads options into a and c, and resolves the counters into plan (probing PAPI). 0, or 2 with
 * the message already printed. */
static int parse_args(int argc, char **argv, run_args *a, cfg *c, ctr_plan *plan)
{
    char err[CFG_ERR_LEN];
    const char *sets[256];
    int n_sets = 0;

    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--list-cases")) {
            a->list_cases = 1;
            continue;
        }
        int is_config = !strcmp(opt, "--config") || !strcmp(opt, "-c");
        int is_out = !strcmp(opt, "--out") || !strcmp(opt, "-o");
        int is_plugin = !strcmp(opt, "--plugin"), is_set = !strcmp(opt, "--set");
        int is_gbench = !strcmp(opt, "--gbench");
        if (!is_config && !is_out && !is_plugin && !is_set && !is_gbench) {
            fprintf(stderr, "attnbench run: unknown option '%s' (try: attnbench --help)\n", opt);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "attnbench run: %s needs a value\n", opt);
            return 2;
        }
        const char *val = argv[++i];
        if (is_config)
            a->config = val;
        else if (is_out)
            a->out = val;
        else if (is_gbench)
            a->gbench = val;
        else if (is_plugin && a->n_plugins < MAX_PLUGINS)
            a->plugins[a->n_plugins++] = val;
        else if (is_set && n_sets < 256)
            sets[n_sets++] = val;
        else {
            fprintf(stderr, "attnbench run: too many %s options\n", opt);
            return 2;
        }
    }
    if (a->gbench != NULL) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", a->gbench);
        if (access(dirname(dir), W_OK) != 0) {
            fprintf(stderr, "attnbench run: --gbench %s: cannot write in %s: %s\n", a->gbench,
                    dir, strerror(errno));
            return 2;
        }
    }
    cfg_defaults(c);
    if (a->config != NULL && cfg_load_file(c, a->config, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench run: %s\n", err);
        return 2;
    }
    for (int i = 0; i < n_sets; i++)
        if (cfg_apply_set(c, sets[i], err, sizeof err) != 0) {
            fprintf(stderr, "attnbench run: %s\n", err);
            return 2;
        }
    if (cfg_finish(c, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench run: %s\n", err);
        return 2;
    }
    if (ctr_plan_build(&c->counters, plan, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench run: %s: %s\n", c->source, err);
        return 2;
    }
    return 0;
}

/* results/<config name>-<local time>, and results/latest pointing at it. */
static void default_out_dir(const cfg *c, char *out, size_t len)
{
    char stamp[32], name[512];
    time_t t = time(NULL);
    struct tm tm;
    const char *base = strrchr(c->source, '/');
    base = base ? base + 1 : c->source;
    snprintf(name, sizeof name, "%s", strcmp(c->source, "(defaults)") ? base : "run");
    char *dot = strrchr(name, '.');
    if (dot != NULL && dot != name)
        *dot = '\0';
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&t, &tm));
    snprintf(out, len, "results/%s-%s", name, stamp);
}

static void point_latest(const char *out_dir)
{
    const char *rel = out_dir + strlen("results/");
    unlink("results/latest.tmp");
    if (symlink(rel, "results/latest.tmp") == 0)
        rename("results/latest.tmp", "results/latest");
}

/* The machine's peaks per `[measure] peaks`: from the cache, or measured (and cached). Records
 * them, or why there are none, in meta. 1 when pk holds peaks. */
static int machine_peaks(const cfg *c, peaks *pk, json_t *meta, json_t *notes)
{
    char path[4096], why[512];
    if (c->peaks == 2) {
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
        char note[600];
        snprintf(note, sizeof note, "machine peaks not measured: %s; pct_peak is empty", why);
        json_array_append_new(notes, json_string(note));
        printf("note: %s\n", note);
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

/* Simulations done for one problem: each (implementation, cache) is simulated once. */
typedef struct sim_memo {
    int n;
    struct { const attn_impl *impl; int cold; ctr_values ctr; } *done;
} sim_memo;

/* counters = sim: the case once more, under callgrind, for its simulated counts. Always on one
 * thread: callgrind runs threads one at a time through one simulated cache, so with more the
 * counts would follow its scheduling (measured: misses differing 70-fold between two runs). The
 * one-thread counts are the implementation's work, and the same on every run. */
static void simulate(const cfg *c, const run_args *a, const sweep_problem *sp,
                     const sweep_case *sc, sim_memo *memo, case_result *res)
{
    if (res->status != ST_PASS && res->status != ST_FAIL) {
        for (int i = 0; i < SIM_EVENTS; i++)
            snprintf(res->ctr.why[i], CTR_WHY_LEN, "not simulated: the case ended %s",
                     status_name(res->status));
        return;
    }
    int i = 0;
    while (i < memo->n && (memo->done[i].impl != sc->impl || memo->done[i].cold != sc->cold))
        i++;
    if (i == memo->n) {
        /* callgrind runs code about 100 times slower than the hardware. */
        sim_request rq = {
            .p = &sp->p, .dist = sp->dist, .seed = c->seed, .impl = sc->impl->name,
            .threads = 1, .cold = sc->cold, .tile_rows = c->tile_rows,
            .tile_keys = c->tile_keys, .plugins = a->plugins, .n_plugins = a->n_plugins,
            .ll_bytes = (size_t)c->sim_ll_bytes, .timeout_s = 100 * c->timeout_s,
            .reference_geometry = c->sim_geometry == 1,
        };
        memo->done[i].impl = sc->impl;
        memo->done[i].cold = sc->cold;
        sim_run_case(&rq, &memo->done[i].ctr);
        memo->n++;
    }
    res->ctr = memo->done[i].ctr;
    if (sc->threads > 1 && res->ctr.reps > 0)
        snprintf(res->ctr.scope, sizeof res->ctr.scope, "one run() on 1 thread, not %d",
                 sc->threads);
}

/* Why impl cannot take this problem, from its caps; "" when it can. */
static void caps_gap(const attn_impl *im, const attn_problem *p, int threads, char *why,
                     size_t len)
{
    why[0] = '\0';
    if (p->causal && !(im->caps & ATTN_CAP_CAUSAL))
        snprintf(why, len, "does not handle causal masking (no ATTN_CAP_CAUSAL)");
    else if (p->kv_heads != p->heads && !(im->caps & ATTN_CAP_GQA))
        snprintf(why, len, "does not handle kv_heads < heads (no ATTN_CAP_GQA)");
    else if (p->seq_q != p->seq_kv && !(im->caps & ATTN_CAP_CROSS))
        snprintf(why, len, "does not handle seq_q != seq_kv (no ATTN_CAP_CROSS)");
    else if (threads > 1 && !(im->caps & ATTN_CAP_THREADS))
        snprintf(why, len, "does not use threads > 1 (no ATTN_CAP_THREADS)");
}

/* The --set arguments that select exactly this case, out of any config. */
static void case_settings(const cfg *c, const sweep_problem *sp, const sweep_case *sc,
                          char *out, size_t len)
{
    const attn_problem *p = &sp->p;
    size_t n = (size_t)snprintf(out, len,
                                "--set impls=%s --set batch=%d --set heads=%d --set kv_heads=%d"
                                " --set seq_q=%d --set seq_kv=%d --set head_dim=%d"
                                " --set causal=%s --set dist=%s --set threads=%d --set seed=%llu",
                                sc->impl->name, p->batch, p->heads, p->kv_heads, p->seq_q,
                                p->seq_kv, p->head_dim, p->causal ? "true" : "false",
                                cfg_dist_name(sp->dist), sc->threads,
                                (unsigned long long)c->seed);
    if (c->scale > 0 && n < len)
        n += (size_t)snprintf(out + n, len - n, " --set scale=%.9g", c->scale);
    if (n < len)
        snprintf(out + n, len - n, " --set cache=%s", sc->cold ? "cold" : "warm");
}

/* The command that re-runs exactly this case. */
static void repro_command(const cfg *c, const run_args *a, const sweep_problem *sp,
                          const sweep_case *sc, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "build/attnbench run");
    if (a->config != NULL)
        n += (size_t)snprintf(out + n, len - n, " --config %s", a->config);
    for (int i = 0; i < a->n_plugins && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, " --plugin %s", a->plugins[i]);
    if (n + 1 < len) {
        out[n++] = ' ';
        case_settings(c, sp, sc, out + n, len - n);
    }
}

/* The Google Benchmark JSON: DIR/gbench.json, and --gbench FILE when given. Made from the
 * results.json just written, so that the two cannot disagree. 0, or -1 with the error printed. */
static int write_gbench(const char *json_path, const char *out_dir, const char *extra)
{
    results_file r;
    char err[4600], path[4200];
    if (results_load(json_path, &r, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench run: reading back %s\n", err);
        return -1;
    }
    snprintf(path, sizeof path, "%s/gbench.json", out_dir);
    int rc = out_gbench_write(&r, path, 0);
    if (rc == 0 && extra != NULL && (rc = out_gbench_write(&r, extra, 0)) != 0)
        snprintf(path, sizeof path, "%s", extra);
    if (rc != 0)
        fprintf(stderr, "attnbench run: cannot write %s: %s\n", path, strerror(errno));
    results_free(&r);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    run_args a;
    cfg c;
    static ctr_plan plan;
    impls_set set;
    sweep s;
    char err[2048], out_dir[4096], path[4200];

    if (parse_args(argc, argv, &a, &c, &plan) != 0)
        return 2;
    set_init(&set);
    for (int i = 0; i < a.n_plugins; i++)
        if (set_load_plugin(&set, a.plugins[i], err, sizeof err) != 0) {
            fprintf(stderr, "attnbench run: %s\n", err);
            return 2;
        }
    if (sweep_build(&c, &set, &s, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench run: %s\n", err);
        return 2;
    }
    if (s.n_cases == 0) {
        fprintf(stderr, "attnbench run: %s: the sweep has no cases (%d shapes left out: %s)\n",
                c.source, s.n_excluded, s.excluded_example);
        sweep_free(&s);
        return 2;
    }

    if (a.list_cases) {
        for (int ci = 0; ci < s.n_cases; ci++) {
            case_settings(&c, &s.problems[s.cases[ci].problem], &s.cases[ci], err, sizeof err);
            puts(err);
        }
        sweep_free(&s);
        return 0;
    }

    /* Everything is valid: only now does anything appear on disk. */
    if (a.out != NULL)
        snprintf(out_dir, sizeof out_dir, "%s", a.out);
    else
        default_out_dir(&c, out_dir, sizeof out_dir);
    snprintf(path, sizeof path, "%s/results.csv", out_dir);
    if (access(path, F_OK) == 0) {
        fprintf(stderr, "attnbench run: %s already holds results; choose another --out\n",
                out_dir);
        sweep_free(&s);
        return 2;
    }
    FILE *csv = host_make_dirs(out_dir) == 0 ? out_csv_open(path, &plan) : NULL;
    if (csv == NULL) {
        fprintf(stderr, "attnbench run: cannot create %s: %s\n", path, strerror(errno));
        sweep_free(&s);
        return 2;
    }
    if (a.out == NULL)
        point_latest(out_dir);

    json_t *meta = out_json_meta(&c, argc + 1, argv - 1);
    json_t *cases = json_array(), *notes = json_array();
    if (s.n_excluded > 0) {
        snprintf(err, sizeof err, "%d shapes left out of the sweep (e.g. %s)", s.n_excluded,
                 s.excluded_example);
        json_array_append_new(notes, json_string(err));
        printf("note: %s\n", err);
    }
    if (plan.note[0] != '\0') {
        json_array_append_new(notes, json_string(plan.note));
        printf("note: %s\n", plan.note);
    }
    static peaks pk;
    int have_peaks = machine_peaks(&c, &pk, meta, notes);
    json_object_set_new(meta, "notes", notes);
    json_object_set_new(meta, "cases_planned", json_integer(s.n_cases));

    /* Cache sizes are read once here, so every case's child inherits them. */
    size_t l1d, l2;
    tile_sizes_override((int)c.tile_rows, (int)c.tile_keys);
    tile_cache_sizes(&l1d, &l2);
    json_object_set_new(meta, "tile_caches",
                        json_pack("{s:I, s:I}", "l1d_bytes", (json_int_t)l1d, "l2_bytes",
                                  (json_int_t)l2));

    /* Twice the last-level caches: a pass over it leaves nothing of the case's data cached. */
    size_t llc = topo_llc_total_bytes();
    size_t evict_bytes = 2 * (llc > 0 ? llc : (size_t)64 << 20);
    int any_cold = 0;
    for (int i = 0; i < c.cache.n; i++)
        any_cold |= c.cache.v[i] == 1;
    json_object_set_new(meta, "topology", topo_json());
    json_object_set_new(meta, "counters", out_json_counters_plan(&plan));
    json_object_set_new(meta, "bind", json_string(topo_bind_name((int)c.bind)));
    if (any_cold)
        json_object_set_new(meta, "cold_cache_evict_bytes", json_integer((json_int_t)evict_bytes));

    runner_opts opts = {
        .warmup = c.warmup, .min_reps = c.min_reps, .max_reps = c.max_reps,
        .min_time_s = c.min_time_s, .timeout_s = c.timeout_s,
        .tol = {.factor = c.tol_factor, .abs_floor = c.abs_floor},
        .ctr = &plan, .counter_reps = c.counter_reps,
        .bind = (int)c.bind,
    };
    int ref_threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    report rep;
    report_begin(&rep, &s);

    for (int pi = 0; pi < s.n_problems; pi++) {
        const sweep_problem *sp = &s.problems[pi];
        runner_problem rp;
        char why[256];
        int ready = runner_problem_init(&rp, &sp->p, sp->dist, c.seed, why, sizeof why) == 0;
        if (ready) {
            runner_reference(&rp, ref_threads > 0 ? ref_threads : 1);
            if (!rp.ref_ok)
                snprintf(why, sizeof why, "%s", rp.ref_why);
        }
        sim_memo memo = {0, calloc((size_t)sp->n_cases, sizeof *memo.done)};
        if (memo.done == NULL && plan.mode == CTR_SIM) {
            fprintf(stderr, "attnbench run: out of memory\n");
            return 2;
        }
        for (int ci = sp->first_case; ci < sp->first_case + sp->n_cases; ci++) {
            const sweep_case *sc = &s.cases[ci];
            case_result res;
            char gap[160], repro[2048];
            caps_gap(sc->impl, &sp->p, sc->threads, gap, sizeof gap);
            if (gap[0] != '\0' || !ready || !rp.ref_ok) {
                memset(&res, 0, sizeof res);
                res.flops = sweep_flops(&sp->p);
                res.peak_rss_delta = res.workspace = res.page_faults = -1;
                res.status = gap[0] || !ready ? ST_SKIP : ST_ERROR;
                snprintf(res.reason, sizeof res.reason, "%s", gap[0] ? gap : why);
            } else {
                runner_opts case_opts = opts;
                case_opts.evict_bytes = sc->cold ? evict_bytes : 0;
                runner_run_case(&rp, sc->impl, sc->threads, &case_opts, &res);
            }
            res.cold = sc->cold;
            if (plan.mode == CTR_SIM)
                simulate(&c, &a, sp, sc, &memo, &res);
            double roof = have_peaks ? peaks_best_gflops(&pk, sc->threads) : 0;
            res.pct_peak = roof > 0 && res.gflops > 0 ? 100 * res.gflops / roof : -1;
            repro_command(&c, &a, sp, sc, repro, sizeof repro);
            out_csv_row(csv, sp, sc->impl, sc->threads, &res, &plan);
            json_array_append_new(cases,
                                  out_json_case(sp, sc->impl, sc->threads, &res, repro, &plan));
            report_case(&rep, sp, sc->impl, sc->threads, &res);
            free(res.times);
        }
        free(memo.done);
        if (ready)
            runner_problem_free(&rp);
    }
    fclose(csv);

    snprintf(path, sizeof path, "%s/results.json", out_dir);
    json_object_set_new(meta, "interrupted", json_false());
    int json_rc = out_json_write(path, meta, cases);
    json_decref(meta);
    json_decref(cases);
    sweep_free(&s);
    int failing = report_end(&rep, out_dir);
    if (json_rc != 0) {
        fprintf(stderr, "attnbench run: cannot write %s: %s\n", path, strerror(errno));
        return 2;
    }
    if (write_gbench(path, out_dir, a.gbench) != 0)
        return 2;
    return failing > 0 ? 1 : 0;
}
