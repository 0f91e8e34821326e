/* test_runner.c: each case is isolated: a crashing, aborting, hanging, exiting or erroring
 * implementation gets its status and reason, and the next case still runs and passes. */
#include "test_util.h"

#include "bug_impls.h"
#include "cpu_features.h"
#include "avx512_here.h"
#include "fault_impls.h"
#include "flash.h"
#include "plausible.h"
#include "registry.h"
#include "runner.h"

#include <math.h>

static attn_problem prob = {.batch = 2, .heads = 4, .kv_heads = 2, .seq_q = 33, .seq_kv = 33,
                            .head_dim = 16, .causal = 1, .scale = 0.25f, .threads = 1};
static runner_problem rp;
static runner_opts opts = {.warmup = 1, .min_reps = 3, .max_reps = 50, .min_time_s = 0,
                           .timeout_s = 10, .tol = {4, 1e-30}};

static int setup(void **st)
{
    (void)st;
    char why[256];
    sweep_neutral_fields(&prob);
    assert_int_equal(runner_problem_init(&rp, &prob, DIST_NORMAL, 42, why, sizeof why), 0);
    runner_reference(&rp, 2);
    assert_true(rp.ref_ok);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    runner_problem_free(&rp);
    return 0;
}

static void expect(const attn_impl *im, int status, const char *reason_part)
{
    case_result res;
    runner_run_case(&rp, im, 1, &opts, &res);
    if (res.status != status)
        fail_msg("%s: status %s, want %s (%s)", im->name, status_name(res.status),
                 status_name(status), res.reason);
    assert_contains(res.reason, reason_part);
    free(res.times);
}

static void test_signals_are_crashes(void **st)
{
    (void)st;
    expect(&fault_segv, ST_CRASH, "killed by SIGSEGV (Segmentation fault) in warm-up, repetition 1");
    expect(&fault_abort, ST_CRASH, "SIGABRT");
    expect(&fault_ill, ST_CRASH, "SIGILL");
    expect(&fault_fpe, ST_CRASH, "SIGFPE");
    expect(&fault_exit, ST_CRASH, "exited with status 3 in warm-up");
    expect(&attn_impl_naive, ST_PASS, "");
}

static void test_hang_times_out(void **st)
{
    (void)st;
    runner_opts quick = opts;
    quick.timeout_s = 0.3;
    case_result res;
    runner_run_case(&rp, &fault_hang, 1, &quick, &res);
    assert_int_equal(res.status, ST_TIMEOUT);
    assert_contains(res.reason, "ran past timeout_s = 0.3 s (killed in warm-up");
    assert_true(res.wall_s >= 0.3 && res.wall_s < 5);
    free(res.times);
    expect(&attn_impl_naive, ST_PASS, "");
}

static void test_errors_keep_their_words(void **st)
{
    (void)st;
    expect(&fault_prepare_error, ST_ERROR, "prepare returned 1: no plan for this shape");
    expect(&fault_run_error, ST_ERROR, "run returned 7 in warm-up, repetition 1");
    expect(&fault_unavailable, ST_SKIP, "unavailable: needs a CPU this is not");
    expect(&attn_impl_naive, ST_PASS, "");
    /* ATTN_UNSUPPORTED from prepare: a SKIP with the reason; from an ABI 1 implementation, for
     * which 2 had no meaning, an ERROR like any other code. */
    expect(&fault_unsupported, ST_SKIP, "unsupported here: this CPU has no AMX tiles");
    opts.impl_abi = 1;
    expect(&fault_unsupported, ST_ERROR, "prepare returned 2: this CPU has no AMX tiles");
    opts.impl_abi = 0;
}

/* Tensors lie between guard pages with sentinels in the alignment slack: a stray access names
 * the tensor it missed. The test problem's o and k are whole multiples of 64 bytes, so one
 * element past either end is a guard page, and there is slack before o. */
static void test_stray_accesses_are_named(void **st)
{
    (void)st;
    assert_int_equal(rp.n.o * sizeof(float) % 64, 0);
    assert_int_equal(rp.n.k * sizeof(float) % 64, 0);
    expect(&fault_write_past_o, ST_CRASH,
           "killed by SIGSEGV (Segmentation fault) in warm-up, repetition 1: a write at byte 1 "
           "past the end of o");
    expect(&fault_read_past_k, ST_CRASH, "in warm-up, repetition 1: a read at byte 1 past the end of k");
    expect(&fault_write_before_o, ST_FAIL,
           "run wrote 4 bytes before the start of o (found after warm-up, repetition 1)");
    expect(&bug_writes_input, ST_FAIL, "run modified its input q");
    expect(&attn_impl_naive, ST_PASS, "");
}

