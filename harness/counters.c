/* counters.c: PAPI event counting for a case. The plan is probed in the parent, one event at a
 * time, so a missing event costs only its own column. The child counts with counters that its
 * threads inherit where the kernel allows that, and otherwise with one event set per thread of
 * the OpenMP pool (which OpenBLAS and oneDNN share with our kernels). */
#include "counters.h"

#include "sim.h"

#include <papi.h>

#include <ctype.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What `counters = auto` asks for: cache misses at each level, cycles, instructions, and the
 * software event for page faults (which counts even where the CPU's PMU is hidden). */
static const char *const auto_events[] = {"PAPI_L1_DCM", "PAPI_L2_DCM", "PAPI_L3_TCM",
                                          "PAPI_TOT_CYC", "PAPI_TOT_INS", "perf::PAGE-FAULTS"};

/* What `counters = sim` reports, from callgrind's cache simulation (see sim.c). */
static const char *const sim_events[] = {"SIM_INSTRUCTIONS", "SIM_D1_MISSES", "SIM_LL_MISSES",
                                         "SIM_EST_CYCLES"};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

void ctr_column_name(const char *event, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "ctr_");
    for (; *event && n + 1 < len; event++, n++) {
        unsigned char ch = (unsigned char)tolower((unsigned char)*event);
        out[n] = (char)((islower(ch) || isdigit(ch)) ? ch : '_');
    }
    out[n < len ? n : len - 1] = '\0';
}

/* PAPI's words for rc, and what usually causes them on Linux. */
static void papi_why(const char *what, int rc, char *out, size_t len)
{
    const char *cause = "";
    if (rc == PAPI_ENOEVNT && access("/sys/bus/event_source/devices/cpu", F_OK) != 0)
        cause = "; the kernel exposes no CPU PMU (/sys/bus/event_source/devices/cpu is missing), "
                "as in most virtual machines, so only software events count here";
    else if (rc == PAPI_EPERM)
        cause = "; not permitted: see /proc/sys/kernel/perf_event_paranoid";
    else if (rc == PAPI_ECNFLCT)
        cause = "; too many events for the CPU's counters at once: ask for fewer";
    snprintf(out, len, "%s: %s%s", what, PAPI_strerror(rc), cause);
}

static int papi_init(char *why, size_t len)
{
    int rc = PAPI_library_init(PAPI_VER_CURRENT);
    if (rc != PAPI_VER_CURRENT) {
        papi_why("PAPI_library_init", rc > 0 ? PAPI_EINVAL : rc, why, len);
        return -1;
    }
    return 0;
}

/* Can this event be added to a set of its own and counted? 0, or -1 with why. */
static int probe_event(const char *name, char *why, size_t len)
{
    int code, es = PAPI_NULL, rc;
    long long value;
    if ((rc = PAPI_event_name_to_code(name, &code)) != PAPI_OK) {
        papi_why("PAPI_event_name_to_code", rc, why, len);
        return -1;
    }
    if ((rc = PAPI_create_eventset(&es)) != PAPI_OK) {
        papi_why("PAPI_create_eventset", rc, why, len);
        return -1;
    }
    if ((rc = PAPI_add_event(es, code)) != PAPI_OK)
        papi_why("PAPI_add_event", rc, why, len);
    else if ((rc = PAPI_start(es)) != PAPI_OK)
        papi_why("PAPI_start", rc, why, len);
    else if ((rc = PAPI_stop(es, &value)) != PAPI_OK)
        papi_why("PAPI_stop", rc, why, len);
    PAPI_cleanup_eventset(es);
    PAPI_destroy_eventset(&es);
    return rc == PAPI_OK ? 0 : -1;
}

static void plan_add(ctr_plan *plan, const char *name)
{
    ctr_event *e = &plan->ev[plan->n++];
    snprintf(e->name, sizeof e->name, "%s", name);
    ctr_column_name(name, e->column, sizeof e->column);
}

