/* test_variants.c: DESIGN's masks and score variants through the checker. Every built-in that
 * declares what a problem needs, and two honest kernels of the tests' own, must pass a grid of
 * windows, both alignments, ragged key lengths, softcap, ALiBi and d_v != d (and all of them at
 * once); each variant bug (variant_impls.h) must fail where its defect shows and pass where it
 * cannot, so the failure is the defect's. */
#include "test_case.h"

#include "avx512_here.h"
#include "caps.h"
#include "registry.h"
#include "sweep.h"
#include "variant_impls.h"

#include <math.h>

enum { SEED = 42, MAX_BATCH = 8, MAX_HEADS = 16 };

/* An honest kernel stays this far inside its tolerance (as in test_check.c). */
static const double honest_margin = 0.5;

typedef struct vshape {
    int batch, heads, kv_heads, seq_q, seq_kv, d, dv;
    int wl, wr, top_left;   /* window edges (-1 unbounded; wr 0 causal) and alignment */
    int ragged;             /* key lengths: gen_kv_lens's, with entry 0 cut to 1 key */
    float softcap;
    int alibi;
} vshape;

/* The problem of shape s; its key lengths and slopes in lens and slopes. */
static attn_problem make_problem(const vshape *s, int *lens, float *slopes)
{
    attn_problem p = {.batch = s->batch, .heads = s->heads, .kv_heads = s->kv_heads,
                      .seq_q = s->seq_q, .seq_kv = s->seq_kv, .head_dim = s->d,
                      .causal = s->wr == 0, .scale = (float)(1.0 / sqrt((double)s->d)),
                      .threads = 1};
    sweep_neutral_fields(&p);
    p.head_dim_v = s->dv;
    p.window_left = s->wl;
    p.window_right = s->wr;
    p.top_left = s->top_left;
    p.softcap = s->softcap;
    assert_true(s->batch <= MAX_BATCH && s->heads <= MAX_HEADS);
    if (s->ragged) {
        gen_kv_lens(SEED, s->batch, s->seq_kv, lens);
        lens[0] = 1;
        p.kv_len = lens;
    }
    if (s->alibi) {
        gen_alibi_slopes(s->heads, slopes);
        p.alibi = slopes;
    }
    return p;
}

static void describe(const attn_impl *impl, const vshape *s, int dist, char *out, size_t len)
{
    snprintf(out, len, "%s b%d h%d/%d q%d kv%d d%d dv%d win%d:%d%s%s cap%g%s %s", impl->name,
             s->batch, s->heads, s->kv_heads, s->seq_q, s->seq_kv, s->d, s->dv, s->wl, s->wr,
             s->top_left ? " top_left" : "", s->ragged ? " ragged" : "", (double)s->softcap,
             s->alibi ? " alibi" : "", cfg_dist_name(dist));
}

