/* run_sweep.c: the cases of a sweep, problem by problem: inputs and reference once per
 * problem (when they fit in memory), each case in the runner, its simulated counts, and its
 * record in results.csv, the journal and on the terminal. */
#include "run_sweep.h"

#include "libs.h"
#include "registry.h"

#include "calib.h"
#include "dtype.h"
#include "caps.h"
#include "host.h"
#include "out_csv.h"
#include "out_json.h"
#include "plausible.h"
#include "run_journal.h"
#include "sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Simulations done for one problem: each (implementation, cache) is simulated once. */
typedef struct sim_memo {
    int n;
    struct { const attn_impl *impl; int cold; ctr_values ctr; } *done;
} sim_memo;

/* counters = sim: the case once more, under callgrind, for its simulated counts. Always on one
 * thread: callgrind runs threads one at a time through one simulated cache, so with more the
 * counts would follow its scheduling (measured: misses differing 70-fold between two runs). The
 * one-thread counts are the implementation's work, and the same on every run. */
static void simulate(const cfg *c, const run_args *a, const sweep_problem *sp,
                     const sweep_case *sc, sim_memo *memo, case_result *res)
{
    if (res->status != ST_PASS && res->status != ST_FAIL) {
        for (int i = 0; i < SIM_EVENTS; i++)
            snprintf(res->ctr.why[i], CTR_WHY_LEN, "not simulated: the case ended %s",
                     status_name(res->status));
        return;
    }
    int i = 0;
    while (i < memo->n && (memo->done[i].impl != sc->impl || memo->done[i].cold != sc->cold))
        i++;
    if (i == memo->n) {
        /* callgrind runs code about 100 times slower than the hardware. */
        sim_request rq = {
            .p = &sp->p, .dist = sp->dist, .seed = c->seed, .impl = sc->impl->name,
            .threads = 1, .cold = sc->cold, .tile_rows = c->tile_rows,
            .tile_keys = c->tile_keys, .plugins = a->plugins, .n_plugins = a->n_plugins,
            .ll_bytes = (size_t)c->sim_ll_bytes, .timeout_s = 100 * c->timeout_s,
            .reference_geometry = c->sim_geometry == 1,
        };
        memo->done[i].impl = sc->impl;
        memo->done[i].cold = sc->cold;
        sim_run_case(&rq, &memo->done[i].ctr);
        memo->n++;
    }
    res->ctr = memo->done[i].ctr;
    if (sc->threads > 1 && res->ctr.reps > 0)
        snprintf(res->ctr.scope, sizeof res->ctr.scope, "one run() on 1 thread, not %d",
                 sc->threads);
}

/* The --set arguments that select exactly this case, out of any config. */
void case_settings(const cfg *c, const sweep_problem *sp, const sweep_case *sc,
                          char *out, size_t len)
{
    const attn_problem *p = &sp->p;
    size_t n = (size_t)snprintf(out, len,
                                "--set impls=%s --set batch=%d --set heads=%d --set kv_heads=%d"
                                " --set seq_q=%d --set seq_kv=%d --set head_dim=%d"
                                " --set causal=%s --set dist=%s --set dtype=%s --set threads=%d"
                                " --set seed=%llu",
                                sc->impl->name, p->batch, p->heads, p->kv_heads, p->seq_q,
                                p->seq_kv, p->head_dim, p->causal ? "true" : "false",
                                cfg_dist_name(sp->dist), dtype_name(p->dtype), sc->threads,
                                (unsigned long long)c->seed);
    if (c->scale > 0 && n < len)
        n += (size_t)snprintf(out + n, len - n, " --set scale=%.9g", c->scale);
    /* The mask: causal alone says window_right 0 or -1; any other right edge is its own key,
     * which config_read.c allows only with causal = false (as printed above). */
    if (n < len && p->window_right > 0)
        n += (size_t)snprintf(out + n, len - n, " --set window_right=%d", p->window_right);
    if (n < len)
        n += (size_t)snprintf(out + n, len - n, " --set window_left=%d --set align=%s",
                              p->window_left, p->top_left ? "top_left" : "bottom_right");
    if (n < len)
        n += (size_t)snprintf(out + n, len - n, " --set head_dim_v=%d --set kv_len=%s"
                              " --set softcap=%.9g --set alibi=%s", p->head_dim_v,
                              p->kv_len != NULL ? "ragged" : "full", (double)p->softcap,
                              p->alibi != NULL ? "true" : "false");
    if (n < len)
        n += (size_t)snprintf(out + n, len - n, " --set cache=%s", sc->cold ? "cold" : "warm");
    if (n < len && sc->impl == &attn_impl_openblas && c->openblas_core != LIBS_OPENBLAS_AUTO)
        snprintf(out + n, len - n, " --set openblas_core=%s",
                 libs_openblas_core_word(c->openblas_core));
}

