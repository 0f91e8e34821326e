/* out_gbench.c: the Google Benchmark JSON writer, shaped as Google Benchmark 1.7's JSONReporter
 * writes: its fields in its order, its aggregates and its error entries. attnbench times each
 * repetition as one call of run(), so an entry has iterations = 1 and real_time = that call's
 * wall time; cpu_time repeats real_time because the harness measures wall time only. */
#include "out_gbench.h"

#include "stats.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "attn/<impl>/b:1/h:4/kvh:4/q:512/kv:512/d:64/causal:0/dist:normal/dtype:f32/cache:warm/
 * threads:1", with "/win:L:R", "/align:top_left", "/dv:N", "/kv_len:ragged", "/softcap:C" and
 * "/alibi:1" after causal where the case has them: every field of the case's key, so no two
 * cases share a name. */
static void case_name(const results_case *c, char *out, size_t len)
{
    const results_variant *v = &c->var;
    char extra[160] = "";
    size_t n = 0;
    if (v->window_left >= 0 || v->window_right > 0)
        n += (size_t)snprintf(extra + n, sizeof extra - n, "/win:%d:%d", v->window_left,
                              v->window_right);
    if (v->top_left)
        n += (size_t)snprintf(extra + n, sizeof extra - n, "/align:top_left");
    if (v->head_dim_v != c->head_dim)
        n += (size_t)snprintf(extra + n, sizeof extra - n, "/dv:%d", v->head_dim_v);
    if (v->ragged)
        n += (size_t)snprintf(extra + n, sizeof extra - n, "/kv_len:ragged");
    if (v->softcap != 0)
        n += (size_t)snprintf(extra + n, sizeof extra - n, "/softcap:%.9g", v->softcap);
    if (v->alibi)
        snprintf(extra + n, sizeof extra - n, "/alibi:1");
    snprintf(out, len,
             "attn/%s/b:%d/h:%d/kvh:%d/q:%d/kv:%d/d:%d/causal:%d%s/dist:%s/dtype:%s/cache:%s/"
             "threads:%d",
             c->impl, c->batch, c->heads, c->kv_heads, c->seq_q, c->seq_kv, c->head_dim,
             c->causal, extra, c->dist, c->dtype, c->cache, c->threads);
}

/* Strings with their digit runs compared as numbers ("tiled2" before "tiled10"); equal only
 * when identical, so that one impl's cases stay together. */
static int natural_cmp(const char *a, const char *b)
{
    const char *x = a, *y = b;
    while (*x && *y) {
        if (isdigit((unsigned char)*x) && isdigit((unsigned char)*y)) {
            while (*x == '0')
                x++;
            while (*y == '0')
                y++;
            size_t nx = 0, ny = 0;
            while (isdigit((unsigned char)x[nx]))
                nx++;
            while (isdigit((unsigned char)y[ny]))
                ny++;
            int d = nx != ny ? (nx > ny) - (nx < ny) : strncmp(x, y, nx);
            if (d != 0)
                return d;
            x += nx;
            y += ny;
        } else if (*x != *y) {
            return (unsigned char)*x - (unsigned char)*y;
        } else {
            x++;
            y++;
        }
    }
    return *x || *y ? (unsigned char)*x - (unsigned char)*y : strcmp(a, b);
}

/* The order of the name's fields, each number as a number: h:1, h:4, h:16 (results_read sorts
 * by its text key, where h16 comes before h4). */
static int cmp_case(const void *pa, const void *pb)
{
    const results_case *a = *(const results_case *const *)pa;
    const results_case *b = *(const results_case *const *)pb;
    int d = natural_cmp(a->impl, b->impl);
    const int ia[] = {a->batch, a->heads, a->kv_heads, a->seq_q, a->seq_kv, a->head_dim,
                      a->causal};
    const int ib[] = {b->batch, b->heads, b->kv_heads, b->seq_q, b->seq_kv, b->head_dim,
                      b->causal};
    for (size_t i = 0; d == 0 && i < sizeof ia / sizeof ia[0]; i++)
        d = (ia[i] > ib[i]) - (ia[i] < ib[i]);
    if (d == 0)
        d = natural_cmp(a->dist, b->dist);
    if (d == 0)
        d = natural_cmp(a->dtype, b->dtype);
    if (d == 0)
        d = natural_cmp(a->cache, b->cache);
    if (d == 0)
        d = (a->threads > b->threads) - (a->threads < b->threads);
    return d != 0 ? d : strcmp(a->key, b->key);   /* the variants: keys are unique */
}

/* results.json's date is strftime's %z form, "2026-11-21T10:00:00+0000"; Google Benchmark
 * writes RFC 3339, "+00:00" (what Python's datetime.fromisoformat reads before 3.11). 0, or -1
 * when in is no such date. */
