/* compare.c: the verdicts of `attnbench compare`. Cases match on their full key; a timing is
 * called slower or faster only when the change is shown by a test on the process samples AND
 * the medians differ by more than the threshold (widened by the machine's own change), so that
 * a noisy machine's drift of a few percent raises no alarm. The repetitions inside one process
 * are never the samples: on a shared machine a whole process runs fast or slow, and a test on
 * its repetitions calls that one process's luck significant (an A/A pair of runs gave 36
 * `slower` and 28 `faster` of 180 cases that way).
 *
 * The test is the case's own U test, or its implementation's cases taken together (van
 * Elteren's stratified test, at alpha over the implementations tested): five processes a side
 * leave one case's U test little power (all five NEW slower than all five BASE, or nothing),
 * and a kernel 30% slower went uncalled in 3 of 5 pairs of runs (ratios 1.06 to 1.37, p 0.016 to
 * 0.69) while its 8 cases together left no doubt.
 *
 * Between two separate runs two more rules. The whole run can move: a case is withheld when
 * another implementation moved the same way (others_moved, in compare_corroborate.c). And
 * more than half of the implementation's judged cases must have moved the same way (shown,
 * past their thresholds), not a few alone. A shared
 * machine holds some cases, or one implementation's, fast or slow for longer than a run: in an
 * A/A pair of `make bench` runs, naive q512 causal ran 48-58 ms in all five processes of one
 * run and 65-79 ms in all five of the next (p = 0.008), and in 20 A/A pairs of 25-second runs
 * 3 pairs had such cases (up to 4 of one implementation's 8). Two runs cannot tell that from a
 * change confined to those cases, so they are `inconclusive`; a change in a kernel moves most
 * of its cases, and is called. With --interleaved (scripts/ab-compare alternates BASE and NEW
 * case by case) the machine's state falls on both sides alike, and a case may stand alone, but
 * then it must pass alpha divided by the number of cases judged (Bonferroni): one of 60 cases
 * reaches p < 0.01 by chance about half the time, and in 10 A/A runs of ab-compare one lone
 * case did so past the threshold (openblas q512, all 5 NEW processes slower, 1.17x). */
#include "compare.h"

#include "compare_corroborate.h"
#include "mannwhitney.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdict_names[] = {
#define CMP_NAME(id, word, meaning) word,
    CMP_VERDICT_MAP(CMP_NAME)
#undef CMP_NAME
};

const char *cmp_verdict_name(int v)
{
    return v >= 0 && v < CMP_N_VERDICTS ? verdict_names[v] : "?";
}

const char *cmp_why_tag(int why)
{
    static const char *const tags[] = {
#define CMP_WHY_TAG(id, tag) tag,
        CMP_WHY_MAP(CMP_WHY_TAG)
#undef CMP_WHY_TAG
    };
    return why >= 0 && why < CMP_N_WHYS ? tags[why] : "?";
}

/* Per-case numbers a user may compare on; all are "lower is better". */
static const char *const field_metrics[] = {"workspace_bytes", "peak_rss_delta_bytes",
                                            "page_faults", "max_abs_err", "rel_l2_err"};

static int has_counter(const results_file *r, const char *name, const char **event)
{
    for (int i = 0; i < r->n; i++) {
        results_counter(&r->cases[i], name, event);
        if (*event != NULL)
            return 1;
    }
    return 0;
}

