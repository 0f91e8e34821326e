/* sim.c: `counters = sim`. The parent runs `valgrind --tool=callgrind --cache-sim=yes` on this
 * same binary's hidden `_sim-case` command, which rebuilds the case's inputs from its seed,
 * prepares, warms up, then brackets one run() with callgrind client requests: instrumentation
 * on, statistics zeroed, run(), statistics dumped. Instrumentation covers every thread, so the
 * counts are the whole case's. The parent reads the dump and turns it into four numbers.
 *
 * Under valgrind, CPUID hides AVX-512, so OpenBLAS and oneDNN are pinned to their AVX2 code
 * (OPENBLAS_CORETYPE, ONEDNN_MAX_CPU_ISA) and the child records which paths ran. OpenMP
 * threads sleep instead of spinning at barriers (OMP_WAIT_POLICY=passive), so spin loops do not
 * add instructions that depend on thread timing. */
#include "sim.h"

#include "dtype.h"
#include "gen.h"
#include "host.h"
#include "impls_set.h"
#include "proc.h"
#include "registry.h"
#include "sweep.h"
#include "tile_sizes.h"
#include "topo.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <valgrind/callgrind.h>

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the child under valgrind is told of its case, one `name=value` argument each, read back
 * by name (after them: impl=NAME, info=PATH and a plugin=PATH per plugin). */
typedef struct sim_case {
    attn_problem p;
    int dist, cold;
    int ragged, alibi;      /* p.kv_len and p.alibi given: the child makes them as the sweep
                               does, from the seed and the head count */
    unsigned long long seed;
    long tile_rows, tile_keys;
} sim_case;

enum { SA_INT, SA_LONG, SA_ULL, SA_FLOAT };
#define SIM_CASE_ARGS(X)                                                                      \
    X(batch, INT, p.batch) X(heads, INT, p.heads) X(kv_heads, INT, p.kv_heads)                \
    X(seq_q, INT, p.seq_q) X(seq_kv, INT, p.seq_kv) X(head_dim, INT, p.head_dim)              \
    X(causal, INT, p.causal) X(scale, FLOAT, p.scale) X(threads, INT, p.threads)              \
    X(dist, INT, dist) X(seed, ULL, seed) X(cold, INT, cold) X(tile_rows, LONG, tile_rows)    \
    X(tile_keys, LONG, tile_keys) X(dtype, INT, p.dtype) X(window_left, INT, p.window_left)   \
    X(window_right, INT, p.window_right) X(top_left, INT, p.top_left)                         \
    X(head_dim_v, INT, p.head_dim_v) X(softcap, FLOAT, p.softcap) X(ragged, INT, ragged)      \
    X(alibi, INT, alibi)

static const struct sim_arg {
    const char *name;
    int type;
    size_t offset;
} sim_args[] = {
#define SIM_ARG(name, type, member) {#name, SA_##type, offsetof(sim_case, member)},
    SIM_CASE_ARGS(SIM_ARG)
#undef SIM_ARG
};
enum { SIM_N_ARGS = sizeof sim_args / sizeof sim_args[0] };

/* "name=value" of argument a of c. */
static void sim_arg_format(const sim_case *c, const struct sim_arg *a, char *out, size_t len)
{
    const char *at = (const char *)c + a->offset;
    switch (a->type) {
    case SA_INT:   snprintf(out, len, "%s=%d", a->name, *(const int *)at); break;
    case SA_LONG:  snprintf(out, len, "%s=%ld", a->name, *(const long *)at); break;
    case SA_ULL:   snprintf(out, len, "%s=%llu", a->name, *(const unsigned long long *)at); break;
    default:       snprintf(out, len, "%s=%.9g", a->name, (double)*(const float *)at); break;
    }
}

/* Reads one "name=value" into c; -1 when the value does not parse. */
static int sim_arg_parse(sim_case *c, const struct sim_arg *a, const char *value)
{
    char *at = (char *)c + a->offset, *end;
    errno = 0;
    switch (a->type) {
    case SA_INT:   *(int *)at = (int)strtol(value, &end, 10); break;
    case SA_LONG:  *(long *)at = strtol(value, &end, 10); break;
    case SA_ULL:   *(unsigned long long *)at = strtoull(value, &end, 10); break;
    default:       *(float *)at = strtof(value, &end); break;
    }
    return errno != 0 || end == value || *end != '\0' ? -1 : 0;
}

