/* test_output.c: results.csv and results.json read back: the DESIGN.md columns in order,
 * quoting, empty (never 0) fields for what was not measured, and raw times in the JSON. */
#include "test_util.h"

#include "out_csv.h"
#include "out_json.h"
#include "registry.h"

#include <math.h>

static const char *const design_columns =
    "impl,batch,heads,kv_heads,seq_q,seq_kv,head_dim,causal,dist,threads,status,reason,reps,"
    "time_min_s,time_median_s,time_mean_s,time_stddev_s,gflops,max_abs_err,rel_l2_err,"
    "peak_rss_delta_bytes,workspace_bytes";
/* What follows them: one column per counter event, then the memory and roofline columns. */
static const char *const extra_columns =
    ",ctr_papi_l1_dcm,ctr_perf__page_faults,"
    "cache,page_faults,min_footprint_bytes,arith_intensity,pct_peak,os_threads,"
    "noisy,invol_cs,cpu_migrations,steal_pct,spread_pct";

/* A plan as if probed: the first event counted, the second missing. */
static ctr_plan plan = {
    .mode = CTR_PAPI, .n = 2,
    .ev = {{"PAPI_L1_DCM", "ctr_papi_l1_dcm", 1, CTR_SRC_PAPI, ""},
           {"perf::PAGE-FAULTS", "ctr_perf__page_faults", 0, CTR_SRC_PAPI, "PAPI_add_event: nope"}},
};

/* Splits one CSV record (RFC 4180 quoting) into fields; returns the count. */
static int split_csv(const char *line, char fields[][256], int max)
{
    int n = 0;
    const char *s = line;
    while (n < max) {
        char *out = fields[n++];
        size_t len = 0;
        if (*s == '"') {
            for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
                if (*s == '"')
                    s++;
                out[len++] = *s;
            }
            s++;
        } else {
            while (*s && *s != ',' && *s != '\n')
                out[len++] = *s++;
        }
        out[len] = '\0';
        if (*s != ',')
            break;
        s++;
    }
    return n;
}

static sweep_problem sp = {.p = {1, 8, 2, 130, 257, 72, 1, 0.125f, 0}, .dist = DIST_LARGE};

static void passing(case_result *r, double *times)
{
    memset(r, 0, sizeof *r);
    r->status = ST_PASS;
    r->reps = 3;
    r->times = times;
    r->t_min = 1e-3;
    r->t_median = 2e-3;
    r->t_mean = 2.5e-3;
    r->t_stddev = 1e-4;
    r->flops = 1e9;
    r->gflops = 500;
    r->checked = 1;
    r->check.max_abs_err = 1.5e-6;
    r->check.rel_l2_err = 2.5e-7;
    r->peak_rss_delta = 4096;
    r->workspace = 0;
    r->page_faults = 12;
    r->cold = 1;
    r->pct_peak = 41.5;
    r->os_threads = 2;
    r->noise = (noise_counts){.invol_cs = 3, .migrations = -1, .steal_s = -1, .cpus = 2};
    r->noisy = (noise_verdict){.measured = 1, .noisy = 1, .steal_pct = -1, .spread_pct = 7.5,
                               .invol_per_s = 1, .migr_per_rep = -1, .why = "spread 7.5% > 5%"};
    r->ctr.reps = 1;
    r->ctr.ok[0] = 1;
    r->ctr.value[0] = 0;   /* a measured zero */
    snprintf(r->ctr.why[1], sizeof r->ctr.why[1], "PAPI_add_event: nope");
}

