/* test_check.c: the checker (harness/check.c) against real kernels: every built-in
 * implementation and bug_honest must PASS a grid of awkward shapes with a margin, and every bug in bug_impls must FAIL on a problem
 * chosen to expose it, so the tolerance is shown to be neither too tight nor too loose. */
#include "bug_impls.h"
#include "check.h"
#include "config.h"
#include "gen.h"
#include "ref.h"
#include "registry.h"
#include "sweep.h"
#include "test_case.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

enum { SEED = 42 };

/* An honest kernel must stay this far inside its tolerance, so a passing grid means the
 * tolerance has room and not that it was tuned until naive barely fit. */
static const double honest_margin = 0.5;

typedef struct shape {
    int batch, heads, kv_heads, seq_q, seq_kv, head_dim, causal;
} shape;

typedef test_outcome outcome;

static attn_problem make_problem(const shape *s)
{
    attn_problem p = {
        .batch = s->batch,
        .heads = s->heads,
        .kv_heads = s->kv_heads,
        .seq_q = s->seq_q,
        .seq_kv = s->seq_kv,
        .head_dim = s->head_dim,
        .causal = s->causal,
        .scale = (float)(1.0 / sqrt((double)s->head_dim)),   /* as the sweep sets it */
        .threads = 1,
    };
    sweep_neutral_fields(&p);
    return p;
}

static void describe(const attn_impl *impl, const shape *s, int dist, char *out, size_t len)
{
    snprintf(out, len, "%s b=%d h=%d kv=%d nq=%d nkv=%d d=%d causal=%d %s", impl->name,
             s->batch, s->heads, s->kv_heads, s->seq_q, s->seq_kv, s->head_dim, s->causal,
             cfg_dist_name(dist));
}

/* One case in-process: inputs, reference, prepare/run/release, check. */
static void run_case(const attn_impl *impl, const shape *s, int dist, outcome *out)
{
    attn_problem p = make_problem(s);
    test_run_case(impl, &p, SEED, dist, out);
}

/* The honest grid: every length, head size, mask and sharing mode a kernel gets wrong first. */
static const shape honest_extra[] = {
    /* cross-attention, with and without the mask; nq > nkv leaves rows that see no key */
    {1, 2, 2, 7, 33, 40, 0},   {1, 2, 2, 7, 33, 40, 1},    {1, 2, 2, 33, 7, 40, 0},
    {1, 2, 2, 33, 7, 40, 1},   {1, 2, 2, 130, 33, 64, 1},  {1, 2, 2, 33, 130, 64, 1},
    {1, 2, 2, 1, 130, 128, 1}, {1, 2, 2, 130, 1, 8, 1},
    /* GQA and MQA */
    {1, 4, 2, 33, 33, 64, 0},  {1, 4, 2, 130, 130, 64, 1}, {1, 4, 1, 33, 33, 64, 1},
    {1, 4, 1, 130, 130, 40, 0},
    /* batch, with sharing and cross shapes */
    {2, 4, 2, 33, 33, 64, 1},  {2, 4, 1, 7, 130, 40, 1},   {2, 2, 2, 130, 33, 8, 0},
    /* long enough for the reference to take its dgemm route */
    {1, 1, 1, 1024, 1024, 64, 1},
};
static const int square_seqs[] = {1, 7, 33, 130};
static const int square_dims[] = {1, 8, 40, 64, 128};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Runs one shape under one dist; a failure is printed and counted, so one run shows them all. */
static void honest_one(const attn_impl *impl, const shape *s, int dist, double *worst,
                       int *failures)
{
    char what[160];
    outcome out;

    run_case(impl, s, dist, &out);
    if (out.res.worst_ratio > *worst)
        *worst = out.res.worst_ratio;
    if (!out.res.pass || out.res.worst_ratio >= honest_margin) {
        describe(impl, s, dist, what, sizeof what);
        print_message("%s: %s, worst ratio %.3g (margin %.2g): %s\n", what,
                      out.res.pass ? "PASS" : "FAIL", out.res.worst_ratio, honest_margin,
                      out.res.reason);
        (*failures)++;
    }
}

