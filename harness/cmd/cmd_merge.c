/* cmd_merge.c: `attnbench merge [--pool] [--partial] OUT DIR...`: joins results directories
 * (the per-case runs of scripts/ab-compare, the shards of a sweep run with --shard) into one,
 * refusing a case that two of them hold, and shards of a sweep that are missing, unfinished or
 * of another sweep (shard_check.h); or, with --pool, makes one case of a case run in several
 * processes, its repetitions the processes' medians. The run metadata is the first directory's,
 * plus where the rest came from. */
#include "cli.h"
#include "host.h"
#include "out_json.h"
#include "results_read.h"
#include "shard_check.h"
#include "stats.h"
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Opens dir/results.csv and reads its header line into line (len bytes). The open file, or
 * NULL with err. */
static FILE *open_csv(const char *dir, char *line, size_t len, char *err, size_t err_len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    FILE *in = fopen(path, "r");
    if (in == NULL || fgets(line, (int)len, in) == NULL) {
        snprintf(err, err_len, "%s: %s", path, in ? "empty" : strerror(errno));
        if (in)
            fclose(in);
        return NULL;
    }
    return in;
}

/* Checks that every dir has a results.csv with the same columns, before OUT is created. 0, or
 * -1 with err. */
static int check_csvs(char **dirs, int n, char *err, size_t err_len)
{
    char first[8192], line[8192];
    for (int i = 0; i < n; i++) {
        FILE *in = open_csv(dirs[i], i ? line : first, sizeof line, err, err_len);
        if (in == NULL)
            return -1;
        fclose(in);
        if (i > 0 && strcmp(first, line) != 0) {
            snprintf(err, err_len, "%s/results.csv: its columns differ from %s/results.csv's"
                     " (another counters setting?)", dirs[i], dirs[0]);
            return -1;
        }
    }
    return 0;
}

/* Appends dir's rows to out, and its header line too when with_header. 0, or -1 with err. */
static int append_csv(FILE *out, const char *dir, int with_header, char *err, size_t err_len)
{
    char line[8192];
    FILE *in = open_csv(dir, line, sizeof line, err, err_len);
    if (in == NULL)
        return -1;
    if (with_header)
        fputs(line, out);
    size_t n;
    while ((n = fread(line, 1, sizeof line, in)) > 0)
        fwrite(line, 1, n, out);
    fclose(in);
    return 0;
}

/* Splits argv into --pool, --partial and the paths, OUT first. 0, or 2 with the message
 * printed. */
static int parse_args(int argc, char **argv, int *pool, int *partial, char **paths,
                      int *n_paths)
{
    static const char usage[] = "(usage: attnbench merge [--pool] [--partial] OUT DIR...)";
    *pool = *partial = 0;
    *n_paths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pool") == 0)
            *pool = 1;
        else if (strcmp(argv[i], "--partial") == 0)
            *partial = 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "attnbench merge: unknown option '%s' %s\n", argv[i], usage);
            return 2;
        } else
            paths[(*n_paths)++] = argv[i];
    }
    if (*n_paths < 2) {
        fprintf(stderr, "attnbench merge: %s %s\n", *n_paths ? "no results directory given"
                        : "no OUT directory and no results directory given", usage);
        return 2;
    }
    return 0;
}

/* How bad a status name is (status.h): a pooled case keeps the worst of its parts. */
static int status_rank(const char *st)
{
    return status_badness(status_from_name(st));
}

/* A case's process samples: its process_medians_s (a run in rounds), or the median of its
 * repetitions as the one sample of its one process; [] when it has none. */
static json_t *process_samples(const results_case *c)
{
    json_t *t = json_array();
    if (c->samples != NULL) {
        for (int i = 0; i < c->n_samples; i++)
            json_array_append_new(t, json_real(c->samples[i]));
    } else if (c->reps > 0) {
        stats_summary s;
        stats_summarise(c->times, c->reps, &s);
        json_array_append_new(t, json_real(s.median));
    }
    return t;
}

