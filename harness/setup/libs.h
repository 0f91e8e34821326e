/* libs.h: the libraries attnbench links, for results.json: their versions and the kernels they
 * chose for this CPU; and OpenBLAS kept off kernels below what the CPU runs (OpenBLAS 0.3.21
 * takes an AVX-512 Xeon it does not know for a Prescott, SSE3). */
#ifndef LIBS_H
#define LIBS_H

#include <jansson.h>
#include <stddef.h>

/* OpenBLAS's kernel sets (OPENBLAS_CORETYPE, any case) by the widest vectors they use: the
 * words of `[measure] openblas_core` after "auto" and "library". */
#define LIBS_OPENBLAS_CORES(X) \
    X("prescott", 0)           \
    X("core2", 0)              \
    X("nehalem", 0)            \
    X("sandybridge", 1)        \
    X("haswell", 2)            \
    X("zen", 2)                \
    X("skylakex", 3)           \
    X("cooperlake", 3)

/* [measure] openblas_core: 0 auto, 1 library, 2 onwards the cores above in order. */
enum { LIBS_OPENBLAS_AUTO, LIBS_OPENBLAS_LIBRARY, LIBS_OPENBLAS_FIRST_CORE };

/* The setting's word: "auto", "library", "haswell". */
const char *libs_openblas_core_word(long setting);

/* For `run`, before anything is written: when the setting wants other kernels than the loaded
 * OpenBLAS has (auto: the best this CPU runs, when OpenBLAS's own choice is below it), sets
 * OPENBLAS_CORETYPE and executes the harness again with argv (OpenBLAS reads the variable
 * only when it loads). Returns when nothing is to be done, or after the new process found it
 * done: 0, with the run's one-line note in note ("" for none); 2 with why for a core this CPU
 * cannot run. */
int libs_openblas_settle(long setting, char **argv, char *note, size_t note_len, char *why,
                         size_t why_len);

/* Versions of every library, OpenBLAS's kernels (and their override), oneDNN's ISA. */
json_t *libs_json(void);

#endif
