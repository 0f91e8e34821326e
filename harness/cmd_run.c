/* cmd_run.c: `attnbench run` and `run --resume DIR`: reads and validates everything first (so
 * bad input writes nothing), sets up the results directory (or takes over an interrupted
 * one's records), runs the sweep (run_sweep.c), and on SIGINT or SIGTERM stops it and still
 * completes results.json. */
#include "calib.h"
#include "cli.h"
#include "config.h"
#include "counters.h"
#include "host.h"
#include "impls_set.h"
#include "libs.h"
#include "out_csv.h"
#include "out_gbench.h"
#include "out_json.h"
#include "peaks.h"
#include "registry.h"
#include "report.h"
#include "results_read.h"
#include "run_journal.h"
#include "run_sweep.h"
#include "runner.h"
#include "sweep.h"
#include "tile_sizes.h"
#include "topo.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
            fprintf(stderr, "attnbench run: %s '%s' (try: attnbench --help)\n",
                    opt[0] == '-' ? "unknown option" : "unexpected argument", opt);
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
        /* The config's errors name their file; the environment's name their variable. */
        if (strncmp(err, "[measure]", 9) == 0)
            fprintf(stderr, "attnbench run: %s: %s\n", c->source, err);
        else
            fprintf(stderr, "attnbench run: %s\n", err);
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
        static const char off[] = "peaks = off: no GFLOP/s is checked against the machine's "
                                  "peak, so a result faster than the machine is not caught";
        json_array_append_new(notes, json_string(off));
        printf("note: %s\n", off);
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

static void on_stop_signal(int sig)
{
    runner_stop = sig;
}

/* SIGINT and SIGTERM stop the sweep between (or inside) cases instead of killing the harness,
 * so the finished cases reach results.json. Not SA_RESTART: a wait must see the signal. */
static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Writes results.csv afresh from the recorded rows, in sweep order (temp + rename), and
 * returns it open for appending; NULL on failure (errno set). */
static FILE *rewrite_csv(const char *out_dir, const ctr_plan *plan, const run_record *rec)
{
    char path[4200], tmp[4220];
    snprintf(path, sizeof path, "%s/results.csv", out_dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = out_csv_open(tmp, plan);
    if (f == NULL)
        return NULL;
    for (int i = 0; i < rec->n_cases; i++)
        if (rec->rows[i] != NULL && fprintf(f, "%s\n", rec->rows[i]) < 0)
            break;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        fclose(f);
        unlink(tmp);
        errno = e;
        return NULL;
    }
    return f;
}

/* run --resume: takes the journal's cases into rec, each under the sweep case of its key. 0, or
 * 2 with the message printed (a recorded case the sweep does not have means the sweep changed). */