/* The start-of-run line: what is measured, and why the rest is not. */
static void plan_note(ctr_plan *plan)
{
    size_t n = 0, len = sizeof plan->note;
    int missing = 0, first_missing = -1;
    for (int i = 0; i < plan->n; i++)
        if (!plan->ev[i].available && missing++ == 0)
            first_missing = i;
    if (missing == 0)
        return;
    n += (size_t)snprintf(plan->note + n, len - n, "counters: not available here:");
    for (int i = 0; i < plan->n && n < len; i++)
        if (!plan->ev[i].available)
            n += (size_t)snprintf(plan->note + n, len - n, " %s", plan->ev[i].name);
    if (n < len)
        n += (size_t)snprintf(plan->note + n, len - n, " (%s%s)", missing > 1 ? "first: " : "",
                              plan->ev[first_missing].why);
    if (n < len && missing < plan->n) {
        n += (size_t)snprintf(plan->note + n, len - n, "; measuring");
        for (int i = 0; i < plan->n && n < len; i++)
            if (plan->ev[i].available)
                n += (size_t)snprintf(plan->note + n, len - n, " %s", plan->ev[i].name);
    }
}

int ctr_plan_build(const cfg_names *spec, ctr_plan *plan, char *err, size_t err_len)
{
    memset(plan, 0, sizeof *plan);
    for (int i = 0; i < spec->n; i++) {
        const char *s = spec->v[i];
        int is_mode = !strcmp(s, "none") || !strcmp(s, "auto") || !strcmp(s, "sim");
        if (is_mode && spec->n > 1) {
            snprintf(err, err_len, "[measure] counters: '%s' cannot be combined with other "
                     "entries (use it alone, or list PAPI event names)", s);
            return 2;
        }
    }
    if (spec->n > CTR_MAX) {
        snprintf(err, err_len, "[measure] counters: %d events; at most %d", spec->n, CTR_MAX);
        return 2;
    }
    if (spec->n == 0 || !strcmp(spec->v[0], "none")) {
        plan->mode = CTR_NONE;
        return 0;
    }
    if (!strcmp(spec->v[0], "sim")) {
        char why[CTR_WHY_LEN];
        int ok = sim_available(why, sizeof why) == 0;
        plan->mode = CTR_SIM;
        for (size_t i = 0; i < N_OF(sim_events); i++) {
            plan_add(plan, sim_events[i]);
            plan->ev[i].available = ok;
            if (!ok)
                snprintf(plan->ev[i].why, sizeof plan->ev[i].why, "%s", why);
        }
        plan_note(plan);
        return 0;
    }
    plan->mode = CTR_PAPI;
    if (!strcmp(spec->v[0], "auto"))
        for (size_t i = 0; i < N_OF(auto_events); i++)
            plan_add(plan, auto_events[i]);
    else
        for (int i = 0; i < spec->n; i++) {
            plan_add(plan, spec->v[i]);
            for (int j = 0; j < i; j++)
                if (strcmp(plan->ev[j].column, plan->ev[i].column) == 0) {
                    snprintf(err, err_len, "[measure] counters: '%s' and '%s' would both be "
                             "column %s", plan->ev[j].name, plan->ev[i].name, plan->ev[i].column);
                    return 2;
                }
        }

    char why[CTR_WHY_LEN];
    int inited = papi_init(why, sizeof why) == 0;
    for (int i = 0; i < plan->n; i++) {
        ctr_event *e = &plan->ev[i];
        if (!inited)
            snprintf(e->why, sizeof e->why, "%s", why);
        else
            e->available = probe_event(e->name, e->why, sizeof e->why) == 0;
    }
    if (inited)
        PAPI_shutdown();   /* each case's child starts PAPI afresh */
    plan_note(plan);
    return 0;
}

/* ---- counting in a case's child ---- */

