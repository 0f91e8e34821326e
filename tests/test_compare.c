/* test_compare.c: the Mann-Whitney U test against hand-worked values, a textbook table and a
 * brute-force enumeration; the results reader's refusals; and compare's verdicts on fixture
 * results with process samples: identical, 30% slower, broken, a few percent of noise, too few
 * samples, new and gone, GFLOP/s, a deterministic counter; single-process sides inconclusive
 * however separated their repetitions; and the calibration's machine change, which widens the
 * threshold or withholds the verdicts. */
#include "test_util.h"

#include "compare.h"
#include "mannwhitney.h"
#include "results_read.h"

#include <jansson.h>
#include <math.h>
#include <sys/stat.h>

/* ---- the U test ---- */

static void test_separated_samples(void **st)
{
    (void)st;
    double x[] = {1, 2, 3, 4, 5}, y[] = {6, 7, 8, 9, 10};
    mwu_result r;
    assert_int_equal(mwu_test(x, 5, y, 5, &r), 0);
    assert_true(r.exact);
    assert_true(r.u == 0);
    /* Complete separation: 2 of the C(10, 5) = 252 orderings are this extreme. */
    assert_true(fabs(r.p - 2.0 / 252) < 1e-12);
    assert_true(fabs(r.min_p - 2.0 / 252) < 1e-12);
    assert_int_equal(mwu_test(y, 5, x, 5, &r), 0);
    assert_true(r.u == 25 && fabs(r.p - 2.0 / 252) < 1e-12);
    /* Three against three can never get below 2/20 = 0.1. */
    assert_true(fabs(mwu_min_p(3, 3) - 0.1) < 1e-12);
}

/* x with exactly u pairs above y = {0, 10, ..., 90}: x_i just below the (c_i)th y's successor. */
static double u_from_table(int u)
{
    double x[10], y[10];
    int c[10];
    for (int j = 0; j < 10; j++) {
        y[j] = 10 * j;
        c[j] = u / 10 + (j < u % 10);
    }
    for (int i = 0; i < 10; i++)
        x[i] = 10 * c[i] - 5 + 0.1 * i;     /* distinct: no ties, so the exact test runs */
    mwu_result r;
    assert_int_equal(mwu_test(x, 10, y, 10, &r), 0);
    assert_true(r.exact && r.u == u);
    return r.p;
}

static void test_textbook_critical_value(void **st)
{
    (void)st;
    /* The standard table of critical U (two-sided alpha 0.05, n1 = n2 = 10) gives 23: U = 23
     * is significant, U = 24 is not. */
    assert_true(u_from_table(23) <= 0.05);
    assert_true(u_from_table(24) > 0.05);
    assert_true(u_from_table(50) > 0.99);    /* the middle of the distribution */
}

static void test_exact_against_enumeration(void **st)
{
    (void)st;
    /* Every 4-subset of 9 ranks as x: the U distribution by brute force, then the test's p
     * for each subset against 2 * min(tail) computed from that tally. */
    enum { NX = 4, NY = 5, N = NX + NY };
    int count[NX * NY + 1] = {0}, total = 0;
    for (int mask = 0; mask < 1 << N; mask++) {
        if (__builtin_popcount(mask) != NX)
            continue;
        int u = 0, below = 0;
        for (int r = 0; r < N; r++) {
            if (mask >> r & 1)
                u += below;
            else
                below++;
        }
        count[u]++;
        total++;
    }
    assert_int_equal(total, 126);
    for (int mask = 0; mask < 1 << N; mask++) {
        if (__builtin_popcount(mask) != NX)
            continue;
        double x[NX], y[NY];
        int nx = 0, ny = 0;
        for (int r = 0; r < N; r++) {
            if (mask >> r & 1)
                x[nx++] = r;
            else
                y[ny++] = r;
        }
        mwu_result res;
        assert_int_equal(mwu_test(x, NX, y, NY, &res), 0);
        int u = (int)res.u, lo = 0, hi = 0;
        for (int v = 0; v <= NX * NY; v++) {
            lo += v <= u ? count[v] : 0;
            hi += v >= u ? count[v] : 0;
        }
        double want = 2.0 * (lo < hi ? lo : hi) / total;
        assert_true(fabs(res.p - (want > 1 ? 1 : want)) < 1e-12);
    }
}

/* With ties, small samples get the permutation distribution of their midranks: here checked
 * against every one of the C(8, 4) = 70 ways to split the pooled values. By hand: pooled
 * 1 2 2 2 3 3 4 5, midranks 1, 3, 3, 3, 5.5, 5.5, 7, 8; R_x = 12.5, U = 2.5. */
