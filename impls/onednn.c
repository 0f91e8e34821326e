/* onednn: attention composed from oneDNN 2.6 primitives through its C API, batched over heads:
 *   S = scale * Q K^T   one matmul, the scale an output-scales attribute
 *   causal mask         -inf written over the masked part of S (see below)
 *   P = softmax(S)      softmax primitive on the last axis, in place
 *   O = P V             one matmul
 * With GQA the query heads sharing a kv head are stacked into one matrix of G * N_q rows, so
 * each matmul batch entry is (batch, kv head) and K and V are read where they lie (K^T is a
 * strided view, no copy). Primitives are created in prepare; run only executes them. The
 * workspace is S for every head at once, which is what composing primitives costs: it grows
 * with N_q x N_kv. Threads: this oneDNN uses OpenMP, so T is set with omp_set_num_threads.
 *
 * The mask is not a binary-add post-op: in oneDNN 2.6 a mask broadcast over the batch (or given
 * with a zero batch stride) sends the matmul to its reference implementation (ref:any in
 * ONEDNN_VERBOSE), measured at 0.12 GFLOP/s against 80 for the JIT one, and a dense mask per
 * batch entry would double the workspace. Writing -inf over the masked keys of each row, after
 * the matmul, is the equivalent: the softmax primitive then gives them exactly 0.
 *
 * bf16 and f16: Q, K, V and O in the dtype, S in float32 (the matmul accumulates in float32
 * and writes it so), the softmax from float32 S to P in the dtype (p rounded before P V, as
 * FlashAttention does), P V accumulated in float32 and written in the dtype. Where oneDNN has no
 * implementation of one of these for the dtype on this CPU (on an AVX2-only CPU it has no bf16
 * or f16 matmul at all), prepare says so and returns ATTN_UNSUPPORTED. */
#include "attn.h"
#include "impl_util.h"
#include "registry.h"

#include <math.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct onednn_state {
    attn_problem p;
    int rows;                        /* stacked query rows per (batch, kv head): G * N_q */
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dnnl_primitive_t qk, softmax, pv;
    dnnl_memory_t q, k, v, o, s, pm;
    float *s_buf;
    void *p_buf;                     /* 16-bit dtypes: P in the dtype; NULL in float32 (P is S) */
    char chosen[256];                /* the implementation each primitive picked */
} onednn_state;

/* Calls a dnnl_* function; on failure says which call failed and why, and jumps to fail. */
#define DNNL_TRY(call)                                                                   \
    do {                                                                                 \
        dnnl_status_t status_ = (call);                                                  \
        if (status_ != dnnl_success) {                                                   \
            impl_why(why, why_len, "%s: %s", #call, dnnl_status2str(status_));          \
            goto fail;                                                                   \
        }                                                                                \
    } while (0)

static void onednn_release(void *state)
{
    onednn_state *st = state;
    if (st == NULL)
        return;
    dnnl_primitive_destroy(st->qk);
    dnnl_primitive_destroy(st->softmax);
    dnnl_primitive_destroy(st->pv);
    dnnl_memory_t mems[] = {st->q, st->k, st->v, st->o, st->s, st->pm};
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++)
        dnnl_memory_destroy(mems[i]);
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
static dnnl_data_type_t dnnl_type(int dtype)
{
    return dtype == ATTN_BF16 ? dnnl_bf16 : dtype == ATTN_F16 ? dnnl_f16 : dnnl_f32;
}

/* A 3-D descriptor of type t with explicit strides (row-major unless the strides say
 * otherwise). */
static dnnl_status_t md3(dnnl_memory_desc_t *md, dnnl_data_type_t t, dnnl_dim_t d0,
                         dnnl_dim_t d1, dnnl_dim_t d2, dnnl_dim_t s0, dnnl_dim_t s1,
                         dnnl_dim_t s2)
{
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
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success) {
        size_t at = strlen(chosen);
        snprintf(chosen + at, chosen_len - at, "%s%s %s", at ? ", " : "", what,
                 impl ? impl : "?");
    }
    status = dnnl_primitive_create(prim, pd);
    dnnl_primitive_desc_destroy(pd);
    return status;
}

static void *alloc_aligned(size_t bytes)
{
    bytes = (bytes + 63) / 64 * 64;
    return aligned_alloc(64, bytes > 0 ? bytes : 64);
}