/* The command that re-runs exactly this case. */
static void repro_command(const cfg *c, const run_args *a, const sweep_problem *sp,
                          const sweep_case *sc, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "build/attnbench run");
    if (a->config != NULL)
        n += (size_t)snprintf(out + n, len - n, " --config %s", a->config);
    for (int i = 0; i < a->n_plugins && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, " --plugin %s", a->plugins[i]);
    if (n + 1 < len) {
        out[n++] = ' ';
        case_settings(c, sp, sc, out + n, len - n);
    }
}

/* A round before the last: the process's result joins the case's rounds, in the journal too;
 * the terminal hears only of the round's end. 0, or -1 when it could not be recorded. */
static int record_round(const run_ctx *x, const sweep_problem *sp, int ci, int round,
                        case_result *res)
{
    const sweep_case *sc = &x->s->cases[ci];
    char key[RESULTS_KEY_LEN];
    case_key(sp, sc, key, sizeof key);
    json_t *obj = out_json_case(sp, sc->impl, sc->threads, res, "", x->plan);
    int rc = obj == NULL || rounds_add(&x->rec->acc[ci], res) != 0 ||
             journal_append_round(x->journal, key, round, obj) != 0 ? -1 : 0;
    json_decref(obj);
    report_round_case(x->rep, res->flops);
    free(res->times);
    if (rc != 0)
        fprintf(stderr, "attnbench run: cannot record a round of a case in %s: %s\n",
                x->a->out, strerror(errno));
    return rc;
}

/* Runs (or skips) one case in one round; the last round records it: CSV row, journal line,
 * terminal line. 0, or -1 when a stop signal ended it (nothing recorded) or the record could
 * not be written. */