static void test_small_ties_are_exact(void **st)
{
    (void)st;
    double x[] = {1, 2, 2, 3}, y[] = {2, 3, 4, 5};
    const double mid[] = {1, 3, 3, 3, 5.5, 5.5, 7, 8};
    int lo = 0, hi = 0, total = 0;
    for (int mask = 0; mask < 256; mask++) {
        if (__builtin_popcount(mask) != 4)
            continue;
        double r = 0;
        for (int b = 0; b < 8; b++)
            r += mask >> b & 1 ? mid[b] : 0;
        lo += r <= 12.5 + 1e-9;
        hi += r >= 12.5 - 1e-9;
        total++;
    }
    mwu_result r;
    assert_int_equal(mwu_test(x, 4, y, 4, &r), 0);
    assert_true(r.exact);
    assert_true(r.u == 2.5);
    assert_true(fabs(r.p - 2.0 * (lo < hi ? lo : hi) / total) < 1e-12);

    /* A sample against itself: every split ties the observed one, p = 1, and the sizes (not
     * the ties) set the floor, so 5 against 5 can still reach 0.01. */
    double five[] = {3, 1, 4, 1.5, 9};
    assert_int_equal(mwu_test(five, 5, five, 5, &r), 0);
    assert_true(r.exact && r.p == 1 && fabs(r.min_p - 2.0 / 252) < 1e-12);
    double same[] = {3, 3, 3};
    assert_int_equal(mwu_test(same, 3, same, 3, &r), 0);
    assert_true(r.p == 1);
    assert_int_equal(mwu_test(same, 0, same, 3, &r), -1);
}

/* Large samples with ties: the normal approximation with the tie and continuity corrections.
 * x = {1, 2, 2, 3} and y = {2, 3, 4, 5}, each six times: pooled counts 6, 18, 12, 6, 6 of 1..5,
 * midranks 3.5, 15.5, 30.5, 39.5, 45.5; R_x = 6 * (3.5 + 2 * 15.5 + 30.5) = 390, U = 90,
 * mean 288, tie term 3 * 210 + 5814 + 1716 = 8160, variance 576/12 * (49 - 8160/2256) =
 * 2178.383; z = (198 - 0.5) / 46.6732 = 4.23155; p = erfc(z / sqrt 2) = 2.32081e-5. */
static void test_large_ties_use_the_corrected_normal(void **st)
{
    (void)st;
    double x[24], y[24];
    const double xs[] = {1, 2, 2, 3}, ys[] = {2, 3, 4, 5};
    for (int i = 0; i < 24; i++) {
        x[i] = xs[i % 4];
        y[i] = ys[i % 4];
    }
    mwu_result r;
    assert_int_equal(mwu_test(x, 24, y, 24, &r), 0);
    assert_false(r.exact);
    assert_true(r.u == 90);
    assert_true(fabs(r.p - 2.32081e-5) < 1e-9);
}

/* van Elteren's stratified test against hand-worked values. Two strata of {1, 2, 3} against
 * {4, 5, 6}: each W = 6 over N + 1 = 7, T = 12/7 against a mean of 3, variance 2 x 9/12 x 7 /
 * 49 = 3/14: z = -2.77746, p = erfc(2.77746 / sqrt 2) = 0.0054786. With ties, {1, 2, 2}
 * against {2, 3}: midranks 1, 3, 3, 3, 5, W = 7, mean 9/2 x 6/6, tie term 24: variance
 * 6/12 x (6 - 24/20) / 36 = 1/15, z = (7/6 - 3/2) / sqrt(1/15) = -1.29099, p = 0.196706. */
static void test_stratified_by_hand(void **st)
{
    (void)st;
    const double a[] = {1, 2, 3}, b[] = {4, 5, 6}, t1[] = {1, 2, 2}, t2[] = {2, 3};
    const double *x[] = {a, a, t1}, *y[] = {b, b, t2};
    int nx[] = {3, 3, 3}, ny[] = {3, 3, 0};
    double z, p;
    assert_int_equal(mwu_stratified(3, x, nx, y, ny, &z, &p), 0);   /* the third: no y, left out */
    assert_true(fabs(z + 2.7774603) < 1e-6 && fabs(p - 0.0054786) < 1e-6);
    nx[0] = 0;
    ny[2] = 2;
    assert_int_equal(mwu_stratified(1, x + 2, nx + 2, y + 2, ny + 2, &z, &p), 0);
    assert_true(fabs(z + 1.2909944) < 1e-6 && fabs(p - 0.1967056) < 1e-6);
    assert_int_equal(mwu_stratified(1, x, nx, y, ny, &z, &p), -1);   /* nothing to test */
}

/* ---- fixtures ---- */

typedef struct fx_case {
    const char *impl;
    int seq;
    const char *status;
    int reps;
    double center, spread;      /* times: center * (1 + spread * uniform(-1, 1)) */
    double sim_instructions;    /* <= 0: no counters */
    const double *fixed;        /* reps times to use instead, or NULL */
} fx_case;

/* How the fixtures are written: each case's times as process samples (the medians of `reps`
 * rounds) or as the repetitions of one process; and the calibration's seconds, scaled by
 * calib_scale (0: none). */
static int fx_one_process;
static double fx_calib_scale = 1, fx_memory_scale = 1, fx_all_scale = 1;

