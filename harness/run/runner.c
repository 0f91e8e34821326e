/* runner.c: case isolation and timing. The parent forks a child per case; the child prepares,
 * warms up, times run() until min_reps and min_time_s are met, and reports through a shared
 * page; the parent waits with a deadline, then reads the child's fate and checks its output. */
#include "runner.h"

#include "dtype.h"
#include "twin.h"
#include "gen.h"
#include "host.h"
#include "runner_child.h"
#include "stats.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static const char *const stage_names[] = {
#define STAGE_NAME(id, name) name,
    STAGES(STAGE_NAME)
#undef STAGE_NAME
};

double runner_problem_bytes(const attn_problem *p)
{
    double rows = (double)p->batch * p->heads * p->seq_q;
    double kv_rows = (double)p->batch * p->kv_heads * p->seq_kv;
    double q = rows * p->head_dim, o = rows * p->head_dim_v;
    double k = kv_rows * p->head_dim, v = kv_rows * p->head_dim_v;
    double elem = (double)dtype_size(p->dtype);
    /* q, k, v, o, the second set's q, k, v, the saved first output, in the dtype; float32
     * copies of both input sets when the dtype is not float32; two references. */
    double copies = p->dtype == ATTN_F32 ? 0 : sizeof(float) * 2 * (q + k + v);
    return elem * (2 * (q + k + v + o)) + copies + 2 * sizeof(double) * (2 * o + rows);
}

static void ref_alloc(ref_out *r, size_t o_len, size_t rows)
{
    r->o = proc_shared_alloc(sizeof(double) * o_len);
    r->mag = proc_shared_alloc(sizeof(double) * o_len);
    r->row_score = proc_shared_alloc(sizeof(double) * rows);
    r->row_bias = proc_shared_alloc(sizeof(double) * rows);
}

static void ref_free(ref_out *r, size_t o_len, size_t rows)
{
    proc_shared_free(r->o, sizeof(double) * o_len);
    proc_shared_free(r->mag, sizeof(double) * o_len);
    proc_shared_free(r->row_score, sizeof(double) * rows);
    proc_shared_free(r->row_bias, sizeof(double) * rows);
}

