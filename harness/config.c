/* config.c: reads sweep files (INI, through libinih) and --set overrides into a cfg, through one
 * table of keys with their types and ranges, so every key is parsed and checked the same way. */
#include "config.h"

#include "libs.h"

#include "text.h"

#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
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
static const char *const openblas_core_words[] = {
    "auto", "library",
#define CFG_CORE_WORD(name, isa) name,
    LIBS_OPENBLAS_CORES(CFG_CORE_WORD)
#undef CFG_CORE_WORD
    NULL};

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
    c->rounds = 1;
    c->timeout_s = 60;
    c->counters.n = 1;
    strcpy(c->counters.v[0], "auto");
    c->counter_reps = 1;
    c->cache = (cfg_list){1, {0}};
    c->tol_factor = 4;
    c->abs_floor = 1e-30;
    strcpy(c->source, "(defaults)");
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

/* Input quoted in a message is cut to this many bytes, so that a long value cannot push the
 * reason that follows it past the end of the message. */
#define CFG_QUOTE_MAX 80

/* s, or its first CFG_QUOTE_MAX bytes and "..." in buf (CFG_QUOTE_MAX + 4 bytes). */
static const char *clip(const char *s, char *buf)
{
    if (strlen(s) <= CFG_QUOTE_MAX)
        return s;
    snprintf(buf, CFG_QUOTE_MAX + 4, "%.*s...", CFG_QUOTE_MAX, s);
    return buf;
}

/* "'ITEM' REASON" in err, ITEM clipped. -1, for `return refuse(...)` in a parser. */
__attribute__((format(printf, 4, 5)))
static int refuse(char *err, size_t err_len, const char *item, const char *fmt, ...)
{
    char shown[CFG_QUOTE_MAX + 4], reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(err, err_len, "'%s' %s", clip(item, shown), reason);
    return -1;
}

/* 0, -1 if s is not an integer, or 1 if it is one past long's range (strtol's overflow is a
 * number too big, not a typo, and says so). */
static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0')
        return -1;
    *out = v;
    return errno == ERANGE ? 1 : 0;
}

/* An integer within k's range. 0, or -1 with the reason in err. */
static int parse_int(const cfg_key *k, const char *s, long *out, char *err, size_t err_len)
{
    long lo = (long)k->min, hi = (long)k->max;
    int rc = parse_long(s, out);
    if (rc < 0)
        return refuse(err, err_len, s, "is not an integer");
    if (rc > 0)
        return refuse(err, err_len, s, "is out of range [%ld, %ld]", lo, hi);
    if (*out < lo || *out > hi) {
        snprintf(err, err_len, "%ld is out of range [%ld, %ld]", *out, lo, hi);
        return -1;
    }
    return 0;
}

/* 0, -1 if s is not a finite number, or 1 if it is one past double's range. An underflow
 * (ERANGE toward 0) keeps the nearest double: the number is fine, only tiny. */
static int parse_real(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return -1;
    if (errno == ERANGE && isinf(v))
        return 1;
    if (!isfinite(v))
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
        return parse_int(k, item, num, err, err_len);
    case T_BOOL_LIST:
        if (strcmp(item, "true") == 0 || strcmp(item, "1") == 0)
            *num = 1;
        else if (strcmp(item, "false") == 0 || strcmp(item, "0") == 0)
            *num = 0;
        else
            return refuse(err, err_len, item, "is not true or false");
        return 0;
    case T_DIST_LIST:
        for (int d = 0; d < 3; d++)
            if (strcmp(item, dist_names[d]) == 0) {
                *num = d;
                return 0;
            }
        return refuse(err, err_len, item, "is not a distribution (normal, uniform, large)");
    case T_CHOICE_LIST:
        for (long i = 0; k->choices[i] != NULL; i++)
            if (strcmp(item, k->choices[i]) == 0) {
                *num = i;
                return 0;
            }
        return refuse(err, err_len, item, "is not one of %s, %s", k->choices[0], k->choices[1]);
    case T_NAME_LIST:
    case T_EVENT_LIST:
        if (strlen(item) >= CFG_NAME_LEN || !valid_name(item, k->type == T_EVENT_LIST))
            return refuse(err, err_len, item, "is not a valid name%s",
                          k->type == T_NAME_LIST ? " ([a-z0-9_-]+)" : "");
        strcpy(name, item);
        return 0;
    default:
        snprintf(err, err_len, "internal: not a list key");
        return -1;
    }
}

