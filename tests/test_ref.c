/* test_ref.c: the reference on cases computable by hand (one key gives V; equal scores give the
 * mean of V; rows that see no key give 0), the keys each row sees under every mask (windows,
 * both alignments, kv_len) worked out by hand, and the dgemm route against the plain loops
 * under each mask. */
#include "test_refbuf.h"
#include "test_util.h"

#include "config.h"
#include "gen.h"
#include "ref.h"
#include "sweep.h"

#include <math.h>

typedef struct bufs {
    float *q, *k, *v;
    ref_out r;
} bufs;

static void alloc(bufs *b, const attn_problem *p)
{
    gen_sizes n = gen_sizes_of(p);
    b->q = calloc(n.q, sizeof(float));
    b->k = calloc(n.k, sizeof(float));
    b->v = calloc(n.v, sizeof(float));
    assert_true(b->q && b->k && b->v);
    assert_int_equal(test_ref_alloc(&b->r, p), 0);
}

static void release(bufs *b)
{
    free(b->q);
    free(b->k);
    free(b->v);
    test_ref_free(&b->r);
}

static void test_one_key_gives_v(void **st)
{
    (void)st;
    attn_problem p = {.batch = 1, .heads = 2, .kv_heads = 1, .seq_q = 3,
                      .seq_kv = 1, .head_dim = 4, .causal = 0, .scale = 0.5f, .threads = 1};
    sweep_neutral_fields(&p);
    bufs b;
    alloc(&b, &p);
    gen_fill(b.q, 2 * 3 * 4, 1, GEN_TENSOR_Q, DIST_NORMAL);
    gen_fill(b.k, 4, 1, GEN_TENSOR_K, DIST_NORMAL);
    gen_fill(b.v, 4, 1, GEN_TENSOR_V, DIST_NORMAL);
    ref_plain(&p, b.q, b.k, b.v, &b.r);
    for (int x = 0; x < 2 * 3 * 4; x++) {
        assert_true(b.r.o[x] == (double)b.v[x % 4]);
        assert_true(b.r.mag[x] == fabs((double)b.v[x % 4]));
    }
    release(&b);
}

static void test_equal_scores_give_mean(void **st)
{
    (void)st;
    /* q = 0 makes every score 0: the output is the plain mean of the visible V rows. */
    attn_problem p = {.batch = 1, .heads = 1, .kv_heads = 1, .seq_q = 4,
                      .seq_kv = 4, .head_dim = 2, .causal = 1, .scale = 1.0f, .threads = 1};
    sweep_neutral_fields(&p);
    bufs b;
    alloc(&b, &p);
    for (int j = 0; j < 4; j++) {
        b.v[j * 2] = (float)(j + 1);       /* 1, 2, 3, 4 */
        b.v[j * 2 + 1] = (float)(-2 * j);  /* 0, -2, -4, -6 */
    }
    ref_plain(&p, b.q, b.k, b.v, &b.r);
    /* Causal: row i averages rows 0..i. */
    static const double want0[] = {1, 1.5, 2, 2.5}, want1[] = {0, -1, -2, -3};
    for (int i = 0; i < 4; i++) {
        assert_true(fabs(b.r.o[i * 2] - want0[i]) < 1e-15);
        assert_true(fabs(b.r.o[i * 2 + 1] - want1[i]) < 1e-15);
    }
    release(&b);
}

static void test_masked_rows_give_zero(void **st)
{
    (void)st;
    /* seq_q 5 > seq_kv 2 with causal: query i sees keys j <= i - 3, so rows 0..2 see none. */
    attn_problem p = {.batch = 1, .heads = 1, .kv_heads = 1, .seq_q = 5,
                      .seq_kv = 2, .head_dim = 3, .causal = 1, .scale = 0.7f, .threads = 1};
    sweep_neutral_fields(&p);
    bufs b;
    alloc(&b, &p);
    gen_fill(b.q, 15, 3, GEN_TENSOR_Q, DIST_NORMAL);
    gen_fill(b.k, 6, 3, GEN_TENSOR_K, DIST_NORMAL);
    gen_fill(b.v, 6, 3, GEN_TENSOR_V, DIST_NORMAL);
    ref_plain(&p, b.q, b.k, b.v, &b.r);
    for (int x = 0; x < 9; x++)
        assert_true(b.r.o[x] == 0.0);
    for (int c = 0; c < 3; c++)     /* row 3 sees key 0 only */
        assert_true(b.r.o[9 + c] == (double)b.v[c]);
    assert_true(b.r.o[12] != 0.0);
    release(&b);
}

