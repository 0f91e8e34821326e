/* attn.h: the interface every attention implementation, built in or plugin, provides. The
 * contract (layout, semantics, dtypes, threads, ownership) is written out in docs/abi.md; this
 * header is its C form. ABI 2 appends to ABI 1: an ABI 1 plugin (built against
 * tests/plugins/attn_abi1.h's copy) still loads, and sees float32 problems with ABI 1's fields
 * only. */
#ifndef ATTN_H
#define ATTN_H

#include <stddef.h>

#define ATTN_ABI_VERSION 2

typedef enum attn_dtype {
    ATTN_F32 = 0,   /* IEEE binary32 */
    ATTN_BF16 = 1,  /* bfloat16, stored as uint16_t: the top half of a binary32 */
    ATTN_F16 = 2,   /* IEEE binary16, stored as uint16_t */
} attn_dtype;

typedef struct attn_problem {
    /* ABI 1 */
    int batch;          /* B */
    int heads;          /* H, query heads */
    int kv_heads;       /* H_kv, key/value heads; divides heads (GQA; 1 = MQA) */
    int seq_q;          /* N_q, query length */
    int seq_kv;         /* N_kv, key/value length */
    int head_dim;       /* d, width of q and k rows */
    int causal;         /* 1 iff window_right == 0 (kept for ABI 1 readers): query i sees key j
                           iff j <= i + (seq_kv - seq_q) */
    float scale;        /* multiplies Q K^T; the harness passes 1/sqrt(d) unless configured */
    int threads;        /* threads the implementation may use */
    /* ABI 2, appended */
    int dtype;          /* attn_dtype of q, k, v and o; accumulation is the implementation's */
    int head_dim_v;     /* d_v, width of v and o rows; equals head_dim unless swept */
    int window_left;    /* -1: unbounded; else key j is hidden when j < diag(i) - window_left */
    int window_right;   /* -1: unbounded; 0: causal; else hidden when j > diag(i) + window_right */
    int top_left;       /* 0: diag(i) = i + seq_kv - seq_q (bottom-right); 1: diag(i) = i */
    const int *kv_len;  /* NULL, or B entries: in batch b, keys j >= kv_len[b] are hidden */
    float softcap;      /* 0: none; else a score s becomes softcap * tanh(s / softcap) */
    const float *alibi; /* NULL, or H slopes: score (i, j) of head h gets alibi[h] * (j - diag(i)) */
} attn_problem;

enum {
    ATTN_CAP_CAUSAL = 1u << 0,    /* window_right = 0 */
    ATTN_CAP_GQA = 1u << 1,       /* kv_heads < heads */
    ATTN_CAP_CROSS = 1u << 2,     /* seq_q != seq_kv */
    ATTN_CAP_THREADS = 1u << 3,   /* uses threads > 1 */
    ATTN_CAP_BF16 = 1u << 4,      /* dtype = ATTN_BF16 */
    ATTN_CAP_F16 = 1u << 5,       /* dtype = ATTN_F16 */
    ATTN_CAP_WINDOW = 1u << 6,    /* window_left >= 0, or window_right > 0 */
    ATTN_CAP_TOP_LEFT = 1u << 7,  /* top_left = 1 */
    ATTN_CAP_KV_LEN = 1u << 8,    /* kv_len != NULL */
    ATTN_CAP_SOFTCAP = 1u << 9,   /* softcap != 0 */
    ATTN_CAP_ALIBI = 1u << 10,    /* alibi != NULL */
    ATTN_CAP_DV = 1u << 11,       /* head_dim_v != head_dim */
};

typedef struct attn_impl {
    const char *name;      /* unique, [a-z0-9_-]+ */
    const char *summary;   /* one line for `attnbench list` */
    unsigned caps;         /* ATTN_CAP_* bits: every case that needs a bit not here is SKIP */
    /* NULL, or 0 when usable on this machine; otherwise nonzero and a reason in why. */
    int (*available)(char *why, size_t why_len);
    /* Untimed: allocate, plan, create primitives. 0; ATTN_UNSUPPORTED and a reason in why when
     * this problem cannot run on this machine (a SKIP); otherwise nonzero and a reason (an
     * ERROR). */
    int (*prepare)(const attn_problem *p, void **state, char *why, size_t why_len);
    /* Timed: o from q, k, v, elements of p->dtype (ABI 1's run took float pointers). Called
     * many times with one state. 0 on success. Inputs are read-only, and run computes o from
     * their current contents on every call: it must not reuse an earlier output, even when the
     * pointers are the same. The harness rewrites q, k and v in place between calls to check
     * this, and a result faster than the machine's measured peak is FAIL. */
    int (*run)(void *state, const void *q, const void *k, const void *v, void *o);
    void (*release)(void *state);
} attn_impl;

/* A plugin (a shared object given with --plugin) exports this symbol. The harness calls it
 * with 2, and on NULL with 1. NULL-terminated, or NULL for an ABI it does not speak. */
const attn_impl *const *attn_plugin_impls(int abi_version);

/* prepare's return when this problem cannot run on this machine (say a dtype the CPU lacks):
 * the case is SKIP with the reason in why, not ERROR. */
#define ATTN_UNSUPPORTED 2

#endif
