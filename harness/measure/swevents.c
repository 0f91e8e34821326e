/* swevents.c: software events through perf_event_open(2). Counting needs no PMU and, for the
 * calling process, no privilege below perf_event_paranoid 3 (root needs none at all), so it
 * works in the VMs where PAPI's perf_event component is disabled. */
#include "swevents.h"

#include "host.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const names[SWEV_COUNT] = {
#define SWEV_NAME(id, name, config) name,
    SWEV_LIST(SWEV_NAME)
#undef SWEV_NAME
};

static const unsigned long long configs[SWEV_COUNT] = {
#define SWEV_CONFIG(id, name, config) PERF_COUNT_SW_##config,
    SWEV_LIST(SWEV_CONFIG)
#undef SWEV_CONFIG
};

const char *swev_name(int id)
{
    return id >= 0 && id < SWEV_COUNT ? names[id] : "?";
}

int swev_lookup(const char *name)
{
    for (int i = 0; i < SWEV_COUNT; i++)
        if (strcasecmp(name, names[i]) == 0)
            return i;
    return -1;
}

int swev_paranoid(void)
{
    double level;
    return host_read_number("/proc/sys/kernel/perf_event_paranoid", &level) == 0 ? (int)level
                                                                               : -99;
}

int swev_open(int id, char *why, size_t why_len)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = configs[id];
    attr.inherit = 1;            /* every thread made from now on adds into this counter */
    attr.exclude_hv = 1;         /* a paranoid level of 2 refuses hypervisor counts */
    int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd >= 0)
        return fd;
    int err = errno, level = swev_paranoid();
    if (err == EACCES || err == EPERM)
        snprintf(why, why_len, "perf_event_open(%s): %s (perf_event_paranoid is %d; 2 or less "
                 "lets a process count itself, or run as root)", names[id], strerror(err),
                 level);
    else if (err == ENOENT || err == ENOSYS)
        snprintf(why, why_len, "perf_event_open(%s): %s (the kernel has no perf events: "
                 "CONFIG_PERF_EVENTS, or a seccomp filter)", names[id], strerror(err));
    else
        snprintf(why, why_len, "perf_event_open(%s): %s", names[id], strerror(err));
    return -1;
}

int swev_read(int fd, long long *value)
{
    uint64_t v;
    if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
        return -1;
    *value = (long long)v;
    return 0;
}

int swev_probe(int id, char *why, size_t why_len)
{
    long long v;
    int fd = swev_open(id, why, why_len);
    if (fd < 0)
        return -1;
    int rc = swev_read(fd, &v);
    if (rc != 0)
        snprintf(why, why_len, "perf_event_open(%s): the counter cannot be read: %s", names[id],
                 strerror(errno));
    close(fd);
    return rc;
}
