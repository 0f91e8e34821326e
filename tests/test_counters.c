/* test_counters.c: counting as a case sees it: software events that really count here (page
 * faults, in every thread of the case), through PAPI or, where PAPI's perf_event component is
 * off, through perf_event_open; hardware events, present or absent with the true reason; an
 * event that does not exist; the column names, and the settings that are refused. The tests
 * find their world first and say which it is; `make unit` runs them again with the component
 * switched off (ATTNBENCH_PAPI_DISABLE=perf_event), so both worlds run on every machine. */
#include "test_util.h"

#include "counters.h"
#include "registry.h"
#include "runner.h"
#include "swevents.h"

#include <math.h>
#include <omp.h>
#include <papi.h>
#include <sys/mman.h>

#define TOUCH_BYTES (4u << 20)
#define PAGE 4096u

/* naive, plus TOUCH_BYTES of fresh pages touched by every thread in every run: a known number
 * of page faults per repetition, most of them outside the main thread. */
static int toucher_run(void *state, const void *q_in, const void *k_in, const void *v_in,
                       void *o_out)
{
    const float *q = q_in, *k = k_in, *v = v_in;
    float *o = o_out;
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

/* The world these tests run in: is PAPI's perf_event component (every CPU and kernel event)
 * on, and is there a CPU PMU? */
static struct {
    int perf_off;                /* the component is disabled (here, or by the switch) */
    char off_reason[101];         /* PAPI's reason, as far as the harness quotes it */
    int pmu;                     /* /sys/bus/event_source/devices/cpu exists */
} world;

static int find_world(void **st)
{
    (void)st;
    const char *forced = getenv(CTR_PAPI_DISABLE_ENV);
    if (forced != NULL && strstr(forced, "perf_event") != NULL)
        PAPI_disable_component_by_name("perf_event");
    if (PAPI_library_init(PAPI_VER_CURRENT) != PAPI_VER_CURRENT)
        return -1;
    int cidx = PAPI_get_component_index("perf_event");
    const PAPI_component_info_t *ci = cidx >= 0 ? PAPI_get_component_info(cidx) : NULL;
    world.perf_off = ci == NULL || ci->disabled;
    snprintf(world.off_reason, sizeof world.off_reason, "%.100s",
             ci == NULL ? "no perf_event component" : ci->disabled_reason);
    PAPI_shutdown();
    world.pmu = access("/sys/bus/event_source/devices/cpu", F_OK) == 0;
    printf("test_counters: world: PAPI's perf_event component %s%s%s%s; %s; perf_event_paranoid "
           "%d\n", world.perf_off ? "off (" : "on", world.perf_off ? world.off_reason : "",
           world.perf_off && forced ? ", by " CTR_PAPI_DISABLE_ENV : "", world.perf_off ? ")" : "",
           world.pmu ? "a CPU PMU" : "no CPU PMU", swev_paranoid());
    return 0;
}

static int is_software(const char *name)
{
    return swev_lookup(name) >= 0;
}

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
}

/* counters = auto in this world: every software event counts, through PAPI where its
 * perf_event component is on and through perf_event_open where it is off; a hardware event
 * either counts or says the true reason it cannot. */
static void test_auto_in_this_world(void **st)
{
    (void)st;
    static ctr_plan plan;
    char err[256];
    const char *autos[] = {"auto"};
    cfg_names spec = names_of(1, autos);
    assert_int_equal(ctr_plan_build(&spec, &plan, err, sizeof err), 0);
    assert_int_equal(plan.mode, CTR_PAPI);
    assert_int_equal(plan.n, 11);
    int software = 0;
    for (int i = 0; i < plan.n; i++) {
        const ctr_event *e = &plan.ev[i];
        if (is_software(e->name)) {
            software++;
            if (!e->available)
                fail_msg("%s does not count: %s", e->name, e->why);
            assert_int_equal(e->source, world.perf_off ? CTR_SRC_PERF : CTR_SRC_PAPI);
            if (world.perf_off)   /* the note and the JSON keep PAPI's true reason */
                assert_contains(e->why, "perf_event component is disabled");
        } else if (world.perf_off) {
            assert_false(e->available);
            assert_contains(e->why, "perf_event component is disabled: ");
            assert_contains(e->why, world.off_reason);
        } else if (!world.pmu) {
            assert_false(e->available);
            assert_contains(e->why, "no CPU PMU");
        } else if (!e->available) {
            assert_true(e->why[0] != '\0');
        }
    }
    assert_int_equal(software, 6);
    if (world.perf_off) {
        assert_contains(plan.note, "through perf_event_open");
        assert_contains(plan.note, world.off_reason);
    }
}