/* Recomputes a pooled case's timing fields from its times_s. -1 when out of memory. */
static int restat(json_t *c)
{
    json_t *times = json_object_get(c, "times_s");
    size_t n = json_array_size(times);
    double *x = malloc(sizeof *x * (n ? n : 1));
    if (x == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        x[i] = json_number_value(json_array_get(times, i));
    stats_summary s;
    stats_summarise(x, (int)n, &s);
    free(x);
    json_object_set_new(c, "reps", json_integer((json_int_t)n));
    json_object_set_new(c, "rounds", json_integer((json_int_t)n));
    json_object_set(c, "process_medians_s", times);
    if (n == 0)
        return 0;
    json_object_set_new(c, "time_min_s", json_real(s.min));
    json_object_set_new(c, "time_median_s", json_real(s.median));
    json_object_set_new(c, "time_mean_s", json_real(s.mean));
    json_object_set_new(c, "time_stddev_s", json_real(s.stddev));
    double flops = json_number_value(json_object_get(c, "flops"));
    if (flops > 0 && s.median > 0)
        json_object_set_new(c, "gflops", json_real(flops / s.median * 1e-9));
    return 0;
}

/* --pool: every key once; its "repetitions" are the medians of its processes, one per
 * directory (or each round's, for a directory run in rounds), and its process_medians_s too.
 * Why: on a shared machine a whole process can run 40% slow from start to end (seen in A/A
 * runs), so repetitions inside one process are not independent samples, and a test on them
 * finds "significant" what is one unlucky process. The process is the unit: one value each.
 * A case keeps the worst status of its runs. The cases array, or NULL when out of memory. */
static json_t *pooled_cases(const results_file *in, int n_in)
{
    json_t *cases = json_array(), *by_key = json_object();
    for (int i = 0; i < n_in; i++)
        for (int j = 0; j < in[i].n; j++) {
            const results_case *c = &in[i].cases[j];
            json_t *seen = json_object_get(by_key, c->key);
            if (seen == NULL) {
                seen = json_deep_copy(c->obj);
                json_object_set_new(seen, "times_s", process_samples(c));
                json_object_set(by_key, c->key, seen);
                json_array_append_new(cases, seen);
                continue;
            }
            json_t *median = process_samples(c);
            json_array_extend(json_object_get(seen, "times_s"), median);
            json_decref(median);
            const char *had = json_string_value(json_object_get(seen, "status"));
            if (status_rank(c->status) > status_rank(had)) {
                json_object_set_new(seen, "status", json_string(c->status));
                json_object_set_new(seen, "reason", json_string(c->reason));
            }
        }
    size_t k;
    json_t *c;
    int failed = 0;
    json_array_foreach(cases, k, c)
        failed |= restat(c) != 0;
    json_decref(by_key);
    if (failed) {
        json_decref(cases);
        return NULL;
    }
    return cases;
}

/* Every directory's calibration rounds, numbered afresh: the pooled run's machine samples. */
static json_t *pooled_calibration(const results_file *in, int n_in)
{
    json_t *rounds = json_array(), *workload = NULL;
    for (int i = 0; i < n_in; i++) {
        json_t *calib = json_object_get(in[i].run, "calibration"), *r;
        size_t k;
        if (workload == NULL)
            workload = json_object_get(calib, "workload");
        json_array_foreach(json_object_get(calib, "rounds"), k, r) {
            json_t *copy = json_deep_copy(r);
            json_object_set_new(copy, "round", json_integer((json_int_t)json_array_size(rounds) + 1));
            json_array_append_new(rounds, copy);
        }
    }
    json_t *o = json_pack("{s:o}", "rounds", rounds);
    if (workload != NULL)
        json_object_set(o, "workload", workload);
    return o;
}

/* OUT/results.json of the pooled cases. Only JSON: a CSV row per pooled case would have to be
 * rebuilt column by column, and compare, plots and gbench read the JSON. 0, or 2. */
static int write_pooled(const char *out, const results_file *in, int n_in, char **dirs)
{
    char path[4200];
    json_t *cases = pooled_cases(in, n_in);
    if (cases == NULL) {
        fprintf(stderr, "attnbench merge: out of memory\n");
        return 2;
    }
    json_t *meta = json_deep_copy(in[0].run), *from = json_array();
    for (int i = 0; i < n_in; i++)
        json_array_append_new(from, json_string(dirs[i]));
    json_object_set_new(meta, "merged_from", from);
    json_object_set_new(meta, "pooled", json_true());
    json_object_set_new(meta, "calibration", pooled_calibration(in, n_in));
    json_object_set_new(meta, "cases_planned", json_integer((json_int_t)json_array_size(cases)));
    snprintf(path, sizeof path, "%s/results.json", out);
    int failed = out_json_write(path, meta, cases) != 0;
    if (failed)
        fprintf(stderr, "attnbench merge: cannot write %s: %s\n", path, strerror(errno));
    else
        printf("pooled %zu cases from %d directories into %s\n", json_array_size(cases), n_in,
               path);
    json_decref(meta);
    json_decref(cases);
    return failed ? 2 : 0;
}

/* A merge of shards: the run is the sweep's (its size, no one shard's place), its "sharded"
 * object says where each shard ran, and the notes (in results.json and on the terminal) say
 * what is missing and where the machines differ. */
static void note_shards(json_t *meta, json_t *sharded)
{
    json_t *notes = json_object_get(meta, "notes"), *line;
    char text[1024];
    size_t i;
    json_object_del(meta, "shard");
    json_object_set(meta, "cases_planned", json_object_get(sharded, "sweep_cases"));
    json_object_set(meta, "sharded", sharded);
    if (!json_is_array(notes)) {
        notes = json_array();
        json_object_set_new(meta, "notes", notes);
    }
    /* The first shard's own notes ("shard 0 of 4: ...") are not the merged run's. */
    for (i = json_array_size(notes); i-- > 0;)
        if (strncmp(json_string_value(json_array_get(notes, i)), "shard ", 6) == 0)
            json_array_remove(notes, i);
    long long lost = json_integer_value(json_object_get(sharded, "cases_missing"));
    if (lost > 0) {
        snprintf(text, sizeof text, "merged with --partial: %lld of the sweep's %lld cases are "
                 "missing (shards missing: %zu)", lost,
                 json_integer_value(json_object_get(sharded, "sweep_cases")),
                 json_array_size(json_object_get(sharded, "missing_shards")));
        json_array_append_new(notes, json_string(text));
        printf("note: %s\n", text);
    }
    json_array_foreach(json_object_get(sharded, "machines_differ"), i, line) {
        snprintf(text, sizeof text, "the shards ran on machines that differ, so their times "
                 "are not comparable (their correctness is): %s", json_string_value(line));
        json_array_append_new(notes, json_string(text));
        printf("note: %s\n", text);
    }
}

/* OUT/results.csv and results.json of every directory's cases (n_keys of them, no two alike),
 * the CSV rows as they were; the run metadata is the first directory's plus merged_from. The CSV
 * is written under a temporary name and renamed last, so a failure leaves neither. 0, or 2. */
static int write_merged(const char *out, const results_file *in, int n_in, char **dirs,
                        size_t n_keys, json_t *sharded)
{
    char err[4600], csv_path[4200], json_path[4200], tmp[4300];
    snprintf(csv_path, sizeof csv_path, "%s/results.csv", out);
    snprintf(json_path, sizeof json_path, "%s/results.json", out);
    snprintf(tmp, sizeof tmp, "%s.tmp", csv_path);
    FILE *csv = fopen(tmp, "w");
    if (csv == NULL) {
        fprintf(stderr, "attnbench merge: cannot create %s: %s\n", tmp, strerror(errno));
        return 2;
    }
    for (int i = 0; i < n_in; i++)
        if (append_csv(csv, dirs[i], i == 0, err, sizeof err) != 0) {
            fprintf(stderr, "attnbench merge: %s\n", err);
            fclose(csv);
            unlink(tmp);
            return 2;
        }
    json_t *meta = json_deep_copy(in[0].run), *cases = json_array(), *from = json_array();
    for (int i = 0; i < n_in; i++) {
        json_array_extend(cases, json_object_get(in[i].doc, "cases"));
        json_array_append_new(from, json_string(dirs[i]));
    }
    json_object_set_new(meta, "merged_from", from);
    json_object_set_new(meta, "cases_planned", json_integer((json_int_t)n_keys));
    if (sharded != NULL)
        note_shards(meta, sharded);
    int failed = fclose(csv) != 0 || out_json_write(json_path, meta, cases) != 0 ||
                 rename(tmp, csv_path) != 0;
    json_decref(meta);
    json_decref(cases);
    if (failed) {
        fprintf(stderr, "attnbench merge: cannot write %s: %s\n", out, strerror(errno));
        unlink(tmp);
        unlink(json_path);
        return 2;
    }
    printf("merged %zu cases from %d directories into %s\n", n_keys, n_in, out);
    return 0;
}

int cmd_merge(int argc, char **argv)
{
    char err[4600], csv_path[4200], json_path[4200];
    int rc = 2, loaded = 0, pool, partial, n_paths, made_out = 0;
    char **paths = malloc(sizeof *paths * (size_t)argc);
    json_t *sharded = NULL;
    if (paths == NULL || parse_args(argc, argv, &pool, &partial, paths, &n_paths) != 0) {
        if (paths == NULL)
            fprintf(stderr, "attnbench merge: out of memory\n");
        free(paths);
        return 2;
    }
    const char *out = paths[0];
    char **dirs = paths + 1;
    int n_in = n_paths - 1;
    snprintf(csv_path, sizeof csv_path, "%s/results.csv", out);
    snprintf(json_path, sizeof json_path, "%s/results.json", out);
    if (access(csv_path, F_OK) == 0 || access(json_path, F_OK) == 0) {
        fprintf(stderr, "attnbench merge: %s already holds results; choose another OUT\n", out);
        free(paths);
        return 2;
    }
    results_file *in = calloc((size_t)n_in, sizeof *in);
    const char **keys = NULL;
    size_t n_keys = 0;
    if (in == NULL)
        goto oom;
    for (; loaded < n_in; loaded++) {
        if (results_load(dirs[loaded], &in[loaded], err, sizeof err) != 0) {
            if (results_unfinished(dirs[loaded]))
                fprintf(stderr, "attnbench merge: %s is unfinished (a journal, no results.json: "
                        "killed, or still running); finish it with: attnbench run --resume "
                        "%s\n", dirs[loaded], dirs[loaded]);
            else
                fprintf(stderr, "attnbench merge: %s\n", err);
            goto done;
        }
        n_keys += (size_t)in[loaded].n;
    }
    if (!pool && shard_check(in, dirs, n_in, partial, &sharded, err, sizeof err) < 0) {
        fprintf(stderr, "attnbench merge: %s\n", err);
        goto done;
    }
    keys = malloc(sizeof *keys * (n_keys + 1));
    if (keys == NULL)
        goto oom;
    n_keys = 0;
    for (int i = 0; i < n_in; i++)
        for (int j = 0; j < in[i].n; j++)
            keys[n_keys++] = in[i].cases[j].key;
    qsort(keys, n_keys, sizeof *keys, by_key);
    for (size_t i = 1; i < n_keys && !pool; i++)
        if (strcmp(keys[i - 1], keys[i]) == 0) {
            fprintf(stderr, "attnbench merge: case \"%s\" is in more than one directory\n",
                    keys[i]);
            goto done;
        }
    /* pooled output is JSON only; a plain merge needs every CSV, checked before OUT exists. */
    if (!pool && check_csvs(dirs, n_in, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench merge: %s\n", err);
        goto done;
    }
    struct stat st;
    made_out = stat(out, &st) != 0;
    if (host_make_dirs(out) != 0) {
        fprintf(stderr, "attnbench merge: cannot create %s: %s\n", out, strerror(errno));
        goto done;
    }
    if (pool) {
        rc = write_pooled(out, in, n_in, dirs);
        goto done;
    }
    rc = write_merged(out, in, n_in, dirs, n_keys, sharded);
    goto done;
oom:
    fprintf(stderr, "attnbench merge: out of memory\n");
done:
    if (rc != 0 && made_out)
        rmdir(out);   /* a failed merge leaves no OUT behind (rmdir removes only an empty one) */
    for (int i = 0; i < loaded; i++)
        results_free(&in[i]);
    free(in);
    free(keys);
    free(paths);
    json_decref(sharded);
    return rc;
}
