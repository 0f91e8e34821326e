/* cmd_plots.c: `attnbench plots DIR [--scripts SCRIPTDIR]`: draws DIR/results.json's figures
 * into DIR/plots (PNG and SVG, through the gnuplot scripts) and writes DIR/index.html. */
#include "cli.h"
#include "host.h"
#include "html_report.h"
#include "plot_facet.h"
#include "plot_gnuplot.h"
#include "plot_kinds.h"
#include "plot_write.h"
#include "results_read.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLOTS_ERR_LEN 1024

/* The scripts every figure loads besides its own. */
static const char *const shared_scripts[] = {"plot-style.gp", "plot-begin.gp", "plot-panel.gp",
                                             "plot-legend.gp"};

static int has_scripts(const char *dir)
{
    char path[PATH_MAX + 64];
    for (size_t i = 0; i < sizeof shared_scripts / sizeof shared_scripts[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, shared_scripts[i]);
        if (access(path, R_OK) != 0)
            return 0;
    }
    for (int k = 0; k < plot_n_kinds; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, plot_kinds[k].script);
        if (access(path, R_OK) != 0)
            return 0;
    }
    return 1;
}

static int file_nonempty(const char *dir, const char *base, const char *ext)
{
    char path[PATH_MAX + 256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.%s", dir, base, ext);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

typedef struct plots_state {
    const plot_ctx *ctx;
    const char *plots_dir;       /* DIR/plots */
    const char *script_dir;      /* absolute */
    plot_point *pts;
    plot_fig *figs;
    int n_figs, cap_figs;
    int failed;                  /* figures gnuplot failed on */
} plots_state;

/* Draws every file of kind k: writes its data, runs its script, checks both images exist. 0,
 * or -1 on a fatal error (message printed); gnuplot failures count in st->failed. */
static int draw_kind(plots_state *st, int k, int n)
{
    const plot_kind *kind = &plot_kinds[k];
    char err[PLOTS_ERR_LEN], script[PATH_MAX + 64], params[PLOT_NAME_LEN + 16];
    facet_plan fp;
    if (facet_plan_make(st->pts, n, kind->facets, kind->file_only, &fp) != 0) {
        fprintf(stderr, "attnbench plots: out of memory\n");
        return -1;
    }
    snprintf(script, sizeof script, "%s/%s", st->script_dir, kind->script);
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && facet_same(&st->pts[j], &st->pts[i], fp.file))
            j++;
        if (st->n_figs == st->cap_figs) {
            int cap = st->cap_figs ? 2 * st->cap_figs : 16;
            plot_fig *g = realloc(st->figs, sizeof *g * (size_t)cap);
            if (g == NULL) {
                fprintf(stderr, "attnbench plots: out of memory\n");
                return -1;
            }
            st->figs = g;
            st->cap_figs = cap;
        }
        plot_fig *fig = &st->figs[st->n_figs];
        if (plot_write_figure(st->ctx, k, &fp, st->pts + i, j - i, st->plots_dir,
                              st->script_dir, fig, err, sizeof err) != 0) {
            fprintf(stderr, "attnbench plots: %s\n", err);
            return -1;
        }
        snprintf(params, sizeof params, "data/%s.gp", fig->base);
        if (gp_run(st->plots_dir, script, params, err, sizeof err) != 0) {
            fprintf(stderr, "attnbench plots: gnuplot %s (%s): %s\n", kind->script, fig->base,
                    err);
            st->failed++;
        } else if (!file_nonempty(st->plots_dir, fig->base, "png") ||
                   !file_nonempty(st->plots_dir, fig->base, "svg")) {
            fprintf(stderr, "attnbench plots: gnuplot %s (%s): wrote no PNG or no SVG\n",
                    kind->script, fig->base);
            st->failed++;
        } else {
            st->n_figs++;
        }
        i = j;
    }
    return 0;
}

