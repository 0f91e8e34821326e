/* test_case.h: one float32 case in-process, for the checker's tests: the problem's inputs and
 * reference, the implementation's prepare, run and release, and the checker's verdict under
 * the default [check] settings. */
#ifndef TEST_CASE_H
#define TEST_CASE_H

#include "test_refbuf.h"
#include "test_util.h"

#include "check.h"
#include "config.h"
#include "gen.h"

typedef struct test_outcome {
    check_result res;   /* the checker's verdict on the output */
    int q_modified;     /* q's hash changed across run() */
} test_outcome;

/* The tolerance a run without a [check] section uses. */
static inline check_tol test_default_tol(void)
{
    cfg c;
    cfg_defaults(&c);
    return (check_tol){.factor = c.tol_factor, .abs_floor = c.abs_floor};
}

static inline void test_run_case(const attn_impl *impl, const attn_problem *p, uint64_t seed,
                                 int dist, test_outcome *out)
{
    gen_sizes n = gen_sizes_of(p);
    float *q = malloc(sizeof(float) * (n.q + 1)), *k = malloc(sizeof(float) * (n.k + 1));
    float *v = malloc(sizeof(float) * (n.v + 1)), *o = malloc(sizeof(float) * (n.o + 1));
    ref_out ref;
    void *state = NULL;
    char why[256] = "";

    assert_int_equal(test_ref_alloc(&ref, p), 0);
    assert_true(q && k && v && o);
    gen_inputs(p, seed, dist, 0, q, k, v);
    /* All-ones bytes are NaN: an element the kernel never writes cannot pass by luck. */
    memset(o, 0xff, sizeof(float) * n.o);
    uint64_t q_hash = gen_hash(q, sizeof(float) * n.q);

    assert_int_equal(ref_compute(p, q, k, v, &ref, 1), 0);
    if (impl->prepare(p, &state, why, sizeof why) != 0)
        fail_msg("%s: prepare failed: %s", impl->name, why);
    assert_int_equal(impl->run(state, q, k, v, o), 0);
    impl->release(state);

    out->q_modified = gen_hash(q, sizeof(float) * n.q) != q_hash;
    check_tol tol = test_default_tol();
    check_output(p, o, &ref, &tol, &out->res);

    free(q);
    free(k);
    free(v);
    free(o);
    test_ref_free(&ref);
}

#endif
