/* config.c: the table of config keys with their types and ranges, the defaults, and the setting
 * of one value into a cfg (parsed by config_value.c), so every key is parsed and checked the
 * same way whether it comes from a sweep file or from --set (config_read.c). */
#include "config.h"

#include "config_keys.h"
#include "dtype.h"
#include "libs.h"
#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *const bind_words[] = {"none", "compact", "spread", NULL};
static const char *const cache_words[] = {"warm", "cold", NULL};
static const char *const align_words[] = {"bottom_right", "top_left", NULL};
static const char *const kv_len_words[] = {"full", "ragged", NULL};
/* In attn_dtype's order, so a word's index is its dtype. */
static const char *const dtype_words[] = {
#define DTYPE_WORD(id, name, u, tiny) name,
    DTYPE_LIST(DTYPE_WORD)
#undef DTYPE_WORD
    NULL};
static const char *const peaks_words[] = {"cached", "measure", "off", NULL};
static const char *const geometry_words[] = {"host", "reference", NULL};
static const char *const openblas_core_words[] = {
    "auto", "library",
#define CFG_CORE_WORD(name, isa) name,
    LIBS_OPENBLAS_CORES(CFG_CORE_WORD)
#undef CFG_CORE_WORD
    NULL};

/* Lines longer than this are refused before libinih sees them (it would split them). */

const cfg_key cfg_keys[] = {
    {"sweep", "impls", T_NAME_LIST, 0, 0, offsetof(cfg, impls), NULL},
    {"sweep", "batch", T_INT_LIST, 1, 65536, offsetof(cfg, batch), NULL},
    {"sweep", "heads", T_INT_LIST, 1, 4096, offsetof(cfg, heads), NULL},
    {"sweep", "kv_heads", T_INT_LIST, 1, 4096, offsetof(cfg, kv_heads), NULL},
    {"sweep", "head_dim", T_INT_LIST, 1, 4096, offsetof(cfg, head_dim), NULL},
    {"sweep", "seq_len", T_INT_LIST, 1, 1 << 22, offsetof(cfg, seq_len), NULL},
    {"sweep", "seq_q", T_INT_LIST, 1, 1 << 22, offsetof(cfg, seq_q), NULL},
    {"sweep", "seq_kv", T_INT_LIST, 1, 1 << 22, offsetof(cfg, seq_kv), NULL},
    {"sweep", "causal", T_BOOL_LIST, 0, 1, offsetof(cfg, causal), NULL},
    {"sweep", "dist", T_DIST_LIST, 0, 2, offsetof(cfg, dist), NULL},
    {"sweep", "dtype", T_CHOICE_LIST, 0, DTYPE_COUNT - 1, offsetof(cfg, dtype), dtype_words},
    {"sweep", "align", T_CHOICE_LIST, 0, 1, offsetof(cfg, align), align_words},
    {"sweep", "window_left", T_INT_LIST, -1, 1 << 22, offsetof(cfg, window_left), NULL},
    {"sweep", "window_right", T_INT_LIST, -1, 1 << 22, offsetof(cfg, window_right), NULL},
    {"sweep", "head_dim_v", T_INT_LIST, 1, 4096, offsetof(cfg, head_dim_v), NULL},
    {"sweep", "kv_len", T_CHOICE_LIST, 0, 1, offsetof(cfg, kv_len), kv_len_words},
    {"sweep", "softcap", T_REAL_LIST, 0, 1e30, offsetof(cfg, softcap), NULL},
    {"sweep", "alibi", T_BOOL_LIST, 0, 1, offsetof(cfg, alibi), NULL},
    {"sweep", "threads", T_INT_LIST, 1, 1024, offsetof(cfg, threads), NULL},
    {"sweep", "seed", T_SEED, 0, 0, offsetof(cfg, seed), NULL},
    {"sweep", "scale", T_SCALE, 1e-30, 1e30, offsetof(cfg, scale), NULL},
    {"measure", "warmup", T_INT, 0, 1000000, offsetof(cfg, warmup), NULL},
    {"measure", "min_reps", T_INT, 1, 1000000, offsetof(cfg, min_reps), NULL},
    {"measure", "max_reps", T_INT, 1, 1000000, offsetof(cfg, max_reps), NULL},
    {"measure", "min_time_s", T_REAL, 0, 86400, offsetof(cfg, min_time_s), NULL},
    {"measure", "rounds", T_INT, 1, 1000, offsetof(cfg, rounds), NULL},
    {"measure", "timeout_s", T_REAL, 0.001, 864000, offsetof(cfg, timeout_s), NULL},
    {"measure", "counters", T_EVENT_LIST, 0, 0, offsetof(cfg, counters), NULL},
    {"measure", "counter_reps", T_INT, 1, 1000, offsetof(cfg, counter_reps), NULL},
    {"measure", "memory_limit_mib", T_INT, 0, 1L << 30, offsetof(cfg, memory_limit_mib), NULL},
    {"measure", "bind", T_CHOICE, 0, 0, offsetof(cfg, bind), bind_words},
    {"measure", "cache", T_CHOICE_LIST, 0, 1, offsetof(cfg, cache), cache_words},
    {"measure", "peaks", T_CHOICE, 0, 0, offsetof(cfg, peaks), peaks_words},
    {"measure", "sim_ll_bytes", T_INT, 0, 1L << 40, offsetof(cfg, sim_ll_bytes), NULL},
    {"measure", "sim_geometry", T_CHOICE, 0, 0, offsetof(cfg, sim_geometry), geometry_words},
    {"measure", "openblas_core", T_CHOICE, 0, 0, offsetof(cfg, openblas_core),
     openblas_core_words},
    {"check", "tol_factor", T_REAL, 1e-3, 1e6, offsetof(cfg, tol_factor), NULL},
    {"check", "abs_floor", T_REAL, 0, 1, offsetof(cfg, abs_floor), NULL},
    {"check", "twin_factor", T_REAL, 0, 1e6, offsetof(cfg, twin_factor), NULL},
    {"check", "twin_factor_16", T_REAL, 0, 1e6, offsetof(cfg, twin_factor_16), NULL},
    {"check", "twin_floor", T_REAL, 0, 1e6, offsetof(cfg, twin_floor), NULL},
    {"tune", "tile_rows", T_INT, 0, 4096, offsetof(cfg, tile_rows), NULL},
    {"tune", "tile_keys", T_INT, 0, 4096, offsetof(cfg, tile_keys), NULL},
};
_Static_assert(sizeof cfg_keys / sizeof cfg_keys[0] <= CFG_MAX_KEYS, "CFG_MAX_KEYS is too small");
#define CFG_NKEYS (sizeof cfg_keys / sizeof cfg_keys[0])

