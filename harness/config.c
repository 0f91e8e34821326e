/* config.c: reads sweep files (INI, through libinih) and --set overrides into a cfg, through one
 * table of keys with their types and ranges, so every key is parsed and checked the same way. */
#include "config.h"

#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef enum { T_INT_LIST, T_BOOL_LIST, T_DIST_LIST, T_NAME_LIST, T_EVENT_LIST, T_SEED, T_INT,
               T_REAL, T_SCALE, T_CHOICE, T_CHOICE_LIST } cfg_type;

typedef struct cfg_key {
    const char *section;
    const char *key;
    cfg_type type;
    double min, max;             /* for numbers and every list entry */
    size_t offset;               /* of the field in cfg */
    const char *const *choices;  /* T_CHOICE: the words, NULL-terminated; stored as an index */
} cfg_key;

static const char *const bind_words[] = {"none", "compact", "spread", NULL};
static const char *const cache_words[] = {"warm", "cold", NULL};
static const char *const peaks_words[] = {"cached", "measure", "off", NULL};
static const char *const geometry_words[] = {"host", "reference", NULL};

/* Lines longer than this are refused before libinih sees them (it would split them). */
#define CFG_MAX_LINE 190

static const cfg_key cfg_keys[] = {
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
    {"sweep", "threads", T_INT_LIST, 1, 1024, offsetof(cfg, threads), NULL},
    {"sweep", "seed", T_SEED, 0, 0, offsetof(cfg, seed), NULL},
    {"sweep", "scale", T_SCALE, 1e-30, 1e30, offsetof(cfg, scale), NULL},
    {"measure", "warmup", T_INT, 0, 1000000, offsetof(cfg, warmup), NULL},
    {"measure", "min_reps", T_INT, 1, 1000000, offsetof(cfg, min_reps), NULL},
    {"measure", "max_reps", T_INT, 1, 1000000, offsetof(cfg, max_reps), NULL},
    {"measure", "min_time_s", T_REAL, 0, 86400, offsetof(cfg, min_time_s), NULL},
    {"measure", "timeout_s", T_REAL, 0.001, 864000, offsetof(cfg, timeout_s), NULL},
    {"measure", "counters", T_EVENT_LIST, 0, 0, offsetof(cfg, counters), NULL},
    {"measure", "counter_reps", T_INT, 1, 1000, offsetof(cfg, counter_reps), NULL},
    {"measure", "memory_limit_mib", T_INT, 0, 1L << 30, offsetof(cfg, memory_limit_mib), NULL},
    {"measure", "bind", T_CHOICE, 0, 0, offsetof(cfg, bind), bind_words},
    {"measure", "cache", T_CHOICE_LIST, 0, 1, offsetof(cfg, cache), cache_words},
    {"measure", "peaks", T_CHOICE, 0, 0, offsetof(cfg, peaks), peaks_words},
    {"measure", "sim_ll_bytes", T_INT, 0, 1L << 40, offsetof(cfg, sim_ll_bytes), NULL},
    {"measure", "sim_geometry", T_CHOICE, 0, 0, offsetof(cfg, sim_geometry), geometry_words},
    {"check", "tol_factor", T_REAL, 1e-3, 1e6, offsetof(cfg, tol_factor), NULL},
    {"check", "abs_floor", T_REAL, 0, 1, offsetof(cfg, abs_floor), NULL},
    {"tune", "tile_rows", T_INT, 0, 4096, offsetof(cfg, tile_rows), NULL},
    {"tune", "tile_keys", T_INT, 0, 4096, offsetof(cfg, tile_keys), NULL},
};
#define CFG_NKEYS (sizeof cfg_keys / sizeof cfg_keys[0])

static const char *const dist_names[] = {"normal", "uniform", "large"};

const char *cfg_dist_name(int dist)
{
    return dist >= 0 && dist < 3 ? dist_names[dist] : "?";
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
    c->timeout_s = 60;
    c->counters.n = 1;
    strcpy(c->counters.v[0], "auto");
    c->counter_reps = 1;
    c->cache = (cfg_list){1, {0}};
    c->tol_factor = 4;
    c->abs_floor = 1e-30;
    strcpy(c->source, "(defaults)");
}

/* Edit distance, for "did you mean". Names are short; a full table is fine. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[64];
    if (la > 62 || lb > 62)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* " (did you mean 'x'?)" for the closest of the candidates, or "". */
static void suggest(const char *word, const char *const *cands, size_t n, char *out, size_t len)
{
    int best = 3;
    const char *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        int dist = edit_distance(word, cands[i]);
        if (dist < best) {
            best = dist;
            pick = cands[i];
        }
    }
    if (pick != NULL)
        snprintf(out, len, " (did you mean '%s'?)", pick);
    else if (len > 0)
        out[0] = '\0';
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int parse_real(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int valid_name(const char *s, int allow_event_chars)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        int ok = islower(ch) || isdigit(ch) || ch == '_' || ch == '-';
        if (allow_event_chars)
            ok = isalnum(ch) || ch == '_' || ch == '-' || ch == ':' || ch == '.' || ch == '=';
        if (!ok)
            return 0;
    }
    return 1;
}