/* The second input set: a run() that replays its first output fails with a reason that says
 * so, whatever the first check said; honest kernels (the harness's and the test's own, online
 * and textbook) pass it, and the case's error figures are the first set's. */
static void test_second_input_set(void **st)
{
    (void)st;
    expect(&bug_replays_output, ST_FAIL, "run() ignores its inputs: with a second input set "
           "written over q, k and v, it returned the first set's output again");
    const attn_impl *honest[] = {&bug_honest, &attn_impl_naive, &attn_impl_tiled};
    for (size_t i = 0; i < sizeof honest / sizeof honest[0]; i++) {
        case_result res;
        runner_run_case(&rp, honest[i], 1, &opts, &res);
        if (res.status != ST_PASS || !res.second_checked)
            fail_msg("%s: %s, second set checked %d (%s)", honest[i]->name,
                     status_name(res.status), res.second_checked, res.reason);
        assert_true(res.check.worst_ratio < 1);
        free(res.times);
    }
    /* Memoizing on the inputs' contents is right on every set: the runner passes it, and only
     * the faster-than-peak rule (below) can tell. */
    expect(&bug_memoizes, ST_PASS, "");
}

/* Faster than the machine: beyond the peak plus the margin is refused; a cached peak far
 * below the machine's real one (a slow day's) is measured again before anything is refused, so
 * an honest figure above it passes. */
static void test_beyond_peak(void **st)
{
    (void)st;
    SKIP_UNDER_ASAN();
    peaks pk;
    char why[256] = "";
    memset(&pk, 0, sizeof pk);
    pk.n_threads = 1;
    pk.have[PEAK_SCALAR] = 1;
    pk.gflops[PEAK_SCALAR][0] = 100;
    assert_int_equal(plausible_beyond_peak(&pk, 1, ATTN_F32, 100 * (1 + PLAUSIBLE_MARGIN) * 0.99,
                                           why, sizeof why), 0);
    pk.gflops[PEAK_SCALAR][0] = 0.001;   /* far below any CPU this runs on */
    assert_int_equal(plausible_beyond_peak(&pk, 1, ATTN_F32, 0.5, why, sizeof why), 0);
    assert_int_equal(plausible_beyond_peak(&pk, 1, ATTN_F32, 1e7, why, sizeof why), 1);
    assert_contains(why, "this machine's measured peak on 1 thread");
    assert_contains(why, "the work cannot have been done");
    /* bf16 has the float32 roof on a CPU without bf16 arithmetic of its own, and none (so no
     * such FAIL) on one with AMX or AVX512_BF16, whose peak is not measured. */
    int native = cpu_native_16bit(ATTN_BF16) != NULL;
    print_message("bf16 arithmetic of this CPU's own: %s\n",
                  native ? cpu_native_16bit(ATTN_BF16) : "none");
    assert_int_equal(plausible_beyond_peak(&pk, 1, ATTN_BF16, 1e7, why, sizeof why), !native);
    double roof = peaks_dtype_gflops(&pk, 1, ATTN_BF16, why, sizeof why);
    if (native)
        assert_true(roof == 0 && strstr(why, "does not measure") != NULL);
    else
        assert_true(roof > 0);
}

/* Under a memory budget, a runaway dies alone and is called out of memory; the harness and the
 * next case go on. The same budget leaves an honest implementation alone. */
static void test_runaway_memory_dies_alone(void **st)
{
    (void)st;
    SKIP_UNDER_ASAN();
    runner_opts limited = opts;
    limited.mem_budget = 256LL << 20;
    limited.mem_budget_set = 1;
    case_result res;
    runner_run_case(&rp, &fault_runaway, 1, &limited, &res);
    if (res.status != ST_CRASH)
        fail_msg("runaway: %s (%s)", status_name(res.status), res.reason);
    assert_contains(res.reason, "killed by SIGSEGV");
    assert_contains(res.reason, ": out of memory (its allocations had reached ");
    assert_contains(res.reason, "[measure] memory_limit_mib");
    free(res.times);
    runner_run_case(&rp, &attn_impl_naive, 2, &limited, &res);
    assert_int_equal(res.status, ST_PASS);
    free(res.times);
}

