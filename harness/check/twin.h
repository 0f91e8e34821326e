/* twin.h: the textbook twin of a problem: the plain algorithm in its dtype's honest mixed
 * precision (DESIGN: inputs in the dtype, scores, softmax and accumulators in float32, each p
 * rounded to the dtype before P V, the output rounded), and how far it lands from the
 * double-precision reference. A case's error over its twin's (err_ratio) says how its
 * arithmetic compares with honest arithmetic in the same dtype on the same inputs, which an
 * analytic bound, written for the worst case, cannot. */
#ifndef TWIN_H
#define TWIN_H

#include "attn.h"

/* The twin's relative L2 error, |twin - ref|_2 / |ref|_2 (0 when the reference is all 0),
 * from the float32 values of p's (rounded) inputs and the reference's output, on `threads`
 * threads. 0, or -1 when out of memory. */
int twin_rel_l2(const attn_problem *p, const float *q, const float *k, const float *v,
                const double *ref_o, int threads, double *rel_l2);

/* The rule a case's relative L2 error e is held to, with the twin's t: e <= factor * t (the
 * factor of float32, or of the 16-bit dtypes), or e at most the floor, floor_units times
 * float32's unit roundoff 2^-24: the float32 arithmetic every honest kernel does, in whatever
 * order, makes a few of those on shapes whose twin happens to land nearly exact (a row or two
 * of few keys), where a ratio of two tiny errors says nothing. A factor of 0 turns the rule
 * off for its dtypes. */
typedef struct twin_rule {
    double factor;        /* [check] twin_factor: float32 */
    double factor_16;     /* [check] twin_factor_16: bf16 and f16 */
    double floor_units;   /* [check] twin_floor, in units of 2^-24 */
} twin_rule;

/* The rule's factor for p's dtype. */
double twin_factor_for(const attn_problem *p, const twin_rule *r);

/* 1 when e passes the rule, 0 with reason; err_ratio gets e / t (INFINITY for t = 0 < e, 1 for
 * t = e = 0). */
int twin_judge(const attn_problem *p, double e, double t, const twin_rule *r,
               double *err_ratio, char *reason, size_t len);

#endif
