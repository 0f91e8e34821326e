/* html_report.c: writes DIR/index.html: the run's metadata, every figure (PNG shown, SVG
 * linked) with what it shows, and the results table. Every string from the JSON is escaped. */
#include "html_report.h"

#include "html_table.h"
#include "plot_kinds.h"
#include "status.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char style[] =
    "<style>\n"
    "body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em 2em; color: #222; }\n"
    "h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; }\n"
    "h3 { margin: 1.4em 0 0.2em; } .sub, .about { color: #555; margin-top: 0; }\n"
    "table { border-collapse: collapse; }\n"
    "th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }\n"
    "table.meta th { background: #f4f4f4; white-space: nowrap; }\n"
    "table.sortable th { background: #f4f4f4; cursor: pointer; white-space: nowrap; "
    "position: sticky; top: 0; }\n"
    "table.sortable th[aria-sort=ascending]::after { content: ' \\25b2'; }\n"
    "table.sortable th[aria-sort=descending]::after { content: ' \\25bc'; }\n"
    "td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }\n"
    "td.st-PASS { color: #17702a; } td.st-SKIP { color: #777; }\n"
    "td.st-FAIL, td.st-ERROR, td.st-CRASH, td.st-TIMEOUT { color: #b00020; font-weight: bold; }\n"
    "td.noisy { color: #a05a00; font-weight: bold; cursor: help; }\n"
    ".scroll { max-height: 80vh; overflow: auto; border: 1px solid #ddd; }\n"
    "figure { margin: 0.8em 0 1.2em; } figure img { max-width: 100%; border: 1px solid #eee; }\n"
    "figcaption { color: #555; } .note { color: #8a5a00; }\n"
    "code { background: #f4f4f4; padding: 0 3px; }\n"
    "</style>\n";

/* A JSON value as text: strings as they are, reals to 6 digits, the rest as JSON writes it. */
static void json_text(FILE *f, json_t *v)
{
    if (json_is_string(v)) {
        html_text(f, json_string_value(v));
        return;
    }
    if (json_is_real(v)) {
        fprintf(f, "%.6g", json_real_value(v));
        return;
    }
    char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    html_text(f, s ? s : "");
    free(s);
}

static void row_open(FILE *f, const char *head)
{
    fputs("<tr><th>", f);
    html_text(f, head);
    fputs("</th><td>", f);
}

static void row_value(FILE *f, const char *head, json_t *run, const char *field)
{
    json_t *v = json_object_get(run, field);
    if (v == NULL)
        return;
    row_open(f, head);
    json_text(f, v);
    fputs("</td></tr>\n", f);
}

/* "key = value" lines of an object (config, libraries). */
static void row_object(FILE *f, const char *head, json_t *o, const char *sep)
{
    const char *k;
    json_t *v;
    if (json_object_size(o) == 0)
        return;
    row_open(f, head);
    json_object_foreach(o, k, v) {
        fputs("<code>", f);
        html_text(f, k);
        fputs(sep, f);
        json_text(f, v);
        fputs("</code><br>", f);
    }
    fputs("</td></tr>\n", f);
}

static void row_topology(FILE *f, json_t *run)
{
    json_t *t = json_object_get(run, "topology"), *c;
    size_t i;
    row_open(f, "CPU");
    json_text(f, json_object_get(run, "cpu_model"));
    fprintf(f, "; %lld online CPUs",
            (long long)json_integer_value(json_object_get(run, "online_cpus")));
    if (json_is_object(t)) {
        fprintf(f, "; %lld package(s), %lld cores, %lld PUs, %lld NUMA node(s)",
                (long long)json_integer_value(json_object_get(t, "packages")),
                (long long)json_integer_value(json_object_get(t, "cores")),
                (long long)json_integer_value(json_object_get(t, "pus")),
                (long long)json_integer_value(json_object_get(t, "numa_nodes")));
        json_array_foreach(json_object_get(t, "caches"), i, c) {
            fprintf(f, "; L%lld ", (long long)json_integer_value(json_object_get(c, "level")));
            json_text(f, json_object_get(c, "type"));
            fprintf(f, " %lld KiB x %lld",
                    (long long)json_integer_value(json_object_get(c, "size_bytes")) / 1024,
                    (long long)json_integer_value(json_object_get(c, "count")));
        }
    }
    fputs("</td></tr>\n", f);
}