static unsigned lcg(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* The fixture directories made, for the cleanup at the end. */
static char made[64][256];
static int n_made;

static int remove_fixtures(void **st)
{
    (void)st;
    char path[sizeof made[0] + 16];
    for (int i = 0; i < n_made; i++) {
        snprintf(path, sizeof path, "%.255s/results.json", made[i]);
        unlink(path);
        rmdir(made[i]);
    }
    return 0;
}

/* dir/results.json with these cases; returns dir. */
static const char *write_results(const char *tag, const fx_case *cs, int n, unsigned seed)
{
    static char dirs[8][256];
    static int next;
    char *dir = dirs[next++ % 8], path[300];
    snprintf(dir, 256, "/tmp/attnbench-test-compare-%s-%d", tag, (int)getpid());
    mkdir(dir, 0755);
    if (n_made < 64)
        snprintf(made[n_made++], sizeof made[0], "%s", dir);
    json_t *cases = json_array();
    for (int i = 0; i < n; i++) {
        const fx_case *c = &cs[i];
        json_t *times = json_array();
        for (int r = 0; r < c->reps; r++) {
            double u = (lcg(&seed) % 100001) / 50000.0 - 1;
            json_array_append_new(times, json_real(c->fixed ? c->fixed[r]
                                                            : c->center * (1 + c->spread * u)));
        }
        json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:b, s:s, s:i, s:s, s:s, s:i,"
                              " s:o, s:f, s:s}",
                              "impl", c->impl, "batch", 1, "heads", 4, "kv_heads", 4, "seq_q",
                              c->seq, "seq_kv", c->seq, "head_dim", 64, "causal", 0, "dist",
                              "normal", "threads", 1, "status", c->status, "reason", "",
                              "reps", c->reps, "times_s", times, "flops",
                              4.0 * 4 * c->seq * c->seq * 64, "cache", "warm");
        if (!fx_one_process) {
            json_object_set_new(o, "rounds", json_integer(c->reps));
            json_object_set_new(o, "process_medians_s", json_deep_copy(times));
        }
        if (c->sim_instructions > 0)
            json_object_set_new(o, "counters",
                                json_pack("{s:{s:f}}", "values", "SIM_INSTRUCTIONS",
                                          c->sim_instructions));
        json_array_append_new(cases, o);
    }
    json_t *doc = json_pack("{s:s, s:i, s:{s:s, s:s, s:s}, s:o}", "format", "attnbench-results",
                            "format_version", 1, "run", "git_commit", tag, "date", "today",
                            "host", "fixture", "cases", cases);
    if (fx_calib_scale > 0) {
        /* Five rounds, a little noise in each part. */
        json_t *rounds = json_array();
        for (int r = 0; r < 5; r++) {
            double u = 1 + 0.002 * (r - 2);
            json_array_append_new(rounds, json_pack("{s:i, s:f, s:f, s:f}", "round", r + 1,
                                                    "compute_1t_s", 0.02 * u * fx_calib_scale,
                                                    "compute_all_s",
                                                    0.021 * u * fx_calib_scale * fx_all_scale,
                                                    "memory_s", 0.012 * u * fx_calib_scale *
                                                                    fx_memory_scale));
        }
        json_object_set_new(json_object_get(doc, "run"), "calibration",
                            json_pack("{s:o}", "rounds", rounds));
        /* A balance of 100 / 20 = 5 FLOP per byte on one thread. */
        json_object_set_new(json_object_get(doc, "run"), "machine_peaks",
                            json_pack("{s:[f], s:[f]}", "peak_gflops", 100.0, "triad_gbps", 20.0));
    }
    snprintf(path, sizeof path, "%s/results.json", dir);
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    return dir;
}

static int interleaved;   /* compare as --interleaved */

/* Compares base against cur on metric and returns the report (caller frees). */
static void compare(const char *base_dir, const char *cur_dir, const char *metric,
                    cmp_report *rep)
{
    results_file b, c;
    cmp_metric m;
    char err[4600];
    assert_int_equal(results_load(base_dir, &b, err, sizeof err), 0);
    assert_int_equal(results_load(cur_dir, &c, err, sizeof err), 0);
    assert_int_equal(cmp_metric_parse(metric, &b, &c, &m, err, sizeof err), 0);
    cmp_opts o = {.alpha = 0.01, .threshold = 0.10, .interleaved = interleaved};
    assert_int_equal(cmp_run(&b, &c, &m, &o, rep), 0);
    /* Rows point into the files: copy out what the tests read, then free. */
    for (int i = 0; i < rep->n; i++)
        rep->rows[i].base = rep->rows[i].cur = NULL, rep->rows[i].key = NULL;
    for (int i = 0; i < rep->n_impls; i++)
        rep->impls[i].impl = NULL;
    results_free(&b);
    results_free(&c);
}

static const fx_case base_cases[] = {
    {"naive", 128, "PASS", 20, 1.0e-3, 0.02, 1e6, NULL},
    {"naive", 512, "PASS", 20, 16.0e-3, 0.02, 16e6, NULL},
    {"tiled", 128, "PASS", 20, 0.5e-3, 0.02, 5e5, NULL},
    {"tiled", 512, "PASS", 20, 8.0e-3, 0.02, 8e6, NULL},
};

