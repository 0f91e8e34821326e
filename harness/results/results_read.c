/* results_read.c: loads and validates a results.json written by `attnbench run`, so that the
 * commands that read results (compare, plots, gbench) see the same checked cases. */
#include "results_read.h"

#include "result_fields.h"
#include "text.h"

#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An integer field within [min, INT_MAX]: a shape is at least 1, and nothing may wrap. */
static int int_field(json_t *o, const char *name, int min, int *out)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > INT_MAX)
        return -1;
    *out = (int)json_integer_value(v);
    return 0;
}

static const char *string_field(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

void results_variant_words(const results_variant *v, int head_dim, char *out, size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    if (v->head_dim_v != head_dim && n < len)
        n += (size_t)snprintf(out + n, len - n, " dv%d", v->head_dim_v);
    if (v->ragged && n < len)
        n += (size_t)snprintf(out + n, len - n, " ragged");
    if (v->softcap != 0 && n < len)
        n += (size_t)snprintf(out + n, len - n, " cap%.9g", v->softcap);
    if (v->alibi && n < len)
        snprintf(out + n, len - n, " alibi");
    if (out[0] == ' ')
        memmove(out, out + 1, strlen(out));
}

int results_format_key(char *out, size_t len, const char *impl, int batch, int heads,
                       int kv_heads, int seq_q, int seq_kv, int head_dim, int causal,
                       const char *dist, const char *dtype, const results_variant *var,
                       int threads, const char *cache)
{
    char win[48] = "", words[64];
    if (var->window_left >= 0 || var->window_right > 0)
        snprintf(win, sizeof win, " win%d:%d", var->window_left, var->window_right);
    results_variant_words(var, head_dim, words, sizeof words);
    int n = snprintf(out, len, "%s b%d h%d/%d q%d kv%d d%d %s%s%s%s%s %s %s t%d %s", impl,
                     batch, heads, kv_heads, seq_q, seq_kv, head_dim, causal ? "causal" : "full",
                     win, var->top_left ? " top_left" : "", words[0] ? " " : "", words, dist,
                     dtype, threads, cache);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The ABI 2 fields of case object o but dtype; results from before them had the causal mask
 * alone, and none of the variants. NULL, or the name of the field that is mistyped. */
static const char *read_variant(json_t *o, int causal, int head_dim, results_variant *m)
{
    const char *align = string_field(o, "align"), *kv_len = string_field(o, "kv_len");
    m->top_left = align != NULL && strcmp(align, "top_left") == 0;
    m->window_left = -1;
    m->window_right = causal ? 0 : -1;
    m->head_dim_v = head_dim;
    m->ragged = kv_len != NULL && strcmp(kv_len, "ragged") == 0;
    m->softcap = 0;
    m->alibi = json_is_true(json_object_get(o, "alibi"));
    if (json_object_get(o, "window_left") != NULL &&
        int_field(o, "window_left", -1, &m->window_left) != 0)
        return "window_left";
    if (json_object_get(o, "window_right") != NULL &&
        int_field(o, "window_right", -1, &m->window_right) != 0)
        return "window_right";
    if (json_object_get(o, "head_dim_v") != NULL &&
        int_field(o, "head_dim_v", 1, &m->head_dim_v) != 0)
        return "head_dim_v";
    json_t *cap = json_object_get(o, "softcap");
    if (cap != NULL && (!json_is_number(cap) || json_number_value(cap) < 0))
        return "softcap";
    m->softcap = cap != NULL ? json_number_value(cap) : 0;
    return NULL;
}

/* Numbers of array a into *store (advanced past them); -1 when one is not a number. */
static int take_numbers(json_t *a, double **store)
{
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *x = json_array_get(a, i);
        if (!json_is_number(x))
            return -1;
        (*store)[i] = json_number_value(x);
    }
    *store += json_array_size(a);
    return 0;
}

/* Fills c from case object o; NULL, or the name of the field that is missing or mistyped.
 * pooled: the document is merge --pool's from before process_medians_s, whose times_s are
 * already one median per process. */
static const char *read_case(json_t *o, results_case *c, double **times, int pooled)
{
    static const char *const ints[] = {"batch", "heads", "kv_heads", "seq_q", "seq_kv",
                                       "head_dim", "threads", "reps"};
    int *dst[] = {&c->batch, &c->heads, &c->kv_heads, &c->seq_q, &c->seq_kv,
                  &c->head_dim, &c->threads, &c->reps};
    if (!json_is_object(o))
        return "(the case itself: not an object)";
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (int_field(o, ints[i], dst[i] == &c->reps ? 0 : 1, dst[i]) != 0)
            return ints[i];
    json_t *causal = json_object_get(o, "causal");
    if (!json_is_boolean(causal))
        return "causal";
    c->causal = json_is_true(causal);
    if ((c->impl = string_field(o, "impl")) == NULL)
        return "impl";
    if ((c->dist = string_field(o, "dist")) == NULL)
        return "dist";
    if ((c->status = string_field(o, "status")) == NULL)
        return "status";
    if ((c->reason = string_field(o, "reason")) == NULL)
        return "reason";
    /* Results from before cache modes existed ran warm; from before dtypes, in float32. */
    c->cache = string_field(o, "cache");
    if (c->cache == NULL)
        c->cache = "warm";
    c->dtype = string_field(o, "dtype");
    if (c->dtype == NULL)
        c->dtype = "f32";
    const char *bad = read_variant(o, c->causal, c->head_dim, &c->var);
    if (bad != NULL)
        return bad;
    results_variant_words(&c->var, c->head_dim, c->var_words, sizeof c->var_words);
    json_t *t = json_object_get(o, "times_s");
    c->times = c->reps > 0 ? *times : NULL;
    if (!json_is_array(t) || c->reps < 0 || json_array_size(t) != (size_t)c->reps ||
        take_numbers(t, times) != 0)
        return "times_s";
    json_t *m = json_object_get(o, "process_medians_s");
    if (m != NULL) {
        c->samples = json_array_size(m) > 0 ? *times : NULL;
        c->n_samples = (int)json_array_size(m);
        if (!json_is_array(m) || take_numbers(m, times) != 0)
            return "process_medians_s";
    } else if (pooled) {
        c->samples = c->times;
        c->n_samples = c->reps;
    } else {
        /* A run from before rounds: one process, whose median is its one sample. */
        c->n_samples = c->reps > 0;
        c->samples = NULL;
    }
    c->obj = o;
    if (results_format_key(c->key, sizeof c->key, c->impl, c->batch, c->heads, c->kv_heads,
                           c->seq_q, c->seq_kv, c->head_dim, c->causal, c->dist, c->dtype,
                           &c->var, c->threads, c->cache) != 0)
        return "impl (too long a name for a case key)";
    return NULL;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const results_case *)a)->key, ((const results_case *)b)->key);
}

