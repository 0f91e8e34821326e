/* avx512_here.h: the avx512 kernel the tests can run on this machine: the built-in where the
 * CPU runs it, elsewhere its SIMDe build (avx512_emulated.so, beside the test binary, which the
 * Makefile builds first): the same code, held to the same tests, with the world it found
 * printed. */
#ifndef AVX512_HERE_H
#define AVX512_HERE_H

#include "test_util.h"

#include "impls_set.h"
#include "registry.h"

#include <libgen.h>
#include <limits.h>
#include <unistd.h>

/* The built-in avx512, or the emulated one loaded into *set (which must outlive its use);
 * prints which. */
static inline const attn_impl *avx512_here(impls_set *set)
{
    char why[256], exe[PATH_MAX], path[PATH_MAX + 32];
    if (attn_impl_avx512.available(why, sizeof why) == 0) {
        printf("avx512: native\n");
        return &attn_impl_avx512;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(n > 0);
    exe[n] = '\0';
    snprintf(path, sizeof path, "%s/avx512_emulated.so", dirname(exe));
    set_init(set);
    if (set_load_plugin(set, path, why, sizeof why) != 0)
        fail_msg("avx512 cannot run here, and its emulated build did not load: %s", why);
    printf("avx512: not on this CPU, so its SIMDe build %s\n", path);
    return set_find(set, "avx512-emulated");
}

#endif