static void test_identical_runs_are_same(void **st)
{
    (void)st;
    const char *a = write_results("same", base_cases, 4, 1);
    cmp_report rep;
    compare(a, a, "time", &rep);
    assert_int_equal(rep.n, 4);
    assert_int_equal(rep.counts[CMP_SAME], 4);
    assert_false(cmp_regressed(&rep));
    for (int i = 0; i < rep.n_impls; i++)
        assert_true(fabs(rep.impls[i].geomean - 1) < 1e-12);
    cmp_report_free(&rep);
}

static void test_thirty_percent_slower(void **st)
{
    (void)st;
    /* naive's kernel got slower: both its cases, 30%; tiled is untouched. */
    fx_case slow[4];
    memcpy(slow, base_cases, sizeof slow);
    slow[0].center *= 1.3;
    slow[1].center *= 1.3;
    const char *a = write_results("base30", base_cases, 4, 1);
    const char *b = write_results("slow30", slow, 4, 2);
    cmp_report rep;
    compare(a, b, "time", &rep);
    assert_int_equal(rep.counts[CMP_SLOWER], 2);
    assert_int_equal(rep.counts[CMP_SAME], 2);
    assert_true(cmp_regressed(&rep));
    const cmp_row *row = &rep.rows[1];            /* sorted by key: naive q128, naive q512 */
    assert_int_equal(row->verdict, CMP_SLOWER);
    assert_true(fabs(row->ratio - 1.3) < 0.03 && row->p < 1e-6);
    cmp_report_free(&rep);

    /* The same data read as GFLOP/s: 1/1.3 of the throughput, still a regression. */
    compare(a, b, "gflops", &rep);
    assert_int_equal(rep.rows[1].verdict, CMP_SLOWER);
    assert_true(fabs(rep.rows[1].ratio - 1 / 1.3) < 0.02);
    cmp_report_free(&rep);

    /* And the other way round: faster, not a regression. */
    compare(b, a, "time", &rep);
    assert_int_equal(rep.rows[1].verdict, CMP_FASTER);
    assert_false(cmp_regressed(&rep));
    cmp_report_free(&rep);
}

static void test_noise_is_same(void **st)
{
    (void)st;
    /* Every case 3% slower with +-5% noise: significant with 20 repetitions perhaps, but under
     * the threshold, so never an alarm. */
    fx_case noisy[4];
    memcpy(noisy, base_cases, sizeof noisy);
    for (int i = 0; i < 4; i++) {
        noisy[i].center *= 1.03;
        noisy[i].spread = 0.05;
    }
    const char *a = write_results("quiet", base_cases, 4, 1);
    const char *b = write_results("noisy", noisy, 4, 7);
    cmp_report rep;
    compare(a, b, "time", &rep);
    assert_int_equal(rep.counts[CMP_SAME], 4);
    assert_false(cmp_regressed(&rep));
    /* It is the threshold that holds the verdict: the test alone finds the 3% shift. */
    int significant = 0;
    for (int i = 0; i < rep.n; i++)
        significant += rep.rows[i].p < 0.01;
    assert_true(significant >= 1);
    cmp_report_free(&rep);
}

static void test_large_ratio_without_significance_is_same(void **st)
{
    (void)st;
    /* Two modes, 1 ms and 2 ms, in both runs: five and five in BASE, four and six in NEW. The
     * medians move from 1.5 to 2 ms (ratio 1.33, over the threshold), but the samples overlap
     * almost entirely, so the test finds nothing, and nor may compare. */
    static const double base_t[] = {1.00e-3, 1.01e-3, 1.02e-3, 1.03e-3, 1.04e-3,
                                     2.00e-3, 2.01e-3, 2.02e-3, 2.03e-3, 2.04e-3};
    static const double new_t[] = {1.005e-3, 1.015e-3, 1.025e-3, 1.035e-3, 2.005e-3,
                                   2.015e-3, 2.025e-3, 2.035e-3, 2.045e-3, 2.055e-3};
    fx_case b[1] = {{"naive", 128, "PASS", 10, 0, 0, 0, base_t}};
    fx_case n[1] = {{"naive", 128, "PASS", 10, 0, 0, 0, new_t}};
    const char *a = write_results("bimodal-base", b, 1, 1);
    const char *c = write_results("bimodal-new", n, 1, 1);
    cmp_report rep;
    compare(a, c, "time", &rep);
    assert_true(rep.rows[0].ratio > 1.3);
    assert_true(rep.rows[0].p > 0.05);
    assert_false(rep.rows[0].too_few);
    assert_int_equal(rep.rows[0].verdict, CMP_SAME);
    cmp_report_free(&rep);
}

/* Every one of an implementation's 8 cases 30% slower, but each with one BASE process slower
 * than one NEW process: each case's own U test gives p = 4/252 = 0.016, short of alpha; its
 * cases together leave no doubt (stratified p = 3e-9), so all 8 are slower. A second
 * implementation that did not change stays same, and its cases together show nothing. */
