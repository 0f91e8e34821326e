/* papi_start.c: starting PAPI for the counters, with the components a user switched off, and
 * PAPI's error codes in words that say what causes them on this machine. */
#include "papi_start.h"

#include "ctr_types.h"
#include "swevents.h"

#include <papi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* When PAPI's perf_event component (every CPU and kernel event) is disabled: its reason, as
 * PAPI gives it ("libpfm4 no default PMU found"), else NULL. Only after PAPI_library_init. */
static const char *perf_component_off(void)
{
    int cidx = PAPI_get_component_index("perf_event");
    const PAPI_component_info_t *ci = cidx >= 0 ? PAPI_get_component_info(cidx) : NULL;
    if (ci == NULL || !ci->disabled)
        return NULL;
    return ci->disabled_reason[0] ? ci->disabled_reason : "no reason given";
}

void ctr_papi_why(const char *what, int rc, char *out, size_t len)
{
    const char *off = perf_component_off(), *cause = "";
    char buf[2 * CTR_WHY_LEN];
    const char *forced = getenv(CTR_PAPI_DISABLE_ENV);
    if (off != NULL && (rc == PAPI_ENOEVNT || rc == PAPI_ECMP_DISABLED || rc == PAPI_ENOCMP ||
                        rc == PAPI_ECMP)) {
        snprintf(buf, sizeof buf, "; PAPI's perf_event component is disabled: %.120s%s%.60s%s", off,
                 forced && *forced ? " (" CTR_PAPI_DISABLE_ENV "=" : "",
                 forced && *forced ? forced : "", forced && *forced ? ")" : "");
        cause = buf;
    } else if (rc == PAPI_ENOEVNT && access("/sys/bus/event_source/devices/cpu", F_OK) != 0) {
        cause = "; the kernel exposes no CPU PMU (/sys/bus/event_source/devices/cpu is missing), "
                "as in most virtual machines, so only software events count here";
    } else if (rc == PAPI_EPERM) {
        snprintf(buf, sizeof buf, "; not permitted: perf_event_paranoid is %d",
                 swev_paranoid());
        cause = buf;
    } else if (rc == PAPI_ECNFLCT) {
        cause = "; too many events for the CPU's counters at once: ask for fewer";
    }
    snprintf(out, len, "%.60s: %.60s%.190s", what, PAPI_strerror(rc), cause);
}

/* Switches off the components CTR_PAPI_DISABLE_ENV names; PAPI must not be started yet.
 * 0, or -1 with why (a name PAPI does not know). */
static int papi_disable_components(char *why, size_t len)
{
    const char *list = getenv(CTR_PAPI_DISABLE_ENV);
    char names[256], *save = NULL;
    if (list == NULL || *list == '\0')
        return 0;
    snprintf(names, sizeof names, "%s", list);
    for (char *name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        int rc = PAPI_disable_component_by_name(name);
        if (rc != PAPI_OK) {
            snprintf(why, len, "%s=%.60s: PAPI has no component '%.60s' to disable (rc %d); "
                     "the one that counts CPU and kernel events is perf_event",
                     CTR_PAPI_DISABLE_ENV, list, name, rc);
            return -1;
        }
    }
    return 0;
}

int ctr_papi_init(char *why, size_t len)
{
    if (papi_disable_components(why, len) != 0)
        return -2;
    int rc = PAPI_library_init(PAPI_VER_CURRENT);
    if (rc != PAPI_VER_CURRENT) {
        ctr_papi_why("PAPI_library_init", rc > 0 ? PAPI_EINVAL : rc, why, len);
        return -1;
    }
    return 0;
}
