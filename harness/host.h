/* host.h: small facts the harness reads off the host, and the directories it makes there. */
#ifndef HOST_H
#define HOST_H

#include <stddef.h>

/* The value of the first /proc/cpuinfo line whose key is `key` ("model name", "cpu MHz"),
 * without the "key : " part. 0, or -1 (out holds "unknown") when there is none. */
int host_cpuinfo(const char *key, char *out, size_t len);

/* CLOCK_MONOTONIC in seconds. */
double host_now_s(void);

/* mkdir -p path. 0, or -1 with errno set. */
int host_make_dirs(const char *path);

#endif
