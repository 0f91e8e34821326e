/* test_config.c: the config reader: good files and overrides parse to the right values; every
 * malformed file is exit-status 2 with a message naming the file, the line and the key. */
#include "test_util.h"

#include "config.h"

static int load(const char *text, cfg *c, char *err, size_t len)
{
    char path[256];
    test_write_file(path, sizeof path, "cfg", text);
    cfg_defaults(c);
    int rc = cfg_load_file(c, path, err, len);
    unlink(path);
    return rc;
}

static void test_good_file(void **st)
{
    (void)st;
    cfg c;
    char err[CFG_ERR_LEN];
    int rc = load("; a comment\n[sweep]\nimpls = naive, tiled\nbatch = 1,2\nheads = 8\n"
                  "kv_heads = 8, 2\nseq_len = 128,256 , 512\nhead_dim = 64\ncausal = false,true\n"
                  "dist = normal,large\nthreads = 1,2\nseed = 7\n"
                  "[measure]\nwarmup = 0\nmin_reps = 3\nmax_reps = 9\nmin_time_s = 0.5\n"
                  "timeout_s = 30\n[check]\ntol_factor = 4\n",
                  &c, err, sizeof err);
    assert_int_equal(rc, 0);
    assert_int_equal(c.impls.n, 2);
    assert_string_equal(c.impls.v[1], "tiled");
    assert_int_equal(c.batch.n, 2);
    assert_int_equal(c.kv_heads.v[1], 2);
    assert_int_equal(c.seq_len.n, 3);
    assert_int_equal(c.seq_len.v[2], 512);
    assert_int_equal(c.causal.v[0], 0);
    assert_int_equal(c.causal.v[1], 1);
    assert_int_equal(c.dist.v[1], DIST_LARGE);
    assert_int_equal(c.seed, 7);
    assert_int_equal(c.warmup, 0);
    assert_int_equal(c.max_reps, 9);
    assert_true(c.min_time_s == 0.5);
    assert_true(c.tol_factor == 4);
    assert_int_equal(cfg_finish(&c, err, sizeof err), 0);
}

static void test_set_overrides(void **st)
{
    (void)st;
    cfg c;
    char err[CFG_ERR_LEN];
    assert_int_equal(load("[sweep]\nheads = 8\nseq_len = 128\nhead_dim = 64\n", &c, err,
                          sizeof err), 0);
    assert_int_equal(cfg_apply_set(&c, "heads=1,2,4", err, sizeof err), 0);
    assert_int_equal(c.heads.n, 3);
    assert_int_equal(c.heads.v[2], 4);
    assert_int_equal(cfg_apply_set(&c, "measure.min_reps=11", err, sizeof err), 0);
    assert_int_equal(c.min_reps, 11);
    assert_int_equal(cfg_apply_set(&c, "scale=0.5", err, sizeof err), 0);
    assert_true(c.scale == 0.5);

    assert_int_equal(cfg_apply_set(&c, "heads", err, sizeof err), 2);
    assert_contains(err, "expected KEY=LIST");
    assert_int_equal(cfg_apply_set(&c, "hedas=2", err, sizeof err), 2);
    assert_contains(err, "did you mean 'heads'");
    assert_int_equal(cfg_apply_set(&c, "heads=", err, sizeof err), 2);
    assert_contains(err, "empty list");
    assert_int_equal(cfg_apply_set(&c, "nosuch.heads=2", err, sizeof err), 2);
    assert_contains(err, "unknown section");
}

/* Each malformed file: exit 2, and the message names the file, line number and key. */
/* Word-valued keys ([measure] bind, peaks) and the one word list (cache). */
static void test_choice_keys(void **st)
{
    (void)st;
    cfg c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    assert_int_equal(c.bind, 0);
    assert_int_equal(c.cache.n, 1);
    assert_int_equal(c.cache.v[0], 0);
    assert_string_equal(c.counters.v[0], "auto");
    assert_int_equal(cfg_apply_set(&c, "bind=spread", err, sizeof err), 0);
    assert_int_equal(c.bind, 2);
    assert_int_equal(cfg_apply_set(&c, "measure.peaks=off", err, sizeof err), 0);
    assert_int_equal(c.peaks, 2);
    assert_int_equal(cfg_apply_set(&c, "cache=cold, warm", err, sizeof err), 0);
    assert_int_equal(c.cache.n, 2);
    assert_int_equal(c.cache.v[0], 1);
    assert_int_equal(c.cache.v[1], 0);
    assert_int_equal(cfg_apply_set(&c, "bind=tight", err, sizeof err), 2);
    assert_contains(err, "'tight' is not one of none, compact, spread");
    assert_int_equal(cfg_apply_set(&c, "cache=warm,hot", err, sizeof err), 2);
    assert_contains(err, "'hot' is not one of warm, cold");
    assert_int_equal(cfg_apply_set(&c, "cache=cold,cold", err, sizeof err), 2);
    assert_contains(err, "appears twice");
    assert_int_equal(cfg_apply_set(&c, "counter_reps=0", err, sizeof err), 2);
    assert_contains(err, "out of range");
}