/* Estimated cycles from callgrind's counts: L1 hits + 5 x LL hits + 35 x LL misses, over
 * instruction fetches plus data reads and writes (the README's formula). */
static double sim_est_cycles(double ir, double dr, double dw, double l1_misses,
                             double ll_misses)
{
    double accesses = ir + dr + dw;
    return (accesses - l1_misses) + 5 * (l1_misses - ll_misses) + 35 * ll_misses;
}

/* The valgrind on PATH, into out. 0, or -1 with why. */
static int find_valgrind(char *out, size_t len, char *why, size_t why_len)
{
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s", path ? path : "/usr/bin:/bin");
    for (char *d = strtok(dirs, ":"); d != NULL; d = strtok(NULL, ":")) {
        snprintf(out, len, "%s/valgrind", d);
        if (access(out, X_OK) == 0)
            return 0;
    }
    snprintf(why, why_len, "valgrind is not on PATH (Debian: apt-get install valgrind)");
    return -1;
}

int sim_available(char *why, size_t len)
{
    char path[4096];
    return find_valgrind(path, sizeof path, why, len);
}

/* "--D1=32768,8,64": a geometry valgrind accepts (its set count must be a power of two). */
static void cache_option(const char *name, size_t size, int assoc, int line, char *out,
                         size_t len)
{
    if (assoc <= 0)
        assoc = 8;
    if (line <= 0)
        line = 64;
    size_t sets = size / ((size_t)assoc * (size_t)line), pow2 = 1;
    while (pow2 * 2 <= sets)
        pow2 *= 2;
    if (pow2 < 1)
        pow2 = 1;
    snprintf(out, len, "--%s=%zu,%d,%d", name, pow2 * (size_t)assoc * (size_t)line, assoc, line);
}

/* What one dump says: the events line, the totals line and the cache descriptions. */
typedef struct cg_dump {
    double ir, dr, dw, i1mr, d1mr, d1mw, ilmr, dlmr, dlmw;
    int have_totals;
    char d1[96], ll[96];
} cg_dump;

static double *cg_slot(cg_dump *d, const char *event)
{
    static const char *const names[] = {"Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr",
                                        "DLmw"};
    double *slots[] = {&d->ir, &d->dr, &d->dw, &d->i1mr, &d->d1mr, &d->d1mw, &d->ilmr, &d->dlmr,
                       &d->dlmw};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(event, names[i]) == 0)
            return slots[i];
    return NULL;
}

/* Reads a callgrind output file. 0, or -1 when it has no totals. */
static int read_dump(const char *path, cg_dump *d)
{
    char line[1024], events[512] = "";
    FILE *f = fopen(path, "r");
    memset(d, 0, sizeof *d);
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "events: ", 8) == 0)
            snprintf(events, sizeof events, "%.500s", line + 8);
        else if (strncmp(line, "desc: D1 cache: ", 16) == 0)
            snprintf(d->d1, sizeof d->d1, "%.90s", line + 16);
        else if (strncmp(line, "desc: LL cache: ", 16) == 0)
            snprintf(d->ll, sizeof d->ll, "%.90s", line + 16);
        else if (strncmp(line, "totals: ", 8) == 0 && events[0] != '\0') {
            /* Totals sum the dump's cost lines: every thread's run() and nothing else. */
            char *save_e, *save_v;
            char *e = strtok_r(events, " ", &save_e), *v = strtok_r(line + 8, " ", &save_v);
            for (; e != NULL && v != NULL; e = strtok_r(NULL, " ", &save_e),
                                           v = strtok_r(NULL, " ", &save_v)) {
                double *slot = cg_slot(d, e);
                if (slot != NULL)
                    *slot = strtod(v, NULL);
            }
            d->have_totals = 1;
        }
    }
    fclose(f);
    return d->have_totals ? 0 : -1;
}

/* The last line of a file (valgrind's or the child's complaint), for a reason. */
static void last_line(const char *path, char *out, size_t len)
{
    char line[512];
    FILE *f = fopen(path, "r");
    out[0] = '\0';
    while (f != NULL && fgets(line, sizeof line, f))
        if (line[0] != '\n') {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, len, "%.250s", line);
        }
    if (f != NULL)
        fclose(f);
}