static const char *const dist_names[] = {
#define CFG_DIST_NAME(id, name) #name,
    CFG_DISTS(CFG_DIST_NAME)
#undef CFG_DIST_NAME
};

const char *cfg_dist_name(int dist)
{
    return dist >= 0 && dist < DIST_COUNT ? dist_names[dist] : "?";
}

void cfg_defaults(cfg *c)
{
    memset(c, 0, sizeof *c);
    c->impls.n = 1;
    strcpy(c->impls.v[0], "all");
    c->batch = (cfg_list){1, {1}};
    c->heads = (cfg_list){1, {1}};
    c->causal = (cfg_list){1, {0}};
    c->dist = (cfg_list){1, {DIST_NORMAL}};
    c->threads = (cfg_list){1, {1}};
    c->seed = 42;
    c->warmup = 1;
    c->min_reps = 5;
    c->max_reps = 1000;
    c->min_time_s = 0.2;
    c->rounds = 1;
    c->timeout_s = 60;
    c->counters.n = 1;
    strcpy(c->counters.v[0], "auto");
    c->counter_reps = 1;
    c->cache = (cfg_list){1, {0}};
    c->dtype = (cfg_list){1, {ATTN_F32}};
    c->align = (cfg_list){1, {0}};
    c->window_left = (cfg_list){1, {-1}};
    c->window_right = (cfg_list){0, {0}};   /* none given: each causal value decides */
    c->kv_len = (cfg_list){1, {0}};
    c->softcap = (cfg_reals){1, {0}};
    c->alibi = (cfg_list){1, {0}};
    c->tol_factor = 4;
    c->abs_floor = 1e-30;
    c->twin_factor = CFG_TWIN_FACTOR;
    c->twin_factor_16 = CFG_TWIN_FACTOR_16;
    c->twin_floor = CFG_TWIN_FLOOR;
    strcpy(c->source, "(defaults)");
}

char *cfg_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* The slot that remembers "section.key" (c->n_seen when none does yet). */
static int seen_slot(const cfg *c, const char *full)
{
    int slot = 0;
    while (slot < c->n_seen && strcmp(c->seen_key[slot], full) != 0)
        slot++;
    return slot;
}

/* Remembers the text as read, for results.json, and its line (0: --set); a later setting
 * replaces an earlier one. Text too long to keep whole is refused: a record cut short would
 * reproduce another sweep. */
