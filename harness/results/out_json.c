/* out_json.c: the JSON writer, through jansson. Written once at the end of a run to a temporary
 * file and renamed into place, so a reader never sees half a document. */
#include "out_json.h"

#include "counters.h"
#include "host.h"
#include "libs.h"
#include "result_fields.h"
#include "status.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* A number from a sysfs file, divided by 1000 (kHz to MHz); -1 when there is none. */
static double sysfs_mhz(const char *path)
{
    double khz;
    return host_read_number(path, &khz) == 0 ? khz / 1000 : -1;
}

/* What Google Benchmark's context says of the machine while it runs, read as the run starts
 * (gbench.json copies them): the load, the clock in MHz (Google Benchmark's order of sources),
 * and whether any CPU's frequency governor is not "performance". Left out when unknown. */
static void machine_state(json_t *meta)
{
    double load[3], mhz = sysfs_mhz("/sys/devices/system/cpu/cpu0/tsc_freq_khz");
    char text[64], path[128];
    int n = getloadavg(load, 3), governors = 0, scaling = 0;
    if (n > 0) {
        json_t *a = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(a, json_real(load[i]));
        json_object_set_new(meta, "load_avg", a);
    }
    if (mhz <= 0)
        mhz = sysfs_mhz("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    if (mhz <= 0 && host_cpuinfo("cpu MHz", text, sizeof text) == 0)
        mhz = atof(text);
    if (mhz > 0)
        json_object_set_new(meta, "mhz_per_cpu", json_real(mhz));
    for (long cpu = 0; cpu < sysconf(_SC_NPROCESSORS_ONLN); cpu++) {
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%ld/cpufreq/scaling_governor",
                 cpu);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        if (fgets(text, sizeof text, f) != NULL) {
            governors++;
            scaling |= strncmp(text, "performance", 11) != 0;
        }
        fclose(f);
    }
    if (governors > 0)
        json_object_set_new(meta, "cpu_scaling_enabled", json_boolean(scaling));
}

