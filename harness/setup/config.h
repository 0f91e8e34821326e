/* config.h: the run configuration: INI files read with libinih, --set overrides, and the
 * typed, validated values every other module reads. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_LIST 64          /* entries in one list key */
#define CFG_NAME_LEN 64          /* an implementation or event name */
#define CFG_ERR_LEN 1024         /* an error message */

/* The input distributions (gen.c makes them; docs/checker.md says what each is for). */
#define CFG_DISTS(X) X(NORMAL, normal) X(UNIFORM, uniform) X(LARGE, large)

typedef enum {
#define CFG_DIST_ENUM(id, name) DIST_##id,
    CFG_DISTS(CFG_DIST_ENUM)
#undef CFG_DIST_ENUM
    DIST_COUNT
} cfg_dist;

typedef struct cfg_list {
    int n;                       /* entries; 0 = not given */
    long v[CFG_MAX_LIST];
} cfg_list;

typedef struct cfg_reals {
    int n;
    double v[CFG_MAX_LIST];
} cfg_reals;

typedef struct cfg_names {
    int n;
    char v[CFG_MAX_LIST][CFG_NAME_LEN];
} cfg_names;

/* [check] twin_factor, twin_factor_16 and twin_floor's defaults, from measurements
 * (docs/checker.md#the-textbook-twin): honest float32 kernels came within 3.1 times their
 * twin's error, honest 16-bit ones within 1.0; the 16-bit accumulation bugs at 3.3 and over. */
#define CFG_TWIN_FACTOR 8.0
#define CFG_TWIN_FACTOR_16 2.5
#define CFG_TWIN_FLOOR 16.0

typedef struct cfg {
    /* [sweep] */
    cfg_names impls;             /* names, or the one name "all" */
    cfg_list batch, heads, kv_heads, head_dim, seq_len, seq_q, seq_kv;
    cfg_list causal;             /* 0/1 */
    cfg_list dist;               /* cfg_dist values */
    cfg_list dtype;              /* attn_dtype values: f32, bf16, f16 */
    cfg_list align;              /* 0 bottom_right, 1 top_left: where the diagonal sits */
    cfg_list window_left;        /* keys before the diagonal a row sees; -1: unbounded */
    cfg_list window_right;       /* keys after it; -1 unbounded. Empty: from causal (0 when
                                    causal, else -1); given, causal must be false alone */
    cfg_list head_dim_v;         /* d_v; empty: each head_dim's own */
    cfg_list kv_len;             /* 0 full, 1 ragged: per-batch key lengths (gen_kv_lens) */
    cfg_reals softcap;           /* 0: none; else scores become softcap tanh(s / softcap) */
    cfg_list alibi;              /* 0/1: ALiBi biases (gen_alibi_slopes) */
    cfg_list threads;
    uint64_t seed;
    double scale;                /* 0: 1/sqrt(head_dim) */
    /* [measure] */
    long warmup, min_reps, max_reps;
    double min_time_s, timeout_s;
    long rounds;                 /* processes per case: the sweep runs this many times, each
                                    round's cases interleaved, each process one sample */
    cfg_names counters;          /* "none", "auto", "sim", or PAPI event names */
    long counter_reps;           /* extra, untimed repetitions the counters cover */
    long memory_limit_mib;       /* a case's own allocations may reach this; 0: what is
                                    available when it starts */
    long bind;                   /* topo_bind_mode: none, compact, spread */
    cfg_list cache;              /* 0 warm, 1 cold (evict the caches before each repetition) */
    long peaks;                  /* 0 cached, 1 measure afresh, 2 off: machine peaks */
    long sim_ll_bytes;           /* counters = sim: simulated last level; 0: the host's */
    long sim_geometry;           /* 0: the host's caches (hwloc); 1: a fixed reference set */
    long openblas_core;          /* libs.h: 0 auto, 1 library, else a kernel set */
    /* [check] */
    double tol_factor;           /* multiplies the float32 error model; see check.c */
    double abs_floor;            /* absolute error always allowed */
    double twin_factor;          /* a float32 case's relative L2 error may be this many times
                                    its textbook twin's (twin.h); 0: no such check */
    double twin_factor_16;       /* the same for bf16 and f16 cases */
    double twin_floor;           /* ... or at most this many times 2^-24 */
    /* [tune] */
    long tile_rows, tile_keys;   /* tiled kernels' block sizes; 0: from the cache sizes */

    char source[512];            /* the config file, or "(defaults)" */
    /* Every key as last set (file or --set), for results.json: "section.key" = "text". */
    int n_seen;
    char seen_key[64][40];
    char seen_val[64][512];
    int seen_line[64];           /* its line in source; 0: given by --set */
    char seen_set[64][40];       /* the key as a --set typed it ("min_reps", "measure.min_reps");
                                    "" when the file set it */
} cfg;

/* Defaults for every key, with no sweep lists set. */
void cfg_defaults(cfg *c);

/* Reads an INI file over c. 0, or 2 with a one-line "file:line: ..." message in err. */
int cfg_load_file(cfg *c, const char *path, char *err, size_t err_len);

/* The same for text already in memory (len bytes, no NUL needed at the end); name is what
 * messages and c->source call it. cfg_load_file reads the file and calls this. */
int cfg_load_text(cfg *c, const char *name, const char *text, size_t len, char *err,
                  size_t err_len);

/* Applies "KEY=LIST" (KEY is "key" or "section.key"). 0, or 2 with a message in err. */
int cfg_apply_set(cfg *c, const char *assignment, char *err, size_t err_len);

/* Where section.key got its value, for an error that is found only once the whole config is
 * read: "file:line" or the --set as typed (1), or the source when neither set it (0). */
int cfg_where(const cfg *c, const char *section, const char *key, char *out, size_t len);

/* Checks that the sweep can be built (required lists present). 0, or 2 and a message. */
int cfg_finish(cfg *c, char *err, size_t err_len);

const char *cfg_dist_name(int dist);

#endif
