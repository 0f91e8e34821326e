/* config_keys.h: config.c's table of keys and its one-value parsing, for config_read.c (sweep
 * files and --set); not for anything outside the two. */
#ifndef CONFIG_KEYS_H
#define CONFIG_KEYS_H

#include "config.h"

#include <stddef.h>

#define CFG_MAX_LINE 190         /* a sweep file's longest line */
#define CFG_QUOTE_MAX 80         /* the most of an input a message quotes */
#define CFG_MAX_KEYS 64          /* the table's size, at most */

typedef enum { T_INT_LIST, T_BOOL_LIST, T_DIST_LIST, T_NAME_LIST, T_EVENT_LIST, T_SEED, T_INT,
               T_REAL, T_REAL_LIST, T_SCALE, T_CHOICE, T_CHOICE_LIST } cfg_type;

typedef struct cfg_key {
    const char *section;
    const char *key;
    cfg_type type;
    double min, max;             /* for numbers and every list entry */
    size_t offset;               /* of the field in cfg */
    const char *const *choices;  /* T_CHOICE: the words, NULL-terminated; stored as an index */
} cfg_key;

extern const cfg_key cfg_keys[];

/* s without its leading and trailing white space (in place). */
char *cfg_trim(char *s);

/* s, or its first CFG_QUOTE_MAX bytes and "..." in buf (CFG_QUOTE_MAX + 4 bytes). */
const char *cfg_clip(const char *s, char *buf);

/* The key of that name in that section (NULL: any section); NULL when there is none. */
const cfg_key *cfg_find_key(const char *section, const char *key);

/* Parses one key's value (trimmed) into c by k's type (config_value.c). 0, or -1 with the
 * reason in err. */
int cfg_parse_value(cfg *c, const cfg_key *k, const char *value, char *err, size_t err_len);

/* Parses one key's value into c and records it, with its line in the file, or for a --set
 * (line 0) the key as typed. 0, or -1 with the reason in err. */
int cfg_set_value(cfg *c, const cfg_key *k, const char *raw, int line, const char *typed,
                  char *err, size_t err_len);

int cfg_known_section(const char *section);

/* "unknown section [s]" or "unknown key 'k'", with the closest name or the key's home. */
void cfg_unknown_section_msg(const char *section, char *out, size_t len);
void cfg_unknown_key_msg(const char *section, const char *key, char *out, size_t len);

#endif
