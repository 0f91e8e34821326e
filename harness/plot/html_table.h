/* html_table.h: the piece of index.html below the page (html_report.c): the sortable results
 * table, and the HTML escaping both use. */
#ifndef HTML_TABLE_H
#define HTML_TABLE_H

#include "results_read.h"

#include <stdio.h>

/* s with &, <, >, " and ' as entities. */
void html_text(FILE *f, const char *s);

/* The results table: a row per case, in run order. */
void html_results_table(FILE *f, const results_file *r);

#endif