/* A passing case has its repetitions, consistent statistics and memory figures. */
static void test_pass_statistics(void **st)
{
    (void)st;
    SKIP_UNDER_ASAN();
    case_result res;
    runner_opts timed = opts;
    timed.min_reps = 4;
    timed.min_time_s = 0.05;
    runner_run_case(&rp, &attn_impl_naive, 2, &timed, &res);
    assert_int_equal(res.status, ST_PASS);
    assert_true(res.reps >= 4 && res.reps <= timed.max_reps);
    double max = 0;
    for (int i = 0; i < res.reps; i++)
        max = fmax(max, res.times[i]);
    assert_true(res.t_min > 0 && res.t_min <= res.t_median && res.t_median <= max);
    assert_true(res.t_mean >= res.t_min && res.t_mean <= max);
    assert_true(res.gflops > 0 && fabs(res.gflops - res.flops / res.t_median / 1e9) < 1e-9);
    assert_true(res.check.max_abs_err < 1e-4 && res.check.worst_ratio < 1);
    /* naive holds threads x seq_q x seq_kv floats of scores. */
    assert_true(res.workspace >= (long long)(2 * 33 * 33 * sizeof(float)));
    assert_true(res.peak_rss_delta >= 0);
    free(res.times);
}

/* Workspace that grows with N_q x N_kv where the scores are materialised, and stays put for
 * the tiled kernels: the difference the memory columns exist to show. */
static long long workspace_at(const attn_impl *im, int seq_q, int seq_kv, int threads, int dtype)
{
    attn_problem p = {.batch = 1, .heads = 1, .kv_heads = 1, .seq_q = seq_q, .seq_kv = seq_kv,
                      .head_dim = 32, .causal = 0, .scale = 0.17f, .threads = threads};
    sweep_neutral_fields(&p);
    p.dtype = dtype;
    runner_problem big;
    char why[256];
    case_result res;
    assert_int_equal(runner_problem_init(&big, &p, DIST_NORMAL, 3, why, sizeof why), 0);
    runner_reference(&big, 1);
    runner_run_case(&big, im, 1, &opts, &res);
    assert_int_equal(res.status, ST_PASS);
    assert_true(res.page_faults >= 0);
    free(res.times);
    runner_problem_free(&big);
    return res.workspace;
}

/* malloc counts the chunks it hands out, and it hands out a whole free chunk when splitting
 * would leave less than its 32-byte minimum: so the same allocations can count a few tens of
 * bytes apart from one process to the next (32 seen in CI, none here). One float more per key
 * between 512 and 4096 keys would be 14 KiB, far beyond this. */
#define HEAP_ROUNDING 256

static void test_memory_scaling(void **st)
{
    (void)st;
    SKIP_UNDER_ASAN();
    long long naive_short = workspace_at(&attn_impl_naive, 64, 512, 1, ATTN_F32);
    long long naive_long = workspace_at(&attn_impl_naive, 64, 4096, 1, ATTN_F32);
    /* 8x the keys: naive's 64 x N_kv scores grow with them; the tiled kernels' blocks do not. */
    if (naive_long < 6 * naive_short || naive_long < 64LL * 4096 * 4)
        fail_msg("naive workspace %lld at N_kv 512, %lld at 4096", naive_short, naive_long);
    impls_set set;
    char why[256];
    const attn_impl *tiled_kernels[] = {
        &attn_impl_tiled,
        attn_impl_avx2.available(why, sizeof why) == 0 ? &attn_impl_avx2 : NULL,
        avx512_here(&set),
    };
    for (size_t i = 0; i < sizeof tiled_kernels / sizeof *tiled_kernels; i++) {
        const attn_impl *im = tiled_kernels[i];
        if (im == NULL) {
            printf("avx2 workspace not measured: %s\n", why);
            continue;
        }
        long long at_short = workspace_at(im, 64, 512, 1, ATTN_F32);
        long long at_long = workspace_at(im, 64, 4096, 1, ATTN_F32);
        printf("%s workspace: %lld bytes at N_kv 512, %lld at 4096\n", im->name, at_short,
               at_long);
        if (llabs(at_long - at_short) > HEAP_ROUNDING)
            fail_msg("%s workspace %lld at N_kv 512, %lld at 4096", im->name, at_short, at_long);
        /* Decode on 2 threads: one task, so avx2 and avx512 split its keys (split-KV). */
        at_short = workspace_at(im, 1, 512, 2, ATTN_F32);
        at_long = workspace_at(im, 1, 4096, 2, ATTN_F32);
        printf("%s decode workspace, 2 threads: %lld bytes at N_kv 512, %lld at 4096\n",
               im->name, at_short, at_long);
        if (llabs(at_long - at_short) > HEAP_ROUNDING)
            fail_msg("%s decode workspace %lld at N_kv 512, %lld at 4096", im->name, at_short,
                     at_long);
        if (im == &attn_impl_tiled)
            continue;
        /* avx2's and avx512's decode kernels read bf16 where it lies: no widened key and
         * value tiles, so float32's working memory give or take malloc's bookkeeping (tens of
         * bytes, seen both ways). Widened tiles would add at least two of 8 keys x d floats
         * per thread; the kernels before this had two of 32 keys. */
        const long long bf16 = workspace_at(im, 1, 4096, 2, ATTN_BF16);
        const long long one_tile = 8 * 32 * (long long)sizeof(float);
        printf("%s bf16 decode workspace, 2 threads: %lld bytes at N_kv 4096\n", im->name, bf16);
        if (bf16 - at_long >= one_tile)
            fail_msg("%s decode workspace %lld in bf16, %lld in float32: widened tiles?",
                     im->name, bf16, at_long);
    }
}

