/* out_csv.c: the CSV writer. The columns are result_fields.h's rows in order (the fixed ones
 * of docs/results.md first), one per counter event of the plan between RF_CSV and RF_CSV_TAIL;
 * a value that was not measured is an empty field, never 0. */
#include "out_csv.h"

#include "result_fields.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The fields of one part of the row (RF_CSV or RF_CSV_TAIL), each after a comma but the first
 * of the row. */
static void header_part(FILE *f, int part, int *first)
{
    for (int i = 0; i < RF_N_FIELDS; i++)
        if (result_fields[i].where & part) {
            fprintf(f, "%s%s", *first ? "" : ",", result_fields[i].name);
            *first = 0;
        }
}

FILE *out_csv_open(const char *path, const ctr_plan *plan)
{
    FILE *f = fopen(path, "we");   /* close-on-exec: no case or valgrind child inherits it */
    if (f == NULL)
        return NULL;
    int first = 1;
    header_part(f, RF_CSV, &first);
    for (int i = 0; i < plan->n; i++)
        fprintf(f, ",%s", plan->ev[i].column);
    header_part(f, RF_CSV_TAIL, &first);
    fputc('\n', f);
    fflush(f);
    return f;
}

static void row_part(FILE *f, int part, const result_view *v, int *first)
{
    for (int i = 0; i < RF_N_FIELDS; i++)
        if (result_fields[i].where & part) {
            rf_value val = result_field_value((result_field_id)i, v);
            if (!*first)
                fputc(',', f);
            result_field_csv(f, (result_field_id)i, &val);
            *first = 0;
        }
}

static void write_row(FILE *f, const sweep_problem *sp, const attn_impl *impl, int threads,
                      const case_result *res, const ctr_plan *plan)
{
    result_view v;
    int first = 1;
    result_view_init(&v, sp, impl->name, threads, res, NULL);
    row_part(f, RF_CSV, &v, &first);
    for (int i = 0; i < plan->n; i++) {
        fputc(',', f);
        if (res->ctr.ok[i])
            fprintf(f, "%.15g", res->ctr.value[i]);   /* counts stay exact */
    }
    row_part(f, RF_CSV_TAIL, &v, &first);
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
