/* result_fields.c: the field rows of result_fields.h expanded into a table, a value function and
 * the two printed forms every writer shares (a CSV field, the docs' markdown row). */
#include "result_fields.h"

#include "config.h"
#include "dtype.h"
#include "status.h"

#include <string.h>

const result_field result_fields[RF_N_FIELDS] = {
#define RF_ROW(f_name, f_type, f_where, f_measured, f_value, f_csv, f_head, f_hfmt, f_meaning) \
    {#f_name, RF_T_##f_type, f_where, f_csv, f_head, RF_HTML_##f_hfmt, f_meaning},
    RESULT_FIELDS(RF_ROW)
#undef RF_ROW
};

void result_view_init(result_view *v, const sweep_problem *sp, const char *impl, int threads,
                      const case_result *res, const char *repro)
{
    *v = (result_view){.sp = sp, .p = &sp->p, .impl = impl, .threads = threads, .res = res,
                       .repro = repro != NULL ? repro : "", .timed = res->reps > 0,
                       .checked = res->checked && res->check.nonfinite == 0};
}

/* Each type's slot in rf_value. */
#define RF_PUT_INT(out, e) ((out)->i = (long long)(e))
#define RF_PUT_BOOL(out, e) ((out)->i = (e) != 0)
#define RF_PUT_REAL(out, e) ((out)->x = (double)(e))
#define RF_PUT_TEXT(out, e) ((out)->s = (e))

rf_value result_field_value(result_field_id id, const result_view *v)
{
    rf_value out = {0};
    switch (id) {
#define RF_CASE(f_name, f_type, f_where, f_measured, f_value, ...) \
    case RF_##f_name:                                                \
        out.measured = (f_measured) != 0;                            \
        if (out.measured)                                            \
            RF_PUT_##f_type(&out, f_value);                          \
        break;
        RESULT_FIELDS(RF_CASE)
#undef RF_CASE
    default:
        break;
    }
    return out;
}

/* A text as one CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_text(FILE *f, const char *s)
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

void result_field_csv(FILE *f, result_field_id id, const rf_value *val)
{
    const result_field *fd = &result_fields[id];
    if (!val->measured)
        return;
    switch (fd->type) {
    case RF_T_INT:
        fprintf(f, fd->csv_format, val->i);
        break;
    case RF_T_REAL:
        fprintf(f, fd->csv_format, val->x);
        break;
    case RF_T_BOOL:
        if (strcmp(fd->csv_format, "%d") == 0)
            fprintf(f, "%d", (int)val->i);
        else
            fputs(val->i ? "true" : "false", f);
        break;
    case RF_T_TEXT:
        csv_text(f, val->s);
        break;
    }
}

void result_fields_markdown(FILE *f)
{
    static const char *const types[] = {"integer", "number", "boolean", "text"};
    int counters_done = 0;
    fputs("| field | type | in | meaning |\n| --- | --- | --- | --- |\n", f);
    for (int i = 0; i < RF_N_FIELDS; i++) {
        const result_field *fd = &result_fields[i];
        if (!counters_done && (fd->where & RF_CSV_TAIL)) {
            fputs("| `ctr_<event>` | number | CSV | one column per counter event, per "
                  "repetition: `ctr_` and the name lowercased, every other character `_` "
                  "(`PAPI_L1_DCM` -> `ctr_papi_l1_dcm`, `perf::PAGE-FAULTS` -> "
                  "`ctr_perf__page_faults`, `SIM_LL_MISSES` -> `ctr_sim_ll_misses`); JSON: in "
                  "`counters`, with why for each one missing |\n", f);
            counters_done = 1;
        }
        int csv = (fd->where & (RF_CSV | RF_CSV_TAIL)) != 0, json = (fd->where & RF_JSON) != 0;
        fprintf(f, "| `%s` | %s | %s | %s |\n", fd->name, types[fd->type],
                csv && json ? "CSV, JSON" : csv ? "CSV" : "JSON", fd->meaning);
    }
}
