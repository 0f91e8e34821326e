/* test_util.h: small helpers shared by the cmocka tests. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes text to a fresh file under /tmp and returns its path (static buffer per call site). */
static inline void test_write_file(char *path, size_t len, const char *tag, const char *text)
{
    snprintf(path, len, "/tmp/attnbench-test-%s-%d.ini", tag, (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

#define assert_contains(haystack, needle)                                                   \
    do {                                                                                    \
        if (strstr((haystack), (needle)) == NULL)                                           \
            fail_msg("'%s' does not contain '%s'", (haystack), (needle));                   \
    } while (0)

/* In the AddressSanitizer build (make sanitize) there is no heap figure (ASan's allocator
 * reports nothing to mallinfo2) and no address-space limit (ASan reserves terabytes): the
 * tests of those skip there and run in the plain build. */
#if defined(__SANITIZE_ADDRESS__)
#define SKIP_UNDER_ASAN() skip()
#else
#define SKIP_UNDER_ASAN() ((void)0)
#endif

#endif
