/* run_journal.c: writing and reading DIR/cases.jsonl (see run_journal.h). */
#include "run_journal.h"

#include "dtype.h"
#include "gen.h"
#include "results_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JOURNAL_FORMAT "attnbench-journal"

void case_key(const sweep_problem *sp, const sweep_case *sc, char *out, size_t len)
{
    const attn_problem *p = &sp->p;
    const results_variant var = RESULTS_VARIANT_OF(p);
    results_format_key(out, len, sc->impl->name, p->batch, p->heads, p->kv_heads, p->seq_q,
                       p->seq_kv, p->head_dim, p->causal, cfg_dist_name(sp->dist),
                       dtype_name(p->dtype), &var, sc->threads, sc->cold ? "cold" : "warm");
}

void journal_config_hash(const char *path, char *out, size_t len)
{
    out[0] = '\0';
    FILE *f = path != NULL ? fopen(path, "rb") : NULL;
    if (f == NULL)
        return;
    /* Configs are at most 1 MiB (config.c refuses more). */
    char *text = malloc(1 << 20);
    size_t n = text != NULL ? fread(text, 1, 1 << 20, f) : 0;
    fclose(f);
    if (text != NULL)
        snprintf(out, len, "%016llx", (unsigned long long)gen_hash(text, n));
    free(text);
}

/* One compact JSON line and a sync. */
static int write_line(FILE *f, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    if (s == NULL) {
        errno = ENOMEM;
        return -1;
    }
    int rc = fprintf(f, "%s\n", s) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0 ? -1 : 0;
    free(s);
    return rc;
}

FILE *journal_create(const char *dir, int argc, char **argv, const char *config_path)
{
    char path[4200], cwd[4096], hash[24];
    snprintf(path, sizeof path, "%s/%s", dir, JOURNAL_NAME);
    if (getcwd(cwd, sizeof cwd) == NULL)
        return NULL;
    FILE *f = fopen(path, "we");
    if (f == NULL)
        return NULL;
    json_t *args = json_array();
    for (int i = 0; i < argc; i++)
        json_array_append_new(args, json_string(argv[i]));
    journal_config_hash(config_path, hash, sizeof hash);
    json_t *head = json_pack("{s:s, s:i, s:o, s:s, s:s}", "format", JOURNAL_FORMAT,
                             "format_version", 1, "argv", args, "cwd", cwd, "config_hash", hash);
    int rc = head != NULL ? write_line(f, head) : -1;
    json_decref(head);
    if (rc != 0) {
        fclose(f);
        return NULL;
    }
    return f;
}

int journal_append(FILE *f, const char *key, const char *csv_row, json_t *case_obj)
{
    json_t *line = json_pack("{s:s, s:s, s:O}", "key", key, "csv", csv_row, "case", case_obj);
    int rc = line != NULL ? write_line(f, line) : -1;
    json_decref(line);
    return rc;
}

int journal_append_round(FILE *f, const char *key, int round, json_t *case_obj)
{
    json_t *line = json_pack("{s:s, s:i, s:O}", "key", key, "round", round, "case", case_obj);
    int rc = line != NULL ? write_line(f, line) : -1;
    json_decref(line);
    return rc;
}

int journal_append_calib(FILE *f, json_t *calib_obj)
{
    json_t *line = json_pack("{s:O}", "calibration", calib_obj);
    int rc = line != NULL ? write_line(f, line) : -1;
    json_decref(line);
    return rc;
}