static int onednn_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    onednn_state *st = calloc(1, sizeof *st);
    dnnl_primitive_attr_t attr = NULL;
    if (st == NULL) {
        impl_why(why, why_len, "out of memory");
        return 1;
    }
    st->p = *p;
    omp_set_num_threads(impl_threads(p));

    const dnnl_dim_t groups = (dnnl_dim_t)p->batch * p->kv_heads, d = p->head_dim;
    const dnnl_dim_t n_kv = p->seq_kv, rows = impl_stacked_rows(p);
    st->rows = (int)rows;
    const int f32 = p->dtype == ATTN_F32;
    const dnnl_data_type_t dt = dnnl_type(p->dtype);
    const char *unsupported = NULL;   /* the primitive being made: unimplemented for a 16-bit
                                         dtype, it is the dtype's gap on this CPU */
    st->s_buf = alloc_aligned(sizeof(float) * (size_t)groups * rows * n_kv);
    if (!f32)
        st->p_buf = alloc_aligned(2 * (size_t)groups * rows * n_kv);
    if (st->s_buf == NULL || (!f32 && st->p_buf == NULL)) {
        impl_why(why, why_len, "out of memory for the %lld x %lld x %lld score tensor",
                 (long long)groups, (long long)rows, (long long)n_kv);
        goto fail;
    }

    dnnl_memory_desc_t q_md, kt_md, v_md, o_md, s_md, p_md;
    DNNL_TRY(md3(&q_md, dt, groups, rows, d, rows * d, d, 1));
    DNNL_TRY(md3(&kt_md, dt, groups, d, n_kv, n_kv * d, 1, d));   /* K^T: K read by columns */
    DNNL_TRY(md3(&v_md, dt, groups, n_kv, d, n_kv * d, d, 1));
    DNNL_TRY(md3(&o_md, dt, groups, rows, d, rows * d, d, 1));
    DNNL_TRY(md3(&s_md, dnnl_f32, groups, rows, n_kv, rows * n_kv, n_kv, 1));
    DNNL_TRY(md3(&p_md, dt, groups, rows, n_kv, rows * n_kv, n_kv, 1));

    DNNL_TRY(dnnl_engine_create(&st->engine, dnnl_cpu, 0));
    DNNL_TRY(dnnl_stream_create(&st->stream, st->engine, dnnl_stream_default_flags));

    DNNL_TRY(dnnl_primitive_attr_create(&attr));
    DNNL_TRY(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &p->scale));
    dnnl_matmul_desc_t qk_desc, pv_desc;
    DNNL_TRY(dnnl_matmul_desc_init(&qk_desc, &q_md, &kt_md, NULL, &s_md));
    unsupported = "QK^T matmul";
    DNNL_TRY(make_primitive(&st->qk, &qk_desc, attr, st->engine, "QK^T matmul", st->chosen,
                            sizeof st->chosen));
    dnnl_softmax_v2_desc_t sm_desc;
    DNNL_TRY(dnnl_softmax_v2_forward_desc_init(&sm_desc, dnnl_forward_inference,
                                               dnnl_softmax_accurate, &s_md, &p_md, 2));
    unsupported = "softmax";
    DNNL_TRY(make_primitive(&st->softmax, &sm_desc, NULL, st->engine, "softmax", st->chosen,
                            sizeof st->chosen));
    DNNL_TRY(dnnl_matmul_desc_init(&pv_desc, &p_md, &v_md, NULL, &o_md));
    unsupported = "PV matmul";
    DNNL_TRY(make_primitive(&st->pv, &pv_desc, NULL, st->engine, "PV matmul", st->chosen,
                            sizeof st->chosen));
    unsupported = NULL;

    DNNL_TRY(dnnl_memory_create(&st->q, &q_md, st->engine, DNNL_MEMORY_NONE));
    DNNL_TRY(dnnl_memory_create(&st->k, &kt_md, st->engine, DNNL_MEMORY_NONE));
    DNNL_TRY(dnnl_memory_create(&st->v, &v_md, st->engine, DNNL_MEMORY_NONE));
    DNNL_TRY(dnnl_memory_create(&st->o, &o_md, st->engine, DNNL_MEMORY_NONE));
    DNNL_TRY(dnnl_memory_create(&st->s, &s_md, st->engine, st->s_buf));
    DNNL_TRY(dnnl_memory_create(&st->pm, &p_md, st->engine, f32 ? (void *)st->s_buf : st->p_buf));
    dnnl_primitive_attr_destroy(attr);
    *state = st;
    return 0;
