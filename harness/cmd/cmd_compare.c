/* cmd_compare.c: `attnbench compare BASE NEW`: reads both result sets, compares them on each
 * requested metric, prints the report, and exits 1 on a regression (for CI). */
#include "cli.h"
#include "compare.h"
#include "compare_out.h"
#include "host.h"
#include "plot_gnuplot.h"
#include "plot_write.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_METRICS 8

typedef struct compare_args {
    const char *paths[2];              /* BASE, NEW */
    double alpha, threshold;
    int interleaved;
    char metrics[MAX_METRICS][64];
    int n_metrics;
    cmp_format format;
    const char *plot;                  /* --plot DIR: the ratio chart there, or NULL */
} compare_args;

static int bad(const char *fmt, const char *what)
{
    fprintf(stderr, "attnbench compare: ");
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    return 2;
}

/* "10%" or "0.1" -> 0.1. */
static int parse_threshold(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || !isfinite(v))
        return -1;
    if (*end == '%') {
        v /= 100;
        end++;
    } else if (v >= 1) {
        return -1;          /* "10" is ambiguous: 10x or 10%? */
    }
    if (*end != '\0' || v <= 0)
        return -1;
    *out = v;
    return 0;
}

static int parse_metrics(const char *list, compare_args *a)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (*tok == '\0' || a->n_metrics == MAX_METRICS || strlen(tok) >= 64)
            return -1;
        snprintf(a->metrics[a->n_metrics++], 64, "%s", tok);
    }
    return a->n_metrics > 0 ? 0 : -1;
}

static int parse_args(int argc, char **argv, compare_args *a)
{
    int n_paths = 0;
    memset(a, 0, sizeof *a);
    a->alpha = 0.01;
    a->threshold = 0.10;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (opt[0] != '-' || opt[1] == '\0') {
            if (n_paths == 2)
                return bad("too many results given ('%s'): compare takes BASE and NEW", opt);
            a->paths[n_paths++] = opt;
            continue;
        }
        if (!strcmp(opt, "--interleaved")) {
            a->interleaved = 1;
            continue;
        }
        int known = !strcmp(opt, "--alpha") || !strcmp(opt, "--threshold") ||
                    !strcmp(opt, "--metric") || !strcmp(opt, "--format") ||
                    !strcmp(opt, "--plot");
        if (!known)
            return bad("unknown option '%s' (try: attnbench --help)", opt);
        if (i + 1 >= argc)
            return bad("%s needs a value", opt);
        const char *val = argv[++i];
        char *end;
        if (!strcmp(opt, "--alpha")) {
            a->alpha = strtod(val, &end);
            if (end == val || *end != '\0' || !(a->alpha > 0 && a->alpha < 1))
                return bad("--alpha '%s': give a probability between 0 and 1, e.g. 0.01", val);
        } else if (!strcmp(opt, "--threshold")) {
            if (parse_threshold(val, &a->threshold) != 0)
                return bad("--threshold '%s': give a fraction below 1 (0.1) or a percentage"
                           " (10%%)", val);
        } else if (!strcmp(opt, "--metric")) {
            if (parse_metrics(val, a) != 0)
                return bad("--metric '%s': give one to 8 comma-separated metrics", val);
        } else if (!strcmp(opt, "--format")) {
            if (!strcmp(val, "text"))
                a->format = CMP_OUT_TEXT;
            else if (!strcmp(val, "markdown"))
                a->format = CMP_OUT_MARKDOWN;
            else if (!strcmp(val, "json"))
                a->format = CMP_OUT_JSON;
            else
                return bad("--format '%s': one of text, markdown, json", val);
        } else {
            a->plot = val;
        }
    }
    if (n_paths != 2)
        return bad("%s", "give BASE and NEW: results directories or their results.json");
    if (a->n_metrics == 0)
        parse_metrics("time", a);
    return 0;
}

static int has_compare_script(const char *dir)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/plot-compare.gp", dir);
    return access(path, R_OK) == 0;
}