/* One list entry, typed. 0, or -1 with the reason in err. */
static int parse_entry(const cfg_key *k, const char *item, long *num, char *name,
                       char *err, size_t err_len)
{
    switch (k->type) {
    case T_INT_LIST:
        if (parse_long(item, num) != 0) {
            snprintf(err, err_len, "'%s' is not an integer", item);
            return -1;
        }
        if (*num < (long)k->min || *num > (long)k->max) {
            snprintf(err, err_len, "%ld is out of range [%ld, %ld]", *num, (long)k->min,
                     (long)k->max);
            return -1;
        }
        return 0;
    case T_BOOL_LIST:
        if (strcmp(item, "true") == 0 || strcmp(item, "1") == 0)
            *num = 1;
        else if (strcmp(item, "false") == 0 || strcmp(item, "0") == 0)
            *num = 0;
        else {
            snprintf(err, err_len, "'%s' is not true or false", item);
            return -1;
        }
        return 0;
    case T_DIST_LIST:
        for (int d = 0; d < 3; d++)
            if (strcmp(item, dist_names[d]) == 0) {
                *num = d;
                return 0;
            }
        snprintf(err, err_len, "'%s' is not a distribution (normal, uniform, large)", item);
        return -1;
    case T_CHOICE_LIST:
        for (long i = 0; k->choices[i] != NULL; i++)
            if (strcmp(item, k->choices[i]) == 0) {
                *num = i;
                return 0;
            }
        snprintf(err, err_len, "'%s' is not one of %s, %s", item, k->choices[0], k->choices[1]);
        return -1;
    case T_NAME_LIST:
    case T_EVENT_LIST:
        if (strlen(item) >= CFG_NAME_LEN || !valid_name(item, k->type == T_EVENT_LIST)) {
            snprintf(err, err_len, "'%s' is not a valid name%s", item,
                     k->type == T_NAME_LIST ? " ([a-z0-9_-]+)" : "");
            return -1;
        }
        strcpy(name, item);
        return 0;
    default:
        snprintf(err, err_len, "internal: not a list key");
        return -1;
    }
}

static int parse_list(const cfg_key *k, const char *value, void *field, char *err, size_t err_len)
{
    char buf[4096];
    long nums[CFG_MAX_LIST];
    char names[CFG_MAX_LIST][CFG_NAME_LEN];
    int n = 0;

    if (strlen(value) >= sizeof buf) {
        snprintf(err, err_len, "value too long");
        return -1;
    }
    strcpy(buf, value);
    if (*trim(buf) == '\0') {
        snprintf(err, err_len, "empty list");
        return -1;
    }
    for (char *item = buf, *next; item != NULL; item = next) {
        next = strchr(item, ',');
        if (next != NULL)
            *next++ = '\0';
        char *t = trim(item);
        if (*t == '\0') {
            snprintf(err, err_len, "empty entry in the list");
            return -1;
        }
        if (n == CFG_MAX_LIST) {
            snprintf(err, err_len, "more than %d entries", CFG_MAX_LIST);
            return -1;
        }
        if (parse_entry(k, t, &nums[n], names[n], err, err_len) != 0)
            return -1;
        for (int i = 0; i < n; i++) {
            int same = (k->type == T_NAME_LIST || k->type == T_EVENT_LIST)
                           ? strcmp(names[i], names[n]) == 0 : nums[i] == nums[n];
            if (same) {
                snprintf(err, err_len, "'%s' appears twice in the list", t);
                return -1;
            }
        }
        n++;
    }
    if (k->type == T_NAME_LIST || k->type == T_EVENT_LIST) {
        cfg_names *out = field;
        out->n = n;
        memcpy(out->v, names, sizeof names[0] * (size_t)n);
    } else {
        cfg_list *out = field;
        out->n = n;
        memcpy(out->v, nums, sizeof nums[0] * (size_t)n);
    }
    return 0;
}

