/* html_table.c: the results table of index.html and the few lines of script that sort it: each
 * number cell carries its raw value (data-v), so sorting is numeric whatever the display unit.
 * Its columns are result_fields.h's rows that have an HTML header, in their order. */
#include "html_table.h"

#include "result_fields.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

void html_text(FILE *f, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&':  fputs("&amp;", f); break;
        case '<':  fputs("&lt;", f); break;
        case '>':  fputs("&gt;", f); break;
        case '"':  fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:   fputc(*s, f);
        }
}

static void fmt_time(FILE *f, double s)
{
    if (s < 1e-6)
        fprintf(f, "%.0f ns", s * 1e9);
    else if (s < 1e-3)
        fprintf(f, "%.1f &micro;s", s * 1e6);
    else if (s < 1)
        fprintf(f, "%.2f ms", s * 1e3);
    else
        fprintf(f, "%.3f s", s);
}

static void fmt_bytes(FILE *f, double b)
{
    if (b < 1024)
        fprintf(f, "%.0f B", b);
    else if (b < 1024.0 * 1024)
        fprintf(f, "%.1f KiB", b / 1024);
    else if (b < 1024.0 * 1024 * 1024)
        fprintf(f, "%.1f MiB", b / (1024.0 * 1024));
    else
        fprintf(f, "%.2f GiB", b / (1024.0 * 1024 * 1024));
}

static void cell(FILE *f, json_t *v, rf_html_format fmt, const char *field)
{
    if (fmt == RF_HTML_NOISE) {   /* the case's noise object: a mark, and what set it */
        const char *why = json_string_value(json_object_get(v, "why"));
        fputs(why != NULL ? "<td class=\"noisy\" title=\"" : "<td>", f);
        if (why != NULL) {
            html_text(f, why);
            fputs("\">noisy", f);
        }
        fputs("</td>", f);
        return;
    }
    if (fmt == RF_HTML_TEXT) {
        const char *s = json_is_string(v) ? json_string_value(v)
                        : json_is_true(v) ? "true" : json_is_false(v) ? "false" : "";
        /* Results from before cache modes existed ran warm (as results_read.c reads them). */
        if (v == NULL && strcmp(field, "cache") == 0)
            s = "warm";
        if (strcmp(field, "status") == 0) {
            fputs("<td class=\"st-", f);
            html_text(f, s);
            fputs("\">", f);
        } else {
            fputs("<td>", f);
        }
        html_text(f, s);
        fputs("</td>", f);
        return;
    }
    if (!json_is_number(v) || !isfinite(json_number_value(v))) {
        fputs("<td class=\"num\" data-v=\"\"></td>", f);
        return;
    }
    double x = json_number_value(v);
    fprintf(f, "<td class=\"num\" data-v=\"%.17g\">", x);
    switch (fmt) {
    case RF_HTML_INT:    fprintf(f, "%.0f", x); break;
    case RF_HTML_TIME:   fmt_time(f, x); break;
    case RF_HTML_BYTES:  fmt_bytes(f, x); break;
    case RF_HTML_FIXED2: fprintf(f, "%.2f", x); break;
    case RF_HTML_FIXED1: fprintf(f, "%.1f", x); break;
    case RF_HTML_SCI:    fprintf(f, "%.2e", x); break;
    default:         fprintf(f, "%.3g", x); break;
    }
    fputs("</td>", f);
}

/* Click a header: sort by that column, again: the other way. Empty cells stay last. */
static const char sort_script[] =
    "<script>\n"
    "document.querySelectorAll('table.sortable th').forEach(function (th, col) {\n"
    "  th.addEventListener('click', function () {\n"
    "    var table = th.closest('table'), body = table.tBodies[0];\n"
    "    var rows = Array.prototype.slice.call(body.rows);\n"
    "    var asc = th.getAttribute('aria-sort') !== 'ascending';\n"
    "    table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });\n"
    "    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');\n"
    "    function key(row) {\n"
    "      var c = row.cells[col];\n"
    "      return c.hasAttribute('data-v') ? c.getAttribute('data-v') : c.textContent;\n"
    "    }\n"
    "    rows.sort(function (a, b) {\n"
    "      var x = key(a), y = key(b);\n"
    "      if (x === '' || y === '') return (x === '') - (y === '');\n"
    "      var nx = Number(x), ny = Number(y);\n"
    "      var r = !isNaN(nx) && !isNaN(ny) ? nx - ny\n"
    "                                       : x.localeCompare(y, undefined, {numeric: true});\n"
    "      return asc ? r : -r;\n"
    "    });\n"
    "    rows.forEach(function (r) { body.appendChild(r); });\n"
    "  });\n"
    "});\n"
    "</script>\n";

void html_results_table(FILE *f, const results_file *r)
{
    json_t *cases = json_object_get(r->doc, "cases"), *c;
    size_t i;
    fputs("<div class=\"scroll\"><table id=\"results-table\" class=\"sortable\">\n<thead><tr>", f);
    for (int k = 0; k < RF_N_FIELDS; k++) {
        if (result_fields[k].html_head == NULL)
            continue;
        fputs("<th title=\"", f);
        html_text(f, result_fields[k].name);
        fputs("\">", f);
        html_text(f, result_fields[k].html_head);
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    json_array_foreach(cases, i, c) {
        fputs("<tr>", f);
        for (int k = 0; k < RF_N_FIELDS; k++) {
            const result_field *fd = &result_fields[k];
            if (fd->html_head == NULL)
                continue;
            /* The noise mark shows the case's noise object: what set it. */
            const char *key = fd->html_format == RF_HTML_NOISE ? "noise" : fd->name;
            cell(f, json_object_get(c, key), fd->html_format, fd->name);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    fputs(sort_script, f);
}
