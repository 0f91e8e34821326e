/* run_journal.h: DIR/cases.jsonl, the record `run --resume` continues from. Its first line is
 * the run's command (arguments, working directory, a hash of the config file); each further
 * line one finished case: its key, its CSV row and its results.json object, appended and
 * synced as the case ends, so a kill -9 loses at most the case that was running. A run in
 * rounds also records each round of a case before its last, and each round's calibration. */
#ifndef RUN_JOURNAL_H
#define RUN_JOURNAL_H

#include "results_read.h"
#include "sweep.h"

#include <jansson.h>
#include <stdio.h>

#define JOURNAL_NAME RESULTS_JOURNAL_NAME

/* The case's key, as results_format_key makes it (the key results_read.h gives the same case
 * read back from a results.json). */
void case_key(const sweep_problem *sp, const sweep_case *sc, char *out, size_t len);

/* Creates DIR/cases.jsonl with the command's line. NULL on failure (errno set). */
FILE *journal_create(const char *dir, int argc, char **argv, const char *config_path);

/* Appends one finished case and syncs it. 0, or -1 (errno set). */
int journal_append(FILE *f, const char *key, const char *csv_row, json_t *case_obj);

/* With [measure] rounds > 1: appends one round of a case that has rounds still to run (its
 * process's own results.json object), or a round's calibration (calib.h). 0, or -1. */
int journal_append_round(FILE *f, const char *key, int round, json_t *case_obj);
int journal_append_calib(FILE *f, json_t *calib_obj);

typedef struct journal_entry {
    char key[RESULTS_KEY_LEN];
    char *csv_row;                /* without its newline; NULL for a round of an unfinished case */
    int round;                    /* that round; 0 for a finished case */
    json_t *obj;                  /* the case's (or the round's) results.json object */
} journal_entry;

typedef struct journal {
    int argc;
    char **argv;                  /* the run's arguments after `run`, NULL-terminated */
    char cwd[4096];
    char config_hash[24];         /* "" when the run had no config file */
    journal_entry *e;
    int n;
    json_t *calib;                /* the rounds' calibrations, in order */
    long good_bytes;              /* the file up to its last complete line */
    int dropped_partial;          /* 1: a torn last line (a power cut mid-write) was left out */
} journal;

/* Reads DIR/cases.jsonl. 0, or 2 with one line in err naming the file and the line. */
int journal_load(const char *dir, journal *j, char *err, size_t err_len);
void journal_free(journal *j);

/* The hash journal_create records for a config file, or "" when it cannot be read. */
void journal_config_hash(const char *path, char *out, size_t len);

#endif