/* A list's entries, from buf (split in place), parsed and checked for repeats. Their count, or
 * -1 with the reason in err. */
static int parse_entries(const cfg_key *k, char *buf, long *nums, char (*names)[CFG_NAME_LEN],
                         char *err, size_t err_len)
{
    int n = 0;

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
            if (same)
                return refuse(err, err_len, t, "appears twice in the list");
        }
        n++;
    }
    return n;
}

static int parse_list(const cfg_key *k, const char *value, void *field, char *err, size_t err_len)
{
    long nums[CFG_MAX_LIST];
    char names[CFG_MAX_LIST][CFG_NAME_LEN];
    /* A copy to split, as long as the value: remember_value is the one length limit. */
    char *buf = strdup(value);
    if (buf == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    int n = parse_entries(k, buf, nums, names, err, err_len);
    free(buf);
    if (n < 0)
        return -1;
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

/* Parses one key's value (trimmed) into c. 0, or -1 with the reason in err. */
static int parse_value(cfg *c, const cfg_key *k, const char *value, char *err, size_t err_len)
{
    void *field = (char *)c + k->offset;
    long n;
    double r;
    int rc;

    switch (k->type) {
    case T_SEED: {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(value, &end, 0);
        if (end == value || *end != '\0' || *value == '-')
            return refuse(err, err_len, value, "is not an unsigned integer");
        if (errno == ERANGE)
            return refuse(err, err_len, value, "is out of range [0, %llu]", ULLONG_MAX);
        *(uint64_t *)field = s;
        return 0;
    }
    case T_INT:
        if (parse_int(k, value, &n, err, err_len) != 0)
            return -1;
        *(long *)field = n;
        return 0;
    case T_CHOICE: {
        char words[128];
        size_t n_w = 0;
        for (long i = 0; k->choices[i] != NULL; i++) {
            if (strcmp(value, k->choices[i]) == 0) {
                *(long *)field = i;
                return 0;
            }
            n_w += (size_t)snprintf(words + n_w, sizeof words - n_w, "%s%s", i ? ", " : "",
                                    k->choices[i]);
        }
        return refuse(err, err_len, value, "is not one of %s", words);
    }
    case T_SCALE:
    case T_REAL:
        if (k->type == T_SCALE && strcmp(value, "auto") == 0) {
            *(double *)field = 0;
            return 0;
        }
        rc = parse_real(value, &r);
        if (rc < 0)
            return refuse(err, err_len, value, "is not a number%s",
                          k->type == T_SCALE ? " or 'auto'" : "");
        if (rc > 0)
            return refuse(err, err_len, value, "is out of range [%g, %g]", k->min, k->max);
        if (r < k->min || r > k->max) {
            snprintf(err, err_len, "%g is out of range [%g, %g]", r, k->min, k->max);
            return -1;
        }
        *(double *)field = r;
        return 0;
    default:
        return parse_list(k, value, field, err, err_len);
    }
}

/* Remembers the text as read, for results.json; a later setting replaces an earlier one. Text
 * too long to keep whole is refused: a record cut short would reproduce another sweep. */
static int remember_value(cfg *c, const cfg_key *k, const char *value, char *err,
                          size_t err_len)
{
    size_t len = strlen(value);
    if (len >= sizeof c->seen_val[0]) {
        snprintf(err, err_len, "value of %zu characters is too long (limit %zu)", len,
                 sizeof c->seen_val[0] - 1);
        return -1;
    }
    char full[40];
    snprintf(full, sizeof full, "%s.%s", k->section, k->key);
    int slot = 0;
    while (slot < c->n_seen && strcmp(c->seen_key[slot], full) != 0)
        slot++;
    if (slot == c->n_seen && c->n_seen < 64)
        c->n_seen++;
    if (slot < 64) {
        strcpy(c->seen_key[slot], full);
        memcpy(c->seen_val[slot], value, len + 1);
    }
    return 0;
}

/* Parses one key's value into c and records it. 0, or -1 with the reason in err. The value is
 * copied whole (--set has no length limit: a fixed buffer cut "8,<spaces>1024" to "8,102"), and
 * parsed before its length is checked, so that a bad entry gives its own reason. */
static int set_value(cfg *c, const cfg_key *k, const char *raw, char *err, size_t err_len)
{
    char *buf = strdup(raw);
    if (buf == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    char *value = trim(buf);
    int rc = parse_value(c, k, value, err, err_len);
    if (rc == 0)
        rc = remember_value(c, k, value, err, err_len);
    free(buf);
    return rc;
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
    text_suggest(key, cands, n, out, len);
}

static const char *const cfg_sections[] = {"sweep", "measure", "check", "tune"};
#define CFG_NSECTIONS (sizeof cfg_sections / sizeof cfg_sections[0])

static int known_section(const char *section)
{
    for (size_t i = 0; i < CFG_NSECTIONS; i++)
        if (strcmp(section, cfg_sections[i]) == 0)
            return 1;
    return 0;
}

/* "unknown section [s]" and the closest section, for a file and for --set alike. */
static void unknown_section_msg(const char *section, char *out, size_t len)
{
    char hint[96];
    text_suggest(section, cfg_sections, CFG_NSECTIONS, hint, sizeof hint);
    snprintf(out, len, "unknown section [%s]%s", section, hint);
}

/* "unknown key 'k'" (in [s], when a section was named) with a hint: the section the key does
 * belong in, when it is a key of another one, else the closest key. */
static void unknown_key_msg(const char *section, const char *key, char *out, size_t len)
{
    char hint[96];
    const cfg_key *home = section != NULL ? find_key(NULL, key) : NULL;
    if (home != NULL)
        snprintf(hint, sizeof hint, " (it belongs in [%s])", home->section);
    else
        suggest_key(section, key, hint, sizeof hint);
    if (section != NULL)
        snprintf(out, len, "unknown key '%s' in [%s]%s", key, section, hint);
    else
        snprintf(out, len, "unknown key '%s'%s", key, hint);
}

typedef struct load_ctx {
    cfg *c;
    char msg[CFG_ERR_LEN];       /* the first error, without file:line */
    unsigned char seen[CFG_NKEYS];
} load_ctx;

static int cfg_ini_entry(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *ctx = user;
    char why[400];

    if (ctx->msg[0] != '\0')
        return 0;
    if (section[0] == '\0') {
        snprintf(ctx->msg, sizeof ctx->msg, "'%s' comes before any [section]", name);
        return 0;
    }
    if (!known_section(section)) {
        unknown_section_msg(section, ctx->msg, sizeof ctx->msg);
        return 0;
    }
    const cfg_key *k = find_key(section, name);
    if (k == NULL) {
        unknown_key_msg(section, name, ctx->msg, sizeof ctx->msg);
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

/* Where line `lineno` (1-based) starts in text, or NULL past the end. */
static const char *line_start(const char *text, int lineno)
{
    const char *s = text;
    for (int i = 1; i < lineno && s != NULL; i++) {
        s = strchr(s, '\n');
        if (s != NULL)
            s++;
    }
    return s;
}

/* The text of line `lineno`, shortened for an error message. Only '\n' ends it (a lone '\r' is
 * no line end to libinih either, so it is shown, escaped), and a CRLF's '\r' is dropped. */
static void line_text(const char *text, int lineno, char *out, size_t len)
{
    const char *s = line_start(text, lineno);
    if (s == NULL) {
        out[0] = '\0';
        return;
    }
    size_t n = strcspn(s, "\n");
    if (n > 0 && s[n - 1] == '\r')
        n--;
    snprintf(out, len, "%.*s%s", (int)(n > 80 ? 80 : n), s, n > 80 ? "..." : "");
}

/* libinih's scan for one of chars: it also stops at an inline ';' comment (one after a space). */
static const char *ini_find(const char *s, const char *chars)
{
    int was_space = 0;
    while (*s != '\0' && strchr(chars, *s) == NULL && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    return s;
}

typedef enum { L_BLANK, L_CONTINUATION, L_HEADER, L_KEY, L_NOT_KEY } line_kind;

/* What libinih makes of one line (its text, without the '\n'), trimming it in place; *body gets
 * the trimmed text. after_key: a key line came since the last header, so an indented line
 * continues that key's value (libinih's multi-line values) rather than starting anything. */
static line_kind classify_line(char *line, int first, int after_key, char **body)
{
    char *start = line;
    if (first && strncmp(start, "\xEF\xBB\xBF", 3) == 0)
        start += 3;                  /* libinih skips a UTF-8 byte-order mark */
    *body = trim(start);
    char lead = **body;
    if (lead == '\0' || lead == ';' || lead == '#')
        return L_BLANK;
    if (after_key && *body > line)
        return L_CONTINUATION;
    if (lead == '[')
        return L_HEADER;
    const char *sep = ini_find(*body, "=:");
    return *sep == '=' || *sep == ':' ? L_KEY : L_NOT_KEY;
}

/* A header line (trimmed). 0 for a known section; 1 for an unknown one, which is wrong only if
 * no key follows (the handler names it at its first key); -1 for a header wrong whatever
 * follows. msg says why. */
static int check_header(const char *body, char *msg, size_t len)
{
    const char *end = ini_find(body + 1, "]");
    if (*end != ']') {
        snprintf(msg, len, "unterminated section header (no ']'%s)",
                 *end == ';' ? " before the ' ;' comment" : "");
        return -1;
    }
    /* libinih ignores what follows ']'. A comment may stay there, as at the start of a line. */
    const char *rest = end + 1;
    while (isspace((unsigned char)*rest))
        rest++;
    if (*rest != '\0' && *rest != ';' && *rest != '#') {
        snprintf(msg, len, "text after the section header (only a ; or # comment may follow ']')");
        return -1;
    }
    char name[CFG_MAX_LINE + 1];
    snprintf(name, sizeof name, "%.*s", (int)(end - body - 1), body + 1);
    if (known_section(name))
        return 0;
    unknown_section_msg(name, msg, len);
    /* "[]" gives its keys no section at all: they would say they come "before any [section]". */
    return name[0] == '\0' ? -1 : 1;
}

/* The first line that libinih would misread or pass over in silence, found before it parses:
 * a header with no ']' (libinih reports that line but reads on, so the reason given would be a
 * later key's), text after ']' (ignored), an unknown section with no keys (libinih names
 * sections only through keys), a line that is neither (its reason would be a later key's too).
 * 0, or that line with the reason in msg. Lines are at most CFG_MAX_LINE bytes (checked). */
static int scan_lines(const char *text, char *msg, size_t len)
{
    char line[CFG_MAX_LINE + 1], *body;
    int lineno = 1, after_key = 0, unknown = 0;  /* unknown: the line of an unknown header */

    for (const char *s = text; *s != '\0'; lineno++) {
        size_t n = strcspn(s, "\n");
        snprintf(line, sizeof line, "%.*s", (int)n, s);
        s += n + (s[n] == '\n');
        line_kind kind = classify_line(line, lineno == 1, after_key, &body);
        if (kind == L_BLANK || kind == L_CONTINUATION)
            continue;
        if (kind == L_KEY) {
            unknown = 0;
            after_key = *body != '=' && *body != ':';   /* libinih: an empty name continues nothing */
            continue;
        }
        if (unknown != 0)            /* msg still holds its reason */
            return unknown;
        if (kind == L_NOT_KEY) {
            snprintf(msg, len, "not a 'key = value' line or a [section]");
            return lineno;
        }
        after_key = 0;
        int rc = check_header(body, msg, len);
        if (rc < 0)
            return lineno;
        if (rc > 0)
            unknown = lineno;
    }
    return unknown;
}

/* The line of the first line longer than CFG_MAX_LINE (libinih would split it), or 0. */
static int long_line(const char *text, size_t *n)
{
    int lineno = 1;
    for (const char *s = text; *s; lineno++) {
        *n = strcspn(s, "\n");
        if (*n > CFG_MAX_LINE)
            return lineno;
        s += *n + (s[*n] == '\n');
    }
    return 0;
}

/* libinih over the lines before `stop` (all, when 0). scan_lines passed them, so the first
 * error it reports is the handler's, and ctx->msg holds that error's reason. */
static int parse_lines_before(char *text, int stop, load_ctx *ctx)
{
    const char *at = stop != 0 ? line_start(text, stop) : NULL;
    size_t cut = at != NULL ? (size_t)(at - text) : strlen(text);
    char saved = text[cut];
    text[cut] = '\0';
    int bad = ini_parse_string(text, cfg_ini_entry, ctx);
    text[cut] = saved;
    return bad;
}

/* cfg_load_text, before its message is made safe to print. */
static int load_text(cfg *c, const char *name, const char *data, size_t len, char *err,
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

    size_t n;
    int lineno = long_line(text, &n);
    if (lineno != 0) {
        snprintf(err, err_len, "%s:%d: line of %zu characters is too long (limit %d)", name,
                 lineno, n, CFG_MAX_LINE);
        free(text);
        return 2;
    }

    load_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.c = c;
    char why[512];
    int scanned = scan_lines(text, why, sizeof why);
    int bad = parse_lines_before(text, scanned, &ctx);
    const char *reason = ctx.msg[0] ? ctx.msg : "not a 'key = value' line or a [section]";
    if (bad == 0 && scanned != 0) {
        bad = scanned;
        reason = why;
    }
    if (bad != 0) {
        char shown[128];
        line_text(text, bad, shown, sizeof shown);
        snprintf(err, err_len, "%s:%d: %s (line: '%s')", name, bad, reason, shown);
        free(text);
        return 2;
    }
    free(text);
    snprintf(c->source, sizeof c->source, "%s", name);
    return 0;
}

int cfg_load_text(cfg *c, const char *name, const char *data, size_t len, char *err,
                  size_t err_len)
{
    int rc = load_text(c, name, data, len, err, err_len);
    if (rc != 0)
        text_escape(err, err_len);
    return rc;
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
    if (text == NULL) {
        text_escape(err, err_len);      /* the path is input too */
        return 2;
    }
    int rc = cfg_load_text(c, path, text, len, err, err_len);
    free(text);
    return rc;
}

static int apply_set(cfg *c, const char *assignment, char *err, size_t err_len)
{
    char key[128], why[400], shown[CFG_QUOTE_MAX + 4];
    /* Echoed cut: whole, a long assignment would push the reason past the message's end. */
    const char *echo = clip(assignment, shown);
    const char *eq = strchr(assignment, '=');

    if (eq == NULL) {
        snprintf(err, err_len, "--set %s: expected KEY=LIST", echo);
        return 2;
    }
    size_t key_len = (size_t)(eq - assignment);
    if (key_len >= sizeof key) {   /* cut, "seq_len<spaces>x" could trim to a real key */
        snprintf(err, err_len, "--set %s: key of %zu characters is too long (limit %zu)", echo,
                 key_len, sizeof key - 1);
        return 2;
    }
    memcpy(key, assignment, key_len);
    key[key_len] = '\0';
    char *name = trim(key), *section = NULL;
    char *dot = strchr(name, '.');
    if (dot != NULL) {
        *dot = '\0';
        section = name;
        name = dot + 1;
        if (!known_section(section)) {
            unknown_section_msg(section, why, sizeof why);
            snprintf(err, err_len, "--set %s: %s", echo, why);
            return 2;
        }
    }
    const cfg_key *k = find_key(section, name);
    if (k == NULL) {
        unknown_key_msg(section, name, why, sizeof why);
        snprintf(err, err_len, "--set %s: %s", echo, why);
        return 2;
    }
    if (set_value(c, k, eq + 1, why, sizeof why) != 0) {
        snprintf(err, err_len, "--set %s: [%s] %s: %s", echo, k->section, k->key, why);
        return 2;
    }
    return 0;
}

int cfg_apply_set(cfg *c, const char *assignment, char *err, size_t err_len)
{
    int rc = apply_set(c, assignment, err, err_len);
    if (rc != 0)
        text_escape(err, err_len);
    return rc;
}

static int finish(cfg *c, char *err, size_t err_len)
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

int cfg_finish(cfg *c, char *err, size_t err_len)
{
    int rc = finish(c, err, err_len);
    if (rc != 0)
        text_escape(err, err_len);      /* the source is a path */
    return rc;
}