fail:
    dnnl_primitive_attr_destroy(attr);
    onednn_release(st);
    if (unsupported != NULL && !f32 && strstr(why, "unimplemented") != NULL) {
        impl_why(why, why_len, "oneDNN 2.6 has no %s %s for this CPU (the best ISA it finds "
                 "here: %s)", p->dtype == ATTN_BF16 ? "bf16" : "f16", unsupported,
                 onednn_isa_name(dnnl_get_effective_cpu_isa()));
        return ATTN_UNSUPPORTED;
    }
    return 1;
}

/* -inf over the keys each stacked row does not see, in parallel over the rows. */
static void mask_scores(const onednn_state *st)
{
    const attn_problem *p = &st->p;
    const long all_rows = (long)p->batch * p->kv_heads * st->rows;
#pragma omp parallel for schedule(static) num_threads(impl_threads(p))
    for (long r = 0; r < all_rows; r++) {
        float *row = st->s_buf + (size_t)r * p->seq_kv;
        for (int j = impl_stacked_visible_keys(p, r); j < p->seq_kv; j++)
            row[j] = -INFINITY;
    }
}

static int onednn_run(void *state, const void *q, const void *k, const void *v, void *o)
{
    onednn_state *st = state;
    const attn_problem *p = &st->p;

    /* oneDNN takes void *; it only reads q, k and v. */
    if (dnnl_memory_set_data_handle(st->q, (void *)q) != dnnl_success ||
        dnnl_memory_set_data_handle(st->k, (void *)k) != dnnl_success ||
        dnnl_memory_set_data_handle(st->v, (void *)v) != dnnl_success ||
        dnnl_memory_set_data_handle(st->o, o) != dnnl_success)
        return 1;
    omp_set_num_threads(impl_threads(p));

    dnnl_exec_arg_t qk_args[] = {
        {DNNL_ARG_SRC, st->q}, {DNNL_ARG_WEIGHTS, st->k}, {DNNL_ARG_DST, st->s}};
    dnnl_exec_arg_t sm_args[] = {{DNNL_ARG_SRC, st->s}, {DNNL_ARG_DST, st->pm}};
    dnnl_exec_arg_t pv_args[] = {
        {DNNL_ARG_SRC, st->pm}, {DNNL_ARG_WEIGHTS, st->v}, {DNNL_ARG_DST, st->o}};
    if (dnnl_primitive_execute(st->qk, st->stream, 3, qk_args) != dnnl_success ||
        dnnl_stream_wait(st->stream) != dnnl_success)
        return 2;
    if (p->causal)
        mask_scores(st);
    if (dnnl_primitive_execute(st->softmax, st->stream, 2, sm_args) != dnnl_success ||
        dnnl_primitive_execute(st->pv, st->stream, 3, pv_args) != dnnl_success ||
        dnnl_stream_wait(st->stream) != dnnl_success)
        return 2;

    /* Rows that see no key (causal, N_q > N_kv) came out of softmax as NaN; they are 0. */
    const int blind = p->causal && p->seq_q > p->seq_kv ? p->seq_q - p->seq_kv : 0;
    const size_t row_bytes = (size_t)p->head_dim * (p->dtype == ATTN_F32 ? 4 : 2);
    for (size_t stack = 0; blind > 0 && stack < (size_t)p->batch * p->heads; stack++)
        memset((char *)o + stack * p->seq_q * row_bytes, 0, blind * row_bytes);   /* 0 in all */
    return 0;
}

void onednn_describe(const void *state, char *out, size_t len)
{
    const onednn_state *st = state;
    snprintf(out, len, "%s", st->chosen);
}

const attn_impl attn_impl_onednn = {
    .name = "onednn",
    .summary = "oneDNN 2.6 on all heads at once: matmul (scale attr), -inf mask, softmax, matmul",
    .caps = ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS | ATTN_CAP_BF16 |
            ATTN_CAP_F16,
    .available = NULL,
    .prepare = onednn_prepare,
    .run = onednn_run,
    .release = onednn_release,
};
