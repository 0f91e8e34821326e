/* plot_facet.c: ranks the values of each problem field among a figure's points and chooses
 * which fields make panels and which make files. */
#include "plot_facet.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long field_num(const plot_point *p, int f)
{
    const results_case *c = p->c;
    switch (f) {
    case FACET_THREADS:  return c->threads;
    case FACET_BATCH:    return c->batch;
    case FACET_HEAD_DIM: return c->head_dim;
    case FACET_SEQ_Q:    return c->seq_q == c->seq_kv ? 0 : c->seq_q;
    case FACET_SEQ:      return c->seq_kv;
    case FACET_CAUSAL:   /* the whole mask: window edges and alignment, one number */
        return ((long)(c->var.window_left + 1) << 32) | ((long)(c->var.window_right + 1) << 1) |
               c->var.top_left;
    case FACET_KV:       return c->kv_heads == c->heads ? 0 : c->kv_heads;
    case FACET_HEADS:    return c->heads;
    default:             return 0;
    }
}

static const char *field_str(const plot_point *p, int f)
{
    switch (f) {
    case FACET_EVENT: return p->event ? p->event : "";
    case FACET_CACHE: return p->c->cache;
    case FACET_DTYPE: return p->c->dtype;
    case FACET_DIST:  return p->c->dist;
    case FACET_VARIANT: return p->c->var_words;
    default:          return "";
    }
}

static int value_cmp(const plot_point *a, const plot_point *b, int f)
{
    long x = field_num(a, f), y = field_num(b, f);
    if (x != y)
        return x < y ? -1 : 1;
    return strcmp(field_str(a, f), field_str(b, f));
}

/* Binary search of the sorted distinct values reps[0..d) for p's value of f: 1 when found;
 * *pos gets its index, or where it would go. */
