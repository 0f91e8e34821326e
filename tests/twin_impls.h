/* twin_impls.h: test-only kernels for the textbook-twin check (harness/check/twin.h), each in
 * float32, bf16 and f16: honest ways to do the arithmetic, which must pass with margin, and the
 * precision bugs issue 17 names, which must fail. One row-at-a-time kernel with a knob per
 * variant, written apart from the built-ins and from the twin itself. Never registered. */
#ifndef TWIN_IMPLS_H
#define TWIN_IMPLS_H

#include "attn.h"

/* Honest: float32 scores, softmax and accumulators; the output rounded to the dtype. */
extern const attn_impl twin_plain;          /* keys in order, expf, p not rounded */
extern const attn_impl twin_flash;          /* FlashAttention-style: p rounded before P V */
extern const attn_impl twin_reversed;       /* every sum over keys in reverse order */
extern const attn_impl twin_online_exp2;    /* online softmax over blocks of 16 keys, exp2f */

/* Bugs. */
extern const attn_impl twin_approx_exp;     /* exp with a relative error of 1.5e-4 */
extern const attn_impl twin_pv_acc16;       /* P V accumulated in the 16-bit dtype */
extern const attn_impl twin_sum16;          /* the softmax sum accumulated in the dtype */
extern const attn_impl twin_qk16;           /* q . k accumulated in the dtype */
extern const attn_impl twin_read_as_f32;    /* 16-bit inputs read as float32 */
extern const attn_impl twin_exp16_no_max;   /* exp(s) in the dtype without the row max */

#endif