static void test_honest_grid(void **state)
{
    const attn_impl *impl = *state;
    const int dists[] = {DIST_NORMAL, DIST_LARGE};
    int failures = 0;
    char why[128];

    if (impl->available != NULL && impl->available(why, sizeof why) != 0) {
        print_message("%s is unavailable here: %s\n", impl->name, why);
        skip();
    }

    for (int di = 0; di < COUNT(dists); di++) {
        double worst = 0;
        for (int si = 0; si < COUNT(square_seqs); si++)
            for (int hd = 0; hd < COUNT(square_dims); hd++)
                for (int causal = 0; causal <= 1; causal++) {
                    shape s = {1, 2, 2, square_seqs[si], square_seqs[si], square_dims[hd], causal};
                    honest_one(impl, &s, dists[di], &worst, &failures);
                }
        for (int x = 0; x < COUNT(honest_extra); x++)
            honest_one(impl, &honest_extra[x], dists[di], &worst, &failures);
        print_message("%-24s %-6s worst ratio %.3g\n", impl->name, cfg_dist_name(dists[di]),
                      worst);
    }
    assert_int_equal(failures, 0);
}

/* A bug, the problem that exposes it, and one where the defect cannot show. */
typedef struct bug_case {
    const attn_impl *impl;
    shape s;
    int dist;       /* the dist it must FAIL under */
    shape quiet;    /* batch 0: none; else under normal it must PASS, so the FAIL above is the
                     * defect's and not a kernel broken in some other way */
} bug_case;

static const bug_case bug_cases[] = {
    /* scores of ~50 to 100 overflow exp(); ordinary ones do not */
    {&bug_no_max_sub, {1, 2, 2, 130, 130, 64, 0}, DIST_LARGE, {1, 2, 2, 130, 130, 64, 1}},
    /* head_dim 1 makes the scale 1 */
    {&bug_scale_omitted, {1, 2, 2, 64, 64, 64, 0}, DIST_NORMAL, {1, 2, 2, 64, 64, 1, 1}},
    {&bug_scale_twice, {1, 2, 2, 64, 64, 64, 0}, DIST_NORMAL, {1, 2, 2, 64, 64, 1, 1}},
    {&bug_causal_diag_hidden, {1, 2, 2, 33, 33, 40, 1}, DIST_NORMAL, {1, 2, 2, 33, 33, 40, 0}},
    /* 130 = 4 * 32 + 2: two keys lost from every row; 128 loses none */
    {&bug_tail_dropped, {1, 2, 2, 130, 130, 64, 0}, DIST_NORMAL, {1, 2, 2, 130, 128, 64, 1}},
    /* with 4 heads on 2 kv heads, heads 1 and 2 read the wrong one; under MQA all agree */
    {&bug_wrong_kv_head, {1, 4, 2, 33, 33, 64, 0}, DIST_NORMAL, {2, 4, 1, 33, 33, 64, 1}},
    /* with one query and one key both axes hold one element */
    {&bug_softmax_wrong_axis, {1, 2, 2, 64, 64, 64, 0}, DIST_NORMAL, {2, 2, 2, 1, 1, 64, 0}},
    /* bfloat16's 8-bit mantissa against float32's error model on ordinary inputs */
    {&bug_bf16, {1, 2, 2, 128, 128, 64, 0}, DIST_NORMAL, {0}},
    {&bug_one_nan, {1, 2, 2, 33, 33, 8, 0}, DIST_NORMAL, {0}},
    /* with 33 queries on 7 keys under the mask, the row it shortens (16) sees no key */
    {&bug_skip_last_key, {1, 2, 2, 130, 130, 64, 0}, DIST_NORMAL, {1, 2, 2, 33, 7, 40, 1}},
    /* its output is right; the runner's input hash is what fails it */
    {&bug_writes_input, {1, 2, 2, 33, 33, 8, 0}, DIST_NORMAL, {1, 2, 2, 33, 33, 8, 0}},
};

