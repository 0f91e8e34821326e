/* test_gbench.c: the Google Benchmark JSON, field by field against what Google Benchmark 1.7's
 * JSONReporter writes: the context (RFC 3339 date, run-time fields only from the run, caches
 * with the L1i, in its order), the entries' fields in its order, cases in natural order,
 * counters on all four aggregates, no aggregates under 2 repetitions, and error entries. */
#include "test_util.h"

#include "out_gbench.h"
#include "results_read.h"

#include <jansson.h>
#include <math.h>

/* A run that recorded everything Google Benchmark's context describes, its caches in topo.c's
 * order (instruction caches last), counters out of name order, and cases written out of order:
 * naive FAIL (3 timed repetitions) and SKIP (none); tiled with 3, 2 and 1 repetitions at h:16,
 * h:4, h:1; tiled10 and tiled2 with one each. */
#define CASE(impl, heads, status, reason, reps, times, extra)                                  \
    "{\"impl\": \"" impl "\", \"batch\": 1, \"heads\": " #heads ", \"kv_heads\": 2,"             \
    " \"seq_q\": 128, \"seq_kv\": 256, \"head_dim\": 64, \"causal\": true,"                     \
    " \"dist\": \"normal\", \"threads\": 2, \"cache\": \"cold\", \"status\": \"" status "\","  \
    " \"reason\": \"" reason "\", \"reps\": " #reps ", \"times_s\": " times ","                 \
    " \"flops\": 1e6" extra "}"

static const char full_run[] =
    "{\"format\": \"attnbench-results\", \"format_version\": 1,"
    " \"run\": {\"date\": \"2026-11-21T10:00:00+0000\", \"host\": \"box\", \"online_cpus\": 2,"
    "  \"git_commit\": \"abc123\", \"attnbench_version\": \"0.1.0\", \"compiler\": \"gcc 12\","
    "  \"config_file\": \"c.ini\", \"cpu_model\": \"EPYC\", \"load_avg\": [0.5, 0.25, 0.125],"
    "  \"mhz_per_cpu\": 2596.138, \"cpu_scaling_enabled\": true,"
    "  \"topology\": {\"caches\": ["
    "   {\"level\": 1, \"type\": \"data\", \"size_bytes\": 32768, \"pus_per_cache\": 1},"
    "   {\"level\": 2, \"type\": \"unified\", \"size_bytes\": 1048576, \"pus_per_cache\": 1},"
    "   {\"level\": 3, \"type\": \"unified\", \"size_bytes\": 33554432, \"pus_per_cache\": 2},"
    "   {\"level\": 1, \"type\": \"instruction\", \"size_bytes\": 32768, \"pus_per_cache\": 1}"
    "  ]}},"
    " \"cases\": ["
    CASE("tiled", 16, "PASS", "", 3, "[0.002, 0.001, 0.003]",
         ", \"counters\": {\"values\": {\"perf::PAGE-FAULTS\": 0.1, \"PAPI_L1_DCM\": null,"
         " \"SIM_INSTRUCTIONS\": 5000}}") ","
    CASE("naive", 16, "SKIP", "unavailable: no AVX2", 0, "[]", "") ","
    CASE("tiled", 4, "PASS", "", 2, "[0.001, 0.003]", "") ","
    CASE("tiled10", 4, "PASS", "", 1, "[0.001]", "") ","
    CASE("naive", 4, "FAIL", "too far off", 3, "[0.001, 0.001, 0.001]",
         ", \"counters\": {\"values\": {\"SIM_INSTRUCTIONS\": 7}}") ","
    CASE("tiled", 1, "PASS", "", 1, "[0.004]", "") ","
    CASE("tiled2", 4, "PASS", "", 1, "[0.001]", "")
    "]}";

#define NAME(impl, heads)                                                                     \
    "attn/" impl "/b:1/h:" #heads "/kvh:2/q:128/kv:256/d:64/causal:1/dist:normal/dtype:f32/"   \
    "cache:cold/threads:2"

