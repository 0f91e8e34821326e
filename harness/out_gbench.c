/* out_gbench.c: the Google Benchmark JSON writer. attnbench times each repetition as one call
 * of run(), so an entry has iterations = 1 and real_time = that call's wall time; cpu_time
 * repeats real_time because the harness measures wall time only (the README says so). */
#include "out_gbench.h"

#include "host.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "attn/<impl>/b:1/h:4/kvh:4/q:512/kv:512/d:64/causal:0/dist:normal/cache:warm/threads:1" */
static void case_name(const results_case *c, char *out, size_t len)
{
    snprintf(out, len,
             "attn/%s/b:%d/h:%d/kvh:%d/q:%d/kv:%d/d:%d/causal:%d/dist:%s/cache:%s/threads:%d",
             c->impl, c->batch, c->heads, c->kv_heads, c->seq_q, c->seq_kv, c->head_dim,
             c->causal, c->dist, c->cache, c->threads);
}

static json_t *context(const results_file *r)
{
    json_t *run = r->run, *ctx = json_object(), *caches = json_array(), *v;
    json_t *topo_caches = json_object_get(json_object_get(run, "topology"), "caches");
    size_t i;
    double load[3] = {0, 0, 0};

    v = json_object_get(run, "date");
    json_object_set_new(ctx, "date", v ? json_incref(v) : json_string("?"));
    v = json_object_get(run, "host");
    json_object_set_new(ctx, "host_name", v ? json_incref(v) : json_string("?"));
    json_object_set_new(ctx, "executable", json_string("attnbench"));
    v = json_object_get(run, "online_cpus");
    json_object_set_new(ctx, "num_cpus", v ? json_incref(v) : json_integer(0));
    char mhz[64];
    host_cpuinfo("cpu MHz", mhz, sizeof mhz);
    json_object_set_new(ctx, "mhz_per_cpu", json_integer(atol(mhz)));
    json_object_set_new(ctx, "cpu_scaling_enabled", json_false());
    json_array_foreach(topo_caches, i, v) {
        const char *type = json_string_value(json_object_get(v, "type"));
        json_t *cache = json_pack("{s:s, s:O, s:O, s:O}", "type",
                                  type && !strcmp(type, "data")          ? "Data"
                                  : type && !strcmp(type, "instruction") ? "Instruction"
                                                                         : "Unified",
                                  "level", json_object_get(v, "level"), "size",
                                  json_object_get(v, "size_bytes"), "num_sharing",
                                  json_object_get(v, "pus_per_cache"));
        if (cache != NULL)
            json_array_append_new(caches, cache);
    }
    json_object_set_new(ctx, "caches", caches);
    if (getloadavg(load, 3) == 3)
        json_object_set_new(ctx, "load_avg", json_pack("[f, f, f]", load[0], load[1], load[2]));
    json_object_set_new(ctx, "library_build_type", json_string("release"));
    /* Custom context, as benchmark::AddCustomContext adds it: strings. */
    static const char *const extra[] = {"attnbench_version", "git_commit", "cpu_model",
                                        "compiler", "config_file"};
    for (i = 0; i < sizeof extra / sizeof extra[0]; i++)
        if (json_is_string(v = json_object_get(run, extra[i])))
            json_object_set(ctx, extra[i], v);
    return ctx;
}

/* Counters of one case, per iteration (gbench's default counter kind), and FLOP/s as a rate. */
static void add_counters(json_t *o, const results_case *c, double seconds)
{
    double flops = results_number(c, "flops");
    if (seconds > 0 && flops > 0)
        json_object_set_new(o, "FLOPS", json_real(flops / seconds));
    json_t *values = json_object_get(json_object_get(c->obj, "counters"), "values");
    const char *k;
    json_t *v;
    json_object_foreach(values, k, v) {
        if (json_is_number(v))
            json_object_set_new(o, k, json_real(json_number_value(v)));
    }
}

static json_t *entry(const results_case *c, const char *name, int family, int instance)
{
    return json_pack("{s:s, s:i, s:i, s:s, s:i, s:i}", "name", name, "family_index", family,
                     "per_family_instance_index", instance, "run_name", name, "repetitions",
                     c->reps > 0 ? c->reps : 1, "threads", c->threads);
}