static int rfc3339_date(const char *in, char *out, size_t len)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)in[i]) : in[i] != shape[i])
            return -1;
    const char *z = in + sizeof shape - 1;
    int sign = z[0] == '+' || z[0] == '-';   /* read no further than the string's end */
    if (sign && isdigit((unsigned char)z[1]) && isdigit((unsigned char)z[2]) &&
        isdigit((unsigned char)z[3]) && isdigit((unsigned char)z[4]) && z[5] == '\0')
        snprintf(out, len, "%.19s%c%c%c:%c%c", in, z[0], z[1], z[2], z[3], z[4]);
    else if (sign && isdigit((unsigned char)z[1]) && isdigit((unsigned char)z[2]) &&
             z[3] == ':' && isdigit((unsigned char)z[4]) && isdigit((unsigned char)z[5]) &&
             z[6] == '\0')
        snprintf(out, len, "%s", in);
    else if (z[0] == 'Z' && z[1] == '\0')
        snprintf(out, len, "%.19s+00:00", in);
    else
        return -1;
    return 0;
}

/* Google Benchmark lists cpu0's caches as Linux numbers them: by level, data before
 * instruction before unified (L1d, L1i, L2, L3); topo.c lists instruction caches last. */
static int cache_rank(json_t *c)
{
    static const char *const types[] = {"data", "instruction", "unified"};
    const char *type = json_string_value(json_object_get(c, "type"));
    int t = 0;
    while (t < 3 && (type == NULL || strcmp(type, types[t]) != 0))
        t++;
    return (int)json_integer_value(json_object_get(c, "level")) * 4 + t;
}

static int cmp_cache(const void *a, const void *b)
{
    int x = cache_rank(*(json_t *const *)a), y = cache_rank(*(json_t *const *)b);
    return (x > y) - (x < y);
}

static json_t *caches(json_t *topo_caches)
{
    static const char *const names[] = {"Data", "Instruction", "Unified"};
    json_t *out = json_array(), *v, *sorted[64];
    size_t i, n = 0;
    json_array_foreach(topo_caches, i, v) {
        json_t *level = json_object_get(v, "level"), *size = json_object_get(v, "size_bytes");
        json_t *sharing = json_object_get(v, "pus_per_cache");
        /* A cache with no type Google Benchmark knows, or a number missing, is left out. */
        if (n < sizeof sorted / sizeof sorted[0] && cache_rank(v) % 4 < 3 &&
            json_is_integer(level) && json_is_integer(size) && json_is_integer(sharing))
            sorted[n++] = v;
    }
    qsort(sorted, n, sizeof sorted[0], cmp_cache);
    for (i = 0; i < n; i++)
        json_array_append_new(out, json_pack("{s:s, s:O, s:O, s:O}", "type",
                                             names[cache_rank(sorted[i]) % 4], "level",
                                             json_object_get(sorted[i], "level"), "size",
                                             json_object_get(sorted[i], "size_bytes"),
                                             "num_sharing",
                                             json_object_get(sorted[i], "pus_per_cache")));
    return out;
}

/* load_avg: the run's [1, 5, 15] minute load averages, as Google Benchmark reads them when it
 * starts; NULL when the run did not record them (this writer runs later: its own would not
 * describe the run). */
static json_t *load_avg(json_t *v)
{
    size_t i, n = json_array_size(v);
    json_t *x;
    if (n < 1 || n > 3)
        return NULL;
    json_array_foreach(v, i, x) {
        if (!json_is_number(x))
            return NULL;
    }
    json_t *out = json_array();
    json_array_foreach(v, i, x) {
        json_array_append_new(out, json_real(json_number_value(x)));
    }
    return out;
}

/* Google Benchmark's context fields in its order. What describes the machine during the run
 * (MHz, frequency scaling, load) comes from the run's metadata or is left out. */
