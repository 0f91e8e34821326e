/* cmd_run.c: `attnbench run` and `run --resume DIR`: reads and validates everything first (so
 * bad input writes nothing), sets up the results directory (or takes over an interrupted
 * one's records), runs the sweep (run_sweep.c), and on SIGINT or SIGTERM stops it and still
 * completes results.json. */
#include "cli.h"
#include "config.h"
#include "counters.h"
#include "impls_set.h"
#include "libs.h"
#include "proc.h"
#include "registry.h"
#include "report.h"
#include "run_journal.h"
#include "run_meta.h"
#include "run_output.h"
#include "run_sweep.h"
#include "sweep.h"
#include "sweep_shard.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --shard I/N into a. 0, or 2 with the message printed. */
static int parse_shard(const char *val, run_args *a)
{
    char *end;
    long i = strtol(val, &end, 10), n = -1;
    if (end != val && *end == '/' && end[1] != '\0')
        n = strtol(end + 1, &end, 10);
    if (n < 1 || *end != '\0' || i < 0 || i >= n || n > 100000) {
        fprintf(stderr, "attnbench run: --shard %s: give I/N, shard I of N with 0 <= I < N "
                "(shards are numbered from 0, as Slurm's array tasks are)\n", val);
        return 2;
    }
    a->shard = (int)i;
    a->n_shards = (int)n;
    return 0;
}

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
        int is_gbench = !strcmp(opt, "--gbench"), is_shard = !strcmp(opt, "--shard");
        if (!is_config && !is_out && !is_plugin && !is_set && !is_gbench && !is_shard) {
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
        else if (is_shard && parse_shard(val, a) != 0)
            return 2;
        else if (is_shard)
            continue;
        else if (is_plugin && a->n_plugins < SET_MAX_PLUGINS)
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
        /* The config's errors name their line; the environment's name their variable. */
        char where[CFG_ERR_LEN / 2];
        cfg_where(c, "measure", "counters", where, sizeof where);
        if (strncmp(err, "[measure]", 9) == 0)
            fprintf(stderr, "attnbench run: %s: %s\n", where, err);
        else
            fprintf(stderr, "attnbench run: %s\n", err);
        return 2;
    }
    return 0;
}

