/* runner_child.c: the case's child process (runner_child.h): available, prepare, warm-up,
 * the timed repetitions, the counted ones and the second input set, each stage recorded in the
 * shared report as it begins so a crash or a hang names where it happened; and what the child
 * measures of itself (heap, resident set, page faults, threads, noise). */
#include "runner_child.h"

#include "counters.h"
#include "dtype.h"
#include "gen.h"
#include "host.h"
#include "registry.h"
#include "stats.h"
#include "topo.h"

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
#include <ucontext.h>
#include <unistd.h>

static long long read_status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long long kb = -1;
    size_t n = strlen(field);
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            kb = atoll(line + n + 1);
            break;
        }
    fclose(f);
    return kb;
}

/* Heap bytes in use (all malloc arenas plus mmap'd chunks). */
static long long heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (long long)(mi.uordblks + mi.hblkhd);
}

static void note_heap(child_report *rep)
{
    long long h = heap_in_use();
    if (h > rep->heap_peak)
        rep->heap_peak = h;
}

static long long faults_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);   /* every thread of the process */
    return (long long)(ru.ru_minflt + ru.ru_majflt);
}

/* After a run(): the first one closes the page-fault window that prepare opened. */
static void note_faults(child_report *rep, long long at_prepare)
{
    if (rep->faults < 0)
        rep->faults = faults_now() - at_prepare;
}

/* Reads every cache line of buf (twice the last-level caches) on each of the case's threads,
 * so what run() touched last is gone from every core's private caches and the shared ones.
 * Reads, not writes: dirty lines would be written back during the next, timed, run(). */
static volatile unsigned evict_sink;   /* keeps the reads */

static void evict_caches(const unsigned char *buf, size_t bytes, int threads)
{
    unsigned sum = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : sum)
    for (size_t i = 0; i < bytes; i += 64)
        sum += buf[i];
    evict_sink = sum;
}

/* The child's fault handler: when a SIGSEGV lands in a guard page it notes which tensor was
 * missed and how. SA_RESETHAND has restored the default action by then, and the signal raised
 * again is delivered on return: the process dies of SIGSEGV as the parent expects, whether
 * the first one came from a fault or from raise(). */
static child_report *fault_report;
static const guarded_buf *fault_bufs;

static void on_fault(int sig, siginfo_t *si, void *uctx)
{
    int which;
    long long offset;
    raise(sig);
    if (fault_report != NULL)
        fault_report->vm_at_death = host_vm_size();
    if (fault_report == NULL || sig != SIGSEGV || fault_report->guard_hit || si->si_code <= 0 ||
        !guard_locate(fault_bufs, GUARD_N, (uintptr_t)si->si_addr, &which, &offset))
        return;
    fault_report->guard_buf = which;
    fault_report->guard_offset = offset;
#if defined(__x86_64__) && defined(REG_ERR)
    /* The page-fault error code: bit 1 is set for a write. */
    fault_report->guard_write = (((ucontext_t *)uctx)->uc_mcontext.gregs[REG_ERR] & 2) != 0;
#else
    (void)uctx;
    fault_report->guard_write = -1;
#endif
    fault_report->guard_hit = 1;
}

static void catch_guard_faults(const runner_problem *rp, child_report *rep)
{
    /* Its own stack, so that the handler runs even when the fault is a stack overflow. */
    static unsigned char alt[1 << 16];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    fault_report = rep;
    fault_bufs = rp->bufs;
    rep->vm_at_death = -1;
    sigaltstack(&ss, NULL);
    /* The signals an allocation that failed ends in: a NULL written to, an abort(). */
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
}

/* Holds the case's address space to what it started with plus its budget, so that a runaway
 * allocation fails in the child instead of exhausting the machine. Thread stacks and the
 * libraries' per-thread pools get room on top. Not under AddressSanitizer, whose shadow
 * memory reserves terabytes of address space. */
static void limit_memory(const runner_opts *opts, int threads, child_report *rep)
{
    rep->vm_base = host_vm_size();
#if !defined(__SANITIZE_ADDRESS__)
    struct rlimit stack;
    if (opts->mem_budget <= 0 || rep->vm_base < 0)
        return;
    long long per_thread = 64LL << 20;
    if (getrlimit(RLIMIT_STACK, &stack) == 0 && stack.rlim_cur != RLIM_INFINITY)
        per_thread += (long long)stack.rlim_cur;
    else
        per_thread += 8LL << 20;
    rep->vm_limit = rep->vm_base + opts->mem_budget + (256LL << 20) + threads * per_thread;
    struct rlimit as = {(rlim_t)rep->vm_limit, (rlim_t)rep->vm_limit};
    if (setrlimit(RLIMIT_AS, &as) != 0)
        rep->vm_limit = 0;
#else
    (void)opts;
    (void)threads;
#endif
}