/* DIR/compare.tsv (case, impl, ratio, verdict) and DIR/compare.png and .svg drawn from it by
 * scripts/plot-compare.gp (found beforehand, into scripts). Its messages go to stderr, so that
 * stdout stays the report (JSON included). 0, or -1 with the error printed. */
static int draw_chart(const char *dir, const char *scripts, const cmp_report *rep)
{
    char path[PATH_MAX + 32], msg[1024];
    if (rep->n == 0) {
        fprintf(stderr, "note: no cases: no chart drawn\n");
        return 0;
    }
    snprintf(path, sizeof path, "%s/compare.tsv", dir);
    if (cmp_out_tsv(path, rep) != 0) {
        fprintf(stderr, "attnbench compare: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/compare-params.gp", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "attnbench compare: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "data = 'compare.tsv'\nout = 'compare'\nthreshold = %.17g\nmetric = ",
            rep->opts.threshold);
    plot_gp_string(f, rep->metric.label);
    fputc('\n', f);
    if (fclose(f) != 0) {
        fprintf(stderr, "attnbench compare: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/plot-compare.gp", scripts);
    if (gp_run(dir, path, "compare-params.gp", msg, sizeof msg) != 0) {
        fprintf(stderr, "attnbench compare: plot-compare.gp: %s\n", msg);
        return -1;
    }
    fprintf(stderr, "chart: %s/compare.png and compare.svg\n", dir);
    return 0;
}

int cmd_compare(int argc, char **argv)
{
    compare_args a;
    results_file files[2];
    cmp_report reps[MAX_METRICS];
    char err[4600], scripts[PATH_MAX];
    int rc = 2, loaded = 0, n_reps = 0;

    if (parse_args(argc, argv, &a) != 0)
        return 2;
    /* Whatever can be checked before the report is, so that a bad --plot is exit 2 and a
     * chart that fails later cannot hide a regression's exit 1. */
    if (a.plot != NULL && gp_find_scripts(NULL, has_compare_script, scripts) != 0) {
        fprintf(stderr, "attnbench compare: --plot: scripts/plot-compare.gp not found\n");
        return 2;
    }
    for (; loaded < 2; loaded++)
        if (results_load(a.paths[loaded], &files[loaded], err, sizeof err) != 0) {
            fprintf(stderr, "attnbench compare: %s %s\n", loaded ? "NEW" : "BASE", err);
            goto out;
        }
    cmp_opts opts = {.alpha = a.alpha, .threshold = a.threshold, .interleaved = a.interleaved};
    for (; n_reps < a.n_metrics; n_reps++) {
        cmp_metric m;
        if (cmp_metric_parse(a.metrics[n_reps], &files[0], &files[1], &m, err, sizeof err) != 0) {
            fprintf(stderr, "attnbench compare: %s\n", err);
            goto out;
        }
        if (cmp_run(&files[0], &files[1], &m, &opts, &reps[n_reps]) != 0) {
            fprintf(stderr, "attnbench compare: out of memory\n");
            goto out;
        }
    }
    /* Only once both inputs and every metric are good: bad input leaves no --plot directory. */
    if (a.plot != NULL && host_make_dirs(a.plot) != 0) {
        fprintf(stderr, "attnbench compare: --plot %s: %s\n", a.plot, strerror(errno));
        goto out;
    }
    cmp_out_write(stdout, a.format, &files[0], &files[1], reps, n_reps);
    rc = 0;
    for (int i = 0; i < n_reps; i++)
        if (cmp_regressed(&reps[i]))
            rc = 1;
    /* A CI job that redirects the report to a full disk must not read "no regression". */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "attnbench compare: cannot write the report: %s\n", strerror(errno));
        rc = 2;
    }
    if (a.plot != NULL && draw_chart(a.plot, scripts, &reps[0]) != 0 && rc == 0)
        rc = 2;
out:
    for (int i = 0; i < n_reps; i++)
        cmp_report_free(&reps[i]);
    for (int i = 0; i < loaded; i++)
        results_free(&files[i]);
    return rc;
}
