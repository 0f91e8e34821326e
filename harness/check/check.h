/* check.h: compares an implementation's output with the reference under the tolerance model. */
#ifndef CHECK_H
#define CHECK_H

#include "ref.h"

#include <stddef.h>

typedef struct check_tol {
    double factor;      /* [check] tol_factor: multiplies the float32 error model */
    double abs_floor;   /* [check] abs_floor: absolute error always allowed */
} check_tol;

typedef struct check_result {
    int pass;               /* 1: every element finite and within its bound */
    double max_abs_err;     /* max |o - ref| over finite elements */
    double rel_l2_err;      /* |o - ref|_2 / |ref|_2 */
    double worst_ratio;     /* max |o - ref| / bound: <= 1 passes */
    size_t nonfinite;       /* NaN or Inf outputs */
    int twin_known;         /* the textbook twin's error is known (twin.h) */
    double twin_rel_l2;     /* its relative L2 error */
    double err_ratio;       /* rel_l2_err / twin_rel_l2 */
    char reason[320];       /* why it failed, naming the element; "" on pass */
} check_result;

/* The bound for one output element of a row that sees `visible` keys, with the reference's
 * row_score and row_bias for the row and mag for the element: see check.c for the model. */
double check_bound(const attn_problem *p, const check_tol *tol, int visible, double row_score,
                   double row_bias, double mag);

/* out: the output, elements of p->dtype. */
void check_output(const attn_problem *p, const void *out, const ref_out *ref,
                  const check_tol *tol, check_result *res);

#endif