int runner_problem_init(runner_problem *rp, const attn_problem *p, int dist, uint64_t seed,
                        char *why, size_t why_len)
{
    memset(rp, 0, sizeof *rp);
    rp->p = p;
    if (runner_problem_bytes(p) > (double)(SIZE_MAX / 4)) {   /* sizes below would wrap */
        snprintf(why, why_len, "the problem's tensors (%.3g bytes) exceed the address space",
                 runner_problem_bytes(p));
        return 1;
    }
    rp->n = gen_sizes_of(p);
    rp->rows = (size_t)p->batch * p->heads * p->seq_q;

    static const char *const names[GUARD_N] = {"q", "k", "v", "o"};
    int failed = 0, f32 = p->dtype == ATTN_F32;
    rp->elem = dtype_size(p->dtype);
    for (int i = 0; i < GUARD_N; i++)
        failed |= guard_alloc(&rp->bufs[i], names[i],
                              rp->elem * (i == GUARD_Q   ? rp->n.q
                                          : i == GUARD_K ? rp->n.k
                                          : i == GUARD_V ? rp->n.v
                                                         : rp->n.o),
                              i == GUARD_O) != 0;
    rp->q = rp->bufs[GUARD_Q].data;
    rp->k = rp->bufs[GUARD_K].data;
    rp->v = rp->bufs[GUARD_V].data;
    rp->o = rp->bufs[GUARD_O].data;
    ref_alloc(&rp->ref, rp->n.o, rp->rows);
    ref_alloc(&rp->ref2, rp->n.o, rp->rows);
    rp->q2 = malloc(rp->elem * rp->n.q);
    rp->k2 = malloc(rp->elem * rp->n.k);
    rp->v2 = malloc(rp->elem * rp->n.v);
    /* float32 copies: the float32 tensors themselves when the dtype is float32. */
    rp->qf = f32 ? rp->q : malloc(sizeof(float) * rp->n.q);
    rp->kf = f32 ? rp->k : malloc(sizeof(float) * rp->n.k);
    rp->vf = f32 ? rp->v : malloc(sizeof(float) * rp->n.v);
    rp->q2f = f32 ? rp->q2 : malloc(sizeof(float) * rp->n.q);
    rp->k2f = f32 ? rp->k2 : malloc(sizeof(float) * rp->n.k);
    rp->v2f = f32 ? rp->v2 : malloc(sizeof(float) * rp->n.v);
    rp->o_first = proc_shared_alloc(rp->elem * rp->n.o);
    rp->twin_rel_l2 = proc_shared_alloc(sizeof(double));
    if (rp->twin_rel_l2 != NULL)
        *rp->twin_rel_l2 = NAN;
    if (failed || !rp->ref.o || !rp->ref.mag || !rp->ref.row_score || !rp->ref.row_bias ||
        !rp->ref2.o || !rp->ref2.mag || !rp->ref2.row_score || !rp->ref2.row_bias || !rp->q2 ||
        !rp->k2 || !rp->v2 || !rp->qf || !rp->kf || !rp->vf || !rp->q2f || !rp->k2f ||
        !rp->v2f || !rp->o_first || !rp->twin_rel_l2) {
        snprintf(why, why_len, "out of memory for the problem's tensors (%.1f MiB)",
                 runner_problem_bytes(p) / 1048576.0);
        runner_problem_free(rp);
        return 1;
    }
    /* Made in float32, then rounded to the dtype: the reference works from the rounded
     * values, so a case's error is its arithmetic's, not its inputs' rounding (DESIGN). */
    gen_inputs(p, seed, dist, 0, rp->qf, rp->kf, rp->vf);
    gen_inputs(p, seed, dist, GEN_SECOND_SET, rp->q2f, rp->k2f, rp->v2f);
    dtype_round(p->dtype, rp->qf, rp->n.q, rp->q);
    dtype_round(p->dtype, rp->kf, rp->n.k, rp->k);
    dtype_round(p->dtype, rp->vf, rp->n.v, rp->v);
    dtype_round(p->dtype, rp->q2f, rp->n.q, rp->q2);
    dtype_round(p->dtype, rp->k2f, rp->n.k, rp->k2);
    dtype_round(p->dtype, rp->v2f, rp->n.v, rp->v2);
    rp->hash_q = gen_hash(rp->q, rp->elem * rp->n.q);
    rp->hash_k = gen_hash(rp->k, rp->elem * rp->n.k);
    rp->hash_v = gen_hash(rp->v, rp->elem * rp->n.v);
    return 0;
}

void runner_problem_free(runner_problem *rp)
{
    for (int i = 0; i < GUARD_N; i++)
        guard_free(&rp->bufs[i]);
    ref_free(&rp->ref, rp->n.o, rp->rows);
    ref_free(&rp->ref2, rp->n.o, rp->rows);
    if ((void *)rp->qf != rp->q) {   /* float32 copies of their own (not a float32 problem) */
        free(rp->qf);
        free(rp->kf);
        free(rp->vf);
        free(rp->q2f);
        free(rp->k2f);
        free(rp->v2f);
    }
    free(rp->q2);
    free(rp->k2);
    free(rp->v2);
    proc_shared_free(rp->o_first, rp->elem * rp->n.o);
    proc_shared_free(rp->twin_rel_l2, sizeof(double));
    memset(rp, 0, sizeof *rp);
}

