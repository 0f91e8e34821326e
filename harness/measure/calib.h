/* calib.h: the calibration workload a run times in every round. The same fixed work on every
 * run (multiply-add chains on one thread and on a thread per core, a triad over 3 x 32 MiB,
 * more than the AMD VM's 32 MiB last level, though not more than every server's), so that
 * `compare` can tell how much the machine itself ran faster or slower between two runs,
 * whatever the code under test did. */
#ifndef CALIB_H
#define CALIB_H

#include <jansson.h>
#include <stddef.h>

/* The parts: id, results.json name, what it does. */
#define CALIB_PARTS(X)                                                                      \
    X(COMPUTE_1T, "compute_1t_s", "the scalar multiply-add loop of the peaks, on 1 thread") \
    X(COMPUTE_ALL, "compute_all_s", "the same loop on a thread per core, each as much")    \
    X(MEMORY, "memory_s", "a[i] = b[i] + s * c[i] over three 32 MiB arrays, a thread per core")

enum {
#define CALIB_ENUM(id, name, text) CALIB_##id,
    CALIB_PARTS(CALIB_ENUM)
#undef CALIB_ENUM
    CALIB_N
};

extern const char *const calib_part_names[CALIB_N];

/* One round's timing: each part's median seconds over CALIB_TRIALS trials. */
typedef struct calib_sample {
    double s[CALIB_N];
} calib_sample;

/* Times the workload in a child process (its threads never touch the harness). 0, or -1
 * with why. About 0.3 s here (a 2-core VM). */
int calib_measure(calib_sample *out, char *why, size_t why_len);

/* Whether runs calibrate: yes, unless ATTNBENCH_CALIBRATION=off, which scripts/ab-compare sets
 * for its one-case runs (there BASE and NEW alternate on one machine, which stands in for the
 * calibration, and 0.3 s per run would be as much as a case). */
int calib_enabled(void);

/* {"round": r, "compute_1t_s": ..., ...}, and back (0, or -1 when a part is missing). */
json_t *calib_json(const calib_sample *c, int round);
int calib_from_json(json_t *o, calib_sample *c);

/* What the workload is, for results.json. */
json_t *calib_workload_json(void);

#endif
