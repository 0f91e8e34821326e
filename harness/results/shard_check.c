/* shard_check.c: the shards of one sweep, checked before they are merged (shard_check.h). A
 * shard's results.json names its sweep (sweep_id), its place (shard.index of shard.count) and
 * the keys of its planned cases, so that what is missing can be named, not only counted. */
#include "shard_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int shard_of(const results_file *r, int *index, int *count)
{
    json_t *sh = json_object_get(r->run, "shard");
    if (!json_is_object(sh))
        return 0;
    *index = (int)json_integer_value(json_object_get(sh, "index"));
    *count = (int)json_integer_value(json_object_get(sh, "count"));
    return 1;
}

int shard_missing(const results_file *r, char *example, size_t len)
{
    json_t *planned = json_object_get(json_object_get(r->run, "shard"), "cases");
    json_t *recorded = json_object();
    json_t *k;
    size_t i;
    int missing = 0;
    if (example != NULL && len > 0)
        example[0] = '\0';
    for (int c = 0; c < r->n; c++)
        json_object_set_new(recorded, r->cases[c].key, json_true());
    json_array_foreach(planned, i, k) {
        const char *key = json_string_value(k);
        if (key == NULL || json_object_get(recorded, key) != NULL)
            continue;
        if (missing++ == 0 && example != NULL)
            snprintf(example, len, "%s", key);
    }
    json_decref(recorded);
    return missing;
}

/* A string field of the run (""), and a nested one. */
static const char *run_text(const results_file *r, const char *outer, const char *field)
{
    json_t *o = outer != NULL ? json_object_get(r->run, outer) : r->run;
    const char *s = json_string_value(json_object_get(o, field));
    return s != NULL ? s : "";
}

/* shard i's entry in the merged run: where it ran and what it had. */
static json_t *shard_entry(const results_file *r, const char *dir, int index)
{
    json_t *pk = json_object_get(r->run, "machine_peaks");
    int planned = (int)json_integer_value(json_object_get(r->run, "cases_planned"));
    return json_pack("{s:i, s:s, s:s, s:s, s:O?, s:O?, s:O?, s:s, s:s, s:i, s:i, s:b}",
                     "index", index, "dir", dir, "host", run_text(r, NULL, "host"),
                     "cpu_model", run_text(r, NULL, "cpu_model"), "online_cpus",
                     json_object_get(r->run, "online_cpus"), "peak_gflops",
                     json_object_get(pk, "peak_gflops"), "triad_gbps",
                     json_object_get(pk, "triad_gbps"), "openblas_core",
                     run_text(r, "libraries", "openblas_core"), "onednn_isa",
                     run_text(r, "libraries", "onednn_isa"), "cases_planned", planned,
                     "cases_recorded", r->n, "interrupted",
                     json_is_true(json_object_get(r->run, "interrupted")));
}

/* Appends to lines each way shard b's machine differs from shard a's. */
static void differences(const json_t *a, const json_t *b, json_t *lines)
{
    static const char *const words[] = {"cpu_model", "openblas_core", "onednn_isa"};
    static const char *const peaks[] = {"peak_gflops", "triad_gbps"};
    char line[512], who[160];
    snprintf(who, sizeof who, "shard %d (%s) and shard %d (%s)",
             (int)json_integer_value(json_object_get(a, "index")),
             json_string_value(json_object_get(a, "host")),
             (int)json_integer_value(json_object_get(b, "index")),
             json_string_value(json_object_get(b, "host")));
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        const char *x = json_string_value(json_object_get(a, words[i]));
        const char *y = json_string_value(json_object_get(b, words[i]));
        if (strcmp(x, y) != 0) {
            snprintf(line, sizeof line, "%s: %s '%s' and '%s'", who, words[i], x, y);
            json_array_append_new(lines, json_string(line));
        }
    }
    if (!json_equal(json_object_get(a, "online_cpus"), json_object_get(b, "online_cpus"))) {
        snprintf(line, sizeof line, "%s: %lld and %lld CPUs", who,
                 json_integer_value(json_object_get(a, "online_cpus")),
                 json_integer_value(json_object_get(b, "online_cpus")));
        json_array_append_new(lines, json_string(line));
    }
    for (size_t i = 0; i < sizeof peaks / sizeof *peaks; i++) {
        json_t *x = json_object_get(a, peaks[i]), *y = json_object_get(b, peaks[i]);
        if ((x == NULL) != (y == NULL)) {
            snprintf(line, sizeof line, "%s: %s measured on one only", who, peaks[i]);
            json_array_append_new(lines, json_string(line));
            continue;
        }
        size_t n = json_array_size(x) < json_array_size(y) ? json_array_size(x)
                                                           : json_array_size(y);
        for (size_t t = 0; t < n; t++) {
            double u = json_number_value(json_array_get(x, t));
            double v = json_number_value(json_array_get(y, t));
            if (u > 0 && v > 0 && fabs(v / u - 1) > SHARD_PEAK_TOLERANCE) {
                snprintf(line, sizeof line, "%s: %s %.4g and %.4g (entry %zu), more than %.0f%% "
                         "apart", who, peaks[i], u, v, t + 1, 100 * SHARD_PEAK_TOLERANCE);
                json_array_append_new(lines, json_string(line));
                break;
            }
        }
    }
}

