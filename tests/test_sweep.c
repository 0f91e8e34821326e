/* test_sweep.c: sweep expansion: the cartesian product, seq_len versus seq_q/seq_kv, kv_heads
 * combinations left out and counted, "all", unknown names, and the exact causal pair count; the
 * deal to shards: every case in exactly one shard, a problem's cases together, the same deal
 * every time, balanced within LPT's bound, and I/N out of range refused. */
#include "test_util.h"

#include "gen.h"
#include "sweep.h"
#include "sweep_shard.h"

#include <string.h>

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
    assert_contains(err, "--set impls=naive,nosuch: [sweep] impls: no implementation 'nosuch' "
                         "(known: naive");
    /* The --set is quoted escaped: a control byte inside the list (each entry is trimmed, the
     * text as typed is not) reaches no terminal raw. */
    base(&c);
    assert_int_equal(cfg_apply_set(&c, "impls=naive,\rnosuch", err, sizeof err), 0);
    assert_int_equal(sweep_build(&c, &set, &s, err, sizeof err), 2);
    assert_contains(err, "--set impls=naive,\\x0dnosuch: [sweep] impls");
}

static void test_causal_pairs(void **st)
{
    (void)st;
    attn_problem p = {.batch = 2, .heads = 3, .kv_heads = 3, .seq_q = 4, .seq_kv = 4,
                      .head_dim = 5, .causal = 1};
    sweep_neutral_fields(&p);
    /* 1 + 2 + 3 + 4 = 10 visible pairs per head. */
    assert_true(sweep_flops(&p) == 4.0 * 5 * 2 * 3 * 10);
    p.seq_q = 6;    /* rows 0 and 1 see nothing; then 1, 2, 3, 4 */
    assert_true(sweep_flops(&p) == 4.0 * 5 * 2 * 3 * 10);
    p.seq_q = 2;    /* decode-like: rows see 3 and 4 keys */
    assert_true(sweep_flops(&p) == 4.0 * 5 * 2 * 3 * 7);
    p.causal = 0;
    sweep_neutral_fields(&p);   /* window_right follows causal */
    assert_true(sweep_flops(&p) == 4.0 * 5 * 2 * 3 * 8);
    /* A causal window of 2 keys back over 8 x 8: rows see 1, 2, then 3 keys: 21 pairs. */
    p.seq_q = p.seq_kv = 8;
    p.causal = 1;
    p.window_right = 0;
    p.window_left = 2;
    assert_true(sweep_flops(&p) == 4.0 * 5 * 2 * 3 * 21);
    /* d_v = 3: 2 (d + d_v) H per pair. */
    p.head_dim_v = 3;
    assert_true(sweep_flops(&p) == 2.0 * (5 + 3) * 3 * 2 * 21);
    /* Ragged: batch 0 sees 2 keys, batch 1 all 8; causal, unbounded on the left: batch 0's
     * rows see 1, 2, 2, 2, ... (8 rows: 15 pairs), batch 1's 1 to 8 (36). */
    static const int lens[2] = {2, 8};
    p.kv_len = lens;
    p.window_left = -1;
    assert_true(sweep_flops(&p) == 2.0 * (5 + 3) * 3 * (15 + 36));
}

/* head_dim_v, kv_len, softcap and alibi in the product; kv_len and alibi pointing at the
 * generator's lengths and slopes; ragged with batch 1 left out beside full. */
