/* out_csv.c: the CSV writer. Columns follow DESIGN.md in order; a value that was not measured
 * is an empty field, never 0. */
#include "out_csv.h"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const csv_columns =
    "impl,batch,heads,kv_heads,seq_q,seq_kv,head_dim,causal,dist,threads,status,reason,reps,"
    "time_min_s,time_median_s,time_mean_s,time_stddev_s,gflops,max_abs_err,rel_l2_err,"
    "peak_rss_delta_bytes,workspace_bytes";

/* After the counters (whose number varies), the memory and roofline columns. */
static const char *const csv_extra_columns =
    "cache,page_faults,min_footprint_bytes,arith_intensity,pct_peak,os_threads,"
    "noisy,invol_cs,cpu_migrations,steal_pct,spread_pct";

FILE *out_csv_open(const char *path, const ctr_plan *plan)
{
    FILE *f = fopen(path, "we");   /* close-on-exec: no case or valgrind child inherits it */
    if (f == NULL)
        return NULL;
    fputs(csv_columns, f);
    for (int i = 0; i < plan->n; i++)
        fprintf(f, ",%s", plan->ev[i].column);
    fprintf(f, ",%s\n", csv_extra_columns);
    fflush(f);
    return f;
}

void out_csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void num_field(FILE *f, int measured, const char *fmt, double v)
{
    fputc(',', f);
    if (measured)
        fprintf(f, fmt, v);
}

static void bytes_field(FILE *f, long long v)
{
    fputc(',', f);
    if (v >= 0)
        fprintf(f, "%lld", v);
}

static void write_row(FILE *f, const sweep_problem *sp, const attn_impl *impl, int threads,
                      const case_result *res, const ctr_plan *plan)
{
    const attn_problem *p = &sp->p;
    int timed = res->reps > 0;

    out_csv_field(f, impl->name);
    fprintf(f, ",%d,%d,%d,%d,%d,%d,%s,%s,%d,%s,", p->batch, p->heads, p->kv_heads, p->seq_q,
            p->seq_kv, p->head_dim, p->causal ? "true" : "false", cfg_dist_name(sp->dist), threads,
            status_name(res->status));
    out_csv_field(f, res->reason);
    fprintf(f, ",%d", res->reps);
    num_field(f, timed, "%.9g", res->t_min);
    num_field(f, timed, "%.9g", res->t_median);
    num_field(f, timed, "%.9g", res->t_mean);
    num_field(f, timed, "%.9g", res->t_stddev);
    num_field(f, timed && res->gflops > 0, "%.6g", res->gflops);
    num_field(f, res->checked && res->check.nonfinite == 0, "%.6g", res->check.max_abs_err);
    num_field(f, res->checked && res->check.nonfinite == 0, "%.6g", res->check.rel_l2_err);
    bytes_field(f, res->peak_rss_delta);
    bytes_field(f, res->workspace);
    for (int i = 0; i < plan->n; i++)
        num_field(f, res->ctr.ok[i], "%.15g", res->ctr.value[i]);   /* counts stay exact */
    fputs(res->cold ? ",cold" : ",warm", f);
    bytes_field(f, res->page_faults);
    num_field(f, 1, "%.0f", sweep_min_bytes(p));
    num_field(f, 1, "%.6g", res->flops / sweep_min_bytes(p));
    num_field(f, timed && res->pct_peak >= 0, "%.4g", res->pct_peak);
    num_field(f, res->os_threads > 0, "%.0f", res->os_threads);
    /* Noise: the mark, then what it was judged on (noise.h has the thresholds). */
    const noise_verdict *nv = &res->noisy;
    num_field(f, nv->measured, "%.0f", nv->noisy);
    num_field(f, nv->measured && res->noise.invol_cs >= 0, "%.0f", (double)res->noise.invol_cs);
    num_field(f, nv->measured && res->noise.migrations >= 0, "%.0f",
              (double)res->noise.migrations);
    num_field(f, nv->measured && nv->steal_pct >= 0, "%.3g", nv->steal_pct);
    num_field(f, nv->measured, "%.3g", nv->spread_pct);
}

char *out_csv_format_row(const sweep_problem *sp, const attn_impl *impl, int threads,
                         const case_result *res, const ctr_plan *plan)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    write_row(f, sp, impl, threads, res, plan);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

int out_csv_append(FILE *f, const char *row)
{
    if (fprintf(f, "%s\n", row) < 0 || fflush(f) != 0)
        return -1;
    return fsync(fileno(f));   /* a power cut keeps every finished row */
}

void out_csv_row(FILE *f, const sweep_problem *sp, const attn_impl *impl, int threads,
                 const case_result *res, const ctr_plan *plan)
{
    write_row(f, sp, impl, threads, res, plan);
    fputc('\n', f);
    fflush(f);
}