struct ctr_session {
    const ctr_plan *plan;
    ctr_values *out;
    int threads;
    int inherit;                 /* 1: one group of sets in this thread, inherited by others */
    int built;                   /* per-thread sets exist */
    int n_sets;                  /* event sets per thread: one per PAPI component */
    int set_cidx[CTR_MAX];       /* the component of each set */
    int ev_set[CTR_MAX];         /* the set of each event; -1 for events not counted */
    int *es;                     /* [thread][set] event set handles */
    int *slot;                   /* [thread][event] position in its set, -1 if not added */
    long long sum[CTR_MAX];
};

static unsigned long thread_id(void)
{
    return (unsigned long)pthread_self();
}

/* Creates thread t's event sets and adds the events. 0, or -1 when inherit was asked for and
 * PAPI refused it (the caller then counts per thread). */
static int build_sets(ctr_session *s, int t, int inherit, char *why, size_t len)
{
    int *es = &s->es[t * CTR_MAX], *slot = &s->slot[t * CTR_MAX];
    int filled[CTR_MAX] = {0}, rc;
    for (int k = 0; k < s->n_sets; k++) {
        es[k] = PAPI_NULL;
        PAPI_create_eventset(&es[k]);
        PAPI_assign_eventset_component(es[k], s->set_cidx[k]);
        if (inherit) {
            PAPI_option_t opt;
            memset(&opt, 0, sizeof opt);
            opt.inherit.eventset = es[k];
            opt.inherit.inherit = PAPI_INHERIT_ALL;
            if ((rc = PAPI_set_opt(PAPI_INHERIT, &opt)) != PAPI_OK) {
                papi_why("PAPI_set_opt(PAPI_INHERIT)", rc, why, len);
                for (int j = 0; j <= k; j++)
                    PAPI_destroy_eventset(&es[j]);
                return -1;
            }
        }
    }
    for (int i = 0; i < s->plan->n; i++) {
        int code, k = s->ev_set[i];
        slot[i] = -1;
        if (k < 0)
            continue;
        PAPI_event_name_to_code(s->plan->ev[i].name, &code);
        if ((rc = PAPI_add_event(es[k], code)) == PAPI_OK)
            slot[i] = filled[k]++;
        else
#pragma omp critical(ctr_why)   /* the pool's threads may all fail on one event */
            papi_why("PAPI_add_event", rc, s->out->why[i], CTR_WHY_LEN);
    }
    return 0;
}

ctr_session *ctr_open(const ctr_plan *plan, int threads, ctr_values *out)
{
    char why[CTR_WHY_LEN];
    memset(out, 0, sizeof *out);
    for (int i = 0; i < plan->n; i++)
        snprintf(out->why[i], CTR_WHY_LEN, "%s", plan->ev[i].why);
    int wanted = 0;
    for (int i = 0; i < plan->n; i++)
        wanted |= plan->ev[i].available;
    if (plan->mode != CTR_PAPI || !wanted)
        return NULL;
    ctr_session *s = calloc(1, sizeof *s);
    int rc = PAPI_OK;
    snprintf(why, sizeof why, "out of memory for the counters");
    if (s != NULL) {
        s->threads = threads > 0 ? threads : 1;
        s->es = malloc(sizeof(int) * CTR_MAX * (size_t)s->threads);
        s->slot = malloc(sizeof(int) * CTR_MAX * (size_t)s->threads);
    }
    if (s == NULL || s->es == NULL || s->slot == NULL || papi_init(why, sizeof why) != 0 ||
        (rc = PAPI_thread_init(thread_id)) != PAPI_OK) {
        if (rc != PAPI_OK)
            papi_why("PAPI_thread_init", rc, why, sizeof why);
        for (int i = 0; i < plan->n; i++)
            if (plan->ev[i].available)
                snprintf(out->why[i], CTR_WHY_LEN, "%s", why);
        if (s != NULL) {
            free(s->es);
            free(s->slot);
        }
        free(s);
        return NULL;
    }
    s->plan = plan;
    s->out = out;
    for (int i = 0; i < CTR_MAX * s->threads; i++) {
        s->es[i] = PAPI_NULL;
        s->slot[i] = -1;   /* a thread that never joins the team counts nothing */
    }
    for (int i = 0; i < plan->n; i++) {
        int code;
        s->ev_set[i] = -1;
        if (!plan->ev[i].available || PAPI_event_name_to_code(plan->ev[i].name, &code) != PAPI_OK)
            continue;
        int cidx = PAPI_get_event_component(code), k = 0;
        while (k < s->n_sets && s->set_cidx[k] != cidx)
            k++;
        if (k == s->n_sets)
            s->set_cidx[s->n_sets++] = cidx;
        s->ev_set[i] = k;
    }
    /* Inherited counters must exist before the implementation starts its threads. */
    if (build_sets(s, 0, 1, why, sizeof why) == 0) {
        s->inherit = s->built = 1;
        snprintf(out->scope, sizeof out->scope, "all threads (inherited)");
    } else {
        snprintf(out->scope, sizeof out->scope, "OpenMP pool, %d thread%s", s->threads,
                 s->threads > 1 ? "s" : "");
    }
    return s;
}

