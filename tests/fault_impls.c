/* fault_impls.c: implementations that fail as processes do (signals, hangs, exit) or through
 * the interface (nonzero returns), each at a known stage, for the runner's tests. */
#include "fault_impls.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int ok_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)p;
    (void)why;
    (void)why_len;
    *state = NULL;
    return 0;
}

#define UNUSED_RUN_ARGS (void)state, (void)q, (void)k, (void)v, (void)o

static int run_segv(void *state, const void *q, const void *k, const void *v, void *o)
{
    UNUSED_RUN_ARGS;
    raise(SIGSEGV);
    return 0;
}

static int run_abort(void *state, const void *q, const void *k, const void *v, void *o)
{
    UNUSED_RUN_ARGS;
    abort();
}

static int run_ill(void *state, const void *q, const void *k, const void *v, void *o)
{
    UNUSED_RUN_ARGS;
    raise(SIGILL);
    return 0;
}

static int run_fpe(void *state, const void *q, const void *k, const void *v, void *o)
{
    UNUSED_RUN_ARGS;
    raise(SIGFPE);
    return 0;
}

static int run_hang(void *state, const void *q, const void *k, const void *v, void *o)
{
    UNUSED_RUN_ARGS;
    for (;;)
        pause();
    return 0;
}

static int run_exit(void *state, const void *q, const void *k, const void *v, void *o)
{
    UNUSED_RUN_ARGS;
    exit(3);
}

static int run_error(void *state, const void *q, const void *k, const void *v, void *o)
{
    UNUSED_RUN_ARGS;
    return 7;
}

static int prepare_error(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)p;
    *state = NULL;
    snprintf(why, why_len, "no plan for this shape");
    return 1;
}

static int prepare_unsupported(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)p;
    *state = NULL;
    snprintf(why, why_len, "this CPU has no AMX tiles");
    return ATTN_UNSUPPORTED;
}

static int not_here(char *why, size_t why_len)
{
    snprintf(why, why_len, "needs a CPU this is not");
    return 1;
}

/* The stray accesses keep the problem, to know where each tensor ends. */
static int keep_prepare(const attn_problem *p, void **state, char *why, size_t why_len)
{
    (void)why;
    (void)why_len;
    attn_problem *copy = malloc(sizeof *copy);
    if (copy == NULL)
        return 1;
    *copy = *p;
    *state = copy;
    return 0;
}

static size_t q_floats(const attn_problem *p)
{
    return (size_t)p->batch * p->heads * p->seq_q * p->head_dim;
}

static size_t kv_floats(const attn_problem *p)
{
    return (size_t)p->batch * p->kv_heads * p->seq_kv * p->head_dim;
}

static int run_write_past_o(void *state, const void *q_in, const void *k_in, const void *v_in,
                            void *o_out)
{
    const float *q = q_in, *k = k_in, *v = v_in;
    float *o = o_out;
    (void)q, (void)k, (void)v;
    o[q_floats(state)] = 1.0f;
    return 0;
}

static int run_write_before_o(void *state, const void *q_in, const void *k_in, const void *v_in,
                              void *o_out)
{
    const float *q = q_in, *k = k_in, *v = v_in;
    float *o = o_out;
    (void)state, (void)q, (void)k, (void)v;
    o[-1] = 1.0f;
    return 0;
}

static int run_read_past_k(void *state, const void *q_in, const void *k_in, const void *v_in,
                           void *o_out)
{
    const float *q = q_in, *k = k_in, *v = v_in;
    float *o = o_out;
    (void)q, (void)v;
    o[0] = *(volatile const float *)&k[kv_floats(state)];
    return 0;
}

/* Allocates and touches 16 MiB at a time without end, never checking for NULL: the runaway a
 * memory limit exists for. */
static int run_runaway(void *state, const void *q, const void *k, const void *v, void *o)
{
    UNUSED_RUN_ARGS;
    for (;;) {
        char *block = malloc(16 << 20);
        memset(block, 1, 16 << 20);
    }
    return 0;
}

#define ALL_CAPS (ATTN_CAP_CAUSAL | ATTN_CAP_GQA | ATTN_CAP_CROSS | ATTN_CAP_THREADS)
#define FAULT(var, nm, prep, runf, avail) \
    const attn_impl var = {.name = nm, .summary = "test fault", .caps = ALL_CAPS, \
                           .available = avail, .prepare = prep, .run = runf}

FAULT(fault_segv, "fault_segv", ok_prepare, run_segv, NULL);
FAULT(fault_abort, "fault_abort", ok_prepare, run_abort, NULL);
FAULT(fault_ill, "fault_ill", ok_prepare, run_ill, NULL);
FAULT(fault_fpe, "fault_fpe", ok_prepare, run_fpe, NULL);
FAULT(fault_hang, "fault_hang", ok_prepare, run_hang, NULL);
FAULT(fault_exit, "fault_exit", ok_prepare, run_exit, NULL);
FAULT(fault_prepare_error, "fault_prepare_error", prepare_error, run_error, NULL);
FAULT(fault_run_error, "fault_run_error", ok_prepare, run_error, NULL);
FAULT(fault_unsupported, "fault_unsupported", prepare_unsupported, run_error, NULL);
#define STRAY(var, nm, runf) \
    const attn_impl var = {.name = nm, .summary = "test fault", .caps = ALL_CAPS, \
                           .prepare = keep_prepare, .run = runf, .release = free}
STRAY(fault_write_past_o, "fault_write_past_o", run_write_past_o);
STRAY(fault_write_before_o, "fault_write_before_o", run_write_before_o);
STRAY(fault_read_past_k, "fault_read_past_k", run_read_past_k);
FAULT(fault_runaway, "fault_runaway", ok_prepare, run_runaway, NULL);
FAULT(fault_unavailable, "fault_unavailable", ok_prepare, run_error, not_here);
