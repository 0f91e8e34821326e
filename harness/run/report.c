/* report.c: the terminal view of a run. Lines go to stdout; nothing here decides a status. */
#include "report.h"

#include "results_read.h"

#include "config.h"
#include "dtype.h"
#include "host.h"

#include <stdio.h>

static void clock_text(double s, char *out, size_t len)
{
    long t = s > 0 && s < 1e9 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(out, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, len, "%ld:%02ld", t / 60, t % 60);
}

/* A case's weight in the estimate, sweep_weight's. */
static double weight(const report *r, double flops)
{
    return sweep_weight(r->s, flops);
}

void report_begin(report *r, const sweep *s, int rounds)
{
    *r = (report){.s = s, .n_cases = s->n_cases, .rounds = rounds, .start = host_now_s()};
    for (int i = 0; i < s->n_cases; i++)
        r->total_flops += rounds * weight(r, sweep_flops(&s->problems[s->cases[i].problem].p));
}

/* Seconds left, from the work done so far in the time it took. */
static double time_left(const report *r, double now)
{
    return r->done_flops > 0 ? now * (r->total_flops - r->done_flops) / r->done_flops : 0;
}

void report_round_case(report *r, double flops)
{
    r->done_flops += weight(r, flops);
}

void report_round_end(report *r, int round, int rounds)
{
    char elapsed[32], eta[32];
    double now = host_now_s() - r->start;
    clock_text(now, elapsed, sizeof elapsed);
    clock_text(time_left(r, now), eta, sizeof eta);
    printf("round %d of %d done  [%s, ~%s left]%s\n", round, rounds, elapsed, eta,
           round == rounds - 1 ? "; the last round prints each case, its rounds combined" : "");
    fflush(stdout);
}

void report_header(report *r)
{
    r->start = host_now_s();   /* the clock counts the cases, not the set-up before them */
    printf("%-9s %-16s %-5s %-12s %5s %-6s %-7s %3s  %-7s %11s %9s %6s %8s %9s %7s  %s\n",
           "progress", "impl", "B", "H/Hkv", "d", "N_q", "N_kv", "T", "status", "median",
           "GFLOP/s", "%peak", "err/tol", "workspace", "faults", "problem: reason");
}

void report_resumed_round(report *r, double flops)
{
    r->total_flops -= weight(r, flops);
}

void report_resumed(report *r, double flops, int status)
{
    r->done++;
    r->total_flops -= r->rounds * weight(r, flops);   /* the ETA is for the work still to do */
    if (status >= 0 && status < ST_COUNT)
        r->counts[status]++;
}

void report_case(report *r, const sweep_problem *sp, const attn_impl *impl, int threads,
                 const case_result *res)
{
    const attn_problem *p = &sp->p;
    char heads[32], elapsed[32], eta[32], median[24] = "-", gflops[24] = "-", ratio[24] = "-";
    char peak[16] = "-", work[24] = "-", faults[24] = "-", mask[128] = "";
    double now = host_now_s() - r->start;

    /* The words of the problem after the numbers: dtype, mask, cache. */
    size_t m = 0;
    if (p->dtype != ATTN_F32)
        m += (size_t)snprintf(mask + m, sizeof mask - m, "%s ", dtype_name(p->dtype));
    if (p->causal)
        m += (size_t)snprintf(mask + m, sizeof mask - m, "causal ");
    if (m < sizeof mask && (p->window_left >= 0 || p->window_right > 0))
        m += (size_t)snprintf(mask + m, sizeof mask - m, "window %d:%d ", p->window_left,
                              p->window_right);
    if (m < sizeof mask && p->top_left)
        m += (size_t)snprintf(mask + m, sizeof mask - m, "top_left ");
    const results_variant var = RESULTS_VARIANT_OF(p);
    char words[64];
    results_variant_words(&var, p->head_dim, words, sizeof words);
    if (m < sizeof mask && words[0] != '\0')
        m += (size_t)snprintf(mask + m, sizeof mask - m, "%s ", words);
    if (m < sizeof mask && res->cold)
        snprintf(mask + m, sizeof mask - m, "cold ");

    r->done++;
    r->done_flops += weight(r, res->flops);
    r->counts[res->status]++;
    clock_text(now, elapsed, sizeof elapsed);
    clock_text(time_left(r, now), eta, sizeof eta);
    snprintf(heads, sizeof heads, "%d/%d", p->heads, p->kv_heads);
    if (res->reps > 0) {
        if (res->t_median >= 1e-3)
            snprintf(median, sizeof median, "%.3f ms", res->t_median * 1e3);
        else
            snprintf(median, sizeof median, "%.2f us", res->t_median * 1e6);
        snprintf(gflops, sizeof gflops, "%.2f", res->gflops);
    }
    if (res->checked && res->check.nonfinite == 0)
        snprintf(ratio, sizeof ratio, "%.3f", res->check.worst_ratio);
    if (res->reps > 0 && res->pct_peak >= 0)
        snprintf(peak, sizeof peak, "%.1f", res->pct_peak);
    if (res->workspace >= 0)
        host_bytes_text((double)res->workspace, work, sizeof work);
    if (res->page_faults >= 0)
        snprintf(faults, sizeof faults, "%lld", res->page_faults);
    const char *reason = res->status == ST_PASS ? "" : res->reason;
    printf("%4d/%-4d %-16s %-5d %-12s %5d %-6d %-7d %3d  %-7s %11s %9s %6s %8s %9s %7s  %s%s%s"
           "%s%s%s  [%s, ~%s left]\n",
           r->done, r->n_cases, impl->name, p->batch, heads, p->head_dim, p->seq_q, p->seq_kv,
           threads, status_name(res->status), median, gflops, peak, ratio, work, faults, mask,
           cfg_dist_name(sp->dist), reason[0] != '\0' ? ": " : "", reason,
           res->noisy.noisy ? " noisy: " : "", res->noisy.noisy ? res->noisy.why : "", elapsed,
           eta);
    fflush(stdout);
}

int report_end(const report *r, const char *out_dir)
{
    char elapsed[32];
    int failing = 0;
    clock_text(host_now_s() - r->start, elapsed, sizeof elapsed);
    printf("\n%d case%s in %s:", r->done, r->done == 1 ? "" : "s", elapsed);
    for (int st = 0; st < ST_COUNT; st++) {
        if (r->counts[st] > 0)
            printf(" %d %s", r->counts[st], status_name(st));
        if (status_is_failure(st))
            failing += r->counts[st];
    }
    printf("\nresults: %s/results.csv, %s/results.json\n", out_dir, out_dir);
    return failing;
}
