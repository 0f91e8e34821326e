/* compare_out.c: renders compare's reports. The text and markdown forms lead with what needs a
 * reader's attention (regressions, then improvements) and end with one verdict line. */
#include "compare_out.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

/* A value in the metric's unit: times scaled to ns..s, the rest in %g. */
static void fmt_value(const cmp_metric *m, double v, char *out, size_t len)
{
    if (isnan(v))
        snprintf(out, len, "-");
    else if (m->kind != CMP_TIME)
        snprintf(out, len, "%.4g", v);
    else if (v < 1e-6)
        snprintf(out, len, "%.1f ns", v * 1e9);
    else if (v < 1e-3)
        snprintf(out, len, "%.2f us", v * 1e6);
    else if (v < 1)
        snprintf(out, len, "%.2f ms", v * 1e3);
    else
        snprintf(out, len, "%.3f s", v);
}

static void fmt_ratio(double r, char *out, size_t len)
{
    if (isnan(r))
        snprintf(out, len, "-");
    else
        snprintf(out, len, "%.3f", r);
}

static void fmt_p(const cmp_row *row, char *out, size_t len)
{
    if (isnan(row->p))
        snprintf(out, len, "-");
    else
        snprintf(out, len, "%.2g%s", row->p, row->too_few ? "*" : "");
}

/* "git 54c190c, 2026-11-21T15:41:15+0000, host vm" from a run's metadata. */
static void describe_run(const results_file *r, char *out, size_t len)
{
    const char *commit = json_string_value(json_object_get(r->run, "git_commit"));
    const char *date = json_string_value(json_object_get(r->run, "date"));
    const char *host = json_string_value(json_object_get(r->run, "host"));
    snprintf(out, len, "git %s, %s, host %s", commit ? commit : "?", date ? date : "?",
             host ? host : "?");
}

static int same_string(const results_file *a, const results_file *b, const char *field)
{
    const char *x = json_string_value(json_object_get(a->run, field));
    const char *y = json_string_value(json_object_get(b->run, field));
    return x == NULL || y == NULL || strcmp(x, y) == 0;
}

/* The order rows are listed in: what needs attention first. */
static const int listing_order[] = {CMP_BROKEN, CMP_SLOWER, CMP_FASTER, CMP_FIXED, CMP_NEW,
                                    CMP_GONE, CMP_UNMEASURED, CMP_INCONCLUSIVE, CMP_SAME};

static void method_line(const cmp_report *rep, char *out, size_t len)
{
    const cmp_metric *m = &rep->metric;
    char lone[96] = "";
    if (rep->opts.interleaved)
        snprintf(lone, sizeof lone, " or, BASE and NEW interleaved, pass p < %.2g alone",
                 rep->lone_alpha);
    if (m->kind == CMP_TIME || m->kind == CMP_GFLOPS)
        snprintf(out, len,
                 "%s; Mann-Whitney U test on the process samples, each process's median "
                 "(two-sided, alpha %g), or the implementation's cases together (stratified, "
                 "alpha %.2g), and a %g%% threshold%s; a change must also move most of its "
                 "implementation's cases%s",
                 m->label, rep->opts.alpha, rep->impl_alpha, 100 * rep->opts.threshold,
                 rep->machine.known ? " widened by the machine's own change" : "", lone);
    else
        snprintf(out, len, "%s; %s, the plain ratio against a %g%% threshold", m->label,
                 m->deterministic ? "deterministic" : "one value per case, no test possible",
                 100 * rep->opts.threshold);
}

static void counts_line(const int *counts, char *out, size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t k = 0; k < sizeof listing_order / sizeof listing_order[0]; k++) {
        int v = listing_order[k];
        if (counts[v] > 0 && n < len)
            n += (size_t)snprintf(out + n, len - n, "%s%d %s", n ? ", " : "", counts[v],
                                  cmp_verdict_name(v));
    }
    if (n == 0)
        snprintf(out, len, "no cases");
}

/* "compute_1t_s +3.1%, compute_all_s -0.4%, memory_s +12.0%" */
static void machine_parts(const cmp_machine *mc, char *out, size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    for (int p = 0; p < CALIB_N && n < len; p++)
        n += (size_t)snprintf(out + n, len - n, "%s%s %+.1f%%", p ? ", " : "",
                              calib_part_names[p], 100 * (mc->ratio[p] - 1));
}

/* A count and its noun, for "%d %s". */
#define CASES(n) (n), (n) == 1 ? "case" : "cases"

/* The notes under a time comparison: the machine's change, and why verdicts are missing. Each
 * is one line in out[i]; returns how many (at most TIME_NOTES). */