/* Parses one key's value into c. 0, or -1 with the reason in err. */
static int set_value(cfg *c, const cfg_key *k, const char *raw, char *err, size_t err_len)
{
    char buf[512];
    void *field = (char *)c + k->offset;
    long n;
    double r;

    snprintf(buf, sizeof buf, "%s", raw);
    char *value = trim(buf);
    switch (k->type) {
    case T_SEED: {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(value, &end, 0);
        if (errno != 0 || end == value || *end != '\0' || *value == '-') {
            snprintf(err, err_len, "'%s' is not an unsigned integer", value);
            return -1;
        }
        *(uint64_t *)field = s;
        break;
    }
    case T_INT:
        if (parse_long(value, &n) != 0) {
            snprintf(err, err_len, "'%s' is not an integer", value);
            return -1;
        }
        if (n < (long)k->min || n > (long)k->max) {
            snprintf(err, err_len, "%ld is out of range [%ld, %ld]", n, (long)k->min, (long)k->max);
            return -1;
        }
        *(long *)field = n;
        break;
    case T_CHOICE: {
        char words[128];
        size_t n_w = 0;
        for (long i = 0; k->choices[i] != NULL; i++) {
            if (strcmp(value, k->choices[i]) == 0) {
                *(long *)field = i;
                goto remember;
            }
            n_w += (size_t)snprintf(words + n_w, sizeof words - n_w, "%s%s", i ? ", " : "",
                                    k->choices[i]);
        }
        snprintf(err, err_len, "'%s' is not one of %s", value, words);
        return -1;
    }
    case T_SCALE:
    case T_REAL:
        if (k->type == T_SCALE && strcmp(value, "auto") == 0) {
            *(double *)field = 0;
            break;
        }
        if (parse_real(value, &r) != 0) {
            snprintf(err, err_len, "'%s' is not a number%s", value,
                     k->type == T_SCALE ? " or 'auto'" : "");
            return -1;
        }
        if (r < k->min || r > k->max) {
            snprintf(err, err_len, "%g is out of range [%g, %g]", r, k->min, k->max);
            return -1;
        }
        *(double *)field = r;
        break;
    default:
        if (parse_list(k, value, field, err, err_len) != 0)
            return -1;
    }

remember:;
    /* Remember the text as read, for results.json; a later setting replaces an earlier one. */
    char full[40];
    snprintf(full, sizeof full, "%s.%s", k->section, k->key);
    int slot = 0;
    while (slot < c->n_seen && strcmp(c->seen_key[slot], full) != 0)
        slot++;
    if (slot == c->n_seen && c->n_seen < 64)
        c->n_seen++;
    if (slot < 64) {
        strcpy(c->seen_key[slot], full);
        snprintf(c->seen_val[slot], sizeof c->seen_val[slot], "%s", value);
    }
    return 0;
}

static const cfg_key *find_key(const char *section, const char *key)
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
    suggest(key, cands, n, out, len);
}

static int known_section(const char *section)
{
    return strcmp(section, "sweep") == 0 || strcmp(section, "measure") == 0 ||
           strcmp(section, "check") == 0 || strcmp(section, "tune") == 0;
}

typedef struct load_ctx {
    cfg *c;
    char msg[CFG_ERR_LEN];       /* the first error, without file:line */
    unsigned char seen[CFG_NKEYS];
} load_ctx;

static int cfg_ini_entry(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *ctx = user;
    char why[400], hint[96];

    if (ctx->msg[0] != '\0')
        return 0;
    if (section[0] == '\0') {
        snprintf(ctx->msg, sizeof ctx->msg, "'%s' comes before any [section]", name);
        return 0;
    }
    if (!known_section(section)) {
        static const char *const sections[] = {"sweep", "measure", "check", "tune"};
        suggest(section, sections, 4, hint, sizeof hint);
        snprintf(ctx->msg, sizeof ctx->msg, "unknown section [%s]%s", section, hint);
        return 0;
    }
    const cfg_key *k = find_key(section, name);
    if (k == NULL) {
        suggest_key(section, name, hint, sizeof hint);
        snprintf(ctx->msg, sizeof ctx->msg, "unknown key '%s' in [%s]%s", name, section, hint);
        return 0;
    }
    size_t idx = (size_t)(k - cfg_keys);
    if (ctx->seen[idx]) {
        snprintf(ctx->msg, sizeof ctx->msg, "[%s] %s is set twice", section, name);
        return 0;
    }
    ctx->seen[idx] = 1;
    if (set_value(ctx->c, k, value, why, sizeof why) != 0) {
        snprintf(ctx->msg, sizeof ctx->msg, "[%s] %s: %s", section, name, why);
        return 0;
    }
    return 1;
}

/* The text of line `lineno` (1-based), shortened for an error message. */
static void line_text(const char *text, int lineno, char *out, size_t len)
{
    const char *s = text;
    for (int i = 1; i < lineno && s != NULL; i++) {
        s = strchr(s, '\n');
        if (s != NULL)
            s++;
    }
    if (s == NULL) {
        out[0] = '\0';
        return;
    }
    size_t n = strcspn(s, "\r\n");
    if (n > 80)
        n = 80;
    snprintf(out, len, "%.*s%s", (int)n, s, strcspn(s, "\r\n") > 80 ? "..." : "");
}

