/* mannwhitney.h: the two-sided Mann-Whitney U (Wilcoxon rank-sum) test, which compare uses on
 * process samples, and its stratified form over many cases: they assume no distribution, so
 * one slow outlier cannot decide them. */
#ifndef MANNWHITNEY_H
#define MANNWHITNEY_H

typedef struct mwu_result {
    double u;          /* U of the first sample: pairs (x_i, y_j) with x_i > y_j, ties 1/2 */
    double p;          /* two-sided p-value */
    int exact;         /* 1: p from the exact null distribution; 0: normal approximation */
    double min_p;      /* the smallest p any data could give with these sample sizes */
} mwu_result;

/* Tests x[0..nx) against y[0..ny). Exact when nx + ny <= MWU_EXACT_MAX (with ties: the
 * permutation distribution of the midranks), else the normal approximation with the tie and
 * continuity corrections. 0, or -1 when a sample is empty or memory runs out. */
#define MWU_EXACT_MAX 40
int mwu_test(const double *x, int nx, const double *y, int ny, mwu_result *out);

/* van Elteren's stratified rank-sum test: x[i] against y[i] within each stratum i (one case's
 * two sides), each stratum's rank sum of x weighted by 1 / (N_i + 1) so that every stratum
 * counts about alike, the sum against its normal null (with the tie correction). For "did
 * these cases, taken together, move": a shift shared by many cases shows where five samples of
 * one case cannot. *z > 0 when x ranks above y; *p two-sided. Strata with an empty side are
 * left out. 0, or -1 when none is left or memory runs out. */
int mwu_stratified(int strata, const double *const *x, const int *nx, const double *const *y,
                   const int *ny, double *z, double *p);

/* 2 / C(nx + ny, nx): the p of complete separation, the test's floor. */
double mwu_min_p(int nx, int ny);

#endif
