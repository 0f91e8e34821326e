/* plot_gnuplot.h: runs gnuplot on one script and holds it to silence: anything it prints (a
 * warning included) fails the figure, so a half-drawn plot never passes for a good one. */
#ifndef PLOT_GNUPLOT_H
#define PLOT_GNUPLOT_H

#include <stddef.h>

/* Runs `gnuplot -d -e "params='PARAMS'" SCRIPT` in directory cwd (params relative to it, and
 * only letters, digits, '-', '_', '.' and '/'). 0 when gnuplot exits 0 having printed nothing;
 * otherwise -1 and msg holds its output on one line, or why it did not run. */
int gp_run(const char *cwd, const char *script, const char *params, char *msg, size_t len);

/* The scripts directory, made absolute into out (PATH_MAX bytes): `given` when not NULL, else
 * ./scripts, else scripts/ beside the executable's directory (build/attnbench -> scripts/);
 * the first for which complete(dir) is nonzero. 0, or -1 when none is. */
int gp_find_scripts(const char *given, int (*complete)(const char *dir), char *out);

#endif
