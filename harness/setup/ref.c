/* ref.c: the reference. Inputs are float, every operation is double. Two routes compute the same
 * definition: plain loops (the specification itself) and dgemm on blocks of query rows (fast
 * enough that a sweep to seq_len 16384 is not dominated by it); a test holds them to 1e-12. */
#include "ref.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Written out here, not taken from impls/, so the reference shares nothing with a kernel. */
long ref_diag(const attn_problem *p, int i)
{
    return p->top_left ? i : (long)i + (p->seq_kv - p->seq_q);
}

void ref_keys(const attn_problem *p, int b, int i, int *lo, int *hi)
{
    long diag = ref_diag(p, i), l = 0, h = p->seq_kv;
    if (p->kv_len != NULL && p->kv_len[b] < h)
        h = p->kv_len[b];
    if (p->window_left >= 0 && diag - p->window_left > l)
        l = diag - p->window_left;
    if (p->window_right >= 0 && diag + p->window_right + 1 < h)
        h = diag + p->window_right + 1;
    if (l > p->seq_kv)
        l = p->seq_kv;
    *lo = (int)l;
    *hi = (int)(h > l ? h : l);
}

int ref_block_keys(const attn_problem *p, int b, int i0, int rows, int *k0)
{
    int first = p->seq_kv, end = 0;
    for (int r = 0; r < rows; r++) {
        int lo, hi;
        ref_keys(p, b, i0 + r, &lo, &hi);
        if (hi > lo) {
            first = lo < first ? lo : first;
            end = hi > end ? hi : end;
        }
    }
    *k0 = end > first ? first : 0;
    return end > first ? end - first : 0;
}

int ref_visible(const attn_problem *p, int b, int i)
{
    int lo, hi;
    ref_keys(p, b, i, &lo, &hi);
    return hi - lo;
}

double ref_score(const attn_problem *p, int h, int i, int j, double dot)
{
    double s = (double)p->scale * dot;
    if (p->softcap != 0)
        s = (double)p->softcap * tanh(s / (double)p->softcap);
    if (p->alibi != NULL)
        s += (double)p->alibi[h] * (double)(j - ref_diag(p, i));
    return s;
}

double ref_bias_bound(const attn_problem *p, int h, int i, int lo, int hi)
{
    if (p->alibi == NULL || hi <= lo)
        return 0;
    double far = fmax(fabs((double)(lo - ref_diag(p, i))), fabs((double)(hi - 1 - ref_diag(p, i))));
    return fabs((double)p->alibi[h]) * far;
}

static double norm2(const float *x, int n)
{
    double s = 0;
    for (int c = 0; c < n; c++)
        s += (double)x[c] * x[c];
    return sqrt(s);
}

/* Where query head (b, h) starts: its rows in q and o, and its kv head's in k and v. */
typedef struct head_at {
    size_t row;         /* its first query row, of all B H N_q */
    size_t q, k, v, o;  /* element offsets */
} head_at;

static head_at head_offsets(const attn_problem *p, int b, int h)
{
    size_t row = ((size_t)b * p->heads + h) * (size_t)p->seq_q;
    size_t kv_row = ((size_t)b * p->kv_heads + h / (p->heads / p->kv_heads)) * (size_t)p->seq_kv;
    return (head_at){.row = row, .q = row * p->head_dim, .o = row * p->head_dim_v,
                     .k = kv_row * p->head_dim, .v = kv_row * p->head_dim_v};
}

/* s[0..n) becomes its softmax: max-subtracted, exponentiated, normalised. */
static void softmax_row(double *s, int n)
{
    double max = -INFINITY, sum = 0;
    for (int j = 0; j < n; j++)
        if (s[j] > max)
            max = s[j];
    for (int j = 0; j < n; j++) {
        s[j] = exp(s[j] - max);
        sum += s[j];
    }
    for (int j = 0; j < n; j++)
        s[j] /= sum;
}