#define TIME_NOTES (1 + CMP_N_WHYS)
static int time_notes(const cmp_report *rep, char out[TIME_NOTES][640])
{
    const cmp_machine *mc = &rep->machine;
    const cmp_metric *m = &rep->metric;
    char parts[256];
    int n = 0;
    if (m->kind != CMP_TIME && m->kind != CMP_GFLOPS)
        return 0;
    if (!mc->known) {
        snprintf(out[n++], 640, "machine: not known whether it changed: %s", mc->unknown_why);
    } else {
        machine_parts(mc, parts, sizeof parts);
        snprintf(out[n++], 640, "machine: NEW's calibration workload against BASE's: %s (medians "
                 "of %d and %d rounds; + is slower); each case's threshold widens by the part "
                 "that bounds it (memory below the machine's balance; compute otherwise, for "
                 "one thread the larger change of the two compute parts)",
                 parts, mc->new_rounds, mc->base_rounds);
    }
    if (rep->whys[CMP_WHY_MACHINE] > 0)
        snprintf(out[n++], 640, "%d %s held to a calibration part that moved by more than "
                 "the %g%% threshold: the machine alone could make any verdict, so none is given",
                 CASES(rep->whys[CMP_WHY_MACHINE]), 100 * rep->opts.threshold);
    if (rep->whys[CMP_WHY_ONE_PROCESS] > 0)
        snprintf(out[n++], 640, "%d %s ran in one process on a side: the noise between runs "
                 "is then unknown, and no time verdict is possible; run both with [measure] "
                 "rounds >= %d (each process's median is one sample), or use scripts/ab-compare",
                 CASES(rep->whys[CMP_WHY_ONE_PROCESS]), rep->min_reps_needed);
    if (rep->whys[CMP_WHY_ISOLATED] > 0 && rep->opts.interleaved)
        snprintf(out[n++], 640, "%d %s moved while most of their implementation's cases "
                 "did not: a case alone must pass p < %.2g (alpha over the %d cases judged, as "
                 "by chance one of many reaches alpha), which takes >= %d processes a side "
                 "(scripts/ab-compare --rounds %d)",
                 CASES(rep->whys[CMP_WHY_ISOLATED]), rep->lone_alpha, rep->n_judged,
                 rep->lone_samples_needed, rep->lone_samples_needed);
    else if (rep->whys[CMP_WHY_ISOLATED] > 0)
        snprintf(out[n++], 640, "%d %s moved while most of their implementation's cases "
                 "did not: between two separate runs a shared machine holds some cases fast or "
                 "slow for longer than a run, which two runs cannot tell from a change to those "
                 "cases (a change in a kernel moves most of its cases); scripts/ab-compare, which "
                 "interleaves BASE and NEW, can judge a case alone (with enough --rounds)",
                 CASES(rep->whys[CMP_WHY_ISOLATED]));
    if (rep->whys[CMP_WHY_RUN_MOVED] > 0)
        snprintf(out[n++], 640, "%d %s moved while another implementation's cases moved the "
                 "same way, by more than half the threshold: between two separate runs that is "
                 "the whole run moving (the machine, "
                 "or a change common to every implementation), which two runs cannot tell from a "
                 "change to one kernel; scripts/ab-compare, which interleaves BASE and NEW, can",
                 CASES(rep->whys[CMP_WHY_RUN_MOVED]));
    if (rep->whys[CMP_WHY_TOO_FEW] > 0)
        snprintf(out[n++], 640, "%d %s with too few process samples for the U test ever to "
                 "reach p < %g (p marked *); rounds >= %d on both sides can",
                 CASES(rep->whys[CMP_WHY_TOO_FEW]), rep->opts.alpha, rep->min_reps_needed);
    return n;
}

/* One row's printed cells, the same in every format. */
typedef struct row_cells {
    char base[32], cur[32], ratio[32], p[32];
} row_cells;

static void format_row(const cmp_report *rep, const cmp_row *row, row_cells *c)
{
    fmt_value(&rep->metric, row->base_value, c->base, sizeof c->base);
    fmt_value(&rep->metric, row->new_value, c->cur, sizeof c->cur);
    fmt_ratio(row->ratio, c->ratio, sizeof c->ratio);
    fmt_p(row, c->p, sizeof c->p);
}

static int impl_cases(const cmp_impl_summary *s)
{
    int total = 0;
    for (int v = 0; v < CMP_N_VERDICTS; v++)
        total += s->counts[v];
    return total;
}