static json_t *context(const results_file *r)
{
    json_t *run = r->run, *ctx = json_object(), *v;
    char date[64];

    const char *when = json_string_value(json_object_get(run, "date"));
    if (when != NULL && rfc3339_date(when, date, sizeof date) == 0)
        json_object_set_new(ctx, "date", json_string(date));
    if (json_is_string(v = json_object_get(run, "host")))
        json_object_set(ctx, "host_name", v);
    json_object_set_new(ctx, "executable", json_string("attnbench"));
    if (json_is_integer(v = json_object_get(run, "online_cpus")))
        json_object_set(ctx, "num_cpus", v);
    /* An integer, rounded as Google Benchmark rounds its cycles per second. */
    if (json_is_number(v = json_object_get(run, "mhz_per_cpu")) && json_number_value(v) > 0)
        json_object_set_new(ctx, "mhz_per_cpu", json_integer(llround(json_number_value(v))));
    if (json_is_boolean(v = json_object_get(run, "cpu_scaling_enabled")))
        json_object_set(ctx, "cpu_scaling_enabled", v);
    json_object_set_new(ctx, "caches",
                        caches(json_object_get(json_object_get(run, "topology"), "caches")));
    if ((v = load_avg(json_object_get(run, "load_avg"))) != NULL)
        json_object_set_new(ctx, "load_avg", v);
    json_object_set_new(ctx, "library_build_type", json_string("release"));
    /* Custom context, as benchmark::AddCustomContext adds it: strings, in the key order of
     * Google Benchmark's std::map. */
    static const char *const extra[] = {"attnbench_version", "compiler", "config_file",
                                        "cpu_model", "git_commit"};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        if (json_is_string(v = json_object_get(run, extra[i])))
            json_object_set(ctx, extra[i], v);
    return ctx;
}

/* A user counter of one case. FLOPS is a rate, one value per timed repetition. The events
 * (counters.values) hold one number per case: the per-repetition average over counters.reps
 * repetitions of their own, counted apart from the timed ones, so no per-repetition values
 * exist. Each repetition's entry carries that average, and the aggregates are computed from
 * the entries' values as Google Benchmark computes them: mean = median = the average, stddev =
 * cv = 0. That 0 says no spread was recorded, not that the counts did not vary. */
typedef struct gb_counter {
    const char *name;             /* points into the document */
    double value;                 /* an event's per-repetition average; NAN for FLOPS */
} gb_counter;

static double counter_at(const gb_counter *k, const results_case *c, int rep)
{
    return isnan(k->value) ? results_number(c, "flops") / c->times[rep] : k->value;
}

static int cmp_counter(const void *a, const void *b)
{
    return strcmp(((const gb_counter *)a)->name, ((const gb_counter *)b)->name);
}

/* The case's counters in name order (Google Benchmark keeps them in a std::map); *n of them.
 * FLOPS only when every repetition has a finite rate, as a counter is on every entry or none.
 * NULL when out of memory. */
static gb_counter *case_counters(const results_case *c, int *n)
{
    json_t *values = json_object_get(json_object_get(c->obj, "counters"), "values"), *v;
    gb_counter *k = malloc(sizeof *k * (json_object_size(values) + 1));
    const char *name;
    double flops = results_number(c, "flops");
    int rates = flops > 0;
    *n = 0;
    if (k == NULL)
        return NULL;
    for (int i = 0; i < c->reps; i++)
        rates &= c->times[i] > 0;
    if (rates)
        k[(*n)++] = (gb_counter){"FLOPS", NAN};
    json_object_foreach(values, name, v) {
        /* null: not measured, so absent rather than 0. */
        if (json_is_number(v) && isfinite(json_number_value(v)) && strcmp(name, "FLOPS") != 0)
            k[(*n)++] = (gb_counter){name, json_number_value(v)};
    }
    qsort(k, (size_t)*n, sizeof *k, cmp_counter);
    return k;
}

/* The fields every entry opens with, in Google Benchmark's order; rep_index < 0 for an
 * aggregate, which has none. */
static json_t *entry(const char *name, const char *run_name, int family, int instance,
                     const char *run_type, int reps, int rep_index, int threads)
{
    json_t *o = json_pack("{s:s, s:i, s:i, s:s, s:s, s:i}", "name", name, "family_index",
                          family, "per_family_instance_index", instance, "run_name", run_name,
                          "run_type", run_type, "repetitions", reps);
    if (rep_index >= 0)
        json_object_set_new(o, "repetition_index", json_integer(rep_index));
    json_object_set_new(o, "threads", json_integer(threads));
    return o;
}

static void add_times(json_t *o, int iterations, double real)
{
    json_object_set_new(o, "iterations", json_integer(iterations));
    json_object_set_new(o, "real_time", json_real(real));
    json_object_set_new(o, "cpu_time", json_real(real));
    json_object_set_new(o, "time_unit", json_string("ns"));
}

/* A case that did not pass, as Google Benchmark reports a benchmark that called SkipWithError
 * in each repetition: an entry per repetition with the error, the iterations done before it
 * (each timed repetition finished its one call; a case never timed did none), real_time and
 * cpu_time 0 and no counters. With fewer than 2 error-free repetitions there are no
 * aggregates. A case never timed is one repetition: the one attempt. */
static void add_failed(json_t *list, const results_case *c, const char *name, int family,
                       int instance)
{
    char msg[1200];
    int n = c->reps > 0 ? c->reps : 1;
    snprintf(msg, sizeof msg, c->reason[0] ? "%s: %s" : "%s", c->status, c->reason);
    for (int i = 0; i < n; i++) {
        json_t *o = entry(name, name, family, instance, "iteration", n, i, c->threads);
        json_object_set_new(o, "error_occurred", json_true());
        json_object_set_new(o, "error_message", json_string(msg));
        add_times(o, i < c->reps ? 1 : 0, 0);
        json_array_append_new(list, o);
    }
}

