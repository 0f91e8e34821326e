/* html_report.h: DIR/index.html, one self-contained page for a results directory: the run's
 * metadata, every figure of DIR/plots, and the results as a table sortable by any column. */
#ifndef HTML_REPORT_H
#define HTML_REPORT_H

#include "plot_write.h"
#include "results_read.h"

#include <stdio.h>

typedef struct html_figures {
    const plot_fig *figs;        /* the figures drawn, in plot_kinds order */
    int n;
    const char *const *skipped;  /* for each kind (plot_n_kinds), why it was not drawn, or NULL */
} html_figures;

/* Writes dir/index.html (through a temporary file, renamed). 0, or -1 with a line in err. */
int html_report_write(const char *dir, const results_file *r, const html_figures *figs,
                      char *err, size_t len);

#endif