/* Writes text as a results.json, converts it, and returns the gbench.json read back. */
static json_t *convert(const char *text, int aggregates_only)
{
    char in[256], out[256], err[4600];
    results_file r;
    json_error_t je;
    test_write_file(in, sizeof in, "gbench-in", text);
    snprintf(out, sizeof out, "/tmp/attnbench-test-gbench-%d.json", (int)getpid());
    assert_int_equal(results_load(in, &r, err, sizeof err), 0);
    assert_int_equal(out_gbench_write(&r, out, aggregates_only), 0);
    results_free(&r);
    json_t *doc = json_load_file(out, JSON_REJECT_DUPLICATES, &je);
    assert_non_null(doc);
    unlink(in);
    unlink(out);
    return doc;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    if (s == NULL)
        fail_msg("no string \"%s\"", k);
    return s;
}

static double num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_number(v))
        fail_msg("no number \"%s\"", k);
    return json_number_value(v);
}

static long long integer(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        fail_msg("\"%s\" is not an integer", k);
    return (long long)json_integer_value(v);
}

/* Within a relative 1e-12: the expected values were computed apart (Python's statistics). */
static void assert_close(double got, double want)
{
    if (!(fabs(got - want) <= 1e-12 * fabs(want)))
        fail_msg("%.17g is not %.17g", got, want);
}

/* o's keys are exactly keys[0..n), in that order (jansson keeps a document's order). */
static void assert_keys(json_t *o, const char *const *keys, size_t n)
{
    size_t i = 0;
    for (void *it = json_object_iter(o); it != NULL; it = json_object_iter_next(o, it), i++) {
        if (i >= n)
            fail_msg("extra key \"%s\"", json_object_iter_key(it));
        if (strcmp(json_object_iter_key(it), keys[i]) != 0)
            fail_msg("key %zu is \"%s\", not \"%s\"", i, json_object_iter_key(it), keys[i]);
    }
    if (i != n)
        fail_msg("%zu keys, not %zu (missing \"%s\")", i, n, keys[i]);
}

#define KEYS(o, ...)                                                                          \
    do {                                                                                      \
        static const char *const k_[] = {__VA_ARGS__};                                        \
        assert_keys((o), k_, sizeof k_ / sizeof k_[0]);                                       \
    } while (0)

#define ENTRY_HEAD "name", "family_index", "per_family_instance_index", "run_name", "run_type", \
                   "repetitions"
#define TIMES "iterations", "real_time", "cpu_time", "time_unit"

/* Items 1, 2, 3 and 7: the context of a run that recorded everything. */
static void test_context_full(void **st)
{
    (void)st;
    json_t *doc = convert(full_run, 0);
    json_t *ctx = json_object_get(doc, "context");
    KEYS(ctx, "date", "host_name", "executable", "num_cpus", "mhz_per_cpu",
         "cpu_scaling_enabled", "caches", "load_avg", "library_build_type",
         "attnbench_version", "compiler", "config_file", "cpu_model", "git_commit");
    assert_string_equal(str(ctx, "date"), "2026-11-21T10:00:00+00:00");
    assert_string_equal(str(ctx, "host_name"), "box");
    assert_string_equal(str(ctx, "executable"), "attnbench");
    assert_int_equal(integer(ctx, "num_cpus"), 2);
    assert_int_equal(integer(ctx, "mhz_per_cpu"), 2596);      /* rounded, an integer */
    assert_true(json_is_true(json_object_get(ctx, "cpu_scaling_enabled")));
    json_t *load = json_object_get(ctx, "load_avg");
    assert_int_equal(json_array_size(load), 3);
    assert_true(json_number_value(json_array_get(load, 0)) == 0.5);
    assert_true(json_number_value(json_array_get(load, 1)) == 0.25);
    assert_true(json_number_value(json_array_get(load, 2)) == 0.125);
    assert_string_equal(str(ctx, "library_build_type"), "release");
    assert_string_equal(str(ctx, "git_commit"), "abc123");
    assert_string_equal(str(ctx, "cpu_model"), "EPYC");

    /* As Linux numbers cpu0's caches and Google Benchmark lists them: L1d, L1i, L2, L3. */
    static const struct { const char *type; int level, size, sharing; } want[] = {
        {"Data", 1, 32768, 1}, {"Instruction", 1, 32768, 1},
        {"Unified", 2, 1048576, 1}, {"Unified", 3, 33554432, 2}};
    json_t *caches = json_object_get(ctx, "caches");
    assert_int_equal(json_array_size(caches), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *c = json_array_get(caches, i);
        KEYS(c, "type", "level", "size", "num_sharing");
        assert_string_equal(str(c, "type"), want[i].type);
        assert_int_equal(integer(c, "level"), want[i].level);
        assert_int_equal(integer(c, "size"), want[i].size);
        assert_int_equal(integer(c, "num_sharing"), want[i].sharing);
    }
    json_decref(doc);
}

