/* openblas: attention composed the way a BLAS user writes it. For a block of query rows,
 * S = scale * Q K^T with one cblas_sgemm over the keys some row sees, the softcap and ALiBi
 * bias where asked, a row softmax that applies the mask, then
 * O = P V with a second cblas_sgemm. Blocks of rows keep S near the cache instead of
 * materialising N_q x N_kv; with GQA the query heads that share a kv head are stacked, so one
 * GEMM serves the whole group. The workspace (a block of S per thread) is reported as is.
 *
 * Threads: Debian's OpenMP build of OpenBLAS is linked (see the Makefile). Inside our OpenMP
 * region its calls run single-threaded, so T threads mean T threads; when there are fewer
 * blocks than threads the blocks run one after another and OpenBLAS itself uses the T.
 *
 * bf16 and f16: Debian's OpenBLAS 0.3.21 is built without its bfloat16 GEMM (the library
 * exports no cblas_sbgemm), so each block's query rows and the keys and values it sees are
 * converted to float32 scratch, the block runs in float32, and its output rows are rounded to
 * the dtype as they are stored. */
#include "attn.h"
#include "exp2_poly.h"
#include "impl_dtype.h"
#include "impl_util.h"
#include "registry.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Rows per block: S for the block within S_BLOCK_BYTES, between MIN_ROWS and MAX_ROWS.
 * 64 rows give a GEMM that packs well; 512 stop gaining; the byte budget is half a Zen 4 L2
 * (budgets from 256 KiB to 8 MiB measured within 12% of each other at seq_len 1024 and 4096). */
enum { MIN_ROWS = 32, MAX_ROWS = 512 };
#define S_BLOCK_BYTES (512u * 1024u)

typedef struct openblas_state {
    attn_problem p;
    int rows;          /* query rows of the stacked group, G * N_q */
    int block;         /* rows per block */
    int blocks;        /* per (batch, kv head) */
    int threads;
    float *s;          /* threads x block x N_kv */
    float *conv;       /* 16-bit dtypes: threads x (block + N_kv) (d + d_v), a block's q and
                          o and its keys and values in float32; NULL in float32 */
} openblas_state;

/* Floats of one thread's conversion scratch. */
static size_t conv_floats(const openblas_state *st)
{
    return ((size_t)st->block + (size_t)st->p.seq_kv) * (size_t)(st->p.head_dim + st->p.head_dim_v);
}

static void openblas_release(void *state)
{
    openblas_state *st = state;
    if (st != NULL) {
        free(st->s);
        free(st->conv);
    }
    free(st);
}

static int openblas_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    openblas_state *st = calloc(1, sizeof *st);
    if (st == NULL) {
        impl_why(why, why_len, "out of memory");
        return 1;
    }
    st->p = *p;
    st->threads = impl_threads(p);
    st->rows = impl_stacked_rows(p);
    long fit = S_BLOCK_BYTES / (sizeof(float) * (size_t)p->seq_kv);
    st->block = fit < MIN_ROWS ? MIN_ROWS : fit > MAX_ROWS ? MAX_ROWS : (int)fit;
    if (st->block > st->rows)
        st->block = st->rows;
    st->blocks = (st->rows + st->block - 1) / st->block;
    st->s = malloc(sizeof(float) * (size_t)st->threads * st->block * p->seq_kv);
    if (p->dtype != ATTN_F32)
        st->conv = malloc(sizeof(float) * (size_t)st->threads * conv_floats(st));
    if (st->s == NULL || (p->dtype != ATTN_F32 && st->conv == NULL)) {
        impl_why(why, why_len, "out of memory for %d score blocks of %d x %d", st->threads,
                 st->block, p->seq_kv);
        openblas_release(st);
        return 1;
    }
    openblas_set_num_threads(st->threads);
    *state = st;
    return 0;
}

/* Softmax of one score row over its entries [c0, c1), in base 2 (log2 e is folded into the
 * scores); the others up to cols become 0 so the P V product ignores them. Returns the row sum,
 * 0 when the row sees nothing. */
static float softmax_row(float *s, int c0, int c1, int cols)
{
    float max = -INFINITY, sum = 0.0f;
#pragma omp simd reduction(max : max)
    for (int j = c0; j < c1; j++)
        max = s[j] > max ? s[j] : max;
#pragma omp simd reduction(+ : sum)
    for (int j = c0; j < c1; j++) {
        s[j] = exp2_poly(s[j] - max);
        sum += s[j];
    }
    for (int j = 0; j < c0; j++)
        s[j] = 0.0f;
    for (int j = c1 > c0 ? c1 : c0; j < cols; j++)
        s[j] = 0.0f;
    return sum;
}

/* Rows [r0, r0 + rows) of stacked group g (kv head g % kv_heads of batch entry b) in float32:
 * qb and ob start at the block's first row, kh and vh at key k0; cols keys from there are seen
 * by some row. */