/* Runs s under dist: 0, or -1 when impl does not declare what s needs (why in why). */
static int run_shape(const attn_impl *impl, const vshape *s, int dist, test_outcome *out,
                     char *why, size_t why_len)
{
    int lens[MAX_BATCH];
    float slopes[MAX_HEADS];
    attn_problem p = make_problem(s, lens, slopes);
    caps_gap(impl->caps, &p, 1, why, why_len);
    if (why[0] != '\0')
        return -1;
    test_run_case(impl, &p, SEED, dist, out);
    return 0;
}

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The grid: each variant alone on the shapes that stress it, then together. */
static const vshape grid[] = {
    /* the causal diagonal in both alignments, seq_q below and above seq_kv (rows that see no
     * key: bottom-right with seq_q > seq_kv, top-left's rows past seq_kv never) */
    {1, 2, 2, 33, 130, 24, 24, -1, 0, 0, 0, 0, 0},
    {1, 2, 2, 33, 130, 24, 24, -1, 0, 1, 0, 0, 0},
    {1, 2, 2, 130, 33, 24, 24, -1, 0, 0, 0, 0, 0},
    {1, 2, 2, 130, 33, 24, 24, -1, 0, 1, 0, 0, 0},
    /* sliding windows: causal, two-sided, wider than the sequence, of width 0, top-left */
    {1, 2, 2, 130, 130, 24, 24, 4, 0, 0, 0, 0, 0},
    {1, 2, 1, 130, 130, 24, 24, 4, 3, 0, 0, 0, 0},
    {1, 2, 2, 130, 130, 24, 24, 500, 0, 0, 0, 0, 0},
    {1, 2, 2, 130, 130, 24, 24, 0, 0, 0, 0, 0, 0},
    {1, 2, 2, 33, 130, 24, 24, 8, 0, 1, 0, 0, 0},
    {1, 2, 2, 33, 130, 24, 24, 8, 2, 0, 0, 0, 0},
    /* ragged key lengths (one of 1 key), alone and under the mask */
    {3, 2, 1, 37, 130, 24, 24, -1, -1, 0, 1, 0, 0},
    {3, 2, 1, 130, 130, 24, 24, -1, 0, 0, 1, 0, 0},
    {3, 2, 2, 33, 130, 24, 24, 16, 0, 1, 1, 0, 0},
    /* softcap: unmasked, causal, a cap below the scores' size */
    {1, 2, 2, 64, 64, 24, 24, -1, -1, 0, 0, 5, 0},
    {1, 2, 2, 64, 130, 24, 24, -1, 0, 0, 0, 5, 0},
    {1, 2, 2, 64, 64, 24, 24, -1, 0, 0, 0, 0.5f, 0},
    /* ALiBi on 6 heads (not a power of two), unmasked, causal, in a window */
    {1, 6, 2, 64, 64, 24, 24, -1, -1, 0, 0, 0, 1},
    {1, 6, 2, 33, 130, 24, 24, -1, 0, 1, 0, 0, 1},
    {1, 8, 8, 64, 64, 24, 24, 16, 0, 0, 0, 0, 1},
    /* d_v != d: wider, 1, narrower, MLA's 576 and 512 */
    {1, 2, 2, 64, 64, 24, 40, -1, -1, 0, 0, 0, 0},
    {1, 4, 2, 64, 64, 24, 1, -1, 0, 0, 0, 0, 0},
    {1, 2, 2, 33, 64, 40, 24, -1, 0, 0, 0, 0, 0},
    {1, 2, 1, 20, 20, 576, 512, -1, 0, 0, 0, 0, 0},
    /* all of them at once */
    {3, 6, 2, 37, 130, 24, 40, 16, 0, 1, 1, 5, 1},
    {2, 4, 4, 130, 64, 40, 24, 32, 4, 0, 1, 2, 1},
};

static void test_honest(void **state)
{
    const attn_impl *impl = *state;
    const int dists[] = {DIST_NORMAL, DIST_LARGE};
    int failures = 0, ran = 0, undeclared = 0;
    char why[160], first_why[160] = "", what[200];

    if (impl->available != NULL && impl->available(why, sizeof why) != 0) {
        print_message("%s is unavailable here: %s\n", impl->name, why);
        skip();
    }
    for (int di = 0; di < COUNT(dists); di++) {
        double worst = 0;
        for (int x = 0; x < COUNT(grid); x++) {
            test_outcome out;
            if (run_shape(impl, &grid[x], dists[di], &out, why, sizeof why) != 0) {
                if (undeclared++ == 0)
                    snprintf(first_why, sizeof first_why, "%s", why);
                continue;
            }
            ran++;
            worst = fmax(worst, out.res.worst_ratio);
            if (!out.res.pass || out.res.worst_ratio >= honest_margin) {
                describe(impl, &grid[x], dists[di], what, sizeof what);
                print_message("%s: %s, worst ratio %.3g (margin %.2g): %s\n", what,
                              out.res.pass ? "PASS" : "FAIL", out.res.worst_ratio,
                              honest_margin, out.res.reason);
                failures++;
            }
        }
        print_message("%-24s %-6s worst ratio %.3g\n", impl->name, cfg_dist_name(dists[di]),
                      worst);
    }
    /* What it does not declare is SKIP in a run, not a pass: said, not hidden. */
    print_message("%-24s %d problems run, %d not declared%s%s\n", impl->name, ran, undeclared,
                  undeclared ? ", the first: " : "", first_why);
    assert_int_equal(failures, 0);
}

/* A bug, a problem that exposes it, and one where the defect cannot show. */
typedef struct bug_case {
    const attn_impl *impl;
    vshape exposed, quiet;
} bug_case;