/* Aggregate a (mean, median, stddev, cv) of a summary, as Google Benchmark computes it: the
 * sample stddev, and cv = stddev / mean (0 for a zero mean, where it has no value). */
static double statistic(const stats_summary *s, int a)
{
    switch (a) {
    case 0: return s->mean;
    case 1: return s->median;
    case 2: return s->stddev;
    default: return s->mean != 0 ? s->stddev / s->mean : 0;
    }
}

static void add_case(json_t *list, const results_case *c, int family, int instance,
                     int aggregates_only)
{
    char name[512], agg_name[600];
    case_name(c, name, sizeof name);
    if (strcmp(c->status, "PASS") != 0 || c->reps < 1) {
        /* Google Benchmark's aggregates-only output would fall back to the error entries;
         * ours is for charting tools, which would plot their real_time 0 as a time. */
        if (!aggregates_only)
            add_failed(list, c, name, family, instance);
        return;
    }
    int nk;
    gb_counter *k = case_counters(c, &nk);
    double *x = malloc(sizeof *x * (size_t)c->reps);
    if (k == NULL || x == NULL)
        nk = 0;                   /* out of memory: the times still, without counters */
    /* Google Benchmark computes aggregates from 2 repetitions up; with one, even
     * --benchmark_report_aggregates_only writes the repetition's entry. */
    int aggregates = c->reps >= 2;
    for (int i = 0; i < c->reps && !(aggregates_only && aggregates); i++) {
        json_t *o = entry(name, name, family, instance, "iteration", c->reps, i, c->threads);
        add_times(o, 1, c->times[i] * 1e9);
        for (int j = 0; j < nk; j++)
            json_object_set_new(o, k[j].name, json_real(counter_at(&k[j], c, i)));
        json_array_append_new(list, o);
    }
    static const char *const aggs[] = {"mean", "median", "stddev", "cv"};
    stats_summary t, s;
    stats_summarise(c->times, c->reps, &t);
    for (int a = 0; aggregates && a < 4; a++) {
        snprintf(agg_name, sizeof agg_name, "%s_%s", name, aggs[a]);
        json_t *o = entry(agg_name, name, family, instance, "aggregate", c->reps, -1,
                          c->threads);
        json_object_set_new(o, "aggregate_name", json_string(aggs[a]));
        json_object_set_new(o, "aggregate_unit", json_string(a == 3 ? "percentage" : "time"));
        /* cv is a fraction, not scaled to ns. */
        add_times(o, c->reps, statistic(&t, a) * (a == 3 ? 1 : 1e9));
        for (int j = 0; j < nk; j++) {
            /* An event's one value is its own mean and median, exactly (summing n copies
             * and dividing by n can miss it by a rounding). */
            s = (stats_summary){.min = k[j].value, .median = k[j].value, .mean = k[j].value};
            if (isnan(k[j].value)) {
                for (int i = 0; i < c->reps; i++)
                    x[i] = counter_at(&k[j], c, i);
                stats_summarise(x, c->reps, &s);
            }
            json_object_set_new(o, k[j].name, json_real(statistic(&s, a)));
        }
        json_array_append_new(list, o);
    }
    free(k);
    free(x);
}

int out_gbench_write(const results_file *r, const char *path, int aggregates_only)
{
    char tmp[4200];
    json_t *doc = json_object(), *list = json_array();
    const results_case **order = malloc(sizeof *order * (size_t)(r->n ? r->n : 1));
    if (order == NULL) {
        json_decref(doc);
        json_decref(list);
        errno = ENOMEM;
        return -1;
    }
    for (int i = 0; i < r->n; i++)
        order[i] = &r->cases[i];
    qsort(order, (size_t)r->n, sizeof *order, cmp_case);
    /* A family per implementation and an instance per case of it, numbered in this order as
     * Google Benchmark numbers its registrations (compare.py sorts entries by the two). */
    int family = -1, instance = 0;
    for (int i = 0; i < r->n; i++) {
        if (i == 0 || strcmp(order[i - 1]->impl, order[i]->impl) != 0) {
            family++;
            instance = 0;
        }
        add_case(list, order[i], family, instance++, aggregates_only);
    }
    free(order);
    json_object_set_new(doc, "context", context(r));
    json_object_set_new(doc, "benchmarks", list);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    /* 17 significant digits, as Google Benchmark prints a double: every value round-trips. */
    int rc = json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(doc);
    if (rc != 0 || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}
