/* noise.h: what disturbed a case's timed repetitions (involuntary context switches, CPU
 * migrations, time the hypervisor stole from the case's CPUs, the spread of the times), and the
 * documented rule that marks a case noisy: a figure to distrust before comparing it. */
#ifndef NOISE_H
#define NOISE_H

#include <sched.h>

/* The thresholds: a case past any one of them is noisy (README, Measurements: Noise). */
#define NOISE_STEAL_PCT 2.0      /* % of the case's CPUs' time stolen by the hypervisor */
#define NOISE_SPREAD_PCT 5.0     /* median absolute deviation of the times, % of the median */
#define NOISE_INVOL_PER_S 100.0  /* involuntary context switches per second per thread */
#define NOISE_MIGR_PER_REP 1.0   /* CPU migrations per timed repetition */

/* Counted in the case's child over its timed repetitions; -1 (or < 0) where unknown. */
typedef struct noise_counts {
    long long invol_cs;          /* involuntary context switches, every thread of the case */
    long long migrations;        /* CPU migrations, every thread of the case */
    double steal_s;              /* CPU time stolen from the CPUs the case may run on */
    int cpus;                    /* those CPUs */
    double wall_s;               /* first timed repetition's start to the last one's end */
    char why[160];               /* what could not be counted, and why */
} noise_counts;

/* The child's probe: noise_open before any thread exists (the migration counter is inherited
 * by the threads made later), noise_begin before the first timed repetition, noise_end after
 * the last. */
typedef struct noise_probe {
    int migr_fd;
    long long migr0, invol0, steal0;
    cpu_set_t cpus;
    double t0;
} noise_probe;

void noise_open(noise_probe *np, noise_counts *out);
void noise_begin(noise_probe *np);
void noise_end(noise_probe *np, noise_counts *out);

/* The judgement over counts and times (seconds per repetition). */
typedef struct noise_verdict {
    int measured;                /* there were timed repetitions to judge */
    double steal_pct;            /* < 0 unknown */
    double spread_pct;
    double invol_per_s;          /* per thread; < 0 unknown */
    double migr_per_rep;         /* < 0 unknown */
    int noisy;
    char why[160];               /* what passed its threshold: "steal 3.1% > 2%; ..." */
} noise_verdict;

void noise_judge(const noise_counts *c, double median_s, double mad_s, int reps, int threads,
                 noise_verdict *v);

#endif