static int run_one_case(const run_ctx *x, const sweep_problem *sp, int ci, int round,
                        const runner_problem *rp, int ready, const char *why, sim_memo *memo)
{
    const sweep_case *sc = &x->s->cases[ci];
    case_result res;
    char gap[160], repro[2048], key[RESULTS_KEY_LEN];
    caps_gap(sc->impl->caps, &sp->p, sc->threads, gap, sizeof gap);
    if (gap[0] != '\0' || !ready || !rp->ref_ok) {
        memset(&res, 0, sizeof res);
        res.flops = sweep_flops(&sp->p);
        res.peak_rss_delta = res.workspace = res.page_faults = -1;
        res.status = gap[0] || !ready ? ST_SKIP : ST_ERROR;
        snprintf(res.reason, sizeof res.reason, "%s", gap[0] ? gap : why);
    } else {
        runner_opts case_opts = x->opts;
        char source[96];
        long long avail = host_mem_available(source, sizeof source);
        case_opts.evict_bytes = sc->cold ? x->evict_bytes : 0;
        case_opts.impl_abi = sc->abi;
        case_opts.mem_budget_set = x->c->memory_limit_mib > 0;
        case_opts.mem_budget = case_opts.mem_budget_set ? x->c->memory_limit_mib << 20
                                                        : avail > 0 ? avail : 0;
        runner_run_case(rp, sc->impl, sc->threads, &case_opts, &res);
    }
    res.cold = sc->cold;
    int last = round == (int)x->c->rounds;
    if (res.interrupted || proc_stop) {
        free(res.times);
        return -1;
    }
    if (!last)
        return record_round(x, sp, ci, round, &res);
    /* Simulated counts are the same in every round: the last one's stand. */
    if (x->plan->mode == CTR_SIM)
        simulate(x->c, x->a, sp, sc, memo, &res);
    if (rounds_add(&x->rec->acc[ci], &res) != 0 ||
        rounds_finish(&x->rec->acc[ci], (int)x->c->rounds, &res) != 0) {
        free(res.times);
        free(res.process_medians);
        fprintf(stderr, "attnbench run: out of memory\n");
        return -1;
    }
    char beyond[sizeof res.reason];
    double roof = x->pk != NULL ? peaks_dtype_gflops(x->pk, sc->threads, sp->p.dtype, beyond,
                                                     sizeof beyond) : 0;
    res.pct_peak = roof > 0 && res.gflops > 0 ? 100 * res.gflops / roof : -1;
    if (res.status == ST_PASS && x->pk != NULL &&
        plausible_beyond_peak(x->pk, sc->threads, sp->p.dtype, res.gflops, beyond,
                              sizeof beyond)) {
        res.status = ST_FAIL;
        snprintf(res.reason, sizeof res.reason, "%s", beyond);
    }
    repro_command(x->c, x->a, sp, sc, repro, sizeof repro);
    case_key(sp, sc, key, sizeof key);
    char *row = out_csv_format_row(sp, sc->impl, sc->threads, &res, x->plan);
    json_t *obj = out_json_case(sp, sc->impl, sc->threads, &res, repro, x->plan);
    /* The row first: a case in the journal always has its row in results.csv. */
    int rc = row == NULL || obj == NULL || out_csv_append(x->csv, row) != 0 ||
             journal_append(x->journal, key, row, obj) != 0 ? -1 : 0;
    x->rec->rows[ci] = row;
    x->rec->objs[ci] = obj;
    report_case(x->rep, sp, sc->impl, sc->threads, &res);
    free(res.times);
    free(res.process_medians);
    rounds_free(&x->rec->acc[ci]);
    if (rc != 0)
        fprintf(stderr, "attnbench run: cannot record a case in %s: %s\n", x->a->out,
                strerror(errno));
    return rc;
}

/* Whether the problem's tensors and reference fit in the memory available now; when not,
 * why says so with the numbers (and its cases are SKIP, never an OOM kill of the harness). */
static int problem_fits(const attn_problem *p, char *why, size_t len)
{
    char source[96], need_text[32], avail_text[32];
    double need = runner_problem_bytes(p);
    long long avail = host_mem_available(source, sizeof source);
    if (avail < 0 || need <= (double)avail)
        return 1;
    host_bytes_text(need, need_text, sizeof need_text);
    host_bytes_text((double)avail, avail_text, sizeof avail_text);
    snprintf(why, len, "memory: needs %s for q, k, v, o, a second input set and the two "
             "double-precision references; "
             "%s available (%s)", need_text, avail_text, source);
    return 0;
}

/* A deterministic shuffle of order[0..n) for a round: the same on every run of the sweep, so a
 * resumed run continues in the order it began. */