/* Finishes one row from its visible scores s[0..n): softmax, then o and mag. */
static void finish_row(const attn_problem *p, double *s, int n, const float *v, double *o,
                       double *mag)
{
    const int d = p->head_dim_v;

    for (int c = 0; c < d; c++)
        o[c] = mag[c] = 0;
    softmax_row(s, n);
    for (int j = 0; j < n; j++) {
        double pj = s[j];
        for (int c = 0; c < d; c++) {
            double vj = v[(size_t)j * d + c];
            o[c] += pj * vj;
            mag[c] += pj * fabs(vj);
        }
    }
}

/* scale * |q_i| * max_j |k_j| over the visible keys: bounds |s_ij| and sizes its rounding. */
static double row_score_bound(const attn_problem *p, const float *qrow, const double *knorm,
                              int n)
{
    double kmax = 0;
    for (int j = 0; j < n; j++)
        if (knorm[j] > kmax)
            kmax = knorm[j];
    return fabs((double)p->scale) * norm2(qrow, p->head_dim) * kmax;
}

void ref_plain(const attn_problem *p, const float *q, const float *k, const float *v,
               const ref_out *out)
{
    const int d = p->head_dim, dv = p->head_dim_v;
    double *s = malloc(sizeof(double) * (size_t)(p->seq_kv > 0 ? p->seq_kv : 1));
    double *knorm = malloc(sizeof(double) * (size_t)(p->seq_kv > 0 ? p->seq_kv : 1));

    for (int b = 0; b < p->batch; b++)
        for (int h = 0; h < p->heads; h++) {
            head_at at = head_offsets(p, b, h);
            for (int j = 0; j < p->seq_kv; j++)
                knorm[j] = norm2(k + at.k + (size_t)j * d, d);
            for (int i = 0; i < p->seq_q; i++) {
                const float *qi = q + at.q + (size_t)i * d;
                int lo, hi;
                ref_keys(p, b, i, &lo, &hi);
                for (int j = lo; j < hi; j++) {
                    double dot = 0;
                    for (int c = 0; c < d; c++)
                        dot += (double)qi[c] * k[at.k + (size_t)j * d + c];
                    s[j - lo] = ref_score(p, h, i, j, dot);
                }
                size_t row = at.row + (size_t)i;
                out->row_score[row] = row_score_bound(p, qi, knorm + lo, hi - lo);
                out->row_bias[row] = ref_bias_bound(p, h, i, lo, hi);
                finish_row(p, s, hi - lo, v + at.v + (size_t)lo * dv, out->o + row * dv,
                           out->mag + row * dv);
            }
        }
    free(s);
    free(knorm);
}

enum { REF_BLOCK = 128 };   /* query rows per dgemm task */

