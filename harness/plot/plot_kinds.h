/* plot_kinds.h: the figures `attnbench plots` draws: for each, the cases it takes, its x and y
 * values, the fields that may split it into panels and files, and the script that draws it. */
#ifndef PLOT_KINDS_H
#define PLOT_KINDS_H

#include "plot_facet.h"
#include "results_read.h"

#include <stddef.h>

#define PLOT_MAX_IMPLS 64
#define PLOT_MAX_PEAKS 64
#define PLOT_MAX_EVENTS 16
#define PLOT_MAX_KINDS 16     /* room callers keep per kind (plot_n_kinds is at most this) */

/* What every figure needs from the run besides its cases. */
typedef struct plot_ctx {
    const results_file *r;
    const char *impls[PLOT_MAX_IMPLS];   /* in the order the run met them: colours follow it */
    int n_impls;
    int min_threads;                     /* the fewest threads of any case */
    int n_peaks;                         /* 0: the run has no machine peaks */
    int peak_threads[PLOT_MAX_PEAKS];
    double peak_gflops[PLOT_MAX_PEAKS];  /* best ISA's FMA peak at peak_threads[i] */
    double triad_gbps[PLOT_MAX_PEAKS];
    const char *events[PLOT_MAX_EVENTS]; /* the cache-miss events the run measured */
    int n_events;
    char no_events[320];                 /* why n_events is 0 */
} plot_ctx;

enum plot_x { PLOT_X_SEQ, PLOT_X_AI, PLOT_X_THREADS };

typedef struct plot_kind {
    const char *name;      /* prefix of its files, and its section in index.html */
    const char *script;    /* the gnuplot script, in the scripts directory */
    const char *title;     /* the figure's title */
    const char *about;     /* what it shows, for index.html */
    enum plot_x x;
    unsigned facets;       /* fields that may split it into panels and files */
    unsigned file_only;    /* of those, the ones that split only files */
    int ny;                /* y columns its data files carry */
    const char *columns;   /* names of x and the y columns, for the data files' header */
    /* Fills pts (room for cap) with the figure's points and returns how many; when none,
     * why says so in one line. */
    int (*collect)(const plot_ctx *ctx, plot_point *pts, int cap, char *why, size_t len);
} plot_kind;

extern const plot_kind plot_kinds[];
extern const int plot_n_kinds;

/* Reads the implementations, machine peaks and counter events of r. 0, or -1 with a line in
 * err (more implementations or thread counts than the figures can tell apart). */
int plot_ctx_init(plot_ctx *ctx, const results_file *r, char *err, size_t len);

/* Room any kind's collect needs. */
int plot_points_cap(const plot_ctx *ctx);

/* The measured peak GFLOP/s and triad GB/s at this thread count: 0, or -1 and NaN both. */
int plot_peak(const plot_ctx *ctx, int threads, double *gflops, double *gbps);

#endif