/* The switch names a component PAPI does not have: refused before PAPI starts. */
static void test_bad_disable_switch(void **st)
{
    (void)st;
    static ctr_plan plan;
    char err[512], *saved = NULL;
    const char *was = getenv(CTR_PAPI_DISABLE_ENV), *autos[] = {"auto"};
    if (was != NULL)
        saved = strdup(was);
    setenv(CTR_PAPI_DISABLE_ENV, "no_such_component", 1);
    cfg_names spec = names_of(1, autos);
    int rc = ctr_plan_build(&spec, &plan, err, sizeof err);
    if (saved != NULL)
        setenv(CTR_PAPI_DISABLE_ENV, saved, 1);
    else
        unsetenv(CTR_PAPI_DISABLE_ENV);
    free(saved);
    assert_int_equal(rc, 2);
    assert_contains(err, CTR_PAPI_DISABLE_ENV "=no_such_component: PAPI has no component "
                         "'no_such_component'");
}

#define THREADS 2

/* Runs the toucher on THREADS threads with plan's counters over 3 counted repetitions. */
static void run_toucher(const ctr_plan *plan, case_result *res)
{
    char why[256];
    attn_problem p = {.batch = 1, .heads = 2, .kv_heads = 2, .seq_q = 16,
                      .seq_kv = 16, .head_dim = 8, .causal = 0, .scale = 0.35f, .threads = THREADS};
    sweep_neutral_fields(&p);
    runner_problem rp;
    assert_int_equal(runner_problem_init(&rp, &p, DIST_NORMAL, 7, why, sizeof why), 0);
    runner_reference(&rp, THREADS);
    runner_opts opts = {.warmup = 1, .min_reps = 2, .max_reps = 5, .timeout_s = 30,
                        .tol = {4, 1e-30}, .ctr = plan, .counter_reps = 3};
    runner_run_case(&rp, &toucher, THREADS, &opts, res);
    runner_problem_free(&rp);
    assert_int_equal(res->status, ST_PASS);
}

static void test_page_faults_in_every_thread(void **st)
{
    (void)st;
    static ctr_plan plan;
    char err[256];
    const char *events[] = {"perf::PAGE-FAULTS", "perf::NO_SUCH_EVENT"};
    cfg_names spec = names_of(2, events);
    assert_int_equal(ctr_plan_build(&spec, &plan, err, sizeof err), 0);
    assert_true(plan.ev[0].available);
    assert_int_equal(plan.ev[0].source, world.perf_off ? CTR_SRC_PERF : CTR_SRC_PAPI);
    assert_false(plan.ev[1].available);
    assert_contains(plan.ev[1].why, "Event does not exist");
    assert_contains(plan.note, "perf::NO_SUCH_EVENT");

    case_result res;
    const double pages = (double)THREADS * TOUCH_BYTES / PAGE;
    run_toucher(&plan, &res);
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
}

/* The other software events, by whichever source this world has: minor and major faults add
 * up to the page faults (fresh anonymous pages are minor faults), and the task clock covers
 * both threads' touching. */
static void test_software_events_agree(void **st)
{
    (void)st;
    static ctr_plan plan;
    char err[256];
    const char *events[] = {"perf::PAGE-FAULTS", "perf::MINOR-FAULTS", "perf::MAJOR-FAULTS",
                            "perf::CONTEXT-SWITCHES", "perf::CPU-MIGRATIONS", "perf::TASK-CLOCK"};
    cfg_names spec = names_of(6, events);
    assert_int_equal(ctr_plan_build(&spec, &plan, err, sizeof err), 0);
    case_result res;
    const double pages = (double)THREADS * TOUCH_BYTES / PAGE;
    run_toucher(&plan, &res);
    for (int i = 0; i < 6; i++)
        if (!res.ctr.ok[i])
            fail_msg("%s (%s) not counted: %s", events[i], ctr_source_name(plan.ev[i].source),
                     res.ctr.why[i]);
    double faults = res.ctr.value[0], minor = res.ctr.value[1], major = res.ctr.value[2];
    if (faults < pages || fabs(minor + major - faults) > 0.01 * faults)
        fail_msg("faults %.0f, minor %.0f + major %.0f, want about %.0f", faults, minor, major,
                 pages);
    /* Each first touch is a fault the kernel takes at well over 100 ns on any x86-64. */
    if (res.ctr.value[5] < 100 * pages)
        fail_msg("task clock %.0f ns per repetition for %.0f page faults", res.ctr.value[5],
                 pages);
    free(res.times);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_column_names),
        cmocka_unit_test(test_modes_stand_alone),
        cmocka_unit_test(test_auto_in_this_world),
        cmocka_unit_test(test_bad_disable_switch),
        cmocka_unit_test(test_page_faults_in_every_thread),
        cmocka_unit_test(test_software_events_agree),
    };
    return cmocka_run_group_tests(tests, find_world, NULL);
}