static void test_an_implementation_moves_together(void **st)
{
    (void)st;
    static const double base_t[] = {0.80e-3, 0.95e-3, 1.00e-3, 1.05e-3, 1.20e-3};
    static const double new_t[] = {1.10e-3, 1.25e-3, 1.30e-3, 1.35e-3, 1.50e-3};
    fx_case b[16], n[16];
    for (int i = 0; i < 8; i++) {
        b[i] = (fx_case){"tiled", 16 * (i + 1), "PASS", 5, 0, 0, 0, base_t};
        n[i] = (fx_case){"tiled", 16 * (i + 1), "PASS", 5, 0, 0, 0, new_t};
        b[8 + i] = n[8 + i] = (fx_case){"naive", 16 * (i + 1), "PASS", 5, 1e-3, 0.05, 0, NULL};
    }
    const char *a = write_results("together-base", b, 16, 1);
    const char *c = write_results("together-new", n, 16, 1);
    cmp_report rep;
    compare(a, c, "time", &rep);
    assert_true(fabs(rep.impl_alpha - 0.01 / 2) < 1e-12);
    for (int g = 0; g < rep.n_impls; g++) {
        if (rep.impls[g].counts[CMP_SLOWER] == 8) {   /* tiled */
            assert_true(rep.impls[g].pooled_p < 1e-8 && rep.impls[g].pooled_z > 0);
        } else {
            assert_int_equal(rep.impls[g].counts[CMP_SAME], 8);
            assert_true(rep.impls[g].pooled_p > 0.5);   /* the same samples both sides */
        }
    }
    for (int i = 0; i < rep.n; i++)
        if (rep.rows[i].verdict == CMP_SLOWER)
            assert_true(fabs(rep.rows[i].p - 4.0 / 252) < 1e-9);
    assert_int_equal(rep.counts[CMP_SLOWER], 8);
    cmp_report_free(&rep);
}

static void test_pass_to_fail_is_broken(void **st)
{
    (void)st;
    fx_case broken[4];
    memcpy(broken, base_cases, sizeof broken);
    broken[2].status = "FAIL";                    /* same speed, wrong answer */
    broken[3].status = "CRASH";
    broken[3].reps = 0;
    const char *a = write_results("okay", base_cases, 4, 1);
    const char *b = write_results("broken", broken, 4, 1);
    cmp_report rep;
    compare(a, b, "time", &rep);
    assert_int_equal(rep.counts[CMP_BROKEN], 2);
    assert_true(cmp_regressed(&rep));
    cmp_report_free(&rep);

    compare(b, a, "time", &rep);                  /* back to PASS: fixed, no regression */
    assert_int_equal(rep.counts[CMP_FIXED], 2);
    assert_false(cmp_regressed(&rep));
    cmp_report_free(&rep);
}

static void test_too_few_samples_are_inconclusive(void **st)
{
    (void)st;
    fx_case few[2] = {base_cases[0], base_cases[1]}, few_slow[2];
    few[0].reps = few[1].reps = 3;
    memcpy(few_slow, few, sizeof few);
    few_slow[0].center *= 1.5;
    few_slow[1].center *= 1.5;
    const char *a = write_results("few", few, 2, 1);
    const char *b = write_results("fewslow", few_slow, 2, 3);
    cmp_report rep;
    compare(a, b, "time", &rep);
    assert_int_equal(rep.counts[CMP_INCONCLUSIVE], 2);
    assert_int_equal(rep.whys[CMP_WHY_TOO_FEW], 2);
    assert_true(rep.rows[0].too_few && rep.rows[0].ratio > 1.4);
    assert_false(cmp_regressed(&rep));
    assert_int_equal(rep.min_reps_needed, 5);     /* 2/C(10,5) = 0.0079 < 0.01 <= 2/C(8,4) */
    cmp_report_free(&rep);
}

/* One process a side: its repetitions say nothing of the noise between runs, so no time
 * verdict, however far apart they are (the A/A pair that gave p = 2.7e-64); the correctness
 * verdicts and deterministic counters are unaffected. */
static void test_one_process_is_inconclusive(void **st)
{
    (void)st;
    fx_case slow[4];
    memcpy(slow, base_cases, sizeof slow);
    slow[1].center *= 1.3;
    slow[2].status = "FAIL";
    slow[3].sim_instructions *= 1.2;
    fx_one_process = 1;
    const char *a = write_results("one-base", base_cases, 4, 1);
    const char *b = write_results("one-new", slow, 4, 2);
    fx_one_process = 0;
    cmp_report rep;
    compare(a, b, "time", &rep);
    assert_int_equal(rep.rows[1].verdict, CMP_INCONCLUSIVE);
    assert_int_equal(rep.rows[1].why, CMP_WHY_ONE_PROCESS);
    assert_true(rep.rows[1].ratio > 1.25 && isnan(rep.rows[1].p));
    assert_int_equal(rep.rows[2].verdict, CMP_BROKEN);
    assert_int_equal(rep.counts[CMP_INCONCLUSIVE], 3);
    assert_int_equal(rep.counts[CMP_SLOWER] + rep.counts[CMP_FASTER], 0);
    cmp_report_free(&rep);
    compare(a, b, "ctr_sim_instructions", &rep);
    assert_int_equal(rep.rows[3].verdict, CMP_SLOWER);
    cmp_report_free(&rep);
}

/* The machine itself ran the calibration slower in NEW: by 5%, a case must be slower by more
 * than 1.1 * 1.05 - 1 = 15.5%; by 20%, beyond the 10% threshold, no time verdict is given. */
