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
    /* The variant keys' defaults and a list of reals. */
    assert_int_equal(c.head_dim_v.n, 0);
    assert_true(c.kv_len.n == 1 && c.kv_len.v[0] == 0);
    assert_true(c.softcap.n == 1 && c.softcap.v[0] == 0);
    assert_true(c.alibi.n == 1 && c.alibi.v[0] == 0);
    assert_int_equal(cfg_apply_set(&c, "softcap=0, 50, 2.5e1", err, sizeof err), 0);
    assert_true(c.softcap.n == 3 && c.softcap.v[1] == 50 && c.softcap.v[2] == 25);
    assert_int_equal(cfg_apply_set(&c, "kv_len=ragged", err, sizeof err), 0);
    assert_true(c.kv_len.n == 1 && c.kv_len.v[0] == 1);
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
        {"[swep]\nheads = 2\n", ":1: unknown section [swep] (did you mean 'sweep'?)"},
        {"heads = 2\n", ":1: 'heads' comes before any [section]"},
        {"[measure]\nmin_time_s = fast\n", ":2: [measure] min_time_s: 'fast' is not a number"},
        {"[sweep]\nthis is not ini\n", ":2: not a 'key = value' line"},
        {"[sweep]\nimpls = Naive\n", ":2: [sweep] impls: 'Naive' is not a valid name"},
        {"[sweep]\nheads = 2,2\n", ":2: [sweep] heads: '2' appears twice"},
        {"[sweep]\nsoftcap = 30, -1\n", ":2: [sweep] softcap: '-1' is out of range [0, 1e+30]"},
        {"[sweep]\nsoftcap = big\n", ":2: [sweep] softcap: 'big' is not a number"},
        {"[sweep]\nsoftcap = 30, 30.0\n", ":2: [sweep] softcap: '30.0' appears twice"},
        {"[sweep]\nkv_len = packed\n", ":2: [sweep] kv_len: 'packed' is not one of full, ragged"},
        {"[sweep]\nhead_dim_v = 0\n", ":2: [sweep] head_dim_v: 0 is out of range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cfg c;
        char err[CFG_ERR_LEN];
        assert_int_equal(load(cases[i].text, &c, err, sizeof err), 2);
        assert_contains(err, "/tmp/attnbench-test-cfg-");
        assert_contains(err, cases[i].want);
    }
}

/* Section lines libinih misreads or passes over in silence: each is refused at its own line,
 * with its own reason, and the comments and line ends libinih does accept still parse. */
