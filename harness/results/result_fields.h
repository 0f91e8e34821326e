/* result_fields.h: every scalar field of a case's result, defined once. A row gives the field's
 * name (its CSV column and its JSON key), its type, where it goes, whether it was measured and
 * its value (expressions over a result_view `v`), its CSV format, its column in index.html's
 * table, and what it means. The CSV header and rows (out_csv.c), the case's JSON (out_json.c),
 * the HTML table (html_table.c) and docs/results.md's column table (`attnbench _fields`,
 * checked by tests/docs.sh) all come from these rows, so a new field is one row here plus its
 * computation in case_result.
 *
 * The structured parts of a case stay with their writers: times_s, the counters (their CSV
 * columns sit where RF_CSV ends and RF_CSV_TAIL begins), the noise object and the process
 * samples. A field not measured is an empty CSV field (never 0); in the JSON a number is null
 * and a text is left out. Booleans print through their CSV format: "%s" as true/false, "%d"
 * as 1/0. */
#ifndef RESULT_FIELDS_H
#define RESULT_FIELDS_H

#include "case_result.h"
#include "sweep.h"

#include <stdio.h>

/* The results.json document's format tag and version, for its writer and its readers. */
#define RESULTS_FORMAT "attnbench-results"
#define RESULTS_FORMAT_VERSION 1

/* What a row's expressions see. */
typedef struct result_view {
    const sweep_problem *sp;
    const attn_problem *p;
    const char *impl;
    int threads;
    const case_result *res;
    const char *repro;
    int timed;                    /* repetitions were timed */
    int checked;                  /* the output was compared, and was finite */
} result_view;

void result_view_init(result_view *v, const sweep_problem *sp, const char *impl, int threads,
                      const case_result *res, const char *repro);

/* Where a field goes: CSV before the counters (the fixed columns, in the order docs/results.md
 * gives and no reader may rely on less), CSV after them, a key of the case's JSON object. */
enum { RF_CSV = 1, RF_CSV_TAIL = 2, RF_JSON = 4 };

/* How index.html shows a number (or a mark). */
#define RF_HTML_FORMATS(X) X(TEXT) X(INT) X(TIME) X(BYTES) X(FIXED2) X(FIXED1) X(SCI) X(G3) X(NOISE)
typedef enum {
#define RF_HTML_ENUM(f) RF_HTML_##f,
    RF_HTML_FORMATS(RF_HTML_ENUM)
#undef RF_HTML_ENUM
} rf_html_format;

/* X(name, type, where, measured, value, csv format, html header or NULL, html format, meaning).
 * Types: INT (long long), REAL (double), BOOL (int), TEXT (const char *). */
