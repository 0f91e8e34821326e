/* fuzz_config.c: libFuzzer target for the config reader. The input is read as an INI file, then
 * each of its lines is applied as a --set assignment, since both paths parse the same keys. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal must say why, on one line: the CLI prints err after "attnbench:", and a control
 * character copied from the input (a newline, an escape sequence) would break that line. */
static void check_refusal(int rc, const char *err)
{
    if (rc == 0)
        return;
    if (err[0] == '\0')
        abort();
    for (const char *s = err; *s; s++)
        if (iscntrl((unsigned char)*s) && *s != '\t')
            abort();
}

/* What cfg_finish and the sweep builder rely on, whatever the input was. */
static void check_cfg(const cfg *c)
{
    const cfg_list *lists[] = {&c->batch, &c->heads, &c->kv_heads, &c->head_dim, &c->seq_len,
                               &c->seq_q, &c->seq_kv, &c->causal, &c->dist, &c->threads,
                               &c->cache};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (lists[i]->n < 0 || lists[i]->n > CFG_MAX_LIST)
            abort();
    if (c->impls.n < 0 || c->impls.n > CFG_MAX_LIST || c->counters.n < 0 ||
        c->counters.n > CFG_MAX_LIST || c->n_seen < 0 || c->n_seen > 64)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char err[CFG_ERR_LEN];
    cfg c;

    cfg_defaults(&c);
    err[0] = '\0';
    int rc = cfg_load_text(&c, "fuzz.ini", text, size, err, sizeof err);
    check_refusal(rc, err);
    if (rc == 0) {
        err[0] = '\0';
        check_refusal(cfg_finish(&c, err, sizeof err), err);
    }
    check_cfg(&c);

    /* Every line as --set, over whatever the file left: "key = v" lines of the corpus are
     * valid assignments too. A NUL ends the assignment early, as it would in argv. */
    char *line = malloc(size + 1);
    if (line == NULL)
        return 0;
    for (size_t at = 0; at < size;) {
        const char *nl = memchr(text + at, '\n', size - at);
        size_t n = nl != NULL ? (size_t)(nl - (text + at)) : size - at;
        memcpy(line, text + at, n);
        line[n] = '\0';
        err[0] = '\0';
        check_refusal(cfg_apply_set(&c, line, err, sizeof err), err);
        at += n + 1;
    }
    free(line);
    err[0] = '\0';
    check_refusal(cfg_finish(&c, err, sizeof err), err);
    check_cfg(&c);
    return 0;
}