static int fail(results_file *r, char *err, size_t len, const char *fmt, const char *what)
{
    snprintf(err, len, fmt, r->path, what);
    /* The message quotes the document (jansson shows the text near a syntax error, a case key
     * holds its strings): printed as one safe line. */
    text_escape(err, len);
    results_free(r);
    return -1;
}

int results_parse(const char *name, const char *text, size_t len, results_file *r, char *err,
                  size_t err_len)
{
    json_error_t je;
    char what[512];

    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", name);
    r->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (r->doc == NULL) {
        snprintf(what, sizeof what, "line %d column %d: %s", je.line, je.column, je.text);
        return fail(r, err, err_len, "%s: not a complete JSON document: %s", what);
    }
    const char *format = string_field(r->doc, "format");
    if (!json_is_object(r->doc) || format == NULL || strcmp(format, RESULTS_FORMAT) != 0)
        return fail(r, err, err_len, "%s: not attnbench results (no \"format\": \"%s\")",
                    RESULTS_FORMAT);
    json_t *ver = json_object_get(r->doc, "format_version");
    if (!json_is_integer(ver) || json_integer_value(ver) != RESULTS_FORMAT_VERSION) {
        snprintf(what, sizeof what, "format_version %lld; this attnbench reads version %d",
                 json_is_integer(ver) ? (long long)json_integer_value(ver) : -1LL,
                 RESULTS_FORMAT_VERSION);
        return fail(r, err, err_len, "%s: %s", json_is_integer(ver) ? what
                    : "no integer \"format_version\"");
    }
    r->run = json_object_get(r->doc, "run");
    json_t *cases = json_object_get(r->doc, "cases");
    if (!json_is_object(r->run))
        return fail(r, err, err_len, "%s: %s", "no \"run\" object");
    if (!json_is_array(cases))
        return fail(r, err, err_len, "%s: %s", "no \"cases\" array");

    size_t n = json_array_size(cases), n_times = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(cases, i);
        n_times += json_array_size(json_object_get(c, "times_s")) +
                   json_array_size(json_object_get(c, "process_medians_s"));
    }
    int pooled = json_is_true(json_object_get(r->run, "pooled"));
    r->cases = calloc(n ? n : 1, sizeof *r->cases);
    r->time_store = malloc(sizeof(double) * (n_times ? n_times : 1));
    if (r->cases == NULL || r->time_store == NULL)
        return fail(r, err, err_len, "%s: %s", "out of memory");
    double *next = r->time_store;
    for (size_t i = 0; i < n; i++) {
        const char *bad = read_case(json_array_get(cases, i), &r->cases[i], &next, pooled);
        if (bad != NULL) {
            snprintf(what, sizeof what,
                     "case %zu: field \"%s\" is missing, has the wrong type or is out of range",
                     i + 1, bad);
            return fail(r, err, err_len, "%s: %s", what);
        }
    }
    r->n = (int)n;
    qsort(r->cases, n, sizeof *r->cases, cmp_key);
    for (int i = 1; i < r->n; i++)
        if (strcmp(r->cases[i - 1].key, r->cases[i].key) == 0) {
            snprintf(what, sizeof what, "case \"%s\" appears twice", r->cases[i].key);
            return fail(r, err, err_len, "%s: %s", what);
        }
    return 0;
}