/* The first line: the command. NULL, or what is wrong with it. */
static const char *read_head(json_t *o, journal *j)
{
    const char *fmt = json_string_value(json_object_get(o, "format"));
    json_t *args = json_object_get(o, "argv");
    const char *cwd = json_string_value(json_object_get(o, "cwd"));
    const char *hash = json_string_value(json_object_get(o, "config_hash"));
    if (fmt == NULL || strcmp(fmt, JOURNAL_FORMAT) != 0)
        return "not an attnbench journal (no \"format\": \"" JOURNAL_FORMAT "\")";
    if (json_integer_value(json_object_get(o, "format_version")) != 1)
        return "format_version is not 1";
    if (!json_is_array(args) || cwd == NULL || hash == NULL)
        return "the command line lacks argv, cwd or config_hash";
    j->argc = (int)json_array_size(args);
    j->argv = calloc((size_t)j->argc + 1, sizeof *j->argv);
    if (j->argv == NULL)
        return "out of memory";
    for (int i = 0; i < j->argc; i++) {
        const char *a = json_string_value(json_array_get(args, (size_t)i));
        if (a == NULL || (j->argv[i] = strdup(a)) == NULL)
            return "an argument is not a string";
    }
    snprintf(j->cwd, sizeof j->cwd, "%s", cwd);
    snprintf(j->config_hash, sizeof j->config_hash, "%s", hash);
    return NULL;
}

/* A case line (a finished case, or a round of one), or a round's calibration. NULL, or what
 * is wrong with it. */
static const char *read_entry(json_t *o, journal *j)
{
    const char *key = json_string_value(json_object_get(o, "key"));
    const char *csv = json_string_value(json_object_get(o, "csv"));
    json_t *obj = json_object_get(o, "case"), *calib = json_object_get(o, "calibration");
    json_t *round = json_object_get(o, "round");
    if (json_is_object(calib)) {
        if (j->calib == NULL)
            j->calib = json_array();
        json_array_append(j->calib, calib);
        return NULL;
    }
    if (key == NULL || !json_is_object(obj) || (csv == NULL && !json_is_integer(round)))
        return "not a case record (key, csv or round, case)";
    journal_entry *e = realloc(j->e, sizeof *j->e * (size_t)(j->n + 1));
    if (e == NULL)
        return "out of memory";
    j->e = e;
    e = &j->e[j->n];
    snprintf(e->key, sizeof e->key, "%s", key);
    e->round = csv == NULL ? (int)json_integer_value(round) : 0;
    e->csv_row = NULL;
    if (csv != NULL && (e->csv_row = strdup(csv)) == NULL)
        return "out of memory";
    e->obj = json_incref(obj);
    j->n++;
    return NULL;
}

int journal_load(const char *dir, journal *j, char *err, size_t err_len)
{
    char path[4200];
    memset(j, 0, sizeof *j);
    snprintf(path, sizeof path, "%s/%s", dir, JOURNAL_NAME);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_len, "%s: %s (is %s a directory `attnbench run` wrote?)", path,
                 strerror(errno), dir);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long at = 0;
    int lineno = 0;
    const char *bad = NULL;
    while (bad == NULL && (got = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (line[got - 1] != '\n') {
            /* A torn last line: the write a power cut interrupted. Its case runs again. */
            j->dropped_partial = 1;
            break;
        }
        json_error_t jerr;
        json_t *o = json_loadb(line, (size_t)got, 0, &jerr);
        if (o == NULL)
            bad = "not JSON";
        else
            bad = lineno == 1 ? read_head(o, j) : read_entry(o, j);
        json_decref(o);
        at += (long)got;
    }
    free(line);
    fclose(f);
    if (bad == NULL && lineno == 0)
        bad = "empty";
    if (bad == NULL && j->argv == NULL)
        bad = "no command line (torn first line)";
    if (bad != NULL) {
        snprintf(err, err_len, "%s:%d: %s", path, lineno > 0 ? lineno : 1, bad);
        journal_free(j);
        return 2;
    }
    j->good_bytes = at;
    return 0;
}

void journal_free(journal *j)
{
    for (int i = 0; j->argv != NULL && i < j->argc; i++)
        free(j->argv[i]);
    free(j->argv);
    for (int i = 0; i < j->n; i++) {
        free(j->e[i].csv_row);
        json_decref(j->e[i].obj);
    }
    free(j->e);
    json_decref(j->calib);
    memset(j, 0, sizeof *j);
}