/* DESIGN's rule, row by row, on a problem small enough to work out by hand: 3 queries, 5 keys,
 * so the bottom-right diagonal of row i is key i + 2 and the top-left one key i. */
static void test_key_ranges(void **st)
{
    (void)st;
    attn_problem p = {.batch = 2, .heads = 1, .kv_heads = 1, .seq_q = 3, .seq_kv = 5,
                      .head_dim = 1, .scale = 1};
    static const struct {
        int causal, window_left, window_right, top_left;
        int lo[3], hi[3];   /* per row, batch entry 0 */
    } masks[] = {
        {0, -1, -1, 0, {0, 0, 0}, {5, 5, 5}},   /* no mask */
        {1, -1, 0, 0, {0, 0, 0}, {3, 4, 5}},    /* causal, bottom-right: keys <= i + 2 */
        {1, -1, 0, 1, {0, 0, 0}, {1, 2, 3}},    /* causal, top-left: keys <= i */
        {0, 1, 0, 0, {1, 2, 3}, {3, 4, 5}},     /* keys i + 1 and i + 2 */
        {0, 0, 1, 0, {2, 3, 4}, {4, 5, 5}},     /* the diagonal and one after, cut at 5 */
        {0, 1, 1, 1, {0, 0, 1}, {2, 3, 4}},     /* top-left, one each side, cut at 0 */
        {0, 0, 0, 1, {0, 1, 2}, {1, 2, 3}},     /* width 0 on both sides: the diagonal only */
    };
    for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++) {
        p.causal = masks[m].causal;
        p.window_left = masks[m].window_left;
        p.window_right = masks[m].window_right;
        p.top_left = masks[m].top_left;
        for (int i = 0; i < 3; i++) {
            int lo, hi;
            ref_keys(&p, 0, i, &lo, &hi);
            if (lo != masks[m].lo[i] || hi != masks[m].hi[i])
                fail_msg("mask %zu row %d: keys [%d, %d), want [%d, %d)", m, i, lo, hi,
                         masks[m].lo[i], masks[m].hi[i]);
        }
    }
    /* kv_len: batch entry 0 has 2 keys, 1 all 5; with the causal mask, row 2 of entry 0 still
     * sees only 2, and a window left of 0 with 2 keys leaves row 0 (diagonal 2) none. */
    const int kv_len[2] = {2, 5};
    p.kv_len = kv_len;
    p.causal = 1;
    p.window_left = -1;
    p.window_right = 0;
    p.top_left = 0;
    assert_int_equal(ref_visible(&p, 0, 2), 2);
    assert_int_equal(ref_visible(&p, 1, 2), 5);
    p.window_left = 0;
    assert_int_equal(ref_visible(&p, 0, 0), 0);
    assert_int_equal(ref_visible(&p, 1, 0), 1);
}

/* The fast route must agree with the specification to 1e-12 on every awkward shape, under every
 * kind of mask: its blocks of rows span keys that only some of their rows see. */
/* Two heads, one query, three keys, d = 1, q = 1, k = (1, 2, 3), scale 1, softcap 2, ALiBi
 * slopes 0.5 and 0.25, d_v = 2 with v rows (1, -1), (10, -10), (100, -100), bottom-right
 * (diag(0) = 2): head h's scores are 2 tanh(k_j / 2) + slope_h (j - 2), worked here from
 * DESIGN's words, not from ref.c's code. */
static void test_softcap_alibi_dv_by_hand(void **st)
{
    (void)st;
    static const float slopes[2] = {0.5f, 0.25f};
    attn_problem p = {.batch = 1, .heads = 2, .kv_heads = 1, .seq_q = 1, .seq_kv = 3,
                      .head_dim = 1, .causal = 0, .scale = 1.0f, .threads = 1};
    sweep_neutral_fields(&p);
    p.softcap = 2;
    p.alibi = slopes;
    p.head_dim_v = 2;
    bufs b;
    alloc(&b, &p);
    b.q[0] = b.q[1] = 1;
    for (int j = 0; j < 3; j++) {
        b.k[j] = (float)(j + 1);
        b.v[2 * j] = (float)pow(10, j);
        b.v[2 * j + 1] = -(float)pow(10, j);
    }
    for (int route = 0; route < 2; route++) {
        if (route == 0)
            ref_plain(&p, b.q, b.k, b.v, &b.r);
        else
            assert_int_equal(ref_blas(&p, b.q, b.k, b.v, &b.r, 1), 0);
        for (int h = 0; h < 2; h++) {
            double e[3], sum = 0, want = 0;
            for (int j = 0; j < 3; j++) {
                e[j] = exp(2 * tanh((j + 1) / 2.0) + slopes[h] * (j - 2));
                sum += e[j];
            }
            for (int j = 0; j < 3; j++)
                want += e[j] / sum * pow(10, j);
            assert_true(fabs(b.r.o[2 * h] - want) < 1e-12 * want);
            assert_true(fabs(b.r.o[2 * h + 1] + want) < 1e-12 * want);
            /* The farthest visible key is 2 from the diagonal. */
            assert_true(b.r.row_bias[h] == 2 * slopes[h]);
        }
    }
    release(&b);
}