static void test_malformed(void **st)
{
    (void)st;
    static const struct { const char *text, *want; } cases[] = {
        {"[sweep]\nheads = 8\nhead_dimm = 64\n", ":3: unknown key 'head_dimm' in [sweep] (did you mean 'head_dim'?)"},
        {"[sweep]\nheads = 8,x\n", ":2: [sweep] heads: 'x' is not an integer"},
        {"[sweep]\nheads =\n", ":2: [sweep] heads: empty list"},
        {"[sweep]\nheads = 1,,2\n", ":2: [sweep] heads: empty entry"},
        {"[sweep]\nheads = 0\n", ":2: [sweep] heads: 0 is out of range"},
        {"[sweep]\nheads = -4\n", ":2: [sweep] heads: -4 is out of range"},
        {"[sweep]\ncausal = maybe\n", ":2: [sweep] causal: 'maybe' is not true or false"},
        {"[sweep]\ndist = gaussian\n", ":2: [sweep] dist: 'gaussian' is not a distribution"},
        {"[sweep]\nheads = 2\nheads = 4\n", ":3: [sweep] heads is set twice"},
        {"[swep]\nheads = 2\n", ":2: unknown section [swep] (did you mean 'sweep'?)"},
        {"heads = 2\n", ":1: 'heads' comes before any [section]"},
        {"[measure]\nmin_time_s = fast\n", ":2: [measure] min_time_s: 'fast' is not a number"},
        {"[sweep]\nthis is not ini\n", ":2: not a 'key = value' line"},
        {"[sweep]\nimpls = Naive\n", ":2: [sweep] impls: 'Naive' is not a valid name"},
        {"[sweep]\nheads = 2,2\n", ":2: [sweep] heads: '2' appears twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cfg c;
        char err[CFG_ERR_LEN];
        assert_int_equal(load(cases[i].text, &c, err, sizeof err), 2);
        assert_contains(err, "/tmp/attnbench-test-cfg-");
        assert_contains(err, cases[i].want);
    }
}

static void test_missing_and_directory(void **st)
{
    (void)st;
    cfg c;
    char err[CFG_ERR_LEN];
    cfg_defaults(&c);
    assert_int_equal(cfg_load_file(&c, "/nonexistent/x.ini", err, sizeof err), 2);
    assert_contains(err, "/nonexistent/x.ini: cannot read config");
    assert_int_equal(cfg_load_file(&c, "/tmp", err, sizeof err), 2);
    assert_contains(err, "is a directory");
}

static void test_finish_needs_shapes(void **st)
{
    (void)st;
    cfg c;
    char err[CFG_ERR_LEN];
    assert_int_equal(load("[sweep]\nheads = 8\n", &c, err, sizeof err), 0);
    assert_int_equal(cfg_finish(&c, err, sizeof err), 2);
    assert_contains(err, "needs seq_len");
    assert_int_equal(load("[sweep]\nseq_len = 8\nhead_dim = 4\n[measure]\nmin_reps = 9\n"
                          "max_reps = 3\n", &c, err, sizeof err), 0);
    assert_int_equal(cfg_finish(&c, err, sizeof err), 2);
    assert_contains(err, "min_reps (9) is larger than max_reps (3)");
}

static void test_shipped_configs_parse(void **st)
{
    (void)st;
    static const char *const files[] = {"configs/default.ini", "configs/ci.ini",
                                        "configs/full.ini"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        cfg c;
        char err[CFG_ERR_LEN];
        cfg_defaults(&c);
        if (cfg_load_file(&c, files[i], err, sizeof err) != 0 || cfg_finish(&c, err, sizeof err))
            fail_msg("%s", err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_set_overrides),
        cmocka_unit_test(test_choice_keys),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_missing_and_directory),
        cmocka_unit_test(test_finish_needs_shapes),
        cmocka_unit_test(test_shipped_configs_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