static void fail_all(ctr_values *out, const char *fmt, const char *detail)
{
    for (int i = 0; i < SIM_EVENTS; i++)
        snprintf(out->why[i], CTR_WHY_LEN, fmt, detail);
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"cg.out", "cg.out.1", "valgrind.log", "info"};
    char path[4200];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* The child side of sim_run_case: environment, output, exec. Never returns. */
static void exec_valgrind(const char *valgrind, char *const *argv, const char *dir)
{
    char log[4200];
    snprintf(log, sizeof log, "%s/valgrind.log", dir);
    /* Dies with the harness: an interrupted run leaves no valgrind behind. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    /* A fixed environment: its size moves the stack, and with it which cache sets the stack's
     * lines fall in, so the user's environment would otherwise change the counts. */
    char lib_path[4096];
    const char *ld = getenv("LD_LIBRARY_PATH");
    snprintf(lib_path, sizeof lib_path, "LD_LIBRARY_PATH=%s", ld ? ld : "");
    char *env[] = {"PATH=/usr/bin:/bin", "OPENBLAS_CORETYPE=Haswell", "ONEDNN_MAX_CPU_ISA=AVX2",
                   "DNNL_MAX_CPU_ISA=AVX2", "OMP_WAIT_POLICY=passive", lib_path, NULL};
    execve(valgrind, argv, env);
    fprintf(stderr, "exec %s: %s\n", valgrind, strerror(errno));
    _exit(127);
}

/* valgrind's --I1/--D1/--LL options: the host's geometry from hwloc, not valgrind's own guess
 * (which can be far off in VMs); or the reference one, the same everywhere. Each buffer holds n. */
static void cache_options(const sim_request *rq, char *i1, char *d1, char *ll, size_t n)
{
    size_t size;
    int assoc, line;

    if (rq->reference_geometry) {
        size = SIM_REFERENCE_L1_BYTES;
        assoc = SIM_REFERENCE_L1_WAYS;
        line = 64;
    } else if (topo_cache(1, 0, &size, &assoc, &line) != 0) {
        size = 32768;
        assoc = 8;
        line = 64;
    }
    cache_option("D1", size, assoc, line, d1, n);
    if (!rq->reference_geometry && topo_cache(1, 1, &size, &assoc, &line) == 0)
        cache_option("I1", size, assoc, line, i1, n);
    else
        cache_option("I1", SIM_REFERENCE_L1_BYTES, SIM_REFERENCE_L1_WAYS, 64, i1, n);
    if (rq->reference_geometry) {
        size = SIM_REFERENCE_LL_BYTES;
        assoc = SIM_REFERENCE_LL_WAYS;
        line = 64;
    } else if (topo_cache(0, 0, &size, &assoc, &line) != 0) {
        size = (size_t)8 << 20;
        assoc = 16;
        line = 64;
    }
    cache_option("LL", rq->ll_bytes > 0 ? rq->ll_bytes : size, assoc, line, ll, n);
}

/* The counts of a finished simulation, from its dump d, and the implementation's library
 * paths the child wrote to the file info. */
static void store_counts(const sim_request *rq, const cg_dump *d, const char *info,
                         ctr_values *out)
{
    double l1 = d->i1mr + d->d1mr + d->d1mw, llm = d->ilmr + d->dlmr + d->dlmw;
    out->value[SIM_INSTRUCTIONS] = d->ir;
    out->value[SIM_D1_MISSES] = d->d1mr + d->d1mw;
    out->value[SIM_LL_MISSES] = llm;
    out->value[SIM_EST_CYCLES] = sim_est_cycles(d->ir, d->dr, d->dw, l1, llm);
    for (int i = 0; i < SIM_EVENTS; i++)
        out->ok[i] = 1;
    out->reps = 1;
    snprintf(out->scope, sizeof out->scope, "one run() on %d thread%s (callgrind)",
             rq->threads, rq->threads > 1 ? "s" : "");
    char paths[160] = "";
    FILE *f = fopen(info, "r");
    if (f != NULL) {
        if (fgets(paths, sizeof paths, f) == NULL)
            paths[0] = '\0';
        paths[strcspn(paths, "\n")] = '\0';
        fclose(f);
    }
    snprintf(out->detail, sizeof out->detail, "D1 %.60s; LL %.60s; %s", d->d1, d->ll, paths);
}