static void test_section_lines(void **st)
{
    (void)st;
    static const struct { const char *text, *want; } bad[] = {
        {"[sweep\nseq_len = 8\nhead_dim = 4\n",
         ":1: unterminated section header (no ']') (line: '[sweep')"},
        {"[sweep ; note]\nseq_len = 8\n", ":1: unterminated section header (no ']' before"},
        {"[sweep] junk\nseq_len = 8\n", ":1: text after the section header"},
        {"[sweep]]\nseq_len = 8\n", ":1: text after the section header"},
        {"[sweep]\nseq_len = 8\nhead_dim = 4\n[mesure]\n",
         ":4: unknown section [mesure] (did you mean 'measure'?) (line: '[mesure]')"},
        {"[sweep]\nseq_len = 8\n[mesure]\n; nothing\n\n[check]\n",
         ":3: unknown section [mesure] (did you mean 'measure'?)"},
        {"[mesure]\njunk\n", ":1: unknown section [mesure]"},
        {"[]\nseq_len = 8\n", ":1: unknown section [] (line: '[]')"},
        /* A line that is no key line, then a bad key: the first line, with its own reason. */
        {"[sweep]\nseq_len 8\nhead_dimm = 4\n",
         ":2: not a 'key = value' line or a [section] (line: 'seq_len 8')"},
        /* An unknown section with keys is named at its header, not at its first key. */
        {"[swep]\n\nheads = 2\n",
         ":1: unknown section [swep] (did you mean 'sweep'?) (line: '[swep]')"},
        /* A bad key before it is still the first error. */
        {"[sweep]\nheds = 2\n[swep]\nheads = 2\n", ":2: unknown key 'heds' in [sweep]"},
        /* An indented line after a key continues its value: "[check]" here is no header. */
        {"[sweep]\nheads = 2\n  [check]\n", ":3: [sweep] heads is set twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg c;
        char err[CFG_ERR_LEN];
        if (load(bad[i].text, &c, err, sizeof err) != 2)
            fail_msg("case %zu was accepted", i);
        assert_contains(err, bad[i].want);
    }
    static const char *const good[] = {
        "[sweep] ; a comment\nseq_len = 8\nhead_dim = 4\n",
        "[sweep]# a comment\nseq_len = 8\nhead_dim = 4\n",
        "[sweep]   \t\nseq_len = 8\nhead_dim = 4\n",
        "\xef\xbb\xbf[sweep]\r\nseq_len = 8\r\nhead_dim = 4\r\n",
        "# top\n[sweep]\nseq_len = 8\n; [mesure]\n\nhead_dim = 4\n[tune]\n",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        cfg c;
        char err[CFG_ERR_LEN];
        if (load(good[i], &c, err, sizeof err) != 0 || cfg_finish(&c, err, sizeof err) != 0)
            fail_msg("good case %zu: %s", i, err);
        assert_int_equal(c.seq_len.v[0], 8);
    }
}

/* A known key in the wrong section says where it belongs; an unknown section or key given by
 * --set gets the same hints as in a file. */
static void test_hints(void **st)
{
    (void)st;
    cfg c;
    char err[CFG_ERR_LEN];
    assert_int_equal(load("[measure]\nseq_len = 8\n", &c, err, sizeof err), 2);
    assert_contains(err, ":2: unknown key 'seq_len' in [measure] (it belongs in [sweep])");
    assert_int_equal(cfg_apply_set(&c, "measure.seq_len=4", err, sizeof err), 2);
    assert_contains(err, "--set measure.seq_len=4: unknown key 'seq_len' in [measure] "
                         "(it belongs in [sweep])");
    assert_int_equal(cfg_apply_set(&c, "swep.seq_len=4", err, sizeof err), 2);
    assert_contains(err, "--set swep.seq_len=4: unknown section [swep] (did you mean 'sweep'?)");
    assert_int_equal(cfg_apply_set(&c, "sweep.seq_lne=4", err, sizeof err), 2);
    assert_contains(err, "unknown key 'seq_lne' in [sweep] (did you mean 'seq_len'?)");
}

/* Nothing is cut silently: a --set value longer than results.json keeps is refused (it once
 * ran "8,<506 spaces>1024" as 8,102), a long key is refused rather than trimmed to a real one,
 * and a long assignment is echoed cut, so that the reason still fits the message. */
static void test_long_set(void **st)
{
    (void)st;
    cfg c;
    char err[CFG_ERR_LEN], set[1400];
    cfg_defaults(&c);
    snprintf(set, sizeof set, "seq_len=8,%506s1024", "");
    assert_int_equal(cfg_apply_set(&c, set, err, sizeof err), 2);
    assert_contains(err, "[sweep] seq_len: value of 512 characters is too long (limit 511)");
    snprintf(set, sizeof set, "seq_len=8,%505s1024", "");
    assert_int_equal(cfg_apply_set(&c, set, err, sizeof err), 0);
    assert_int_equal(c.seq_len.n, 2);
    assert_int_equal(c.seq_len.v[1], 1024);

    size_t n = (size_t)snprintf(set, sizeof set, "heads=");
    for (int i = 0; i < 600; i++)
        n += (size_t)snprintf(set + n, sizeof set - n, "1,");
    snprintf(set + n, sizeof set - n, "1");
    assert_int_equal(cfg_apply_set(&c, set, err, sizeof err), 2);
    assert_contains(err, "...: [sweep] heads: '1' appears twice in the list");
    assert_true(strlen(err) < 200);

    snprintf(set, sizeof set, "seq_len%200sx=4", "");
    assert_int_equal(cfg_apply_set(&c, set, err, sizeof err), 2);
    assert_contains(err, "key of 208 characters is too long (limit 127)");
}

/* Every byte outside printable ASCII that a message quotes is shown as \xNN. */
static void test_escaped_bytes(void **st)
{
    (void)st;
    cfg c;
    char err[CFG_ERR_LEN];
    assert_int_equal(load("[sweep]\nseq_len = 8\n\033]0;title\007\377 = 1\n", &c, err,
                          sizeof err), 2);
    assert_contains(err, ":3: unknown key '\\x1b]0;title\\x07\\xff' in [sweep] "
                         "(line: '\\x1b]0;title\\x07\\xff = 1')");
    assert_int_equal(load("[sweep]\nseq_len = 8\r16\n", &c, err, sizeof err), 2);
    assert_contains(err, "'8\\x0d16' is not an integer");
    cfg_defaults(&c);
    assert_int_equal(cfg_apply_set(&c, "impls=na\nive\t", err, sizeof err), 2);
    assert_contains(err, "--set impls=na\\x0aive\\x09: [sweep] impls: 'na\\x0aive' is not");
    for (const char *s = err; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            fail_msg("byte 0x%02x in '%s'", (unsigned char)*s, err);
}

/* A number past the machine's range is out of the key's range, not "not a number". */
static void test_number_overflow(void **st)
{
    (void)st;
    cfg c;
    char err[CFG_ERR_LEN];
    assert_int_equal(load("[sweep]\nseq_len = 99999999999999999999\n", &c, err, sizeof err), 2);
    assert_contains(err, ":2: [sweep] seq_len: '99999999999999999999' is out of range [1, 4194304]");
    cfg_defaults(&c);
    assert_int_equal(cfg_apply_set(&c, "warmup=-99999999999999999999", err, sizeof err), 2);
    assert_contains(err, "'-99999999999999999999' is out of range [0, 1000000]");
    assert_int_equal(cfg_apply_set(&c, "seed=99999999999999999999", err, sizeof err), 2);
    assert_contains(err, "'99999999999999999999' is out of range [0, 18446744073709551615]");
    assert_int_equal(cfg_apply_set(&c, "seed=-1", err, sizeof err), 2);
    assert_contains(err, "'-1' is not an unsigned integer");
    assert_int_equal(cfg_apply_set(&c, "min_time_s=1e999", err, sizeof err), 2);
    assert_contains(err, "'1e999' is out of range [0, 86400]");
    assert_int_equal(cfg_apply_set(&c, "min_time_s=inf", err, sizeof err), 2);
    assert_contains(err, "'inf' is not a number");
    /* An underflow is a tiny number, not a bad one: the nearest double. */
    assert_int_equal(cfg_apply_set(&c, "abs_floor=1e-400", err, sizeof err), 0);
    assert_true(c.abs_floor >= 0 && c.abs_floor < 1e-300);
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

/* The error cfg_finish gives for the file `text` with the --set `set` (none when NULL) over
 * it: the file and set must load, the config must not finish. */
static void late_error(const char *text, const char *set, char *err, size_t len)
{
    cfg c;
    assert_int_equal(load(text, &c, err, len), 0);
    if (set != NULL)
        assert_int_equal(cfg_apply_set(&c, set, err, len), 0);
    assert_int_equal(cfg_finish(&c, err, len), 2);
}

/* An error found only when the whole config is read names where its key was set: the file's
 * line, or the --set that gave it; a key left at its default, the file. */
static void test_late_errors_say_where(void **st)
{
    (void)st;
    const char *shape = "[sweep]\nseq_len = 8\nhead_dim = 4\n";
    char text[256], err[CFG_ERR_LEN];
    snprintf(text, sizeof text, "%s[measure]\nmin_reps = 9\nmax_reps = 3\n", shape);
    late_error(text, NULL, err, sizeof err);
    assert_true(strstr(err, "/tmp/attnbench-test-cfg-") == err);
    assert_contains(err, ":5 and /tmp/attnbench-test-cfg-");
    assert_contains(err, ":6: [measure] min_reps (9)");
    /* max_reps at its default (1000): min_reps's own line. */
    snprintf(text, sizeof text, "%s\n[measure]\nmin_reps = 5000\n", shape);
    late_error(text, NULL, err, sizeof err);
    assert_contains(err, ":6: [measure] min_reps (5000) is larger than max_reps (1000)");
    /* Given on the command line: the --set, its key and value; with its section, when it was
     * typed with one. */
    late_error(shape, "min_reps=3000", err, sizeof err);
    assert_contains(err, "--set min_reps=3000: [measure] min_reps (3000)");
    late_error(shape, " measure.min_reps =3000", err, sizeof err);
    assert_contains(err, "--set measure.min_reps=3000: [measure] min_reps (3000)");
    /* Only max_reps given, on the command line, below the file's min_reps: both places. */
    snprintf(text, sizeof text, "%s[measure]\nmin_reps = 4\n", shape);
    late_error(text, "max_reps=3", err, sizeof err);
    assert_contains(err, ":5 and --set max_reps=3: [measure] min_reps (4) is larger than max_reps");
    /* Only max_reps given, min_reps at its default (5): max_reps's place alone. */
    late_error(shape, "max_reps=2", err, sizeof err);
    assert_true(strncmp(err, "--set max_reps=2: [measure] min_reps (5)", 40) == 0);
    /* Lines counted as libinih reads them: CRLF ends, comments and blank lines, a last line
     * with no newline. */
    late_error("; a comment\r\n[sweep]\r\nseq_len = 8\r\n\r\nhead_dim = 4\r\n# another\r\n"
               "[measure]\r\nmax_reps = 3\r\nmin_reps = 9", NULL, err, sizeof err);
    assert_contains(err, ":9 and ");   /* min_reps, the last line */
    assert_contains(err, ":8: [measure] min_reps (9)");   /* max_reps */
    /* Two keys that clash: both places. */
    snprintf(text, sizeof text, "%scausal = false, true\n", shape);
    late_error(text, "window_right=0", err, sizeof err);
    assert_contains(err, ":4 and --set window_right=0: [sweep] causal = true is window_right");
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
        cmocka_unit_test(test_late_errors_say_where),
        cmocka_unit_test(test_set_overrides),
        cmocka_unit_test(test_choice_keys),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_section_lines),
        cmocka_unit_test(test_hints),
        cmocka_unit_test(test_long_set),
        cmocka_unit_test(test_escaped_bytes),
        cmocka_unit_test(test_number_overflow),
        cmocka_unit_test(test_missing_and_directory),
        cmocka_unit_test(test_finish_needs_shapes),
        cmocka_unit_test(test_shipped_configs_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