static void test_variant_keys(void **st)
{
    (void)st;
    cfg c;
    impls_set set;
    sweep s;
    char err[1024];
    base(&c);   /* seq_len 16, 32 */
    assert_int_equal(cfg_apply_set(&c, "batch=1,3", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "heads=6", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "head_dim_v=8,24", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "kv_len=full,ragged", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "softcap=0,30,2.5", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "alibi=false,true", err, sizeof err), 0);
    assert_int_equal(cfg_finish(&c, err, sizeof err), 0);
    set_init(&set);
    assert_int_equal(sweep_build(&c, &set, &s, err, sizeof err), 0);
    /* 2 batches x 2 lengths x 2 d_v x 2 kv_len x 3 caps x 2 alibi, less ragged at batch 1. */
    assert_int_equal(s.n_excluded, 2 * 2 * 3 * 2);
    assert_int_equal(s.n_problems, 2 * 2 * 2 * 2 * 3 * 2 - s.n_excluded);
    assert_contains(s.excluded_example, "kv_len = ragged is full when batch = 1");
    int ragged = 0, alibi = 0, caps = 0, wide = 0;
    for (int i = 0; i < s.n_problems; i++) {
        const attn_problem *p = &s.problems[i].p;
        if (p->kv_len != NULL) {
            int want[3];
            assert_int_equal(p->batch, 3);
            gen_kv_lens(c.seed, 3, p->seq_kv, want);
            assert_memory_equal(p->kv_len, want, sizeof want);
            ragged++;
        }
        if (p->alibi != NULL) {
            float want[6];
            gen_alibi_slopes(6, want);
            assert_memory_equal(p->alibi, want, sizeof want);
            alibi++;
        }
        caps += p->softcap == 2.5f;
        wide += p->head_dim_v == 24;
    }
    assert_int_equal(ragged, 2 * 2 * 3 * 2);   /* batch 3's: 2 lengths x 2 d_v x 3 x 2 */
    assert_int_equal(alibi, s.n_problems / 2);
    assert_int_equal(caps, s.n_problems / 3);
    assert_int_equal(wide, s.n_problems / 2);
    sweep_free(&s);

    /* Without head_dim_v, d_v follows each head_dim. */
    base(&c);
    assert_int_equal(sweep_build(&c, &set, &s, err, sizeof err), 0);
    for (int i = 0; i < s.n_problems; i++)
        assert_int_equal(s.problems[i].p.head_dim_v, s.problems[i].p.head_dim);
    sweep_free(&s);
}

/* The mask keys: window_right's list and causal = true are one setting given twice (refused);
 * top_left beside bottom_right on a square shape is one problem (left out, counted). */
static void test_mask_keys(void **st)
{
    (void)st;
    cfg c;
    impls_set set;
    sweep s;
    char err[1024];
    base(&c);
    assert_int_equal(cfg_apply_set(&c, "causal=true", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "window_right=4", err, sizeof err), 0);
    assert_int_equal(cfg_finish(&c, err, sizeof err), 2);
    assert_contains(err, "causal = true is window_right = 0");

    base(&c);
    assert_int_equal(cfg_apply_set(&c, "window_right=-1,0,4", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "window_left=-1,3", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "align=bottom_right,top_left", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "seq_q=7", err, sizeof err), 0);
    assert_int_equal(cfg_finish(&c, err, sizeof err), 0);
    set_init(&set);
    assert_int_equal(sweep_build(&c, &set, &s, err, sizeof err), 0);
    /* seq_q 7 against seq_kv 16 and 32: 2 shapes x 3 right edges x 2 left x 2 alignments, but
     * for top_left without any mask (the same problem as bottom_right). */
    assert_int_equal(s.n_problems, 2 * (3 * 2 * 2 - 1));
    assert_int_equal(s.n_excluded, 2);
    assert_contains(s.excluded_example, "top_left is bottom_right without a mask");
    int causal = 0;
    for (int i = 0; i < s.n_problems; i++) {
        const attn_problem *p = &s.problems[i].p;
        assert_int_equal(p->causal, p->window_right == 0);
        causal += p->causal;
    }
    assert_int_equal(causal, 2 * 2 * 2);
    sweep_free(&s);

    base(&c);   /* seq_len 16, 32: square, causal */
    assert_int_equal(cfg_apply_set(&c, "align=bottom_right,top_left", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "causal=true", err, sizeof err), 0);
    assert_int_equal(sweep_build(&c, &set, &s, err, sizeof err), 0);
    assert_int_equal(s.n_problems, 2);
    assert_int_equal(s.n_excluded, 2);
    assert_contains(s.excluded_example, "top_left is bottom_right when seq_q = seq_kv");
    sweep_free(&s);
}

/* A sweep of problems of very different costs (seq_len 1 to 512, causal or not, two dims). */
static void build_uneven(sweep *s, impls_set *set)
{
    cfg c;
    char err[1024];
    cfg_defaults(&c);
    assert_int_equal(cfg_apply_set(&c, "seq_len=1,7,64,130,512", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "head_dim=8,64", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "causal=false,true", err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "threads=1,2", err, sizeof err), 0);
    set_init(set);
    assert_int_equal(sweep_build(&c, set, s, err, sizeof err), 0);
}