static void write_text(FILE *f, const cmp_report *rep)
{
    char line[512], r[32];
    row_cells c;
    method_line(rep, line, sizeof line);
    fprintf(f, "metric: %s\n\n", line);
    fprintf(f, "%-10s %8s %9s %11s %11s  %s\n", "verdict", "ratio", "p", "base", "new", "case");
    for (size_t k = 0; k < sizeof listing_order / sizeof listing_order[0]; k++)
        for (int i = 0; i < rep->n; i++) {
            const cmp_row *row = &rep->rows[i];
            if ((int)row->verdict != listing_order[k])
                continue;
            format_row(rep, row, &c);
            fprintf(f, "%-10s %8s %9s %11s %11s  %s", cmp_verdict_name(row->verdict), c.ratio,
                    c.p, c.base, c.cur, row->key);
            if (row->verdict == CMP_BROKEN || row->verdict == CMP_FIXED)
                fprintf(f, "  [%s -> %s]", row->base->status, row->cur->status);
            if (row->verdict == CMP_INCONCLUSIVE)
                fprintf(f, "  [%s]", cmp_why_tag(row->why));
            fputc('\n', f);
        }
    fprintf(f, "\n%-16s %6s %9s %9s  %s\n", "impl", "cases", "geomean", "p (all)",
            "verdicts (geomean: of the ratios NEW / BASE; p: its cases together)");
    for (int i = 0; i < rep->n_impls; i++) {
        const cmp_impl_summary *s = &rep->impls[i];
        char pooled[32] = "-";
        if (isfinite(s->pooled_p))
            snprintf(pooled, sizeof pooled, "%.2g", s->pooled_p);
        fmt_ratio(s->geomean, r, sizeof r);
        counts_line(s->counts, line, sizeof line);
        fprintf(f, "%-16s %6d %9s %9s  %s\n", s->impl, impl_cases(s), r, pooled, line);
    }
    char notes[TIME_NOTES][640];
    int n = time_notes(rep, notes);
    for (int i = 0; i < n; i++)
        fprintf(f, "note: %s\n", notes[i]);
}

static void md_row(FILE *f, const cmp_report *rep, const cmp_row *row)
{
    row_cells c;
    int status_change = row->verdict == CMP_BROKEN || row->verdict == CMP_FIXED;
    format_row(rep, row, &c);
    fprintf(f, "| %s%s%s | `%s` | %s | %s | %s | %s |\n", cmp_verdict_name(row->verdict),
            row->verdict == CMP_INCONCLUSIVE ? ": " : "",
            row->verdict == CMP_INCONCLUSIVE ? cmp_why_tag(row->why) : "", row->key,
            status_change ? row->base->status : c.base, status_change ? row->cur->status : c.cur,
            c.ratio, c.p);
}

#define MD_MAX_ROWS 200

static void write_markdown(FILE *f, const cmp_report *rep)
{
    char line[512], r[32];
    int attention = 0;
    method_line(rep, line, sizeof line);
    fprintf(f, "### %s\n\n%s.\n\n", rep->metric.name, line);
    counts_line(rep->counts, line, sizeof line);
    fprintf(f, "**%s**\n\n", line);
    fprintf(f, "| impl | cases | geomean ratio | slower | faster | broken | inconclusive |\n"
               "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < rep->n_impls; i++) {
        const cmp_impl_summary *s = &rep->impls[i];
        fmt_ratio(s->geomean, r, sizeof r);
        fprintf(f, "| %s | %d | %s | %d | %d | %d | %d |\n", s->impl, impl_cases(s), r,
                s->counts[CMP_SLOWER], s->counts[CMP_FASTER], s->counts[CMP_BROKEN],
                s->counts[CMP_INCONCLUSIVE]);
    }
    static const char header[] = "| verdict | case | base | new | ratio | p |\n"
                                 "| --- | --- | ---: | ---: | ---: | ---: |\n";
    for (int i = 0; i < rep->n; i++)
        attention += rep->rows[i].verdict != CMP_SAME;
    if (attention > 0) {
        fprintf(f, "\n%s", header);
        for (size_t k = 0; k + 1 < sizeof listing_order / sizeof listing_order[0]; k++)
            for (int i = 0; i < rep->n; i++)
                if ((int)rep->rows[i].verdict == listing_order[k])
                    md_row(f, rep, &rep->rows[i]);
    }
    /* GitHub refuses a comment over 65536 characters: the folded list stops at 200 rows. */
    int shown = rep->n < MD_MAX_ROWS ? rep->n : MD_MAX_ROWS;
    fprintf(f, "\n<details><summary>%s %d cases</summary>\n\n%s", shown < rep->n ? "the first"
            : "all", shown, header);
    for (int i = 0; i < shown; i++)
        md_row(f, rep, &rep->rows[i]);
    if (shown < rep->n)
        fprintf(f, "\n%d more in the text or JSON report.\n", rep->n - shown);
    fprintf(f, "\n</details>\n");
    char notes[TIME_NOTES][640];
    int n = time_notes(rep, notes);
    for (int i = 0; i < n; i++)
        fprintf(f, "\n_Note: %s._\n", notes[i]);
    fputc('\n', f);
}