static const bug_case bug_cases[] = {
    /* seq_q = seq_kv puts both alignments' diagonals at i */
    {&variant_align_flipped, {1, 2, 2, 33, 130, 24, 24, -1, 0, 1, 0, 0, 0},
     {1, 2, 2, 64, 64, 24, 24, 8, 0, 0, 0, 0, 0}},
    /* without a left edge there is nothing to widen */
    {&variant_window_wide, {1, 2, 2, 130, 130, 24, 24, 4, 0, 0, 0, 0, 0},
     {1, 2, 2, 130, 130, 24, 24, -1, 0, 0, 0, 0, 0}},
    /* a window wider than the sequence, one key narrower, still is */
    {&variant_window_narrow, {1, 2, 2, 130, 130, 24, 24, 4, 0, 0, 0, 0, 0},
     {1, 2, 2, 130, 130, 24, 24, 500, 0, 0, 0, 0, 0}},
    /* without kv_len every key is in */
    {&variant_ragged_plus_one, {3, 2, 1, 37, 130, 24, 24, -1, -1, 0, 1, 0, 0},
     {3, 2, 1, 37, 130, 24, 24, -1, -1, 0, 0, 0, 0}},
    /* without a mask no key is hidden, so none comes back */
    {&variant_cap_after_mask, {1, 2, 2, 64, 130, 24, 24, -1, 0, 0, 0, 5, 0},
     {1, 2, 2, 64, 130, 24, 24, -1, -1, 0, 0, 5, 0}},
    {&variant_alibi_sign, {1, 6, 2, 64, 64, 24, 24, -1, 0, 0, 0, 0, 1},
     {1, 6, 2, 64, 64, 24, 24, -1, 0, 0, 0, 0, 0}},
    /* one head has only its own slope */
    {&variant_alibi_heads, {1, 6, 2, 64, 64, 24, 24, -1, 0, 0, 0, 0, 1},
     {1, 1, 1, 64, 64, 24, 24, -1, 0, 0, 0, 0, 1}},
    /* with d_v = d the strides agree */
    {&variant_v_stride_d, {1, 2, 2, 64, 64, 24, 40, -1, -1, 0, 0, 0, 0},
     {1, 2, 2, 64, 64, 40, 40, -1, -1, 0, 0, 0, 0}},
};

static void test_bug(void **state)
{
    const bug_case *bc = *state;
    test_outcome out;
    char why[160], what[200];

    assert_int_equal(run_shape(bc->impl, &bc->exposed, DIST_NORMAL, &out, why, sizeof why), 0);
    describe(bc->impl, &bc->exposed, DIST_NORMAL, what, sizeof what);
    print_message("%-72s worst ratio %.3g\n", what, out.res.worst_ratio);
    if (out.res.pass)
        fail_msg("%s passed the checker (worst ratio %.3g)", what, out.res.worst_ratio);
    assert_int_equal(run_shape(bc->impl, &bc->quiet, DIST_NORMAL, &out, why, sizeof why), 0);
    describe(bc->impl, &bc->quiet, DIST_NORMAL, what, sizeof what);
    if (!out.res.pass)
        fail_msg("%s failed where its defect cannot show: %s", what, out.res.reason);
}

/* A bug added to variant_bugs_all without a case here would go untested. */
static void test_every_bug_has_a_case(void **state)
{
    (void)state;
    for (const attn_impl *const *b = variant_bugs_all; *b != NULL; b++) {
        int found = 0;
        for (int x = 0; x < COUNT(bug_cases); x++)
            found |= bug_cases[x].impl == *b;
        if (!found)
            fail_msg("%s has no case in bug_cases", (*b)->name);
    }
}

int main(void)
{
    enum { MAX_TESTS = 48 };
    static char names[MAX_TESTS][80];
    struct CMUnitTest tests[MAX_TESTS];
    int n = 0;
    const attn_impl *honest[MAX_TESTS];
    int n_honest = 0;
    static impls_set set;
    for (int i = 0; attn_builtin_impls[i] != NULL && n_honest < MAX_TESTS / 2; i++)
        honest[n_honest++] = attn_builtin_impls[i] == &attn_impl_avx512
                                 ? avx512_here(&set)   /* emulated where it cannot run */
                                 : attn_builtin_impls[i];
    honest[n_honest++] = &variant_plain;
    honest[n_honest++] = &variant_online;
    for (int i = 0; i < n_honest; i++, n++) {
        snprintf(names[n], sizeof names[n], "%s passes the variant grid", honest[i]->name);
        tests[n] = (struct CMUnitTest){.name = names[n], .test_func = test_honest,
                                       .initial_state = (void *)honest[i]};
    }
    tests[n++] = (struct CMUnitTest){.name = "every variant bug has a case",
                                     .test_func = test_every_bug_has_a_case};
    for (int x = 0; x < COUNT(bug_cases) && n < MAX_TESTS; x++)
        tests[n++] = (struct CMUnitTest){.name = bug_cases[x].impl->name, .test_func = test_bug,
                                         .initial_state = (void *)&bug_cases[x]};
    return _cmocka_run_group_tests("variants", tests, (size_t)n, NULL, NULL);
}
