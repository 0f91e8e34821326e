/* sweep_shard.c: the deal of a sweep's problems to shards (sweep_shard.h). Longest-processing-
 * time-first: the costliest problem first, each to the least loaded shard, which keeps the
 * largest shard within 4/3 of the best possible deal. Everything it reads comes from the config
 * (no clock, no machine), so every node computes the same deal. */
#include "sweep_shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dealt {
    int problem;
    double cost;
} dealt;

static int by_falling_cost(const void *a, const void *b)
{
    const dealt *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? 1 : -1;
    return x->problem - y->problem;
}

int sweep_shard(sweep *s, int index, int count, char *err, size_t err_len)
{
    if (count < 1 || index < 0 || index >= count) {
        snprintf(err, err_len, "--shard %d/%d: I must be from 0 to N-1 (shards are numbered from "
                 "0, as Slurm's array tasks are)", index, count);
        return 2;
    }
    if (count > s->n_problems) {
        snprintf(err, err_len, "--shard %d/%d: the sweep has only %d problem%s to deal (a "
                 "problem's cases stay together): use at most %d shard%s", index, count,
                 s->n_problems, s->n_problems == 1 ? "" : "s", s->n_problems,
                 s->n_problems == 1 ? "" : "s");
        return 2;
    }
    dealt *order = malloc(sizeof *order * (size_t)s->n_problems);
    double *load = calloc((size_t)count, sizeof *load);
    int *owner = malloc(sizeof *owner * (size_t)s->n_problems);
    if (order == NULL || load == NULL || owner == NULL) {
        free(order);
        free(load);
        free(owner);
        snprintf(err, err_len, "out of memory for the shards");
        return 2;
    }
    for (int pi = 0; pi < s->n_problems; pi++) {
        const sweep_problem *sp = &s->problems[pi];
        /* The reference weighs as one more case: dgemm in double on every thread. */
        double cost = (sp->n_cases + 1) * sweep_weight(s, sweep_flops(&sp->p));
        order[pi] = (dealt){pi, cost};
    }
    qsort(order, (size_t)s->n_problems, sizeof *order, by_falling_cost);
    for (int i = 0; i < s->n_problems; i++) {
        int least = 0;
        for (int k = 1; k < count; k++)
            if (load[k] < load[least])
                least = k;
        load[least] += order[i].cost;
        owner[order[i].problem] = least;
    }

    /* Keep shard `index`'s problems and cases, in sweep order. */
    s->whole_problems = s->n_problems;
    s->whole_cases = s->n_cases;
    int np = 0, nc = 0;
    for (int pi = 0; pi < s->n_problems; pi++) {
        if (owner[pi] != index)
            continue;
        sweep_problem sp = s->problems[pi];
        for (int ci = sp.first_case; ci < sp.first_case + sp.n_cases; ci++) {
            s->cases[nc] = s->cases[ci];
            s->cases[nc].problem = np;
            nc++;
        }
        sp.first_case = nc - sp.n_cases;
        s->problems[np++] = sp;
    }
    s->n_problems = np;
    s->n_cases = nc;
    s->shard = index;
    s->n_shards = count;
    free(order);
    free(load);
    free(owner);
    return 0;
}
