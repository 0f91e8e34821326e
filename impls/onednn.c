/* onednn: attention composed from oneDNN 2.6 primitives through its C API:
 *   S = scale * Q K^T   a matmul, the scale an output-scales attribute
 *   cap, bias, mask     the softcap and ALiBi bias where asked, and -inf written over the keys
 *                       a row does not see (see below), in C between the primitives
 *   P = softmax(S)      the softmax primitive on the last axis
 *   O = P V             a matmul
 * With GQA the query heads sharing a kv head are stacked into one matrix of G * N_q rows, so K
 * and V are read where they lie (K^T is a strided view, no copy). Primitives are created in
 * prepare; run only executes them. Threads: this oneDNN uses OpenMP, so T is set with
 * omp_set_num_threads.
 *
 * Two paths. Without a mask, each primitive runs once over every (batch, kv head) group: S is
 * the whole N_q x N_kv of every head, which is what composing primitives costs. With a mask
 * (causal, a window, ragged lengths), onednn_blocks.c takes blocks of 256 stacked rows and
 * multiplies only the keys some row of the block sees (rounded up to 128 keys, so that few
 * block shapes need primitives of their own): causal costs about half, a window grows with its
 * width, not with N_kv, and S is one block's.
 *
 * The mask is not a binary-add post-op: in oneDNN 2.6 a mask broadcast over the batch (or given
 * with a zero batch stride) sends the matmul to its reference implementation (ref:any in
 * ONEDNN_VERBOSE), measured at 0.12 GFLOP/s against 80 for the JIT one, and a dense mask per
 * batch entry would double the workspace. Writing -inf over the hidden keys of each row, after
 * the matmul, is the equivalent: the softmax primitive then gives them exactly 0. A row that
 * sees no key comes out of the softmax as NaN and is written as 0.
 *
 * bf16 and f16: Q, K, V and O in the dtype, S in float32 (the matmul accumulates in float32
 * and writes it so), the softmax from float32 S to P in the dtype (p rounded before P V, as
 * FlashAttention does), P V accumulated in float32 and written in the dtype. Where oneDNN has no
 * implementation of one of these for the dtype on this CPU (on an AVX2-only CPU it has no bf16
 * or f16 matmul at all), prepare says so and returns ATTN_UNSUPPORTED. */
#include "attn.h"
#include "impl_util.h"
#include "onednn_parts.h"
#include "registry.h"

#include <math.h>
#include <oneapi/dnnl/dnnl_debug.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Calls a dnnl_* function; on failure says which call failed and why, and jumps to fail. Needs
 * why and why_len in scope. */
#define DNNL_TRY(call)                                                                   \
    do {                                                                                 \
        dnnl_status_t status_ = (call);                                                  \
        if (status_ != dnnl_success) {                                                   \
            snprintf(why, why_len, "%s: %s", #call, dnnl_status2str(status_));          \
            goto fail;                                                                   \
        }                                                                                \
    } while (0)

static void onednn_release(void *state)
{
    onednn_state *st = state;
    if (st == NULL)
        return;
    onednn_shape_release(&st->whole);
    onednn_blocks_release(st);
    dnnl_stream_destroy(st->stream);
    dnnl_engine_destroy(st->engine);
    free(st->s_buf);
    free(st->p_buf);
    free(st);
}

const char *onednn_isa_name(int isa)
{
    switch ((dnnl_cpu_isa_t)isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_all: return "all";
    default: return "other";
    }
}

/* oneDNN's data type for an attn_dtype. */
static dnnl_data_type_t onednn_type(int dtype)
{
    return dtype == ATTN_BF16 ? dnnl_bf16 : dtype == ATTN_F16 ? dnnl_f16 : dnnl_f32;
}

/* A 2-D (d0 = 0: d1 x d2) or 3-D descriptor of type t with these strides. */
static dnnl_status_t onednn_md(dnnl_memory_desc_t *md, dnnl_data_type_t t, dnnl_dim_t d0,
                        dnnl_dim_t d1, dnnl_dim_t d2, dnnl_dim_t s0, dnnl_dim_t s1,
                        dnnl_dim_t s2)
{
    if (d0 == 0) {
        dnnl_dims_t dims = {d1, d2}, strides = {s1, s2};
        return dnnl_memory_desc_init_by_strides(md, 2, dims, t, strides);
    }
    dnnl_dims_t dims = {d0, d1, d2}, strides = {s0, s1, s2};
    return dnnl_memory_desc_init_by_strides(md, 3, dims, t, strides);
}

/* Builds a primitive from an op descriptor; the primitive descriptor is only needed here, and
 * for the name of the implementation oneDNN picked ("brg:avx512_core"), appended to chosen. */
static dnnl_status_t make_primitive(dnnl_primitive_t *prim, const void *op_desc,
                                    const_dnnl_primitive_attr_t attr, dnnl_engine_t engine,
                                    const char *what, char *chosen, size_t chosen_len)
{
    dnnl_primitive_desc_t pd;
    const char *impl = NULL;
    dnnl_status_t status = dnnl_primitive_desc_create(&pd, op_desc, attr, engine, NULL);
    if (status != dnnl_success)
        return status;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success &&
        strstr(chosen, what) == NULL) {   /* each primitive's choice once, not per shape */
        size_t at = strlen(chosen);
        snprintf(chosen + at, chosen_len - at, "%s%s %s", at ? ", " : "", what,
                 impl ? impl : "?");
    }
    status = dnnl_primitive_create(prim, pd);
    dnnl_primitive_desc_destroy(pd);
    return status;
}

