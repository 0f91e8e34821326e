/* fuzz_results.c: libFuzzer target for the results reader. The input is parsed as a
 * results.json; what is accepted is then read the way compare, plots and gbench read it. */
#include "results_read.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Numbers the commands ask for by name; absent or mistyped ones must read as NAN. */
static const char *const number_fields[] = {"gflops", "time_median_s", "time_min_s", "flops",
                                            "workspace_bytes", "pct_peak", "scale"};
/* Counters by event and by column name, present in the seeds or not. */
static const char *const counter_names[] = {"SIM_INSTRUCTIONS", "ctr_sim_est_cycles",
                                            "PAPI_L1_DCM", "ctr_papi_tot_cyc",
                                            "perf::PAGE-FAULTS", "ctr_perf__page_faults",
                                            "ctr_", ""};

/* The accepted file's promises: keys sorted and unique, each case's times all there and as
 * written. */
static void check_case(const results_file *r, int i)
{
    const results_case *c = &r->cases[i];
    if (i > 0 && strcmp(r->cases[i - 1].key, c->key) >= 0)
        abort();
    if (c->reps < 0 || (c->reps > 0) != (c->times != NULL))
        abort();
    json_t *times = json_object_get(c->obj, "times_s");
    for (int t = 0; t < c->reps; t++)
        if (c->times[t] != json_number_value(json_array_get(times, (size_t)t)))
            abort();
    for (size_t f = 0; f < sizeof number_fields / sizeof number_fields[0]; f++)
        (void)results_number(c, number_fields[f]);
    if (!isnan(results_number(c, "impl")))  /* a string is not a number */
        abort();
    const char *event;
    for (size_t f = 0; f < sizeof counter_names / sizeof counter_names[0]; f++)
        (void)results_counter(c, counter_names[f], &event);
    /* Each counter the case has must be found by its own name. */
    json_t *values = json_object_get(json_object_get(c->obj, "counters"), "values");
    const char *k;
    json_t *v;
    json_object_foreach(values, k, v) {
        (void)results_counter(c, k, &event);
        if (event == NULL)
            abort();
    }
}

/* A refusal says why, on one line: no control character copied from the input (a newline, an
 * escape sequence) may break the line the commands print. */
static int one_line(const char *err)
{
    if (err[0] == '\0')
        return 0;
    for (const char *s = err; *s; s++)
        if (iscntrl((unsigned char)*s) && *s != '\t')
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    results_file r;
    char err[1024];

    err[0] = '\0';
    if (results_parse("fuzz.json", (const char *)data, size, &r, err, sizeof err) != 0) {
        /* Refused: with a one-line reason, and nothing left to free. */
        if (!one_line(err) || r.doc != NULL || r.cases != NULL)
            abort();
        return 0;
    }
    if (r.n < 0 || (r.n > 0 && r.cases == NULL) || !json_is_object(r.run))
        abort();
    for (int i = 0; i < r.n; i++)
        check_case(&r, i);
    results_free(&r);
    return 0;
}