void sim_run_case(const sim_request *rq, ctr_values *out)
{
    char valgrind[4096], why[256], exe[4096], dir[] = "/tmp/attnbench-sim.XXXXXX";
    char o_file[4200], i1[64], d1[64], ll[64], info[4200], cg1[4200], log[4200];
    char named[SIM_N_ARGS][64], impl_arg[128], info_arg[4300], plugin_args[SET_MAX_PLUGINS][4200];
    const attn_problem *p = rq->p;

    memset(out, 0, sizeof *out);
    if (find_valgrind(valgrind, sizeof valgrind, why, sizeof why) != 0) {
        fail_all(out, "%s", why);
        return;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || mkdtemp(dir) == NULL) {
        fail_all(out, "cannot set up the simulation: %s", strerror(errno));
        return;
    }
    exe[n] = '\0';
    snprintf(o_file, sizeof o_file, "--callgrind-out-file=%s/cg.out", dir);
    snprintf(info, sizeof info, "%s/info", dir);
    cache_options(rq, i1, d1, ll, sizeof d1);

    sim_case c = {.p = *p, .dist = rq->dist, .cold = rq->cold, .seed = rq->seed,
                  .ragged = p->kv_len != NULL, .alibi = p->alibi != NULL,
                  .tile_rows = rq->tile_rows, .tile_keys = rq->tile_keys};
    c.p.threads = rq->threads;
    char *argv[64] = {valgrind, "--tool=callgrind", "--cache-sim=yes", "--instr-atstart=no",
                      o_file, i1, d1, ll, exe, "_sim-case", impl_arg, info_arg};
    int argc = 12;
    snprintf(impl_arg, sizeof impl_arg, "impl=%s", rq->impl);
    snprintf(info_arg, sizeof info_arg, "info=%s", info);
    for (int i = 0; i < SIM_N_ARGS; i++) {
        sim_arg_format(&c, &sim_args[i], named[i], sizeof named[i]);
        argv[argc++] = named[i];
    }
    for (int i = 0; i < rq->n_plugins && i < SET_MAX_PLUGINS; i++) {
        snprintf(plugin_args[i], sizeof plugin_args[i], "plugin=%s", rq->plugins[i]);
        argv[argc++] = plugin_args[i];
    }
    argv[argc] = NULL;

    pid_t pid = proc_fork_isolated();
    if (pid == 0)
        exec_valgrind(valgrind, argv, dir);
    int ws = 0;
    double start = host_now_s();
    snprintf(cg1, sizeof cg1, "%s/cg.out.1", dir);
    snprintf(log, sizeof log, "%s/valgrind.log", dir);
    if (pid < 0) {
        fail_all(out, "fork failed: %s", strerror(errno));
    } else if (proc_wait_deadline(pid, start + rq->timeout_s, &ws) != 0) {
        snprintf(why, sizeof why, "%.0f s", rq->timeout_s);
        fail_all(out, "the simulation ran past its limit of %s (sim is meant for small sizes)",
                 why);
    } else {
        cg_dump d;
        if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || read_dump(cg1, &d) != 0) {
            last_line(log, why, sizeof why);
            fail_all(out, "the simulated run failed: %s", why[0] ? why : "no dump written");
        } else {
            store_counts(rq, &d, info, out);
        }
    }
    remove_dir(dir);
}

/* ---- the child, under valgrind ---- */

