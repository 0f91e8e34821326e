/* host.c: /proc/cpuinfo fields, memory figures, the monotonic clock and mkdir -p, for every module that needs
 * them (results.json metadata, the peaks cache key, `attnbench machine`, timing). */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int host_read_number(const char *path, double *value)
{
    FILE *f = fopen(path, "r");
    int rc = -1;
    if (f != NULL) {
        rc = fscanf(f, "%lf", value) == 1 ? 0 : -1;
        fclose(f);
    }
    return rc;
}

int host_cpuinfo(const char *key, char *out, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    size_t n = strlen(key);
    int rc = -1;
    snprintf(out, len, "unknown");
    while (f != NULL && fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && (line[n] == ' ' || line[n] == '\t' || line[n] == ':')) {
            char *colon = strchr(line, ':');
            if (colon != NULL) {
                colon += colon[1] == ' ' ? 2 : 1;
                colon[strcspn(colon, "\n")] = '\0';
                snprintf(out, len, "%s", colon);
                rc = 0;
            }
            break;
        }
    if (f != NULL)
        fclose(f);
    return rc;
}

double host_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int host_make_dirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = buf + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* The number on the line of /proc/meminfo that starts with key, in bytes; -1 when absent. */
static long long meminfo_bytes(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long long kb = -1;
    size_t n = strlen(key);
    while (f != NULL && fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            kb = atoll(line + n + 1);
            break;
        }
    if (f != NULL)
        fclose(f);
    return kb < 0 ? -1 : kb * 1024;
}

/* One number from a cgroup file; -1 when absent or "max". */
static long long cgroup_number(const char *dir, const char *name)
{
    char path[4400], text[64] = "";
    snprintf(path, sizeof path, "/sys/fs/cgroup%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (fgets(text, sizeof text, f) == NULL)
        text[0] = '\0';
    fclose(f);
    return text[0] >= '0' && text[0] <= '9' ? atoll(text) : -1;
}

long long host_mem_available(char *source, size_t len)
{
    long long avail = meminfo_bytes("MemAvailable");
    snprintf(source, len, "MemAvailable");
    /* A container's limit: cgroup v2 names the process's group on the line "0::/path". */
    FILE *f = fopen("/proc/self/cgroup", "r");
    char line[4096];
    while (f != NULL && fgets(line, sizeof line, f))
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            long long max = cgroup_number(line + 3, "memory.max");
            long long used = cgroup_number(line + 3, "memory.current");
            if (max >= 0 && used >= 0 && (avail < 0 || max - used < avail)) {
                avail = max > used ? max - used : 0;
                snprintf(source, len, "the cgroup's memory.max less memory.current");
            }
            break;
        }
    if (f != NULL)
        fclose(f);
    return avail;
}

long long host_vm_size(void)
{
    /* Only open and read once the page size is known: the runner's first call is before any
     * signal, its later ones come from a signal handler. statm's first field is VmSize in
     * pages. */
    static long page;
    char text[64];
    if (page == 0)
        page = sysconf(_SC_PAGESIZE);
    int fd = open("/proc/self/statm", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return -1;
    long long pages = 0;
    for (ssize_t i = 0; i < n && text[i] >= '0' && text[i] <= '9'; i++)
        pages = pages * 10 + (text[i] - '0');
    return pages * page;
}

void host_bytes_text(double bytes, char *out, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024 && u < 6) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, len, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}
