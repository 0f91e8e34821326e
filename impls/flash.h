/* flash.h: the blocked online-softmax driver the SIMD kernels share (avx2, avx512): tasks and
 * threads, tile sizes, working memory, each block's rows and key ranges, the loop over key
 * blocks, 16-bit loads and stores and the output. An instruction set supplies the passes over
 * a tile (flash_isa) and never sees the problem's layout; the driver never touches a vector.
 *
 * A task is a block of br query rows of one (batch, kv head): with GQA the G query heads that
 * share a kv head are stacked (impl_stacked_rows), so one pass over K and V serves them all.
 * For each block of bc keys, in tiles the instruction set lays out:
 *   S^T = K_blk Q_blk^T    key-major scores, so a query's max and sum are vertical
 *   extras                 with a softcap or ALiBi: cap, bias, turn to base 2 (DESIGN's order)
 *   softmax                online: S^T becomes P^T, the running max and sum move, alpha says
 *                          how much to shrink what the accumulator held
 *   O_acc = alpha O_acc + P V
 * Scores are kept in base 2 (scale * log2 e is folded into Q) unless extras run. Only the key
 * blocks some row of the query block sees are visited (windows, ragged lengths), and a block
 * is masked per query only where some row sees part of it.
 * With fewer tasks than threads (decode with few kv heads) each task's keys are split into
 * ranges run apart and merged (split-KV, flash.c). With a few stacked rows per kv head (decode
 * without much GQA), S^T is dot products along d (qk_dots) in place of micro-tiles.
 * Working memory per thread: the Q^T block, the S^T tile, the accumulator, a few vectors of
 * br, and with 16-bit data the widened key and value tiles (not in decode, whose kernels read
 * K and V where they lie); with split-KV, the ranges' states (a block of rows each, at most
 * four per thread). Set by br, bc, head_dim, head_dim_v and the threads, never by the
 * sequence length. Not part of the plugin ABI. */
#ifndef FLASH_H
#define FLASH_H

#include "attn.h"

#include <stddef.h>
#include <stdint.h>

/* One thread's working memory. Every array starts on a 64-byte line. */
typedef struct flash_tile {
    float *qt;            /* d x br: the query block, scaled and transposed */
    float *st;            /* bc x br: scores, then probabilities, key-major */
    float *acc;           /* br x dp: unnormalised output rows */
    float *m, *l, *alpha; /* br each: running max, running sum, this block's rescale */
    float *slope, *diag;  /* br each, with ALiBi: each query row's slope and diagonal */
    int *lo, *hi;         /* br each: the keys each query row sees, [lo, hi) */
    float *kc, *vc;       /* 16-bit dtypes: bc x d and bc x dp, the key and value tiles widened
                             (or, with the ISA's bf16 kernels, vc holds V in key pairs) */
} flash_tile;

/* What one key block's passes are given: the tile, the block's keys and its shape. */
typedef struct flash_block {
    flash_tile *w;
    const float *k, *v; /* the block's first key and value row, float32, row-major */
    const uint16_t *k16, *v16; /* the same in bf16 or f16, when the ISA's kernels take them
                                  as they lie (the bf16 kernels, the decode kernels) */
    int dtype;          /* p's */
    int streams;        /* the decode kernels read keys in address order (flash_decode_streams) */
    float c;            /* what multiplies q . k: the scale, times log2 e unless extras run */
    int d, dv;          /* row widths of k and v */
    int br, dp;         /* row strides of st and qt, and of acc */
    int rows, lanes;    /* query rows, and rows padded to the ISA's lanes (padding sees nothing) */
    int cols, j0;       /* keys in the block, and the first one's index */
} flash_block;

