# fuzz.mk (included by the Makefile): libFuzzer targets for the two readers of outside input,
# the config reader and the results reader. `make fuzz` fuzzes each for FUZZ_TIME seconds with
# clang; `make fuzz-replay` reruns tests/fuzz/<target>/ (the seeds and every crash ever found,
# kept as regression inputs) through the same targets built by gcc, so CI needs no clang.

FUZZ_CC      = clang
FUZZ_TIME    = 60
# Config files may reach 1 MiB, but a reader bug shows in far less, and short inputs run faster.
FUZZ_MAXLEN  = 65536
# UB aborts instead of printing and going on, so libFuzzer keeps the input that caused it.
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  = -std=c11 -g -O1 $(WARN) -D_GNU_SOURCE -fsanitize=fuzzer $(FUZZ_SAN)
FUZZ_TARGETS = config results

# Each target with the one reader it fuzzes and that reader's library.
$(B)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c harness/setup/config.c harness/setup/config_read.c harness/setup/config_value.c harness/setup/config.h harness/util/text.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(filter %.c,$^) -linih -o $@

$(B)/fuzz/fuzz_results: tests/fuzz/fuzz_results.c harness/results/results_read.c harness/results/results_read.h harness/util/text.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(filter %.c,$^) -ljansson -lm -o $@

# The replays: the same targets with a main() that feeds them files, under gcc's sanitizers so
# that a past overflow fails the replay rather than passing silently.
$(B)/tests/fuzz_config_replay: tests/fuzz/replay_main.c tests/fuzz/fuzz_config.c \
                               harness/setup/config.c harness/setup/config_read.c harness/setup/config_value.c harness/setup/config.h harness/util/text.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_SAN) $(filter %.c,$^) -linih -o $@

$(B)/tests/fuzz_results_replay: tests/fuzz/replay_main.c tests/fuzz/fuzz_results.c \
                                harness/results/results_read.c harness/results/results_read.h harness/util/text.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_SAN) $(filter %.c,$^) -ljansson -lm -o $@

# New inputs go to $(B)/fuzz/corpus-<target> (the first directory is the one libFuzzer writes);
# tests/fuzz/<target> seeds it. A crash stops the run and lands in $(B)/fuzz/<target>-crash-*:
# move it into tests/fuzz/<target>/ under a name saying what it found, and fix the reader.
fuzz:
	@scripts/install-deps fuzz
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(B)/fuzz/corpus-$$t; \
	    echo "== fuzz_$$t, $(FUZZ_TIME) s"; \
	    $(B)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=$(FUZZ_MAXLEN) -timeout=10 \
	        -dict=tests/fuzz/$$t.dict -artifact_prefix=$(B)/fuzz/$$t- -print_final_stats=1 \
	        $(B)/fuzz/corpus-$$t tests/fuzz/$$t; \
	done

fuzz-replay: $(FUZZ_TARGETS:%=$(B)/tests/fuzz_%_replay)
	@set -e; for t in $(FUZZ_TARGETS); do $(B)/tests/fuzz_$${t}_replay tests/fuzz/$$t; done