static json_t *number_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *run_json(const results_file *r)
{
    json_t *o = json_object();
    static const char *const fields[] = {"git_commit", "date", "host", "cpu_model"};
    json_object_set_new(o, "path", json_string(r->path));
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_t *v = json_object_get(r->run, fields[i]);
        json_object_set(o, fields[i], v != NULL ? v : json_null());
    }
    return o;
}

static json_t *report_json(const cmp_report *rep)
{
    json_t *o = json_object(), *rows = json_array(), *impls = json_array(), *counts;
    char line[512];
    method_line(rep, line, sizeof line);
    json_object_set_new(o, "metric", json_string(rep->metric.name));
    json_object_set_new(o, "method", json_string(line));
    json_object_set_new(o, "deterministic", json_boolean(rep->metric.deterministic));
    json_object_set_new(o, "alpha", json_real(rep->opts.alpha));
    json_object_set_new(o, "threshold", json_real(rep->opts.threshold));
    json_object_set_new(o, "interleaved", json_boolean(rep->opts.interleaved));
    json_object_set_new(o, "impl_alpha", json_real(rep->impl_alpha));
    if (rep->opts.interleaved)
        json_object_set_new(o, "lone_alpha", json_real(rep->lone_alpha));
    for (int i = 0; i < rep->n; i++) {
        const cmp_row *row = &rep->rows[i];
        json_t *c = json_pack("{s:s, s:s, s:s}", "case", row->key, "impl", row->impl, "verdict",
                              cmp_verdict_name(row->verdict));
        json_object_set_new(c, "base", number_or_null(row->base_value));
        json_object_set_new(c, "new", number_or_null(row->new_value));
        json_object_set_new(c, "ratio", number_or_null(row->ratio));
        json_object_set_new(c, "p", number_or_null(row->p));
        json_object_set_new(c, "too_few_samples", json_boolean(row->too_few));
        json_object_set_new(c, "inconclusive_why", row->verdict == CMP_INCONCLUSIVE
                                                       ? json_string(cmp_why_tag(row->why))
                                                       : json_null());
        json_object_set_new(c, "threshold_used", json_real(row->limit));
        json_object_set_new(c, "calibration_part",
                            row->calib_part >= 0 ? json_string(calib_part_names[row->calib_part])
                                                 : json_null());
        json_object_set_new(c, "base_samples", json_integer(row->base_samples));
        json_object_set_new(c, "new_samples", json_integer(row->new_samples));
        json_object_set_new(c, "base_status", row->base ? json_string(row->base->status)
                                                        : json_null());
        json_object_set_new(c, "new_status", row->cur ? json_string(row->cur->status)
                                                      : json_null());
        json_object_set_new(c, "base_reps", json_integer(row->base ? row->base->reps : 0));
        json_object_set_new(c, "new_reps", json_integer(row->cur ? row->cur->reps : 0));
        json_array_append_new(rows, c);
    }
    for (int i = 0; i < rep->n_impls; i++) {
        const cmp_impl_summary *s = &rep->impls[i];
        json_t *c = json_object();
        counts = json_object();
        for (int v = 0; v < CMP_N_VERDICTS; v++)
            json_object_set_new(counts, cmp_verdict_name(v), json_integer(s->counts[v]));
        json_object_set_new(c, "impl", json_string(s->impl));
        json_object_set_new(c, "geomean_ratio", number_or_null(s->geomean));
        json_object_set_new(c, "pooled_p", number_or_null(s->pooled_p));
        json_object_set_new(c, "run_p", number_or_null(s->run_p));
        json_object_set_new(c, "run_ratio", number_or_null(s->run_worse));
        json_object_set_new(c, "pooled_z", number_or_null(isfinite(s->pooled_p) ? s->pooled_z
                                                                                 : NAN));
        json_object_set_new(c, "verdicts", counts);
        json_array_append_new(impls, c);
    }
    counts = json_object();
    for (int v = 0; v < CMP_N_VERDICTS; v++)
        json_object_set_new(counts, cmp_verdict_name(v), json_integer(rep->counts[v]));
    json_object_set_new(o, "verdicts", counts);
    json_object_set_new(o, "regressed", json_boolean(cmp_regressed(rep)));
    if (rep->metric.kind == CMP_TIME || rep->metric.kind == CMP_GFLOPS) {
        const cmp_machine *mc = &rep->machine;
        json_t *machine = json_pack("{s:b}", "known", mc->known);
        if (mc->known) {
            json_t *parts = json_object();
            for (int p = 0; p < CALIB_N; p++)
                json_object_set_new(parts, calib_part_names[p], json_real(mc->ratio[p]));
            json_object_set_new(machine, "calibration_ratios", parts);
            json_object_set_new(machine, "shift", json_real(mc->shift));
        } else {
            json_object_set_new(machine, "unknown_why", json_string(mc->unknown_why));
        }
        json_object_set_new(o, "machine", machine);
    }
    json_object_set_new(o, "impls", impls);
    json_object_set_new(o, "cases", rows);
    return o;
}

