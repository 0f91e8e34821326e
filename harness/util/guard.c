/* guard.c: guarded tensor mappings. Each tensor gets its own mapping: 64 KiB of PROT_NONE,
 * the data pages, 64 KiB of PROT_NONE. The data ends as close to the tail guard as 64-byte
 * alignment allows, so a run past the end faults within 64 bytes; the slack before the data
 * (up to a page) and after it (under 64 bytes) holds a sentinel that guard_check reads. */
#include "guard.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Large enough that an overrun by a whole row of a big head_dim still lands in it. */
#define GUARD_BYTES ((size_t)64 << 10)
#define SENTINEL 0xA5   /* as floats 0xA5A5A5A5 is -2.9e-16: not a value a kernel writes */

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

int guard_alloc(guarded_buf *g, const char *name, size_t bytes, int shared)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t aligned = round_up(bytes, 64);
    size_t data_pages = round_up(aligned > 0 ? aligned : 1, page);

    memset(g, 0, sizeof *g);
    g->name = name;
    g->bytes = bytes;
    g->map_bytes = 2 * GUARD_BYTES + data_pages;
    void *m = mmap(NULL, g->map_bytes, PROT_READ | PROT_WRITE,
                   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        g->map = NULL;
        return -1;
    }
    g->map = m;
    if (mprotect(g->map, GUARD_BYTES, PROT_NONE) != 0 ||
        mprotect(g->map + GUARD_BYTES + data_pages, GUARD_BYTES, PROT_NONE) != 0) {
        guard_free(g);
        return -1;
    }
    g->data = g->map + GUARD_BYTES + data_pages - aligned;
    guard_arm(g);
    return 0;
}

void guard_free(guarded_buf *g)
{
    if (g->map != NULL)
        munmap(g->map, g->map_bytes);
    memset(g, 0, sizeof *g);
}

/* The slack before the data and after it. */
static unsigned char *head_start(const guarded_buf *g)
{
    return g->map + GUARD_BYTES;
}

static unsigned char *tail_end(const guarded_buf *g)
{
    return g->map + g->map_bytes - GUARD_BYTES;
}

void guard_arm(const guarded_buf *g)
{
    unsigned char *data = g->data, *end = data + g->bytes;
    memset(head_start(g), SENTINEL, (size_t)(data - head_start(g)));
    memset(end, SENTINEL, (size_t)(tail_end(g) - end));
}

int guard_check(const guarded_buf *g, char *why, size_t why_len)
{
    const unsigned char *data = g->data, *end = data + g->bytes;
    /* The farthest changed byte on each side gives the extent of the stray write. */
    for (const unsigned char *b = head_start(g); b < data; b++)
        if (*b != SENTINEL) {
            snprintf(why, why_len, "wrote %td byte%s before the start of %s", data - b,
                     data - b == 1 ? "" : "s", g->name);
            return -1;
        }
    for (const unsigned char *b = tail_end(g); b-- > end;)
        if (*b != SENTINEL) {
            snprintf(why, why_len, "wrote %td byte%s past the end of %s", b - end + 1,
                     b == end ? "" : "s", g->name);
            return -1;
        }
    return 0;
}

int guard_locate(const guarded_buf *bufs, int n, uintptr_t addr, int *which, long long *offset)
{
    for (int i = 0; i < n; i++) {
        uintptr_t map = (uintptr_t)bufs[i].map, data = (uintptr_t)bufs[i].data;
        uintptr_t end = data + bufs[i].bytes;
        if (map == 0)
            continue;
        if (addr >= map && addr < map + GUARD_BYTES) {
            *which = i;
            *offset = -(long long)(data - addr);
            return 1;
        }
        if (addr >= map + bufs[i].map_bytes - GUARD_BYTES && addr < map + bufs[i].map_bytes) {
            *which = i;
            *offset = (long long)(addr - end);
            return 1;
        }
    }
    return 0;
}

void guard_describe(const guarded_buf *g, long long offset, int is_write, char *out, size_t len)
{
    const char *access = is_write < 0 ? "an access" : is_write ? "a write" : "a read";
    if (offset < 0)
        snprintf(out, len, "%s at byte %lld before the start of %s", access, -offset, g->name);
    else
        snprintf(out, len, "%s at byte %lld past the end of %s", access, offset + 1, g->name);
}
