/* runner.c: case isolation and timing. The parent forks a child per case; the child prepares,
 * warms up, times run() until min_reps and min_time_s are met, and reports through a shared
 * page; the parent waits with a deadline, then reads the child's fate and checks its output. */
#include "runner.h"

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
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* How far the child got: names the phase in a CRASH or TIMEOUT reason. */
enum { STAGE_START, STAGE_AVAILABLE, STAGE_PREPARE, STAGE_WARMUP, STAGE_TIMED, STAGE_COUNTED,
       STAGE_SECOND, STAGE_RELEASE, STAGE_DONE };
static const char *const stage_names[] = {"start-up", "available", "prepare", "warm-up", "run",
                                          "counted run", "run on the second input set",
                                          "release", "exit"};

typedef struct child_report {
    volatile int stage;
    volatile int rep;             /* the repetition in progress (warm-up or timed) */
    int unavailable;              /* available() said no */
    int harness_failed;           /* the harness could not set the case up; why says how */
    int rc;                       /* nonzero rc of prepare or run */
    int failed_stage;             /* the stage rc came from */
    int failed_rep;
    char why[256];
    int reps;                     /* timed repetitions completed */
    int modified;                 /* bit 0 q, 1 k, 2 v; -1 until looked at */
    int second_ran;               /* the second input set ran: the first output is in o_first */
    char overrun[160];            /* a sentinel beside a tensor changed: what guard_check said */
    int overrun_stage, overrun_rep;
    long long vm_base, vm_limit;  /* address space at the start, and its limit (0: none) */
    long long vm_at_death;        /* address space when a fatal signal came; -1 unknown */
    volatile int guard_hit;       /* the fatal fault was in a guard page: */
    int guard_buf;                /*   beside this tensor (GUARD_Q..GUARD_O), */
    long long guard_offset;       /*   this far from it (guard_locate), */
    int guard_write;              /*   1 a write, 0 a read, -1 unknown */
    long long rss_before, hwm_after;
    long long heap_before, heap_peak;
    long long faults;             /* prepare through the first run; -1 until then */
    int os_threads;               /* the process's threads after the timed runs; 0 unknown */
    char binding[256];
    ctr_values ctr;
    noise_counts noise;
    char kernels[256];            /* what the implementation's library chose, or "" */
    double times[];               /* max_reps */
} child_report;

volatile sig_atomic_t runner_stop;

void *runner_shared_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void runner_shared_free(void *ptr, size_t bytes)
{
    if (ptr != NULL)
        munmap(ptr, bytes ? bytes : 1);
}

double runner_problem_bytes(const attn_problem *p)
{
    double q = (double)p->batch * p->heads * p->seq_q * p->head_dim;
    double kv = (double)p->batch * p->kv_heads * p->seq_kv * p->head_dim;
    double rows = (double)p->batch * p->heads * p->seq_q;
    /* q, k, v, o, the second set's q, k, v, the saved first output; two references. */
    return sizeof(float) * (4 * q + 4 * kv) + 2 * sizeof(double) * (2 * q + rows);
}

static void ref_alloc(ref_out *r, size_t q_len, size_t rows)
{
    r->o = runner_shared_alloc(sizeof(double) * q_len);
    r->mag = runner_shared_alloc(sizeof(double) * q_len);
    r->row_score = runner_shared_alloc(sizeof(double) * rows);
}

