/* config_value.c: one key's value parsed by the key's type (config_keys.h): integers, reals
 * and words, alone or in lists, each checked against the key's range or words, with a reason
 * that quotes the entry at fault. */
#include "config_keys.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Input quoted in a message is cut to this many bytes, so that a long value cannot push the
 * reason that follows it past the end of the message. */

/* s, or its first CFG_QUOTE_MAX bytes and "..." in buf (CFG_QUOTE_MAX + 4 bytes). */
const char *cfg_clip(const char *s, char *buf)
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
    snprintf(err, err_len, "'%s' %s", cfg_clip(item, shown), reason);
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
static int parse_entry(const cfg_key *k, const char *item, long *num, double *real, char *name,
                       char *err, size_t err_len)
{
    switch (k->type) {
    case T_INT_LIST:
        return parse_int(k, item, num, err, err_len);
    case T_REAL_LIST: {
        int rc = parse_real(item, real);
        if (rc < 0)
            return refuse(err, err_len, item, "is not a number");
        if (rc > 0 || *real < k->min || *real > k->max)
            return refuse(err, err_len, item, "is out of range [%g, %g]", k->min, k->max);
        return 0;
    }
    case T_BOOL_LIST:
        if (strcmp(item, "true") == 0 || strcmp(item, "1") == 0)
            *num = 1;
        else if (strcmp(item, "false") == 0 || strcmp(item, "0") == 0)
            *num = 0;
        else
            return refuse(err, err_len, item, "is not true or false");
        return 0;
    case T_DIST_LIST:
        for (int d = 0; d < DIST_COUNT; d++)
            if (strcmp(item, cfg_dist_name(d)) == 0) {
                *num = d;
                return 0;
            }
        {
            char known[128] = "is not a distribution (";
            for (int d = 0; d < DIST_COUNT; d++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                         cfg_dist_name(d), d + 1 < DIST_COUNT ? ", " : ")");
            return refuse(err, err_len, item, "%s", known);
        }
    case T_CHOICE_LIST: {
        char known[128] = "";
        for (long i = 0; k->choices[i] != NULL; i++) {
            if (strcmp(item, k->choices[i]) == 0) {
                *num = i;
                return 0;
            }
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                     k->choices[i]);
        }
        return refuse(err, err_len, item, "is not one of %s", known);
    }
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
static int parse_entries(const cfg_key *k, char *buf, long *nums, double *reals,
                         char (*names)[CFG_NAME_LEN], char *err, size_t err_len)
{
    int n = 0;

    if (*cfg_trim(buf) == '\0') {
        snprintf(err, err_len, "empty list");
        return -1;
    }
    for (char *item = buf, *next; item != NULL; item = next) {
        next = strchr(item, ',');
        if (next != NULL)
            *next++ = '\0';
        char *t = cfg_trim(item);
        if (*t == '\0') {
            snprintf(err, err_len, "empty entry in the list");
            return -1;
        }
        if (n == CFG_MAX_LIST) {
            snprintf(err, err_len, "more than %d entries", CFG_MAX_LIST);
            return -1;
        }
        if (parse_entry(k, t, &nums[n], &reals[n], names[n], err, err_len) != 0)
            return -1;
        for (int i = 0; i < n; i++) {
            int same = (k->type == T_NAME_LIST || k->type == T_EVENT_LIST)
                           ? strcmp(names[i], names[n]) == 0
                       : k->type == T_REAL_LIST ? reals[i] == reals[n] : nums[i] == nums[n];
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
    double reals[CFG_MAX_LIST];
    char names[CFG_MAX_LIST][CFG_NAME_LEN];
    /* A copy to split, as long as the value: remember_value is the one length limit. */
    char *buf = strdup(value);
    if (buf == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    int n = parse_entries(k, buf, nums, reals, names, err, err_len);
    free(buf);
    if (n < 0)
        return -1;
    if (k->type == T_NAME_LIST || k->type == T_EVENT_LIST) {
        cfg_names *out = field;
        out->n = n;
        memcpy(out->v, names, sizeof names[0] * (size_t)n);
    } else if (k->type == T_REAL_LIST) {
        cfg_reals *out = field;
        out->n = n;
        memcpy(out->v, reals, sizeof reals[0] * (size_t)n);
    } else {
        cfg_list *out = field;
        out->n = n;
        memcpy(out->v, nums, sizeof nums[0] * (size_t)n);
    }
    return 0;
}

int cfg_parse_value(cfg *c, const cfg_key *k, const char *value, char *err, size_t err_len)
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

