/* results_read.h: reads a results.json back (for compare, plots and the Google Benchmark
 * writer): validates the document, and gives each case its key and its numbers. */
#ifndef RESULTS_READ_H
#define RESULTS_READ_H

#include <jansson.h>
#include <stddef.h>

#define RESULTS_KEY_LEN 256

/* The journal a run keeps in its results directory as it goes (run_journal.h). */
#define RESULTS_JOURNAL_NAME "cases.jsonl"

/* Whether dir holds a run's journal but no results.json: a run killed before its end, or one
 * still running; `attnbench run --resume dir` finishes it. */
int results_unfinished(const char *dir);

/* A case's ABI 2 fields beyond dtype: its mask beyond causal and its variants (DESIGN). */
typedef struct results_variant {
    int top_left;                 /* the diagonal at i, not i + seq_kv - seq_q */
    int window_left, window_right;   /* -1: unbounded; window_right 0 is causal */
    int head_dim_v;               /* d_v */
    int ragged;                   /* kv_len = ragged */
    double softcap;               /* 0: none */
    int alibi;
} results_variant;

/* The variant of a problem with these ABI 2 fields. */
#define RESULTS_VARIANT_OF(p)                                                                 \
    ((results_variant){(p)->top_left, (p)->window_left, (p)->window_right, (p)->head_dim_v,   \
                       (p)->kv_len != NULL, (double)(p)->softcap, (p)->alibi != NULL})

/* The variant beyond the mask in a case key's words ("dv512 ragged cap30 alibi"; "" when
 * plain): the key's part for them, and plots' panel label. */
void results_variant_words(const results_variant *v, int head_dim, char *out, size_t len);

typedef struct results_case {
    char key[RESULTS_KEY_LEN];    /* every field that makes the case: impl, shape, dist,
                                     threads, cache ("naive b1 h4/4 q512 kv512 d64 ..."); unique */
    const char *impl;             /* these point into doc */
    int batch, heads, kv_heads, seq_q, seq_kv, head_dim, causal, threads;
    const char *dist, *cache;     /* cache: "warm" or "cold" */
    const char *dtype;            /* "f32", "bf16" or "f16" */
    results_variant var;
    char var_words[64];           /* results_variant_words of var */
    const char *status;           /* "PASS", "FAIL", ... */
    const char *reason;
    int reps;
    const double *times;          /* reps seconds, or NULL when reps == 0 */
    int n_samples;                /* processes the case ran in ([measure] rounds, merge --pool) */
    const double *samples;        /* their medians, in seconds, one sample each; NULL for a case
                                     of a run from before rounds (one process, or none) */
    json_t *obj;                  /* the case's object, for any other field */
} results_case;

typedef struct results_file {
    char path[4096];              /* the results.json read */
    json_t *doc;                  /* the whole document */
    json_t *run;                  /* its "run" object */
    int n;
    results_case *cases;
    double *time_store;           /* every case's times, one allocation */
} results_file;

/* Reads DIR/results.json, or the file itself when path is not a directory. 0, or -1 with one
 * line in err saying what was wrong and where. */
int results_load(const char *path, results_file *r, char *err, size_t err_len);

/* The same for a document already in memory (len bytes, no NUL needed at the end); name is
 * what messages and r->path call it (not r->path itself: r is cleared first). results_load
 * reads the file and calls this. */
int results_parse(const char *name, const char *text, size_t len, results_file *r, char *err,
                  size_t err_len);
void results_free(results_file *r);

/* A number field of a case (e.g. "gflops", "workspace_bytes"); NAN when absent or null. */
double results_number(const results_case *c, const char *field);

/* A counter's per-repetition value, by event name ("PAPI_L1_DCM", "SIM_INSTRUCTIONS") or by
 * column name ("ctr_papi_l1_dcm"); NAN when not measured. *event gets the event name the case
 * uses, or NULL. */
double results_counter(const results_case *c, const char *name, const char **event);

/* A case's key, "naive b1 h4/2 q64 kv64 d32 causal normal f32 t1 warm" ("... full win256:0
 * top_left dv512 ragged cap30 alibi ..." with a window, the other alignment or the variants):
 * every field that makes the case. The one form for results.json and a run's journal alike.
 * 0, or -1 when it does not fit in len. */
int results_format_key(char *out, size_t len, const char *impl, int batch, int heads,
                       int kv_heads, int seq_q, int seq_kv, int head_dim, int causal,
                       const char *dist, const char *dtype, const results_variant *var,
                       int threads, const char *cache);

#endif
