/* plot_write.c: writes one figure's data files (TSV, a block per implementation, as gnuplot's
 * `index` reads them) and its parameter file, so that no string reaches gnuplot unquoted. */
#include "plot_write.h"
#include "peaks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define XTICS_MAX 8      /* more tics than this crowd a panel's x axis */
#define LOG_SPAN 20.0    /* y values spanning more than this factor get a log axis */

void plot_gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '\'')
            fputs("''", f);
        else
            fputc(ch < 0x20 || ch == 0x7f ? ' ' : ch, f);
    }
    fputc('\'', f);
}

static void gp_assign(FILE *f, const char *name, const char *value)
{
    fprintf(f, "%s = ", name);
    plot_gp_string(f, value);
    fputc('\n', f);
}

/* A number for gnuplot: NaN is its own word there. */
static void gp_number(FILE *f, const char *name, double v)
{
    if (isfinite(v))
        fprintf(f, "%s = %.9g\n", name, v);
    else
        fprintf(f, "%s = NaN\n", name);
}

/* Closes f: 0, or -1 when anything written to it was lost. */
static int close_checked(FILE *f)
{
    int bad = ferror(f);
    return fclose(f) != 0 || bad ? -1 : 0;
}

/* Writes panel pts[0..n) (sorted: reference points, impl -1, first; then by impl and x) to
 * path; blocks gets the 1-based indices of the implementations it holds, in block order. */
