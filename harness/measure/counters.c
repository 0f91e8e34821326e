/* counters.c: event counting for a case. The plan is probed in the parent, one event at a
 * time, so a missing event costs only its own column. The child counts PAPI's events with
 * counters that its threads inherit where the kernel allows that, and otherwise with one event
 * set per thread of the OpenMP pool (which OpenBLAS and oneDNN share with our kernels); the
 * software events PAPI cannot count, with inherited perf_event_open counters (swevents.c). */
#include "counters.h"

#include "papi_start.h"
#include "sim.h"
#include "swevents.h"

#include <papi.h>

#include <ctype.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What `counters = auto` asks for: cache misses at each level, cycles, instructions, and the
 * kernel's software events (which count even where the CPU's PMU is hidden, and through
 * perf_event_open where PAPI counts nothing). */
static const char *const auto_events[] = {
    "PAPI_L1_DCM", "PAPI_L2_DCM", "PAPI_L3_TCM", "PAPI_TOT_CYC", "PAPI_TOT_INS",
    "perf::PAGE-FAULTS", "perf::MINOR-FAULTS", "perf::MAJOR-FAULTS", "perf::CONTEXT-SWITCHES",
    "perf::CPU-MIGRATIONS", "perf::TASK-CLOCK"};

/* What `counters = sim` reports, from callgrind's cache simulation (see sim.c). */
static const char *const sim_events[] = {
#define SIM_EVENT_NAME(id) "SIM_" #id,
    SIM_EVENT_LIST(SIM_EVENT_NAME)
#undef SIM_EVENT_NAME
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *ctr_source_name(int source)
{
    static const char *const names[] = {
#define CTR_SOURCE_NAME(id, name) name,
        CTR_SOURCE_LIST(CTR_SOURCE_NAME)
#undef CTR_SOURCE_NAME
    };
    return source >= 0 && source < (int)N_OF(names) ? names[source] : "?";
}

void ctr_column_name(const char *event, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "ctr_");
    for (; *event && n + 1 < len; event++, n++) {
        unsigned char ch = (unsigned char)tolower((unsigned char)*event);
        out[n] = (char)((islower(ch) || isdigit(ch)) ? ch : '_');
    }
    out[n < len ? n : len - 1] = '\0';
}