int cmp_metric_parse(const char *name, const results_file *base, const results_file *cur,
                     cmp_metric *m, char *err, size_t err_len)
{
    const char *event = NULL;
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    if (strcmp(name, "time") == 0) {
        m->kind = CMP_TIME;
        snprintf(m->label, sizeof m->label, "median time per run()");
        return 0;
    }
    if (strcmp(name, "gflops") == 0) {
        m->kind = CMP_GFLOPS;
        snprintf(m->label, sizeof m->label, "GFLOP/s at the median time");
        return 0;
    }
    for (size_t i = 0; i < sizeof field_metrics / sizeof field_metrics[0]; i++)
        if (strcmp(name, field_metrics[i]) == 0) {
            m->kind = CMP_FIELD;
            m->deterministic = strcmp(name, "workspace_bytes") == 0;
            snprintf(m->label, sizeof m->label, "%s", name);
            return 0;
        }
    if (has_counter(base, name, &event) || has_counter(cur, name, &event)) {
        m->kind = CMP_COUNTER;
        /* Simulated counts repeat exactly from run to run: a ratio is a fact, not a sample. */
        m->deterministic = strncmp(event, "SIM_", 4) == 0;
        snprintf(m->label, sizeof m->label, "%s per run()%s", event,
                 m->deterministic ? " (simulated)" : "");
        return 0;
    }
    snprintf(err, err_len,
             "--metric %s: not time, gflops, workspace_bytes, peak_rss_delta_bytes, page_faults,"
             " max_abs_err, rel_l2_err, or a counter either results file holds",
             name);
    return -1;
}

/* The metric's value in one case, and whether lower is better. */
static double metric_value(const cmp_metric *m, const results_case *c)
{
    const char *event;
    stats_summary s;
    switch (m->kind) {
    case CMP_TIME:
    case CMP_GFLOPS:
        if (c->reps <= 0)
            return NAN;
        /* With process samples the case's time is their median, as `run` reports it. */
        if (c->samples != NULL && c->n_samples > 0)
            stats_summarise(c->samples, c->n_samples, &s);
        else
            stats_summarise(c->times, c->reps, &s);
        if (m->kind == CMP_TIME)
            return s.median;
        return s.median > 0 ? results_number(c, "flops") / s.median * 1e-9 : NAN;
    case CMP_FIELD:
        return results_number(c, m->name);
    case CMP_COUNTER:
        return results_counter(c, m->name, &event);
    }
    return NAN;
}

static int passed(const results_case *c)
{
    return strcmp(c->status, "PASS") == 0;
}