static int write_panel(const char *path, const plot_ctx *ctx, const plot_kind *k,
                       const char *title, const plot_point *pts, int n, char *blocks,
                       size_t blen, int *has_ref)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    size_t used = 0;
    int prev = -2;
    blocks[0] = '\0';
    *has_ref = 0;
    fprintf(f, "# %s: %s\n# columns: %s\n", k->title, title, k->columns);
    fprintf(f, "# blocks: one per implementation (named on its first line)%s\n",
            pts[0].impl < 0 ? ", then the reference" : "");
    for (int i = 0; i < n; i++) {
        const plot_point *p = &pts[i];
        if (p->impl < 0)
            continue;
        if (p->impl != prev) {
            fprintf(f, "%s# %s\n", prev == -2 ? "" : "\n\n", ctx->impls[p->impl]);
            int w = snprintf(blocks + used, blen - used, "%s%d", used ? " " : "", p->impl + 1);
            if (w > 0 && (size_t)w < blen - used)
                used += (size_t)w;
            prev = p->impl;
        }
        fprintf(f, "%.9g", p->x);
        for (int y = 0; y < k->ny; y++)
            fprintf(f, "\t%.9g", p->y[y]);
        fputc('\n', f);
    }
    for (int i = 0; i < n && pts[i].impl < 0; i++) {
        if (i == 0)
            fprintf(f, "\n\n# reference\n");
        if (i > 0 && pts[i].x == pts[i - 1].x)
            continue;
        fprintf(f, "%.9g\t%.9g\n", pts[i].x, pts[i].y[0]);
        *has_ref = 1;
    }
    return close_checked(f);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The distinct x values of pts as a gnuplot tic list ("64" 64, "128" 128), at most
 * XTICS_MAX of them, or "" to let gnuplot choose (the roofline's intensities). */
static int xtics_list(const plot_kind *k, const plot_point *pts, int n, char *out, size_t len)
{
    out[0] = '\0';
    if (k->x == PLOT_X_AI)
        return 0;
    double *xs = malloc(sizeof *xs * (size_t)n);
    if (xs == NULL)
        return -1;
    int d = 0;
    for (int i = 0; i < n; i++)
        xs[i] = pts[i].x;
    qsort(xs, (size_t)n, sizeof *xs, cmp_double);
    for (int i = 0; i < n; i++)
        if (d == 0 || xs[i] != xs[d - 1])
            xs[d++] = xs[i];
    int step = (d + XTICS_MAX - 1) / XTICS_MAX;
    size_t used = 0;
    for (int i = 0; i < d; i += step) {
        int w = snprintf(out + used, len - used, "%s\"%.6g\" %.9g", used ? ", " : "(", xs[i],
                         xs[i]);
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
    }
    if (used > 0 && used + 2 <= len)
        strcat(out, ")");
    else
        out[0] = '\0';
    free(xs);
    return 0;
}

static void file_titles(const plot_kind *k, const facet_plan *fp, const plot_point *p0,
                        int all_square, plot_fig *fig, char *xlabel, size_t xlen)
{
    unsigned shared = (k->facets & ~fp->panel) & ~FACET_BIT(FACET_EVENT);
    /* Left out where they hold their usual value: x already says seq_q = seq_kv, and
     * kv_heads = heads is plain multi-head attention. */
    if (!(fp->vary & FACET_BIT(FACET_SEQ_Q)) && p0->c->seq_q == p0->c->seq_kv)
        shared &= ~FACET_BIT(FACET_SEQ_Q);
    if (!(fp->vary & FACET_BIT(FACET_KV)) && p0->c->kv_heads == p0->c->heads)
        shared &= ~FACET_BIT(FACET_KV);
    if (k->facets & FACET_BIT(FACET_EVENT))
        snprintf(fig->title, sizeof fig->title, "%s: %s, %s", k->title, p0->event,
                 facet_event_source(p0->event));
    else
        snprintf(fig->title, sizeof fig->title, "%s", k->title);
    facet_describe(p0, shared, fig->subtitle, sizeof fig->subtitle);
    if (k->x == PLOT_X_AI)
        snprintf(xlabel, xlen, "arithmetic intensity (FLOP per byte of minimum footprint)");
    else if (k->x == PLOT_X_THREADS)
        snprintf(xlabel, xlen, "threads");
    else if (all_square)
        snprintf(xlabel, xlen, "sequence length N (seq_q = seq_kv)");
    else
        snprintf(xlabel, xlen, "key/value length seq_kv");
}

/* The compute ceilings' names, one per ISA with a measured peak (peaks.h order), and the room
 * for their values: the roofline draws a horizontal line for each, since a kernel confined to
 * AVX2 is bound by AVX2's peak, which on CPUs with two AVX-512 FMA units is half the best. */
static int write_ceiling_names(FILE *f, unsigned isas, int panels)
{
    int n = 0;
    for (int isa = 0; isa < PEAK_ISAS; isa++)
        n += isas >> isa & 1;
    fprintf(f, "# A compute ceiling per ISA measured: pceil[(p-1)*nceil + c] is ISA c's peak "
            "GFLOP/s on\n# panel p's threads (NaN: not measured there). nceil = 0: ppeak alone "
            "(the best ISA's).\nnceil = %d\n", n);
    if (n == 0)
        return 0;
    fprintf(f, "array ceilisa[%d]\narray ceilkind[%d]\narray pceil[%d]\n", n, n, n * panels);
    for (int isa = 0, c = 1; isa < PEAK_ISAS; isa++)
        if (isas >> isa & 1) {
            fprintf(f, "ceilisa[%d] = ", c);
            plot_gp_string(f, peak_isa_names[isa]);
            /* The line style follows the ISA, not its rank, so that it is the same on every
             * machine: 1 scalar, 2 avx2_fma, 3 avx512. */
            fprintf(f, "\nceilkind[%d] = %d\n", c++, isa + 1);
        }
    return n;
}

/* Panel p's values of the ceilings write_ceiling_names named, at the panel's threads. */
static void write_ceilings(FILE *f, const plot_ctx *ctx, unsigned isas, int nceil, int p,
                           int threads)
{
    for (int isa = 0, c = 1; isa < PEAK_ISAS; isa++)
        if (isas >> isa & 1) {
            char var[32];
            snprintf(var, sizeof var, "pceil[%d]", (p - 1) * nceil + c++);
            gp_number(f, var, plot_isa_peak(ctx, isa, threads));
        }
}

/* Rows and columns of the panel grid: a field per axis where two fields make a full grid. */
static void grid(const facet_plan *fp, const plot_point *pts, int n, int panels, int *rows,
                 int *cols)
{
    int fields[FACET_N], nf = 0;
    for (int f = 0; f < FACET_N; f++)
        if (fp->panel & FACET_BIT(f))
            fields[nf++] = f;
    if (nf == 2) {
        int a = facet_count(pts, n, fields[0]), b = facet_count(pts, n, fields[1]);
        if (a * b == panels) {
            *rows = a;
            *cols = b;
            return;
        }
    }
    *cols = panels <= 3 ? panels : (int)ceil(sqrt((double)panels));
    *rows = (panels + *cols - 1) / *cols;
}

/* The figure's implementations, in ctx's order (impl[]), and those present anywhere in it
 * (fimpls): the legend names only those. */
static void write_impl_names(FILE *f, const plot_ctx *ctx, const plot_point *pts, int n)
{
    fprintf(f, "nimpl = %d\narray impl[%d]\n", ctx->n_impls, ctx->n_impls);
    for (int i = 0; i < ctx->n_impls; i++) {
        fprintf(f, "impl[%d] = ", i + 1);
        plot_gp_string(f, ctx->impls[i]);
        fputc('\n', f);
    }
    fprintf(f, "fimpls = '");
    for (int m = 0, first = 1; m < ctx->n_impls; m++)
        for (int i = 0; i < n; i++)
            if (pts[i].impl == m) {
                fprintf(f, "%s%d", first ? "" : " ", m + 1);
                first = 0;
                break;
            }
    fprintf(f, "'\n");
}

/* One data file per panel of the figure, and the panel's entries in the parameter file f:
 * its file, title, implementations, peak and bandwidth ceilings. */
static int write_panels(FILE *f, const plot_ctx *ctx, const plot_kind *k, const facet_plan *fp,
                        const plot_point *pts, int n, const char *plots_dir, const char *base,
                        unsigned isas, int nceil, char *err, size_t len)
{
    char path[4096], blocks[PLOT_MAX_IMPLS * 4];
    int status = 0;

    for (int i = 0, p = 1; i < n && status == 0; p++) {
        int j = i + 1, has_ref = 0;
        char name[PLOT_NAME_LEN + 32], title[512];
        while (j < n && facet_same(&pts[j], &pts[i], fp->panel))
            j++;
        snprintf(name, sizeof name, "data/%s-p%d.tsv", base, p);
        snprintf(path, sizeof path, "%s/%s", plots_dir, name);
        facet_describe(&pts[i], fp->panel, title, sizeof title);
        if (write_panel(path, ctx, k, title, pts + i, j - i, blocks, sizeof blocks, &has_ref)) {
            snprintf(err, len, "cannot write %s", path);
            status = -1;
        }
        double peak = NAN, bw = NAN;
        if (k->facets & FACET_BIT(FACET_THREADS))
            plot_peak(ctx, pts[i].c->threads, &peak, &bw);
        char var[32];
        snprintf(var, sizeof var, "pfile[%d]", p);
        gp_assign(f, var, name);
        snprintf(var, sizeof var, "ptitle[%d]", p);
        gp_assign(f, var, title);
        snprintf(var, sizeof var, "pimpls[%d]", p);
        gp_assign(f, var, blocks);
        fprintf(f, "pref[%d] = %d\n", p, has_ref);
        snprintf(var, sizeof var, "ppeak[%d]", p);
        gp_number(f, var, peak);
        snprintf(var, sizeof var, "pbw[%d]", p);
        gp_number(f, var, bw);
        write_ceilings(f, ctx, isas, nceil, p, pts[i].c->threads);
        i = j;
    }
    return status;
}

int plot_write_figure(const plot_ctx *ctx, int kind, const facet_plan *fp,
                      const plot_point *pts, int n, const char *plots_dir,
                      const char *script_dir, plot_fig *fig, char *err, size_t len)
{
    const plot_kind *k = &plot_kinds[kind];
    char slug[PLOT_NAME_LEN - 32], path[4096], xlabel[128], xtics[512];
    int all_square = 1, panels = 0, rows, cols;
    double ymin = INFINITY, ymax = -INFINITY, xmin = INFINITY, xmax = -INFINITY;

    memset(fig, 0, sizeof *fig);
    fig->kind = kind;
    facet_slug(&pts[0], fp->file, slug, sizeof slug);
    snprintf(fig->base, sizeof fig->base, "%s%s%s", k->name, slug[0] ? "-" : "", slug);
    for (int i = 0; i < n; i++) {
        all_square &= pts[i].c->seq_q == pts[i].c->seq_kv;
        panels += i == 0 || !facet_same(&pts[i], &pts[i - 1], fp->panel);
        xmin = fmin(xmin, pts[i].x);
        xmax = fmax(xmax, pts[i].x);
        for (int y = 0; y < k->ny; y++)
            if (isfinite(pts[i].y[y]) && pts[i].y[y] > 0) {
                ymin = fmin(ymin, pts[i].y[y]);
                ymax = fmax(ymax, pts[i].y[y]);
            }
    }
    file_titles(k, fp, &pts[0], all_square, fig, xlabel, sizeof xlabel);
    grid(fp, pts, n, panels, &rows, &cols);
    if (xtics_list(k, pts, n, xtics, sizeof xtics) != 0) {
        snprintf(err, len, "out of memory");
        return -1;
    }

    snprintf(path, sizeof path, "%s/data/%s.gp", plots_dir, fig->base);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        snprintf(err, len, "cannot write %s", path);
        return -1;
    }
    fprintf(f, "# %s: gnuplot parameters for %s, written by attnbench plots\n", fig->base,
            k->script);
    gp_assign(f, "scriptdir", script_dir);
    gp_assign(f, "out", fig->base);
    gp_assign(f, "title", fig->title);
    gp_assign(f, "subtitle", fig->subtitle);
    gp_assign(f, "xlabel", xlabel);
    gp_assign(f, "xticks", xtics);
    gp_number(f, "xmin", xmin);
    gp_number(f, "xmax", xmax);
    gp_number(f, "ymin", ymin);
    gp_number(f, "ymax", ymax);
    fprintf(f, "logy = %d\n", ymax / ymin > LOG_SPAN);
    fprintf(f, "npanel = %d\nrows = %d\ncols = %d\n", panels, rows, cols);
    fprintf(f, "array pfile[%d]\narray ptitle[%d]\narray pimpls[%d]\narray pref[%d]\n"
            "array ppeak[%d]\narray pbw[%d]\n", panels, panels, panels, panels, panels, panels);
    write_impl_names(f, ctx, pts, n);
    unsigned isas = k->facets & FACET_BIT(FACET_THREADS) ? plot_isas_measured(ctx) : 0;
    int nceil = write_ceiling_names(f, isas, panels);
    int status =
        write_panels(f, ctx, k, fp, pts, n, plots_dir, fig->base, isas, nceil, err, len);
    if (close_checked(f) != 0 && status == 0) {
        snprintf(err, len, "cannot write %s/data/%s.gp", plots_dir, fig->base);
        status = -1;
    }
    return status;
}
