/* test_refbuf.h: a reference output (ref.h) on the heap, sized for a problem, for the tests
 * that compute one in-process (the runner keeps its own in shared memory). */
#ifndef TEST_REFBUF_H
#define TEST_REFBUF_H

#include "ref.h"

#include <stdlib.h>

/* 0, or -1 when out of memory (nothing left allocated). */
static inline int test_ref_alloc(ref_out *r, const attn_problem *p)
{
    size_t rows = (size_t)p->batch * p->heads * p->seq_q, o = rows * p->head_dim_v;
    *r = (ref_out){.o = calloc(o + 1, sizeof(double)), .mag = calloc(o + 1, sizeof(double)),
                   .row_score = calloc(rows + 1, sizeof(double)),
                   .row_bias = calloc(rows + 1, sizeof(double))};
    if (r->o && r->mag && r->row_score && r->row_bias)
        return 0;
    free(r->o);
    free(r->mag);
    free(r->row_score);
    free(r->row_bias);
    return -1;
}

static inline void test_ref_free(ref_out *r)
{
    free(r->o);
    free(r->mag);
    free(r->row_score);
    free(r->row_bias);
}

#endif
