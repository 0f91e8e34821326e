# attnbench: build, test, bench. `make bench` and `make test` install missing Debian packages
# first (scripts/install-deps), so on a fresh Debian 12 machine they are all the set-up.

CC       = gcc
OPENBLAS = /usr/lib/x86_64-linux-gnu/openblas-openmp
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# Functions start on 64-byte boundaries, so a kernel's loops keep their alignment when other
# code grows: an A/B run measured an untouched kernel 14% faster after another file changed.
CFLAGS   = -std=c11 -O2 -g $(WARN) -D_GNU_SOURCE -fopenmp -falign-functions=64 $(SAN)
# harness/ is in layers, one folder each (tests/layers.py holds them to their order); every
# folder is on the include path, so a file names a header by its name alone.
LAYERS   = util setup measure check results run compare plot cmd
CPPFLAGS = -Iimpls $(LAYERS:%=-Iharness/%) -I/usr/include/x86_64-linux-gnu/openblas-openmp
LDLIBS   = -linih -ljansson -L$(OPENBLAS) -Wl,-rpath,$(OPENBLAS) -lopenblas -ldnnl -lhwloc -lpapi -ldl -lm
GIT_DESC := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

B = build
NPROC := $(shell nproc 2>/dev/null || echo 2)
# A new built-in is its file in impls/ and a line in impls/registry.c: no list here.
IMPL_SRC    = $(wildcard impls/*.c)
HARNESS_SRC = $(filter-out harness/cmd/main.c,$(wildcard harness/*/*.c))
IMPL_OBJ    = $(IMPL_SRC:%.c=$(B)/obj/%.o)
HARNESS_OBJ = $(HARNESS_SRC:%.c=$(B)/obj/%.o)
CORE_OBJ    = $(HARNESS_OBJ) $(IMPL_OBJ)

TEST_SUPPORT = tests/bug_impls.c tests/fault_impls.c tests/twin_impls.c tests/variant_impls.c
TEST_SUPPORT_OBJ = $(TEST_SUPPORT:%.c=$(B)/obj/%.o)
TESTS        = test_config test_gen test_sweep test_ref test_check test_runner test_output test_stats \
               test_exp2 test_tiles test_counters test_peaks test_topo test_compare test_gbench \
               test_noise test_dtype test_twin test_variants test_avx512_emulated
TEST_BINS    = $(TESTS:%=$(B)/tests/%)
TEST_PLUGINS = $(B)/tests/crash_plugin.so $(B)/tests/bad_abi_plugin.so \
               $(B)/tests/no_symbol_plugin.so $(B)/tests/dup_plugin.so \
               $(B)/tests/null_run_plugin.so $(B)/tests/null_name_plugin.so \
               $(B)/tests/bad_name_plugin.so $(B)/tests/twin_a_plugin.so $(B)/tests/twin_b_plugin.so \
               $(B)/tests/sleep_plugin.so $(B)/tests/integrity_plugin.so $(B)/tests/abi1_plugin.so \
               $(B)/tests/avx512_emulated.so
EXAMPLE      = $(B)/plugins/example.so

.PHONY: all deps deps-test slurm bench plots ci-bench baseline ab test unit e2e bad-input interrupt \
        shards plot-test docs-test docs conformance conformance-emulated conformance-example \
        sanitize memcheck fuzz fuzz-replay clean
all: $(B)/attnbench $(EXAMPLE)

deps:
	@scripts/install-deps

# make test also wants Slurm for tests/slurm.sh; where it cannot be installed, that test says so.
deps-test: deps
	@scripts/install-deps slurm || echo "make test: Slurm could not be installed here; tests/slurm.sh will say so"

# What the build stamps into results.json. The stamp file changes when `git describe` does, so
# a commit rebuilds the two objects that carry it.
$(B)/obj/harness/results/out_json.o $(B)/obj/harness/cmd/main.o: CPPFLAGS += \
    -DATTNBENCH_GIT='"$(GIT_DESC)"' -DATTNBENCH_CFLAGS='"$(CFLAGS)"'