/* Can this event be added to a set of its own and counted? 0, or -1 with why. */
static int probe_event(const char *name, char *why, size_t len)
{
    int code, es = PAPI_NULL, rc;
    long long value;
    if ((rc = PAPI_event_name_to_code(name, &code)) != PAPI_OK) {
        ctr_papi_why("PAPI_event_name_to_code", rc, why, len);
        return -1;
    }
    if ((rc = PAPI_create_eventset(&es)) != PAPI_OK) {
        ctr_papi_why("PAPI_create_eventset", rc, why, len);
        return -1;
    }
    if ((rc = PAPI_add_event(es, code)) != PAPI_OK)
        ctr_papi_why("PAPI_add_event", rc, why, len);
    else if ((rc = PAPI_start(es)) != PAPI_OK)
        ctr_papi_why("PAPI_start", rc, why, len);
    else if ((rc = PAPI_stop(es, &value)) != PAPI_OK)
        ctr_papi_why("PAPI_stop", rc, why, len);
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

/* The start-of-run line: what is measured, by what, and why the rest is not. */
static void plan_note(ctr_plan *plan)
{
    size_t n = 0, len = sizeof plan->note;
    int missing = 0, first_missing = -1, by_perf = 0, first_perf = -1;
    for (int i = 0; i < plan->n; i++) {
        if (!plan->ev[i].available && missing++ == 0)
            first_missing = i;
        if (plan->ev[i].available && plan->ev[i].source == CTR_SRC_PERF && by_perf++ == 0)
            first_perf = i;
    }
    if (missing == 0 && by_perf == 0)
        return;
    n += (size_t)snprintf(plan->note + n, len - n, "counters:");
    if (missing > 0) {
        n += (size_t)snprintf(plan->note + n, len - n, " not available here:");
        for (int i = 0; i < plan->n && n < len; i++)
            if (!plan->ev[i].available)
                n += (size_t)snprintf(plan->note + n, len - n, " %s", plan->ev[i].name);
        if (n < len)
            n += (size_t)snprintf(plan->note + n, len - n, " (%s%s)",
                                  missing > 1 ? "first: " : "", plan->ev[first_missing].why);
    }
    if (n < len && missing < plan->n) {
        n += (size_t)snprintf(plan->note + n, len - n, "%smeasuring", missing ? "; " : " ");
        for (int i = 0; i < plan->n && n < len; i++)
            if (plan->ev[i].available)
                n += (size_t)snprintf(plan->note + n, len - n, " %s", plan->ev[i].name);
    }
    /* PAPI's reason is quoted once: above when some event is missing, here otherwise. */
    if (n < len && by_perf > 0 && missing > 0)
        n += (size_t)snprintf(plan->note + n, len - n, "; %s through perf_event_open, as PAPI "
                              "cannot count %s", by_perf > 1 ? "the software events"
                                                              : plan->ev[first_perf].name,
                              by_perf > 1 ? "them" : "it");
    else if (n < len && by_perf > 0)
        n += (size_t)snprintf(plan->note + n, len - n, " through perf_event_open (PAPI: %s)",
                              plan->ev[first_perf].why);
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
            plan->ev[i].source = CTR_SRC_CALLGRIND;
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
    int init = ctr_papi_init(why, sizeof why);
    if (init == -2) {   /* the switch named a component PAPI does not have: bad input */
        snprintf(err, err_len, "%s", why);
        return 2;
    }
    for (int i = 0; i < plan->n; i++) {
        ctr_event *e = &plan->ev[i];
        int sw = swev_lookup(e->name);
        char perf_why[CTR_WHY_LEN];
        e->source = CTR_SRC_PAPI;
        if (init != 0)
            snprintf(e->why, sizeof e->why, "%s", why);
        else
            e->available = probe_event(e->name, e->why, sizeof e->why) == 0;
        if (e->available || sw < 0)
            continue;
        /* A software event PAPI cannot count: the kernel counts it all the same. */
        if (swev_probe(sw, perf_why, sizeof perf_why) == 0) {
            e->available = 1;
            e->source = CTR_SRC_PERF;   /* why keeps PAPI's reason, for the note */
        } else {
            size_t at = strlen(e->why);
            snprintf(e->why + at, sizeof e->why - at, "; %s", perf_why);
        }
    }
    if (init == 0)
        PAPI_shutdown();   /* each case's child starts PAPI afresh */
    plan_note(plan);
    return 0;
}

/* ---- counting in a case's child ---- */

struct ctr_session {
    const ctr_plan *plan;
    ctr_values *out;
    int threads;
    /* PAPI's events */
    int papi;                    /* PAPI started, and its sets exist or will */
    int inherit;                 /* 1: one group of sets in this thread, inherited by others */
    int built;                   /* per-thread sets exist */
    int n_sets;                  /* event sets per thread: one per PAPI component */
    int set_cidx[CTR_MAX];       /* the component of each set */
    int ev_set[CTR_MAX];         /* the set of each event; -1 for events not counted */
    int *es;                     /* [thread][set] event set handles */
    int *slot;                   /* [thread][event] position in its set, -1 if not added */
    /* perf_event_open's */
    int fd[CTR_MAX];             /* inherited counter of each event; -1 for the others */
    long long at_start[CTR_MAX]; /* its value when the repetition started */
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
                ctr_papi_why("PAPI_set_opt(PAPI_INHERIT)", rc, why, len);
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
            ctr_papi_why("PAPI_add_event", rc, s->out->why[i], CTR_WHY_LEN);
    }
    return 0;
}

/* Starts PAPI and sorts the plan's PAPI events into one set per component. 0, or -1 with the
 * reason in the events' why. */
static int papi_open(ctr_session *s)
{
    const ctr_plan *plan = s->plan;
    char why[CTR_WHY_LEN];
    int rc = PAPI_OK;
    snprintf(why, sizeof why, "out of memory for the counters");
    s->es = malloc(sizeof(int) * CTR_MAX * (size_t)s->threads);
    s->slot = malloc(sizeof(int) * CTR_MAX * (size_t)s->threads);
    if (s->es == NULL || s->slot == NULL || ctr_papi_init(why, sizeof why) != 0 ||
        (rc = PAPI_thread_init(thread_id)) != PAPI_OK) {
        if (rc != PAPI_OK)
            ctr_papi_why("PAPI_thread_init", rc, why, sizeof why);
        for (int i = 0; i < plan->n; i++)
            if (plan->ev[i].available && plan->ev[i].source == CTR_SRC_PAPI)
                snprintf(s->out->why[i], CTR_WHY_LEN, "%s", why);
        return -1;
    }
    for (int i = 0; i < CTR_MAX * s->threads; i++) {
        s->es[i] = PAPI_NULL;
        s->slot[i] = -1;   /* a thread that never joins the team counts nothing */
    }
    for (int i = 0; i < plan->n; i++) {
        int code;
        if (!plan->ev[i].available || plan->ev[i].source != CTR_SRC_PAPI ||
            PAPI_event_name_to_code(plan->ev[i].name, &code) != PAPI_OK)
            continue;
        int cidx = PAPI_get_event_component(code), k = 0;
        while (k < s->n_sets && s->set_cidx[k] != cidx)
            k++;
        if (k == s->n_sets)
            s->set_cidx[s->n_sets++] = cidx;
        s->ev_set[i] = k;
    }
    /* Inherited counters must exist before the implementation starts its threads. */
    if (build_sets(s, 0, 1, why, sizeof why) == 0)
        s->inherit = s->built = 1;
    return 0;
}