/* The three primitives of S = scale Q K^T, P = softmax(S) over the last axis, O = P V on these
 * descriptors; what oneDNN picked is appended to st->chosen. On a failure, *stage names the
 * primitive being made. */
static dnnl_status_t onednn_primitives(onednn_state *st, const dnnl_memory_desc_t *q_md,
                                       const dnnl_memory_desc_t *kt_md,
                                       const dnnl_memory_desc_t *s_md,
                                       const dnnl_memory_desc_t *p_md,
                                       const dnnl_memory_desc_t *v_md,
                                       const dnnl_memory_desc_t *o_md, int axis,
                                       dnnl_primitive_t *qk, dnnl_primitive_t *softmax,
                                       dnnl_primitive_t *pv, const char **stage)
{
    dnnl_primitive_attr_t attr = NULL;
    dnnl_matmul_desc_t qk_desc, pv_desc;
    dnnl_softmax_v2_desc_t sm_desc;
    dnnl_status_t status;
    *stage = NULL;
    if ((status = dnnl_primitive_attr_create(&attr)) != dnnl_success ||
        (status = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &st->p.scale)) !=
            dnnl_success ||
        (status = dnnl_matmul_desc_init(&qk_desc, q_md, kt_md, NULL, s_md)) != dnnl_success)
        goto out;
    *stage = "QK^T matmul";
    if ((status = make_primitive(qk, &qk_desc, attr, st->engine, *stage, st->chosen,
                                 sizeof st->chosen)) != dnnl_success)
        goto out;
    *stage = NULL;
    if ((status = dnnl_softmax_v2_forward_desc_init(&sm_desc, dnnl_forward_inference,
                                                    dnnl_softmax_accurate, s_md, p_md, axis)) !=
        dnnl_success)
        goto out;
    *stage = "softmax";
    if ((status = make_primitive(softmax, &sm_desc, NULL, st->engine, *stage, st->chosen,
                                 sizeof st->chosen)) != dnnl_success)
        goto out;
    *stage = NULL;
    if ((status = dnnl_matmul_desc_init(&pv_desc, p_md, v_md, NULL, o_md)) != dnnl_success)
        goto out;
    *stage = "PV matmul";
    status = make_primitive(pv, &pv_desc, NULL, st->engine, *stage, st->chosen,
                            sizeof st->chosen);
    if (status == dnnl_success)
        *stage = NULL;
out:
    dnnl_primitive_attr_destroy(attr);
    return status;
}

