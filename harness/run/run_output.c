/* run_output.c: a run's results directory (run_output.h). */
#include "run_output.h"

#include "host.h"
#include "out_csv.h"
#include "out_gbench.h"
#include "out_json.h"
#include "results_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* results/<config name>-<local time>, and results/latest pointing at it. */
static void default_out_dir(const cfg *c, char *out, size_t len)
{
    char stamp[32], name[512];
    time_t t = time(NULL);
    struct tm tm;
    const char *base = strrchr(c->source, '/');
    base = base ? base + 1 : c->source;
    snprintf(name, sizeof name, "%s", strcmp(c->source, "(defaults)") ? base : "run");
    char *dot = strrchr(name, '.');
    if (dot != NULL && dot != name)
        *dot = '\0';
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&t, &tm));
    snprintf(out, len, "results/%s-%s", name, stamp);
}

static void point_latest(const char *out_dir)
{
    const char *rel = out_dir + strlen("results/");
    unlink("results/latest.tmp");
    if (symlink(rel, "results/latest.tmp") == 0)
        rename("results/latest.tmp", "results/latest");
}

/* Writes results.csv afresh from the recorded rows, in sweep order (temp + rename), and
 * returns it open for appending; NULL on failure (errno set). */
static FILE *rewrite_csv(const char *out_dir, const ctr_plan *plan, const run_record *rec)
{
    char path[4200], tmp[4220];
    snprintf(path, sizeof path, "%s/results.csv", out_dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = out_csv_open(tmp, plan);
    if (f == NULL)
        return NULL;
    for (int i = 0; i < rec->n_cases; i++)
        if (rec->rows[i] != NULL && fprintf(f, "%s\n", rec->rows[i]) < 0)
            break;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        fclose(f);
        unlink(tmp);
        errno = e;
        return NULL;
    }
    return f;
}

/* run --resume: takes the journal's cases into rec, each under the sweep case of its key. 0, or
 * 2 with the message printed (a recorded case the sweep does not have means the sweep changed). */
static int take_journal(const journal *j, const sweep *s, const char *out_dir, run_record *rec,
                        report *rep)
{
    char key[RESULTS_KEY_LEN];
    for (int e = 0; e < j->n; e++) {
        int ci = 0;
        for (; ci < s->n_cases; ci++) {
            case_key(&s->problems[s->cases[ci].problem], &s->cases[ci], key, sizeof key);
            if (strcmp(key, j->e[e].key) == 0)
                break;
        }
        if (ci == s->n_cases) {
            fprintf(stderr, "attnbench run: --resume %s: %s/%s records case \"%s\", which the "
                    "sweep does not have (a config or plugin changed?)\n", out_dir, out_dir,
                    JOURNAL_NAME, j->e[e].key);
            return 2;
        }
        if (j->e[e].csv_row == NULL) {   /* a round of a case still unfinished */
            if (rounds_add_json(&rec->acc[ci], j->e[e].obj) != 0) {
                fprintf(stderr, "attnbench run: --resume %s: %s/%s: round %d of case \"%s\" "
                        "is not a case record\n", out_dir, out_dir, JOURNAL_NAME,
                        j->e[e].round, j->e[e].key);
                return 2;
            }
            report_resumed_round(rep, sweep_flops(&s->problems[s->cases[ci].problem].p));
            continue;
        }
        if (rec->rows[ci] != NULL) {   /* recorded twice: the later record stands */
            free(rec->rows[ci]);
            json_decref(rec->objs[ci]);
            rec->n_resumed--;
        }
        rec->rows[ci] = strdup(j->e[e].csv_row);
        rec->objs[ci] = json_incref(j->e[e].obj);
        rec->n_resumed++;
        rounds_free(&rec->acc[ci]);
    }
    if (j->calib != NULL)
        json_array_extend(rec->calib, j->calib);
    for (int ci = 0; ci < s->n_cases; ci++)
        if (rec->objs[ci] != NULL)
            report_resumed(rep, sweep_flops(&s->problems[s->cases[ci].problem].p),
                           status_from_name(json_string_value(
                               json_object_get(rec->objs[ci], "status"))));
    return 0;
}

/* Both files open, or the error said and whichever opened closed. 0, or 2. */
static int open_or_say(run_files *f)
{
    if (f->csv != NULL && f->journal != NULL)
        return 0;
    fprintf(stderr, "attnbench run: cannot write in %s: %s\n", f->dir, strerror(errno));
    if (f->csv != NULL)
        fclose(f->csv);
    if (f->journal != NULL)
        fclose(f->journal);
    f->csv = f->journal = NULL;
    return 2;
}