static void shuffle(int *order, int n, uint64_t seed, int round)
{
    uint64_t x = seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)round);
    for (int i = n - 1; i > 0; i--) {
        x += 0x9e3779b97f4a7c15ull;
        uint64_t z = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        int j = (int)((z ^ (z >> 31)) % (uint64_t)(i + 1));
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* Whether case ci still has round `round` to run. */
static int round_due(const run_ctx *x, int ci, int round)
{
    return x->rec->objs[ci] == NULL && x->rec->acc[ci].done < round;
}

/* One problem's cases due in this round, in a shuffled order after round 1: inputs, the
 * references, then the cases. 0, or -1 when the sweep must stop. */
static int run_problem(const run_ctx *x, const sweep_problem *sp, int round, int ref_threads)
{
    int order[sp->n_cases > 0 ? sp->n_cases : 1], n = 0;
    for (int ci = sp->first_case; ci < sp->first_case + sp->n_cases; ci++)
        if (round_due(x, ci, round))
            order[n++] = ci;
    if (n == 0)
        return 0;
    if (round > 1)
        shuffle(order, n, x->c->seed + (uint64_t)sp->first_case, round);
    /* A problem none of whose due cases can run (each lacks a cap) needs no inputs and no
     * reference: its cases are SKIPs. */
    int runnable = 0;
    char gap[160];
    for (int i = 0; i < n && !runnable; i++) {
        caps_gap(x->s->cases[order[i]].impl->caps, &sp->p, x->s->cases[order[i]].threads, gap,
                 sizeof gap);
        runnable = gap[0] == '\0';
    }
    runner_problem rp;
    char why[384] = "";
    rp.ref_ok = 0;
    int ready = runnable && problem_fits(&sp->p, why, sizeof why) &&
                runner_problem_init(&rp, &sp->p, sp->dist, x->c->seed, why, sizeof why) == 0;
    if (ready) {
        runner_reference(&rp, ref_threads > 0 ? ref_threads : 1);
        if (!rp.ref_ok)
            snprintf(why, sizeof why, "%s", rp.ref_why);
    }
    sim_memo memo = {0, calloc((size_t)sp->n_cases, sizeof *memo.done)};
    int rc = memo.done == NULL ? -1 : 0;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = run_one_case(x, sp, order[i], round, &rp, ready, why, &memo);
    free(memo.done);
    if (ready)
        runner_problem_free(&rp);
    return rc;
}

/* The round's calibration, unless a resumed run's journal has it. 0, or -1 when it cannot be
 * recorded (a calibration that fails is a note in the record, not a stop). */
static int calibrate(const run_ctx *x, int round)
{
    size_t i;
    json_t *c;
    if (!calib_enabled())
        return 0;
    json_array_foreach(x->rec->calib, i, c)
        if (json_integer_value(json_object_get(c, "round")) == round)
            return 0;
    calib_sample cs;
    char why[256];
    json_t *o;
    if (calib_measure(&cs, why, sizeof why) == 0) {
        o = calib_json(&cs, round);
    } else {
        o = json_pack("{s:i, s:s}", "round", round, "not_measured", why);
        printf("note: round %d: the calibration workload did not run: %s\n", round, why);
    }
    int rc = o == NULL || journal_append_calib(x->journal, o) != 0 ? -1 : 0;
    json_array_append_new(x->rec->calib, o);
    return rc;
}

int run_sweep(const run_ctx *x)
{
    int ref_threads = (int)sysconf(_SC_NPROCESSORS_ONLN), n = x->s->n_problems;
    int order[n > 0 ? n : 1];
    for (int round = 1; round <= x->c->rounds && !proc_stop; round++) {
        int due = 0;
        for (int ci = 0; ci < x->s->n_cases; ci++)
            due += round_due(x, ci, round);
        if (due == 0)
            continue;
        if (calibrate(x, round) != 0) {
            fprintf(stderr, "attnbench run: cannot record the calibration in %s: %s\n",
                    x->a->out, strerror(errno));
            return -1;
        }
        for (int i = 0; i < n; i++)
            order[i] = i;
        if (round > 1)
            shuffle(order, n, x->c->seed, round);
        for (int i = 0; i < n && !proc_stop; i++)
            if (run_problem(x, &x->s->problems[order[i]], round, ref_threads) != 0)
                return -1;
        if (round < x->c->rounds && !proc_stop)
            report_round_end(x->rep, round, (int)x->c->rounds);
    }
    return proc_stop ? -1 : 0;
}

int run_record_init(run_record *rec, int n_cases)
{
    *rec = (run_record){n_cases, calloc((size_t)n_cases, sizeof(char *)),
                        calloc((size_t)n_cases, sizeof(json_t *)), 0,
                        calloc((size_t)n_cases, sizeof(round_acc)), json_array()};
    return rec->rows && rec->objs && rec->acc && rec->calib ? 0 : -1;
}

void run_record_free(run_record *rec)
{
    for (int ci = 0; ci < rec->n_cases; ci++) {
        if (rec->rows != NULL)
            free(rec->rows[ci]);
        if (rec->objs != NULL)
            json_decref(rec->objs[ci]);
        if (rec->acc != NULL)
            rounds_free(&rec->acc[ci]);
    }
    free(rec->rows);
    free(rec->objs);
    free(rec->acc);
    json_decref(rec->calib);
    memset(rec, 0, sizeof *rec);
}