int onednn_shape_make(onednn_state *st, onednn_shape *sh, char *why, size_t why_len,
                      const char **stage)
{
    const attn_problem *p = &st->p;
    const dnnl_dim_t g = sh->groups, m = sh->m, n = sh->n, d = p->head_dim, dv = p->head_dim_v;
    const dnnl_data_type_t dt = onednn_type(p->dtype);
    dnnl_memory_desc_t q_md, kt_md, v_md, o_md, s_md, p_md;
    /* Group strides: a group's rows follow the one before (unused when 2-D). */
    DNNL_TRY(onednn_md(&q_md, dt, g, m, d, m * d, d, 1));
    DNNL_TRY(onednn_md(&kt_md, dt, g, d, n, n * d, 1, d));   /* K^T: K read by columns */
    DNNL_TRY(onednn_md(&v_md, dt, g, n, dv, n * dv, dv, 1));
    DNNL_TRY(onednn_md(&o_md, dt, g, m, dv, m * dv, dv, 1));
    DNNL_TRY(onednn_md(&s_md, dnnl_f32, g, m, n, m * n, n, 1));
    DNNL_TRY(onednn_md(&p_md, dt, g, m, n, m * n, n, 1));
    DNNL_TRY(onednn_primitives(st, &q_md, &kt_md, &s_md, &p_md, &v_md, &o_md, g ? 2 : 1, &sh->qk,
                               &sh->softmax, &sh->pv, stage));
    DNNL_TRY(dnnl_memory_create(&sh->q, &q_md, st->engine, DNNL_MEMORY_NONE));
    DNNL_TRY(dnnl_memory_create(&sh->k, &kt_md, st->engine, DNNL_MEMORY_NONE));
    DNNL_TRY(dnnl_memory_create(&sh->v, &v_md, st->engine, DNNL_MEMORY_NONE));
    DNNL_TRY(dnnl_memory_create(&sh->o, &o_md, st->engine, DNNL_MEMORY_NONE));
    DNNL_TRY(dnnl_memory_create(&sh->s, &s_md, st->engine, st->s_buf));
    DNNL_TRY(dnnl_memory_create(&sh->pm, &p_md, st->engine,
                                p->dtype == ATTN_F32 ? (void *)st->s_buf : st->p_buf));
    return 0;
fail:
    return 1;
}

void onednn_shape_release(onednn_shape *sh)
{
    dnnl_primitive_destroy(sh->qk);
    dnnl_primitive_destroy(sh->softmax);
    dnnl_primitive_destroy(sh->pv);
    dnnl_memory_t mems[] = {sh->q, sh->k, sh->s, sh->pm, sh->v, sh->o};
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++)
        dnnl_memory_destroy(mems[i]);
}

int onednn_shape_scores(onednn_state *st, onednn_shape *sh, const void *q, const void *k)
{
    /* oneDNN takes void *; it only reads q and k. */
    dnnl_exec_arg_t args[] = {
        {DNNL_ARG_SRC, sh->q}, {DNNL_ARG_WEIGHTS, sh->k}, {DNNL_ARG_DST, sh->s}};
    return dnnl_memory_set_data_handle(sh->q, (void *)q) != dnnl_success ||
           dnnl_memory_set_data_handle(sh->k, (void *)k) != dnnl_success ||
           dnnl_primitive_execute(sh->qk, st->stream, 3, args) != dnnl_success ||
           dnnl_stream_wait(st->stream) != dnnl_success;
}

int onednn_shape_output(onednn_state *st, onednn_shape *sh, const void *v, void *o)
{
    dnnl_exec_arg_t sm_args[] = {{DNNL_ARG_SRC, sh->s}, {DNNL_ARG_DST, sh->pm}};
    dnnl_exec_arg_t pv_args[] = {
        {DNNL_ARG_SRC, sh->pm}, {DNNL_ARG_WEIGHTS, sh->v}, {DNNL_ARG_DST, sh->o}};
    return dnnl_memory_set_data_handle(sh->v, (void *)v) != dnnl_success ||
           dnnl_memory_set_data_handle(sh->o, o) != dnnl_success ||
           dnnl_primitive_execute(sh->softmax, st->stream, 2, sm_args) != dnnl_success ||
           dnnl_primitive_execute(sh->pv, st->stream, 3, pv_args) != dnnl_success ||
           dnnl_stream_wait(st->stream) != dnnl_success;
}

void *onednn_alloc(size_t bytes)
{
    bytes = (bytes + 63) / 64 * 64;
    return aligned_alloc(64, bytes > 0 ? bytes : 64);
}

int onednn_prepare_scores(const onednn_state *st, float *s, size_t ld, int g, int r0, int m,
                          int k0, int n)
{
    const attn_problem *p = &st->p;
    const int b = g / p->kv_heads, group = p->heads / p->kv_heads;
    int blind = 0;
#pragma omp parallel for schedule(static) num_threads(impl_threads(p)) reduction(+ : blind)
    for (int r = 0; r < m; r++) {
        const int stacked = r0 + r, i = stacked % p->seq_q;
        const int h = g % p->kv_heads * group + stacked / p->seq_q;
        float *row = s + (size_t)r * ld;
        int lo, hi;
        impl_key_range(p, b, i, &lo, &hi);
        int c0 = lo - k0 > 0 ? lo - k0 : 0, c1 = hi - k0 < n ? hi - k0 : n;
        if (c1 <= c0)
            c0 = c1 = 0;
        impl_score_extras(p, h, i, k0 + c0, row + c0, c1 - c0);
        for (int c = 0; c < c0; c++)
            row[c] = -INFINITY;
        for (int c = c1; c < n; c++)
            row[c] = -INFINITY;
        blind += c1 == c0;
    }
    return blind;
}