int cmd_sim_case(int argc, char **argv)
{
    sim_case c = {0};
    const char *info = NULL, *name = NULL;
    char why[512];
    unsigned long seen = 0;
    impls_set set;
    set_init(&set);
    for (int i = 1; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        size_t key_len = eq != NULL ? (size_t)(eq - argv[i]) : 0;
        int a = 0;
        while (a < SIM_N_ARGS && !(strlen(sim_args[a].name) == key_len &&
                                   strncmp(argv[i], sim_args[a].name, key_len) == 0))
            a++;
        if (a < SIM_N_ARGS && sim_arg_parse(&c, &sim_args[a], eq + 1) == 0) {
            seen |= 1ul << a;
        } else if (strncmp(argv[i], "impl=", 5) == 0) {
            name = argv[i] + 5;
        } else if (strncmp(argv[i], "info=", 5) == 0) {
            info = argv[i] + 5;
        } else if (strncmp(argv[i], "plugin=", 7) == 0) {
            if (set_load_plugin(&set, argv[i] + 7, why, sizeof why) != 0) {
                fprintf(stderr, "%s\n", why);
                return 3;
            }
        } else {
            fprintf(stderr, "attnbench _sim-case: '%s': not an argument it takes (an internal "
                            "command, run by counters = sim)\n", argv[i]);
            return 2;
        }
    }
    if (name == NULL || info == NULL || seen != (1ul << SIM_N_ARGS) - 1) {
        fprintf(stderr, "attnbench _sim-case: internal command, run by counters = sim; it needs "
                        "impl=, info= and every field of its case\n");
        return 2;
    }
    /* The key lengths and slopes made as the sweep makes them (gen.h). */
    int *kv_lens = c.ragged ? malloc(sizeof(int) * (size_t)c.p.batch) : NULL;
    float *slopes = c.alibi ? malloc(sizeof(float) * (size_t)c.p.heads) : NULL;
    if ((c.ragged && kv_lens == NULL) || (c.alibi && slopes == NULL)) {
        fprintf(stderr, "out of memory for the problem's key lengths or slopes\n");
        return 3;
    }
    if (kv_lens != NULL)
        gen_kv_lens(c.seed, c.p.batch, c.p.seq_kv, kv_lens);
    if (slopes != NULL)
        gen_alibi_slopes(c.p.heads, slopes);
    c.p.kv_len = kv_lens;
    c.p.alibi = slopes;
    const attn_problem p = c.p;
    tile_sizes_override((int)c.tile_rows, (int)c.tile_keys);
    const attn_impl *im = set_find(&set, name);
    if (im == NULL) {
        fprintf(stderr, "no implementation '%s'\n", name);
        return 3;
    }
    gen_sizes n = gen_sizes_of(&p);
    /* The inputs as a case's are: made in float32, then rounded to the dtype. */
    size_t elem = dtype_size(p.dtype);
    float *qf = malloc(sizeof(float) * n.q), *kf = malloc(sizeof(float) * n.k);
    float *vf = malloc(sizeof(float) * n.v);
    void *q = malloc(elem * n.q), *k = malloc(elem * n.k), *v = malloc(elem * n.v);
    void *o = malloc(elem * n.o), *state = NULL;
    if (qf == NULL || kf == NULL || vf == NULL || q == NULL || k == NULL || v == NULL ||
        o == NULL) {
        fprintf(stderr, "out of memory for the problem's tensors\n");
        return 3;
    }
    gen_inputs(&p, c.seed, c.dist, 0, qf, kf, vf);
    dtype_round(p.dtype, qf, n.q, q);
    dtype_round(p.dtype, kf, n.k, k);
    dtype_round(p.dtype, vf, n.v, v);
    const int cold = c.cold;
    why[0] = '\0';
    if ((im->available != NULL && im->available(why, sizeof why) != 0) ||
        im->prepare(&p, &state, why, sizeof why) != 0) {
        fprintf(stderr, "%s: %s\n", name, why);
        return 3;
    }
    CALLGRIND_START_INSTRUMENTATION;
    int rc = cold ? 0 : im->run(state, q, k, v, o);   /* warm: the timed runs' cache state */
    CALLGRIND_ZERO_STATS;
    rc |= im->run(state, q, k, v, o);
    CALLGRIND_DUMP_STATS_AT("measured");
    CALLGRIND_STOP_INSTRUMENTATION;
    FILE *f = fopen(info, "w");
    if (f != NULL) {
        fprintf(f, "OpenBLAS %s; oneDNN %s\n", openblas_get_corename(),
                onednn_isa_name(dnnl_get_effective_cpu_isa()));
        fclose(f);
    }
    if (im->release != NULL)
        im->release(state);
    if (rc != 0) {
        fprintf(stderr, "%s: run returned %d\n", name, rc);
        return 3;
    }
    return 0;
}
