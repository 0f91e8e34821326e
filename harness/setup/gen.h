/* gen.h: seeded input generation, bit-identical on every machine (see gen.c for the algorithm). */
#ifndef GEN_H
#define GEN_H

#include "attn.h"

#include <stddef.h>
#include <stdint.h>

enum { GEN_TENSOR_Q = 1, GEN_TENSOR_K = 2, GEN_TENSOR_V = 3 };

/* Or'd into a tensor id: the problem's second input set, drawn from streams of its own. The
 * runner swaps it in after the timed repetitions to catch a run() that replays old output. */
#define GEN_SECOND_SET 8

/* Fills x[0..n) for one tensor of one problem (a GEN_TENSOR_*, perhaps | GEN_SECOND_SET) with
 * distribution dist (cfg_dist). */
void gen_fill(float *x, size_t n, uint64_t seed, int tensor, int dist);

/* Elements of each of a problem's tensors. */
typedef struct gen_sizes {
    size_t q, k, v, o;
} gen_sizes;

gen_sizes gen_sizes_of(const attn_problem *p);

/* One input set of problem p, the one place q, k and v are made: set 0 is the first,
 * GEN_SECOND_SET the second. Each buffer holds gen_sizes_of's floats. */
void gen_inputs(const attn_problem *p, uint64_t seed, int dist, int set, float *q, float *k,
                float *v);

/* kv_len = ragged's key lengths of a batch of `batch` entries: each drawn from the seed alone,
 * uniform in [1, seq_kv], except the last, which is seq_kv (DESIGN), so every machine and
 * every problem of that batch and seq_kv gets the same ones. */
void gen_kv_lens(uint64_t seed, int batch, int seq_kv, int *out);

/* The ALiBi slopes of `heads` heads, from the ALiBi paper (Press et al., max bias 8): with n
 * the largest power of two not above heads, head h < n gets 2^(-8 (h + 1) / n), and head
 * n + m gets 2^(-4 (2 m + 1) / n), the odd-numbered slopes of 2n heads. */
void gen_alibi_slopes(int heads, float *out);

/* 64-bit hash of a buffer, to tell whether an implementation modified its inputs. */
uint64_t gen_hash(const void *data, size_t bytes);

#endif