static void ref_free(ref_out *r, size_t q_len, size_t rows)
{
    runner_shared_free(r->o, sizeof(double) * q_len);
    runner_shared_free(r->mag, sizeof(double) * q_len);
    runner_shared_free(r->row_score, sizeof(double) * rows);
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
    rp->q_len = (size_t)p->batch * p->heads * p->seq_q * p->head_dim;
    rp->kv_len = (size_t)p->batch * p->kv_heads * p->seq_kv * p->head_dim;
    size_t rows = rp->q_len / (size_t)p->head_dim;

    static const char *const names[GUARD_N] = {"q", "k", "v", "o"};
    int failed = 0;
    for (int i = 0; i < GUARD_N; i++)
        failed |= guard_alloc(&rp->bufs[i], names[i],
                              sizeof(float) * (i == GUARD_Q || i == GUARD_O ? rp->q_len
                                                                            : rp->kv_len),
                              i == GUARD_O) != 0;
    rp->q = rp->bufs[GUARD_Q].data;
    rp->k = rp->bufs[GUARD_K].data;
    rp->v = rp->bufs[GUARD_V].data;
    rp->o = rp->bufs[GUARD_O].data;
    ref_alloc(&rp->ref, rp->q_len, rows);
    ref_alloc(&rp->ref2, rp->q_len, rows);
    rp->q2 = malloc(sizeof(float) * rp->q_len);
    rp->k2 = malloc(sizeof(float) * rp->kv_len);
    rp->v2 = malloc(sizeof(float) * rp->kv_len);
    rp->o_first = runner_shared_alloc(sizeof(float) * rp->q_len);
    if (failed || !rp->ref.o || !rp->ref.mag || !rp->ref.row_score || !rp->ref2.o ||
        !rp->ref2.mag || !rp->ref2.row_score || !rp->q2 || !rp->k2 || !rp->v2 || !rp->o_first) {
        snprintf(why, why_len, "out of memory for the problem's tensors (%.1f MiB)",
                 runner_problem_bytes(p) / 1048576.0);
        runner_problem_free(rp);
        return 1;
    }
    gen_fill(rp->q, rp->q_len, seed, GEN_TENSOR_Q, dist);
    gen_fill(rp->k, rp->kv_len, seed, GEN_TENSOR_K, dist);
    gen_fill(rp->v, rp->kv_len, seed, GEN_TENSOR_V, dist);
    gen_fill(rp->q2, rp->q_len, seed, GEN_TENSOR_Q | GEN_SECOND_SET, dist);
    gen_fill(rp->k2, rp->kv_len, seed, GEN_TENSOR_K | GEN_SECOND_SET, dist);
    gen_fill(rp->v2, rp->kv_len, seed, GEN_TENSOR_V | GEN_SECOND_SET, dist);
    rp->hash_q = gen_hash(rp->q, sizeof(float) * rp->q_len);
    rp->hash_k = gen_hash(rp->k, sizeof(float) * rp->kv_len);
    rp->hash_v = gen_hash(rp->v, sizeof(float) * rp->kv_len);
    return 0;
}

void runner_problem_free(runner_problem *rp)
{
    size_t rows = rp->p && rp->p->head_dim ? rp->q_len / (size_t)rp->p->head_dim : 0;
    for (int i = 0; i < GUARD_N; i++)
        guard_free(&rp->bufs[i]);
    ref_free(&rp->ref, rp->q_len, rows);
    ref_free(&rp->ref2, rp->q_len, rows);
    free(rp->q2);
    free(rp->k2);
    free(rp->v2);
    runner_shared_free(rp->o_first, sizeof(float) * rp->q_len);
    memset(rp, 0, sizeof *rp);
}

/* Forks; the child gets default signal handling and its own process group (so a kill reaches
 * any threads or processes it starts). Returns the pid, 0 in the child, -1 on failure. */
pid_t runner_fork_isolated(void)
{
    /* SIGCHLD stays blocked in the parent so runner_wait_deadline() can sleep on it, race-free. */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        setpgid(0, 0);
        /* A harness killed outright (kill -9) takes its case with it: a hanging child would
         * otherwise run on, orphaned. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        /* Handlers the harness (or a test framework) installed must not catch the case's
         * own crash: its signal has to reach the parent as the child's cause of death. */
        for (int sig = 1; sig < NSIG; sig++)
            if (sig != SIGKILL && sig != SIGSTOP)
                signal(sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
    } else if (pid > 0) {
        setpgid(pid, pid);
    }
    return pid;
}

static void kill_and_reap(pid_t pid, int *wstatus)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
        ;
}