int cfg_load_text(cfg *c, const char *name, const char *data, size_t len, char *err,
                  size_t err_len)
{
    /* A NUL would end the text early for libinih, silently dropping the rest. */
    const char *nul = memchr(data, '\0', len);
    if (nul != NULL) {
        int lineno = 1;
        for (const char *s = data; s < nul; s++)
            lineno += *s == '\n';
        snprintf(err, err_len, "%s:%d: binary data (a NUL byte); not a config file", name, lineno);
        return 2;
    }
    /* libinih wants a C string; data need not be one (a buffer from a fuzzer, say). */
    char *text = malloc(len + 1);
    if (text == NULL) {
        snprintf(err, err_len, "%s: out of memory", name);
        return 2;
    }
    memcpy(text, data, len);
    text[len] = '\0';

    int lineno = 1;
    for (const char *s = text; *s; lineno++) {
        size_t n = strcspn(s, "\n");
        if (n > CFG_MAX_LINE) {
            snprintf(err, err_len, "%s:%d: line of %zu characters is too long (limit %d)", name,
                     lineno, n, CFG_MAX_LINE);
            free(text);
            return 2;
        }
        s += n + (s[n] == '\n');
    }

    load_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.c = c;
    int bad = ini_parse_string(text, cfg_ini_entry, &ctx);
    if (bad != 0) {
        char shown[128];
        line_text(text, bad, shown, sizeof shown);
        snprintf(err, err_len, "%s:%d: %s (line: '%s')", name, bad,
                 ctx.msg[0] ? ctx.msg : "not a 'key = value' line or a [section]", shown);
        free(text);
        return 2;
    }
    free(text);
    snprintf(c->source, sizeof c->source, "%s", name);
    return 0;
}

/* Reads the whole file, refusing what is not a small file. Caller frees; *len gets its size. */
static char *read_text_file(const char *path, size_t *len, char *err, size_t err_len)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, err_len, "%s: cannot read config: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, err_len, "%s: is a directory, not a config file", path);
        return NULL;
    }
    if (st.st_size > (1 << 20)) {
        snprintf(err, err_len, "%s: %lld bytes is too large for a config file (limit 1 MiB)",
                 path, (long long)st.st_size);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_len, "%s: cannot read config: %s", path, strerror(errno));
        return NULL;
    }
    char *text = malloc((size_t)st.st_size + 1);
    *len = text != NULL ? fread(text, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (text == NULL) {
        snprintf(err, err_len, "%s: out of memory", path);
        return NULL;
    }
    return text;
}

int cfg_load_file(cfg *c, const char *path, char *err, size_t err_len)
{
    size_t len;
    char *text = read_text_file(path, &len, err, err_len);
    if (text == NULL)
        return 2;
    int rc = cfg_load_text(c, path, text, len, err, err_len);
    free(text);
    return rc;
}

int cfg_apply_set(cfg *c, const char *assignment, char *err, size_t err_len)
{
    char key[128], why[400], hint[96];
    const char *eq = strchr(assignment, '=');

    if (eq == NULL) {
        snprintf(err, err_len, "--set %s: expected KEY=LIST", assignment);
        return 2;
    }
    snprintf(key, sizeof key, "%.*s", (int)(eq - assignment), assignment);
    char *name = trim(key), *section = NULL;
    char *dot = strchr(name, '.');
    if (dot != NULL) {
        *dot = '\0';
        section = name;
        name = dot + 1;
        if (!known_section(section)) {
            snprintf(err, err_len, "--set %s: unknown section [%s]", assignment, section);
            return 2;
        }
    }
    const cfg_key *k = find_key(section, name);
    if (k == NULL) {
        suggest_key(section, name, hint, sizeof hint);
        snprintf(err, err_len, "--set %s: unknown key '%s'%s", assignment, name, hint);
        return 2;
    }
    if (set_value(c, k, eq + 1, why, sizeof why) != 0) {
        snprintf(err, err_len, "--set %s: [%s] %s: %s", assignment, k->section, k->key, why);
        return 2;
    }
    return 0;
}

int cfg_finish(cfg *c, char *err, size_t err_len)
{
    if (c->seq_len.n == 0 && (c->seq_q.n == 0 || c->seq_kv.n == 0)) {
        snprintf(err, err_len, "%s: [sweep] needs seq_len, or both seq_q and seq_kv", c->source);
        return 2;
    }
    if (c->head_dim.n == 0) {
        snprintf(err, err_len, "%s: [sweep] needs head_dim", c->source);
        return 2;
    }
    if (c->min_reps > c->max_reps) {
        snprintf(err, err_len, "%s: [measure] min_reps (%ld) is larger than max_reps (%ld)",
                 c->source, c->min_reps, c->max_reps);
        return 2;
    }
    return 0;
}
