/* plot_facet.h: splits a figure's points into files and panels, one panel per combination of
 * the problem fields that vary (heads, causal, ...), so that no line mixes two problems. */
#ifndef PLOT_FACET_H
#define PLOT_FACET_H

#include "results_read.h"

#include <stddef.h>

/* The fields a figure can be split by, outermost first: outer ones split files, inner ones
 * panels. CAUSAL before HEADS makes a 2 x 3 grid of (mask) x (heads) for the default sweep. */
enum facet_field {
    FACET_EVENT,     /* the counter event (cache-miss figures) */
    FACET_THREADS,
    FACET_CACHE,     /* warm or cold */
    FACET_DTYPE,     /* f32, bf16, f16 */
    FACET_DIST,
    FACET_BATCH,
    FACET_HEAD_DIM,
    FACET_SEQ_Q,     /* 0 where seq_q = seq_kv (x is then the sequence length) */
    FACET_SEQ,       /* seq_kv, for figures whose x is not the sequence length */
    FACET_CAUSAL,    /* the mask: causal, a window, the alignment */
    FACET_VARIANT,   /* d_v, ragged kv_len, softcap, ALiBi (results_variant_words) */
    FACET_KV,        /* 0 where kv_heads = heads */
    FACET_HEADS,
    FACET_N
};
#define FACET_BIT(f) (1u << (f))
#define FACET_MAX_PANELS 9          /* more combinations than this go to separate files */

/* One point of a figure: a case (or a reference value, impl -1) at x with up to 3 values. */
typedef struct plot_point {
    const results_case *c;
    const char *event;      /* counter event name (cache figures), else NULL */
    int impl;               /* index in the run's implementation order; -1: reference line */
    double x;
    double y[3];
    int rank[FACET_N];      /* OUT of facet_plan: the value's rank among the field's values */
} plot_point;

typedef struct facet_plan {
    unsigned vary;          /* fields of the mask with more than one value */
    unsigned panel;         /* fields whose combinations are panels of one file */
    unsigned file;          /* fields whose combinations are separate files */
} facet_plan;

/* Ranks each point's value of every field in mask, chooses the panel fields (innermost first,
 * while there are at most FACET_MAX_PANELS combinations; never one in file_only) and sorts
 * the points by file, panel, implementation and x. 0, or -1 when out of memory. */
int facet_plan_make(plot_point *pts, int n, unsigned mask, unsigned file_only, facet_plan *fp);

/* 1 when a and b have the same value of every field in fields. */
int facet_same(const plot_point *a, const plot_point *b, unsigned fields);

/* The number of distinct values of field f among pts[0..n) (ranked, sorted points). */
int facet_count(const plot_point *pts, int n, int f);

/* Words for p's values of fields ("H=4, causal"), joined by ", ". */
void facet_describe(const plot_point *p, unsigned fields, char *out, size_t len);

/* A file-name part for p's values of fields ("t2-cold"); "" when fields is 0. */
void facet_slug(const plot_point *p, unsigned fields, char *out, size_t len);

/* "simulated (callgrind, one thread)" or "hardware counters (PAPI)": where an event's values
 * came from. */
const char *facet_event_source(const char *event);

#endif