static int any_regressed(const cmp_report *reps, int n_reps)
{
    for (int i = 0; i < n_reps; i++)
        if (cmp_regressed(&reps[i]))
            return 1;
    return 0;
}

void cmp_out_write(FILE *f, cmp_format fmt, const results_file *base, const results_file *cur,
                   const cmp_report *reps, int n_reps)
{
    char b[512], n[512];
    int regressed = any_regressed(reps, n_reps);
    describe_run(base, b, sizeof b);
    describe_run(cur, n, sizeof n);
    if (fmt == CMP_OUT_JSON) {
        json_t *o = json_object(), *list = json_array();
        json_object_set_new(o, "format", json_string("attnbench-compare"));
        json_object_set_new(o, "format_version", json_integer(1));
        json_object_set_new(o, "base", run_json(base));
        json_object_set_new(o, "new", run_json(cur));
        for (int i = 0; i < n_reps; i++)
            json_array_append_new(list, report_json(&reps[i]));
        json_object_set_new(o, "comparisons", list);
        json_object_set_new(o, "regressed", json_boolean(regressed));
        json_dumpf(o, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
        fputc('\n', f);
        json_decref(o);
        return;
    }
    int md = fmt == CMP_OUT_MARKDOWN;
    fprintf(f, md ? "## attnbench compare: %s\n\n" : "attnbench compare: %s\n",
            regressed ? "REGRESSED" : "no regression");
    fprintf(f, md ? "- BASE `%s` (%s)\n" : "  BASE %s (%s)\n", base->path, b);
    fprintf(f, md ? "- NEW `%s` (%s)\n" : "  NEW  %s (%s)\n", cur->path, n);
    if (!same_string(base, cur, "host") || !same_string(base, cur, "cpu_model"))
        fprintf(f, md ? "- **BASE and NEW ran on different machines: timings compare machines"
                        " as much as code.**\n"
                      : "  warning: BASE and NEW ran on different machines: timings compare"
                        " machines as much as code\n");
    fputc('\n', f);
    for (int i = 0; i < n_reps; i++) {
        if (md)
            write_markdown(f, &reps[i]);
        else {
            write_text(f, &reps[i]);
            fputc('\n', f);
        }
    }
    for (int i = 0; i < n_reps; i++) {
        char counts[512];
        counts_line(reps[i].counts, counts, sizeof counts);
        fprintf(f, md ? "- %s: %s\n" : "%s: %s\n", reps[i].metric.name, counts);
    }
    int inconclusive = 0, total = 0;
    for (int i = 0; i < n_reps; i++) {
        inconclusive += reps[i].counts[CMP_INCONCLUSIVE];
        total += reps[i].n;
    }
    char verdict[160];
    if (regressed)
        snprintf(verdict, sizeof verdict, "REGRESSED (slower or broken cases above)");
    else if (inconclusive > 0)
        snprintf(verdict, sizeof verdict, "no regression found, but %d of %d verdicts are "
                 "inconclusive (the notes say why)", inconclusive, total);
    else
        snprintf(verdict, sizeof verdict, "no regression");
    fprintf(f, md ? "\n**verdict: %s**\n" : "verdict: %s\n", verdict);
}

int cmp_out_tsv(const char *path, const cmp_report *rep)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "case\timpl\tratio\tverdict\n");
    for (int i = 0; i < rep->n; i++) {
        const cmp_row *row = &rep->rows[i];
        fprintf(f, "%s\t%s\t%.6g\t%s\n", row->key, row->impl, row->ratio,
                cmp_verdict_name(row->verdict));
    }
    return fclose(f);
}
