/* report.h: what a run prints on the terminal: one line per finished case with the progress
 * (case k of n, elapsed, estimated time left), and the closing summary. */
#ifndef REPORT_H
#define REPORT_H

#include "runner.h"

typedef struct report {
    const sweep *s;
    int n_cases, done;
    int rounds;                       /* [measure] rounds: cases are printed in the last */
    double total_flops, done_flops;   /* the ETA weighs cases by sweep_weight */
    double start;
    int counts[ST_COUNT];
} report;

void report_begin(report *r, const sweep *s, int rounds);
/* The column titles of the case lines; starts the clock. */
void report_header(report *r);
void report_case(report *r, const sweep_problem *sp, const attn_impl *impl, int threads,
                 const case_result *res);
/* A round before the last of a case: counted toward the estimate, not printed. */
void report_round_case(report *r, double flops);
/* The end of such a round: one line, the time taken and the estimate. */
void report_round_end(report *r, int round, int rounds);
/* A case recorded by an earlier, interrupted run (run --resume): counted, not printed; and a
 * round of an unfinished one, which only shortens the estimate. */
void report_resumed_round(report *r, double flops);
void report_resumed(report *r, double flops, int status);
/* The closing summary; returns the number of failing cases. */
int report_end(const report *r, const char *out_dir);

#endif