/* One task: rows [i0, i0 + rows) of head (b, h). Workspace is the task's own. */
static int ref_block(const attn_problem *p, int b, int h, int i0, int rows, const float *q,
                     const float *k, const float *v, const ref_out *out)
{
    const int d = p->head_dim, dv = p->head_dim_v;
    head_at at = head_offsets(p, b, h);

    /* The keys some row of the block sees, [k0, k0 + nk): no other is needed. */
    int k0;
    const int nk = ref_block_keys(p, b, i0, rows, &k0);
    const float *kb = k + at.k + (size_t)k0 * d, *vb = v + at.v + (size_t)k0 * dv;
    double *qd = malloc(sizeof(double) * (size_t)rows * d);
    double *kd = malloc(sizeof(double) * ((size_t)nk * d + 1));
    double *vd = malloc(sizeof(double) * ((size_t)nk * dv + 1));
    double *vabs = malloc(sizeof(double) * ((size_t)nk * dv + 1));
    double *knorm = malloc(sizeof(double) * ((size_t)nk + 1));
    double *sc = malloc(sizeof(double) * ((size_t)rows * nk + 1));
    double *od = calloc((size_t)rows * dv + 1, sizeof(double));
    double *md = calloc((size_t)rows * dv + 1, sizeof(double));
    int rc = 1;

    if (!qd || !kd || !vd || !vabs || !knorm || !sc || !od || !md)
        goto out;
    for (size_t x = 0; x < (size_t)rows * d; x++)
        qd[x] = q[at.q + (size_t)i0 * d + x];
    for (size_t x = 0; x < (size_t)nk * d; x++)
        kd[x] = kb[x];
    for (size_t x = 0; x < (size_t)nk * dv; x++) {
        vd[x] = vb[x];
        vabs[x] = fabs(vd[x]);
    }
    for (int j = 0; j < nk; j++)
        knorm[j] = norm2(kb + (size_t)j * d, d);

    for (int r = 0; r < rows; r++)
        out->row_score[at.row + (size_t)(i0 + r)] = out->row_bias[at.row + (size_t)(i0 + r)] = 0;
    if (nk > 0) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, nk, d, 1.0, qd, d, kd, d,
                    0.0, sc, nk);
        /* Each row's scores from its dot products, then its softmax over its visible keys,
         * normalised in place into probabilities; the block's other keys get 0. */
        for (int r = 0; r < rows; r++) {
            double *srow = sc + (size_t)r * nk;
            int key_lo, key_hi;
            ref_keys(p, b, i0 + r, &key_lo, &key_hi);
            /* The row's keys as columns of the block: [lo, hi), empty for a row that sees
             * none. */
            int lo = key_hi > key_lo ? key_lo - k0 : 0, hi = key_hi > key_lo ? key_hi - k0 : 0;
            for (int j = lo; j < hi; j++)
                srow[j] = ref_score(p, h, i0 + r, k0 + j, srow[j]);
            softmax_row(srow + lo, hi - lo);
            for (int j = 0; j < nk; j++)
                if (j < lo || j >= hi)
                    srow[j] = 0.0;
            size_t row = at.row + (size_t)(i0 + r);
            out->row_score[row] = row_score_bound(p, q + at.q + (size_t)(i0 + r) * d, knorm + lo,
                                                  hi - lo);
            out->row_bias[row] = ref_bias_bound(p, h, i0 + r, key_lo, key_hi);
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, dv, nk, 1.0, sc, nk, vd,
                    dv, 0.0, od, dv);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, dv, nk, 1.0, sc, nk, vabs,
                    dv, 0.0, md, dv);
    }
    memcpy(out->o + (at.row + (size_t)i0) * dv, od, sizeof(double) * (size_t)rows * dv);
    memcpy(out->mag + (at.row + (size_t)i0) * dv, md, sizeof(double) * (size_t)rows * dv);
    rc = 0;
out:
    free(qd);
    free(kd);
    free(vd);
    free(vabs);
    free(knorm);
    free(sc);
    free(od);
    free(md);
    return rc;
}

int ref_blas(const attn_problem *p, const float *q, const float *k, const float *v,
             const ref_out *out, int threads)
{
    const int blocks = (p->seq_q + REF_BLOCK - 1) / REF_BLOCK;
    const long tasks = (long)p->batch * p->heads * blocks;
    int failed = 0;

#pragma omp parallel for schedule(dynamic) num_threads(threads) reduction(| : failed)
    for (long t = 0; t < tasks; t++) {
        int blk = (int)(t % blocks);
        int h = (int)(t / blocks % p->heads);
        int b = (int)(t / blocks / p->heads);
        int i0 = blk * REF_BLOCK;
        int rows = p->seq_q - i0 < REF_BLOCK ? p->seq_q - i0 : REF_BLOCK;
        failed |= ref_block(p, b, h, i0, rows, q, k, v, out);
    }
    return failed;
}

int ref_compute(const attn_problem *p, const float *q, const float *k, const float *v,
                const ref_out *out, int threads)
{
    double macs = (double)p->batch * p->heads * p->seq_q * p->seq_kv *
                  (p->head_dim + p->head_dim_v) / 2;
    if (macs <= (double)(1 << 22)) {
        ref_plain(p, q, k, v, out);
        return 0;
    }
    return ref_blas(p, q, k, v, out, threads);
}
