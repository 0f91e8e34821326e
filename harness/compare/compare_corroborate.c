/* compare_corroborate.c: the time verdicts that take a case's neighbours into account: its
 * implementation's cases together (van Elteren's stratified test), whether the whole run moved,
 * and how many of an implementation's cases moved the same way. compare.c's header says why
 * each rule is there, with the measurements behind it. */
#include "compare_corroborate.h"

#include "mannwhitney.h"
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cmp_has_samples(const cmp_row *row)
{
    return row->base != NULL && row->cur != NULL && row->base->samples != NULL &&
           row->cur->samples != NULL && row->base->n_samples >= 2 && row->cur->n_samples >= 2;
}

double cmp_worse_of(const cmp_metric *m, const cmp_row *row)
{
    return m->kind == CMP_GFLOPS ? 1 / row->ratio : row->ratio;
}

int cmp_samples_needed(double a)
{
    int n = 2;
    while (n < 1000 && mwu_min_p(n, n) >= a)
        n++;
    return n;
}

cmp_impl_summary *cmp_impl_of(cmp_report *rep, const char *impl)
{
    for (int i = 0; i < rep->n_impls; i++)
        if (strcmp(rep->impls[i].impl, impl) == 0)
            return &rep->impls[i];
    cmp_impl_summary *s = &rep->impls[rep->n_impls++];
    memset(s, 0, sizeof *s);
    s->impl = impl;
    return s;
}

/* The stratified test of one implementation's cases (NEW against BASE, each case its own
 * stratum): its judged ones into s->pooled_*, and all it has samples of, held back for the
 * machine or not, into s->run_* with their median ratio (NEW worse over BASE). -1 when out of
 * memory. */
static int pooled_test(const cmp_report *rep, cmp_impl_summary *s)
{
    const double **x = malloc(sizeof *x * (size_t)(rep->n + 1));
    const double **y = malloc(sizeof *y * (size_t)(rep->n + 1));
    int *nx = malloc(sizeof *nx * (size_t)(rep->n + 1));
    int *ny = malloc(sizeof *ny * (size_t)(rep->n + 1));
    double *w = malloc(sizeof *w * (size_t)(rep->n + 1));
    int rc = x && y && nx && ny && w ? 0 : -1;
    s->pooled_p = s->run_p = s->run_worse = NAN;
    s->pooled_z = s->run_z = 0;
    for (int judged_only = 1; rc == 0 && judged_only >= 0; judged_only--) {
        int k = 0;
        for (int i = 0; i < rep->n; i++) {
            const cmp_row *row = &rep->rows[i];
            if (strcmp(row->impl, s->impl) != 0 || !cmp_has_samples(row) ||
                !isfinite(row->ratio) || (judged_only && !isfinite(row->worse)))
                continue;
            x[k] = row->cur->samples;
            nx[k] = row->cur->n_samples;
            y[k] = row->base->samples;
            ny[k] = row->base->n_samples;
            w[k] = cmp_worse_of(&rep->metric, row);
            k++;
        }
        if (k == 0)
            continue;
        if (judged_only) {
            rc = mwu_stratified(k, x, nx, y, ny, &s->pooled_z, &s->pooled_p);
        } else {
            stats_summary sum;
            stats_summarise(w, k, &sum);
            s->run_worse = sum.median;
            rc = mwu_stratified(k, x, nx, y, ny, &s->run_z, &s->run_p);
        }
    }
    free(x);
    free(y);
    free(nx);
    free(ny);
    free(w);
    return rc;
}

/* Whether an implementation other than s moved the way `way` (+1 slower, -1 faster): all its
 * cases with samples together (the stratified test, at impl_alpha), by more than half the
 * threshold (their median ratio). Between two separate runs that says the whole run moved,
 * machine or harness, and a kernel's own change cannot be told from it: in 12 A/A pairs on a
 * shared VM, 2 held one implementation's cases 21 to 58% slower while the others moved 3 to 12%
 * the same way together, and the calibration said 1 to 5% on the part their cases are held
 * to. All its cases, not only the judged ones: the cases held back because the machine moved
 * are evidence that it did. */
static int others_moved(const cmp_report *rep, const cmp_impl_summary *s, int way)
{
    double noticed = 1 + rep->opts.threshold / 2;
    for (int g = 0; g < rep->n_impls; g++) {
        const cmp_impl_summary *o = &rep->impls[g];
        if (o != s && o->run_p < rep->impl_alpha && (o->run_z > 0 ? 1 : -1) == way &&
            (way > 0 ? o->run_worse > noticed : o->run_worse < 1 / noticed))
            return 1;
    }
    return 0;
}

int cmp_corroborate(cmp_report *rep)
{
    int tested = 0;
    for (int g = 0; g < rep->n_impls; g++) {
        cmp_impl_summary *s = &rep->impls[g];
        s->n_judged = 0;
        for (int i = 0; i < rep->n; i++)
            s->n_judged += strcmp(rep->rows[i].impl, s->impl) == 0 && isfinite(rep->rows[i].worse);
        if (pooled_test(rep, s) != 0)
            return -1;
        tested += isfinite(s->pooled_p);
    }
    rep->impl_alpha = rep->opts.alpha / (tested > 0 ? tested : 1);
    rep->n_judged = 0;
    for (int g = 0; g < rep->n_impls; g++)
        rep->n_judged += rep->impls[g].n_judged;
    rep->lone_alpha = rep->opts.alpha / (rep->n_judged > 0 ? rep->n_judged : 1);
    rep->lone_samples_needed = cmp_samples_needed(rep->lone_alpha);

    for (int i = 0; i < rep->n; i++) {
        cmp_row *row = &rep->rows[i];
        if (!isfinite(row->worse) || row->beyond == 0)
            continue;
        cmp_impl_summary *s = cmp_impl_of(rep, row->impl);
        int pooled = s->pooled_p < rep->impl_alpha && (s->pooled_z > 0 ? 1 : -1) == row->beyond;
        if (row->p < rep->opts.alpha || pooled) {
            row->moved = row->beyond;
            s->n_worse += row->moved > 0;
            s->n_better += row->moved < 0;
        }
    }
    for (int i = 0; i < rep->n; i++) {
        cmp_row *row = &rep->rows[i];
        if (row->moved == 0)
            continue;
        const cmp_impl_summary *s = cmp_impl_of(rep, row->impl);
        int along = row->moved > 0 ? s->n_worse : s->n_better;
        if (!rep->opts.interleaved && others_moved(rep, s, row->moved)) {
            row->verdict = CMP_INCONCLUSIVE;
            row->why = CMP_WHY_RUN_MOVED;
        } else if (2 * along > s->n_judged ||
                   (rep->opts.interleaved && row->p < rep->lone_alpha)) {
            row->verdict = row->moved > 0 ? CMP_SLOWER : CMP_FASTER;
        } else {
            row->verdict = CMP_INCONCLUSIVE;
            row->why = CMP_WHY_ISOLATED;
        }
    }
    return 0;
}
