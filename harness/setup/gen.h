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

/* Floats in problem p's q (and o) and in its k (and v). */
void gen_lengths(const attn_problem *p, size_t *q_len, size_t *kv_len);

/* One input set of problem p, the one place q, k and v are made: set 0 is the first,
 * GEN_SECOND_SET the second. Each buffer holds gen_lengths' floats. */
void gen_inputs(const attn_problem *p, uint64_t seed, int dist, int set, float *q, float *k,
                float *v);

/* 64-bit hash of a buffer, to tell whether an implementation modified its inputs. */
uint64_t gen_hash(const void *data, size_t bytes);

#endif
