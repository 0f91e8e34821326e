/* libs.c: what the linked libraries are and what they chose. OpenBLAS picks its kernels from
 * CPUID when it loads and falls back to old ones on a CPU it does not know; here `auto` puts
 * it on the best kernels its build has for the ISA this CPU runs, by OPENBLAS_CORETYPE and one
 * re-execution, and says so. */
#include "libs.h"

#include "cpu_features.h"
#include "registry.h"

#include <cblas.h>
#include <hwloc.h>
#include <oneapi/dnnl/dnnl.h>
#include <papi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const struct { const char *name; int isa; } cores[] = {
#define LIBS_CORE_ENTRY(name, isa) {name, isa},
    LIBS_OPENBLAS_CORES(LIBS_CORE_ENTRY)
#undef LIBS_CORE_ENTRY
};
#define N_CORES ((int)(sizeof cores / sizeof cores[0]))

static const char *const isa_names[] = {"SSE", "AVX", "AVX2", "AVX-512"};
/* The kernels `auto` asks for, per ISA: Haswell's serve every AVX2 CPU, Zen's are the same
 * code; SkylakeX's need AVX-512 F, BW, DQ and VL. */
static const char *const best_core[] = {NULL, "Sandybridge", "Haswell", "SkylakeX"};

/* Set in the re-executed process: the core OpenBLAS had chosen, and what was asked. */
#define CHOSE_ENV "ATTNBENCH_OPENBLAS_CHOSE"
#define ASKED_ENV "ATTNBENCH_OPENBLAS_ASKED"

/* The widest ISA a core uses; -1 for a name not in the list. */
static int core_isa(const char *name)
{
    for (int i = 0; i < N_CORES; i++)
        if (strcasecmp(name, cores[i].name) == 0)
            return cores[i].isa;
    return -1;
}

/* The widest ISA OpenBLAS's kernels may use on this CPU (and CPU_MASK_ENV), with why not
 * wider. */
static int cpu_isa(char *why, size_t len)
{
    if (cpu_avx512_core(why, len) == 0)
        return 3;
    if (cpu_avx2_fma(why, len) == 0)
        return 2;
    return __builtin_cpu_supports("avx") ? 1 : 0;
}

const char *libs_openblas_core_word(long setting)
{
    if (setting == LIBS_OPENBLAS_AUTO)
        return "auto";
    if (setting == LIBS_OPENBLAS_LIBRARY)
        return "library";
    long i = setting - LIBS_OPENBLAS_FIRST_CORE;
    return i >= 0 && i < N_CORES ? cores[i].name : "?";
}

/* The override the last settle made, for results.json: "" when none. */
static char override_text[256];

