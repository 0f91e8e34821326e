/* proc.h: process primitives for isolated measurements (cases, peaks, the calibration, the
 * simulation): fork, wait with a deadline, shared memory, the stop flag. */
#ifndef PROC_H
#define PROC_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* The signal that asked the sweep to stop (SIGINT, SIGTERM), set by the run's handler; 0 while
 * none has. A wait that sees it kills the child it waits for. */
extern volatile sig_atomic_t proc_stop;

/* Forks a child with default signal handling in its own process group. The pid, 0 in the
 * child, -1 on failure. */
pid_t proc_fork_isolated(void);

/* Waits for pid until deadline (CLOCK_MONOTONIC seconds; <= 0: none). 0 with the wait status,
 * 1 when the deadline passed, 2 when proc_stop was set: in both, the child's process group
 * was killed. */
int proc_wait_deadline(pid_t pid, double deadline, int *wstatus);

/* Runs work(out) in an isolated child and waits for it: for measurements (the machine's peaks,
 * the calibration) whose threads must never exist in the harness, which forks every case after.
 * out's `bytes` go to the child and its results come back; a Ctrl-C stops the child
 * (proc_stop). 0, or -1 with why (work's nonzero return reads as out of memory). */
int proc_in_child(int (*work)(void *out), void *out, size_t bytes, char *why, size_t why_len);

/* Maps a shared anonymous region (zeroed); NULL on failure. */
void *proc_shared_alloc(size_t bytes);
void proc_shared_free(void *ptr, size_t bytes);

#endif
