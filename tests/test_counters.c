/* test_counters.c: PAPI counting as a case sees it: a software event that really counts here
 * (page faults, in every thread of the case), an event that does not exist (an empty value and
 * PAPI's reason), the column names, and the settings that are refused. */
#include "test_util.h"

#include "counters.h"
#include "registry.h"
#include "runner.h"

#include <omp.h>
#include <sys/mman.h>

#define TOUCH_BYTES (4u << 20)
#define PAGE 4096u

/* naive, plus TOUCH_BYTES of fresh pages touched by every thread in every run: a known number
 * of page faults per repetition, most of them outside the main thread. */
static int toucher_run(void *state, const float *q, const float *k, const float *v, float *o)
{
    int bad = 0;
#pragma omp parallel reduction(| : bad)
    {
        unsigned char *m = mmap(NULL, TOUCH_BYTES, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            bad = 1;
        } else {
            madvise(m, TOUCH_BYTES, MADV_NOHUGEPAGE);   /* one fault per 4 KiB page */
            for (size_t i = 0; i < TOUCH_BYTES; i += PAGE)
                ((volatile unsigned char *)m)[i] = 1;
            munmap(m, TOUCH_BYTES);
        }
    }
    return bad ? -1 : attn_impl_naive.run(state, q, k, v, o);
}

static int toucher_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    omp_set_num_threads(p->threads);
    return attn_impl_naive.prepare(p, state, why, why_len);
}

static const attn_impl toucher = {
    .name = "toucher", .summary = "naive plus page faults", .caps = ATTN_CAP_THREADS,
    .prepare = toucher_prepare, .run = toucher_run,
};

static cfg_names names_of(int n, const char *const *v)
{
    cfg_names c;
    memset(&c, 0, sizeof c);
    c.n = n;
    for (int i = 0; i < n; i++)
        snprintf(c.v[i], sizeof c.v[i], "%s", v[i]);
    return c;
}

static void test_column_names(void **st)
{
    (void)st;
    char col[80];
    ctr_column_name("PAPI_L1_DCM", col, sizeof col);
    assert_string_equal(col, "ctr_papi_l1_dcm");
    ctr_column_name("perf::PAGE-FAULTS", col, sizeof col);
    assert_string_equal(col, "ctr_perf__page_faults");
}

static void test_modes_stand_alone(void **st)
{
    (void)st;
    static ctr_plan plan;
    char err[256];
    const char *mixed[] = {"auto", "perf::PAGE-FAULTS"};
    cfg_names spec = names_of(2, mixed);
    assert_int_equal(ctr_plan_build(&spec, &plan, err, sizeof err), 2);
    assert_contains(err, "'auto' cannot be combined");

    const char *none[] = {"none"};
    spec = names_of(1, none);
    assert_int_equal(ctr_plan_build(&spec, &plan, err, sizeof err), 0);
    assert_int_equal(plan.mode, CTR_NONE);
    assert_int_equal(plan.n, 0);

    const char *autos[] = {"auto"};
    spec = names_of(1, autos);
    assert_int_equal(ctr_plan_build(&spec, &plan, err, sizeof err), 0);
    assert_int_equal(plan.mode, CTR_PAPI);
    assert_int_equal(plan.n, 6);
    /* Whatever the machine, the software page-fault event is one of them and counts. */
    assert_string_equal(plan.ev[5].name, "perf::PAGE-FAULTS");
    assert_true(plan.ev[5].available);
    for (int i = 0; i < plan.n; i++)
        if (!plan.ev[i].available)
            assert_true(plan.ev[i].why[0] != '\0' && plan.note[0] != '\0');
}

static void test_page_faults_in_every_thread(void **st)
{
    (void)st;
    static ctr_plan plan;
    char err[256], why[256];
    const char *events[] = {"perf::PAGE-FAULTS", "perf::NO_SUCH_EVENT"};
    cfg_names spec = names_of(2, events);
    assert_int_equal(ctr_plan_build(&spec, &plan, err, sizeof err), 0);
    assert_true(plan.ev[0].available);
    assert_false(plan.ev[1].available);
    assert_contains(plan.ev[1].why, "Event does not exist");
    assert_contains(plan.note, "perf::NO_SUCH_EVENT");

    attn_problem p = {1, 2, 2, 16, 16, 8, 0, 0.35f, 2};
    runner_problem rp;
    assert_int_equal(runner_problem_init(&rp, &p, DIST_NORMAL, 7, why, sizeof why), 0);
    runner_reference(&rp, 2);
    runner_opts opts = {.warmup = 1, .min_reps = 2, .max_reps = 5, .timeout_s = 30,
                        .tol = {4, 1e-30}, .ctr = &plan, .counter_reps = 3};
    case_result res;
    const int threads = 2;
    const double pages = (double)threads * TOUCH_BYTES / PAGE;
    runner_run_case(&rp, &toucher, threads, &opts, &res);
    assert_int_equal(res.status, ST_PASS);
    assert_int_equal(res.ctr.reps, 3);
    assert_true(res.ctr.ok[0]);
    /* Both threads' faults: one thread's alone would be half. */
    if (res.ctr.value[0] < pages || res.ctr.value[0] > 1.5 * pages)
        fail_msg("%.0f page faults per repetition, want about %.0f (%s)", res.ctr.value[0],
                 pages, res.ctr.scope);
    assert_false(res.ctr.ok[1]);
    assert_contains(res.ctr.why[1], "Event does not exist");
    /* The rusage window (prepare and the first run) sees the first run's faults too. */
    assert_true(res.page_faults >= (long long)pages);
    free(res.times);
    runner_problem_free(&rp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_column_names),
        cmocka_unit_test(test_modes_stand_alone),
        cmocka_unit_test(test_page_faults_in_every_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
