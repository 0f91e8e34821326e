/* gen.c: the input generator. Element i of a tensor is a pure function of (seed, tensor, i):
 * splitmix64 of a counter gives 64 random bits, and every distribution is made from them
 * with integer arithmetic and one exact scaling, so no libm call (whose last bit may differ
 * between machines) and no floating-point rounding choice can change a value.
 *
 *   uniform: 24 random bits u, x = (u - 2^23) / 2^23, in [-1, 1).
 *   normal:  Irwin-Hall: the sum of twelve 16-bit uniforms (three 64-bit draws), centred and
 *            divided by 2^16: mean 0, variance 1, support [-6, 6]. Exact in float32.
 *   large:   Q and K as normal times 5.5, V normal. With the default scale 1/sqrt(d) the scores
 *            have a standard deviation of 5.5^2 = 30.25, so the largest score of a row of 16 to
 *            1000 keys is about 50 to 100: exp() of it overflows float32 unless the maximum is
 *            subtracted first. */
#include "gen.h"

#include "config.h"

#include <math.h>
#include <string.h>

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* The stream of tensor t under seed s: its own 64-bit key, so tensors do not share values. */
static uint64_t stream_key(uint64_t seed, int tensor)
{
    return splitmix64(splitmix64(seed) ^ ((uint64_t)tensor << 56));
}

static float irwin_hall(uint64_t key, size_t i)
{
    int64_t sum = 0;
    for (uint64_t r = 0; r < 3; r++) {
        uint64_t bits = splitmix64(key + 3 * (uint64_t)i + r);
        for (int part = 0; part < 4; part++)
            sum += (int64_t)((bits >> (16 * part)) & 0xffff);
    }
    /* 12 * 32767.5 = 393210: the mean of the sum. The difference fits float's 24-bit mantissa. */
    return (float)(sum - 393210) / 65536.0f;
}

void gen_fill(float *x, size_t n, uint64_t seed, int tensor, int dist)
{
    uint64_t key = stream_key(seed, tensor);
    const float large_gain = 5.5f;

    for (size_t i = 0; i < n; i++) {
        if (dist == DIST_UNIFORM) {
            int64_t u = (int64_t)(splitmix64(key + i) >> 40);
            x[i] = (float)(u - (1 << 23)) / 8388608.0f;
        } else {
            float z = irwin_hall(key, i);
            x[i] = (dist == DIST_LARGE && (tensor & ~GEN_SECOND_SET) != GEN_TENSOR_V)
                       ? z * large_gain : z;
        }
    }
}

gen_sizes gen_sizes_of(const attn_problem *p)
{
    size_t q_rows = (size_t)p->batch * p->heads * p->seq_q;
    size_t kv_rows = (size_t)p->batch * p->kv_heads * p->seq_kv;
    return (gen_sizes){.q = q_rows * p->head_dim, .k = kv_rows * p->head_dim,
                       .v = kv_rows * p->head_dim_v, .o = q_rows * p->head_dim_v};
}

/* A stream of its own for the key lengths, apart from every tensor's (which use tensor ids
 * below 16 in the top byte). */
enum { GEN_STREAM_KV_LENS = 0x40 };

void gen_kv_lens(uint64_t seed, int batch, int seq_kv, int *out)
{
    uint64_t key = stream_key(seed, GEN_STREAM_KV_LENS);
    for (int b = 0; b < batch; b++)
        out[b] = b == batch - 1 ? seq_kv
                                : 1 + (int)(splitmix64(key + (uint64_t)b) % (uint64_t)seq_kv);
}

void gen_alibi_slopes(int heads, float *out)
{
    int n = 1;
    while (n * 2 <= heads)
        n *= 2;
    /* exp2 of a multiple of 1/n: a power of two (n up to 8) or a value the reference, the
     * checker and every kernel read from here, so a last-bit difference between libms would
     * change what is computed on both sides alike, never a verdict. */
    for (int h = 0; h < heads; h++) {
        double e = h < n ? -8.0 * (h + 1) / n : -4.0 * (2 * (h - n) + 1) / n;
        out[h] = (float)exp2(e);
    }
}

void gen_inputs(const attn_problem *p, uint64_t seed, int dist, int set, float *q, float *k,
                float *v)
{
    gen_sizes n = gen_sizes_of(p);
    gen_fill(q, n.q, seed, GEN_TENSOR_Q | set, dist);
    gen_fill(k, n.k, seed, GEN_TENSOR_K | set, dist);
    gen_fill(v, n.v, seed, GEN_TENSOR_V | set, dist);
}

uint64_t gen_hash(const void *data, size_t bytes)
{
    const unsigned char *p = data;
    uint64_t h = 0x243f6a8885a308d3ull;
    size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, sizeof w);
        h = splitmix64(h ^ w);
    }
    for (; i < bytes; i++)
        h = splitmix64(h ^ p[i]);
    return h;
}
