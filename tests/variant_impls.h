/* variant_impls.h: test-only kernels for DESIGN's masks and score variants (windows, both
 * alignments, ragged key lengths, softcap, ALiBi, d_v != d). Two honest ones written apart from
 * every built-in, and one per bug that kernels handling these variants ship, so the tests can
 * show that the checker passes the first and fails each of the others where its defect shows.
 * Float32 only; never registered in the harness's list. */
#ifndef VARIANT_IMPLS_H
#define VARIANT_IMPLS_H

#include "attn.h"

extern const attn_impl variant_plain;           /* textbook: each row's scores, softmax, P V */
extern const attn_impl variant_online;          /* online softmax over blocks of 16 keys */

extern const attn_impl variant_align_flipped;   /* the diagonal of the other alignment */
extern const attn_impl variant_window_wide;     /* window_left one key too wide */
extern const attn_impl variant_window_narrow;   /* window_left one key too narrow */
extern const attn_impl variant_ragged_plus_one; /* key kv_len[b] seen as well */
extern const attn_impl variant_cap_after_mask;  /* -inf for hidden keys, then the cap: they
                                                   come back at -softcap */
extern const attn_impl variant_alibi_sign;      /* + slope (diag(i) - j): distant keys favoured */
extern const attn_impl variant_alibi_heads;     /* head h takes head H - 1 - h's slope */
extern const attn_impl variant_v_stride_d;      /* v rows read d apart, not d_v */

/* Every bug above, NULL-terminated. */
extern const attn_impl *const variant_bugs_all[];

#endif