/* A number of a per-thread-count array of BASE's machine peaks; NAN when absent. */
static double peak_at(const results_file *r, const char *field, int threads)
{
    json_t *a = json_object_get(json_object_get(r->run, "machine_peaks"), field);
    size_t n = json_array_size(a);
    if (n == 0)
        return NAN;
    size_t i = threads < 1 ? 0 : (size_t)threads - 1 < n ? (size_t)threads - 1 : n - 1;
    json_t *v = json_array_get(a, i);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The calibration part that bounds case c (compare.h, cmp_machine): memory when its problem is
 * memory-bound, else compute. Not the larger of compute and memory: the memory part (a triad
 * through DRAM) scattered by 10 to 18% between runs in 5 of 10 A/A pairs while these
 * cache-resident cases moved 1 to 7%, and held to it every case was withheld. A one-thread case
 * is held to the larger change of the two compute parts: the one-thread part runs on the first
 * PU and the case on whichever the scheduler picks, and in two A/A pairs naive's one-thread
 * cases took 15 to 43% less time when the one-thread part said 5 to 6% and the all-core part
 * 12 to 15%. */
static int bounding_part(const results_file *base, const cmp_machine *mc, const results_case *c)
{
    double ai = results_number(c, "arith_intensity");
    double balance = peak_at(base, "peak_gflops", c->threads) /
                     peak_at(base, "triad_gbps", c->threads);
    if (isfinite(ai) && isfinite(balance) && ai < balance)
        return CALIB_MEMORY;
    if (c->threads > 1 ||
        fabs(log(mc->ratio[CALIB_COMPUTE_ALL])) > fabs(log(mc->ratio[CALIB_COMPUTE_1T])))
        return CALIB_COMPUTE_ALL;
    return CALIB_COMPUTE_1T;
}

/* The time verdict, on process samples. 0, or -1 when the test could not run. */
static int judge_time(const cmp_report *rep, const results_file *base, cmp_row *row,
                      double worse)
{
    const results_case *b = row->base, *n = row->cur;
    row->base_samples = b->n_samples;
    row->new_samples = n->n_samples;
    if (!cmp_has_samples(row)) {
        row->verdict = CMP_INCONCLUSIVE;
        row->why = CMP_WHY_ONE_PROCESS;
        return 0;
    }
    row->limit = rep->opts.threshold;
    if (rep->machine.known) {
        row->calib_part = bounding_part(base, &rep->machine, b);
        double r = rep->machine.ratio[row->calib_part], drift = r > 1 ? r : 1 / r;
        if (drift > 1 + rep->opts.threshold) {
            row->verdict = CMP_INCONCLUSIVE;
            row->why = CMP_WHY_MACHINE;
            return 0;
        }
        /* A machine slower by 8% makes the case about 8% slower: a change must pass the
         * threshold on top of that. */
        row->limit = (1 + rep->opts.threshold) * drift - 1;
    }
    mwu_result t;
    if (mwu_test(b->samples, b->n_samples, n->samples, n->n_samples, &t) != 0)
        return -1;
    row->p = t.p;
    /* The normal approximation can dip under the exact floor; the floor decides. */
    row->too_few = t.min_p >= rep->opts.alpha;
    if (row->too_few) {
        row->verdict = CMP_INCONCLUSIVE;
        row->why = CMP_WHY_TOO_FEW;
        return 0;
    }
    row->worse = worse;
    row->beyond = worse > 1 + row->limit ? 1 : worse < 1 / (1 + row->limit) ? -1 : 0;
    /* The verdict waits for corroborate(): SAME unless it finds the change confirmed. */
    row->verdict = CMP_SAME;
    return 0;
}

static void judge(const cmp_report *rep, const results_file *base, cmp_row *row)
{
    const cmp_metric *m = &rep->metric;
    const cmp_opts *o = &rep->opts;
    row->calib_part = -1;
    row->limit = o->threshold;
    row->worse = NAN;
    const results_case *b = row->base, *n = row->cur;
    row->base_value = row->new_value = row->ratio = row->p = NAN;
    if (b == NULL || n == NULL) {
        row->verdict = b == NULL ? CMP_NEW : CMP_GONE;
        if (b != NULL)
            row->base_value = metric_value(m, b);
        if (n != NULL)
            row->new_value = metric_value(m, n);
        return;
    }
    row->base_value = metric_value(m, b);
    row->new_value = metric_value(m, n);
    if (passed(b) && !passed(n)) {
        row->verdict = CMP_BROKEN;
        return;
    }
    if (!passed(b) && passed(n)) {
        row->verdict = CMP_FIXED;
        return;
    }
    if (isnan(row->base_value) || isnan(row->new_value)) {
        row->verdict = CMP_UNMEASURED;
        return;
    }
    if (row->base_value == 0)
        row->ratio = row->new_value == 0 ? 1 : INFINITY;
    else
        row->ratio = row->new_value / row->base_value;

    /* worse > 1 means NEW is worse, whichever way the metric points. */
    double worse = cmp_worse_of(m, row);
    if (m->kind == CMP_TIME || m->kind == CMP_GFLOPS) {
        if (judge_time(rep, base, row, worse) != 0)
            row->verdict = CMP_UNMEASURED;
        return;
    }
    if (worse > 1 + o->threshold)
        row->verdict = CMP_SLOWER;
    else if (worse < 1 / (1 + o->threshold))
        row->verdict = CMP_FASTER;
    else
        row->verdict = CMP_SAME;
}

/* A side's calibration rounds, part by part: how many went into c[part][0..). */
static int calib_rounds(const results_file *r, double c[CALIB_N][1024])
{
    json_t *rounds = json_object_get(json_object_get(r->run, "calibration"), "rounds");
    size_t i;
    json_t *o;
    int n = 0;
    json_array_foreach(rounds, i, o) {
        calib_sample cs;
        if (n < 1024 && calib_from_json(o, &cs) == 0) {
            for (int p = 0; p < CALIB_N; p++)
                c[p][n] = cs.s[p];
            n++;
        }
    }
    return n;
}

/* How much the machine changed between the runs, part by part. */
static void judge_machine(const results_file *base, const results_file *cur, cmp_machine *mc)
{
    static double b[CALIB_N][1024], n[CALIB_N][1024];
    memset(mc, 0, sizeof *mc);
    mc->shift = 1;
    mc->base_rounds = calib_rounds(base, b);
    mc->new_rounds = calib_rounds(cur, n);
    if (mc->base_rounds == 0 || mc->new_rounds == 0) {
        snprintf(mc->unknown_why, sizeof mc->unknown_why, "%s has no calibration rounds (a run "
                 "from before them, or its calibration failed)",
                 mc->base_rounds == 0 ? "BASE" : "NEW");
        return;
    }
    mc->known = 1;
    for (int p = 0; p < CALIB_N; p++) {
        stats_summary sb, sn;
        stats_summarise(b[p], mc->base_rounds, &sb);
        stats_summarise(n[p], mc->new_rounds, &sn);
        mc->ratio[p] = sn.median / sb.median;
        if (fabs(log(mc->ratio[p])) > fabs(log(mc->shift)))
            mc->shift = mc->ratio[p];
    }
}

static int summarise(cmp_report *rep)
{
    double *log_sum = calloc((size_t)rep->n + 1, sizeof *log_sum);
    if (log_sum == NULL)
        return -1;
    for (int i = 0; i < rep->n; i++) {
        cmp_row *row = &rep->rows[i];
        cmp_impl_summary *s = cmp_impl_of(rep, row->impl);
        s->counts[row->verdict]++;
        rep->counts[row->verdict]++;
        if (row->verdict == CMP_INCONCLUSIVE)
            rep->whys[row->why]++;
        if (isfinite(row->ratio) && row->ratio > 0) {
            log_sum[s - rep->impls] += log(row->ratio);
            s->n_ratios++;
        }
    }
    for (int i = 0; i < rep->n_impls; i++) {
        cmp_impl_summary *s = &rep->impls[i];
        s->geomean = s->n_ratios > 0 ? exp(log_sum[i] / s->n_ratios) : NAN;
    }
    free(log_sum);
    return 0;
}

int cmp_run(const results_file *base, const results_file *cur, const cmp_metric *m,
            const cmp_opts *o, cmp_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->metric = *m;
    rep->opts = *o;
    judge_machine(base, cur, &rep->machine);
    rep->rows = calloc((size_t)(base->n + cur->n) + 1, sizeof *rep->rows);
    rep->impls = calloc((size_t)(base->n + cur->n) + 1, sizeof *rep->impls);
    if (rep->rows == NULL || rep->impls == NULL) {
        cmp_report_free(rep);
        return -1;
    }
    /* Both sides are sorted by key: one merge pass pairs them. */
    int i = 0, j = 0;
    while (i < base->n || j < cur->n) {
        cmp_row *row = &rep->rows[rep->n++];
        int order = i == base->n ? 1 : j == cur->n ? -1
                    : strcmp(base->cases[i].key, cur->cases[j].key);
        row->base = order <= 0 ? &base->cases[i++] : NULL;
        row->cur = order >= 0 ? &cur->cases[j++] : NULL;
        const results_case *any = row->base != NULL ? row->base : row->cur;
        row->key = any->key;
        row->impl = any->impl;
        judge(rep, base, row);
        cmp_impl_of(rep, row->impl);
    }
    if (cmp_corroborate(rep) != 0 || summarise(rep) != 0) {
        cmp_report_free(rep);
        return -1;
    }
    rep->min_reps_needed = cmp_samples_needed(o->alpha);
    return 0;
}

void cmp_report_free(cmp_report *rep)
{
    free(rep->rows);
    free(rep->impls);
    rep->rows = NULL;
    rep->impls = NULL;
}

int cmp_regressed(const cmp_report *rep)
{
    return rep->counts[CMP_SLOWER] > 0 || rep->counts[CMP_BROKEN] > 0;
}
