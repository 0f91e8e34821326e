/* text.c: suggestions and escaping for messages about input (see text.h). */
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Edit distance, for "did you mean". Names are short; a full table is fine. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[64];
    if (la > 62 || lb > 62)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void text_suggest(const char *word, const char *const *cands, size_t n, char *out, size_t len)
{
    int best = 3;
    const char *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        int dist = edit_distance(word, cands[i]);
        if (dist < best) {
            best = dist;
            pick = cands[i];
        }
    }
    if (pick != NULL)
        snprintf(out, len, " (did you mean '%s'?)", pick);
    else if (len > 0)
        out[0] = '\0';
}

void text_escape(char *s, size_t len)
{
    char *raw = strdup(s);
    size_t n = 0;
    if (raw == NULL || len == 0) {
        free(raw);
        return;
    }
    for (const char *r = raw; *r != '\0'; r++) {
        unsigned char ch = (unsigned char)*r;
        int plain = ch >= 0x20 && ch < 0x7f;
        if (n + (plain ? 1 : 4) >= len)
            break;
        if (plain)
            s[n++] = (char)ch;
        else
            n += (size_t)snprintf(s + n, len - n, "\\x%02x", ch);
    }
    s[n] = '\0';
    free(raw);
}
