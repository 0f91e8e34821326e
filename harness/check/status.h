/* status.h: the states a case ends in, from one list: the enum, the names, how bad each is (a
 * pooled case keeps the worst of its parts: merge --pool) and the meanings. */
#ifndef STATUS_H
#define STATUS_H

#include <string.h>

/* X(name, badness: 0 best, meaning) */
#define STATUS_MAP(X)                                                                      \
    X(PASS, 0, "ran, output within tolerance of the reference")                            \
    X(FAIL, 2, "ran, output outside tolerance, non-finite, or the inputs were modified")   \
    X(ERROR, 3, "available, prepare or run returned nonzero; reason holds its words")      \
    X(CRASH, 5, "the case's process died of a signal; reason names it")                   \
    X(TIMEOUT, 4, "the case ran past timeout_s")                                           \
    X(SKIP, 1, "the implementation cannot take this problem; reason says why")

typedef enum {
#define STATUS_ENUM(name, badness, meaning) ST_##name,
    STATUS_MAP(STATUS_ENUM)
#undef STATUS_ENUM
    ST_COUNT
} case_status;

static inline const char *status_name(int st)
{
    static const char *const names[] = {
#define STATUS_NAME(name, badness, meaning) #name,
        STATUS_MAP(STATUS_NAME)
#undef STATUS_NAME
    };
    return st >= 0 && st < ST_COUNT ? names[st] : "?";
}

static inline const char *status_meaning(int st)
{
    static const char *const meanings[] = {
#define STATUS_MEANING(name, badness, meaning) meaning,
        STATUS_MAP(STATUS_MEANING)
#undef STATUS_MEANING
    };
    return st >= 0 && st < ST_COUNT ? meanings[st] : "?";
}

/* How bad a status is, 0 for PASS; ST_COUNT for an unknown one, worse than any. */
static inline int status_badness(int st)
{
    static const int badness[] = {
#define STATUS_BADNESS(name, bad, meaning) bad,
        STATUS_MAP(STATUS_BADNESS)
#undef STATUS_BADNESS
    };
    return st >= 0 && st < ST_COUNT ? badness[st] : ST_COUNT;
}

/* The status a name reads as; -1 for none. */
static inline int status_from_name(const char *name)
{
    for (int st = 0; st < ST_COUNT; st++)
        if (name != NULL && strcmp(name, status_name(st)) == 0)
            return st;
    return -1;
}

/* Whether a status makes `run` exit 1. */
static inline int status_is_failure(int st)
{
    return st == ST_FAIL || st == ST_ERROR || st == ST_CRASH || st == ST_TIMEOUT;
}

#endif