static void test_machine_change_widens_or_withholds(void **st)
{
    (void)st;
    fx_case slow[4], naive13[4];
    memcpy(slow, base_cases, sizeof slow);
    memcpy(naive13, base_cases, sizeof naive13);
    naive13[0].center *= 1.13;                    /* naive: past 10%, not past 15.5% */
    naive13[1].center *= 1.13;
    slow[2].center *= 1.3;                        /* tiled: past both */
    slow[3].center *= 1.3;
    const char *a = write_results("mach-base", base_cases, 4, 1);
    fx_calib_scale = 1.05;
    const char *b = write_results("mach-5", slow, 4, 2);
    const char *b13 = write_results("mach-5-naive", naive13, 4, 2);
    fx_calib_scale = 1.2;
    const char *c = write_results("mach-20", slow, 4, 2);
    fx_case tiled_only[4];
    memcpy(tiled_only, slow, sizeof tiled_only);
    tiled_only[0].center = base_cases[0].center;
    tiled_only[1].center = base_cases[1].center;
    fx_calib_scale = 0;
    const char *d = write_results("mach-none", tiled_only, 4, 2);
    fx_calib_scale = 1;
    cmp_report rep;
    compare(a, b, "time", &rep);
    assert_true(rep.machine.known);
    assert_true(fabs(rep.machine.shift - 1.05) < 1e-9);
    assert_int_equal(rep.rows[2].verdict, CMP_SLOWER);
    assert_int_equal(rep.rows[3].verdict, CMP_SLOWER);
    cmp_report_free(&rep);
    compare(a, b13, "time", &rep);
    assert_int_equal(rep.rows[0].calib_part, CALIB_COMPUTE_1T);   /* no intensity: compute */
    assert_true(fabs(rep.rows[0].limit - (1.1 * 1.05 - 1)) < 1e-9);
    assert_int_equal(rep.rows[0].verdict, CMP_SAME);
    assert_int_equal(rep.rows[1].verdict, CMP_SAME);
    cmp_report_free(&rep);

    compare(a, c, "time", &rep);
    assert_int_equal(rep.counts[CMP_INCONCLUSIVE], 4);
    assert_int_equal(rep.whys[CMP_WHY_MACHINE], 4);
    assert_false(cmp_regressed(&rep));
    cmp_report_free(&rep);

    /* No calibration on a side: the change is unknown and said so; the test decides alone. */
    compare(a, d, "time", &rep);
    assert_false(rep.machine.known);
    assert_contains(rep.machine.unknown_why, "NEW has no calibration rounds");
    assert_int_equal(rep.rows[2].verdict, CMP_SLOWER);   /* tiled q128 */
    assert_int_equal(rep.rows[0].verdict, CMP_SAME);
    cmp_report_free(&rep);
}

/* One case of an implementation's four moved by 30%, the others not: between two separate runs
 * that is what the machine does to single cases, so it is inconclusive; two of four are not
 * more than half either; when three or all four move it is a change in the kernel; and with
 * --interleaved (ab-compare) a case stands alone when it passes alpha over the cases judged. */
static void test_a_case_alone_is_not_enough(void **st)
{
    (void)st;
    fx_case base[4], one[4], all[4];
    for (int i = 0; i < 4; i++)
        base[i] = (fx_case){"tiled", 64 << i, "PASS", 5, 1e-3 * (i + 1), 0.02, 0, NULL};
    memcpy(one, base, sizeof one);
    memcpy(all, base, sizeof all);
    one[2].center *= 1.3;
    for (int i = 0; i < 4; i++)
        all[i].center *= 1.3;
    const char *a = write_results("alone-base", base, 4, 1);
    const char *b = write_results("alone-one", one, 4, 2);
    const char *c = write_results("alone-all", all, 4, 3);
    cmp_report rep;
    compare(a, b, "time", &rep);
    assert_int_equal(rep.counts[CMP_SAME], 3);
    assert_int_equal(rep.counts[CMP_INCONCLUSIVE], 1);
    assert_int_equal(rep.whys[CMP_WHY_ISOLATED], 1);
    assert_true(rep.rows[1].p < 0.01 && rep.rows[1].ratio > 1.25);   /* q128, q256, q512, q64 */
    assert_false(cmp_regressed(&rep));
    cmp_report_free(&rep);

    compare(a, c, "time", &rep);
    assert_int_equal(rep.counts[CMP_SLOWER], 4);
    assert_true(fabs(rep.impls[0].geomean - 1.3) < 0.05);
    cmp_report_free(&rep);

    fx_case half[4], most[4];
    memcpy(half, base, sizeof half);
    half[0].center *= 1.3;
    half[1].center *= 1.3;
    memcpy(most, half, sizeof most);
    most[2].center *= 1.3;
    const char *h = write_results("alone-half", half, 4, 4);
    const char *m = write_results("alone-most", most, 4, 5);
    compare(a, h, "time", &rep);
    assert_int_equal(rep.counts[CMP_INCONCLUSIVE], 2);
    cmp_report_free(&rep);
    compare(a, m, "time", &rep);
    assert_int_equal(rep.counts[CMP_SLOWER], 3);
    assert_int_equal(rep.counts[CMP_SAME], 1);
    cmp_report_free(&rep);

    /* Interleaved, the case may stand alone, but it must pass alpha over the 4 cases judged:
     * 5 processes a side (p = 2/252 at best) cannot, 10 can. */
    interleaved = 1;
    compare(a, b, "time", &rep);
    assert_true(fabs(rep.lone_alpha - 0.01 / 4) < 1e-12);
    assert_true(rep.rows[1].p < 0.01 && rep.rows[1].p > rep.lone_alpha);
    assert_int_equal(rep.counts[CMP_INCONCLUSIVE], 1);
    assert_int_equal(rep.whys[CMP_WHY_ISOLATED], 1);
    assert_int_equal(rep.lone_samples_needed, 6);   /* 2/C(12,6) = 0.0022; 2/C(10,5) = 0.0079 */
    cmp_report_free(&rep);
    for (int i = 0; i < 4; i++) {
        base[i].reps = 10;
        one[i].reps = 10;
    }
    a = write_results("alone-base10", base, 4, 6);
    b = write_results("alone-one10", one, 4, 7);
    compare(a, b, "time", &rep);
    interleaved = 0;
    assert_true(rep.rows[1].p < rep.lone_alpha);
    assert_int_equal(rep.counts[CMP_SLOWER], 1);
    assert_int_equal(rep.counts[CMP_SAME], 3);
    assert_true(cmp_regressed(&rep));
    cmp_report_free(&rep);
}

