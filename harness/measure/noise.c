/* noise.c: the disturbance a case's timed repetitions met. Context switches come from
 * getrusage (every thread of the process, the finished ones too), migrations from an inherited
 * perf_event_open software counter, steal from /proc/stat's per-CPU lines; none of them is read
 * inside the timed region. */
#include "noise.h"

#include "host.h"
#include "swevents.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static long long invol_now(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return (long long)ru.ru_nivcsw;
}

/* Steal ticks (USER_HZ) summed over the CPUs in set; -1 when /proc/stat cannot be read. */
static long long steal_ticks(const cpu_set_t *set)
{
    FILE *f = fopen("/proc/stat", "r");
    char line[512];
    long long sum = 0;
    int seen = 0;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f)) {
        int cpu;
        unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
        if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &user, &nice,
                   &sys, &idle, &iowait, &irq, &softirq, &steal) != 9)
            continue;   /* the "cpu " total line, or a kernel without the steal field */
        if (cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, set)) {
            sum += (long long)steal;
            seen++;
        }
    }
    fclose(f);
    return seen > 0 ? sum : -1;
}

void noise_open(noise_probe *np, noise_counts *out)
{
    memset(out, 0, sizeof *out);
    out->invol_cs = out->migrations = -1;
    out->steal_s = -1;
    np->migr_fd = swev_open(SWEV_CPU_MIGRATIONS, out->why, sizeof out->why);
    if (sched_getaffinity(0, sizeof np->cpus, &np->cpus) != 0) {
        CPU_ZERO(&np->cpus);
        for (long c = 0; c < sysconf(_SC_NPROCESSORS_ONLN) && c < CPU_SETSIZE; c++)
            CPU_SET((int)c, &np->cpus);
    }
    out->cpus = CPU_COUNT(&np->cpus);
}

void noise_begin(noise_probe *np)
{
    if (np->migr_fd < 0 || swev_read(np->migr_fd, &np->migr0) != 0)
        np->migr0 = -1;
    np->invol0 = invol_now();
    np->steal0 = steal_ticks(&np->cpus);
    np->t0 = host_now_s();
}

void noise_end(noise_probe *np, noise_counts *out)
{
    long long migr, invol = invol_now(), steal = steal_ticks(&np->cpus);
    out->wall_s = host_now_s() - np->t0;
    if (np->migr0 >= 0 && swev_read(np->migr_fd, &migr) == 0)
        out->migrations = migr - np->migr0;
    else if (out->why[0] == '\0')
        snprintf(out->why, sizeof out->why, "the CPU-migration counter could not be read");
    if (np->invol0 >= 0 && invol >= 0)
        out->invol_cs = invol - np->invol0;
    if (np->steal0 >= 0 && steal >= 0)
        out->steal_s = (double)(steal - np->steal0) / (double)sysconf(_SC_CLK_TCK);
    else if (out->why[0] == '\0')
        snprintf(out->why, sizeof out->why, "/proc/stat has no per-CPU steal time");
}

/* Appends "what" to the verdict's reasons. */
static void flag(noise_verdict *v, const char *what)
{
    size_t n = strlen(v->why);
    snprintf(v->why + n, sizeof v->why - n, "%s%s", n ? "; " : "", what);
    v->noisy = 1;
}

void noise_judge(const noise_counts *c, double median_s, double mad_s, int reps, int threads,
                 noise_verdict *v)
{
    char text[96];
    memset(v, 0, sizeof *v);
    v->steal_pct = v->invol_per_s = v->migr_per_rep = -1;
    if (reps <= 0 || median_s <= 0)
        return;
    v->measured = 1;
    v->spread_pct = 100.0 * mad_s / median_s;
    if (c->steal_s >= 0 && c->wall_s > 0 && c->cpus > 0)
        v->steal_pct = 100.0 * c->steal_s / (c->wall_s * c->cpus);
    if (c->invol_cs >= 0 && c->wall_s > 0)
        v->invol_per_s = (double)c->invol_cs / c->wall_s / (threads > 0 ? threads : 1);
    if (c->migrations >= 0)
        v->migr_per_rep = (double)c->migrations / reps;
    if (v->steal_pct > NOISE_STEAL_PCT) {
        snprintf(text, sizeof text, "steal %.1f%% > %g%%", v->steal_pct, NOISE_STEAL_PCT);
        flag(v, text);
    }
    if (v->spread_pct > NOISE_SPREAD_PCT) {
        snprintf(text, sizeof text, "spread %.1f%% > %g%%", v->spread_pct, NOISE_SPREAD_PCT);
        flag(v, text);
    }
    if (v->invol_per_s > NOISE_INVOL_PER_S) {
        snprintf(text, sizeof text, "%.0f preemptions/s per thread > %g", v->invol_per_s,
                 NOISE_INVOL_PER_S);
        flag(v, text);
    }
    if (v->migr_per_rep > NOISE_MIGR_PER_REP) {
        snprintf(text, sizeof text, "%.1f migrations per repetition > %g", v->migr_per_rep,
                 NOISE_MIGR_PER_REP);
        flag(v, text);
    }
}
