/* papi_start.h: starting PAPI for the counters, and its error codes in words. Shared by the
 * parent's probe of each event and the child's counting session (counters.c). */
#ifndef PAPI_START_H
#define PAPI_START_H

#include <stddef.h>

/* Starts PAPI, with the components CTR_PAPI_DISABLE_ENV names switched off first. 0; -1 with
 * why when PAPI does not start; -2 when the switch names a component PAPI does not have. */
int ctr_papi_init(char *why, size_t len);

/* PAPI's words for the return code rc of the call named what, and what causes them here (a
 * disabled perf_event component, no CPU PMU, perf_event_paranoid). */
void ctr_papi_why(const char *what, int rc, char *out, size_t len);

#endif