#define RESULT_FIELDS(X)                                                                           \
    X(impl, TEXT, RF_CSV | RF_JSON, 1, v->impl, "%s", "impl", TEXT,                                \
      "implementation name")                                                                       \
    X(batch, INT, RF_CSV | RF_JSON, 1, v->p->batch, "%lld", "B", INT, "batch size B")              \
    X(heads, INT, RF_CSV | RF_JSON, 1, v->p->heads, "%lld", "H", INT, "query heads H")             \
    X(kv_heads, INT, RF_CSV | RF_JSON, 1, v->p->kv_heads, "%lld", "KV", INT,                       \
      "key/value heads (fewer than `heads`: GQA; 1: MQA)")                                         \
    X(seq_q, INT, RF_CSV | RF_JSON, 1, v->p->seq_q, "%lld", "seq_q", INT, "query length")          \
    X(seq_kv, INT, RF_CSV | RF_JSON, 1, v->p->seq_kv, "%lld", "seq_kv", INT, "key length")         \
    X(head_dim, INT, RF_CSV | RF_JSON, 1, v->p->head_dim, "%lld", "d", INT, "head dimension d")    \
    X(causal, BOOL, RF_CSV | RF_JSON, 1, v->p->causal, "%s", "causal", TEXT,                       \
      "`true`: query i sees key j iff j <= i + (seq_kv - seq_q)")                                  \
    X(dist, TEXT, RF_CSV | RF_JSON, 1, cfg_dist_name(v->sp->dist), "%s", "dist", TEXT,             \
      "input distribution ([checker.md](checker.md))")                                             \
    X(threads, INT, RF_CSV | RF_JSON, 1, v->threads, "%lld", "threads", INT,                       \
      "threads the implementation was given")                                                      \
    X(scale, REAL, RF_JSON, 1, v->p->scale, "%.9g", NULL, G3, "the score scale")                   \
    X(status, TEXT, RF_CSV | RF_JSON, 1, status_name(v->res->status), "%s", "status", TEXT,        \
      "PASS, FAIL, ERROR, CRASH, TIMEOUT or SKIP (the table below)")                               \
    X(reason, TEXT, RF_CSV | RF_JSON, 1, v->res->reason, "%s", "reason", TEXT,                     \
      "why the status is not PASS: the failing element, the signal, the implementation's "         \
      "words")                                                                                     \
    X(reps, INT, RF_CSV | RF_JSON, 1, v->res->reps, "%lld", "reps", INT,                           \
      "timed repetitions (every round's, with rounds)")                                            \
    X(time_min_s, REAL, RF_CSV | RF_JSON, v->timed, v->res->t_min, "%.9g", NULL, TIME,             \
      "fastest repetition, seconds per `run()`")                                                   \
    X(time_median_s, REAL, RF_CSV | RF_JSON, v->timed, v->res->t_median, "%.9g",                   \
      "median time", TIME,                                                                         \
      "median seconds per `run()`; with rounds, the median of the process medians")                \
    X(time_mean_s, REAL, RF_CSV | RF_JSON, v->timed, v->res->t_mean, "%.9g", NULL, TIME,           \
      "mean seconds per `run()`")                                                                  \
    X(time_stddev_s, REAL, RF_CSV | RF_JSON, v->timed, v->res->t_stddev, "%.9g", NULL, TIME,       \
      "sample standard deviation of the repetitions, seconds")                                     \
    X(flops, REAL, RF_JSON, 1, v->res->flops, "%.9g", NULL, G3,                                    \
      "useful work: `2 (d + d_v) H pairs`, pairs the exact count of visible (query, key) pairs "   \
      "over the batch")                                                                            \
    X(gflops, REAL, RF_CSV | RF_JSON, v->timed && v->res->gflops > 0, v->res->gflops, "%.6g",      \
      "GFLOP/s", FIXED2, "`flops` / median time / 1e9")                                            \
    X(max_abs_err, REAL, RF_CSV | RF_JSON, v->checked, v->res->check.max_abs_err, "%.6g",          \
      "max abs error", SCI, "max over elements of abs(o - reference)")                             \
    X(rel_l2_err, REAL, RF_CSV | RF_JSON, v->checked, v->res->check.rel_l2_err, "%.6g",            \
      "rel. L2 error", SCI, "L2 norm of (o - reference) / L2 norm of the reference")               \
    X(tol_ratio, REAL, RF_JSON, v->checked, v->res->check.worst_ratio, "%.6g",                     \
      "error / tolerance", G3, "the worst element's error over its tolerance; below 1 passes")     \
    X(err_ratio, REAL, RF_CSV_TAIL | RF_JSON, v->checked && v->res->check.twin_known,             \
      v->res->check.err_ratio,                                                                     \
      "%.4g", "error / twin's", G3,                                                                \
      "`rel_l2_err` over the textbook twin's: honest arithmetic in the case's dtype on the "       \
      "same inputs ([checker.md](checker.md#the-textbook-twin))")                                  \
    X(twin_rel_l2_err, REAL, RF_JSON, v->checked && v->res->check.twin_known,                      \
      v->res->check.twin_rel_l2, "%.6g", NULL, SCI,                                                \
      "the textbook twin's `rel_l2_err`")                                                          \
    X(nonfinite_outputs, INT, RF_JSON, v->res->checked, v->res->check.nonfinite, "%lld", NULL,     \
      INT, "output elements that are NaN or infinite")                                             \
    X(peak_rss_delta_bytes, INT, RF_CSV | RF_JSON, v->res->peak_rss_delta >= 0,                    \
      v->res->peak_rss_delta, "%lld", "peak RSS delta", BYTES,                                     \
      "the case process's peak resident set (VmHWM) beyond its resident set just before "          \
      "`prepare`")                                                                                 \
    X(workspace_bytes, INT, RF_CSV | RF_JSON, v->res->workspace >= 0, v->res->workspace,           \
      "%lld", "workspace", BYTES,                                                                  \
      "the most heap the process held from `prepare` through the first timed run, beyond "         \
      "what it held before `prepare`, as malloc counts it: its chunk headers and rounding "        \
      "included, so the same allocations can count a few tens of bytes apart between runs")        \
    X(dtype, TEXT, RF_CSV | RF_JSON, 1, dtype_name(v->sp->p.dtype), "%s", "dtype", TEXT,          \
      "element type of q, k, v and o: `f32`, `bf16` or `f16` (`[sweep] dtype`)")                   \
    X(head_dim_v, INT, RF_CSV | RF_JSON, 1, v->sp->p.head_dim_v, "%lld", "d_v", INT,               \
      "width of v and o rows (`[sweep] head_dim_v`; = `head_dim` unless swept)")                  \
    X(align, TEXT, RF_CSV | RF_JSON, 1, v->sp->p.top_left ? "top_left" : "bottom_right", "%s",     \
      "align", TEXT, "where the causal diagonal and the window sit when seq_q != seq_kv: "         \
      "`bottom_right` (row i at key i + seq_kv - seq_q) or `top_left` (at key i)")                 \
    X(window_left, INT, RF_CSV | RF_JSON, 1, v->sp->p.window_left, "%lld", "window left",          \
      INT, "keys before the diagonal a row sees; -1: all")                                         \
    X(window_right, INT, RF_CSV | RF_JSON, 1, v->sp->p.window_right, "%lld", "window right",       \
      INT, "keys after the diagonal a row sees; -1: all, 0: causal")                               \
    X(kv_len, TEXT, RF_CSV | RF_JSON, 1, v->sp->p.kv_len != NULL ? "ragged" : "full", "%s",        \
      "kv_len", TEXT, "`full`, or `ragged`: batch entry b sees only its first kv_len[b] keys, "    \
      "lengths drawn from the seed, the last entry full")                                          \
    X(softcap, REAL, RF_CSV | RF_JSON, 1, v->sp->p.softcap, "%.9g", "softcap", G3,                 \
      "0, or c: each score s becomes c tanh(s / c) before the bias and the mask")                  \
    X(alibi, BOOL, RF_CSV | RF_JSON, 1, v->sp->p.alibi != NULL, "%s", "alibi", TEXT,              \
      "`true`: score (i, j) of head h gets the ALiBi bias slope_h (j - diag(i))")                  \
    X(cache, TEXT, RF_CSV_TAIL | RF_JSON, 1, v->res->cold ? "cold" : "warm", "%s", "cache",        \
      TEXT, "`warm` or `cold` (`[measure] cache`)")                                                \
    X(page_faults, INT, RF_CSV_TAIL | RF_JSON, v->res->page_faults >= 0, v->res->page_faults,      \
      "%lld", "page faults", INT,                                                                  \
      "minor + major page faults of the case's process (every thread, `getrusage`) from just "     \
      "before `prepare` through the first `run()`: the pages it touched first")                    \
    X(min_footprint_bytes, REAL, RF_CSV_TAIL | RF_JSON, 1, sweep_min_bytes(v->p), "%.0f",          \
      NULL, BYTES, "the problem's minimum footprint: Q, K, V and O in the dtype, once each")         \
    X(arith_intensity, REAL, RF_CSV_TAIL | RF_JSON, 1, v->res->flops / sweep_min_bytes(v->p),      \
      "%.6g", NULL, G3, "`flops` / `min_footprint_bytes`: the roofline's x coordinate")            \
    X(pct_peak, REAL, RF_CSV_TAIL | RF_JSON, v->timed && v->res->pct_peak >= 0,                    \
      v->res->pct_peak, "%.4g", "% peak", FIXED1,                                                  \
      "`gflops` / the machine's measured peak at this thread count (best ISA), in percent: "       \
      "the roofline's y as a fraction of the roof")                                                \
    X(os_threads, INT, RF_CSV_TAIL | RF_JSON, v->res->os_threads > 0, v->res->os_threads,          \
      "%lld", NULL, INT,                                                                           \
      "threads of the case's process after its timed runs (`/proc/self/status`): every pool "      \
      "the run started, OpenMP's and any library's")                                               \
    X(noisy, BOOL, RF_CSV_TAIL | RF_JSON, v->res->noisy.measured, v->res->noisy.noisy, "%d",       \
      "noise", NOISE,                                                                              \
      "1 when what disturbed the timed repetitions passed a threshold "                            \
      "([measuring.md](measuring.md)), "                                                           \
      "else 0; JSON: true or false, with the figures in `noise`")                                  \
    X(invol_cs, INT, RF_CSV_TAIL, v->res->noisy.measured && v->res->noise.invol_cs >= 0,           \
      v->res->noise.invol_cs, "%lld", NULL, INT,                                                   \
      "involuntary context switches of the case's threads over its timed repetitions (JSON: "      \
      "in `noise`)")                                                                               \
    X(cpu_migrations, INT, RF_CSV_TAIL,                                                            \
      v->res->noisy.measured && v->res->noise.migrations >= 0, v->res->noise.migrations,           \
      "%lld", NULL, INT, "CPU migrations of those threads then (JSON: in `noise`)")                \
    X(steal_pct, REAL, RF_CSV_TAIL, v->res->noisy.measured && v->res->noisy.steal_pct >= 0,        \
      v->res->noisy.steal_pct, "%.3g", NULL, G3,                                                   \
      "time the hypervisor stole from the case's CPUs then, % of their time (JSON: in "            \
      "`noise`)")                                                                                  \
    X(spread_pct, REAL, RF_CSV_TAIL, v->res->noisy.measured, v->res->noisy.spread_pct, "%.3g",     \
      NULL, G3,                                                                                    \
      "median absolute deviation of the repetition times, % of the median (JSON: in "              \
      "`noise`)")                                                                                  \
    X(bound_pus, TEXT, RF_JSON, v->res->binding[0] != '\0', v->res->binding, "%s", NULL, TEXT,     \
      "the PUs the case's threads were bound to (`[measure] bind`)")                               \
    X(library_kernels, TEXT, RF_JSON, v->res->kernels[0] != '\0', v->res->kernels, "%s", NULL,     \
      TEXT, "what the implementation chose: oneDNN's implementations, OpenBLAS's kernel set; "     \
      "for `avx2` and `avx512`, the driver's path (micro-tiles or the decode kernels), its "       \
      "block of rows and keys, split-KV's key ranges and how 16-bit data is read")                 \
    X(wall_s, REAL, RF_JSON, 1, v->res->wall_s, "%.6g", NULL, G3,                                  \
      "the whole case, fork to exit, seconds")                                                     \
    X(repro, TEXT, RF_JSON, 1, v->repro, "%s", NULL, TEXT,                                         \
      "a command that runs just this case again")

typedef enum {
#define RF_ENUM(name, ...) RF_##name,
    RESULT_FIELDS(RF_ENUM)
#undef RF_ENUM
    RF_N_FIELDS
} result_field_id;

typedef enum { RF_T_INT, RF_T_REAL, RF_T_BOOL, RF_T_TEXT } rf_type;

typedef struct result_field {
    const char *name;
    rf_type type;
    int where;                    /* RF_CSV, RF_CSV_TAIL, RF_JSON */
    const char *csv_format;
    const char *html_head;        /* NULL: not in index.html's table */
    rf_html_format html_format;
    const char *meaning;
} result_field;

extern const result_field result_fields[RF_N_FIELDS];

/* A field's value for one case. */
typedef struct rf_value {
    int measured;
    long long i;                  /* INT and BOOL */
    double x;                     /* REAL */
    const char *s;                /* TEXT */
} rf_value;

rf_value result_field_value(result_field_id id, const result_view *v);

/* Writes the value in the field's CSV form (quoted where CSV needs it); nothing when it was not
 * measured. */
void result_field_csv(FILE *f, result_field_id id, const rf_value *val);

/* Prints docs/results.md's column table (markdown), from the rows above. */
void result_fields_markdown(FILE *f);

#endif
