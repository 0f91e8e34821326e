/* rounds.c: one case's rounds combined into its record (rounds.h). */
#include "rounds.h"

#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int append(double **v, int *n, const double *x, int k)
{
    if (k <= 0)
        return 0;
    double *grown = realloc(*v, sizeof **v * (size_t)(*n + k));
    if (grown == NULL)
        return -1;
    memcpy(grown + *n, x, sizeof *x * (size_t)k);
    *v = grown;
    *n += k;
    return 0;
}

/* What every round adds, however it arrived. */
static int add_round(round_acc *a, int status, const char *reason, const double *times,
                     int reps, int noisy, const char *noisy_why, double wall_s)
{
    a->done++;
    if (status_is_failure(status) && a->failed_round == 0) {
        a->failed_round = a->done;
        a->failed_status = status;
        snprintf(a->failed_reason, sizeof a->failed_reason, "%s", reason);
    }
    if (reps > 0) {
        stats_summary s;
        stats_summarise(times, reps, &s);
        if (append(&a->medians, &a->n_medians, &s.median, 1) != 0 ||
            append(&a->times, &a->n_times, times, reps) != 0)
            return -1;
    }
    if (noisy && a->noisy_rounds++ == 0)
        snprintf(a->noisy_why, sizeof a->noisy_why, "%s", noisy_why);
    a->wall_s += wall_s;
    return 0;
}

int rounds_add(round_acc *a, const case_result *res)
{
    return add_round(a, res->status, res->reason, res->times, res->times ? res->reps : 0,
                     res->noisy.noisy, res->noisy.why, res->wall_s);
}

int rounds_add_json(round_acc *a, json_t *o)
{
    const char *status = json_string_value(json_object_get(o, "status"));
    const char *reason = json_string_value(json_object_get(o, "reason"));
    json_t *times = json_object_get(o, "times_s");
    const char *why = json_string_value(json_object_get(json_object_get(o, "noise"), "why"));
    if (status == NULL || reason == NULL || !json_is_array(times))
        return -1;
    int n = (int)json_array_size(times);
    double *t = malloc(sizeof *t * (size_t)(n > 0 ? n : 1));
    if (t == NULL)
        return -1;
    for (int i = 0; i < n; i++)
        t[i] = json_number_value(json_array_get(times, (size_t)i));
    int rc = add_round(a, status_from_name(status), reason, t, n,
                       json_is_true(json_object_get(o, "noisy")), why != NULL ? why : "",
                       json_number_value(json_object_get(o, "wall_s")));
    free(t);
    return rc;
}

int rounds_finish(const round_acc *a, int rounds, case_result *res)
{
    res->rounds = rounds;
    if (a->failed_round > 0) {
        res->status = a->failed_status;
        if (rounds > 1)
            snprintf(res->reason, sizeof res->reason, "round %d of %d: %.470s", a->failed_round,
                     rounds, a->failed_reason);
        else
            snprintf(res->reason, sizeof res->reason, "%s", a->failed_reason);
    }
    if (a->noisy_rounds > 0 && rounds > 1) {
        res->noisy.noisy = 1;
        snprintf(res->noisy.why, sizeof res->noisy.why, "%d of %d rounds; first: %.110s",
                 a->noisy_rounds, rounds, a->noisy_why);
    }
    res->wall_s = a->wall_s;
    free(res->times);
    res->times = NULL;
    res->reps = 0;
    res->process_medians = NULL;
    res->n_process_medians = 0;
    if (a->n_medians == 0)
        return 0;
    res->times = malloc(sizeof(double) * (size_t)a->n_times);
    res->process_medians = malloc(sizeof(double) * (size_t)a->n_medians);
    if (res->times == NULL || res->process_medians == NULL)
        return -1;
    memcpy(res->times, a->times, sizeof(double) * (size_t)a->n_times);
    memcpy(res->process_medians, a->medians, sizeof(double) * (size_t)a->n_medians);
    res->reps = a->n_times;
    res->n_process_medians = a->n_medians;
    stats_summary all, per_process;
    stats_summarise(a->times, a->n_times, &all);
    stats_summarise(a->medians, a->n_medians, &per_process);
    res->t_min = all.min;
    res->t_mean = all.mean;
    res->t_stddev = all.stddev;
    res->t_median = per_process.median;
    res->gflops = res->t_median > 0 ? res->flops / res->t_median / 1e9 : 0;
    return 0;
}

void rounds_free(round_acc *a)
{
    free(a->medians);
    free(a->times);
    memset(a, 0, sizeof *a);
}
