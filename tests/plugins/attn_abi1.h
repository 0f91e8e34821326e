/* attn_abi1.h: impls/attn.h as it was at ABI 1 (float32 only), frozen: abi1_plugin.c is built
 * against it, as a plugin from before ABI 2 was, to test that the harness still loads such a
 * plugin and gives it float32 cases only. Never edit it to follow attn.h. */
#ifndef ATTN_ABI1_H
#define ATTN_ABI1_H

#include <stddef.h>

#define ATTN_ABI_VERSION 1

typedef struct attn_problem {
    int batch;      /* B */
    int heads;      /* H, query heads */
    int kv_heads;   /* H_kv, key/value heads; divides heads (GQA; 1 = MQA) */
    int seq_q;      /* N_q, query length */
    int seq_kv;     /* N_kv, key/value length */
    int head_dim;   /* d */
    int causal;     /* 1: query i sees key j iff j <= i + (seq_kv - seq_q) */
    float scale;    /* multiplies Q K^T; the harness passes 1/sqrt(d) unless configured */
    int threads;    /* threads the implementation may use */
} attn_problem;

enum {
    ATTN_CAP_CAUSAL  = 1u << 0,  /* handles causal = 1 */
    ATTN_CAP_GQA     = 1u << 1,  /* handles kv_heads < heads */
    ATTN_CAP_CROSS   = 1u << 2,  /* handles seq_q != seq_kv */
    ATTN_CAP_THREADS = 1u << 3,  /* uses threads > 1 */
};

typedef struct attn_impl {
    const char *name;      /* unique, [a-z0-9_-]+ */
    const char *summary;   /* one line for `attnbench list` */
    unsigned caps;         /* ATTN_CAP_* bits */
    /* NULL, or 0 when usable on this machine; otherwise nonzero and a reason in why. */
    int (*available)(char *why, size_t why_len);
    /* Untimed: allocate, plan, create primitives. 0, or nonzero and a reason in why. */
    int (*prepare)(const attn_problem *p, void **state, char *why, size_t why_len);
    /* Timed: o from q, k, v. Called many times with one state. 0 on success. Inputs are
     * read-only, and run computes o from their current contents on every call: it must not
     * reuse an earlier output, even when the pointers are the same. The harness rewrites q, k
     * and v in place between calls to check this, and a result faster than the machine's
     * measured peak is FAIL. */
    int (*run)(void *state, const float *q, const float *k, const float *v, float *o);
    void (*release)(void *state);
} attn_impl;

/* A plugin (a shared object given with --plugin) exports this symbol: */
const attn_impl *const *attn_plugin_impls(int abi_version);  /* NULL-terminated */

#endif