static int find_value(const plot_point **reps, int d, const plot_point *p, int f, int *pos)
{
    int lo = 0, hi = d;
    while (lo < hi) {
        int mid = (lo + hi) / 2, c = value_cmp(reps[mid], p, f);
        if (c == 0) {
            *pos = mid;
            return 1;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return 0;
}

static int point_cmp(const void *va, const void *vb)
{
    const plot_point *a = va, *b = vb;
    for (int f = 0; f < FACET_N; f++)
        if (a->rank[f] != b->rank[f])
            return a->rank[f] < b->rank[f] ? -1 : 1;
    if (a->impl != b->impl)
        return a->impl < b->impl ? -1 : 1;
    return (a->x > b->x) - (a->x < b->x);
}

int facet_plan_make(plot_point *pts, int n, unsigned mask, unsigned file_only, facet_plan *fp)
{
    int counts[FACET_N] = {0};
    const plot_point **reps = malloc(sizeof *reps * (size_t)(n > 0 ? n : 1));
    if (reps == NULL)
        return -1;
    memset(fp, 0, sizeof *fp);
    for (int i = 0; i < n; i++)
        memset(pts[i].rank, 0, sizeof pts[i].rank);
    for (int f = 0; f < FACET_N; f++) {
        if (!(mask & FACET_BIT(f)))
            continue;
        int d = 0, pos;
        for (int i = 0; i < n; i++)
            if (!find_value(reps, d, &pts[i], f, &pos)) {
                memmove(reps + pos + 1, reps + pos, sizeof *reps * (size_t)(d - pos));
                reps[pos] = &pts[i];
                d++;
            }
        for (int i = 0; i < n; i++) {
            find_value(reps, d, &pts[i], f, &pos);
            pts[i].rank[f] = pos;
        }
        counts[f] = d;
        if (d > 1)
            fp->vary |= FACET_BIT(f);
    }
    free(reps);
    /* Panels take the innermost varying fields, a contiguous run of them, so that a file's
     * panels differ only in the fields that change fastest. */
    int product = 1;
    for (int f = FACET_N - 1; f >= 0; f--) {
        if (!(fp->vary & FACET_BIT(f)))
            continue;
        int fits = fp->panel == 0 || product * counts[f] <= FACET_MAX_PANELS;
        if (fp->file == 0 && fits && !(file_only & FACET_BIT(f))) {
            fp->panel |= FACET_BIT(f);
            product *= counts[f];
        } else {
            fp->file |= FACET_BIT(f);
        }
    }
    qsort(pts, (size_t)n, sizeof *pts, point_cmp);
    return 0;
}

int facet_same(const plot_point *a, const plot_point *b, unsigned fields)
{
    for (int f = 0; f < FACET_N; f++)
        if ((fields & FACET_BIT(f)) && a->rank[f] != b->rank[f])
            return 0;
    return 1;
}

int facet_count(const plot_point *pts, int n, int f)
{
    int d = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = pts[j].rank[f] == pts[i].rank[f];
        d += !seen;
    }
    return d;
}

const char *facet_event_source(const char *event)
{
    return strncmp(event, "SIM_", 4) == 0 ? "simulated (callgrind, one thread)"
                                          : "hardware counters (PAPI)";
}

/* The case's mask in words ("causal mask", "window 256:0, top-left"), or as a file name's part
 * ("causal", "win256-0-tl") when slug. */
static void mask_words(const results_case *c, int slug, char *out, size_t len)
{
    const results_variant *m = &c->var;
    if (m->window_left < 0 && m->window_right < 0)
        snprintf(out, len, "%s", slug ? "full" : "no mask");
    else if (m->window_left < 0 && m->window_right == 0)
        snprintf(out, len, "%s", slug ? "causal" : "causal mask");
    else
        snprintf(out, len, slug ? "win%d-%d" : "window %d:%d", m->window_left, m->window_right);
    if (m->top_left) {
        size_t at = strlen(out);
        snprintf(out + at, len > at ? len - at : 0, "%s", slug ? "-tl" : ", top-left");
    }
}

static void label(const plot_point *p, int f, char *out, size_t len)
{
    const results_case *c = p->c;
    switch (f) {
    case FACET_EVENT:
        snprintf(out, len, "%s, %s", p->event, facet_event_source(p->event));
        break;
    case FACET_THREADS:
        snprintf(out, len, "%d thread%s", c->threads, c->threads == 1 ? "" : "s");
        break;
    case FACET_CACHE:    snprintf(out, len, "%s cache", c->cache); break;
    case FACET_DTYPE:    snprintf(out, len, "%s data", c->dtype); break;
    case FACET_DIST:     snprintf(out, len, "%s inputs", c->dist); break;
    case FACET_BATCH:    snprintf(out, len, "B=%d", c->batch); break;
    case FACET_HEAD_DIM: snprintf(out, len, "d=%d", c->head_dim); break;
    case FACET_SEQ_Q:
        if (c->seq_q == c->seq_kv)
            snprintf(out, len, "seq_q = seq_kv");
        else
            snprintf(out, len, "seq_q=%d", c->seq_q);
        break;
    case FACET_SEQ:
        snprintf(out, len, c->seq_q == c->seq_kv ? "N=%d" : "seq_kv=%d", c->seq_kv);
        break;
    case FACET_CAUSAL:   mask_words(c, 0, out, len); break;
    case FACET_VARIANT:
        snprintf(out, len, "%s", c->var_words[0] ? c->var_words : "plain scores");
        break;
    case FACET_KV:
        if (c->kv_heads == c->heads)
            snprintf(out, len, "KV=H");
        else
            snprintf(out, len, "KV=%d", c->kv_heads);
        break;
    case FACET_HEADS:    snprintf(out, len, "H=%d", c->heads); break;
    default:             out[0] = '\0';
    }
}

void facet_describe(const plot_point *p, unsigned fields, char *out, size_t len)
{
    char one[256];
    size_t used = 0;
    out[0] = '\0';
    for (int f = 0; f < FACET_N; f++) {
        if (!(fields & FACET_BIT(f)))
            continue;
        label(p, f, one, sizeof one);
        int k = snprintf(out + used, len - used, "%s%s", used ? ", " : "", one);
        if (k < 0 || (size_t)k >= len - used)
            return;
        used += (size_t)k;
    }
}

/* Appends s to out as lower-case letters and digits, anything else as '-'. */
static void append_clean(char *out, size_t len, const char *s)
{
    size_t used = strlen(out);
    for (; *s && used + 1 < len; s++)
        out[used++] = isalnum((unsigned char)*s) ? (char)tolower((unsigned char)*s) : '-';
    out[used] = '\0';
}

void facet_slug(const plot_point *p, unsigned fields, char *out, size_t len)
{
    const results_case *c = p->c;
    char one[128];
    out[0] = '\0';
    for (int f = 0; f < FACET_N; f++) {
        if (!(fields & FACET_BIT(f)))
            continue;
        switch (f) {
        case FACET_EVENT:    snprintf(one, sizeof one, "%s", p->event); break;
        case FACET_THREADS:  snprintf(one, sizeof one, "t%d", c->threads); break;
        case FACET_CACHE:    snprintf(one, sizeof one, "%s", c->cache); break;
        case FACET_DTYPE:    snprintf(one, sizeof one, "%s", c->dtype); break;
        case FACET_DIST:     snprintf(one, sizeof one, "%s", c->dist); break;
        case FACET_BATCH:    snprintf(one, sizeof one, "b%d", c->batch); break;
        case FACET_HEAD_DIM: snprintf(one, sizeof one, "d%d", c->head_dim); break;
        case FACET_SEQ_Q:
            if (c->seq_q == c->seq_kv)
                snprintf(one, sizeof one, "qkv");
            else
                snprintf(one, sizeof one, "q%d", c->seq_q);
            break;
        case FACET_SEQ:      snprintf(one, sizeof one, "n%d", c->seq_kv); break;
        case FACET_CAUSAL:   mask_words(c, 1, one, sizeof one); break;
        case FACET_VARIANT:
            snprintf(one, sizeof one, "%s", c->var_words[0] ? c->var_words : "plain");
            break;
        case FACET_KV:
            if (c->kv_heads == c->heads)
                snprintf(one, sizeof one, "kvh");
            else
                snprintf(one, sizeof one, "kv%d", c->kv_heads);
            break;
        default:             snprintf(one, sizeof one, "h%d", c->heads); break;
        }
        if (out[0] != '\0')
            append_clean(out, len, "-");
        append_clean(out, len, one);
    }
}
