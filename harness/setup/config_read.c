/* config_read.c: the config's inputs read into a cfg through config.c's table: a sweep file
 * (INI, through libinih; every line checked before libinih sees it: headers, continuation
 * lines, long lines, NUL bytes; each key set once; every error with its file and line), the
 * --set assignments, and the checks on the whole. */
#include "config.h"

#include "config_keys.h"
#include "text.h"

#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct load_ctx {
    cfg *c;
    char msg[CFG_ERR_LEN];       /* the first error, without file:line */
    unsigned char seen[CFG_MAX_KEYS];
    const char *at;              /* what libinih reads next (next_line) */
    int lineno;                  /* the line it read last: the key the handler is given */
    int line_done;               /* that read ended its line */
} load_ctx;

/* libinih's reader: the text a line at a time, like fgets, counting lines, so that the
 * handler knows each key's line (Debian's libinih is built without INI_HANDLER_LINENO). */
static char *next_line(char *str, int num, void *stream)
{
    load_ctx *ctx = stream;
    if (*ctx->at == '\0' || num < 2)
        return NULL;
    size_t n = strcspn(ctx->at, "\n");
    n += ctx->at[n] == '\n';
    if (n > (size_t)num - 1)
        n = (size_t)num - 1;
    memcpy(str, ctx->at, n);
    str[n] = '\0';
    ctx->lineno += ctx->line_done;
    ctx->line_done = str[n - 1] == '\n';
    ctx->at += n;
    return str;
}

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
    /* An unknown section never gets here: scan_lines stops libinih before its header. */
    const cfg_key *k = cfg_find_key(section, name);
    if (k == NULL) {
        cfg_unknown_key_msg(section, name, ctx->msg, sizeof ctx->msg);
        return 0;
    }
    size_t idx = (size_t)(k - cfg_keys);
    if (ctx->seen[idx]) {
        snprintf(ctx->msg, sizeof ctx->msg, "[%s] %s is set twice", section, name);
        return 0;
    }
    ctx->seen[idx] = 1;
    if (cfg_set_value(ctx->c, k, value, ctx->lineno, NULL, why, sizeof why) != 0) {
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
    *body = cfg_trim(start);
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

/* A header line (trimmed). 0 for a known section; -1, with the reason in msg, for any other. */
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
    if (cfg_known_section(name))
        return 0;
    cfg_unknown_section_msg(name, msg, len);
    return -1;
}

/* The first line that libinih would misread or pass over in silence, found before it parses:
 * a header with no ']' (libinih reports that line but reads on, so the reason given would be a
 * later key's), text after ']' (ignored), an unknown section (libinih names sections only
 * through their keys: the header's own line is where the typo is), a line that is neither (its
 * reason would be a later key's too). 0, or that line with the reason in msg. Lines are at
 * most CFG_MAX_LINE bytes (checked). */
static int scan_lines(const char *text, char *msg, size_t len)
{
    char line[CFG_MAX_LINE + 1], *body;
    int lineno = 1, after_key = 0;

    for (const char *s = text; *s != '\0'; lineno++) {
        size_t n = strcspn(s, "\n");
        snprintf(line, sizeof line, "%.*s", (int)n, s);
        s += n + (s[n] == '\n');
        line_kind kind = classify_line(line, lineno == 1, after_key, &body);
        if (kind == L_BLANK || kind == L_CONTINUATION)
            continue;
        if (kind == L_KEY) {
            after_key = *body != '=' && *body != ':';   /* libinih: an empty name continues nothing */
            continue;
        }
        if (kind == L_NOT_KEY) {
            snprintf(msg, len, "not a 'key = value' line or a [section]");
            return lineno;
        }
        after_key = 0;
        if (check_header(body, msg, len) != 0)
            return lineno;
    }
    return 0;
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
    ctx->at = text;
    ctx->lineno = 0;
    ctx->line_done = 1;
    int bad = ini_parse_stream(next_line, ctx, cfg_ini_entry, ctx);
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
    const char *echo = cfg_clip(assignment, shown);
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
    char *name = cfg_trim(key), *section = NULL, typed[sizeof key];
    snprintf(typed, sizeof typed, "%s", name);
    char *dot = strchr(name, '.');
    if (dot != NULL) {
        *dot = '\0';
        section = name;
        name = dot + 1;
        if (!cfg_known_section(section)) {
            cfg_unknown_section_msg(section, why, sizeof why);
            snprintf(err, err_len, "--set %s: %s", echo, why);
            return 2;
        }
    }
    const cfg_key *k = cfg_find_key(section, name);
    if (k == NULL) {
        cfg_unknown_key_msg(section, name, why, sizeof why);
        snprintf(err, err_len, "--set %s: %s", echo, why);
        return 2;
    }
    if (cfg_set_value(c, k, eq + 1, 0, typed, why, sizeof why) != 0) {
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
    char where[CFG_ERR_LEN / 2], where2[CFG_ERR_LEN / 2];
    if (c->seq_len.n == 0 && (c->seq_q.n == 0 || c->seq_kv.n == 0)) {
        snprintf(err, err_len, "%s: [sweep] needs seq_len, or both seq_q and seq_kv", c->source);
        return 2;
    }
    if (c->head_dim.n == 0) {
        snprintf(err, err_len, "%s: [sweep] needs head_dim", c->source);
        return 2;
    }
    int causal_true = 0;
    for (int i = 0; i < c->causal.n; i++)
        causal_true |= c->causal.v[i] != 0;
    if (c->window_right.n > 0 && causal_true) {
        cfg_where(c, "sweep", "causal", where, sizeof where);
        cfg_where(c, "sweep", "window_right", where2, sizeof where2);
        snprintf(err, err_len, "%s and %s: [sweep] causal = true is window_right = 0: give "
                 "window_right or causal = true, not both", where, where2);
        return 2;
    }
    if (c->min_reps > c->max_reps) {
        /* Where each was set; one of them may be a default. */
        const int min_set = cfg_where(c, "measure", "min_reps", where, sizeof where);
        const int max_set = cfg_where(c, "measure", "max_reps", where2, sizeof where2);
        snprintf(err, err_len, "%s%s%s: [measure] min_reps (%ld) is larger than max_reps (%ld)",
                 min_set ? where : "", min_set && max_set ? " and " : "",
                 max_set || !min_set ? where2 : "", c->min_reps, c->max_reps);
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