/* Memory bandwidth fell by 20% and compute did not: a compute-bound case keeps its verdict, a
 * case under the machine's balance (5 FLOP per byte in the fixture) gets none. */
static void test_memory_change_holds_memory_bound_cases(void **st)
{
    (void)st;
    fx_case slow[2] = {base_cases[0], base_cases[1]};
    slow[0].center *= 1.3;
    slow[1].center *= 1.3;
    const char *a = write_results("mem-base", base_cases, 2, 1);
    fx_memory_scale = 1.2;
    const char *b = write_results("mem-20", slow, 2, 2);
    fx_memory_scale = 1;
    /* Case 2 (naive q512) made memory-bound: 2 FLOP per byte. */
    char path[300], err[4600];
    results_file r;
    snprintf(path, sizeof path, "%s/results.json", a);
    json_t *doc = json_load_file(path, 0, NULL);
    json_object_set_new(json_array_get(json_object_get(doc, "cases"), 1), "arith_intensity",
                        json_real(2.0));
    json_object_set_new(json_array_get(json_object_get(doc, "cases"), 0), "arith_intensity",
                        json_real(50.0));
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    assert_int_equal(results_load(a, &r, err, sizeof err), 0);
    results_free(&r);
    cmp_report rep;
    compare(a, b, "time", &rep);
    assert_int_equal(rep.rows[0].calib_part, CALIB_COMPUTE_1T);
    assert_int_equal(rep.rows[0].verdict, CMP_SLOWER);
    assert_int_equal(rep.rows[1].calib_part, CALIB_MEMORY);
    assert_int_equal(rep.rows[1].verdict, CMP_INCONCLUSIVE);
    assert_int_equal(rep.rows[1].why, CMP_WHY_MACHINE);
    cmp_report_free(&rep);
}

/* A one-thread case is held to the larger change of the two compute parts: the one-thread part
 * runs on one PU, the case on whichever the scheduler picks. The all-core part 15% faster, the
 * one-thread part 5%: naive's one-thread cases 40% faster get no verdict. */
static void test_one_thread_held_to_both_compute_parts(void **st)
{
    (void)st;
    fx_case fast[2] = {base_cases[0], base_cases[1]};
    fast[0].center *= 0.6;
    fast[1].center *= 0.6;
    const char *a = write_results("cores-base", base_cases, 2, 1);
    fx_calib_scale = 0.95;
    fx_all_scale = 0.85 / 0.95;
    const char *b = write_results("cores-fast", fast, 2, 2);
    fx_calib_scale = 1;
    fx_all_scale = 1;
    cmp_report rep;
    compare(a, b, "time", &rep);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(rep.rows[i].calib_part, CALIB_COMPUTE_ALL);
        assert_int_equal(rep.rows[i].why, CMP_WHY_MACHINE);
    }
    cmp_report_free(&rep);
}

/* Between two separate runs, naive 30% slower while tiled moved 15% the same way (its cases
 * together and each past the threshold): the whole run moved, machine or harness, and neither
 * is called. With tiled unchanged naive is slower; interleaved (BASE and NEW alternating) the
 * run's state fell on both sides, and both are called. */