static void test_blas_matches_plain(void **st)
{
    (void)st;
    static const struct { int window_left, window_right, top_left; } masks[] = {
        {-2, -2, 0},   /* the shape's own causal flag */
        {16, 0, 0}, {40, 3, 1}, {0, -1, 0}, {7, 7, 1},
    };
    static const attn_problem shapes[] = {
        {.batch = 2, .heads = 4, .kv_heads = 2, .seq_q = 130,
         .seq_kv = 130, .head_dim = 40, .causal = 1, .scale = 0, .threads = 1},
        {.batch = 1, .heads = 3, .kv_heads = 1, .seq_q = 1,
         .seq_kv = 257, .head_dim = 8, .causal = 0, .scale = 0, .threads = 1},
        {.batch = 1, .heads = 2, .kv_heads = 2, .seq_q = 300,
         .seq_kv = 129, .head_dim = 17, .causal = 1, .scale = 0, .threads = 1},
        {.batch = 2, .heads = 2, .kv_heads = 1, .seq_q = 129,
         .seq_kv = 300, .head_dim = 64, .causal = 1, .scale = 0, .threads = 1},
        {.batch = 1, .heads = 1, .kv_heads = 1, .seq_q = 257,
         .seq_kv = 257, .head_dim = 1, .causal = 0, .scale = 0, .threads = 1},
    };
    int lens[2];
    float slopes[4];
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++)
    for (int extras = 0; extras <= 1; extras++) {
        for (int dist = DIST_NORMAL; dist <= DIST_LARGE; dist++) {
            attn_problem p = shapes[s];
            sweep_neutral_fields(&p);
            if (extras) {   /* every variant at once: a cap, ALiBi, d_v != d, ragged keys */
                p.softcap = 3;
                gen_alibi_slopes(p.heads, slopes);
                p.alibi = slopes;
                p.head_dim_v = p.head_dim + 5;
                gen_kv_lens(7, p.batch, p.seq_kv, lens);
                p.kv_len = lens;
            }
            if (masks[m].window_left != -2) {
                p.window_left = masks[m].window_left;
                p.window_right = masks[m].window_right;
                p.causal = p.window_right == 0;
                p.top_left = masks[m].top_left;
            }
            p.scale = 1.0f / sqrtf((float)p.head_dim);
            bufs a, b;
            alloc(&a, &p);
            alloc(&b, &p);
            gen_sizes n = gen_sizes_of(&p);
            gen_inputs(&p, 9, dist, 0, a.q, a.k, a.v);
            ref_plain(&p, a.q, a.k, a.v, &a.r);
            assert_int_equal(ref_blas(&p, a.q, a.k, a.v, &b.r, 2), 0);
            double worst = 0;
            for (size_t x = 0; x < n.o; x++) {
                double scale = fabs(a.r.mag[x]) > 1 ? fabs(a.r.mag[x]) : 1;
                worst = fmax(worst, fabs(a.r.o[x] - b.r.o[x]) / scale);
                worst = fmax(worst, fabs(a.r.mag[x] - b.r.mag[x]) / scale);
            }
            for (size_t r = 0; r < n.q / (size_t)p.head_dim; r++) {
                worst = fmax(worst, fabs(a.r.row_score[r] - b.r.row_score[r]) /
                                        fmax(1, a.r.row_score[r]));
                worst = fmax(worst, fabs(a.r.row_bias[r] - b.r.row_bias[r]));
            }
            if (worst > 1e-12)
                fail_msg("shape %zu mask %zu extras %d dist %d: plain and dgemm differ by %g",
                         s, m, extras, dist, worst);
            release(&a);
            release(&b);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_key_gives_v),
        cmocka_unit_test(test_equal_scores_give_mean),
        cmocka_unit_test(test_masked_rows_give_zero),
        cmocka_unit_test(test_key_ranges),
        cmocka_unit_test(test_softcap_alibi_dv_by_hand),
        cmocka_unit_test(test_blas_matches_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
