/* host.h: small facts the harness reads off the host, and the directories it makes there. */
#ifndef HOST_H
#define HOST_H

#include <stddef.h>

/* The value of the first /proc/cpuinfo line whose key is `key` ("model name", "cpu MHz"),
 * without the "key : " part. 0, or -1 (out holds "unknown") when there is none. */
int host_cpuinfo(const char *key, char *out, size_t len);

/* The number at the start of a file (/proc/sys, /sys): 0, or -1 when it cannot be read. */
int host_read_number(const char *path, double *value);

/* CLOCK_MONOTONIC in seconds. */
double host_now_s(void);

/* mkdir -p path. 0, or -1 with errno set. */
int host_make_dirs(const char *path);

/* Bytes of memory a new allocation can still get: MemAvailable, or less where a cgroup (v2)
 * limit leaves less; source names where the figure came from. -1 when neither can be read. */
long long host_mem_available(char *source, size_t len);

/* "98.1 KiB", "2.0 GiB": binary units, three significant figures or so. */
void host_bytes_text(double bytes, char *out, size_t len);

/* The process's address space (VmSize) in bytes; -1 when unknown. Async-signal-safe after the
 * first call. */
long long host_vm_size(void);

#endif