/* Waits for pid until deadline (absolute, host_now_s() clock; <= 0 for none). Returns 0 with the
 * wait status, 1 when the deadline passed, 2 when runner_stop was set (the child's process group
 * killed in both). A stop signal interrupts sigtimedwait, so it is seen at once. */
int runner_wait_deadline(pid_t pid, double deadline, int *wstatus)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        pid_t got = waitpid(pid, wstatus, WNOHANG);
        if (got == pid)
            return 0;
        if (got < 0 && errno != EINTR)
            return 0;
        if (runner_stop) {
            kill_and_reap(pid, wstatus);
            return 2;
        }
        double left = deadline > 0 ? deadline - host_now_s() : 1.0;
        if (left <= 0) {
            kill_and_reap(pid, wstatus);
            return 1;
        }
        if (left > 1.0)
            left = 1.0;   /* re-check now and then: a SIGCHLD may have been taken already */
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        sigtimedwait(&chld, NULL, &ts);
    }
}

int runner_in_child(int (*work)(void *out), void *out, size_t bytes, char *why, size_t why_len)
{
    void *shared = runner_shared_alloc(bytes);
    if (shared == NULL) {
        snprintf(why, why_len, "cannot map memory for the measurement");
        return -1;
    }
    memcpy(shared, out, bytes);
    pid_t pid = runner_fork_isolated();
    if (pid == 0)
        _exit(work(shared) == 0 ? 0 : 3);
    int ws = 0, rc = -1;
    if (pid < 0)
        snprintf(why, why_len, "fork failed: %s", strerror(errno));
    else if (runner_wait_deadline(pid, 0, &ws) == 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
        rc = 0;
    else
        snprintf(why, why_len, "the measuring process failed (%s)",
                 WIFEXITED(ws) ? "out of memory" : "killed by a signal");
    if (rc == 0)
        memcpy(out, shared, bytes);
    runner_shared_free(shared, bytes);
    return rc;
}

void runner_reference(runner_problem *rp, int threads)
{
    pid_t pid = runner_fork_isolated();
    if (pid == 0) {
        int rc = ref_compute(rp->p, rp->q, rp->k, rp->v, &rp->ref, threads) != 0 ||
                 ref_compute(rp->p, rp->q2, rp->k2, rp->v2, &rp->ref2, threads) != 0;
        _exit(rc == 0 ? 0 : 3);
    }
    int ws = 0;
    rp->ref_ok = 0;
    if (pid < 0) {
        snprintf(rp->ref_why, sizeof rp->ref_why, "reference: fork failed: %s", strerror(errno));
        return;
    }
    runner_wait_deadline(pid, 0, &ws);
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
        rp->ref_ok = 1;
    else if (WIFEXITED(ws))
        snprintf(rp->ref_why, sizeof rp->ref_why, "reference: out of memory");
    else
        snprintf(rp->ref_why, sizeof rp->ref_why, "reference: died of signal %d",
                 WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
}

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
    return (gen_hash(rp->q, sizeof(float) * rp->q_len) != rp->hash_q) |
           (gen_hash(rp->k, sizeof(float) * rp->kv_len) != rp->hash_k) << 1 |
           (gen_hash(rp->v, sizeof(float) * rp->kv_len) != rp->hash_v) << 2;
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
    memcpy(rp->o_first, rp->o, sizeof(float) * rp->q_len);
    memcpy(rp->q, rp->q2, sizeof(float) * rp->q_len);
    memcpy(rp->k, rp->k2, sizeof(float) * rp->kv_len);
    memcpy(rp->v, rp->v2, sizeof(float) * rp->kv_len);
    for (size_t i = 0; i < rp->q_len; i++)
        rp->o[i] = NAN;
    rep->second_ran = 1;
    rep->stage = STAGE_SECOND;
    rep->rep = 0;
    rep->rc = impl->run(state, rp->q, rp->k, rp->v, rp->o);
    if (rep->rc == 0)
        sentinels_intact(rp, rep);
}

/* The child's whole life: never returns. */
static void child_main(const runner_problem *rp, const attn_impl *impl, int threads,
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
    /* NaN everywhere, so an element that run() never writes fails the check; the output's
     * sentinels afresh, as an earlier case may have overwritten them. */
    for (size_t i = 0; i < rp->q_len; i++)
        rp->o[i] = NAN;
    guard_arm(&rp->bufs[GUARD_O]);
    catch_guard_faults(rp, rep);
    limit_memory(opts, threads, rep);

    /* Before any thread exists, so that counters can follow the threads made later. */
    ctr_session *cs = NULL;
    if (opts->ctr != NULL && opts->ctr->mode == CTR_PAPI)
        cs = ctr_open(opts->ctr, threads, &rep->ctr);
    noise_probe noise;
    noise_open(&noise, &rep->noise);
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

    rep->stage = STAGE_WARMUP;
    for (long w = 0; w < opts->warmup; w++) {
        rep->rep = (int)w;
        rep->rc = impl->run(state, rp->q, rp->k, rp->v, rp->o);
        note_heap(rep);
        note_faults(rep, faults_at_prepare);
        if (rep->rc != 0 || !sentinels_intact(rp, rep))
            goto done;
    }

    rep->stage = STAGE_TIMED;
    noise_begin(&noise);
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
            goto done;
        rep->times[rep->reps++] = t1 - t0;
        if (rep->reps == 1) {
            note_heap(rep);
            note_faults(rep, faults_at_prepare);
        }
    }
    noise_end(&noise, &rep->noise);
    /* Thread pools outlive their parallel regions: the count now is every pool the run
     * started (OpenMP's, and any library's own). */
    rep->os_threads = (int)read_status_kb("Threads");
    if (cs != NULL)
        counted_reps(rp, impl, state, opts, cs, evict, threads, rep);
    if (rep->rc == 0 && rep->overrun[0] == '\0')
        second_inputs(rp, impl, state, rep);
done:
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
    if (memcmp(rp->o, rp->o_first, sizeof(float) * rp->q_len) == 0)
        snprintf(res->reason, sizeof res->reason,
                 "run() ignores its inputs: with a second input set written over q, k and v, "
                 "it returned the first set's output again (run must compute from the current "
                 "contents of its inputs on every call)");
    else
        snprintf(res->reason, sizeof res->reason,
                 "run() does not follow its inputs: with a second input set written over q, k "
                 "and v, its output fails the check: %.300s", second.reason);
}

