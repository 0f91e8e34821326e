/* mannwhitney.h: the two-sided Mann-Whitney U (Wilcoxon rank-sum) test, which compare uses on
 * raw repetition times: it assumes no distribution, so one slow outlier cannot decide it. */
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

/* 2 / C(nx + ny, nx): the p of complete separation, the test's floor. */
double mwu_min_p(int nx, int ny);

#endif