/* Reads size bytes of a regular file. Caller frees; *len gets what was read. NULL with errno
 * set on failure. */
static char *read_file(const char *path, size_t size, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(size ? size : 1);
    if (buf == NULL) {
        fclose(f);
        errno = ENOMEM;
        return NULL;
    }
    *len = fread(buf, 1, size, f);
    if (ferror(f)) {
        fclose(f);
        free(buf);
        errno = EIO;
        return NULL;
    }
    fclose(f);
    return buf;
}

int results_load(const char *path, results_file *r, char *err, size_t err_len)
{
    struct stat st;
    char file[sizeof r->path], what[512];
    size_t len;

    memset(r, 0, sizeof *r);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(file, sizeof file, "%s/results.json", path);
    else
        snprintf(file, sizeof file, "%s", path);
    snprintf(r->path, sizeof r->path, "%s", file);
    if (stat(file, &st) != 0)
        return fail(r, err, err_len, "%s: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fail(r, err, err_len, "%s: %s", "not a regular file");
    char *text = read_file(file, (size_t)st.st_size, &len);
    if (text == NULL) {
        /* Worded as json_load_file worded it when it opened the file itself, and cut where
         * jansson cuts its text (the last byte of json_error_t.text holds the error code). */
        char jtext[JSON_ERROR_TEXT_LENGTH - 1];
        if (snprintf(jtext, sizeof jtext, "unable to open %s: %s", file, strerror(errno)) < 0)
            jtext[0] = '\0';
        snprintf(what, sizeof what, "line -1 column -1: %s", jtext);
        return fail(r, err, err_len, "%s: not a complete JSON document: %s", what);
    }
    int rc = results_parse(file, text, len, r, err, err_len);
    free(text);
    return rc;
}

void results_free(results_file *r)
{
    json_decref(r->doc);
    free(r->cases);
    free(r->time_store);
    r->doc = NULL;
    r->cases = NULL;
    r->time_store = NULL;
    r->n = 0;
}

double results_number(const results_case *c, const char *field)
{
    json_t *v = json_object_get(c->obj, field);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* "ctr_papi_l1_dcm" and "PAPI_L1_DCM" name the same event: compare with the column rule. */
static int same_counter(const char *event, const char *name)
{
    if (strncmp(name, "ctr_", 4) == 0 && strncasecmp(event, "ctr_", 4) != 0)
        name += 4;
    for (; *event && *name; event++, name++) {
        int a = isalnum((unsigned char)*event) ? tolower((unsigned char)*event) : '_';
        int b = isalnum((unsigned char)*name) ? tolower((unsigned char)*name) : '_';
        if (a != b)
            return 0;
    }
    return *event == *name;
}

double results_counter(const results_case *c, const char *name, const char **event)
{
    json_t *values = json_object_get(json_object_get(c->obj, "counters"), "values");
    const char *k;
    json_t *v;
    *event = NULL;
    json_object_foreach(values, k, v) {
        if (same_counter(k, name)) {
            *event = k;
            return json_is_number(v) ? json_number_value(v) : NAN;
        }
    }
    return NAN;
}

int results_unfinished(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/results.json", dir);
    if (access(path, F_OK) == 0)
        return 0;
    snprintf(path, sizeof path, "%s/%s", dir, RESULTS_JOURNAL_NAME);
    return access(path, F_OK) == 0;
}