static void row_peaks(FILE *f, json_t *run)
{
    json_t *mp = json_object_get(run, "machine_peaks");
    json_t *th = json_object_get(mp, "threads");
    size_t i;
    json_t *t;
    row_open(f, "machine peaks");
    if (!json_is_object(mp)) {
        fputs("not measured (peaks = off, or not measurable here): no %peak, no roofline", f);
        fputs("</td></tr>\n", f);
        return;
    }
    fputs("<table><tr><th>threads</th><th>peak GFLOP/s (best ISA, FMA)</th>"
          "<th>triad GB/s</th></tr>", f);
    json_array_foreach(th, i, t) {
        fputs("<tr><td class=\"num\">", f);
        json_text(f, t);
        fputs("</td><td class=\"num\">", f);
        json_text(f, json_array_get(json_object_get(mp, "peak_gflops"), i));
        fputs("</td><td class=\"num\">", f);
        json_text(f, json_array_get(json_object_get(mp, "triad_gbps"), i));
        fputs("</td></tr>", f);
    }
    fputs("</table>measured ", f);
    json_text(f, json_object_get(mp, "measured_at"));
    fputs("</td></tr>\n", f);
}

/* 1 when s is one of the run's notes (shown in their own row). */
static int is_note(json_t *run, const char *s)
{
    json_t *v;
    size_t i;
    json_array_foreach(json_object_get(run, "notes"), i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    return 0;
}

/* The counters plan: measured events, then the missing ones grouped by their reason. */
static void row_counters(FILE *f, json_t *run)
{
    json_t *c = json_object_get(run, "counters"), *events = json_object_get(c, "events");
    const char *note = json_string_value(json_object_get(c, "note"));
    size_t n = json_array_size(events);
    int any = 0;
    row_open(f, "counters");
    fputs("mode ", f);
    json_text(f, json_object_get(c, "mode"));
    for (size_t i = 0; i < n; i++) {
        json_t *ev = json_array_get(events, i);
        if (json_is_true(json_object_get(ev, "available"))) {
            fputs(any++ ? ", <code>" : "; measured: <code>", f);
            json_text(f, json_object_get(ev, "name"));
            fputs("</code>", f);
        }
    }
    for (size_t i = 0; i < n; i++) {
        json_t *ev = json_array_get(events, i);
        const char *why = json_string_value(json_object_get(ev, "why"));
        if (json_is_true(json_object_get(ev, "available")))
            continue;
        json_t *next = i + 1 < n ? json_array_get(events, i + 1) : NULL;
        const char *next_why = json_string_value(json_object_get(next, "why"));
        json_t *prev = i > 0 ? json_array_get(events, i - 1) : NULL;
        const char *prev_why = json_string_value(json_object_get(prev, "why"));
        int same_prev = prev && !json_is_true(json_object_get(prev, "available")) && why &&
                        prev_why && strcmp(why, prev_why) == 0;
        int same_next = next && !json_is_true(json_object_get(next, "available")) && why &&
                        next_why && strcmp(why, next_why) == 0;
        fputs(same_prev ? ", <code>" : "<br>not measured: <code>", f);
        json_text(f, json_object_get(ev, "name"));
        fputs("</code>", f);
        if (!same_next) {
            fputs(": ", f);
            html_text(f, why ? why : "(no reason given)");
        }
    }
    if (note != NULL && !is_note(run, note)) {
        fputs("<br>", f);
        html_text(f, note);
    }
    fputs("</td></tr>\n", f);
}

static void row_cases(FILE *f, const results_file *r)
{
    row_open(f, "cases");
    fprintf(f, "%d", r->n);
    for (int s = 0; s < ST_COUNT; s++) {
        int k = 0;
        for (int i = 0; i < r->n; i++)
            k += strcmp(r->cases[i].status, status_name(s)) == 0;
        if (k > 0)
            fprintf(f, ", %d %s", k, status_name(s));
    }
    if (json_is_integer(json_object_get(r->run, "cases_planned")))
        fprintf(f, " (%lld planned)",
                (long long)json_integer_value(json_object_get(r->run, "cases_planned")));
    if (json_is_true(json_object_get(r->run, "interrupted")))
        fputs("; <strong>the run was interrupted</strong>", f);
    fputs("</td></tr>\n", f);
}

static void metadata(FILE *f, const results_file *r)
{
    json_t *run = r->run, *v;
    size_t i;
    fputs("<h2 id=\"run\">Run</h2>\n<table class=\"meta\">\n", f);
    row_value(f, "attnbench", run, "attnbench_version");
    row_value(f, "git commit", run, "git_commit");
    row_value(f, "date", run, "date");
    row_value(f, "host", run, "host");
    row_value(f, "kernel", run, "kernel");
    row_topology(f, run);
    row_value(f, "compiler", run, "compiler");
    row_value(f, "flags", run, "cflags");
    row_object(f, "libraries", json_object_get(run, "libraries"), " ");
    row_open(f, "command");
    json_array_foreach(json_object_get(run, "command_line"), i, v) {
        fputs(i ? " " : "<code>", f);
        json_text(f, v);
    }
    fputs("</code></td></tr>\n", f);
    row_value(f, "config file", run, "config_file");
    row_object(f, "config", json_object_get(run, "config"), " = ");
    row_peaks(f, run);
    row_counters(f, run);
    row_value(f, "binding", run, "bind");
    row_cases(f, r);
    if (json_array_size(json_object_get(run, "notes")) > 0) {
        row_open(f, "notes");
        json_array_foreach(json_object_get(run, "notes"), i, v) {
            fputs(i ? "<br>" : "", f);
            json_text(f, v);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void figures(FILE *f, const html_figures *hf)
{
    fputs("<h2 id=\"figures\">Figures</h2>\n", f);
    for (int k = 0; k < plot_n_kinds; k++) {
        fprintf(f, "<h3 id=\"fig-%s\">", plot_kinds[k].name);
        html_text(f, plot_kinds[k].title);
        fputs("</h3>\n<p class=\"about\">", f);
        html_text(f, plot_kinds[k].about);
        fputs("</p>\n", f);
        if (hf->skipped[k] != NULL) {
            fputs("<p class=\"note\">Not drawn: ", f);
            html_text(f, hf->skipped[k]);
            fputs(".</p>\n", f);
        }
        for (int i = 0; i < hf->n; i++) {
            const plot_fig *g = &hf->figs[i];
            if (g->kind != k)
                continue;
            fputs("<figure><a href=\"plots/", f);
            html_text(f, g->base);
            fputs(".svg\"><img src=\"plots/", f);
            html_text(f, g->base);
            fputs(".png\" alt=\"", f);
            html_text(f, g->title);
            fputs(": ", f);
            html_text(f, g->subtitle);
            fputs("\"></a><figcaption>", f);
            html_text(f, g->title);
            fputs(g->subtitle[0] ? "; " : "", f);
            html_text(f, g->subtitle);
            fputs(" (<a href=\"plots/", f);
            html_text(f, g->base);
            fputs(".png\">PNG</a>, <a href=\"plots/", f);
            html_text(f, g->base);
            fputs(".svg\">SVG</a>)</figcaption></figure>\n", f);
        }
    }
}

int html_report_write(const char *dir, const results_file *r, const html_figures *hf,
                      char *err, size_t len)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/index.html", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        snprintf(err, len, "cannot write %s", tmp);
        return -1;
    }
    const char *date = json_string_value(json_object_get(r->run, "date"));
    const char *host = json_string_value(json_object_get(r->run, "host"));
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<title>attnbench results: ", f);
    html_text(f, date);
    fputs("</title>\n", f);
    fputs(style, f);
    fputs("</head>\n<body>\n<h1>attnbench results</h1>\n<p class=\"sub\">", f);
    html_text(f, date);
    fputs(" on ", f);
    html_text(f, host);
    fputs(" &middot; <a href=\"#run\">run</a> &middot; <a href=\"#figures\">figures</a>:", f);
    for (int k = 0; k < plot_n_kinds; k++) {
        fprintf(f, "%s <a href=\"#fig-%s\">", k ? "," : "", plot_kinds[k].name);
        html_text(f, plot_kinds[k].name);
        fputs("</a>", f);
    }
    fputs(" &middot; <a href=\"#results\">results table</a> &middot; "
          "<a href=\"results.csv\">results.csv</a> &middot; "
          "<a href=\"results.json\">results.json</a></p>\n", f);
    metadata(f, r);
    figures(f, hf);
    fputs("<h2 id=\"results\">Results</h2>\n<p class=\"about\">A row per case, in run order; "
          "click a column header to sort by it, again to reverse.</p>\n", f);
    html_results_table(f, r);
    fputs("</body>\n</html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        snprintf(err, len, "cannot write %s", path);
        remove(tmp);
        return -1;
    }
    return 0;
}
