/* caps.h: the implementation caps (attn.h's ATTN_CAP_* bits) from one list: each cap's name for
 * `attnbench list`, when a case needs it, and the SKIP reason of an implementation without it. */
#ifndef CAPS_H
#define CAPS_H

#include "attn.h"

#include <stdio.h>

/* X(cap, name, needed by problem p on `threads` threads, what an implementation without it
 * does not do) */
#define CAPS_MAP(X)                                                                         \
    X(CAUSAL, "causal", p->causal, "handle causal masking")                                \
    X(GQA, "gqa", p->kv_heads != p->heads, "handle kv_heads < heads")                       \
    X(CROSS, "cross", p->seq_q != p->seq_kv, "handle seq_q != seq_kv")                      \
    X(THREADS, "threads", threads > 1, "use threads > 1")                                   \
    X(BF16, "bf16", p->dtype == ATTN_BF16, "take bf16 data")                                \
    X(F16, "f16", p->dtype == ATTN_F16, "take f16 data")                                    \
    X(WINDOW, "window", p->window_left >= 0 || p->window_right > 0,                         \
      "handle a sliding window")                                                            \
    X(TOP_LEFT, "top_left", p->top_left, "align the causal diagonal top-left")              \
    X(KV_LEN, "kv_len", p->kv_len != NULL, "handle per-batch key lengths")                  \
    X(SOFTCAP, "softcap", p->softcap != 0, "cap scores with softcap")                       \
    X(ALIBI, "alibi", p->alibi != NULL, "add ALiBi biases")                                 \
    X(DV, "dv", p->head_dim_v != p->head_dim, "handle head_dim_v != head_dim")

/* caps as "causal,gqa,..." ("-" for none). */
static inline void caps_text(unsigned caps, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
#define CAPS_TEXT(cap, name, needed, what)                                                    \
    if ((caps & ATTN_CAP_##cap) && used < len)                                               \
        used += (size_t)snprintf(out + used, len - used, "%s%s", used ? "," : "", name);
    CAPS_MAP(CAPS_TEXT)
#undef CAPS_TEXT
    if (used == 0)
        snprintf(out, len, "-");
}

/* Why an implementation with these caps cannot take problem p on `threads` threads; "" when it
 * can. The first cap missing is named. */
static inline void caps_gap(unsigned caps, const attn_problem *p, int threads, char *why,
                            size_t len)
{
    why[0] = '\0';
#define CAPS_GAP(cap, name, needed, what)                                                     \
    if (why[0] == '\0' && (needed) && !(caps & ATTN_CAP_##cap))                              \
        snprintf(why, len, "does not %s (no ATTN_CAP_" #cap ")", what);
    CAPS_MAP(CAPS_GAP)
#undef CAPS_GAP
}

#endif
