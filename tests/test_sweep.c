/* test_sweep.c: sweep expansion: the cartesian product, seq_len versus seq_q/seq_kv, kv_heads
 * combinations left out and counted, "all", unknown names, and the exact causal pair count. */
#include "test_util.h"

#include "sweep.h"

#include <math.h>

static void base(cfg *c)
{
    char err[CFG_ERR_LEN];
    cfg_defaults(c);
    assert_int_equal(cfg_apply_set(c, "seq_len=16,32", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(c, "head_dim=8", err, sizeof err), 0);
}

static void test_product(void **st)
{
    (void)st;
    cfg c;
    impls_set set;
    sweep s;
    char err[1024];
    base(&c);
    assert_int_equal(cfg_apply_set(&c, "heads=4,6", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "kv_heads=1,2,3,4", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "causal=false,true", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "threads=1,2", err, sizeof err), 0);
    set_init(&set);
    assert_int_equal(sweep_build(&c, &set, &s, err, sizeof err), 0);
    /* heads 4: kv 1,2,4 divide, 3 does not; heads 6: kv 1,2,3 divide, 4 does not. */
    assert_int_equal(s.n_excluded, 2 * 2 * 2);  /* 2 bad pairs x 2 seq x 2 causal */
    assert_int_equal(s.n_problems, 6 * 2 * 2);
    assert_int_equal(s.n_cases, s.n_problems * 2 * set.n);
    assert_contains(s.excluded_example, "does not divide");
    for (int i = 0; i < s.n_problems; i++) {
        const attn_problem *p = &s.problems[i].p;
        assert_int_equal(p->heads % p->kv_heads, 0);
        assert_int_equal(p->seq_q, p->seq_kv);
        assert_true(p->scale == (float)(1.0 / sqrt(8.0)));   /* scale = auto */
    }
    sweep_free(&s);
}

static void test_cross_shapes(void **st)
{
    (void)st;
    cfg c;
    impls_set set;
    sweep s;
    char err[1024];
    base(&c);
    assert_int_equal(cfg_apply_set(&c, "seq_q=1,7", err, sizeof err), 0);
    set_init(&set);
    assert_int_equal(sweep_build(&c, &set, &s, err, sizeof err), 0);
    /* seq_q replaces seq_len's query side; seq_kv keeps seq_len's list: 2 x 2 pairs. */
    assert_int_equal(s.n_problems, 4);
    assert_int_equal(s.problems[0].p.seq_q, 1);
    assert_int_equal(s.problems[0].p.seq_kv, 16);
    assert_int_equal(s.problems[3].p.seq_q, 7);
    assert_int_equal(s.problems[3].p.seq_kv, 32);
    sweep_free(&s);
}

static void test_unknown_impl(void **st)
{
    (void)st;
    cfg c;
    impls_set set;
    sweep s;
    char err[1024];
    base(&c);
    assert_int_equal(cfg_apply_set(&c, "impls=naive,nosuch", err, sizeof err), 0);
    set_init(&set);
    assert_int_equal(sweep_build(&c, &set, &s, err, sizeof err), 2);
    assert_contains(err, "no implementation 'nosuch' (known: naive");
}

static void test_causal_pairs(void **st)
{
    (void)st;
    attn_problem p = {.batch = 2, .heads = 3, .kv_heads = 3, .seq_q = 4, .seq_kv = 4,
                      .head_dim = 5, .causal = 1};
    /* 1 + 2 + 3 + 4 = 10 visible pairs per head. */
    assert_true(sweep_flops(&p) == 4.0 * 5 * 2 * 3 * 10);
    p.seq_q = 6;    /* rows 0 and 1 see nothing; then 1, 2, 3, 4 */
    assert_true(sweep_flops(&p) == 4.0 * 5 * 2 * 3 * 10);
    p.seq_q = 2;    /* decode-like: rows see 3 and 4 keys */
    assert_true(sweep_flops(&p) == 4.0 * 5 * 2 * 3 * 7);
    p.causal = 0;
    assert_true(sweep_flops(&p) == 4.0 * 5 * 2 * 3 * 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_product),
        cmocka_unit_test(test_cross_shapes),
        cmocka_unit_test(test_unknown_impl),
        cmocka_unit_test(test_causal_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
