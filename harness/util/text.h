/* text.h: text helpers for messages about the user's input: "did you mean" suggestions, and
 * escaping what a message quotes so that it prints as one safe line. */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>

/* " (did you mean 'x'?)" for the candidate closest to word (within 2 edits), or "". */
void text_suggest(const char *word, const char *const *cands, size_t n, char *out, size_t len);

/* Every byte outside printable ASCII becomes \xNN, in place (s holds len bytes at most):
 * messages quote input (a value, a line, a path, a JSON document), and the commands print them
 * as one line to a terminal, where a raw newline would break the line and an escape sequence
 * would act. What does not fit is cut, never half an escape. */
void text_escape(char *s, size_t len);

#endif