static void add_case(json_t *list, const results_case *c, int family, int instance,
                     int aggregates_only)
{
    char name[512], agg_name[600];
    case_name(c, name, sizeof name);
    int passed = strcmp(c->status, "PASS") == 0 && c->reps > 0;
    if (!passed && aggregates_only)
        return;
    if (!passed) {
        /* What gbench writes for a benchmark that called SkipWithError. */
        json_t *o = entry(c, name, family, instance);
        char msg[1200];
        snprintf(msg, sizeof msg, "%s: %s", c->status, c->reason);
        json_object_set_new(o, "run_type", json_string("iteration"));
        json_object_set_new(o, "repetition_index", json_integer(0));
        json_object_set_new(o, "iterations", json_integer(0));
        json_object_set_new(o, "real_time", json_real(0));
        json_object_set_new(o, "cpu_time", json_real(0));
        json_object_set_new(o, "time_unit", json_string("ns"));
        json_object_set_new(o, "error_occurred", json_true());
        json_object_set_new(o, "error_message", json_string(msg));
        json_array_append_new(list, o);
        return;
    }
    for (int i = 0; i < c->reps && !aggregates_only; i++) {
        json_t *o = entry(c, name, family, instance);
        json_object_set_new(o, "run_type", json_string("iteration"));
        json_object_set_new(o, "repetition_index", json_integer(i));
        json_object_set_new(o, "iterations", json_integer(1));
        json_object_set_new(o, "real_time", json_real(c->times[i] * 1e9));
        json_object_set_new(o, "cpu_time", json_real(c->times[i] * 1e9));
        json_object_set_new(o, "time_unit", json_string("ns"));
        add_counters(o, c, c->times[i]);
        json_array_append_new(list, o);
    }
    stats_summary s;
    stats_summarise(c->times, c->reps, &s);
    struct { const char *name, *unit; double value; } aggs[] = {
        {"mean", "time", s.mean * 1e9},
        {"median", "time", s.median * 1e9},
        {"stddev", "time", s.stddev * 1e9},
        {"cv", "percentage", s.mean > 0 ? s.stddev / s.mean : 0},
    };
    for (size_t a = 0; a < sizeof aggs / sizeof aggs[0]; a++) {
        snprintf(agg_name, sizeof agg_name, "%s_%s", name, aggs[a].name);
        json_t *o = entry(c, agg_name, family, instance);
        json_object_set_new(o, "run_name", json_string(name));
        json_object_set_new(o, "run_type", json_string("aggregate"));
        json_object_set_new(o, "aggregate_name", json_string(aggs[a].name));
        json_object_set_new(o, "aggregate_unit", json_string(aggs[a].unit));
        json_object_set_new(o, "iterations", json_integer(c->reps));
        json_object_set_new(o, "real_time", json_real(aggs[a].value));
        json_object_set_new(o, "cpu_time", json_real(aggs[a].value));
        json_object_set_new(o, "time_unit", json_string("ns"));
        if (!strcmp(aggs[a].name, "median"))
            add_counters(o, c, s.median);
        json_array_append_new(list, o);
    }
}

int out_gbench_write(const results_file *r, const char *path, int aggregates_only)
{
    char tmp[4200];
    json_t *doc = json_object(), *list = json_array();
    /* A family per implementation, in order of first appearance, as gbench numbers them. */
    const char *families[256];
    int n_families = 0, instances[256] = {0};
    for (int i = 0; i < r->n; i++) {
        const results_case *c = &r->cases[i];
        int f = 0;
        while (f < n_families && strcmp(families[f], c->impl) != 0)
            f++;
        if (f == n_families && n_families < 256)
            families[n_families++] = c->impl;
        if (f == 256)
            f = 255;
        add_case(list, c, f, instances[f]++, aggregates_only);
    }
    json_object_set_new(doc, "context", context(r));
    json_object_set_new(doc, "benchmarks", list);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc = json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
    json_decref(doc);
    if (rc != 0 || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}
