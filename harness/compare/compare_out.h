/* compare_out.h: compare's reports as text (terminal), markdown (a CI job's pull-request
 * comment), JSON (for tools) and TSV (for the ratio chart). */
#ifndef COMPARE_OUT_H
#define COMPARE_OUT_H

#include "compare.h"

#include <stdio.h>

typedef enum { CMP_OUT_TEXT, CMP_OUT_MARKDOWN, CMP_OUT_JSON } cmp_format;

/* Writes one report per metric, then the overall verdict. */
void cmp_out_write(FILE *f, cmp_format fmt, const results_file *base, const results_file *cur,
                   const cmp_report *reps, int n_reps);

/* The chart's data: a header, then case, impl, ratio (nan where there is none, as for a broken
 * case), verdict, for every case. 0, or -1 with errno. */
int cmp_out_tsv(const char *path, const cmp_report *rep);

#endif