void runner_reference(runner_problem *rp, int threads)
{
    pid_t pid = proc_fork_isolated();
    if (pid == 0) {
        int rc = ref_compute(rp->p, rp->qf, rp->kf, rp->vf, &rp->ref, threads) != 0 ||
                 ref_compute(rp->p, rp->q2f, rp->k2f, rp->v2f, &rp->ref2, threads) != 0;
        /* The twin is a yardstick, not the reference: without it the case is still checked. */
        if (rc == 0 && twin_rel_l2(rp->p, rp->qf, rp->kf, rp->vf, rp->ref.o, threads,
                                   rp->twin_rel_l2) != 0)
            *rp->twin_rel_l2 = NAN;
        _exit(rc == 0 ? 0 : 3);
    }
    int ws = 0;
    rp->ref_ok = 0;
    if (pid < 0) {
        snprintf(rp->ref_why, sizeof rp->ref_why, "reference: fork failed: %s", strerror(errno));
        return;
    }
    proc_wait_deadline(pid, 0, &ws);
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
        rp->ref_ok = 1;
    else if (WIFEXITED(ws))
        snprintf(rp->ref_why, sizeof rp->ref_why, "reference: out of memory");
    else
        snprintf(rp->ref_why, sizeof rp->ref_why, "reference: died of signal %d",
                 WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
}

/* "SIGSEGV (Segmentation fault)" */
static void signal_text(int sig, char *out, size_t len)
{
    const char *abbrev = sigabbrev_np(sig);
    snprintf(out, len, "SIG%s (%s)", abbrev ? abbrev : "?", strsignal(sig));
}

/* "in run, repetition 3" for where the child was. */
static void stage_text(const child_report *rep, char *out, size_t len)
{
    int st = rep->stage;
    if (st == STAGE_WARMUP || st == STAGE_TIMED)
        snprintf(out, len, "in %s, repetition %d", stage_names[st], rep->rep + 1);
    else
        snprintf(out, len, "in %s", stage_names[st >= 0 && st <= STAGE_DONE ? st : 0]);
}

/* For a case killed by sig: when it had used most of its address-space allowance, or the
 * kernel killed it, says that it ran out of memory (appended to what, if what is empty). */
static void out_of_memory_text(const child_report *rep, const runner_opts *opts, int sig,
                               char *what, size_t len)
{
    if (what[0] != '\0')
        return;
    long long allowed = rep->vm_limit - rep->vm_base;
    if (sig == SIGKILL) {
        snprintf(what, len, " (not by the harness: the kernel's out-of-memory killer is the "
                 "usual sender)");
    } else if (rep->vm_limit > 0 && rep->vm_at_death >= 0 &&
               rep->vm_at_death - rep->vm_base >= allowed / 10 * 9) {
        snprintf(what, len, ": out of memory (its allocations had reached %lld of the %lld MiB "
                 "allowed: %s)", (rep->vm_at_death - rep->vm_base) >> 20, allowed >> 20,
                 opts->mem_budget_set ? "[measure] memory_limit_mib, plus room for thread "
                                        "stacks" : "the memory available when it started");
    }
}

/* The case against its textbook twin (twin.h), after the analytic bound: err_ratio always
 * when the twin is known, and a FAIL past the rule when the bound had passed it. */
static void judge_by_twin(const runner_problem *rp, const runner_opts *opts, check_result *c)
{
    double t = *rp->twin_rel_l2;
    c->twin_known = isfinite(t) && c->nonfinite == 0;
    if (!c->twin_known)
        return;
    c->twin_rel_l2 = t;
    char why[sizeof c->reason];
    int ok = twin_judge(rp->p, c->rel_l2_err, t, &opts->twin, &c->err_ratio, why, sizeof why);
    if (c->pass && !ok) {
        c->pass = 0;
        snprintf(c->reason, sizeof c->reason, "%s", why);
    }
}

/* The output of the run on the second input set, against that set's reference. A run() that
 * replays what it computed before fails here even when its first output was right. */
static void check_second_set(const runner_problem *rp, const runner_opts *opts,
                             case_result *res)
{
    check_result second;
    check_output(rp->p, rp->o, &rp->ref2, &opts->tol, &second);
    res->second_checked = 1;
    if (second.pass)
        return;
    res->status = ST_FAIL;
    if (memcmp(rp->o, rp->o_first, rp->elem * rp->n.o) == 0)
        snprintf(res->reason, sizeof res->reason,
                 "run() ignores its inputs: with a second input set written over q, k and v, "
                 "it returned the first set's output again (run must compute from the current "
                 "contents of its inputs on every call)");
    else
        snprintf(res->reason, sizeof res->reason,
                 "run() does not follow its inputs: with a second input set written over q, k "
                 "and v, its output fails the check: %.300s", second.reason);
}

/* What the child measured, into res: its times and their statistics, the noise, memory, page
 * faults, counts, threads, binding and the library's choices. */
static void take_measurements(const child_report *rep, int threads, case_result *res)
{
    res->reps = rep->reps;
    if (res->reps > 0) {
        stats_summary s;
        res->times = malloc(sizeof(double) * (size_t)res->reps);
        if (res->times != NULL)
            memcpy(res->times, rep->times, sizeof(double) * (size_t)res->reps);
        stats_summarise(rep->times, res->reps, &s);
        res->t_min = s.min;
        res->t_median = s.median;
        res->t_mean = s.mean;
        res->t_stddev = s.stddev;
        res->gflops = s.median > 0 ? res->flops / s.median / 1e9 : 0;
        res->noise = rep->noise;
        noise_judge(&rep->noise, s.median, s.mad, res->reps, threads, &res->noisy);
    }
    if (rep->stage > STAGE_PREPARE && !rep->unavailable && !rep->harness_failed) {
        if (rep->hwm_after > 0 && rep->rss_before >= 0)
            res->peak_rss_delta = rep->hwm_after - rep->rss_before;
#if !defined(__SANITIZE_ADDRESS__)
        /* AddressSanitizer's allocator reports nothing to mallinfo2: no figure then. */
        res->workspace = rep->heap_peak - rep->heap_before;
#endif
        res->page_faults = rep->faults;
    }
    res->ctr = rep->ctr;
    res->os_threads = rep->os_threads > 0 ? rep->os_threads : -1;
    snprintf(res->binding, sizeof res->binding, "%s", rep->binding);
    snprintf(res->kernels, sizeof res->kernels, "%s", rep->kernels);
}

/* The case's status and reason from how the child ended (wait status ws, or timed out) and
 * what it reported; a child that ran to the end has its output checked. */
static void judge_fate(const runner_problem *rp, const runner_opts *opts,
                       const child_report *rep, int ws, int timed_out, case_result *res)
{
    char where[96], sig[96];
    stage_text(rep, where, sizeof where);
    if (timed_out) {
        res->status = ST_TIMEOUT;
        snprintf(res->reason, sizeof res->reason, "ran past timeout_s = %g s (killed %s)",
                 opts->timeout_s, where);
    } else if (WIFSIGNALED(ws)) {
        char what[160] = "";
        res->status = ST_CRASH;
        signal_text(WTERMSIG(ws), sig, sizeof sig);
        if (WTERMSIG(ws) == SIGSEGV && rep->guard_hit && rep->guard_buf >= 0 &&
            rep->guard_buf < GUARD_N) {
            what[0] = ':';
            what[1] = ' ';
            guard_describe(&rp->bufs[rep->guard_buf], rep->guard_offset, rep->guard_write,
                           what + 2, sizeof what - 2);
        }
        out_of_memory_text(rep, opts, WTERMSIG(ws), what, sizeof what);
        snprintf(res->reason, sizeof res->reason, "killed by %s %s%s", sig, where, what);
    } else if (rep->stage != STAGE_DONE) {
        res->status = ST_CRASH;
        snprintf(res->reason, sizeof res->reason, "the process exited with status %d %s",
                 WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, where);
    } else if (rep->harness_failed) {
        res->status = ST_ERROR;
        snprintf(res->reason, sizeof res->reason, "%s", rep->why);
    } else if (rep->unavailable) {
        res->status = ST_SKIP;
        snprintf(res->reason, sizeof res->reason, "unavailable: %s", rep->why);
    } else if (rep->rc == ATTN_UNSUPPORTED && rep->failed_stage == STAGE_PREPARE &&
               opts->impl_abi != 1) {
        res->status = ST_SKIP;
        snprintf(res->reason, sizeof res->reason, "unsupported here: %s",
                 rep->why[0] ? rep->why : "(no reason given)");
    } else if (rep->rc != 0 && rep->failed_stage == STAGE_PREPARE) {
        res->status = ST_ERROR;
        snprintf(res->reason, sizeof res->reason, "prepare returned %d: %s", rep->rc,
                 rep->why[0] ? rep->why : "(no reason given)");
    } else if (rep->rc != 0) {
        res->status = ST_ERROR;
        snprintf(res->reason, sizeof res->reason, "run returned %d in %s, repetition %d",
                 rep->rc, stage_names[rep->failed_stage], rep->failed_rep + 1);
    } else if (rep->overrun[0] != '\0') {
        res->status = ST_FAIL;
        snprintf(res->reason, sizeof res->reason, "run %s (found after %s, repetition %d)",
                 rep->overrun, stage_names[rep->overrun_stage], rep->overrun_rep + 1);
    } else if (rep->modified) {
        res->status = ST_FAIL;
        snprintf(res->reason, sizeof res->reason, "run modified its input%s%s%s",
                 rep->modified & 1 ? " q" : "", rep->modified & 2 ? " k" : "",
                 rep->modified & 4 ? " v" : "");
    } else {
        check_output(rp->p, rep->second_ran ? rp->o_first : rp->o, &rp->ref, &opts->tol,
                     &res->check);
        judge_by_twin(rp, opts, &res->check);
        res->checked = 1;
        res->status = res->check.pass ? ST_PASS : ST_FAIL;
        snprintf(res->reason, sizeof res->reason, "%s", res->check.reason);
        if (res->check.pass && rep->second_ran)
            check_second_set(rp, opts, res);
    }
}

void runner_run_case(const runner_problem *rp, const attn_impl *impl, int threads,
                     const runner_opts *opts, case_result *res)
{
    size_t rep_bytes = sizeof(child_report) + sizeof(double) * (size_t)opts->max_reps;
    child_report *rep = proc_shared_alloc(rep_bytes);
    int ws = 0;

    memset(res, 0, sizeof *res);
    res->flops = sweep_flops(rp->p);
    res->peak_rss_delta = res->workspace = res->page_faults = -1;
    if (rep == NULL) {
        res->status = ST_ERROR;
        snprintf(res->reason, sizeof res->reason, "harness: cannot map the report page");
        return;
    }

    double t0 = host_now_s();
    pid_t pid = proc_fork_isolated();
    if (pid == 0)
        runner_child_main(rp, impl, threads, opts, rep);
    if (pid < 0) {
        res->status = ST_ERROR;
        snprintf(res->reason, sizeof res->reason, "harness: fork failed: %s", strerror(errno));
        proc_shared_free(rep, rep_bytes);
        return;
    }
    int waited = proc_wait_deadline(pid, t0 + opts->timeout_s, &ws);
    res->wall_s = host_now_s() - t0;
    if (waited == 2) {
        res->status = ST_ERROR;
        res->interrupted = 1;
        snprintf(res->reason, sizeof res->reason, "interrupted by signal %d", (int)proc_stop);
    } else {
        take_measurements(rep, threads, res);
        judge_fate(rp, opts, rep, ws, waited == 1, res);
    }
    proc_shared_free(rep, rep_bytes);
}