/* An instruction set's kernels, and the tile shapes they need. */
typedef struct flash_isa {
    int lanes;          /* query rows per S^T micro-tile: blocks are padded to a multiple */
    int rows_multiple;  /* query rows per block are a multiple of this */
    int keys_multiple;  /* keys per block are a multiple of this: the S^T micro-tile's keys */
    int cols;           /* accumulator rows are padded to a multiple of this many columns */
    int vector;         /* floats per vector: softmax and extras take lanes in multiples of it */
    /* S^T micro-tiles, keys_multiple keys (or nk fewer, the block's last) x `lanes` queries:
     * k at the tile's first key (stride d), qt and st at its first query (stride br). */
    void (*qk_tile)(const float *k, int d, const float *qt, float *st, int br);
    void (*qk_short)(const float *k, int d, const float *qt, float *st, int br, int nk);
    /* Optional (NULL: always micro-tiles): the decode kernels, for groups of at most
     * dot_rows stacked rows, where a micro-tile would pad them to `lanes` and waste most of
     * its products. qk_dots writes S^T as qk_tile does, from dot products along d of the
     * rows in w->qt (row-major, stride d, scaled) with the block's keys; accumulate_rows does
     * O_acc = alpha O_acc + P V a row at a time. Both read K and V in the block's dtype where
     * they lie (k and v for float32, k16 and v16 for bf16 and f16), widening in registers.
     * Lanes are then padded only to `vector`, and keys per block are a multiple of dot_keys. */
    void (*qk_dots)(const flash_block *blk);
    void (*accumulate_rows)(const flash_block *blk);
    int dot_rows;
    int dot_keys;
    void (*extras)(const attn_problem *p, const flash_block *blk); /* cap, bias, base 2 */
    void (*softmax)(const flash_block *blk, int masked);         /* masked: apply lo, hi */
    void (*accumulate)(const flash_block *blk);                  /* O_acc = alpha O_acc + P V */
    /* n elements of a 16-bit dtype from src, starting at element `at`, into floats */
    void (*widen)(int dtype, const void *src, size_t at, float *dst, size_t n);
    /* Optional (NULL: bf16 is widened to float32 like f16): kernels that compute on bf16 as
     * it lies, with float32 accumulation. bf16_queries lays out the query block at q + at
     * (rows rows, padded to lanes) in w->qt, unscaled; bf16_scores writes S^T scaled by
     * blk->c from blk->k16 and it; bf16_accumulate does O_acc = alpha O_acc + P V from
     * blk->v16, rounding P to bf16 as FlashAttention does. */
    void (*bf16_queries)(const attn_problem *p, flash_tile *w, int br, const void *q,
                         size_t at, int rows, int lanes);
    void (*bf16_scores)(const flash_block *blk);
    void (*bf16_accumulate)(const flash_block *blk);
} flash_isa;

/* The decode kernels (qk_dots and the row-at-a-time P V) read a few K or V rows side by side,
 * a step of each in turn: streams a row apart, in an order the hardware prefetchers follow
 * poorly. Prefetching the rows' lines first, in address order, shows them one stream instead.
 * On Zen 4 (decode, 8 heads, seq_kv 32768, d 128, 1 thread, three runs or more each): 38-44 ms
 * with no prefetch, 20-25 ms with each group's own lines prefetched as it starts, 29-37 ms
 * with the lines 4, 16, 32 or 64 keys ahead. So flash_touch prefetches the n bytes at `rows`,
 * a line at a time, just before the kernel reads them. (Those timings are of the groups; the
 * same case now reads one key at a time, flash_decode_streams below, in about 13 ms.) */
static inline void flash_touch(const void *rows, size_t n)
{
    for (size_t c = 0; c < n; c += 64)
        __builtin_prefetch((const char *)rows + c, 0, 3);
}

/* Whether the decode kernels read K and V one key after another in address order, with no
 * prefetch of their own, rather than a group of keys at a time with each group's lines
 * prefetched first (flash_touch). For one row of float32 with rows of K and V of 128 floats
 * or more: a few FMAs per 32 bytes, so the time is the memory's, and reading in address order
 * was faster (a single sequential stream, we suppose, is what the hardware prefetchers follow
 * best; no counters here to show it). Measured with avx2 on Zen 4 (8 heads, seq_kv 4096 and
 * 32768, 1 and 2 threads), key at a time against groups: 0.38 to 0.82 of the time at d 128
 * and 256, but 0.74 to 1.65 at d 64 and 0.98 to 1.66 at d 8 to 32, where the per-key work
 * (a reduction, the accumulator's load and store) is not paid for by the row's bytes. An
 * earlier form of the key-at-a-time kernels took 1.1 to 2.8 times the grouped ones' time with
 * 8 stacked rows or with bf16, where there is more arithmetic per byte. avx512 takes the same
 * rule, not measured. docs/implementations.md#decode has the commands. */
static inline int flash_decode_streams(int rows, int dtype, int d, int dv)
{
    return rows == 1 && dtype == ATTN_F32 && d >= 128 && dv >= 128;
}

/* attn_impl's prepare, run and release, for the kernel `isa` describes. */
int flash_prepare(const flash_isa *isa, const attn_problem *p, void **state, char *why,
                  size_t why_len);
int flash_run(void *state, const void *q, const void *k, const void *v, void *o);
void flash_release(void *state);
/* What the state runs, for the results' library_kernels: micro-tiles or the decode kernels,
 * the block's rows and keys, split-KV's ranges and how 16-bit data is read. */
void flash_describe(const void *state, char *out, size_t len);

#endif