static int remember_value(cfg *c, const cfg_key *k, const char *value, int line,
                          const char *typed, char *err, size_t err_len)
{
    size_t len = strlen(value);
    if (len >= sizeof c->seen_val[0]) {
        snprintf(err, err_len, "value of %zu characters is too long (limit %zu)", len,
                 sizeof c->seen_val[0] - 1);
        return -1;
    }
    char full[40];
    snprintf(full, sizeof full, "%s.%s", k->section, k->key);
    int slot = seen_slot(c, full);
    if (slot == c->n_seen && c->n_seen < 64)
        c->n_seen++;
    if (slot < 64) {
        strcpy(c->seen_key[slot], full);
        memcpy(c->seen_val[slot], value, len + 1);
        c->seen_line[slot] = line;
        snprintf(c->seen_set[slot], sizeof c->seen_set[slot], "%s", typed ? typed : "");
    }
    return 0;
}

int cfg_where(const cfg *c, const char *section, const char *key, char *out, size_t len)
{
    char full[40], shown[CFG_QUOTE_MAX + 4];
    snprintf(full, sizeof full, "%s.%s", section, key);
    const int slot = seen_slot(c, full), seen = slot < c->n_seen;
    if (!seen)
        snprintf(out, len, "%s", c->source);
    else if (c->seen_line[slot] > 0)
        snprintf(out, len, "%s:%d", c->source, c->seen_line[slot]);
    else
        snprintf(out, len, "--set %s=%s", c->seen_set[slot], cfg_clip(c->seen_val[slot], shown));
    text_escape(out, len);   /* a path and a value: input, quoted */
    return seen;
}

/* Parses one key's value into c and records it. 0, or -1 with the reason in err. The value is
 * copied whole (--set has no length limit: a fixed buffer cut "8,<spaces>1024" to "8,102"), and
 * parsed before its length is checked, so that a bad entry gives its own reason. */
int cfg_set_value(cfg *c, const cfg_key *k, const char *raw, int line, const char *typed,
                  char *err, size_t err_len)
{
    char *buf = strdup(raw);
    if (buf == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    char *value = cfg_trim(buf);
    int rc = cfg_parse_value(c, k, value, err, err_len);
    if (rc == 0)
        rc = remember_value(c, k, value, line, typed, err, err_len);
    free(buf);
    return rc;
}

const cfg_key *cfg_find_key(const char *section, const char *key)
{
    for (size_t i = 0; i < CFG_NKEYS; i++)
        if ((section == NULL || strcmp(cfg_keys[i].section, section) == 0) &&
            strcmp(cfg_keys[i].key, key) == 0)
            return &cfg_keys[i];
    return NULL;
}

/* What "unknown key" should suggest: keys of the section, or every key. */
static void suggest_key(const char *section, const char *key, char *out, size_t len)
{
    const char *cands[CFG_NKEYS];
    size_t n = 0;
    for (size_t i = 0; i < CFG_NKEYS; i++)
        if (section == NULL || strcmp(cfg_keys[i].section, section) == 0)
            cands[n++] = cfg_keys[i].key;
    text_suggest(key, cands, n, out, len);
}

static const char *const cfg_sections[] = {"sweep", "measure", "check", "tune"};
#define CFG_NSECTIONS (sizeof cfg_sections / sizeof cfg_sections[0])

int cfg_known_section(const char *section)
{
    for (size_t i = 0; i < CFG_NSECTIONS; i++)
        if (strcmp(section, cfg_sections[i]) == 0)
            return 1;
    return 0;
}

/* "unknown section [s]" and the closest section, for a file and for --set alike. */
void cfg_unknown_section_msg(const char *section, char *out, size_t len)
{
    char hint[96];
    text_suggest(section, cfg_sections, CFG_NSECTIONS, hint, sizeof hint);
    snprintf(out, len, "unknown section [%s]%s", section, hint);
}

/* "unknown key 'k'" (in [s], when a section was named) with a hint: the section the key does
 * belong in, when it is a key of another one, else the closest key. */
void cfg_unknown_key_msg(const char *section, const char *key, char *out, size_t len)
{
    char hint[96];
    const cfg_key *home = section != NULL ? cfg_find_key(NULL, key) : NULL;
    if (home != NULL)
        snprintf(hint, sizeof hint, " (it belongs in [%s])", home->section);
    else
        suggest_key(section, key, hint, sizeof hint);
    if (section != NULL)
        snprintf(out, len, "unknown key '%s' in [%s]%s", key, section, hint);
    else
        snprintf(out, len, "unknown key '%s'%s", key, hint);
}