void runner_run_case(const runner_problem *rp, const attn_impl *impl, int threads,
                     const runner_opts *opts, case_result *res)
{
    size_t rep_bytes = sizeof(child_report) + sizeof(double) * (size_t)opts->max_reps;
    child_report *rep = runner_shared_alloc(rep_bytes);
    char where[96], sig[96];
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
    pid_t pid = runner_fork_isolated();
    if (pid == 0)
        child_main(rp, impl, threads, opts, rep);
    if (pid < 0) {
        res->status = ST_ERROR;
        snprintf(res->reason, sizeof res->reason, "harness: fork failed: %s", strerror(errno));
        runner_shared_free(rep, rep_bytes);
        return;
    }
    int waited = runner_wait_deadline(pid, t0 + opts->timeout_s, &ws);
    int timed_out = waited == 1;
    res->wall_s = host_now_s() - t0;
    if (waited == 2) {
        res->status = ST_ERROR;
        res->interrupted = 1;
        snprintf(res->reason, sizeof res->reason, "interrupted by signal %d", (int)runner_stop);
        runner_shared_free(rep, rep_bytes);
        return;
    }

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
        res->checked = 1;
        res->status = res->check.pass ? ST_PASS : ST_FAIL;
        snprintf(res->reason, sizeof res->reason, "%s", res->check.reason);
        if (res->check.pass && rep->second_ran)
            check_second_set(rp, opts, res);
    }
    runner_shared_free(rep, rep_bytes);
}