static void test_the_whole_run_moved(void **st)
{
    (void)st;
    fx_case slow[4], alone[4];
    memcpy(slow, base_cases, sizeof slow);
    slow[0].center *= 1.3;
    slow[1].center *= 1.3;
    memcpy(alone, slow, sizeof alone);
    slow[2].center *= 1.15;
    slow[3].center *= 1.15;
    const char *a = write_results("run-base", base_cases, 4, 1);
    const char *b = write_results("run-moved", slow, 4, 2);
    const char *c = write_results("run-alone", alone, 4, 2);
    cmp_report rep;
    compare(a, b, "time", &rep);
    assert_int_equal(rep.counts[CMP_INCONCLUSIVE], 4);
    assert_int_equal(rep.whys[CMP_WHY_RUN_MOVED], 4);
    assert_false(cmp_regressed(&rep));
    cmp_report_free(&rep);
    compare(a, c, "time", &rep);
    assert_int_equal(rep.counts[CMP_SLOWER], 2);
    assert_int_equal(rep.counts[CMP_SAME], 2);
    cmp_report_free(&rep);
    interleaved = 1;
    compare(a, b, "time", &rep);
    interleaved = 0;
    assert_int_equal(rep.counts[CMP_SLOWER], 4);
    cmp_report_free(&rep);
}

static void test_new_and_gone(void **st)
{
    (void)st;
    fx_case other[2] = {base_cases[0], {"avx2", 128, "PASS", 20, 0.2e-3, 0.02, 2e5, NULL}};
    const char *a = write_results("ng-base", base_cases, 2, 1);
    const char *b = write_results("ng-new", other, 2, 1);
    cmp_report rep;
    compare(a, b, "time", &rep);
    assert_int_equal(rep.counts[CMP_NEW], 1);
    assert_int_equal(rep.counts[CMP_GONE], 1);
    assert_int_equal(rep.counts[CMP_SAME], 1);
    assert_false(cmp_regressed(&rep));
    cmp_report_free(&rep);
}

static void test_deterministic_counter_is_a_plain_ratio(void **st)
{
    (void)st;
    fx_case more[4];
    memcpy(more, base_cases, sizeof more);
    more[0].sim_instructions *= 1.2;              /* 20% more instructions: slower */
    more[1].sim_instructions *= 1.05;             /* 5%: under the threshold */
    more[2].center *= 2;                          /* time doubled: not this metric's business */
    const char *a = write_results("sim-base", base_cases, 4, 1);
    const char *b = write_results("sim-new", more, 4, 1);
    cmp_report rep;
    compare(a, b, "ctr_sim_instructions", &rep);
    assert_true(rep.metric.deterministic);
    assert_int_equal(rep.rows[0].verdict, CMP_SLOWER);
    assert_true(isnan(rep.rows[0].p));            /* no test: the counts are exact */
    assert_int_equal(rep.rows[1].verdict, CMP_SAME);
    assert_int_equal(rep.rows[2].verdict, CMP_SAME);
    cmp_report_free(&rep);
}

/* ---- the reader's refusals ---- */

static void expect_refused(const char *text, const char *why)
{
    char path[256], err[4600];
    results_file r;
    test_write_file(path, sizeof path, "refused", text);
    assert_int_equal(results_load(path, &r, err, sizeof err), -1);
    assert_contains(err, why);
    assert_null(strchr(err, '\n'));
    unlink(path);
}

static void test_reader_refusals(void **st)
{
    (void)st;
    expect_refused("{\"format\": \"attnbench-results\", \"format_ver", "not a complete JSON");
    expect_refused("hello", "not a complete JSON");
    expect_refused("{\"benchmarks\": []}", "not attnbench results");
    expect_refused("{\"format\": \"attnbench-results\", \"format_version\": 7, \"run\": {},"
                   " \"cases\": []}",
                   "format_version 7; this attnbench reads version 1");
    expect_refused("{\"format\": \"attnbench-results\", \"format_version\": 1, \"run\": {},"
                   " \"cases\": [{\"impl\": \"x\"}]}",
                   "case 1: field \"batch\"");
    char err[4600];
    results_file r;
    assert_int_equal(results_load("/nonexistent/dir", &r, err, sizeof err), -1);
    assert_contains(err, "/nonexistent/dir: No such file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_separated_samples),
        cmocka_unit_test(test_textbook_critical_value),
        cmocka_unit_test(test_exact_against_enumeration),
        cmocka_unit_test(test_small_ties_are_exact),
        cmocka_unit_test(test_large_ties_use_the_corrected_normal),
        cmocka_unit_test(test_stratified_by_hand),
        cmocka_unit_test(test_identical_runs_are_same),
        cmocka_unit_test(test_thirty_percent_slower),
        cmocka_unit_test(test_noise_is_same),
        cmocka_unit_test(test_large_ratio_without_significance_is_same),
        cmocka_unit_test(test_pass_to_fail_is_broken),
        cmocka_unit_test(test_too_few_samples_are_inconclusive),
        cmocka_unit_test(test_one_process_is_inconclusive),
        cmocka_unit_test(test_machine_change_widens_or_withholds),
        cmocka_unit_test(test_memory_change_holds_memory_bound_cases),
        cmocka_unit_test(test_one_thread_held_to_both_compute_parts),
        cmocka_unit_test(test_the_whole_run_moved),
        cmocka_unit_test(test_a_case_alone_is_not_enough),
        cmocka_unit_test(test_an_implementation_moves_together),
        cmocka_unit_test(test_new_and_gone),
        cmocka_unit_test(test_deterministic_counter_is_a_plain_ratio),
        cmocka_unit_test(test_reader_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, remove_fixtures);
}
