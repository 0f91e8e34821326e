/* rounds.h: a case run in several processes, one per round of the sweep ([measure] rounds),
 * combined into one record. Each process's median is one sample of the case's time (what
 * varies between runs is the process and the machine's state, not the repetitions inside one
 * process), and the case's median is the median of those samples. A failure in any round is
 * the case's status. */
#ifndef ROUNDS_H
#define ROUNDS_H

#include "runner.h"

#include <jansson.h>

typedef struct round_acc {
    int done;                     /* rounds recorded */
    int failed_round;             /* the first round that failed (status_is_failure); 0 none */
    int failed_status;
    char failed_reason[512];
    double *medians;              /* one per round with timed repetitions */
    int n_medians;
    double *times;                /* every timed repetition of every round, in order */
    int n_times;
    int noisy_rounds;
    char noisy_why[160];          /* the first noisy round's why */
    double wall_s;
} round_acc;

/* Adds one round's result (the live one) or its results.json object (a resumed run's). 0, or
 * -1 when out of memory or the object is not a case. */
int rounds_add(round_acc *a, const case_result *res);
int rounds_add_json(round_acc *a, json_t *case_obj);

/* Makes res (the last round's result) the case's combined record: the statuses, every round's
 * times and their medians, the median of the medians, the noise. -1 when out of memory. */
int rounds_finish(const round_acc *a, int rounds, case_result *res);

void rounds_free(round_acc *a);

#endif
