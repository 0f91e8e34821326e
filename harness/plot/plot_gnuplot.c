/* plot_gnuplot.c: runs gnuplot as a child with its stdout and stderr in one pipe, its stdin on
 * /dev/null and no initialisation file (-d), so a user's ~/.gnuplot cannot change a figure. */
#include "plot_gnuplot.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(int out, const char *cwd, const char *script, const char *expr)
{
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(127);
    if (chdir(cwd) != 0) {
        dprintf(2, "cannot enter %s: %s\n", cwd, strerror(errno));
        _exit(127);
    }
    execlp("gnuplot", "gnuplot", "-d", "-e", expr, script, (char *)NULL);
    dprintf(2, "cannot run gnuplot: %s (install gnuplot-nox; scripts/install-deps does)\n",
            strerror(errno));
    _exit(127);
}

/* The output as one line: each run of white space one space, lines joined by " | ". */
static void one_line(const char *in, char *out, size_t len)
{
    size_t o = 0;
    int gap = 0, newline = 0;
    for (; *in && o + 4 < len; in++) {
        if (*in == '\n' || *in == '\r' || *in == ' ' || *in == '\t') {
            gap = 1;
            newline |= *in == '\n';
            continue;
        }
        if (gap && o > 0) {
            const char *sep = newline ? " | " : " ";
            for (; *sep && o + 4 < len; sep++)
                out[o++] = *sep;
        }
        gap = newline = 0;
        out[o++] = *in;
    }
    out[o] = '\0';
}

int gp_run(const char *cwd, const char *script, const char *params, char *msg, size_t len)
{
    char expr[4200], buf[2048];
    size_t got = 0;
    int fds[2], st;
    snprintf(expr, sizeof expr, "params = '%s'", params);
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(msg, len, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, len, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0)
        child(fds[1], cwd, script, expr);
    close(fds[1]);
    for (;;) {
        char drain[512];
        /* Keep the first part of what it says; read (and drop) the rest so it never blocks. */
        ssize_t r = got + 1 < sizeof buf ? read(fds[0], buf + got, sizeof buf - 1 - got)
                                         : read(fds[0], drain, sizeof drain);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (got + 1 < sizeof buf)
            got += (size_t)r;
    }
    close(fds[0]);
    buf[got] = '\0';
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            snprintf(msg, len, "waitpid: %s", strerror(errno));
            return -1;
        }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && got == 0)
        return 0;
    one_line(buf, msg, len);
    if (msg[0] == '\0') {
        if (WIFEXITED(st))
            snprintf(msg, len, "gnuplot exited with status %d", WEXITSTATUS(st));
        else
            snprintf(msg, len, "gnuplot was killed by signal %d", WTERMSIG(st));
    }
    return -1;
}

int gp_find_scripts(const char *given, int (*complete)(const char *dir), char *out)
{
    char exe[PATH_MAX], beside[PATH_MAX + 16];
    if (given != NULL)
        return complete(given) && realpath(given, out) != NULL ? 0 : -1;
    if (complete("scripts") && realpath("scripts", out) != NULL)
        return 0;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash != NULL)
        *slash = '\0';
    snprintf(beside, sizeof beside, "%s/../scripts", exe);
    return complete(beside) && realpath(beside, out) != NULL ? 0 : -1;
}
