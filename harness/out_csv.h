/* out_csv.h: results.csv, one row per case, each written and flushed when its case ends. */
#ifndef OUT_CSV_H
#define OUT_CSV_H

#include "runner.h"

#include <stdio.h>

/* Creates path and writes the header: DESIGN.md's columns, one ctr_ column per event of the
 * plan, then the memory and roofline columns. NULL on failure (errno set). */
FILE *out_csv_open(const char *path, const ctr_plan *plan);

/* One case's row, without its newline; malloc'd (NULL when out of memory). */
char *out_csv_format_row(const sweep_problem *sp, const attn_impl *impl, int threads,
                         const case_result *res, const ctr_plan *plan);

/* Appends a row and syncs it to disk, so a power cut keeps every finished row. 0, or -1. */
int out_csv_append(FILE *f, const char *row);

/* Formats and appends one case (flushed, not synced). */
void out_csv_row(FILE *f, const sweep_problem *sp, const attn_impl *impl, int threads,
                 const case_result *res, const ctr_plan *plan);

/* Writes s as one CSV field, quoted when it needs to be (RFC 4180). */
void out_csv_field(FILE *f, const char *s);

#endif