/* After a repetition: 0 when a sentinel beside a tensor changed (noted in rep), else 1. */
static int sentinels_intact(const runner_problem *rp, child_report *rep)
{
    for (int i = 0; i < GUARD_N; i++)
        if (guard_check(&rp->bufs[i], rep->overrun, sizeof rep->overrun) != 0) {
            rep->overrun_stage = rep->stage;
            rep->overrun_rep = rep->rep;
            return 0;
        }
    return 1;
}

/* The untimed repetitions the counters cover, after the timed ones. */
static void counted_reps(const runner_problem *rp, const attn_impl *impl, void *state,
                         const runner_opts *opts, ctr_session *cs, const unsigned char *evict,
                         int threads, child_report *rep)
{
    rep->stage = STAGE_COUNTED;
    for (long r = 0; r < opts->counter_reps; r++) {
        rep->rep = (int)r;
        if (evict != NULL)
            evict_caches(evict, opts->evict_bytes, threads);
        ctr_start(cs);
        rep->rc = impl->run(state, rp->q, rp->k, rp->v, rp->o);
        ctr_stop(cs);
        if (rep->rc != 0 || !sentinels_intact(rp, rep))
            return;
    }
    ctr_finish(cs, (int)opts->counter_reps);
}

/* Bit 0 q, 1 k, 2 v: the inputs run() changed. */
static int inputs_modified(const runner_problem *rp)
{
    return (gen_hash(rp->q, rp->elem * rp->n.q) != rp->hash_q) |
           (gen_hash(rp->k, rp->elem * rp->n.k) != rp->hash_k) << 1 |
           (gen_hash(rp->v, rp->elem * rp->n.v) != rp->hash_v) << 2;
}

/* The integrity run: the first output saved, q, k and v overwritten in place (the same
 * pointers, so a cache keyed on them is fooled as well) with the second input set, and run()
 * once more into a NaN-filled o, which the parent checks against the second reference. */
static void second_inputs(const runner_problem *rp, const attn_impl *impl, void *state,
                          child_report *rep)
{
    rep->modified = inputs_modified(rp);
    if (rep->modified)
        return;
    memcpy(rp->o_first, rp->o, rp->elem * rp->n.o);
    memcpy(rp->q, rp->q2, rp->elem * rp->n.q);
    memcpy(rp->k, rp->k2, rp->elem * rp->n.k);
    memcpy(rp->v, rp->v2, rp->elem * rp->n.v);
    dtype_fill_nan(rp->p->dtype, rp->o, rp->n.o);
    rep->second_ran = 1;
    rep->stage = STAGE_SECOND;
    rep->rep = 0;
    rep->rc = impl->run(state, rp->q, rp->k, rp->v, rp->o);
    if (rep->rc == 0)
        sentinels_intact(rp, rep);
}

/* The child's whole life: never returns. */
/* The child's set-up before prepare: the output's NaNs and sentinels, the guard-page handler,
 * the memory limit, the counters and noise probes (before any thread exists, so counters can
 * follow the threads made later), the binding, and a cold case's eviction buffer (returned, or
 * NULL). A failure of the harness's own ends the child with harness_failed set. */
static unsigned char *child_setup(const runner_problem *rp, const runner_opts *opts, int threads,
                                  child_report *rep, ctr_session **cs, noise_probe *noise)
{
    /* NaN everywhere, so an element that run() never writes fails the check; the output's
     * sentinels afresh, as an earlier case may have overwritten them. */
    dtype_fill_nan(rp->p->dtype, rp->o, rp->n.o);
    guard_arm(&rp->bufs[GUARD_O]);
    catch_guard_faults(rp, rep);
    limit_memory(opts, threads, rep);

    *cs = NULL;
    if (opts->ctr != NULL && opts->ctr->mode == CTR_PAPI)
        *cs = ctr_open(opts->ctr, threads, &rep->ctr);
    noise_open(noise, &rep->noise);
    if (opts->bind != BIND_NONE && topo_bind(opts->bind, threads, rep->binding,
                                             sizeof rep->binding) != 0) {
        snprintf(rep->why, sizeof rep->why, "harness: bind = %s: %.200s",
                 topo_bind_name(opts->bind), rep->binding);
        rep->binding[0] = '\0';
        rep->harness_failed = 1;
        rep->stage = STAGE_DONE;
        _exit(0);
    }
    unsigned char *evict = NULL;
    if (opts->evict_bytes > 0) {
        if ((evict = malloc(opts->evict_bytes)) == NULL) {
            snprintf(rep->why, sizeof rep->why, "harness: cache = cold: cannot allocate the %zu "
                     "bytes of its eviction buffer", opts->evict_bytes);
            rep->harness_failed = 1;
            rep->stage = STAGE_DONE;
            _exit(0);
        }
        memset(evict, 1, opts->evict_bytes);
    }
    return evict;
}