/* What flash_describe says prepare chose for the problem (heads over kv_heads, seq_q queries,
 * 4096 keys, head dimension d) on `threads` threads, in dtype. */
static void flash_path(const attn_impl *im, int heads, int kv_heads, int seq_q, int threads,
                       int dtype, int d, char *out, size_t len)
{
    attn_problem p = {.batch = 1, .heads = heads, .kv_heads = kv_heads, .seq_q = seq_q,
                      .seq_kv = 4096, .head_dim = d, .scale = 0.125f, .threads = threads};
    sweep_neutral_fields(&p);
    p.dtype = dtype;
    void *state = NULL;
    char why[256];
    assert_int_equal(im->prepare(&p, &state, why, sizeof why), 0);
    flash_describe(state, out, len);
    im->release(state);
    printf("%s: %d/%d heads, seq_q %d, %d threads, %s: %s\n", im->name, heads, kv_heads, seq_q,
           threads, dtype == ATTN_F32 ? "f32" : "bf16", out);
}

/* avx2 and avx512 choose their decode kernels up to dot_rows stacked rows per kv head (8 and
 * 16: the stacked rows are the group's query heads times seq_q), micro-tiles above, split-KV
 * with fewer tasks than threads, and in decode read 16-bit data where it lies. The SIMDe
 * build's state comes from the same flash.c, so flash_describe reads it too. */
static void test_flash_paths(void **st)
{
    (void)st;
    impls_set set;
    char why[256], got[256];
    const attn_impl *kernels[] = {
        attn_impl_avx2.available(why, sizeof why) == 0 ? &attn_impl_avx2 : NULL,
        avx512_here(&set),
    };
    const int dot_rows[] = {8, 16};
    for (size_t i = 0; i < 2; i++) {
        const attn_impl *im = kernels[i];
        if (im == NULL) {
            printf("avx2's paths not checked: %s\n", why);
            continue;
        }
        const int most = dot_rows[i];
        /* MHA decode, 1 row: keys in address order from d 128 (flash_decode_streams). */
        flash_path(im, 8, 8, 1, 1, ATTN_F32, 128, got, sizeof got);
        assert_non_null(strstr(got, "decode kernels (dot products along d): 1 stacked row, keys "
                                    "in address order,"));
        assert_null(strstr(got, "split-KV"));
        flash_path(im, 8, 8, 1, 1, ATTN_F32, 64, got, sizeof got);
        assert_non_null(strstr(got, "decode kernels (dot products along d): 1 stacked row, "
                                    "blocks"));
        flash_path(im, 16, 8, 1, 1, ATTN_F32, 128, got, sizeof got);   /* 2 rows: groups */
        assert_non_null(strstr(got, "decode kernels (dot products along d): 2 stacked rows, "
                                    "blocks"));
        flash_path(im, most, 1, 1, 2, ATTN_F32, 64, got, sizeof got);   /* the most rows, 1 task */
        assert_non_null(strstr(got, "decode kernels"));
        assert_null(strstr(got, "address order"));
        assert_non_null(strstr(got, "split-KV into 2 key ranges"));
        flash_path(im, most + 1, 1, 1, 2, ATTN_F32, 64, got, sizeof got);   /* one row more */
        assert_non_null(strstr(got, "micro-tiles"));
        flash_path(im, 8, 8, 512, 1, ATTN_F32, 64, got, sizeof got);   /* prefill */
        assert_non_null(strstr(got, "micro-tiles"));
        flash_path(im, 8, 8, 1, 1, ATTN_BF16, 128, got, sizeof got);
        assert_non_null(strstr(got, "16-bit read where it lies"));
        assert_null(strstr(got, "address order"));   /* 1 row, but 16-bit: groups */
        flash_path(im, 8, 8, 512, 1, ATTN_BF16, 64, got, sizeof got);
        assert_null(strstr(got, "where it lies"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signals_are_crashes),
        cmocka_unit_test(test_flash_paths),
        cmocka_unit_test(test_hang_times_out),
        cmocka_unit_test(test_stray_accesses_are_named),
        cmocka_unit_test(test_runaway_memory_dies_alone),
        cmocka_unit_test(test_errors_keep_their_words),
        cmocka_unit_test(test_pass_statistics),
        cmocka_unit_test(test_memory_scaling),
        cmocka_unit_test(test_second_input_set),
        cmocka_unit_test(test_beyond_peak),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