/* A run with only its date and host: MHz, scaling and load are left out, not made up now. */
static json_t *minimal_context(const char *date_field)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"format\": \"attnbench-results\", \"format_version\": 1,"
             " \"run\": {%s \"host\": \"box\", \"cpu_scaling_enabled\": null,"
             " \"load_avg\": [], \"mhz_per_cpu\": null}, \"cases\": []}", date_field);
    json_t *doc = convert(text, 0);
    json_t *ctx = json_incref(json_object_get(doc, "context"));
    assert_int_equal(json_array_size(json_object_get(doc, "benchmarks")), 0);
    json_decref(doc);
    return ctx;
}

static void test_context_minimal(void **st)
{
    (void)st;
    json_t *ctx = minimal_context("\"date\": \"2026-03-01T08:30:00-0530\",");
    KEYS(ctx, "date", "host_name", "executable", "caches", "library_build_type");
    assert_string_equal(str(ctx, "date"), "2026-03-01T08:30:00-05:30");
    assert_int_equal(json_array_size(json_object_get(ctx, "caches")), 0);
    json_decref(ctx);

    /* Already RFC 3339, or Z: kept, or "+00:00". */
    ctx = minimal_context("\"date\": \"2026-03-01T08:30:00+05:45\",");
    assert_string_equal(str(ctx, "date"), "2026-03-01T08:30:00+05:45");
    json_decref(ctx);
    ctx = minimal_context("\"date\": \"2026-03-01T08:30:00Z\",");
    assert_string_equal(str(ctx, "date"), "2026-03-01T08:30:00+00:00");
    json_decref(ctx);
    /* No date, or none Python could read: no "date" rather than a wrong one. */
    static const char *const bad[] = {
        "", "\"date\": \"?\",", "\"date\": 20260301,", "\"date\": \"2026-03-01 08:30:00+0000\",",
        "\"date\": \"2026-03-01T08:30:00+000\",", "\"date\": \"2026-03-01T08:30:00+\",",
        "\"date\": \"2026-03-01T08:30:00\",", "\"date\": \"2026-03-01T08:30:00+00:00:00\","};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ctx = minimal_context(bad[i]);
        assert_null(json_object_get(ctx, "date"));
        json_decref(ctx);
    }
}

/* Item 6: impl in natural order (tiled, tiled2, tiled10), then each number as a number (h:1,
 * h:4, h:16); a family per impl, an instance per case. Items 4 and 5 field by field. */
