/* proc.c: the process primitives every isolated measurement uses: a fork whose child cannot
 * outlive the harness or be caught by its handlers, a wait with a deadline that a stop signal
 * cuts short, shared pages for the child's report, and a "run this in a child" helper. */
#include "proc.h"

#include "host.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t proc_stop;

void *proc_shared_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void proc_shared_free(void *ptr, size_t bytes)
{
    if (ptr != NULL)
        munmap(ptr, bytes ? bytes : 1);
}

/* Forks; the child gets default signal handling and its own process group (so a kill reaches
 * any threads or processes it starts). Returns the pid, 0 in the child, -1 on failure. */
pid_t proc_fork_isolated(void)
{
    /* SIGCHLD stays blocked in the parent so proc_wait_deadline() can sleep on it, race-free. */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        setpgid(0, 0);
        /* A harness killed outright (kill -9) takes its case with it: a hanging child would
         * otherwise run on, orphaned. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        /* Handlers the harness (or a test framework) installed must not catch the case's
         * own crash: its signal has to reach the parent as the child's cause of death. */
        for (int sig = 1; sig < NSIG; sig++)
            if (sig != SIGKILL && sig != SIGSTOP)
                signal(sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
    } else if (pid > 0) {
        setpgid(pid, pid);
    }
    return pid;
}

static void kill_and_reap(pid_t pid, int *wstatus)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
        ;
}

/* Waits for pid until deadline (absolute, host_now_s() clock; <= 0 for none). Returns 0 with the
 * wait status, 1 when the deadline passed, 2 when proc_stop was set (the child's process group
 * killed in both). A stop signal interrupts sigtimedwait, so it is seen at once. */
int proc_wait_deadline(pid_t pid, double deadline, int *wstatus)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        pid_t got = waitpid(pid, wstatus, WNOHANG);
        if (got == pid)
            return 0;
        if (got < 0 && errno != EINTR)
            return 0;
        if (proc_stop) {
            kill_and_reap(pid, wstatus);
            return 2;
        }
        double left = deadline > 0 ? deadline - host_now_s() : 1.0;
        if (left <= 0) {
            kill_and_reap(pid, wstatus);
            return 1;
        }
        if (left > 1.0)
            left = 1.0;   /* re-check now and then: a SIGCHLD may have been taken already */
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        sigtimedwait(&chld, NULL, &ts);
    }
}

int proc_in_child(int (*work)(void *out), void *out, size_t bytes, char *why, size_t why_len)
{
    void *shared = proc_shared_alloc(bytes);
    if (shared == NULL) {
        snprintf(why, why_len, "cannot map memory for the measurement");
        return -1;
    }
    memcpy(shared, out, bytes);
    pid_t pid = proc_fork_isolated();
    if (pid == 0)
        _exit(work(shared) == 0 ? 0 : 3);
    int ws = 0, rc = -1;
    if (pid < 0)
        snprintf(why, why_len, "fork failed: %s", strerror(errno));
    else if (proc_wait_deadline(pid, 0, &ws) == 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
        rc = 0;
    else
        snprintf(why, why_len, "the measuring process failed (%s)",
                 WIFEXITED(ws) ? "out of memory" : "killed by a signal");
    if (rc == 0)
        memcpy(out, shared, bytes);
    proc_shared_free(shared, bytes);
    return rc;
}