static void block_f32(const openblas_state *st, float *s, int b, int g, int r0, int rows,
                      int k0, int cols, const float *qb, const float *kh, const float *vh,
                      float *ob)
{
    const attn_problem *p = &st->p;
    const int d = p->head_dim, dv = p->head_dim_v;
    const int extras = p->softcap != 0 || p->alibi != NULL;
    if (cols == 0) {
        for (size_t x = 0; x < (size_t)rows * dv; x++)
            ob[x] = 0.0f;
        return;
    }
    /* Scores in base 2 for exp2: log2 e folded into the GEMM's alpha, or, with a cap or a
     * bias, applied after them (DESIGN's order: scale, cap, bias). */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, d,
                extras ? p->scale : p->scale * (float)M_LOG2E, qb, d, kh, d, 0.0f, s, cols);
    float inv[MAX_ROWS];
    for (int r = 0; r < rows; r++) {
        int lo, hi, i = (r0 + r) % p->seq_q;
        impl_key_range(p, b, i, &lo, &hi);
        float *sr = s + (size_t)r * cols;
        if (extras && hi > lo) {
            int h = g % p->kv_heads * (p->heads / p->kv_heads) + (r0 + r) / p->seq_q;
            impl_score_extras(p, h, i, lo, sr + lo - k0, hi - lo);
            for (int j = lo - k0; j < hi - k0; j++)
                sr[j] *= (float)M_LOG2E;
        }
        float sum = hi > lo ? softmax_row(sr, lo - k0, hi - k0, cols) : softmax_row(sr, 0, 0, cols);
        inv[r] = sum > 0.0f ? 1.0f / sum : 0.0f;   /* a row that sees no key: 0 */
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, dv, cols, 1.0f, s, cols, vh,
                dv, 0.0f, ob, dv);
    for (int r = 0; r < rows; r++)
        for (int x = 0; x < dv; x++)
            ob[(size_t)r * dv + x] *= inv[r];
}

/* Task t: block t % blocks of the stacked rows of group t / blocks (= b * kv_heads + kv head),
 * with s as its score buffer and conv as its conversion scratch (16-bit dtypes). */
static void openblas_block(const openblas_state *st, float *s, float *conv, long t,
                           const void *q, const void *k, const void *v, void *o)
{
    const attn_problem *p = &st->p;
    const int d = p->head_dim, dv = p->head_dim_v, r0 = (int)(t % st->blocks) * st->block;
    const int rows = st->rows - r0 < st->block ? st->rows - r0 : st->block;
    const int g = (int)(t / st->blocks), b = g / p->kv_heads;
    int k0;
    const int cols = impl_block_keys(p, b, r0, rows, &k0);   /* only these enter the GEMMs */
    const size_t row = (size_t)g * st->rows + (size_t)r0;
    const size_t key = (size_t)g * p->seq_kv + (size_t)k0;
    const size_t qo = row * d, oo = row * dv, ko = key * d, vo = key * dv;

    if (p->dtype == ATTN_F32) {
        block_f32(st, s, b, g, r0, rows, k0, cols, (const float *)q + qo,
                  (const float *)k + ko, (const float *)v + vo, (float *)o + oo);
        return;
    }
    float *qf = conv, *of = qf + (size_t)st->block * d, *kf = of + (size_t)st->block * dv;
    float *vf = kf + (size_t)p->seq_kv * d;
    impl_load_row(p->dtype, q, qo, qf, (size_t)rows * d);
    impl_load_row(p->dtype, k, ko, kf, (size_t)cols * d);
    impl_load_row(p->dtype, v, vo, vf, (size_t)cols * dv);
    block_f32(st, s, b, g, r0, rows, k0, cols, qf, kf, vf, of);
    impl_store_row(p->dtype, o, oo, of, (size_t)rows * dv);
}

static int openblas_run(void *state, const void *q, const void *k, const void *v, void *o)
{
    openblas_state *st = state;
    const attn_problem *p = &st->p;
    const long tasks = (long)p->batch * p->kv_heads * st->blocks;
    const size_t per_thread = (size_t)st->block * p->seq_kv;

    if (tasks < st->threads) {   /* too few blocks to share: let OpenBLAS thread each GEMM */
        for (long t = 0; t < tasks; t++)
            openblas_block(st, st->s, st->conv, t, q, k, v, o);
        return 0;
    }
#pragma omp parallel for schedule(dynamic) num_threads(st->threads)
    for (long t = 0; t < tasks; t++)
        openblas_block(st, st->s + per_thread * impl_thread_num(),
                       st->conv ? st->conv + conv_floats(st) * impl_thread_num() : NULL, t, q,
                       k, v, o);
    return 0;
}

void openblas_describe(const void *state, char *out, size_t len)
{
    (void)state;
    snprintf(out, len, "sgemm %s", openblas_get_corename());
}

const attn_impl attn_impl_openblas = {
    .name = "openblas",
    .summary = "cblas_sgemm for scale*QK^T and PV on blocks of query rows, vectorised softmax",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS | ATTN_CAP_BF16 |
            ATTN_CAP_F16 | ATTN_CAP_WINDOW | ATTN_CAP_TOP_LEFT | ATTN_CAP_KV_LEN |
            ATTN_CAP_SOFTCAP | ATTN_CAP_ALIBI | ATTN_CAP_DV,
    .available = NULL,
    .prepare = openblas_prepare,
    .run = openblas_run,
    .release = openblas_release,
};
