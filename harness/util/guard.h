/* guard.h: tensors placed between inaccessible guard pages, with sentinel bytes in the slack
 * that alignment leaves, so that an implementation touching memory just outside a tensor is
 * caught: at once (a fault on a guard page) or after the repetition (a changed sentinel). */
#ifndef GUARD_H
#define GUARD_H

#include <stddef.h>
#include <stdint.h>

typedef struct guarded_buf {
    const char *name;             /* "q", "k", "v", "o": what a reason calls the tensor */
    unsigned char *map;           /* the whole mapping: guard, slack, data, slack, guard */
    size_t map_bytes;
    void *data;                   /* 64-byte aligned; its end lies within 64 bytes of the tail
                                     guard */
    size_t bytes;
} guarded_buf;

/* Maps bytes of tensor between guards. shared: MAP_SHARED (the output children write and the
 * parent reads), else private. 0, or -1 (errno set). */
int guard_alloc(guarded_buf *g, const char *name, size_t bytes, int shared);
void guard_free(guarded_buf *g);

/* Writes the sentinel pattern into the slack before and after the data. */
void guard_arm(const guarded_buf *g);

/* 0 when both slacks still hold the sentinel; otherwise -1 and in why which side was written
 * and how far from the data ("4 bytes past the end of o"). */
int guard_check(const guarded_buf *g, char *why, size_t why_len);

/* Where a faulting address lies relative to the buffers: 1 with the buffer's index and the
 * signed distance from the data (< 0 before it, >= 0 counted from its end), 0 when it is in
 * none of their guards. Async-signal-safe. */
int guard_locate(const guarded_buf *bufs, int n, uintptr_t addr, int *which, long long *offset);

/* "a write at byte 1 past the end of o" from what guard_locate found; is_write 1 a write,
 * 0 a read, -1 unknown. */
void guard_describe(const guarded_buf *g, long long offset, int is_write, char *out, size_t len);

#endif