ctr_session *ctr_open(const ctr_plan *plan, int threads, ctr_values *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < plan->n; i++)
        snprintf(out->why[i], CTR_WHY_LEN, "%s", plan->ev[i].why);
    int want_papi = 0, want_perf = 0;
    for (int i = 0; i < plan->n; i++)
        if (plan->ev[i].available) {
            want_papi |= plan->ev[i].source == CTR_SRC_PAPI;
            want_perf |= plan->ev[i].source == CTR_SRC_PERF;
        }
    if (plan->mode != CTR_PAPI || !(want_papi || want_perf))
        return NULL;
    ctr_session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        for (int i = 0; i < plan->n; i++)
            if (plan->ev[i].available)
                snprintf(out->why[i], CTR_WHY_LEN, "out of memory for the counters");
        return NULL;
    }
    s->plan = plan;
    s->out = out;
    s->threads = threads > 0 ? threads : 1;
    for (int i = 0; i < CTR_MAX; i++) {
        s->ev_set[i] = -1;
        s->fd[i] = -1;
    }
    /* Like PAPI's inherited sets, these exist before the implementation's threads do. */
    for (int i = 0; i < plan->n; i++)
        if (plan->ev[i].available && plan->ev[i].source == CTR_SRC_PERF)
            s->fd[i] = swev_open(swev_lookup(plan->ev[i].name), out->why[i], CTR_WHY_LEN);
    if (want_papi)
        s->papi = papi_open(s) == 0;
    /* perf_event_open's counters are always inherited; PAPI's are where the kernel allows. */
    if (s->papi && !s->inherit)
        snprintf(out->scope, sizeof out->scope, "OpenMP pool, %d thread%s%s", s->threads,
                 s->threads > 1 ? "s" : "",
                 want_perf ? " (PAPI); all threads, inherited (perf_event_open)" : "");
    else
        snprintf(out->scope, sizeof out->scope, "all threads (inherited)");
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
                ctr_papi_why(stop ? "PAPI_stop" : "PAPI_start", rc, s->out->why[i], CTR_WHY_LEN);
                s->slot[t * CTR_MAX + i] = -1;
            } else if (stop) {
#pragma omp atomic
                s->sum[i] += values[at];
            }
        }
    }
}

static void papi_start(ctr_session *s)
{
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

/* Reads each perf_event_open counter: at the start of a repetition, or at its end (adding the
 * difference). A counter that cannot be read is closed, and its event has no value. */
static void perf_read_all(ctr_session *s, int stop)
{
    for (int i = 0; i < s->plan->n; i++) {
        long long v;
        if (s->fd[i] < 0)
            continue;
        if (swev_read(s->fd[i], &v) != 0) {
            snprintf(s->out->why[i], CTR_WHY_LEN, "perf_event_open(%s): the counter could not "
                     "be read", s->plan->ev[i].name);
            close(s->fd[i]);
            s->fd[i] = -1;
        } else if (stop) {
            s->sum[i] += v - s->at_start[i];
        } else {
            s->at_start[i] = v;
        }
    }
}

void ctr_start(ctr_session *s)
{
    if (s == NULL)
        return;
    perf_read_all(s, 0);
    if (s->papi)
        papi_start(s);
}

void ctr_stop(ctr_session *s)
{
    if (s == NULL)
        return;
    if (s->papi && s->inherit) {
        start_stop_thread(s, 0, 1);
    } else if (s->papi) {
#pragma omp parallel num_threads(s->threads)
        start_stop_thread(s, omp_get_thread_num(), 1);
    }
    perf_read_all(s, 1);
}

void ctr_finish(ctr_session *s, int reps)
{
    if (s == NULL)
        return;
    int team = s->inherit ? 1 : s->threads;
    s->out->reps = reps;
    for (int i = 0; i < s->plan->n; i++) {
        int counted;
        if (s->plan->ev[i].source == CTR_SRC_PERF) {
            counted = s->fd[i] >= 0;
        } else {
            counted = s->papi && s->ev_set[i] >= 0;
            for (int t = 0; t < team && counted; t++)
                counted &= s->slot[t * CTR_MAX + i] >= 0;
        }
        if (counted && reps > 0) {
            s->out->ok[i] = 1;
            s->out->value[i] = (double)s->sum[i] / reps;
            s->out->why[i][0] = '\0';
        }
    }
}
