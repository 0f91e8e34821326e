/* bug_impls.h: test-only attention implementations: one honest kernel written apart from naive,
 * and one per classic attention bug, so the tests can show the checker passes the first and
 * fails every other. Never registered in the harness's list. */
#ifndef BUG_IMPLS_H
#define BUG_IMPLS_H

#include "attn.h"

/* Correct: online softmax over blocks of 16 keys, float accumulators. */
extern const attn_impl bug_honest;

extern const attn_impl bug_no_max_sub;          /* exp(s) without the row max: overflows */
extern const attn_impl bug_scale_omitted;       /* scores not multiplied by scale */
extern const attn_impl bug_scale_twice;         /* scores multiplied by scale twice */
extern const attn_impl bug_causal_diag_hidden;  /* causal mask also hides the diagonal key */
extern const attn_impl bug_tail_dropped;        /* blocks of 32 keys, partial last one dropped */
extern const attn_impl bug_wrong_kv_head;       /* kv head h % kv_heads, not h / group */
extern const attn_impl bug_softmax_wrong_axis;  /* normalised over queries, not keys */
extern const attn_impl bug_bf16;                /* q, k, v and p rounded to bfloat16 */
extern const attn_impl bug_one_nan;             /* one output element NaN */
extern const attn_impl bug_skip_last_key;       /* row seq_q/2 of (b 0, h 0) skips a key */
extern const attn_impl bug_writes_input;        /* correct output, but q[0] += 1 */

/* Integrity bugs: each call's output is right for a single call, so the checker alone cannot
 * see them; the runner's second input set and the faster-than-peak rule do. */
extern const attn_impl bug_replays_output;      /* the first call's output, on every call */
extern const attn_impl bug_memoizes;            /* an earlier output when the inputs hash same */

/* Every checker bug above (not bug_honest, not the integrity bugs), NULL-terminated. */
extern const attn_impl *const bug_impls_all[];

#endif