static int take_journal(const journal *j, const sweep *s, const char *out_dir, run_record *rec,
                        report *rep)
{
    char key[RESULTS_KEY_LEN];
    for (int e = 0; e < j->n; e++) {
        int ci = 0;
        for (; ci < s->n_cases; ci++) {
            case_key(&s->problems[s->cases[ci].problem], &s->cases[ci], key, sizeof key);
            if (strcmp(key, j->e[e].key) == 0)
                break;
        }
        if (ci == s->n_cases) {
            fprintf(stderr, "attnbench run: --resume %s: %s/%s records case \"%s\", which the "
                    "sweep does not have (a config or plugin changed?)\n", out_dir, out_dir,
                    JOURNAL_NAME, j->e[e].key);
            return 2;
        }
        if (j->e[e].csv_row == NULL) {   /* a round of a case still unfinished */
            if (rounds_add_json(&rec->acc[ci], j->e[e].obj) != 0) {
                fprintf(stderr, "attnbench run: --resume %s: %s/%s: round %d of case \"%s\" "
                        "is not a case record\n", out_dir, out_dir, JOURNAL_NAME,
                        j->e[e].round, j->e[e].key);
                return 2;
            }
            report_resumed_round(rep, sweep_flops(&s->problems[s->cases[ci].problem].p));
            continue;
        }
        if (rec->rows[ci] != NULL) {   /* recorded twice: the later record stands */
            free(rec->rows[ci]);
            json_decref(rec->objs[ci]);
            rec->n_resumed--;
        }
        rec->rows[ci] = strdup(j->e[e].csv_row);
        rec->objs[ci] = json_incref(j->e[e].obj);
        rec->n_resumed++;
        rounds_free(&rec->acc[ci]);
    }
    if (j->calib != NULL)
        json_array_extend(rec->calib, j->calib);
    for (int ci = 0; ci < s->n_cases; ci++)
        if (rec->objs[ci] != NULL)
            report_resumed(rep, sweep_flops(&s->problems[s->cases[ci].problem].p),
                           status_from_name(json_string_value(
                               json_object_get(rec->objs[ci], "status"))));
    return 0;
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

/* The path as an absolute one (it must exist), so a resumed run may change directory. */
static int absolute_dir(const char *dir, char *out, size_t len)
{
    char buf[PATH_MAX];
    if (realpath(dir, buf) == NULL)
        return -1;
    snprintf(out, len, "%s", buf);
    return 0;
}

/* `run --resume DIR`: the command DIR's journal recorded, run from where it was run. 0, or 2
 * with the message printed. */
static int resume_command(int argc, char **argv, journal *j, char *out_dir, size_t out_len)
{
    char err[4600];
    if (argc != 3) {
        fprintf(stderr, "attnbench run: --resume DIR takes no other options (the sweep and its "
                "options are DIR's own)\n");
        return 2;
    }
    if (absolute_dir(argv[2], out_dir, out_len) != 0) {
        fprintf(stderr, "attnbench run: --resume %s: %s\n", argv[2], strerror(errno));
        return 2;
    }
    if (journal_load(out_dir, j, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench run: --resume: %s\n", err);
        return 2;
    }
    if (chdir(j->cwd) != 0) {
        fprintf(stderr, "attnbench run: --resume %s: the run's directory %s: %s\n", argv[2],
                j->cwd, strerror(errno));
        journal_free(j);
        return 2;
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    run_args a;
    cfg c;
    static ctr_plan plan;
    impls_set set;
    sweep s;
    journal j = {0};
    char **cmdline = NULL;   /* --resume: {program, "run", the journal's arguments} */
    char err[2048], out_dir[4096], path[4200], openblas_note[512] = "";
    char **process_argv = argv - 1;   /* main's, for a re-execution (libs.h) */
    int resuming = argc >= 2 && strcmp(argv[1], "--resume") == 0;

    for (int i = 2; !resuming && i < argc; i++)
        if (strcmp(argv[i], "--resume") == 0) {
            fprintf(stderr, "attnbench run: --resume DIR takes no other options (the sweep and "
                    "its options are DIR's own)\n");
            return 2;
        }
    if (resuming) {
        if (argc < 3) {
            fprintf(stderr, "attnbench run: --resume needs a value\n");
            return 2;
        }
        if (resume_command(argc, argv, &j, out_dir, sizeof out_dir) != 0)
            return 2;
        if ((cmdline = calloc((size_t)j.argc + 3, sizeof *cmdline)) == NULL) {
            journal_free(&j);
            return 2;
        }
        cmdline[0] = argv[-1];
        cmdline[1] = argv[0];
        memcpy(cmdline + 2, j.argv, sizeof *cmdline * (size_t)j.argc);
        argc = j.argc + 1;
        argv = cmdline + 1;
    }
    /* From here on, a return frees the journal (it owns the argv parsed below). */
    int rc = 2;
    if (parse_args(argc, argv, &a, &c, &plan) != 0)
        goto out_journal;
    if (resuming) {
        char hash[24];
        journal_config_hash(a.config, hash, sizeof hash);
        if (strcmp(hash, j.config_hash) != 0) {
            fprintf(stderr, "attnbench run: --resume %s: config %s changed since the run "
                    "began; a resumed sweep must be the same one (restore it, or start a new "
                    "run)\n", out_dir, a.config ? a.config : "(none)");
            goto out_journal;
        }
        a.out = out_dir;
    }
    set_init(&set);
    for (int i = 0; i < a.n_plugins; i++)
        if (set_load_plugin(&set, a.plugins[i], err, sizeof err) != 0) {
            fprintf(stderr, "attnbench run: %s\n", err);
            goto out_journal;
        }
    if (sweep_build(&c, &set, &s, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench run: %s\n", err);
        goto out_journal;
    }
    if (s.n_cases == 0) {
        fprintf(stderr, "attnbench run: %s: the sweep has no cases (%d shape%s left out: %s)\n",
                c.source, s.n_excluded, s.n_excluded == 1 ? "" : "s", s.excluded_example);
        goto out_sweep;
    }

    if (a.list_cases) {
        for (int ci = 0; ci < s.n_cases; ci++) {
            case_settings(&c, &s.problems[s.cases[ci].problem], &s.cases[ci], err, sizeof err);
            puts(err);
        }
        rc = 0;
        goto out_sweep;
    }

    for (int ci = 0; ci < s.n_cases; ci++)
        if (s.cases[ci].impl == &attn_impl_openblas) {
            if (libs_openblas_settle(c.openblas_core, process_argv, openblas_note,
                                     sizeof openblas_note, err, sizeof err) != 0) {
                fprintf(stderr, "attnbench run: %s: %s\n", c.source, err);
                goto out_sweep;
            }
            break;
        }

    run_record rec = {s.n_cases, calloc((size_t)s.n_cases, sizeof(char *)),
                      calloc((size_t)s.n_cases, sizeof(json_t *)), 0,
                      calloc((size_t)s.n_cases, sizeof(round_acc)), json_array()};
    report rep;
    report_begin(&rep, &s, (int)c.rounds);
    if (rec.rows == NULL || rec.objs == NULL || rec.acc == NULL || rec.calib == NULL) {
        fprintf(stderr, "attnbench run: out of memory\n");
        goto out_record;
    }
    if (resuming && take_journal(&j, &s, out_dir, &rec, &rep) != 0)
        goto out_record;

    /* Everything is valid: only now does anything appear on disk. */
    FILE *csv = NULL, *jf = NULL;
    if (resuming) {
        /* Only complete records go on: the torn line, and a row whose record is missing, go. */
        snprintf(path, sizeof path, "%s/%s", out_dir, JOURNAL_NAME);
        if (truncate(path, j.good_bytes) == 0)
            jf = fopen(path, "ae");
        if (jf != NULL)
            csv = rewrite_csv(out_dir, &plan, &rec);
        int rounds_in = 0;
        for (int ci = 0; ci < s.n_cases; ci++)
            rounds_in += rec.acc[ci].done;
        if (rounds_in > 0)
            printf("resuming %s: %d round%s of unfinished cases recorded\n", out_dir, rounds_in,
                   rounds_in == 1 ? "" : "s");
        printf("resuming %s: %d of %d cases recorded%s\n", out_dir, rec.n_resumed, s.n_cases,
               j.dropped_partial ? " (a torn last record left out: that case runs again)" : "");
    } else {
        if (a.out != NULL)
            snprintf(out_dir, sizeof out_dir, "%s", a.out);
        else
            default_out_dir(&c, out_dir, sizeof out_dir);
        snprintf(path, sizeof path, "%s/results.csv", out_dir);
        if (access(path, F_OK) == 0) {
            fprintf(stderr, "attnbench run: %s already holds results; choose another --out, or "
                    "continue it with --resume %s\n", out_dir, out_dir);
            goto out_record;
        }
        if (host_make_dirs(out_dir) == 0 && (csv = out_csv_open(path, &plan)) != NULL)
            jf = journal_create(out_dir, argc - 1, argv + 1, a.config);
        if (a.out == NULL && csv != NULL)
            point_latest(out_dir);
        a.out = out_dir;
    }
    if (csv == NULL || jf == NULL) {
        fprintf(stderr, "attnbench run: cannot write in %s: %s\n", out_dir, strerror(errno));
        if (csv != NULL)
            fclose(csv);
        if (jf != NULL)
            fclose(jf);
        goto out_record;
    }
    catch_stop_signals();

    json_t *meta = out_json_meta(&c, argc + 1, argv - 1);
    json_t *notes = json_array();
    if (s.n_excluded > 0) {
        snprintf(err, sizeof err, "%d shape%s left out of the sweep (e.g. %s)", s.n_excluded,
                 s.n_excluded == 1 ? "" : "s", s.excluded_example);
        json_array_append_new(notes, json_string(err));
        printf("note: %s\n", err);
    }
    if (oversubscribed(&c, err, sizeof err)) {
        json_array_append_new(notes, json_string(err));
        printf("note: %s\n", err);
    }
    if (plan.note[0] != '\0') {
        json_array_append_new(notes, json_string(plan.note));
        printf("note: %s\n", plan.note);
    }
    if (openblas_note[0] != '\0') {
        json_array_append_new(notes, json_string(openblas_note));
        printf("note: %s\n", openblas_note);
    }
    if (!calib_enabled()) {
        static const char off[] = "ATTNBENCH_CALIBRATION=off: no calibration workload, so "
                                  "compare cannot tell how much the machine changed";
        json_array_append_new(notes, json_string(off));
        printf("note: %s\n", off);
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

    run_ctx x = {
        .c = &c, .a = &a, .plan = &plan, .s = &s, .evict_bytes = evict_bytes,
        .pk = have_peaks ? &pk : NULL, .csv = csv, .journal = jf, .rec = &rec, .rep = &rep,
        .opts = {
            .warmup = c.warmup, .min_reps = c.min_reps, .max_reps = c.max_reps,
            .min_time_s = c.min_time_s, .timeout_s = c.timeout_s,
            .tol = {.factor = c.tol_factor, .abs_floor = c.abs_floor},
            .ctr = &plan, .counter_reps = c.counter_reps, .bind = (int)c.bind,
        },
    };
    report_header(&rep);
    int swept = run_sweep(&x);
    int stopped_by = (int)runner_stop;
    fclose(jf);
    if ((rec.n_resumed > 0 || c.rounds > 1) && swept == 0) {
        /* Every case is in: results.csv in sweep order, as an uninterrupted run leaves it. */
        FILE *sorted = rewrite_csv(out_dir, &plan, &rec);
        if (sorted != NULL)
            fclose(sorted);
    }
    fclose(csv);

    json_t *cases = json_array();
    int recorded = 0;
    for (int ci = 0; ci < s.n_cases; ci++)
        if (rec.objs[ci] != NULL) {
            json_array_append(cases, rec.objs[ci]);
            recorded++;
        }
    snprintf(path, sizeof path, "%s/results.json", out_dir);
    json_object_set_new(meta, "interrupted", json_boolean(swept != 0));
    json_object_set_new(meta, "rounds", json_integer(c.rounds));
    json_object_set_new(meta, "calibration",
                        json_pack("{s:o, s:O}", "workload", calib_workload_json(), "rounds",
                                  rec.calib));
    json_object_set_new(meta, "cases_resumed", json_integer(rec.n_resumed));
    int json_rc = out_json_write(path, meta, cases);
    json_decref(meta);
    json_decref(cases);
    int failing = report_end(&rep, out_dir);
    if (json_rc != 0) {
        fprintf(stderr, "attnbench run: cannot write %s: %s\n", path, strerror(errno));
    } else if (write_gbench(path, out_dir, a.gbench) == 0) {
        rc = failing > 0 ? 1 : 0;
    }
    if (swept != 0) {
        fprintf(stderr, "attnbench run: %s: %d of %d cases recorded in %s; continue with: "
                "build/attnbench run --resume %s\n",
                stopped_by ? (stopped_by == SIGTERM ? "terminated (SIGTERM)"
                                                    : "interrupted (SIGINT)")
                           : "stopped",
                recorded, s.n_cases, out_dir, out_dir);
        rc = stopped_by ? 130 : 2;
    }
out_record:
    for (int ci = 0; ci < s.n_cases; ci++) {
        if (rec.rows != NULL)
            free(rec.rows[ci]);
        if (rec.objs != NULL)
            json_decref(rec.objs[ci]);
    }
    for (int ci = 0; rec.acc != NULL && ci < s.n_cases; ci++)
        rounds_free(&rec.acc[ci]);
    free(rec.rows);
    free(rec.objs);
    free(rec.acc);
    json_decref(rec.calib);
out_sweep:
    sweep_free(&s);
out_journal:
    journal_free(&j);
    free(cmdline);
    return rc;
}