/* The warm-up runs, then the timed ones until min_reps and min_time_s are met (or max_reps).
 * 0, or -1 when a run failed or wrote outside o (rep says which). */
static int timed_reps(const runner_problem *rp, const attn_impl *impl, void *state,
                      const runner_opts *opts, const unsigned char *evict, int threads,
                      long long faults_at_prepare, noise_probe *noise, child_report *rep)
{
    rep->stage = STAGE_WARMUP;
    for (long w = 0; w < opts->warmup; w++) {
        rep->rep = (int)w;
        rep->rc = impl->run(state, rp->q, rp->k, rp->v, rp->o);
        note_heap(rep);
        note_faults(rep, faults_at_prepare);
        if (rep->rc != 0 || !sentinels_intact(rp, rep))
            return -1;
    }
    rep->stage = STAGE_TIMED;
    noise_begin(noise);
    double start = host_now_s();
    while (rep->reps < opts->max_reps &&
           (rep->reps < opts->min_reps || host_now_s() - start < opts->min_time_s)) {
        rep->rep = rep->reps;
        if (evict != NULL)
            evict_caches(evict, opts->evict_bytes, threads);
        double t0 = host_now_s();
        rep->rc = impl->run(state, rp->q, rp->k, rp->v, rp->o);
        double t1 = host_now_s();
        if (rep->rc != 0 || !sentinels_intact(rp, rep))
            return -1;
        rep->times[rep->reps++] = t1 - t0;
        if (rep->reps == 1) {
            note_heap(rep);
            note_faults(rep, faults_at_prepare);
        }
    }
    noise_end(noise, &rep->noise);
    return 0;
}

void runner_child_main(const runner_problem *rp, const attn_impl *impl, int threads,
                       const runner_opts *opts, child_report *rep)
{
    attn_problem p = *rp->p;
    void *state = NULL;
    p.threads = threads;

    rep->stage = STAGE_AVAILABLE;
    if (impl->available != NULL && impl->available(rep->why, sizeof rep->why) != 0) {
        rep->unavailable = 1;
        rep->stage = STAGE_DONE;
        _exit(0);
    }
    ctr_session *cs;
    noise_probe noise;
    unsigned char *evict = child_setup(rp, opts, threads, rep, &cs, &noise);

    FILE *clear = fopen("/proc/self/clear_refs", "w");
    if (clear != NULL) {
        fputs("5", clear);   /* resets VmHWM to the current RSS */
        fclose(clear);
    }
    rep->rss_before = read_status_kb("VmRSS") * 1024;
    rep->heap_before = rep->heap_peak = heap_in_use();
    rep->faults = -1;
    rep->modified = -1;
    long long faults_at_prepare = faults_now();

    rep->stage = STAGE_PREPARE;
    rep->rc = impl->prepare(&p, &state, rep->why, sizeof rep->why);
    note_heap(rep);
    if (rep->rc != 0) {
        rep->failed_stage = STAGE_PREPARE;
        rep->stage = STAGE_DONE;
        _exit(0);
    }
    impl_describe_fn describe = registry_describe(impl);
    if (describe != NULL)
        describe(state, rep->kernels, sizeof rep->kernels);

    if (timed_reps(rp, impl, state, opts, evict, threads, faults_at_prepare, &noise, rep) == 0) {
        /* Thread pools outlive their parallel regions: the count now is every pool the run
         * started (OpenMP's, and any library's own). */
        rep->os_threads = (int)read_status_kb("Threads");
        if (cs != NULL)
            counted_reps(rp, impl, state, opts, cs, evict, threads, rep);
        if (rep->rc == 0 && rep->overrun[0] == '\0')
            second_inputs(rp, impl, state, rep);
    }
    if (rep->rc != 0) {
        rep->failed_stage = rep->stage;
        rep->failed_rep = rep->rep;
    }
    rep->hwm_after = read_status_kb("VmHWM") * 1024;
    if (rep->modified < 0)
        rep->modified = inputs_modified(rp);
    rep->stage = STAGE_RELEASE;
    if (impl->release != NULL)
        impl->release(state);
    rep->stage = STAGE_DONE;
    _exit(0);
}