int libs_openblas_settle(long setting, char **argv, char *note, size_t note_len, char *why,
                         size_t why_len)
{
    char isa_why[200] = "";
    const char *loaded = openblas_get_corename(), *asked = getenv(ASKED_ENV);
    const char *chose = getenv(CHOSE_ENV), *user = getenv("OPENBLAS_CORETYPE");
    int have = cpu_isa(isa_why, sizeof isa_why), loaded_isa = core_isa(loaded);
    note[0] = '\0';
    if (asked != NULL) {   /* the re-executed process: did OpenBLAS take it? */
        int chose_isa = chose != NULL ? core_isa(chose) : -1;
        snprintf(override_text, sizeof override_text, "%s, not %s: OPENBLAS_CORETYPE=%s set by "
                 "attnbench ([measure] openblas_core = %s)", loaded, chose ? chose : "?", asked,
                 libs_openblas_core_word(setting));
        if (strcasecmp(asked, loaded) == 0 && setting == LIBS_OPENBLAS_AUTO) {
            snprintf(note, note_len, "openblas: OpenBLAS chose %s kernels (%s) on this CPU, "
                     "which runs %s: running it on %s instead (OPENBLAS_CORETYPE=%s; "
                     "[measure] openblas_core = library keeps its choice)", chose ? chose : "?",
                     chose_isa >= 0 ? isa_names[chose_isa] : "?", isa_names[have], loaded,
                     asked);
        } else if (strcasecmp(asked, loaded) == 0) {
            snprintf(note, note_len, "openblas: running OpenBLAS on its %s kernels (%s), as "
                     "[measure] openblas_core asks; on its own it chose %s here", loaded,
                     isa_names[core_isa(loaded)], chose ? chose : "?");
        } else {
            override_text[0] = '\0';
            snprintf(note, note_len, "openblas: asked OpenBLAS for %s kernels "
                     "(OPENBLAS_CORETYPE=%s); this build loaded %s: the figures are %s's",
                     asked, asked, loaded, loaded);
        }
        unsetenv(ASKED_ENV);   /* not for the cases' own children */
        unsetenv(CHOSE_ENV);
        return 0;
    }
    const char *want = NULL;
    if (setting >= LIBS_OPENBLAS_FIRST_CORE) {
        want = cores[setting - LIBS_OPENBLAS_FIRST_CORE].name;
        if (cores[setting - LIBS_OPENBLAS_FIRST_CORE].isa > have) {
            snprintf(why, why_len, "[measure] openblas_core = %s: its kernels use %s, which this "
                     "CPU cannot run (%s)", libs_openblas_core_word(setting),
                     isa_names[cores[setting - LIBS_OPENBLAS_FIRST_CORE].isa], isa_why);
            return 2;
        }
    } else if (setting == LIBS_OPENBLAS_AUTO && loaded_isa >= 0 && loaded_isa < have) {
        want = best_core[have];
    }
    if (setting == LIBS_OPENBLAS_LIBRARY && loaded_isa >= 0 && loaded_isa < have)
        snprintf(note, note_len, "openblas: OpenBLAS runs its %s kernels (%s%s) on this CPU, "
                 "which runs %s: the figures are %s's ([measure] openblas_core = library)",
                 loaded, isa_names[loaded_isa], user ? ", OPENBLAS_CORETYPE in the environment"
                                                     : ", its own choice",
                 isa_names[have], loaded);
    if (want == NULL || strcasecmp(want, loaded) == 0)
        return 0;
    setenv(CHOSE_ENV, loaded, 1);
    setenv(ASKED_ENV, want, 1);
    setenv("OPENBLAS_CORETYPE", want, 1);
    fflush(NULL);
    execv("/proc/self/exe", argv);
    /* No re-execution: the run goes on with what OpenBLAS chose, and says so. */
    snprintf(note, note_len, "openblas: OpenBLAS chose %s kernels on this CPU, which runs %s; "
             "re-executing with OPENBLAS_CORETYPE=%s failed: the figures are %s's", loaded,
             isa_names[have], want, loaded);
    unsetenv(ASKED_ENV);
    unsetenv(CHOSE_ENV);
    return 0;
}

json_t *libs_json(void)
{
    char text[256];
    json_t *libs = json_object();
    json_object_set_new(libs, "jansson", json_string(JANSSON_VERSION));
    json_object_set_new(libs, "openblas", json_string(openblas_get_config()));
    json_object_set_new(libs, "openblas_core", json_string(openblas_get_corename()));
    if (override_text[0] != '\0')
        json_object_set_new(libs, "openblas_override", json_string(override_text));
    const dnnl_version_t *v = dnnl_version();
    snprintf(text, sizeof text, "%d.%d.%d (%s, %s)", v->major, v->minor, v->patch, v->hash,
             v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other CPU runtime");
    json_object_set_new(libs, "onednn", json_string(text));
    json_object_set_new(libs, "onednn_isa", json_string(onednn_isa_name(
                                                 dnnl_get_effective_cpu_isa())));
    const char *max_isa = getenv("ONEDNN_MAX_CPU_ISA");
    if (max_isa != NULL)
        json_object_set_new(libs, "onednn_max_cpu_isa", json_string(max_isa));
    snprintf(text, sizeof text, "%d.%d.%d.%d", PAPI_VERSION_MAJOR(PAPI_VERSION),
             PAPI_VERSION_MINOR(PAPI_VERSION), PAPI_VERSION_REVISION(PAPI_VERSION),
             PAPI_VERSION_INCREMENT(PAPI_VERSION));
    json_object_set_new(libs, "papi", json_string(text));
    unsigned hv = hwloc_get_api_version();
    snprintf(text, sizeof text, "%u.%u.%u", hv >> 16, (hv >> 8) & 0xff, hv & 0xff);
    json_object_set_new(libs, "hwloc", json_string(text));
    return libs;
}
