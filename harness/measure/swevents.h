/* swevents.h: the kernel's software events (page faults, context switches, CPU migrations, task
 * clock) counted directly through perf_event_open, for machines where PAPI counts none of them
 * (its perf_event component disabled, as when libpfm4 finds no PMU). A counter opened before the
 * case's threads exist is inherited by every thread made after it, and reads as their sum. */
#ifndef SWEVENTS_H
#define SWEVENTS_H

#include <stddef.h>

/* The events, as PAPI's perf_event component names them (so a column keeps its name whichever
 * source counted it), with the kernel's event number. */
#define SWEV_LIST(X)                                        \
    X(PAGE_FAULTS, "perf::PAGE-FAULTS", PAGE_FAULTS)        \
    X(MINOR_FAULTS, "perf::MINOR-FAULTS", PAGE_FAULTS_MIN)  \
    X(MAJOR_FAULTS, "perf::MAJOR-FAULTS", PAGE_FAULTS_MAJ)  \
    X(CONTEXT_SWITCHES, "perf::CONTEXT-SWITCHES", CONTEXT_SWITCHES) \
    X(CPU_MIGRATIONS, "perf::CPU-MIGRATIONS", CPU_MIGRATIONS) \
    X(TASK_CLOCK, "perf::TASK-CLOCK", TASK_CLOCK)

typedef enum {
#define SWEV_ENUM(id, name, config) SWEV_##id,
    SWEV_LIST(SWEV_ENUM)
#undef SWEV_ENUM
    SWEV_COUNT
} swev_id;

/* "perf::PAGE-FAULTS" */
const char *swev_name(int id);

/* The event a name means (PAPI's spelling, any case), or -1. */
int swev_lookup(const char *name);

/* Opens a counter of event id on the calling thread, inherited by the threads it makes from
 * now on. The descriptor (close-on-exec), or -1 with why: the kernel's words and, for a refusal,
 * the perf_event_paranoid level. */
int swev_open(int id, char *why, size_t why_len);

/* The count so far, over the opening thread and every thread that inherited the counter
 * (task clock in nanoseconds). 0, or -1. */
int swev_read(int fd, long long *value);

/* Can event id be opened and read here? 0, or -1 with why. */
int swev_probe(int id, char *why, size_t why_len);

/* /proc/sys/kernel/perf_event_paranoid, or -99 when it cannot be read. */
int swev_paranoid(void);

#endif