static int parse_args(int argc, char **argv, const char **dir, const char **scripts)
{
    *dir = *scripts = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--scripts") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "attnbench plots: --scripts needs a directory\n");
                return 2;
            }
            *scripts = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "attnbench plots: unknown option '%s' (try: attnbench --help)\n",
                    argv[i]);
            return 2;
        } else if (*dir != NULL) {
            fprintf(stderr, "attnbench plots: one results directory, not '%s' and '%s'\n", *dir,
                    argv[i]);
            return 2;
        } else {
            *dir = argv[i];
        }
    }
    if (*dir == NULL) {
        fprintf(stderr, "attnbench plots: which results directory? (attnbench plots DIR)\n");
        return 2;
    }
    return 0;
}

int cmd_plots(int argc, char **argv)
{
    const char *dir, *scripts, *skipped[PLOT_MAX_KINDS] = {0};
    char err[PLOTS_ERR_LEN], script_dir[PATH_MAX], plots_dir[PATH_MAX], data_dir[PATH_MAX + 8];
    char why[PLOT_MAX_KINDS][320];
    results_file r;
    plot_ctx ctx;
    struct stat sb;
    int rc = parse_args(argc, argv, &dir, &scripts);
    if (rc != 0)
        return rc;
    /* results/latest/ and results/latest name one directory: print it one way. */
    char dir_buf[PATH_MAX];
    snprintf(dir_buf, sizeof dir_buf, "%s", dir);
    for (size_t n = strlen(dir_buf); n > 1 && dir_buf[n - 1] == '/'; n--)
        dir_buf[n - 1] = '\0';
    dir = dir_buf;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "attnbench plots: %s: not a results directory\n", dir);
        return 2;
    }
    if (results_load(dir, &r, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench plots: %s\n", err);
        return 2;
    }
    if (plot_ctx_init(&ctx, &r, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench plots: %s: %s\n", r.path, err);
        results_free(&r);
        return 2;
    }
    if (gp_find_scripts(scripts, has_scripts, script_dir) != 0) {
        fprintf(stderr, "attnbench plots: no gnuplot scripts (plot-*.gp) in %s\n",
                scripts ? scripts : "./scripts, nor in scripts/ beside the executable's directory");
        results_free(&r);
        return 2;
    }
    snprintf(plots_dir, sizeof plots_dir, "%s/plots", dir);
    snprintf(data_dir, sizeof data_dir, "%s/data", plots_dir);
    plots_state st = {.ctx = &ctx, .plots_dir = plots_dir, .script_dir = script_dir};
    st.pts = malloc(sizeof *st.pts * (size_t)plot_points_cap(&ctx));
    if (st.pts == NULL || host_make_dirs(data_dir) != 0) {
        fprintf(stderr, "attnbench plots: %s\n", st.pts ? "cannot create the plots directory"
                                                        : "out of memory");
        free(st.pts);
        results_free(&r);
        return 1;
    }
    rc = 0;
    for (int k = 0; k < plot_n_kinds && rc == 0; k++) {
        int n = plot_kinds[k].collect(&ctx, st.pts, plot_points_cap(&ctx), why[k], sizeof why[k]);
        if (n == 0) {
            skipped[k] = why[k];
            printf("plots: %s: not drawn: %s\n", plot_kinds[k].name, why[k]);
            continue;
        }
        rc = draw_kind(&st, k, n) != 0;
    }
    html_figures hf = {.figs = st.figs, .n = st.n_figs, .skipped = skipped};
    if (rc == 0 && html_report_write(dir, &r, &hf, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench plots: %s\n", err);
        rc = 1;
    }
    if (rc == 0)
        printf("plots: %d figures (PNG and SVG) in %s; open %s/index.html\n", st.n_figs,
               plots_dir, dir);
    if (rc == 0 && st.failed > 0) {
        fprintf(stderr, "attnbench plots: gnuplot failed on %d figure%s (above)\n", st.failed,
                st.failed == 1 ? "" : "s");
        rc = 1;
    }
    free(st.pts);
    free(st.figs);
    results_free(&r);
    return rc;
}