/* The same case: implementation, threads, cache and problem. */
static int same_case(const sweep *a, int i, const sweep *b, int j)
{
    const sweep_case *x = &a->cases[i], *y = &b->cases[j];
    const attn_problem *p = &a->problems[x->problem].p, *q = &b->problems[y->problem].p;
    return x->impl == y->impl && x->threads == y->threads && x->cold == y->cold &&
           p->seq_q == q->seq_q && p->seq_kv == q->seq_kv && p->head_dim == q->head_dim &&
           p->causal == q->causal && p->heads == q->heads && p->batch == q->batch;
}

static void test_shards_partition(void **st)
{
    (void)st;
    enum { N = 3 };
    impls_set set;
    sweep whole, part[N];
    char err[256];
    build_uneven(&whole, &set);
    int *seen = calloc((size_t)whole.n_cases, sizeof *seen);
    double load[N] = {0}, total = 0, biggest = 0;
    for (int k = 0; k < N; k++) {
        build_uneven(&part[k], &set);
        assert_string_equal(part[k].id, whole.id);     /* the whole sweep's identity */
        assert_int_equal(sweep_shard(&part[k], k, N, err, sizeof err), 0);
        assert_int_equal(part[k].whole_cases, whole.n_cases);
        assert_int_equal(part[k].n_shards, N);
        assert_true(part[k].n_cases > 0);
        for (int pi = 0; pi < part[k].n_problems; pi++) {
            const sweep_problem *sp = &part[k].problems[pi];
            /* A problem keeps all its cases, contiguous and pointing back at it. */
            assert_int_equal(sp->n_cases, whole.problems[0].n_cases);
            for (int ci = sp->first_case; ci < sp->first_case + sp->n_cases; ci++)
                assert_int_equal(part[k].cases[ci].problem, pi);
            double cost = (sp->n_cases + 1) * sweep_weight(&whole, sweep_flops(&sp->p));
            load[k] += cost;
            biggest = cost > biggest ? cost : biggest;
        }
        for (int ci = 0; ci < part[k].n_cases; ci++) {
            int found = 0;
            for (int w = 0; w < whole.n_cases; w++)
                if (same_case(&part[k], ci, &whole, w)) {
                    seen[w]++;
                    found++;
                }
            assert_int_equal(found, 1);
        }
        total += load[k];
    }
    for (int w = 0; w < whole.n_cases; w++)
        assert_int_equal(seen[w], 1);              /* every case in exactly one shard */
    /* Longest-processing-time-first: no shard above 4/3 of the best deal's largest, which is
     * at least the mean and at least the costliest problem. */
    double best = total / N > biggest ? total / N : biggest;
    for (int k = 0; k < N; k++)
        assert_true(load[k] <= 4.0 / 3.0 * best);
    /* The same deal again. */
    sweep again;
    build_uneven(&again, &set);
    assert_int_equal(sweep_shard(&again, 1, N, err, sizeof err), 0);
    assert_int_equal(again.n_cases, part[1].n_cases);
    for (int ci = 0; ci < again.n_cases; ci++)
        assert_true(same_case(&again, ci, &part[1], ci));
    sweep_free(&again);
    for (int k = 0; k < N; k++)
        sweep_free(&part[k]);
    sweep_free(&whole);
    free(seen);
}

static void test_shard_refusals(void **st)
{
    (void)st;
    impls_set set;
    sweep s;
    char err[256];
    build_uneven(&s, &set);
    assert_int_equal(sweep_shard(&s, 3, 3, err, sizeof err), 2);
    assert_contains(err, "--shard 3/3");
    assert_int_equal(sweep_shard(&s, -1, 3, err, sizeof err), 2);
    assert_int_equal(sweep_shard(&s, 0, s.n_problems + 1, err, sizeof err), 2);
    assert_contains(err, "use at most");
    sweep_free(&s);

    /* Another seed is another sweep. */
    cfg c;
    sweep a, b;
    cfg_defaults(&c);
    set_init(&set);
    assert_int_equal(sweep_build(&c, &set, &a, err, sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "seed=7", err, sizeof err), 0);
    assert_int_equal(sweep_build(&c, &set, &b, err, sizeof err), 0);
    assert_true(strcmp(a.id, b.id) != 0);
    sweep_free(&a);
    sweep_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_product),
        cmocka_unit_test(test_cross_shapes),
        cmocka_unit_test(test_unknown_impl),
        cmocka_unit_test(test_causal_pairs),
        cmocka_unit_test(test_mask_keys),
        cmocka_unit_test(test_variant_keys),
        cmocka_unit_test(test_shards_partition),
        cmocka_unit_test(test_shard_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