$(B)/obj/harness/results/out_json.o $(B)/obj/harness/cmd/main.o: $(B)/git-desc
$(B)/git-desc: FORCE
	@mkdir -p $(B); echo '$(GIT_DESC)' | cmp -s - $@ || echo '$(GIT_DESC)' > $@
FORCE:

# Portable C, but loops written to vectorise: -O3 lets gcc do it. -fno-trapping-math lets it
# turn the float compares of exp2_poly.h and tanh_poly.h into selects (nothing here reads FP
# exception flags). onednn.c's and avx2.c's are the loops between their primitives or tiles
# that cap and bias scores; flash.c's transpose the query block and store the output.
$(B)/obj/impls/tiled.o $(B)/obj/impls/openblas.o $(B)/obj/impls/onednn.o \
$(B)/obj/impls/avx2.o $(B)/obj/impls/avx512.o $(B)/obj/impls/flash.o: \
    CFLAGS += -O3 -fno-trapping-math

# A file whose name ends in avx2.c is built for AVX2 and FMA, in avx512.c for AVX-512F (and
# FMA): the only files that may use those instructions. cpu_features.c (baseline ISA) decides
# at run time whether one may run.
$(B)/obj/%avx2.o: CFLAGS += -mavx2 -mfma -mf16c
$(B)/obj/%avx512.o: CFLAGS += -mavx512f -mfma

# The peak loops: each built for its own ISA (peaks.c asks CPUID before calling one); a*b + c
# contracts to an FMA in the vector ones, and the scalar one stays one float per instruction.
$(B)/obj/harness/measure/peak_scalar.o: CFLAGS += -fno-tree-vectorize -fno-tree-slp-vectorize
$(B)/obj/harness/measure/peak_avx2.o $(B)/obj/harness/measure/peak_avx512.o: \
    CFLAGS += -ffp-contract=fast

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/attnbench: $(B)/obj/harness/cmd/main.o $(CORE_OBJ)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(B)/plugins/%.so: impls/examples/%_plugin.c impls/attn.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -shared $< -o $@ -lm

# The one test plugin made of more than its own file: bug_impls.c's integrity bugs.
$(B)/tests/integrity_plugin.so: tests/plugins/integrity_plugin.c $(TEST_SUPPORT) tests/bug_impls.h \
                                impls/attn.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -fPIC -shared $< tests/bug_impls.c -o $@ -lm

# impls/avx512.c on SIMDe's portable intrinsics (tests/avx512_emulated.h), with the files it
# calls: built for the baseline ISA, so it runs on every machine. Only its entry point is
# exported, so its copies of flash.c and tile_sizes.c never stand in for attnbench's.
EMULATED_SRC = tests/plugins/avx512_emulated_plugin.c impls/flash.c impls/tile_sizes.c \
               impls/cpu_features.c