json_t *out_json_meta(const cfg *c, int argc, char **argv)
{
    char date[64], cpu[256];
    time_t t = time(NULL);
    struct tm tm;
    struct utsname un;
    json_t *meta = json_object(), *args = json_array(), *config = json_object();

    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", localtime_r(&t, &tm));
    host_cpuinfo("model name", cpu, sizeof cpu);
    uname(&un);
    for (int i = 0; i < argc; i++)
        json_array_append_new(args, json_string(argv[i]));
    for (int i = 0; i < c->n_seen; i++)
        json_object_set_new(config, c->seen_key[i], json_string(c->seen_val[i]));

    json_object_set_new(meta, "attnbench_version", json_string(ATTNBENCH_VERSION));
    json_object_set_new(meta, "git_commit", json_string(ATTNBENCH_GIT));
    json_object_set_new(meta, "date", json_string(date));
    json_object_set_new(meta, "host", json_string(un.nodename));
    json_object_set_new(meta, "kernel", json_string(un.release));
    json_object_set_new(meta, "cpu_model", json_string(cpu));
    json_object_set_new(meta, "online_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
    machine_state(meta);
    json_object_set_new(meta, "compiler", json_string("gcc " __VERSION__));
    json_object_set_new(meta, "cflags", json_string(ATTNBENCH_CFLAGS));
    json_object_set_new(meta, "libraries", libs_json());
    json_object_set_new(meta, "command_line", args);
    json_object_set_new(meta, "config_file", json_string(c->source));
    json_object_set_new(meta, "config", config);
    json_object_set_new(meta, "seed", json_integer((json_int_t)c->seed));
    return meta;
}

static json_t *real_or_null(int measured, double v)
{
    return measured ? json_real(v) : json_null();
}

json_t *out_json_counters_plan(const ctr_plan *plan)
{
    static const char *const modes[] = {"none", "papi", "sim"};
    json_t *o = json_object(), *events = json_array();
    json_object_set_new(o, "mode", json_string(modes[plan->mode]));
    for (int i = 0; i < plan->n; i++) {
        const ctr_event *e = &plan->ev[i];
        json_t *ev = json_pack("{s:s, s:s, s:b}", "name", e->name, "column", e->column,
                               "available", e->available);
        if (e->available)
            json_object_set_new(ev, "source", json_string(ctr_source_name(e->source)));
        /* Counted by perf_event_open: why is PAPI's reason for not counting it. */
        if (!e->available || e->source == CTR_SRC_PERF)
            json_object_set_new(ev, e->available ? "papi_why" : "why", json_string(e->why));
        json_array_append_new(events, ev);
    }
    json_object_set_new(o, "events", events);
    if (plan->note[0] != '\0')
        json_object_set_new(o, "note", json_string(plan->note));
    return o;
}

/* {"reps": n, "scope": "...", "values": {event: count or null}, "why": {event: reason}} */
static json_t *case_counters(const case_result *res, const ctr_plan *plan)
{
    json_t *o = json_object(), *values = json_object(), *why = json_object();
    for (int i = 0; i < plan->n; i++) {
        const char *name = plan->ev[i].name;
        if (res->ctr.ok[i]) {
            json_object_set_new(values, name, json_real(res->ctr.value[i]));
            continue;
        }
        json_object_set_new(values, name, json_null());
        const char *text = res->ctr.why[i][0] ? res->ctr.why[i]
                           : res->status == ST_SKIP ? "not measured: the case was skipped"
                                                    : "not measured: the case did not finish";
        json_object_set_new(why, name, json_string(text));
    }
    json_object_set_new(o, "reps", json_integer(res->ctr.reps));
    if (res->ctr.scope[0] != '\0')
        json_object_set_new(o, "scope", json_string(res->ctr.scope));
    if (res->ctr.detail[0] != '\0')
        json_object_set_new(o, "detail", json_string(res->ctr.detail));
    json_object_set_new(o, "values", values);
    json_object_set_new(o, "why", why);
    return o;
}

static json_t *count_or_null(long long v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

/* What disturbed the timed repetitions, the figures judged (noise.h), and the verdict's why. */
static json_t *case_noise(const case_result *res)
{
    const noise_counts *c = &res->noise;
    const noise_verdict *v = &res->noisy;
    json_t *o = json_object();
    json_object_set_new(o, "invol_cs", count_or_null(c->invol_cs));
    json_object_set_new(o, "cpu_migrations", count_or_null(c->migrations));
    json_object_set_new(o, "steal_s", real_or_null(c->steal_s >= 0, c->steal_s));
    json_object_set_new(o, "cpus", json_integer(c->cpus));
    json_object_set_new(o, "timed_wall_s", json_real(c->wall_s));
    json_object_set_new(o, "steal_pct", real_or_null(v->steal_pct >= 0, v->steal_pct));
    json_object_set_new(o, "spread_pct", json_real(v->spread_pct));
    json_object_set_new(o, "invol_cs_per_s_per_thread",
                        real_or_null(v->invol_per_s >= 0, v->invol_per_s));
    json_object_set_new(o, "migrations_per_rep",
                        real_or_null(v->migr_per_rep >= 0, v->migr_per_rep));
    if (v->noisy)
        json_object_set_new(o, "why", json_string(v->why));
    if (c->why[0] != '\0')
        json_object_set_new(o, "not_measured", json_string(c->why));
    return o;
}

/* A field's JSON value: a number not measured is null, a text not measured is left out. */
static void put_field(json_t *o, result_field_id id, const result_view *v)
{
    const result_field *fd = &result_fields[id];
    rf_value val = result_field_value(id, v);
    json_t *j = NULL;
    switch (fd->type) {
    case RF_T_INT:  j = val.measured ? json_integer(val.i) : json_null(); break;
    case RF_T_REAL: j = val.measured ? json_real(val.x) : json_null(); break;
    case RF_T_BOOL: j = val.measured ? json_boolean(val.i) : json_null(); break;
    case RF_T_TEXT: j = val.measured ? json_string(val.s) : NULL; break;
    }
    if (j != NULL)
        json_object_set_new(o, fd->name, j);
}

json_t *out_json_case(const sweep_problem *sp, const attn_impl *impl, int threads,
                      const case_result *res, const char *repro, const ctr_plan *plan)
{
    result_view v;
    json_t *o = json_object(), *times = json_array();
    result_view_init(&v, sp, impl->name, threads, res, repro);
    for (int i = 0; i < RF_N_FIELDS; i++)
        if (result_fields[i].where & RF_JSON)
            put_field(o, (result_field_id)i, &v);

    for (int i = 0; i < res->reps && res->times != NULL; i++)
        json_array_append_new(times, json_real(res->times[i]));
    json_object_set_new(o, "times_s", times);
    if (res->noisy.measured)
        json_object_set_new(o, "noise", case_noise(res));
    if (plan->mode != CTR_NONE)
        json_object_set_new(o, "counters", case_counters(res, plan));
    if (res->rounds > 0) {
        json_t *medians = json_array();
        for (int i = 0; i < res->n_process_medians; i++)
            json_array_append_new(medians, json_real(res->process_medians[i]));
        json_object_set_new(o, "rounds", json_integer(res->rounds));
        json_object_set_new(o, "process_medians_s", medians);
    }
    return o;
}

int out_json_write(const char *path, json_t *meta, json_t *cases)
{
    char tmp[4200];
    json_t *doc = json_object();
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    json_object_set_new(doc, "format", json_string(RESULTS_FORMAT));
    json_object_set_new(doc, "format_version", json_integer(RESULTS_FORMAT_VERSION));
    json_object_set(doc, "run", meta);
    json_object_set(doc, "cases", cases);
    int rc = json_dump_file(doc, tmp, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
    json_decref(doc);
    if (rc != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}