/* Runs the exposing problem under both dists, so the printout shows how far outside its
 * tolerance each bug lands; only the case's own dist is held to FAIL. */
static void test_bug_fails(void **state)
{
    const bug_case *bc = *state;
    const int dists[] = {DIST_NORMAL, DIST_LARGE};
    char what[160];
    outcome out;

    for (int di = 0; di < COUNT(dists); di++) {
        run_case(bc->impl, &bc->s, dists[di], &out);
        describe(bc->impl, &bc->s, dists[di], what, sizeof what);
        print_message("%-56s worst ratio %-9.3g nonfinite %zu%s\n", what, out.res.worst_ratio,
                      out.res.nonfinite, out.q_modified ? " q modified" : "");
        if (dists[di] != bc->dist)
            continue;
        if (bc->impl == &bug_writes_input) {
            assert_true(out.q_modified);
            continue;
        }
        if (out.res.pass)
            fail_msg("%s passed the checker (worst ratio %.3g)", what, out.res.worst_ratio);
        if (bc->impl == &bug_one_nan)
            assert_int_equal(out.res.nonfinite, 1);
    }
    if (bc->quiet.batch == 0)
        return;
    run_case(bc->impl, &bc->quiet, DIST_NORMAL, &out);
    describe(bc->impl, &bc->quiet, DIST_NORMAL, what, sizeof what);
    if (!out.res.pass)
        fail_msg("%s failed where its defect cannot show: %s", what, out.res.reason);
}

/* A bug added to bug_impls_all without a case here would go untested. */
static void test_every_bug_has_a_case(void **state)
{
    (void)state;
    for (const attn_impl *const *b = bug_impls_all; *b != NULL; b++) {
        int found = 0;
        for (int x = 0; x < COUNT(bug_cases); x++)
            found |= bug_cases[x].impl == *b;
        if (!found)
            fail_msg("%s has no case in bug_cases", (*b)->name);
    }
}

int main(void)
{
    /* One named test per honest kernel (every built-in, from the registry, and bug_honest)
     * and per bug, so a failure says which one slipped through. */
    enum { MAX_TESTS = 64 };
    static char names[MAX_TESTS][64];
    struct CMUnitTest tests[MAX_TESTS];
    int builtins = 0, n = 0;
    while (attn_builtin_impls[builtins] != NULL)
        builtins++;
    if (builtins + 2 + COUNT(bug_cases) > MAX_TESTS) {
        fprintf(stderr, "test_check: %d tests; MAX_TESTS (%d) needs raising\n",
                builtins + 2 + COUNT(bug_cases), MAX_TESTS);
        return 1;
    }
    for (int i = 0; i < builtins; i++, n++) {
        snprintf(names[n], sizeof names[n], "%s passes the grid", attn_builtin_impls[i]->name);
        tests[n] = (struct CMUnitTest){.name = names[n], .test_func = test_honest_grid,
                                       .initial_state = (void *)attn_builtin_impls[i]};
    }
    tests[n++] = (struct CMUnitTest){.name = "bug_honest passes the grid",
                                     .test_func = test_honest_grid,
                                     .initial_state = (void *)&bug_honest};
    tests[n++] = (struct CMUnitTest){.name = "every bug has a case",
                                     .test_func = test_every_bug_has_a_case};
    for (int x = 0; x < COUNT(bug_cases); x++)
        tests[n++] = (struct CMUnitTest){.name = bug_cases[x].impl->name,
                                         .test_func = test_bug_fails,
                                         .initial_state = (void *)&bug_cases[x]};
    return _cmocka_run_group_tests("tests", tests, (size_t)n, NULL, NULL);
}