/* Every input a shard of one sweep, each place once: 0, or -1 with err. at[i] gets the input
 * holding shard i, or -1. */
static int same_sweep(const results_file *in, char **dirs, int n, int count, int *at, char *err,
                      size_t len)
{
    const char *id = run_text(&in[0], NULL, "sweep_id");
    for (int i = 0; i < count; i++)
        at[i] = -1;
    for (int i = 0; i < n; i++) {
        int idx, cnt;
        if (!shard_of(&in[i], &idx, &cnt)) {
            snprintf(err, len, "%s is not a shard (no run --shard) but %s is: merge one "
                     "sweep's shards together, apart from other results", dirs[i], dirs[0]);
            return -1;
        }
        if (cnt != count || strcmp(run_text(&in[i], NULL, "sweep_id"), id) != 0) {
            snprintf(err, len, "%s is shard %d/%d of sweep %s, and %s one of %d of sweep %s: "
                     "the shards of one sweep share its config, seed, implementations and "
                     "plugins", dirs[i], idx, cnt, run_text(&in[i], NULL, "sweep_id"), dirs[0],
                     count, id);
            return -1;
        }
        if (idx < 0 || idx >= count || at[idx] >= 0) {
            snprintf(err, len, "%s and %s are both shard %d/%d", dirs[i],
                     idx >= 0 && idx < count ? dirs[at[idx]] : "?", idx, count);
            return -1;
        }
        at[idx] = i;
    }
    return 0;
}

/* Unless partial: -1 with err naming the missing shards, or the first unfinished one. */
static int complete(const results_file *in, char **dirs, const int *at, int count, int partial,
                    json_t *missing, char *err, size_t len)
{
    char list[512] = "", example[RESULTS_KEY_LEN];
    size_t used = 0;
    for (int i = 0; i < count; i++)
        if (at[i] < 0) {
            json_array_append_new(missing, json_integer(i));
            used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0,
                                     "%s%d", used ? ", " : "", i);
        }
    if (!partial && json_array_size(missing) > 0) {
        snprintf(err, len, "shard%s %s of %d %s missing: give %s directory (or --partial to "
                 "merge without %s)", json_array_size(missing) > 1 ? "s" : "", list, count,
                 json_array_size(missing) > 1 ? "are" : "is",
                 json_array_size(missing) > 1 ? "their" : "its",
                 json_array_size(missing) > 1 ? "them" : "it");
        return -1;
    }
    for (int i = 0; i < count && !partial; i++) {
        if (at[i] < 0)
            continue;
        int m = shard_missing(&in[at[i]], example, sizeof example);
        if (m > 0) {
            snprintf(err, len, "%s (shard %d/%d) is unfinished: %d of its cases not recorded "
                     "(\"%s\"%s); finish it with: attnbench run --resume %s (or --partial)",
                     dirs[at[i]], i, count, m, example, m > 1 ? " and others" : "",
                     dirs[at[i]]);
            return -1;
        }
    }
    return 0;
}

int shard_check(const results_file *in, char **dirs, int n, int partial, json_t **out,
                char *err, size_t err_len)
{
    int index, count;
    *out = NULL;
    int any = -1;
    for (int i = 0; i < n && any < 0; i++)
        if (shard_of(&in[i], &index, &count))
            any = i;
    if (any < 0)
        return 0;
    if (any > 0) {
        snprintf(err, err_len, "%s is not a shard (no run --shard) but %s is: merge one "
                 "sweep's shards together, apart from other results", dirs[0], dirs[any]);
        return -1;
    }
    int *at = malloc(sizeof *at * (size_t)count);
    json_t *missing = json_array(), *shards = json_array(), *differ = json_array();
    int rc = at == NULL ? -1 : same_sweep(in, dirs, n, count, at, err, err_len);
    if (rc == 0)
        rc = complete(in, dirs, at, count, partial, missing, err, err_len);
    int recorded = 0, first = -1;
    for (int i = 0; rc == 0 && i < count; i++) {
        if (at[i] < 0)
            continue;
        json_t *e = shard_entry(&in[at[i]], dirs[at[i]], i);
        recorded += in[at[i]].n;
        if (first < 0)
            first = (int)json_array_size(shards);
        else
            differences(json_array_get(shards, (size_t)first), e, differ);
        json_array_append_new(shards, e);
    }
    if (rc == 0) {
        int whole = (int)json_integer_value(
            json_object_get(json_object_get(in[0].run, "shard"), "sweep_cases"));
        *out = json_pack("{s:s, s:i, s:i, s:o, s:o, s:i, s:o}", "sweep_id",
                         run_text(&in[0], NULL, "sweep_id"), "count", count, "sweep_cases",
                         whole, "shards", shards, "missing_shards", missing, "cases_missing",
                         whole - recorded, "machines_differ", differ);
        free(at);
        return 1;
    }
    json_decref(missing);
    json_decref(shards);
    json_decref(differ);
    free(at);
    if (at == NULL)
        snprintf(err, err_len, "out of memory");
    return -1;
}
