/* check.c: the tolerance model. An attention output element is a convex combination of V values,
 * o_ic = sum_j p_ij v_jc, so its honest float32 error is bounded relative to
 * mag_ic = sum_j p_ij |v_jc| (benchdnn's idea: cancellation near 0 must not fail a kernel), times
 * the error sources of float32 arithmetic with unit roundoff u = 2^-24:
 *   - accumulating n visible terms (P V and the softmax sum):      ~ sqrt(n) u
 *   - each score's rounding, which moves p_ij by a relative Ds:  2 Ds, with
 *     Ds ~ (sqrt(d) + 3) u * S_i, S_i = scale |q_i| max_j |k_j| bounding |scale q_i . k_j|;
 *     with softcap c, the cap's division, tanh and product add 4 u min(S_i, c) (tanh's
 *     slope is at most 1, so the dot product's error does not grow); with ALiBi, the bias's
 *     product and sum add 2 u A_i, A_i = max_j |alibi[h] (j - diag(i))| over visible keys
 *   - exp() and the division, a few ulp:                          8 u
 * bound_ic = tol_factor * u * mag_ic * (sqrt(n_i) + 2 Ds_i / u + 8) + abs_floor.
 * In bf16 and f16 (unit roundoff u_t) an honest kernel, by DESIGN's rules, also rounds each p
 * to the dtype before P V (at most u_t mag_ic in all) and its output (u_t |o_ic| <= u_t
 * mag_ic, or half the least subnormal, tiny_t, for an output under the normal range): the bound
 * adds tol_factor * (2 u_t mag_ic + tiny_t). Its inputs are exact: the reference starts from
 * the same rounded values. (Measured: an f16 output of -2.4e-6, a subnormal, was 2.4e-8 off,
 * 1.5 times 2 u_t mag_ic, in every honest kernel.)
 * NaN and Inf fail before any threshold. */
#include "check.h"

#include "dtype.h"

#include <math.h>
#include <stdio.h>

/* Ds_i / u: one score's rounding error in float32 (the model above). */
static double score_error_units(const attn_problem *p, double row_score, double row_bias)
{
    double e = (sqrt((double)p->head_dim) + 3.0) * row_score;
    if (p->softcap != 0)
        e += 4.0 * fmin(row_score, fabs((double)p->softcap));
    return e + 2.0 * row_bias;
}

double check_bound(const attn_problem *p, const check_tol *tol, int visible, double row_score,
                   double row_bias, double mag)
{
    double model = sqrt((double)visible) + 2.0 * score_error_units(p, row_score, row_bias) + 8.0;
    double u = dtype_unit_roundoff(ATTN_F32), rounding = 0, tiny = 0;
    if (p->dtype != ATTN_F32) {
        rounding = 2.0 * dtype_unit_roundoff(p->dtype);
        tiny = dtype_tiny(p->dtype);
    }
    return tol->factor * (mag * (u * model + rounding) + tiny) + tol->abs_floor;
}

/* "[b=0,h=1,i=5,c=3]" for a flat output index. */
static void where(const attn_problem *p, size_t idx, char *out, size_t len)
{
    size_t d = (size_t)p->head_dim_v, nq = (size_t)p->seq_q, h = (size_t)p->heads;
    snprintf(out, len, "[b=%zu,h=%zu,i=%zu,c=%zu]", idx / d / nq / h, idx / d / nq % h,
             idx / d % nq, idx % d);
}

void check_output(const attn_problem *p, const void *out, const ref_out *ref,
                  const check_tol *tol, check_result *res)
{
    const size_t d = (size_t)p->head_dim_v;
    const size_t rows = (size_t)p->batch * p->heads * p->seq_q;
    double err2 = 0, ref2 = 0;
    size_t worst = 0, first_bad = (size_t)-1;
    double worst_bound = 0;

    *res = (check_result){.pass = 1};
    for (size_t r = 0; r < rows; r++) {
        int visible = ref_visible(p, (int)(r / ((size_t)p->seq_q * p->heads)),
                                  (int)(r % (size_t)p->seq_q));
        for (size_t c = 0; c < d; c++) {
            size_t x = r * d + c;
            double want = ref->o[x], got = dtype_get(p->dtype, out, x);
            if (!isfinite(got)) {
                if (res->nonfinite++ == 0)
                    first_bad = x;
                continue;
            }
            double err = fabs(got - want);
            double bound = check_bound(p, tol, visible, ref->row_score[r], ref->row_bias[r],
                                       ref->mag[x]);
            err2 += err * err;
            ref2 += want * want;
            if (err > res->max_abs_err)
                res->max_abs_err = err;
            if (err == 0)
                continue;
            /* A zero bound (abs_floor 0 on a row that sees no key) allows exactly 0. */
            double ratio = bound > 0 ? err / bound : INFINITY;
            if (ratio > res->worst_ratio) {
                res->worst_ratio = ratio;
                worst = x;
                worst_bound = bound;
            }
        }
    }
    res->rel_l2_err = ref2 > 0 ? sqrt(err2 / ref2) : sqrt(err2);

    char at[96];
    if (res->nonfinite > 0) {
        res->pass = 0;
        where(p, first_bad, at, sizeof at);
        snprintf(res->reason, sizeof res->reason, "%zu non-finite outputs, the first %s = %g",
                 res->nonfinite, at, (double)dtype_get(p->dtype, out, first_bad));
    } else if (res->worst_ratio > 1.0) {
        res->pass = 0;
        where(p, worst, at, sizeof at);
        snprintf(res->reason, sizeof res->reason,
                 "output %s = %.9g, reference %.9g: error %.3g is %.3gx its tolerance %.3g",
                 at, (double)dtype_get(p->dtype, out, worst), ref->o[worst],
                 fabs((double)dtype_get(p->dtype, out, worst) - ref->o[worst]),
                 res->worst_ratio, worst_bound);
    }
}