static void on_stop_signal(int sig)
{
    proc_stop = sig;
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

/* The path as an absolute one (it must exist), so a resumed run may change directory. */
static int absolute_dir(const char *dir, char *out, size_t len)
{
    char buf[PATH_MAX];
    if (realpath(dir, buf) == NULL)
        return -1;
    snprintf(out, len, "%s", buf);
    return 0;
}

/* `run --resume DIR`: the command DIR's journal recorded, run from where it was run: *argc
 * and *argv become the journal's arguments, in *cmdline ({program, "run", its arguments},
 * which the caller frees with the journal). 0, or 2 with the message printed. */
static int resume_command(int *argc, char ***argv, journal *j, char ***cmdline, char *out_dir,
                          size_t out_len)
{
    char err[4600];
    if (*argc < 3) {
        fprintf(stderr, "attnbench run: --resume needs a value\n");
        return 2;
    }
    if (*argc != 3) {
        fprintf(stderr, "attnbench run: --resume DIR takes no other options (the sweep and its "
                "options are DIR's own)\n");
        return 2;
    }
    const char *dir = (*argv)[2];
    if (absolute_dir(dir, out_dir, out_len) != 0) {
        fprintf(stderr, "attnbench run: --resume %s: %s\n", dir, strerror(errno));
        return 2;
    }
    if (journal_load(out_dir, j, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench run: --resume: %s\n", err);
        return 2;
    }
    if (chdir(j->cwd) != 0) {
        fprintf(stderr, "attnbench run: --resume %s: the run's directory %s: %s\n", dir,
                j->cwd, strerror(errno));
        journal_free(j);
        return 2;
    }
    if ((*cmdline = calloc((size_t)j->argc + 3, sizeof **cmdline)) == NULL) {
        journal_free(j);
        return 2;
    }
    (*cmdline)[0] = (*argv)[-1];
    (*cmdline)[1] = (*argv)[0];
    memcpy(*cmdline + 2, j->argv, sizeof **cmdline * (size_t)j->argc);
    *argc = j->argc + 1;
    *argv = *cmdline + 1;
    return 0;
}

/* Runs the sweep into out and rec, then writes results.json and gbench.json. The exit status:
 * 0, 1 (a case failed), 2 (a file could not be written) or 130 (stopped by a signal). */
static int sweep_and_write(const cfg *c, const run_args *a, const ctr_plan *plan,
                           const sweep *s, const char *openblas_note, int argc, char **argv,
                           run_files *out, run_record *rec, report *rep)
{
    static run_setup setup;
    int rc = 2;
    catch_stop_signals();
    json_t *meta = run_meta_begin(c, s, plan, openblas_note, argc + 1, argv - 1, &setup);
    run_ctx x = {
        .c = c, .a = a, .plan = plan, .s = s, .evict_bytes = setup.evict_bytes,
        .pk = setup.have_peaks ? &setup.pk : NULL, .csv = out->csv, .journal = out->journal,
        .rec = rec, .rep = rep,
        .opts = {
            .warmup = c->warmup, .min_reps = c->min_reps, .max_reps = c->max_reps,
            .min_time_s = c->min_time_s, .timeout_s = c->timeout_s,
            .tol = {.factor = c->tol_factor, .abs_floor = c->abs_floor},
            .twin = {.factor = c->twin_factor, .factor_16 = c->twin_factor_16,
                     .floor_units = c->twin_floor},
            .ctr = plan, .counter_reps = c->counter_reps, .bind = (int)c->bind,
        },
    };
    report_header(rep);
    int swept = run_sweep(&x);
    int stopped_by = (int)proc_stop, recorded = 0;
    run_meta_end(meta, swept != 0, c->rounds, rec->calib, rec->n_resumed);
    int written = run_output_finish(out, swept == 0, rec->n_resumed > 0 || c->rounds > 1, plan,
                                    rec, meta, &recorded);
    json_decref(meta);
    int failing = report_end(rep, out->dir);
    if (written == 0 && run_output_gbench(out, a->gbench) == 0)
        rc = failing > 0 ? 1 : 0;
    if (swept != 0) {
        fprintf(stderr, "attnbench run: %s: %d of %d cases recorded in %s; continue with: "
                "build/attnbench run --resume %s\n",
                stopped_by ? (stopped_by == SIGTERM ? "terminated (SIGTERM)"
                                                    : "interrupted (SIGINT)")
                           : "stopped",
                recorded, s->n_cases, out->dir, out->dir);
        rc = stopped_by ? 130 : 2;
    }
    return rc;
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
    char err[2048], out_dir[4096], openblas_note[512] = "";
    char **process_argv = argv - 1;   /* main's, for a re-execution (libs.h) */
    int resuming = argc >= 2 && strcmp(argv[1], "--resume") == 0;

    for (int i = 2; !resuming && i < argc; i++)
        if (strcmp(argv[i], "--resume") == 0) {
            fprintf(stderr, "attnbench run: --resume DIR takes no other options (the sweep and "
                    "its options are DIR's own)\n");
            return 2;
        }
    if (resuming && resume_command(&argc, &argv, &j, &cmdline, out_dir, sizeof out_dir) != 0)
        return 2;
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
    if (a.n_shards > 0 && sweep_shard(&s, a.shard, a.n_shards, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench run: %s: %s\n", c.source, err);
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
                char where[CFG_ERR_LEN / 2];
                cfg_where(&c, "measure", "openblas_core", where, sizeof where);
                fprintf(stderr, "attnbench run: %s: %s\n", where, err);
                goto out_sweep;
            }
            break;
        }

    run_record rec;
    report rep;
    run_files out;
    report_begin(&rep, &s, (int)c.rounds);
    if (run_record_init(&rec, s.n_cases) != 0) {
        fprintf(stderr, "attnbench run: out of memory\n");
    } else if ((resuming ? run_output_resume(&j, &s, out_dir, &plan, &rec, &rep, &out)
                         : run_output_create(&c, a.out, a.config, &plan, argc - 1, argv + 1,
                                             &out)) == 0) {
        /* Everything was valid: only now did anything appear on disk. */
        a.out = out.dir;
        rc = sweep_and_write(&c, &a, &plan, &s, openblas_note, argc, argv, &out, &rec, &rep);
    }
    run_record_free(&rec);
out_sweep:
    sweep_free(&s);
out_journal:
    journal_free(&j);
    free(cmdline);
    return rc;
}