/* Starts (or stops, adding into s->sum) thread t's sets. */
static void start_stop_thread(ctr_session *s, int t, int stop)
{
    long long values[CTR_MAX];
    for (int k = 0; k < s->n_sets; k++) {
        int es = s->es[t * CTR_MAX + k], rc;
        rc = stop ? PAPI_stop(es, values) : PAPI_start(es);
        for (int i = 0; i < s->plan->n; i++) {
            int at = s->slot[t * CTR_MAX + i];
            if (s->ev_set[i] != k || at < 0)
                continue;
            if (rc != PAPI_OK) {
#pragma omp critical(ctr_why)
                papi_why(stop ? "PAPI_stop" : "PAPI_start", rc, s->out->why[i], CTR_WHY_LEN);
                s->slot[t * CTR_MAX + i] = -1;
            } else if (stop) {
#pragma omp atomic
                s->sum[i] += values[at];
            }
        }
    }
}

void ctr_start(ctr_session *s)
{
    if (s == NULL)
        return;
    if (s->inherit) {
        start_stop_thread(s, 0, 0);
        return;
    }
    /* The pool exists by now (warm-up ran); each of its threads counts itself. */
    int first = !s->built, team = 0;
#pragma omp parallel num_threads(s->threads)
    {
        int t = omp_get_thread_num();
        char ignored[CTR_WHY_LEN];
        if (first)
            build_sets(s, t, 0, ignored, sizeof ignored);
#pragma omp barrier
        start_stop_thread(s, t, 0);
#pragma omp master
        team = omp_get_num_threads();
    }
    if (team != s->threads)   /* OMP_THREAD_LIMIT or OMP_DYNAMIC gave fewer threads */
        for (int i = 0; i < s->plan->n; i++)
            if (s->ev_set[i] >= 0)
                snprintf(s->out->why[i], CTR_WHY_LEN, "OpenMP gave %d threads, not the case's "
                         "%d: the counts would miss threads", team, s->threads);
    s->built = 1;
}

void ctr_stop(ctr_session *s)
{
    if (s == NULL)
        return;
    if (s->inherit)
        start_stop_thread(s, 0, 1);
    else {
#pragma omp parallel num_threads(s->threads)
        start_stop_thread(s, omp_get_thread_num(), 1);
    }
}

void ctr_finish(ctr_session *s, int reps)
{
    if (s == NULL)
        return;
    int team = s->inherit ? 1 : s->threads;
    s->out->reps = reps;
    for (int i = 0; i < s->plan->n; i++) {
        int everywhere = s->ev_set[i] >= 0;
        for (int t = 0; t < team; t++)
            everywhere &= s->slot[t * CTR_MAX + i] >= 0;
        if (everywhere && reps > 0) {
            s->out->ok[i] = 1;
            s->out->value[i] = (double)s->sum[i] / reps;
            s->out->why[i][0] = '\0';
        }
    }
}