# Under the sanitizers, -O0: gcc took 101 s to compile SIMDe's inlined intrinsics with ASan and
# UBSan at -O3 (9 s at -O0), and the sanitize sweeps that run it are small.
EMULATED_OPT = $(if $(SAN),-O0,-O3 -fno-trapping-math)
$(B)/tests/avx512_emulated.so: $(EMULATED_SRC) impls/avx512.c $(wildcard impls/*.h) \
                               tests/avx512_emulated.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests -DATTN_AVX512_EMULATED $(CFLAGS) $(EMULATED_OPT) -Wno-psabi \
	    -fPIC -shared -fvisibility=hidden $(EMULATED_SRC) -o $@ -lhwloc -lm

$(B)/tests/%.so: tests/plugins/%.c tests/plugins/plugin_stub.h impls/attn.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -shared $< -o $@ -lm

# test_runner and test_variants run the avx512 kernel through it where the CPU lacks AVX-512.
$(B)/tests/test_runner $(B)/tests/test_variants: $(B)/tests/avx512_emulated.so

# private: the objects it links are built as everywhere else.
$(B)/tests/test_avx512_emulated: private CPPFLAGS += -DATTN_AVX512_EMULATED
$(B)/tests/test_avx512_emulated: private CFLAGS += -Wno-psabi

# The test implementations every test binary links: compiled once, not once per binary.
$(B)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/tests/%: tests/%.c $(TEST_SUPPORT_OBJ) $(wildcard tests/*.h) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $< $(TEST_SUPPORT_OBJ) $(CORE_OBJ) $(LDLIBS) -lcmocka -o $@

# The main job: the default sweep, results under results/ (results/latest is the newest).
bench: deps
	@$(MAKE) --no-print-directory all
	$(B)/attnbench run --config configs/default.ini; rc=$$?; \
	    if [ $$rc -le 1 ]; then $(MAKE) --no-print-directory plots || rc=1; fi; exit $$rc

# Figures and DIR/index.html of a results directory (also drawn by `make bench`, FAILs or not).
RESULTS ?= results/latest
plots: $(B)/attnbench
	$(B)/attnbench plots $(RESULTS)

# The CI gate: configs/ci.ini under callgrind, instructions and estimated cycles per case
# against results/baselines/ci-sim (exit 1 on a regression); `make baseline` records a new one.
ci-bench: deps
	@$(MAKE) --no-print-directory all
	scripts/ci-bench $(ARGS)

baseline: deps
	@$(MAKE) --no-print-directory all
	scripts/ci-bench --update $(ARGS)

# Same-machine A/B: `make ab BASE=HEAD~1` builds BASE in a worktree and runs it against the
# working tree case by case.
ab: deps
	@test -n "$(BASE)" || { echo "make ab: give BASE=REV (a commit, tag or branch)" >&2; exit 2; }
	scripts/ab-compare $(BASE)

# Each step in turn, with the seconds it took (make test is held to about ten minutes).
TEST_STEPS = unit fuzz-replay e2e bad-input interrupt shards slurm plot-test docs-test \
             conformance conformance-example sanitize memcheck
test: deps-test
	@$(MAKE) --no-print-directory -j$(NPROC) all $(TEST_BINS) $(TEST_PLUGINS)
	@start=$$(date +%s); for step in $(TEST_STEPS); do t=$$(date +%s); \
	    $(MAKE) --no-print-directory $$step || exit 1; \
	    echo "== make $$step: $$(($$(date +%s) - t)) s"; done; \
	    echo "== make test: every step passed in $$(($$(date +%s) - start)) s"

# test_counters runs twice: as this machine is, and with PAPI's perf_event component switched
# off (the world of a CPU whose PMU libpfm4 does not know), so both run everywhere.
unit:
	@set -e; for t in $(TEST_BINS); do echo "== $$t"; $$t; done
	@echo "== $(B)/tests/test_counters, ATTNBENCH_PAPI_DISABLE=perf_event"
	@ATTNBENCH_PAPI_DISABLE=perf_event $(B)/tests/test_counters

e2e:
	tests/e2e.sh

# Every kind of bad input: one line, exit 2, nothing written (a row per kind).
bad-input:
	B=$(B) tests/bad_input.sh

# SIGINT, SIGTERM and kill -9 mid-sweep, then run --resume.
interrupt:
	B=$(B) tests/interrupt.sh

# run --shard, merge of shards (and its refusals), a killed shard resumed: no cluster needed.
shards:
	B=$(B) tests/shards.sh

# scripts/slurm-sweep on a one-node Slurm cluster the test starts and stops itself.
slurm:
	B=$(B) tests/slurm.sh

plot-test:
	tests/plots.sh

# The docs hold to the code: the result columns' table, and every relative link.
docs-test:
	B=$(B) tests/docs.sh
	tests/layers.py

# docs/results.md's column table, printed afresh from harness/results/result_fields.h.
docs: $(B)/attnbench
	B=$(B) scripts/docs-fields

# The harness, its unit tests and the bad-input and interrupt tests again, built in $(B)/san
# with AddressSanitizer and UndefinedBehaviorSanitizer (UB aborts), then two sweeps under them:
# configs/ci.ini's MQA cases (the stacked GQA path), and every mask and variant on a cross
# shape, and split-KV's decode with every variant, with avx512.c on SIMDe beside the
# built-ins. A leak, an overflow or UB anywhere fails the test.
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
SAN_VARIANTS = --set seq_q=1,37 --set seq_kv=33 --set batch=3 --set heads=4 --set kv_heads=2 \
               --set head_dim=23 --set head_dim_v=40 --set causal=true \
               --set window_left=-1,4 --set align=bottom_right,top_left --set kv_len=ragged \
               --set softcap=0,5 --set alibi=false,true --set dtype=f32,bf16 \
               --set warmup=0 --set min_reps=1 --set max_reps=1 --set min_time_s=0
SAN_SPLIT = --set batch=1 --set heads=4 --set kv_heads=1 --set seq_q=1 --set seq_kv=1000 \
            --set threads=2 --set head_dim=23 --set head_dim_v=40 --set causal=false,true \
            --set window_left=-1,100 --set softcap=0,5 --set alibi=false,true \
            --set dtype=f32,bf16 \
            --set warmup=0 --set min_reps=1 --set max_reps=1 --set min_time_s=0
sanitize:
	@$(MAKE) --no-print-directory -j$(NPROC) B=$(B)/san SAN='$(SAN_FLAGS)' all \
	    $(TEST_BINS:$(B)/%=$(B)/san/%) \
	    $(TEST_PLUGINS:$(B)/%=$(B)/san/%)
	@$(MAKE) --no-print-directory B=$(B)/san unit bad-input interrupt
	@out=$$(mktemp -d /tmp/attnbench-san.XXXXXX); \
	    echo "== configs/ci.ini (MQA: kv_heads 1) under ASan and UBSan"; \
	    ATTNBENCH_CACHE_DIR=$$out/cache $(B)/san/attnbench run --config configs/ci.ini \
	        --set kv_heads=1 --set peaks=off --out $$out/ci > $$out/log 2>&1; rc=$$?; \
	    tail -2 $$out/log; \
	    echo "== masks and variants under ASan and UBSan"; \
	    ATTNBENCH_CACHE_DIR=$$out/cache $(B)/san/attnbench run $(SAN_VARIANTS) \
	        --plugin $(B)/san/tests/avx512_emulated.so \
	        --set peaks=off --set counters=none --out $$out/var > $$out/log 2>&1 || rc=1; \
	    tail -2 $$out/log; \
	    echo "== split-KV (one task, two threads) with every variant under ASan and UBSan"; \
	    ATTNBENCH_CACHE_DIR=$$out/cache $(B)/san/attnbench run $(SAN_SPLIT) \
	        --plugin $(B)/san/tests/avx512_emulated.so \
	        --set peaks=off --set counters=none --out $$out/split > $$out/log 2>&1 || rc=1; \
	    tail -2 $$out/log; \
	    rm -rf $$out; exit $$rc

# The harness process itself under valgrind's memcheck on a small sweep: any invalid access or
# leak it makes fails. (The cases' children are forks, not the harness: --child-silent-after-fork.)
memcheck:
	@out=$$(mktemp -d /tmp/attnbench-vg.XXXXXX); \
	    echo "== valgrind memcheck, a small sweep"; \
	    ATTNBENCH_CACHE_DIR=$$out/cache valgrind -q --error-exitcode=99 --leak-check=full \
	        --errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes \
	        $(B)/attnbench run --set impls=all --set seq_len=33 --set head_dim=8 --set heads=2 \
	        --set causal=true --set peaks=off --out $$out/run > $$out/log 2>&1; rc=$$?; \
	    tail -2 $$out/log; [ $$rc -eq 0 ] || cat $$out/log; rm -rf $$out; exit $$rc

# Every built-in implementation over the awkward shapes of configs/conformance*.ini (and, where
# avx512 cannot run, its SIMDe build beside them); with PLUGIN=path.so, that plugin's
# implementations instead.
conformance: $(B)/tests/avx512_emulated.so
	B=$(B) PLUGIN=$(PLUGIN) tests/conformance.sh

# impls/avx512.c on SIMDe's portable intrinsics over the whole grid, alone (make conformance
# already runs it beside the built-ins wherever avx512 cannot run natively).
conformance-emulated: $(B)/tests/avx512_emulated.so
	B=$(B) PLUGIN=$(B)/tests/avx512_emulated.so tests/conformance.sh

# make conformance PLUGIN= itself, on the example plugin: what a plugin's author runs.
conformance-example: $(EXAMPLE)
	B=$(B) PLUGIN=$(EXAMPLE) tests/conformance.sh

include tests/fuzz/fuzz.mk

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
