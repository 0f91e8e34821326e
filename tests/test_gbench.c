/* test_gbench.c: the Google Benchmark JSON, field by field: the context, one iteration entry
 * per repetition with its time in ns, the four aggregates, counters, and a failed case written
 * the way gbench writes a benchmark that skipped with an error. */
#include "test_util.h"

#include "out_gbench.h"
#include "results_read.h"

#include <jansson.h>
#include <math.h>

static const char fixture[] =
    "{\"format\": \"attnbench-results\", \"format_version\": 1,"
    " \"run\": {\"date\": \"2026-11-21T10:00:00+0000\", \"host\": \"box\", \"online_cpus\": 2,"
    "  \"git_commit\": \"abc123\", \"topology\": {\"caches\": [{\"level\": 1, \"type\": \"data\","
    "  \"size_bytes\": 32768, \"pus_per_cache\": 1}]}},"
    " \"cases\": ["
    "  {\"impl\": \"tiled\", \"batch\": 1, \"heads\": 4, \"kv_heads\": 2, \"seq_q\": 128,"
    "   \"seq_kv\": 256, \"head_dim\": 64, \"causal\": true, \"dist\": \"normal\","
    "   \"threads\": 2, \"cache\": \"cold\", \"status\": \"PASS\", \"reason\": \"\", \"reps\": 3,"
    "   \"times_s\": [0.002, 0.001, 0.003], \"flops\": 1e6,"
    "   \"counters\": {\"values\": {\"SIM_INSTRUCTIONS\": 5000, \"PAPI_L1_DCM\": null}}},"
    "  {\"impl\": \"naive\", \"batch\": 1, \"heads\": 4, \"kv_heads\": 2, \"seq_q\": 128,"
    "   \"seq_kv\": 256, \"head_dim\": 64, \"causal\": true, \"dist\": \"normal\","
    "   \"threads\": 2, \"cache\": \"cold\", \"status\": \"FAIL\", \"reason\": \"too far off\","
    "   \"reps\": 0, \"times_s\": [], \"flops\": 1e6}]}";

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    assert_non_null(s);
    return s;
}

static double num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static void test_schema(void **st)
{
    (void)st;
    char in[256], out[256], err[4600];
    results_file r;
    json_error_t je;
    test_write_file(in, sizeof in, "gbench-in", fixture);
    snprintf(out, sizeof out, "/tmp/attnbench-test-gbench-%d.json", (int)getpid());
    assert_int_equal(results_load(in, &r, err, sizeof err), 0);
    assert_int_equal(out_gbench_write(&r, out, 0), 0);
    json_t *doc = json_load_file(out, 0, &je);
    assert_non_null(doc);

    json_t *ctx = json_object_get(doc, "context");
    assert_string_equal(str(ctx, "date"), "2026-11-21T10:00:00+0000");
    assert_string_equal(str(ctx, "host_name"), "box");
    assert_true(num(ctx, "num_cpus") == 2);
    assert_string_equal(str(ctx, "library_build_type"), "release");
    assert_string_equal(str(ctx, "git_commit"), "abc123");
    json_t *cache = json_array_get(json_object_get(ctx, "caches"), 0);
    assert_string_equal(str(cache, "type"), "Data");
    assert_true(num(cache, "level") == 1 && num(cache, "size") == 32768);
    assert_true(num(cache, "num_sharing") == 1);

    json_t *list = json_object_get(doc, "benchmarks");
    /* naive sorts first: one error entry; then tiled: 3 repetitions and 4 aggregates. */
    assert_int_equal(json_array_size(list), 1 + 3 + 4);
    const char *name = "attn/tiled/b:1/h:4/kvh:2/q:128/kv:256/d:64/causal:1/dist:normal/"
                       "cache:cold/threads:2";

    json_t *failed = json_array_get(list, 0);
    assert_true(json_is_true(json_object_get(failed, "error_occurred")));
    assert_string_equal(str(failed, "error_message"), "FAIL: too far off");
    assert_string_equal(str(failed, "run_type"), "iteration");

    static const double want_ns[] = {2e6, 1e6, 3e6};
    for (int i = 0; i < 3; i++) {
        json_t *e = json_array_get(list, (size_t)(1 + i));
        assert_string_equal(str(e, "name"), name);
        assert_string_equal(str(e, "run_name"), name);
        assert_string_equal(str(e, "run_type"), "iteration");
        assert_string_equal(str(e, "time_unit"), "ns");
        assert_true(num(e, "repetitions") == 3 && num(e, "repetition_index") == i);
        assert_true(num(e, "iterations") == 1 && num(e, "threads") == 2);
        assert_true(fabs(num(e, "real_time") - want_ns[i]) < 1e-3);
        assert_true(num(e, "cpu_time") == num(e, "real_time"));
        assert_true(fabs(num(e, "FLOPS") - 1e6 / (want_ns[i] * 1e-9)) < 1e-3);
        assert_true(num(e, "SIM_INSTRUCTIONS") == 5000);
        assert_null(json_object_get(e, "PAPI_L1_DCM"));     /* not measured: absent, not 0 */
        assert_true(num(e, "family_index") == 1);           /* naive was family 0 */
    }
    static const char *const aggs[] = {"mean", "median", "stddev", "cv"};
    static const double agg_ns[] = {2e6, 2e6, 1e6, 0.5};   /* stddev of 1,2,3 ms: 1 ms */
    for (int i = 0; i < 4; i++) {
        json_t *e = json_array_get(list, (size_t)(4 + i));
        char want[300];
        snprintf(want, sizeof want, "%s_%s", name, aggs[i]);
        assert_string_equal(str(e, "name"), want);
        assert_string_equal(str(e, "run_name"), name);
        assert_string_equal(str(e, "run_type"), "aggregate");
        assert_string_equal(str(e, "aggregate_name"), aggs[i]);
        assert_string_equal(str(e, "aggregate_unit"), i == 3 ? "percentage" : "time");
        assert_true(num(e, "iterations") == 3 && num(e, "repetitions") == 3);
        assert_true(fabs(num(e, "real_time") - agg_ns[i]) < 1e-6);
    }
    json_decref(doc);

    /* Aggregates only: the four of the passing case, nothing of the failed one. */
    assert_int_equal(out_gbench_write(&r, out, 1), 0);
    results_free(&r);
    doc = json_load_file(out, 0, &je);
    assert_non_null(doc);
    list = json_object_get(doc, "benchmarks");
    assert_int_equal(json_array_size(list), 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(str(json_array_get(list, i), "run_type"), "aggregate");
    json_decref(doc);
    unlink(in);
    unlink(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_schema)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