/* The whole-problem path's buffers, primitives and memory. */
static int whole_prepare(onednn_state *st, char *why, size_t why_len, const char **stage)
{
    const attn_problem *p = &st->p;
    const size_t groups = (size_t)p->batch * p->kv_heads;
    const size_t scores = groups * st->rows * p->seq_kv;
    st->s_buf = onednn_alloc(sizeof(float) * scores);
    if (p->dtype != ATTN_F32)
        st->p_buf = onednn_alloc(2 * scores);
    if (st->s_buf == NULL || (p->dtype != ATTN_F32 && st->p_buf == NULL)) {
        snprintf(why, why_len, "out of memory for the %zu x %d x %d score tensor", groups,
                 st->rows, p->seq_kv);
        return 1;
    }
    st->whole = (onednn_shape){.groups = (int)groups, .m = st->rows, .n = p->seq_kv};
    return onednn_shape_make(st, &st->whole, why, why_len, stage);
}

/* Some row does not see some key: the blocked path. */
static int has_mask(const attn_problem *p)
{
    return p->window_left >= 0 || p->window_right >= 0 || p->kv_len != NULL;
}

static int onednn_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    onednn_state *st = calloc(1, sizeof *st);
    const char *stage = NULL;   /* the primitive being made: unimplemented for a 16-bit dtype,
                                   it is the dtype's gap on this CPU */
    if (st == NULL) {
        snprintf(why, why_len, "out of memory");
        return 1;
    }
    st->p = *p;
    st->rows = impl_stacked_rows(p);
    omp_set_num_threads(impl_threads(p));
    DNNL_TRY(dnnl_engine_create(&st->engine, dnnl_cpu, 0));
    DNNL_TRY(dnnl_stream_create(&st->stream, st->engine, dnnl_stream_default_flags));
    if ((has_mask(p) ? onednn_blocks_prepare(st, why, why_len, &stage)
                     : whole_prepare(st, why, why_len, &stage)) != 0)
        goto fail;
    *state = st;
    return 0;
fail:
    onednn_release(st);
    if (stage != NULL && p->dtype != ATTN_F32 && strstr(why, "unimplemented") != NULL) {
        snprintf(why, why_len, "oneDNN 2.6 has no %s %s for this CPU (the best ISA it finds "
                 "here: %s)", p->dtype == ATTN_BF16 ? "bf16" : "f16", stage,
                 onednn_isa_name(dnnl_get_effective_cpu_isa()));
        return ATTN_UNSUPPORTED;
    }
    return 1;
}

static int whole_run(onednn_state *st, const void *q, const void *k, const void *v, void *o)
{
    const attn_problem *p = &st->p;
    if (onednn_shape_scores(st, &st->whole, q, k) != 0)
        return 2;
    if (p->softcap != 0 || p->alibi != NULL) {
        const size_t group_floats = (size_t)st->rows * p->seq_kv;
        for (int g = 0; g < p->batch * p->kv_heads; g++)
            onednn_prepare_scores(st, st->s_buf + group_floats * g, p->seq_kv, g, 0, st->rows, 0,
                                  p->seq_kv);
    }
    return onednn_shape_output(st, &st->whole, v, o) != 0 ? 2 : 0;
}

static int onednn_run(void *state, const void *q, const void *k, const void *v, void *o)
{
    onednn_state *st = state;
    omp_set_num_threads(impl_threads(&st->p));
    return st->n_blocks > 0 ? onednn_blocks_run(st, q, k, v, o) : whole_run(st, q, k, v, o);
}

void onednn_describe(const void *state, char *out, size_t len)
{
    const onednn_state *st = state;
    snprintf(out, len, "%s%s", st->chosen, st->n_blocks > 0 ? " (key blocks)" : "");
}

const attn_impl attn_impl_onednn = {
    .name = "onednn",
    .summary = "oneDNN 2.6: matmul (scale attr), cap/bias/-inf mask, softmax, matmul; "
               "masked problems by visible key blocks",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS | ATTN_CAP_BF16 |
            ATTN_CAP_F16 | ATTN_CAP_WINDOW | ATTN_CAP_TOP_LEFT | ATTN_CAP_KV_LEN |
            ATTN_CAP_SOFTCAP | ATTN_CAP_ALIBI | ATTN_CAP_DV,
    .available = NULL,
    .prepare = onednn_prepare,
    .run = onednn_run,
    .release = onednn_release,
};
