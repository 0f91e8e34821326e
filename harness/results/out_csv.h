/* out_csv.h: results.csv, one row per case, each written and flushed when its case ends. */
#ifndef OUT_CSV_H
#define OUT_CSV_H

#include "case_result.h"
#include "ctr_types.h"
#include "sweep.h"

#include <stdio.h>

/* Creates path and writes the header: result_fields.h's RF_CSV columns (the fixed ones of
 * docs/results.md, in order), one ctr_ column per event of the plan, then the RF_CSV_TAIL
 * columns. NULL on failure (errno set). */
FILE *out_csv_open(const char *path, const ctr_plan *plan);

/* One case's row, without its newline; malloc'd (NULL when out of memory). */
char *out_csv_format_row(const sweep_problem *sp, const attn_impl *impl, int threads,
                         const case_result *res, const ctr_plan *plan);

/* Appends a row and syncs it to disk, so a power cut keeps every finished row. 0, or -1. */
int out_csv_append(FILE *f, const char *row);

/* Formats and appends one case (flushed, not synced). */
void out_csv_row(FILE *f, const sweep_problem *sp, const attn_impl *impl, int threads,
                 const case_result *res, const ctr_plan *plan);

#endif
