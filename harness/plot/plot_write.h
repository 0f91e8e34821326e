/* plot_write.h: writes what gnuplot reads for one figure: a data file per panel (a block per
 * implementation) and a parameter file of gnuplot assignments naming them. */
#ifndef PLOT_WRITE_H
#define PLOT_WRITE_H

#include "plot_facet.h"
#include "plot_kinds.h"

#include <stdio.h>

#define PLOT_NAME_LEN 160

/* One figure file: DIR/plots/<base>.png and .svg. */
typedef struct plot_fig {
    int kind;                    /* index into plot_kinds */
    char base[PLOT_NAME_LEN];    /* "time-t1" */
    char title[320];
    char subtitle[512];          /* the values every panel shares ("B=1, d=64, 1 thread") */
} plot_fig;

/* Writes the data and parameter files, under plots_dir/data, of the figure made of pts[0..n):
 * points sorted by facet_plan_make that share one combination of fp->file. fig gets its name
 * and titles. 0, or -1 with a line in err. */
int plot_write_figure(const plot_ctx *ctx, int kind, const facet_plan *fp,
                      const plot_point *pts, int n, const char *plots_dir,
                      const char *script_dir, plot_fig *fig, char *err, size_t len);

/* The ISAs with a measured FMA peak in the run's machine_peaks (fma_gflops), as bits
 * 1 << PEAK_SCALAR ... (peaks.h); 0 when the run has no peaks, or machine_peaks holds only the
 * best ISA's (peak_gflops). Defined in plot_ctx.c, beside plot_peak. */
unsigned plot_isas_measured(const plot_ctx *ctx);

/* That ISA's peak GFLOP/s at this thread count; NaN when not measured there. */
double plot_isa_peak(const plot_ctx *ctx, int isa, int threads);

/* s as a gnuplot single-quoted string: ' doubled, control characters made spaces. */
void plot_gp_string(FILE *f, const char *s);

#endif
