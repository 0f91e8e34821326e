/* twin.c: the textbook twin (twin.h). Blocks of query rows through float32 GEMMs (OpenBLAS
 * sgemm): S = scale Q K^T over the keys the block sees, capped and biased in float32 as
 * DESIGN orders (softcap, ALiBi), each row's softmax in float32 with its
 * maximum subtracted (expf, the sum in key order), p rounded to the dtype, O = P V in float32,
 * divided by the sum, rounded to the dtype. Every rounding an honest kernel makes, and no
 * other. */
#include "twin.h"

#include "dtype.h"
#include "impl_dtype.h"
#include "ref.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { TWIN_BLOCK = 64 };   /* query rows per task */

/* Rows [i0, i0 + rows) of head (b, h): their squared error against ref_o and the reference's
 * squared norm, added to *err2 and *ref2. 0, or -1 when out of memory. */
static int twin_block(const attn_problem *p, int b, int h, int i0, int rows, const float *q,
                      const float *k, const float *v, const double *ref_o, double *err2,
                      double *ref2)
{
    const int d = p->head_dim, dv = p->head_dim_v, group = p->heads / p->kv_heads;
    const size_t row0 = ((size_t)b * p->heads + h) * (size_t)p->seq_q + (size_t)i0;
    const size_t kv_row = ((size_t)b * p->kv_heads + h / group) * (size_t)p->seq_kv;
    int k0;   /* the keys some row of the block sees: [k0, k0 + nk) */
    const int nk = ref_block_keys(p, b, i0, rows, &k0);
    const float *kb = k + (kv_row + (size_t)k0) * d, *vb = v + (kv_row + (size_t)k0) * dv;
    float *s = malloc(sizeof(float) * ((size_t)rows * nk + 1));
    float *o = malloc(sizeof(float) * ((size_t)rows * dv + 1));
    float *l = malloc(sizeof(float) * (size_t)rows);
    if (s == NULL || o == NULL || l == NULL) {
        free(s);
        free(o);
        free(l);
        return -1;
    }
    if (nk > 0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, nk, d, p->scale,
                    q + row0 * d, d, kb, d, 0.0f, s, nk);
    for (int r = 0; r < rows; r++) {
        float *sr = s + (size_t)r * nk, m = -INFINITY, sum = 0.0f;
        int key_lo, key_hi;
        ref_keys(p, b, i0 + r, &key_lo, &key_hi);
        /* The row's keys as columns of the block: [lo, hi), empty when it sees none. */
        int lo = key_hi > key_lo ? key_lo - k0 : 0, hi = key_hi > key_lo ? key_hi - k0 : 0;
        long diag = ref_diag(p, i0 + r);
        for (int j = lo; j < hi; j++) {
            if (p->softcap != 0)
                sr[j] = p->softcap * tanhf(sr[j] / p->softcap);
            if (p->alibi != NULL)
                sr[j] += p->alibi[h] * (float)(k0 + j - diag);
            m = sr[j] > m ? sr[j] : m;
        }
        for (int j = lo; j < hi; j++) {
            sr[j] = expf(sr[j] - m);
            sum += sr[j];
            sr[j] = impl_round(p->dtype, sr[j]);   /* p in the dtype for P V; the sum is not */
        }
        for (int j = 0; j < nk; j++)
            if (j < lo || j >= hi)
                sr[j] = 0.0f;
        l[r] = sum;
    }
    if (nk > 0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, dv, nk, 1.0f, s, nk, vb,
                    dv, 0.0f, o, dv);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < dv; c++) {
            float x = l[r] > 0.0f && nk > 0 ? o[(size_t)r * dv + c] / l[r] : 0.0f;
            x = impl_round(p->dtype, x);
            double want = ref_o[(row0 + (size_t)r) * dv + c], e = (double)x - want;
            *err2 += e * e;
            *ref2 += want * want;
        }
    free(s);
    free(o);
    free(l);
    return 0;
}

int twin_rel_l2(const attn_problem *p, const float *q, const float *k, const float *v,
                const double *ref_o, int threads, double *rel_l2)
{
    const int blocks = (p->seq_q + TWIN_BLOCK - 1) / TWIN_BLOCK;
    const long tasks = (long)p->batch * p->heads * blocks;
    double err2 = 0, ref2 = 0;
    int failed = 0;

#pragma omp parallel for schedule(dynamic) num_threads(threads) reduction(| : failed) \
    reduction(+ : err2, ref2)
    for (long t = 0; t < tasks; t++) {
        int blk = (int)(t % blocks), h = (int)(t / blocks % p->heads);
        int b = (int)(t / blocks / p->heads), i0 = blk * TWIN_BLOCK;
        int rows = p->seq_q - i0 < TWIN_BLOCK ? p->seq_q - i0 : TWIN_BLOCK;
        failed |= twin_block(p, b, h, i0, rows, q, k, v, ref_o, &err2, &ref2) != 0;
    }
    *rel_l2 = ref2 > 0 ? sqrt(err2 / ref2) : sqrt(err2);
    return failed ? -1 : 0;
}

double twin_factor_for(const attn_problem *p, const twin_rule *r)
{
    return p->dtype == ATTN_F32 ? r->factor : r->factor_16;
}

int twin_judge(const attn_problem *p, double e, double t, const twin_rule *r,
               double *err_ratio, char *reason, size_t len)
{
    double floor = r->floor_units * dtype_unit_roundoff(ATTN_F32);
    double factor = twin_factor_for(p, r);
    *err_ratio = t > 0 ? e / t : e > 0 ? INFINITY : 1.0;
    if (factor <= 0 || e <= factor * t || e <= floor)
        return 1;
    snprintf(reason, len, "relative L2 error %.3g is %.3gx the %.3g of honest %s arithmetic on "
             "these inputs (the textbook twin); allowed: %.3gx, or %.3g", e, *err_ratio, t,
             dtype_name(p->dtype), factor, floor);
    return 0;
}