static void test_csv_round_trip(void **st)
{
    (void)st;
    char path[256], line[4096], f[40][256];
    double times[3] = {3e-3, 1e-3, 2e-3};
    case_result ok, crashed;
    snprintf(path, sizeof path, "/tmp/attnbench-test-%d.csv", (int)getpid());

    passing(&ok, times);
    memset(&crashed, 0, sizeof crashed);
    crashed.status = ST_CRASH;
    crashed.peak_rss_delta = crashed.workspace = crashed.page_faults = -1;
    crashed.pct_peak = -1;
    snprintf(crashed.reason, sizeof crashed.reason, "killed by \"SIGSEGV\", in run");

    FILE *out = out_csv_open(path, &plan);
    assert_non_null(out);
    out_csv_row(out, &sp, &attn_impl_naive, 2, &ok, &plan);
    out_csv_row(out, &sp, &attn_impl_naive, 1, &crashed, &plan);
    fclose(out);

    FILE *in = fopen(path, "r");
    assert_non_null(fgets(line, sizeof line, in));
    line[strcspn(line, "\n")] = '\0';
    char want[1024];
    snprintf(want, sizeof want, "%s%s", design_columns, extra_columns);
    assert_string_equal(line, want);

    assert_non_null(fgets(line, sizeof line, in));
    assert_int_equal(split_csv(line, f, 40), 35);
    assert_string_equal(f[0], "naive");
    assert_string_equal(f[3], "2");
    assert_string_equal(f[5], "257");
    assert_string_equal(f[7], "true");
    assert_string_equal(f[8], "large");
    assert_string_equal(f[9], "2");
    assert_string_equal(f[10], "PASS");
    assert_string_equal(f[12], "3");
    assert_true(strtod(f[14], NULL) == 2e-3);
    assert_true(strtod(f[17], NULL) == 500);
    assert_true(strtod(f[18], NULL) == 1.5e-6);
    assert_string_equal(f[20], "4096");
    assert_string_equal(f[21], "0");    /* measured zero stays 0 */
    assert_string_equal(f[22], "0");
    assert_string_equal(f[23], "");     /* not available: empty */
    assert_string_equal(f[24], "cold");
    assert_string_equal(f[25], "12");
    /* 4 B of Q, K, V, O: 8*130*72 query and output floats, 2*257*72 key and value floats. */
    assert_true(strtod(f[26], NULL) == 4.0 * (2 * 8 * 130 * 72 + 2 * 2 * 257 * 72));
    assert_true(fabs(strtod(f[27], NULL) / (1e9 / strtod(f[26], NULL)) - 1) < 1e-5);
    assert_string_equal(f[28], "41.5");
    assert_string_equal(f[29], "2");
    assert_string_equal(f[30], "1");    /* noisy, judged on: */
    assert_string_equal(f[31], "3");    /* involuntary context switches */
    assert_string_equal(f[32], "");     /* migrations not counted */
    assert_string_equal(f[33], "");     /* no steal figure */
    assert_string_equal(f[34], "7.5");  /* spread, % */

    assert_non_null(fgets(line, sizeof line, in));
    assert_int_equal(split_csv(line, f, 40), 35);
    assert_string_equal(f[10], "CRASH");
    assert_string_equal(f[24], "warm");
    assert_string_equal(f[11], "killed by \"SIGSEGV\", in run");
    for (int i = 13; i < 35; i++)   /* nothing measured: empty, never 0 */
        if (i != 24 && i != 26 && i != 27)   /* cache, the problem's footprint, intensity */
            assert_string_equal(f[i], "");
    fclose(in);
    unlink(path);
}

static void test_json_round_trip(void **st)
{
    (void)st;
    char path[256];
    double times[3] = {3e-3, 1e-3, 2e-3};
    case_result ok;
    cfg c;
    json_error_t jerr;
    char *argv[] = {"attnbench", "run", NULL};

    snprintf(path, sizeof path, "/tmp/attnbench-test-%d.json", (int)getpid());
    cfg_defaults(&c);
    passing(&ok, times);
    json_t *meta = out_json_meta(&c, 2, argv);
    json_t *cases = json_array();
    json_array_append_new(cases, out_json_case(&sp, &attn_impl_naive, 2, &ok, "build/attnbench run x", &plan));
    assert_int_equal(out_json_write(path, meta, cases), 0);
    json_decref(meta);
    json_decref(cases);

    json_t *doc = json_load_file(path, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "format")), "attnbench-results");
    json_t *run = json_object_get(doc, "run");
    assert_non_null(json_string_value(json_object_get(run, "git_commit")));
    assert_non_null(json_string_value(json_object_get(run, "cpu_model")));
    assert_non_null(json_string_value(json_object_get(json_object_get(run, "libraries"), "openblas")));
    json_t *c0 = json_array_get(json_object_get(doc, "cases"), 0);
    assert_string_equal(json_string_value(json_object_get(c0, "status")), "PASS");
    assert_int_equal(json_integer_value(json_object_get(c0, "kv_heads")), 2);
    assert_true(json_is_true(json_object_get(c0, "causal")));
    json_t *t = json_object_get(c0, "times_s");
    assert_int_equal(json_array_size(t), 3);
    for (size_t i = 0; i < 3; i++)
        assert_true(json_real_value(json_array_get(t, i)) == times[i]);
    assert_true(json_real_value(json_object_get(c0, "time_median_s")) == 2e-3);
    assert_string_equal(json_string_value(json_object_get(c0, "repro")), "build/attnbench run x");
    json_t *ctr = json_object_get(c0, "counters");
    assert_true(json_real_value(json_object_get(json_object_get(ctr, "values"), "PAPI_L1_DCM")) == 0);
    assert_true(json_is_null(json_object_get(json_object_get(ctr, "values"), "perf::PAGE-FAULTS")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(ctr, "why"),
                                                          "perf::PAGE-FAULTS")),
                        "PAPI_add_event: nope");
    assert_int_equal(json_integer_value(json_object_get(c0, "page_faults")), 12);
    assert_true(json_is_true(json_object_get(c0, "noisy")));
    json_t *noise = json_object_get(c0, "noise");
    assert_string_equal(json_string_value(json_object_get(noise, "why")), "spread 7.5% > 5%");
    assert_int_equal(json_integer_value(json_object_get(noise, "invol_cs")), 3);
    assert_true(json_is_null(json_object_get(noise, "cpu_migrations")));
    assert_true(json_is_null(json_object_get(noise, "steal_pct")));
    assert_true(json_real_value(json_object_get(noise, "spread_pct")) == 7.5);
    json_decref(doc);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_round_trip),
        cmocka_unit_test(test_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
