/* test_output.c: results.csv and results.json read back: the fixed columns of docs/results.md
 * in order, then the counters and the rest of result_fields.h's, quoting, empty (never 0)
 * fields for what was not measured, every JSON field of the list, and raw times in the JSON. */
#include "test_util.h"

#include "out_csv.h"
#include "out_json.h"
#include "registry.h"
#include "result_fields.h"
#include "status.h"

#include <math.h>

static const char *const design_columns =
    "impl,batch,heads,kv_heads,seq_q,seq_kv,head_dim,causal,dist,threads,status,reason,reps,"
    "time_min_s,time_median_s,time_mean_s,time_stddev_s,gflops,max_abs_err,rel_l2_err,"
    "peak_rss_delta_bytes,workspace_bytes";

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

/* sp with its ABI 2 fields neutral but for d_v = 40 and a softcap of 30. */
static void sp_setup(void)
{
    sweep_neutral_fields(&sp.p);
    sp.p.head_dim_v = 40;
    sp.p.softcap = 30;
}

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

/* The header's columns, for reading rows by name. */
static char header[64][64];
static int n_header;

static const char *col(char f[][256], const char *name)
{
    for (int i = 0; i < n_header; i++)
        if (strcmp(header[i], name) == 0)
            return f[i];
    fail_msg("no column %s", name);
    return NULL;
}

static void test_csv_round_trip(void **st)
{
    (void)st;
    char path[256], line[4096], f[64][256];
    double times[3] = {3e-3, 1e-3, 2e-3};
    case_result ok, crashed;
    snprintf(path, sizeof path, "/tmp/attnbench-test-%d.csv", (int)getpid());

    sp_setup();
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

    /* The header: docs/results.md's fixed columns first, in order, then the rest of
     * result_fields.h's RF_CSV fields, the plan's counter columns, and the RF_CSV_TAIL fields. */
    FILE *in = fopen(path, "r");
    assert_non_null(fgets(line, sizeof line, in));
    line[strcspn(line, "\n")] = '\0';
    assert_memory_equal(line, design_columns, strlen(design_columns));
    char want[2048];
    int n = 0, csv_fields = 2;
    for (int part = RF_CSV; part <= RF_CSV_TAIL; part <<= 1) {
        for (int i = 0; i < RF_N_FIELDS; i++)
            if (result_fields[i].where & part) {
                n += snprintf(want + n, sizeof want - (size_t)n, "%s%s", n ? "," : "",
                              result_fields[i].name);
                csv_fields++;
            }
        if (part == RF_CSV)
            n += snprintf(want + n, sizeof want - (size_t)n,
                          ",ctr_papi_l1_dcm,ctr_perf__page_faults");
    }
    assert_string_equal(line, want);
    char split[64][256];
    n_header = split_csv(line, split, 64);
    for (int i = 0; i < n_header; i++)
        snprintf(header[i], sizeof header[i], "%s", split[i]);
    assert_int_equal(n_header, csv_fields);

    assert_non_null(fgets(line, sizeof line, in));
    assert_int_equal(split_csv(line, f, 64), n_header);
    assert_string_equal(col(f, "impl"), "naive");
    assert_string_equal(col(f, "kv_heads"), "2");
    assert_string_equal(col(f, "seq_kv"), "257");
    assert_string_equal(col(f, "causal"), "true");
    assert_string_equal(col(f, "dist"), "large");
    assert_string_equal(col(f, "threads"), "2");
    assert_string_equal(col(f, "status"), "PASS");
    assert_string_equal(col(f, "reps"), "3");
    assert_true(strtod(col(f, "time_median_s"), NULL) == 2e-3);
    assert_true(strtod(col(f, "gflops"), NULL) == 500);
    assert_true(strtod(col(f, "max_abs_err"), NULL) == 1.5e-6);
    assert_string_equal(col(f, "peak_rss_delta_bytes"), "4096");
    assert_string_equal(col(f, "workspace_bytes"), "0");    /* measured zero stays 0 */
    assert_string_equal(col(f, "dtype"), "f32");
    assert_string_equal(col(f, "ctr_papi_l1_dcm"), "0");
    assert_string_equal(col(f, "ctr_perf__page_faults"), "");     /* not available: empty */
    assert_string_equal(col(f, "cache"), "cold");
    assert_string_equal(col(f, "page_faults"), "12");
    assert_string_equal(col(f, "head_dim_v"), "40");
    assert_string_equal(col(f, "window_left"), "-1");
    assert_string_equal(col(f, "window_right"), "0");
    assert_string_equal(col(f, "kv_len"), "full");
    assert_string_equal(col(f, "softcap"), "30");
    assert_string_equal(col(f, "alibi"), "false");
    /* 4 B of Q, K, V, O: 8*130 query rows of 72 and output rows of 40, 2*257 key rows of 72
     * and value rows of 40. */
    double footprint = strtod(col(f, "min_footprint_bytes"), NULL);
    assert_true(footprint == 4.0 * (8 * 130 * (72 + 40) + 2 * 257 * (72 + 40)));
    assert_true(fabs(strtod(col(f, "arith_intensity"), NULL) / (1e9 / footprint) - 1) < 1e-5);
    assert_string_equal(col(f, "pct_peak"), "41.5");
    assert_string_equal(col(f, "os_threads"), "2");
    assert_string_equal(col(f, "noisy"), "1");             /* noisy, judged on: */
    assert_string_equal(col(f, "invol_cs"), "3");          /* involuntary context switches */
    assert_string_equal(col(f, "cpu_migrations"), "");     /* migrations not counted */
    assert_string_equal(col(f, "steal_pct"), "");          /* no steal figure */
    assert_string_equal(col(f, "spread_pct"), "7.5");      /* spread, % */

    assert_non_null(fgets(line, sizeof line, in));
    assert_int_equal(split_csv(line, f, 64), n_header);
    assert_string_equal(col(f, "status"), "CRASH");
    assert_string_equal(col(f, "cache"), "warm");
    assert_string_equal(col(f, "reason"), "killed by \"SIGSEGV\", in run");
    /* Nothing measured: empty, never 0; but what the problem itself says. */
    for (int i = 0; i < n_header; i++) {
        static const char *const known[] = {"impl", "batch", "heads", "kv_heads", "seq_q",
                                            "seq_kv", "head_dim", "causal", "dist", "threads",
                                            "status", "reason", "reps", "dtype", "head_dim_v",
                                            "align", "window_left", "window_right", "kv_len",
                                            "softcap", "alibi", "cache",
                                            "min_footprint_bytes", "arith_intensity"};
        int is_known = 0;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            is_known |= strcmp(header[i], known[k]) == 0;
        if (!is_known && strcmp(f[i], "") != 0)
            fail_msg("column %s of a crashed case holds '%s', not empty", header[i], f[i]);
    }
    assert_string_equal(col(f, "reps"), "0");
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
    sp_setup();
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
    /* Every JSON field of result_fields.h is there, but a text not measured (bound_pus: the
     * case was not bound), and JSON-only fields carry their values. */
    for (int i = 0; i < RF_N_FIELDS; i++)
        if ((result_fields[i].where & RF_JSON) && i != RF_bound_pus && i != RF_library_kernels &&
            json_object_get(c0, result_fields[i].name) == NULL)
            fail_msg("the case's JSON has no %s", result_fields[i].name);
    assert_null(json_object_get(c0, "bound_pus"));
    assert_true(json_real_value(json_object_get(c0, "flops")) == 1e9);
    assert_true(fabs(json_real_value(json_object_get(c0, "scale")) - 0.125) < 1e-9);
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