static void test_entries(void **st)
{
    (void)st;
    json_t *doc = convert(full_run, 0);
    json_t *list = json_object_get(doc, "benchmarks");
    static const struct { const char *name; int family, instance; const char *run_type; } want[] = {
        {NAME("naive", 4), 0, 0, "iteration"},  {NAME("naive", 4), 0, 0, "iteration"},
        {NAME("naive", 4), 0, 0, "iteration"},  {NAME("naive", 16), 0, 1, "iteration"},
        {NAME("tiled", 1), 1, 0, "iteration"},
        {NAME("tiled", 4), 1, 1, "iteration"},  {NAME("tiled", 4), 1, 1, "iteration"},
        {NAME("tiled", 4) "_mean", 1, 1, "aggregate"},
        {NAME("tiled", 4) "_median", 1, 1, "aggregate"},
        {NAME("tiled", 4) "_stddev", 1, 1, "aggregate"},
        {NAME("tiled", 4) "_cv", 1, 1, "aggregate"},
        {NAME("tiled", 16), 1, 2, "iteration"}, {NAME("tiled", 16), 1, 2, "iteration"},
        {NAME("tiled", 16), 1, 2, "iteration"},
        {NAME("tiled", 16) "_mean", 1, 2, "aggregate"},
        {NAME("tiled", 16) "_median", 1, 2, "aggregate"},
        {NAME("tiled", 16) "_stddev", 1, 2, "aggregate"},
        {NAME("tiled", 16) "_cv", 1, 2, "aggregate"},
        {NAME("tiled2", 4), 2, 0, "iteration"}, {NAME("tiled10", 4), 3, 0, "iteration"},
    };
    assert_int_equal(json_array_size(list), sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *e = json_array_get(list, i);
        assert_string_equal(str(e, "name"), want[i].name);
        assert_int_equal(integer(e, "family_index"), want[i].family);
        assert_int_equal(integer(e, "per_family_instance_index"), want[i].instance);
        assert_string_equal(str(e, "run_type"), want[i].run_type);
        assert_int_equal(integer(e, "threads"), 2);
        assert_string_equal(str(e, "time_unit"), "ns");
    }

    /* Item 5: FAIL after 3 timed repetitions: 3 error entries, each its one call done, no
     * time, no counters, no aggregates. */
    for (int i = 0; i < 3; i++) {
        json_t *e = json_array_get(list, (size_t)i);
        KEYS(e, ENTRY_HEAD, "repetition_index", "threads", "error_occurred", "error_message",
             TIMES);
        assert_string_equal(str(e, "run_name"), NAME("naive", 4));
        assert_int_equal(integer(e, "repetitions"), 3);
        assert_int_equal(integer(e, "repetition_index"), i);
        assert_true(json_is_true(json_object_get(e, "error_occurred")));
        assert_string_equal(str(e, "error_message"), "FAIL: too far off");
        assert_int_equal(integer(e, "iterations"), 1);
        assert_true(num(e, "real_time") == 0 && num(e, "cpu_time") == 0);
    }
    /* SKIP, never timed: one attempt, no iteration. */
    json_t *skip = json_array_get(list, 3);
    KEYS(skip, ENTRY_HEAD, "repetition_index", "threads", "error_occurred", "error_message",
         TIMES);
    assert_int_equal(integer(skip, "repetitions"), 1);
    assert_int_equal(integer(skip, "repetition_index"), 0);
    assert_string_equal(str(skip, "error_message"), "SKIP: unavailable: no AVX2");
    assert_int_equal(integer(skip, "iterations"), 0);
    assert_true(num(skip, "real_time") == 0 && num(skip, "cpu_time") == 0);

    /* One repetition: its entry alone, as Google Benchmark computes no aggregates of one. */
    json_t *one = json_array_get(list, 4);
    KEYS(one, ENTRY_HEAD, "repetition_index", "threads", TIMES, "FLOPS");
    assert_int_equal(integer(one, "repetitions"), 1);
    assert_int_equal(integer(one, "iterations"), 1);
    assert_close(num(one, "real_time"), 4e6);
    assert_close(num(one, "FLOPS"), 2.5e8);

    /* Item 4, 3 repetitions: per repetition, then the four aggregates, counters on each. */
    static const double want_ns[] = {2e6, 1e6, 3e6};
    for (int i = 0; i < 3; i++) {
        json_t *e = json_array_get(list, (size_t)(11 + i));
        KEYS(e, ENTRY_HEAD, "repetition_index", "threads", TIMES, "FLOPS", "SIM_INSTRUCTIONS",
             "perf::PAGE-FAULTS");
        assert_string_equal(str(e, "run_name"), NAME("tiled", 16));
        assert_int_equal(integer(e, "repetitions"), 3);
        assert_int_equal(integer(e, "repetition_index"), i);
        assert_int_equal(integer(e, "iterations"), 1);
        assert_close(num(e, "real_time"), want_ns[i]);
        assert_true(num(e, "cpu_time") == num(e, "real_time"));
        assert_close(num(e, "FLOPS"), 1e6 / (want_ns[i] * 1e-9));
        assert_true(num(e, "SIM_INSTRUCTIONS") == 5000);
        assert_true(num(e, "perf::PAGE-FAULTS") == 0.1);
        assert_null(json_object_get(e, "PAPI_L1_DCM"));      /* not measured: absent, not 0 */
    }
    static const struct { const char *agg, *unit; double time, flops, events; } aggs[] = {
        {"mean", "time", 2e6, 611111111.1111112, 1},
        {"median", "time", 2e6, 500000000.0, 1},
        {"stddev", "time", 1e6, 346944333.24435544, 0},
        {"cv", "percentage", 0.5, 0.5677270907634907, 0},
    };
    for (int i = 0; i < 4; i++) {
        json_t *e = json_array_get(list, (size_t)(14 + i));
        KEYS(e, ENTRY_HEAD, "threads", "aggregate_name", "aggregate_unit", TIMES, "FLOPS",
             "SIM_INSTRUCTIONS", "perf::PAGE-FAULTS");
        assert_string_equal(str(e, "run_name"), NAME("tiled", 16));
        assert_string_equal(str(e, "aggregate_name"), aggs[i].agg);
        assert_string_equal(str(e, "aggregate_unit"), aggs[i].unit);
        assert_int_equal(integer(e, "repetitions"), 3);
        assert_int_equal(integer(e, "iterations"), 3);
        assert_close(num(e, "real_time"), aggs[i].time);
        assert_true(num(e, "cpu_time") == num(e, "real_time"));
        assert_close(num(e, "FLOPS"), aggs[i].flops);
        /* One value per case: mean = median = it, exactly; no spread recorded. */
        assert_true(num(e, "SIM_INSTRUCTIONS") == 5000 * aggs[i].events);
        assert_true(num(e, "perf::PAGE-FAULTS") == 0.1 * aggs[i].events);
    }
    /* 2 repetitions: a median of 2 is their mean, as in Google Benchmark. */
    static const double two[][2] = {{2e6, 666666666.6666666}, {2e6, 666666666.6666666},
                                     {1414213.562373095, 471404520.7910317},
                                     {0.7071067811865475, 0.7071067811865476}};
    for (int i = 0; i < 4; i++) {
        json_t *e = json_array_get(list, (size_t)(7 + i));
        KEYS(e, ENTRY_HEAD, "threads", "aggregate_name", "aggregate_unit", TIMES, "FLOPS");
        assert_int_equal(integer(e, "iterations"), 2);
        assert_close(num(e, "real_time"), two[i][0]);
        assert_close(num(e, "FLOPS"), two[i][1]);
    }
    json_decref(doc);
}

/* Aggregates only: the passing cases' aggregates, and the lone entry of a one-repetition case
 * (Google Benchmark's fallback); nothing of the failed ones. */
static void test_aggregates_only(void **st)
{
    (void)st;
    json_t *doc = convert(full_run, 1);
    json_t *list = json_object_get(doc, "benchmarks");
    static const char *const want[] = {
        NAME("tiled", 1), NAME("tiled", 4) "_mean", NAME("tiled", 4) "_median",
        NAME("tiled", 4) "_stddev", NAME("tiled", 4) "_cv", NAME("tiled", 16) "_mean",
        NAME("tiled", 16) "_median", NAME("tiled", 16) "_stddev", NAME("tiled", 16) "_cv",
        NAME("tiled2", 4), NAME("tiled10", 4)};
    assert_int_equal(json_array_size(list), sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *e = json_array_get(list, i);
        assert_string_equal(str(e, "name"), want[i]);
        assert_null(json_object_get(e, "error_occurred"));
    }
    assert_int_equal(integer(json_array_get(list, 1), "family_index"), 1);   /* naive is 0 */
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_context_full), cmocka_unit_test(test_context_minimal),
        cmocka_unit_test(test_entries), cmocka_unit_test(test_aggregates_only)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