int run_output_create(const cfg *c, const char *out, const char *config_path,
                      const ctr_plan *plan, int argc, char **argv, run_files *f)
{
    char path[4200];
    f->csv = f->journal = NULL;
    if (out != NULL)
        snprintf(f->dir, sizeof f->dir, "%s", out);
    else
        default_out_dir(c, f->dir, sizeof f->dir);
    snprintf(path, sizeof path, "%s/results.csv", f->dir);
    if (access(path, F_OK) == 0) {
        fprintf(stderr, "attnbench run: %s already holds results; choose another --out, or "
                "continue it with --resume %s\n", f->dir, f->dir);
        return 2;
    }
    if (host_make_dirs(f->dir) == 0 && (f->csv = out_csv_open(path, plan)) != NULL)
        f->journal = journal_create(f->dir, argc, argv, config_path);
    if (out == NULL && f->csv != NULL)
        point_latest(f->dir);
    return open_or_say(f);
}

int run_output_resume(const journal *j, const sweep *s, const char *dir, const ctr_plan *plan,
                      run_record *rec, report *rep, run_files *f)
{
    char path[4200];
    f->csv = f->journal = NULL;
    snprintf(f->dir, sizeof f->dir, "%s", dir);
    if (take_journal(j, s, dir, rec, rep) != 0)
        return 2;
    /* Only complete records go on: the torn line, and a row whose record is missing, go. */
    snprintf(path, sizeof path, "%s/%s", dir, JOURNAL_NAME);
    if (truncate(path, j->good_bytes) == 0)
        f->journal = fopen(path, "ae");
    if (f->journal != NULL)
        f->csv = rewrite_csv(dir, plan, rec);
    if (open_or_say(f) != 0)
        return 2;
    int rounds_in = 0;
    for (int ci = 0; ci < s->n_cases; ci++)
        rounds_in += rec->acc[ci].done;
    if (rounds_in > 0)
        printf("resuming %s: %d round%s of unfinished cases recorded\n", dir, rounds_in,
               rounds_in == 1 ? "" : "s");
    printf("resuming %s: %d of %d cases recorded%s\n", dir, rec->n_resumed, s->n_cases,
           j->dropped_partial ? " (a torn last record left out: that case runs again)" : "");
    return 0;
}

int run_output_finish(run_files *f, int swept_to_end, int reorder, const ctr_plan *plan,
                      const run_record *rec, json_t *meta, int *recorded)
{
    char path[4200];
    fclose(f->journal);
    if (reorder && swept_to_end) {
        /* Every case is in: results.csv in sweep order, as an uninterrupted run leaves it. */
        FILE *sorted = rewrite_csv(f->dir, plan, rec);
        if (sorted != NULL)
            fclose(sorted);
    }
    fclose(f->csv);
    f->csv = f->journal = NULL;

    json_t *cases = json_array();
    *recorded = 0;
    for (int ci = 0; ci < rec->n_cases; ci++)
        if (rec->objs[ci] != NULL) {
            json_array_append(cases, rec->objs[ci]);
            (*recorded)++;
        }
    snprintf(path, sizeof path, "%s/results.json", f->dir);
    int rc = out_json_write(path, meta, cases);
    json_decref(cases);
    if (rc != 0)
        fprintf(stderr, "attnbench run: cannot write %s: %s\n", path, strerror(errno));
    return rc;
}

int run_output_gbench(const run_files *f, const char *extra)
{
    results_file r;
    char err[4600], path[4200];
    snprintf(path, sizeof path, "%s/results.json", f->dir);
    if (results_load(path, &r, err, sizeof err) != 0) {
        fprintf(stderr, "attnbench run: reading back %s\n", err);
        return -1;
    }
    snprintf(path, sizeof path, "%s/gbench.json", f->dir);
    int rc = out_gbench_write(&r, path, 0);
    if (rc == 0 && extra != NULL && (rc = out_gbench_write(&r, extra, 0)) != 0)
        snprintf(path, sizeof path, "%s", extra);
    if (rc != 0)
        fprintf(stderr, "attnbench run: cannot write %s: %s\n", path, strerror(errno));
    results_free(&r);
    return rc;
}

